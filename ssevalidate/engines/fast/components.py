"""One class per SHACL Core constraint component, registered in :data:`COMPONENTS`.

A component is built from a shape's parameter values. A :class:`ValueCheck` says which value
nodes pass, as a Python expression (``condition``) that is compiled into its shape's function
(:mod:`~ssevalidate.engines.fast.compiled`); any other component's ``evaluate`` returns the
violations for one focus node and its value nodes (each a value node, ``None`` for a result
without ``sh:value``, or a :class:`Special` when the result has its own path or component), or
its ``statements`` do the same inline. Each follows the text of the SHACL specification and,
where pySHACL reads it its own way, pySHACL: it is the reference.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, NamedTuple

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from ssevalidate.engines.fast import literals
from ssevalidate.engines.fast.compiled import Bind
from ssevalidate.engines.fast.datagraph import Term
from ssevalidate.rdfconvert import from_rdflib

if TYPE_CHECKING:
    from ssevalidate.engines.fast.evaluation import Evaluation
    from ssevalidate.engines.fast.shapes import Compiler, Shape


class Special(NamedTuple):
    """A violation whose path or component differs from its shape's."""

    value: Term | None
    path: Node | None = None
    component: URIRef | None = None


class Unsupported(Exception):
    """A shape uses something this engine does not evaluate; pySHACL will."""


class IllFormedShape(ValueError):
    """The shapes graph breaks a syntax rule of SHACL (a validation failure, not a result)."""


class Component:
    """Base class: ``parameters`` are the SHACL predicates a component reads (the first one
    decides whether it is present); ``on_empty`` says whether it can fail without value nodes."""

    parameters: ClassVar[tuple[URIRef, ...]]
    iri: ClassVar[URIRef]
    on_empty: ClassVar[bool] = False

    def __init__(self, shape: Shape, compiler: Compiler, value: Node) -> None:
        self.shape = shape

    def evaluate(self, ev: Evaluation, focus: Term, values) -> list:
        raise NotImplementedError

    def statements(self, bind: Bind, found: str) -> list[str] | None:
        """Python lines doing what :meth:`evaluate` does in a compiled shape function (see
        :mod:`~ssevalidate.engines.fast.compiled`), appending ``(found, focus, violation)``;
        None to have :meth:`evaluate` called."""
        return None


class ValueCheck(Component):
    """A component that judges each value node on its own: the violations are the values it
    refuses. A subclass gives :meth:`condition` (the check as an expression, written into
    compiled shape functions) or, when it cannot be one expression, :meth:`accepts`."""

    def accepts(self, ev: Evaluation, value: Term) -> bool:
        raise NotImplementedError

    def condition(self, bind: Bind) -> str:
        """Whether ``value`` passes, as a Python expression over ``value`` and ``ev`` with
        constants named by ``bind``."""
        return f"{bind(self.accepts)}(ev, value)"


def _conforms(shape: Shape, bind: Bind) -> str:
    """Whether ``value`` conforms to ``shape``, as an expression."""
    if shape.accepts is not None:
        return f"{bind(shape.accepts)}(ev, value)"
    return f"ev.conforms({bind(shape)}, value)"


def _list(compiler: Compiler, node: Node) -> list[Node]:
    if node == URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"):
        return []
    return list(Collection(compiler.shapes, node))


class ClassComponent(Component):
    parameters = (SH["class"],)
    iri = SH.ClassConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.cls = from_rdflib(value)
        compiler.classes.add(self.cls)

    def evaluate(self, ev, focus, values) -> list:
        # A node described in another part is decided after the merge (not a violation yet).
        return [
            value
            for value in values
            if type(value) is ox.Literal
            or (
                not ev.is_instance(value, self.cls)
                and not ev.defer_class(self.shape, self, focus, value)
            )
        ]


class DatatypeComponent(ValueCheck):
    parameters = (SH.datatype,)
    iri = SH.DatatypeConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.datatype = str(value)

    def condition(self, bind) -> str:
        test = f"{bind(literals.has_datatype)}(value, {bind(self.datatype)})"
        return f"type(value) is Literal and {test} and value not in ev.ill_typed"


