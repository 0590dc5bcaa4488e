"""The validation report: standard SHACL results, made readable for the people who fix data.

A :class:`Report` is what :func:`ssevalidate.validate` returns; renderers (``ssevalidate.render``)
turn it into text, JSON, Turtle, JSON-LD or CSV. ``Report.to_dict()`` is the JSON schema other
tools depend on (``ssevalidate/report.schema.json``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.paths import Path
from rdflib.term import Node

from ssevalidate.engines.base import Finding
from ssevalidate.namespaces import LABEL_PROPERTIES, compact
from ssevalidate.shaclpaths import path_text

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass
class Result:
    """One problem, in the words of the requested language.

    ``focus``/``value`` are the strings of the JSON report (IRIs as IRIs, literals as their
    lexical form, blank nodes as ``_:label``); ``record`` is the IRI of the record the focus node
    belongs to (the focus itself, or the record owning a blank node); ``finding`` keeps the terms.
    """

    severity: str
    focus: str
    focus_label: str | None
    record: str
    path: str | None
    field: str | None
    value: str | None
    component: str
    shape: str
    message: str
    hint: str | None
    origin: dict[str, Any] | None
    finding: Finding = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "focus": self.focus,
            "focus_label": self.focus_label,
            "record": self.record,
            "path": self.path,
            "field": self.field,
            "value": self.value,
            "component": self.component,
            "shape": self.shape,
            "message": self.message,
            "hint": self.hint,
            "origin": self.origin,
        }


@dataclass
class Report:
    """The outcome of one validation."""

    profile: str
    engine: str
    lang: str
    records: int
    results: list[Result]
    shapes: Graph = field(repr=False)
    notices: list[str] = field(default_factory=list)
    """What the engine did differently (shapes handed to pySHACL, a whole-file fallback)."""

    @property
    def conforms(self) -> bool:
        """True when no result is a violation (warnings and infos do not fail a record)."""
        return self.violations == 0

    @property
    def violations(self) -> int:
        return sum(result.severity == "Violation" for result in self.results)

    @property
    def warnings(self) -> int:
        return sum(result.severity == "Warning" for result in self.results)

    @property
    def infos(self) -> int:
        return sum(result.severity == "Info" for result in self.results)

    def by_record(self) -> dict[str, list[Result]]:
        """Results grouped by record, records in order of first appearance in the source."""
        groups: dict[str, list[Result]] = {}
        for result in self.results:
            groups.setdefault(result.record, []).append(result)
        return groups

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "profile": self.profile,
            "engine": self.engine,
            "summary": {
                "records": self.records,
                "violations": self.violations,
                "warnings": self.warnings,
                "infos": self.infos,
            },
            "results": [result.to_dict() for result in self.results],
            "notices": self.notices,
        }


def term_text(node: Node | Path | None) -> str | None:
    """The JSON form of a term: IRI, lexical form, or ``_:label``."""
    if node is None:
        return None
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Path):
        return path_text(node)
    return str(node)


def localized(values: Iterable[Node], lang: str) -> str | None:
    """The literal in ``lang``, else English, else an untagged one, else any."""
    literals = sorted(
        (value for value in values if isinstance(value, Literal)),
        key=lambda literal: (literal.language or "", str(literal)),
    )
    for wanted in (lang, "en", None):
        for literal in literals:
            if literal.language == wanted:
                return str(literal)
    return str(literals[0]) if literals else None


class RecordIndex:
    """Labels and owning records of the nodes of a data graph."""

    def __init__(self, data: Graph, lang: str) -> None:
        self.data = data
        self.lang = lang

    def label(self, node: Node) -> str | None:
        for predicate in LABEL_PROPERTIES:
            label = localized(self.data.objects(node, predicate), self.lang)
            if label:
                return label
        return None

    def record(self, node: Node) -> Node:
        """The nearest IRI subject that owns ``node`` through blank nodes."""
        seen = set()
        while isinstance(node, BNode) and node not in seen:
            seen.add(node)
            owner = next(iter(self.data.subjects(None, node)), None)
            if owner is None:
                break
            node = owner
        return node


def place(origin: dict | None) -> tuple[str, int | str] | None:
    """Where in its file a result is: ``("line", 12)`` in a text format, ``("row", 17)`` in a
    spreadsheet, ``("pointer", "/features/3")`` in JSON; None when unknown."""
    for kind in ("line", "row", "pointer"):
        if (origin or {}).get(kind) is not None:
            return kind, origin[kind]
    return None


def _position(origin: dict) -> tuple:
    """Source order: lines and rows by number, JSON pointers by their tokens (``/features/9``
    before ``/features/10``)."""
    where = place(origin)
    if where is None:
        return ((2, 0, ""),)
    if where[0] == "pointer":
        tokens = str(where[1]).split("/")[1:]
        return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in tokens)
    return ((0, where[1], ""),)


def sort_key(result: Result) -> tuple:
    origin = result.origin or {}
    rank = {"Violation": 0, "Warning": 1, "Info": 2}[result.severity]
    return (
        origin.get("file", ""),
        _position(origin),
        result.record,
        rank,
        result.path or "",
        result.component,
        result.shape,
        result.value or "",
    )


class ShapeTexts:
    """Names and messages of the shapes, in one language, read from the shapes graph."""

    def __init__(self, shapes: Graph, lang: str) -> None:
        self.shapes = shapes
        self.lang = lang
        self._names: dict[Node, str | None] = {}

    def _own_and_constraints(self, shape: Node, predicate: URIRef) -> list[Node]:
        values = list(self.shapes.objects(shape, predicate))
        for constraint in self.shapes.objects(shape, SH.sparql):
            values += self.shapes.objects(constraint, predicate)
        return values

    def name(self, shape: Node) -> str | None:
        """The check's name: ``sh:name`` of the shape or of its SPARQL constraint, else its label."""
        if shape not in self._names:
            self._names[shape] = localized(
                self._own_and_constraints(shape, SH.name), self.lang
            ) or localized(self.shapes.objects(shape, RDFS.label), self.lang)
        return self._names[shape]

    def message(self, finding: Finding) -> str:
        messages: list[Node] = list(finding.messages)
        if not any(isinstance(m, Literal) and m.language for m in messages):
            # pySHACL drops the language tags of SPARQL constraint messages: read the shape's.
            messages = self._own_and_constraints(finding.shape, SH.message) or messages
        message = localized(messages, self.lang)
        if message:
            return message
        return (
            compact(str(finding.component)).replace("ConstraintComponent", "")
            + " constraint failed"
        )
