"""SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``), run by pyoxigraph.

A constraint's query is read once with rdflib's SPARQL parser to learn which predicates it can
match. Only triples with those predicates are loaded into a pyoxigraph store, so the store stays
small even for a directory of a million records, and the answer is the same as on the whole
graph: a triple pattern with a constant predicate never matches a triple with another one. A
query whose predicates cannot be known (a variable predicate, a negated property set) loads all.

The query is run once per focus node with ``$this`` substituted, as SHACL says; when ``$this`` is
bound by a required triple pattern of a plain query (no sub-query, grouping, MINUS or UNION), the
same rows come from one run with ``$this`` free, filtered on the focus nodes.

A query whose every triple pattern reads a predicate of ``$this`` (``local``) needs nothing but
the focus node's own triples: it is run in the part that holds the record, over those triples,
and never reaches the merge step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, ClassVar

import pyoxigraph as ox
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import SH
from rdflib.paths import NegatedPath, Path
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from ssevalidate.engines.fast.components import Component, IllFormedShape, Unsupported

if TYPE_CHECKING:
    from ssevalidate.engines.fast.shapes import Compiler, Shape

Term = ox.NamedNode | ox.BlankNode | ox.Literal
THIS = ox.Variable("this")
SHAPES_GRAPH = ox.NamedNode("urn:sse:engine:shapes-graph")
"""The named graph holding the shapes graph, for queries that read ``$shapesGraph``."""
_WHERE = re.compile(r"\bWHERE\b|\{", re.IGNORECASE)
_SUB_SELECT = re.compile(r"\bSELECT\s+((?:DISTINCT|REDUCED)\s+)?(.*?)\s*\bWHERE\b", re.I | re.S)
_CHAIN = {"Project", "Distinct", "Reduced", "Filter", "Extend", "OrderBy", "Slice"}
_FORBIDDEN = {"ToMultiSet", "Minus", "Group", "AggregateJoin", "Graph", "Union", "Join"}


class SparqlComponent(Component):
    """``sh:sparql``: evaluated after the record walk, over the triples its query can match."""

    parameters: ClassVar = (SH.sparql,)
    iri = SH.SPARQLConstraintComponent

    def __init__(self, shape: Shape, compiler: Compiler, value: Node) -> None:
        super().__init__(shape, compiler, value)
        self.key = (shape.node, value)
        graph = compiler.shapes
        deactivated = graph.value(value, SH.deactivated)
        self.deactivated = isinstance(deactivated, Literal) and deactivated.value is True
        select = graph.value(value, SH.select)
        if select is None:
            raise Unsupported("a SPARQL constraint without sh:select")
        text = str(select)
        if "$PATH" in text:
            if not isinstance(shape.path, URIRef):
                raise Unsupported("$PATH with a complex path")
            text = text.replace("$PATH", f"<{shape.path}>")
        self.prefixes = _prefixes(graph, value)
        self.text = text
        self.messages = tuple(graph.objects(value, SH.message))
        try:
            algebra = prepareQuery(text, initNs=self.prefixes).algebra
        except Exception as error:
            raise Unsupported(f"a SPARQL query rdflib cannot read ({error})") from None
        _check_pre_binding(algebra, text)
        variables = {v for v in _walk(algebra) if isinstance(v, Variable)}
        self.reads_shapes = Variable("shapesGraph") in variables
        if self.reads_shapes:
            self.text = _substitute(self.text, "shapesGraph", str(SHAPES_GRAPH))
        if Variable("currentShape") in variables:
            if not isinstance(shape.node, URIRef):
                raise Unsupported("$currentShape in a blank-node shape")
            self.text = _substitute(self.text, "currentShape", f"<{shape.node}>")
        self.predicates = None if self.reads_shapes else _predicates(algebra)
        self.single_pass = _single_pass(algebra) and not self.reads_shapes
        self.local = not self.reads_shapes and _reads_only_this(algebra)
        """Every triple pattern is ``$this <predicate> ...``: only the focus node's triples count."""

    def evaluate(self, ev, focus, values) -> list:
        if not self.deactivated:
            ev.sparql_focus(self, focus)
        return []

    def rows(self, store: ox.Store, focus_nodes: Iterable[Term]) -> Iterator[tuple]:
        """(focus, path, value) for every solution, ``path``/``value`` None when unbound."""
        focus_nodes = list(dict.fromkeys(focus_nodes))
        if self.single_pass and len(focus_nodes) > 1:
            wanted = set(focus_nodes)
            for focus, path, value in _solutions(store.query(self.text, prefixes=self.prefixes)):
                if focus in wanted:
                    yield focus, path, value
            return
        for focus in focus_nodes:
            if type(focus) is ox.BlankNode:
                solutions = store.query(
                    self.text, prefixes=self.prefixes, substitutions={THIS: focus}
                )
            else:
                text = _substitute(self.text, "this", str(focus))
                solutions = store.query(text, prefixes=self.prefixes)
            for _, path, value in _solutions(solutions):
                yield focus, path, value


def _solutions(solutions: ox.QuerySolutions) -> Iterator[tuple]:
    names = {variable.value for variable in solutions.variables}
    for solution in solutions:
        if "failure" in names:
            failure = solution["failure"]
            if isinstance(failure, ox.Literal) and failure.value in ("true", "1"):
                raise RuntimeError("a SPARQL constraint reported a failure (?failure)")
        yield (
            solution["this"] if "this" in names else None,
            solution["path"] if "path" in names else None,
            solution["value"] if "value" in names else None,
        )