_NODE_KINDS = {
    SH.IRI: (ox.NamedNode,),
    SH.BlankNode: (ox.BlankNode,),
    SH.Literal: (ox.Literal,),
    SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
    SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
    SH.IRIOrLiteral: (ox.NamedNode, ox.Literal),
}


class NodeKindComponent(ValueCheck):
    parameters = (SH.nodeKind,)
    iri = SH.NodeKindConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        if value not in _NODE_KINDS:
            raise IllFormedShape(f"sh:nodeKind {value} is not a node kind")
        self.kinds = _NODE_KINDS[value]

    def condition(self, bind) -> str:
        if len(self.kinds) == 1:
            return f"type(value) is {bind(self.kinds[0])}"
        return f"type(value) in {bind(self.kinds)}"


def _count(value: Node) -> int:
    if not isinstance(value, Literal) or not isinstance(value.value, int):
        raise IllFormedShape(f"{value!r} is not an integer")
    return value.value


class MinCountComponent(Component):
    parameters = (SH.minCount,)
    iri = SH.MinCountConstraintComponent
    on_empty = True

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.minimum = _count(value)

    def statements(self, bind, found) -> list[str]:
        return [f"if len(values) < {self.minimum}:", f"    append(({found}, focus, None))"]


class MaxCountComponent(Component):
    parameters = (SH.maxCount,)
    iri = SH.MaxCountConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.maximum = _count(value)

    def statements(self, bind, found) -> list[str]:
        return [f"if len(values) > {self.maximum}:", f"    append(({found}, focus, None))"]


class _RangeComponent(ValueCheck):
    allowed: ClassVar[tuple[int, ...]]
    """The orders of value against bound that pass (-1 less, 0 equal, 1 greater)."""

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        if not isinstance(value, Literal):
            raise IllFormedShape(f"{self.parameters[0]} needs a literal")
        self.bound = value

    def condition(self, bind) -> str:
        order = f"{bind(literals.compare)}(value, {bind(self.bound)})"
        return f"type(value) is Literal and {order} in {self.allowed!r}"


class MinExclusiveComponent(_RangeComponent):
    parameters = (SH.minExclusive,)
    iri = SH.MinExclusiveConstraintComponent
    allowed = (1,)


class MinInclusiveComponent(_RangeComponent):
    parameters = (SH.minInclusive,)
    iri = SH.MinInclusiveConstraintComponent
    allowed = (0, 1)


class MaxExclusiveComponent(_RangeComponent):
    parameters = (SH.maxExclusive,)
    iri = SH.MaxExclusiveConstraintComponent
    allowed = (-1,)


class MaxInclusiveComponent(_RangeComponent):
    parameters = (SH.maxInclusive,)
    iri = SH.MaxInclusiveConstraintComponent
    allowed = (-1, 0)


class _LengthComponent(ValueCheck):
    operator: ClassVar[str]
    """How a length that passes compares with the limit."""

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.limit = _count(value)

    def condition(self, bind) -> str:
        return f"type(value) is not BlankNode and len(value.value) {self.operator} {self.limit}"


class MinLengthComponent(_LengthComponent):
    parameters = (SH.minLength,)
    iri = SH.MinLengthConstraintComponent
    operator = ">="


class MaxLengthComponent(_LengthComponent):
    parameters = (SH.maxLength,)
    iri = SH.MaxLengthConstraintComponent
    operator = "<="


_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class PatternComponent(ValueCheck):
    parameters = (SH.pattern, SH.flags)
    iri = SH.PatternConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        flags = 0
        for text in compiler.shapes.objects(shape.node, SH.flags):
            for letter in str(text):
                flags |= _FLAGS.get(letter, 0)
        self.regex = re.compile(str(value), flags)

    def condition(self, bind) -> str:
        search = f"{bind(self.regex.search)}(value.value)"
        return f"type(value) is not BlankNode and {search} is not None"


def _language_matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    if wanted == "*":
        return bool(tag)
    return tag == wanted or tag.startswith(wanted + "-")


