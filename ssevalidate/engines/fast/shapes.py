"""Compile a shapes graph once into :class:`Shape` objects with their components and targets.

A shape the engine cannot evaluate (a SPARQL-based component of its own, a SPARQL target, a
rule, a SHACL-SPARQL query that reads ``$shapesGraph``) is listed in ``Plan.unsupported`` with
the reason, and so is every shape that refers to it: pySHACL validates those.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.paths import Path
from rdflib.term import Node

from ssevalidate.engines.fast import compiled
from ssevalidate.engines.fast import components as checks
from ssevalidate.engines.fast.compiled import Accepts, Check
from ssevalidate.engines.fast.components import (
    COMPONENTS,
    Component,
    PropertyComponent,
    Unsupported,
)
from ssevalidate.engines.fast.paths import Walk, compile_path, reads_incoming
from ssevalidate.engines.fast.sparql import SparqlComponent
from ssevalidate.rdfconvert import from_rdflib
from ssevalidate.shaclpaths import read_path

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_VALUE_CHECKS = {
    checks.DatatypeComponent,
    checks.NodeKindComponent,
    checks.MinExclusiveComponent,
    checks.MinInclusiveComponent,
    checks.MaxExclusiveComponent,
    checks.MaxInclusiveComponent,
    checks.MinLengthComponent,
    checks.MaxLengthComponent,
    checks.PatternComponent,
    checks.LanguageInComponent,
    checks.InComponent,
}
"""Components whose answer for a node shape depends on the focus node alone."""
_UNSUPPORTED = {
    SH.target: "a SPARQL-based target (sh:target)",
    SH.rule: "a SHACL rule (sh:rule)",
    SH.js: "a JavaScript constraint",
}


class Shape:
    """One shape: what it reads (``walk`` its path, None for a node shape) and checks."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.path: URIRef | Path | None = None
        self.walk: Walk | None = None
        self.severity: URIRef = SH.Violation
        self.messages: tuple[Literal, ...] = ()
        self.deactivated = False
        self.components: list[Component] = []
        self.on_empty: list[Component] = []
        self.reads_incoming = False
        """Its path follows an edge backwards."""
        self.predicate: ox.NamedNode | None = None
        """The path, when it is a single predicate."""
        self.own: list[Component] = []
        """The components evaluated one by one (all but ``sh:property`` with a predicate)."""
        self.by_predicate: dict[ox.NamedNode, list[Shape]] = {}
        """Property shapes with a predicate path, by predicate: a record's predicates pick them."""
        self.required: list[Shape] = []
        """Those of ``by_predicate`` that can fail without values (``sh:minCount``...)."""
        self.simple = False
        """A node shape of value checks only, decided without reading the graph."""
        self.check: Check = compiled.nothing
        """Runs ``own`` on the value nodes of a focus node (:func:`compiled.compile_check`)."""
        self.accepts: Accepts | None = None
        """Whether a value conforms, for a ``simple`` shape (:func:`compiled.compile_accepts`)."""

    def prepare(self) -> None:
        """Arrange the components for evaluation, once every shape is compiled."""
        for component in self.components:
            target = getattr(component, "target", None)
            if (
                isinstance(component, PropertyComponent)
                and self.walk is None
                and target.predicate is not None
            ):
                self.by_predicate.setdefault(target.predicate, []).append(target)
                if target.on_empty:
                    self.required.append(target)
            else:
                self.own.append(component)
        self.simple = self.walk is None and all(type(c) in _VALUE_CHECKS for c in self.components)

    def __repr__(self) -> str:
        return f"Shape({self.node!r})"


@dataclass
class Targets:
    """The focus nodes a shape selects, as pyoxigraph terms."""

    classes: list[ox.NamedNode] = field(default_factory=list)
    nodes: list[ox.NamedNode | ox.BlankNode | ox.Literal] = field(default_factory=list)
    subjects_of: list[ox.NamedNode] = field(default_factory=list)
    objects_of: list[ox.NamedNode] = field(default_factory=list)


@dataclass
class Plan:
    """A compiled shapes graph."""

    shapes: Graph
    targeted: list[tuple[Shape, Targets]]
    unsupported: dict[Node, str]
    classes: set[ox.NamedNode]
    """Every class a ``sh:class`` asks for (the only types worth indexing across parts)."""
    sparql: list[SparqlComponent]
    reads_incoming: bool
    """Some path follows edges backwards (their subjects may be in any part)."""
    by_node: dict[Node, Shape]
    """Every compiled shape, targeted or reached through another."""
    indexed: set[ox.NamedNode] = field(default_factory=set)
    """The predicates whose subjects the targets and the SPARQL constraints look for."""


class Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.compiled: dict[Node, Shape] = {}
        self.unsupported: dict[Node, str] = {}
        self.classes: set[ox.NamedNode] = set()
        self.sparql: list[SparqlComponent] = []
        self.custom_parameters = {
            path
            for parameter in shapes.objects(None, SH.parameter)
            for path in shapes.objects(parameter, SH.path)
        }

    def shape(self, node: Node) -> Shape:
        """The compiled shape at ``node`` (compiled once; recursion is allowed)."""
        found = self.compiled.get(node)
        if found is not None:
            return found
        shape = Shape(node)
        self.compiled[node] = shape
        try:
            self._fill(shape)
        except Unsupported as reason:
            self.unsupported[node] = str(reason)
        return shape

    def _fill(self, shape: Shape) -> None:
        graph, node = self.shapes, shape.node
        for predicate, reason in _UNSUPPORTED.items():
            if (node, predicate, None) in graph:
                raise Unsupported(reason)
        used = set(graph.predicates(node, None)) & self.custom_parameters
        if used:
            raise Unsupported(f"a constraint component of its own ({', '.join(sorted(used))})")
        path = graph.value(node, SH.path)
        if path is not None:
            shape.path = read_path(graph, path)
            shape.walk = compile_path(shape.path)
            if isinstance(shape.path, URIRef):
                shape.predicate = from_rdflib(shape.path)
            shape.reads_incoming = reads_incoming(shape.path)
        severity = graph.value(node, SH.severity)
        if isinstance(severity, URIRef):
            shape.severity = severity
        shape.messages = tuple(m for m in graph.objects(node, SH.message) if isinstance(m, Literal))
        deactivated = graph.value(node, SH.deactivated)
        shape.deactivated = isinstance(deactivated, Literal) and deactivated.value is True
        for component_class in (*COMPONENTS, SparqlComponent):
            for value in graph.objects(node, component_class.parameters[0]):
                component = component_class(shape, self, value)
                shape.components.append(component)
                if component_class.on_empty:
                    shape.on_empty.append(component)
                if isinstance(component, SparqlComponent):
                    self.sparql.append(component)
        for component in shape.components:
            nested = getattr(component, "target", None)
            if isinstance(nested, Shape) and nested.node in self.unsupported:
                raise Unsupported(f"{nested.node}, a shape this engine does not support")

    def plan(self) -> Plan:
        graph = self.shapes
        nodes: set[Node] = set()
        for predicate in _TARGETS:
            nodes.update(graph.subjects(predicate, None))
        classes = {RDFS.Class, OWL.Class, *graph.subjects(RDFS.subClassOf, RDFS.Class)}
        for cls in classes:
            for node in graph.subjects(RDF.type, cls):
                if _is_shape(graph, node):
                    nodes.add(node)
        targeted = []
        for node in sorted(nodes, key=str):
            shape = self.shape(node)
            targets = Targets(
                classes=[from_rdflib(c) for c in graph.objects(node, SH.targetClass)],
                nodes=[from_rdflib(n) for n in graph.objects(node, SH.targetNode)],
                subjects_of=[from_rdflib(p) for p in graph.objects(node, SH.targetSubjectsOf)],
                objects_of=[from_rdflib(p) for p in graph.objects(node, SH.targetObjectsOf)],
            )
            if any((node, RDF.type, cls) in graph for cls in classes):
                targets.classes.append(from_rdflib(node))
            targeted.append((shape, targets))
        self._propagate_unsupported()
        for shape in self.compiled.values():
            shape.prepare()
        for shape in self.compiled.values():
            shape.accepts = compiled.compile_accepts(shape)
        for shape in self.compiled.values():
            shape.check = compiled.compile_check(shape)
        indexed: set[ox.NamedNode] = set()
        for _, targets in targeted:
            indexed.update(targets.subjects_of, targets.objects_of)
        for component in self.sparql:
            indexed.update(component.predicates or ())
        return Plan(
            shapes=graph,
            targeted=[(s, t) for s, t in targeted if s.node not in self.unsupported],
            unsupported={
                shape.node: self.unsupported[shape.node]
                for shape, _ in targeted
                if shape.node in self.unsupported
            },
            classes=self.classes,
            sparql=self.sparql,
            reads_incoming=any(shape.reads_incoming for shape in self.compiled.values()),
            by_node=self.compiled,
            indexed=indexed,
        )

    def _propagate_unsupported(self) -> None:
        """A shape that reaches an unsupported one is unsupported too (recursion included)."""
        changed = True
        while changed:
            changed = False
            for node, shape in self.compiled.items():
                if node in self.unsupported:
                    continue
                for component in shape.components:
                    for nested in _nested_shapes(component):
                        if nested.node in self.unsupported:
                            self.unsupported[node] = (
                                f"{nested.node}, a shape this engine does not support"
                            )
                            changed = True
                            break
                    if node in self.unsupported:
                        break


def _nested_shapes(component: Component) -> list[Shape]:
    found = []
    for name in ("target", "negated", "qualified"):
        value = getattr(component, name, None)
        if isinstance(value, Shape):
            found.append(value)
    found.extend(getattr(component, "members", ()))
    found.extend(getattr(component, "siblings", ()))
    return found


def _is_shape(graph: Graph, node: Node) -> bool:
    return isinstance(node, URIRef | BNode) and (
        (node, RDF.type, SH.NodeShape) in graph or (node, RDF.type, SH.PropertyShape) in graph
    )


def compile_shapes(shapes: Graph) -> Plan:
    """Compile ``shapes`` (an rdflib graph, never modified)."""
    return Compiler(shapes).plan()