def _substitute(text: str, variable: str, term: str) -> str:
    """Pre-bind ``variable`` the way SHACL describes it: its value replaces it everywhere in the
    query body (``bound()`` of it is true), while the SELECT clause keeps the variable."""
    start = _WHERE.search(text)
    head, body = (text[: start.start()], text[start.start() :]) if start else ("", text)
    body = re.sub(rf"(?i)\bbound\s*\(\s*[$?]{variable}\s*\)", "(true)", body)
    body = _SUB_SELECT.sub(lambda match: _without(match, variable), body)
    body = re.sub(rf"[$?]{variable}\b", lambda _: term, body)
    return head + body


def _without(match: re.Match, variable: str) -> str:
    """A sub-query's SELECT clause without the pre-bound variable (``*`` if nothing is left)."""
    kept = re.sub(rf"[$?]{variable}\b", "", match.group(2)).strip()
    return f"SELECT {match.group(1) or ''}{kept or '*'} WHERE"


def _check_pre_binding(algebra: CompValue, text: str) -> None:
    """SHACL 5.3.1: a query that could rebind ``$this`` (MINUS, VALUES, SERVICE, a sub-query
    without ``$this``, ``AS $this``) is not a valid constraint. ``SELECT *`` projects $this
    only where a triple pattern binds it."""
    this = Variable("this")
    for node in _walk(algebra):
        if not isinstance(node, CompValue):
            continue
        if node.name in ("Minus", "ServiceGraphPattern", "values"):
            raise IllFormedShape(f"SHACL forbids {node.name.upper()} in a SPARQL constraint")
        if node.name == "Extend" and node.get("var") == this:
            raise IllFormedShape("a SPARQL constraint may not bind $this")
        if node.name == "ToMultiSet" and isinstance(node.get("p"), CompValue):
            inner = node["p"]
            bound = any(
                isinstance(n, CompValue)
                and n.name == "BGP"
                and any(this in t for t in n["triples"])
                for n in _walk(inner)
            )
            star = re.search(r"\{\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", text, re.I)
            if inner.name == "Project" and (
                this not in inner.get("PV", ()) or (star and not bound)
            ):
                raise IllFormedShape("a sub-query of a SPARQL constraint must project $this")


def _prefixes(graph, constraint: Node) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in graph.objects(constraint, SH.prefixes):
        for declaration in graph.objects(source, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
    return found


def _walk(node) -> Iterator:
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _walk(item)


def _predicates(algebra: CompValue) -> set[ox.NamedNode] | None:
    """The predicates the query's triple patterns can match; None when any predicate can."""
    found: set[ox.NamedNode] = set()
    for node in _walk(algebra):
        if not isinstance(node, CompValue) or "triples" not in node:
            continue
        for triple in node["triples"]:
            predicate = triple[1]
            if isinstance(predicate, URIRef):
                found.add(ox.NamedNode(str(predicate)))
            elif isinstance(predicate, Path) and not any(
                isinstance(part, NegatedPath) for part in _walk_path(predicate)
            ):
                found.update(ox.NamedNode(str(iri)) for iri in _path_iris(predicate))
            else:
                return None
    return found


def _walk_path(path) -> Iterator:
    yield path
    for name in ("args", "arg", "path"):
        inner = getattr(path, name, None)
        if isinstance(inner, list | tuple):
            for item in inner:
                yield from _walk_path(item)
        elif inner is not None:
            yield from _walk_path(inner)


def _path_iris(path) -> set[URIRef]:
    return {part for part in _walk_path(path) if isinstance(part, URIRef)}


def _reads_only_this(algebra: CompValue) -> bool:
    """Whether every triple pattern, wherever it stands (OPTIONAL, FILTER EXISTS...), has
    ``$this`` as its subject and an IRI as its predicate, with no sub-query or GRAPH around it."""
    this = Variable("this")
    for node in _walk(algebra):
        if not isinstance(node, CompValue):
            continue
        if node.name in ("ToMultiSet", "Graph", "ServiceGraphPattern"):
            return False
        if "triples" not in node:  # CompValue.get's second argument is not a default
            continue
        for triple in node["triples"]:
            if triple[0] != this or not isinstance(triple[1], URIRef):
                return False
    return True


def _single_pass(algebra: CompValue) -> bool:
    """Whether one run with ``$this`` free gives each focus node's rows: a single group whose
    required triple patterns bind ``$this``, with filters and OPTIONALs around it and nothing
    that opens a new scope (sub-groups, sub-queries, UNION, MINUS, GRAPH, aggregates)."""
    this = Variable("this")
    if this not in algebra.get("PV", ()):
        return False
    if any(isinstance(n, CompValue) and n.name in _FORBIDDEN for n in _walk(algebra)):
        return False
    node = algebra.get("p")
    while isinstance(node, CompValue):
        if node.name == "BGP":
            return any(this in triple for triple in node["triples"])
        if node.name == "LeftJoin":
            node = node.get("p1")
        elif node.name in _CHAIN:
            node = node.get("p")
        else:
            return False
    return False