class LanguageInComponent(ValueCheck):
    parameters = (SH.languageIn,)
    iri = SH.LanguageInConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.languages = [str(item) for item in _list(compiler, value)]

    def accepts(self, ev, value) -> bool:
        language = value.language if type(value) is ox.Literal else None
        return bool(language) and any(_language_matches(language, w) for w in self.languages)


class UniqueLangComponent(Component):
    parameters = (SH.uniqueLang,)
    iri = SH.UniqueLangConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        if not isinstance(value, Literal) or not isinstance(value.value, bool):
            raise IllFormedShape("sh:uniqueLang takes true or false")
        self.active = value.value

    def evaluate(self, ev, focus, values) -> list:
        found = []
        if not self.active:
            return found
        seen: dict[str, int] = {}
        for value in values:
            if type(value) is ox.Literal and value.language:
                seen[value.language] = seen.get(value.language, 0) + 1
        for count in seen.values():
            if count > 1:
                found.append(None)
        return found


class _PairComponent(Component):
    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        if not isinstance(value, URIRef):
            raise IllFormedShape(f"{self.parameters[0]} needs an IRI")
        self.other = from_rdflib(value)


class EqualsComponent(_PairComponent):
    parameters = (SH.equals,)
    iri = SH.EqualsConstraintComponent
    on_empty = True

    def evaluate(self, ev, focus, values) -> list:
        found = []
        others = ev.data.objects(focus, self.other)
        for value in values:
            if value not in others:
                found.append(value)
        for value in others:
            if value not in values:
                found.append(value)
        return found


class DisjointComponent(_PairComponent):
    parameters = (SH.disjoint,)
    iri = SH.DisjointConstraintComponent

    def evaluate(self, ev, focus, values) -> list:
        found = []
        others = ev.data.objects(focus, self.other)
        for value in values:
            if value in others:
                found.append(value)
        return found


class LessThanComponent(_PairComponent):
    parameters = (SH.lessThan,)
    iri = SH.LessThanConstraintComponent
    allowed: ClassVar[tuple[int, ...]] = (-1,)

    def evaluate(self, ev, focus, values) -> list:
        found = []
        others = ev.data.objects(focus, self.other)
        for value in values:
            for other in others:
                if (
                    type(value) is not ox.Literal
                    or type(other) is not ox.Literal
                    or literals.order(value, other) not in self.allowed
                ):
                    found.append(value)
        return found


class LessThanOrEqualsComponent(LessThanComponent):
    parameters = (SH.lessThanOrEquals,)
    iri = SH.LessThanOrEqualsConstraintComponent
    allowed = (-1, 0)


class NotComponent(ValueCheck):
    parameters = (SH["not"],)
    iri = SH.NotConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.negated = compiler.shape(value)

    def condition(self, bind) -> str:
        return f"not {_conforms(self.negated, bind)}"


class _ListOfShapesComponent(ValueCheck):
    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.members = [compiler.shape(item) for item in _list(compiler, value)]


class AndComponent(_ListOfShapesComponent):
    parameters = (SH["and"],)
    iri = SH.AndConstraintComponent

    def condition(self, bind) -> str:
        return " and ".join(_conforms(member, bind) for member in self.members) or "True"


class OrComponent(_ListOfShapesComponent):
    parameters = (SH["or"],)
    iri = SH.OrConstraintComponent

    def condition(self, bind) -> str:
        return " or ".join(_conforms(member, bind) for member in self.members) or "False"


class XoneComponent(_ListOfShapesComponent):
    parameters = (SH.xone,)
    iri = SH.XoneConstraintComponent

    def accepts(self, ev, value) -> bool:
        return sum(1 for member in self.members if ev.conforms(member, value)) == 1


class NodeComponent(ValueCheck):
    parameters = (SH.node,)
    iri = SH.NodeConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.target = compiler.shape(value)

    def condition(self, bind) -> str:
        return _conforms(self.target, bind)


class PropertyComponent(Component):
    """``sh:property``: the property shape's own results, for each value node as its focus."""

    parameters = (SH.property,)
    iri = SH.PropertyConstraintComponent
    on_empty = False

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.target = compiler.shape(value)
        if self.target.path is None:
            raise Unsupported(f"a property shape without sh:path ({value})")

    def evaluate(self, ev, focus, values) -> list:
        found = []
        for value in values:
            ev.validate(self.target, value)
        return found


