"""Validation of one part of the data against a compiled plan.

When the data is split into parts, a part sees its own records completely but not the others.
What it cannot decide alone it hands over: ``sh:class`` checks on nodes described elsewhere
(decided later against the type index of all parts), the focus nodes of SPARQL constraints (run
later over the triples of all parts), and the IRIs it had to read without holding their triples
(if another part describes one of them, the split was unsound and the caller validates the whole
data at once instead).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ssevalidate.engines.fast.components import Component
from ssevalidate.engines.fast.datagraph import DataGraph, Term
from ssevalidate.engines.fast.shapes import Plan, Shape, Targets
from ssevalidate.engines.fast.sparql import SparqlComponent

_NO_PROPERTIES: dict = {}
Violation = tuple[Shape, Component, Term, object]
"""(shape, component, focus, value or :class:`Special`)."""


class Evaluation:
    """The results of one part: ``violations``, ``deferred`` class checks, SPARQL focus nodes.

    ``data_subjects`` is None when the part is the whole data; otherwise the subjects that
    come from the data (the rest of ``data`` is background, such as taxonomy concepts).
    """

    def __init__(self, plan: Plan, data: DataGraph, data_subjects: set[Term] | None = None) -> None:
        self.plan = plan
        self.data = data
        self.data_subjects = data_subjects
        self.partial = data_subjects is not None
        self.violations: list[Violation] = []
        self.deferred: list[tuple[Shape, Component, Term, ox.NamedNode]] = []
        self.sparql: dict[SparqlComponent, list[Term]] = {}
        self.foreign: set[ox.NamedNode] = set()
        self.unsafe: str | None = None
        self.focus_seen: set[Term] = set()
        self.ill_typed: set[ox.Literal] | frozenset = frozenset()
        """Literals the caller's parser found ill-typed though their text looks fine (rdflib
        replaces some ill-typed lexical forms, such as a boolean "none", by a valid one)."""
        self._memo: dict[tuple[Shape, Term], bool] = {}
        self._depth = 0
        if self.partial:
            data.watched = (data_subjects, self.foreign)

    def run(self) -> None:
        """Validate every targeted shape on its focus nodes."""
        for shape, targets in self.plan.targeted:
            focus_nodes = self.focus_nodes(targets)
            self.focus_seen.update(focus_nodes)
            if not shape.deactivated:
                for focus in focus_nodes:
                    self.validate(shape, focus)

    def focus_nodes(self, targets: Targets) -> Iterable[Term]:
        data = self.data
        found: dict[Term, None] = dict.fromkeys(node for node in targets.nodes)
        for cls in targets.classes:
            found.update(dict.fromkeys(data.instances(cls)))
        for predicate in targets.subjects_of:
            found.update(dict.fromkeys(data.subjects_of(predicate)))
        for predicate in targets.objects_of:
            found.update(dict.fromkeys(data.objects_of(predicate)))
        return found

    def validate(self, shape: Shape, focus: Term) -> None:
        if shape.deactivated:
            return
        if self.partial:
            self.read(focus)
        append = self.violations.append
        if shape.walk is not None:
            shape.check(self, focus, shape.walk(self.data, focus), append)
            return
        shape.check(self, focus, (focus,), append)
        if shape.by_predicate:
            properties = self.data.out.get(focus, _NO_PROPERTIES)
            by_predicate = shape.by_predicate
            for predicate, objects in properties.items():
                for property_shape in by_predicate.get(predicate, ()):
                    property_shape.check(self, focus, objects, append)
            for property_shape in shape.required:
                if property_shape.predicate not in properties:
                    property_shape.check(self, focus, (), append)

    def read(self, node: Term) -> None:
        """Note that the triples of ``node`` were read (for the merge step's checks)."""
        self.data.note_read(node)

    def conforms(self, shape: Shape, node: Term) -> bool:
        """Whether ``node`` conforms to ``shape`` (memoised; a cycle counts as conforming)."""
        if shape.accepts is not None:
            return shape.accepts(self, node)
        key = (shape, node)
        known = self._memo.get(key)
        if known is not None:
            return known
        self._memo[key] = True
        outer = self.violations
        self.violations = []
        self._depth += 1
        try:
            self.validate(shape, node)
            result = not self.violations
        finally:
            self._depth -= 1
            self.violations = outer
        self._memo[key] = result
        return result

    def is_instance(self, node: Term, cls: ox.NamedNode) -> bool:
        return self.data.is_instance(node, cls)

    def defer_class(self, shape: Shape, component: Component, focus: Term, node: Term) -> bool:
        """Hand a failed ``sh:class`` check on a node described elsewhere to the merge step."""
        if not self.partial or type(node) is not ox.NamedNode or node in self.data_subjects:
            return False
        if self._depth:
            self.unsafe = f"a nested sh:class check reads {node.value}, described in another part"
            return False
        self.deferred.append((shape, component, focus, node))
        return True

    def sparql_focus(self, component: SparqlComponent, focus: Term) -> None:
        if self._depth:
            self.unsafe = "a SPARQL constraint is reached through another shape"
            return
        self.sparql.setdefault(component, []).append(focus)