class QualifiedValueShapeComponent(Component):
    parameters = (
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
    )
    iri = SH.QualifiedMinCountConstraintComponent
    on_empty = True

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        graph = compiler.shapes
        self.qualified = compiler.shape(value)
        minimum = graph.value(shape.node, SH.qualifiedMinCount)
        maximum = graph.value(shape.node, SH.qualifiedMaxCount)
        self.minimum = None if minimum is None else _count(minimum)
        self.maximum = None if maximum is None else _count(maximum)
        disjoint = graph.value(shape.node, SH.qualifiedValueShapesDisjoint)
        self.siblings = []
        if isinstance(disjoint, Literal) and disjoint.value is True:
            for parent in graph.subjects(SH.property, shape.node):
                for sibling in graph.objects(parent, SH.property):
                    for other in graph.objects(sibling, SH.qualifiedValueShape):
                        if other != value:
                            self.siblings.append(compiler.shape(other))

    def evaluate(self, ev, focus, values) -> list:
        found = []
        conforming = sum(
            1
            for value in values
            if ev.conforms(self.qualified, value)
            and not any(ev.conforms(sibling, value) for sibling in self.siblings)
        )
        if self.minimum is not None and conforming < self.minimum:
            found.append(Special(None, component=SH.QualifiedMinCountConstraintComponent))
        if self.maximum is not None and conforming > self.maximum:
            found.append(Special(None, component=SH.QualifiedMaxCountConstraintComponent))
        return found


class ClosedComponent(Component):
    parameters = (SH.closed, SH.ignoredProperties)
    iri = SH.ClosedConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        graph = compiler.shapes
        self.active = isinstance(value, Literal) and value.value is True
        allowed = set()
        for property_shape in graph.objects(shape.node, SH.property):
            path = graph.value(property_shape, SH.path)
            if isinstance(path, URIRef):
                allowed.add(from_rdflib(path))
        for ignored in graph.objects(shape.node, SH.ignoredProperties):
            allowed.update(from_rdflib(item) for item in _list(compiler, ignored))
        self.allowed = allowed

    def evaluate(self, ev, focus, values) -> list:
        found = []
        if not self.active:
            return found
        for value in values:
            ev.read(value)
            for predicate, objects in ev.data.out.get(value, {}).items():
                if predicate not in self.allowed:
                    for obj in objects:
                        found.append(Special(obj, URIRef(predicate.value)))
        return found


class HasValueComponent(Component):
    parameters = (SH.hasValue,)
    iri = SH.HasValueConstraintComponent
    on_empty = True

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.wanted = from_rdflib(value)

    def evaluate(self, ev, focus, values) -> list:
        found = []
        if self.wanted not in values:
            found.append(None)
        return found


class InComponent(ValueCheck):
    parameters = (SH["in"],)
    iri = SH.InConstraintComponent

    def __init__(self, shape, compiler, value) -> None:
        super().__init__(shape, compiler, value)
        self.allowed = {from_rdflib(item) for item in _list(compiler, value)}

    def condition(self, bind) -> str:
        return f"value in {bind(self.allowed)}"


COMPONENTS: tuple[type[Component], ...] = (
    ClassComponent,
    DatatypeComponent,
    NodeKindComponent,
    MinCountComponent,
    MaxCountComponent,
    MinExclusiveComponent,
    MinInclusiveComponent,
    MaxExclusiveComponent,
    MaxInclusiveComponent,
    MinLengthComponent,
    MaxLengthComponent,
    PatternComponent,
    LanguageInComponent,
    UniqueLangComponent,
    EqualsComponent,
    DisjointComponent,
    LessThanComponent,
    LessThanOrEqualsComponent,
    NotComponent,
    AndComponent,
    OrComponent,
    XoneComponent,
    NodeComponent,
    PropertyComponent,
    QualifiedValueShapeComponent,
    ClosedComponent,
    HasValueComponent,
    InComponent,
)
"""Every component this engine evaluates, in the order their results are produced."""

__all__ = ["COMPONENTS", "Component", "IllFormedShape", "Special", "Unsupported", "ValueCheck"]
