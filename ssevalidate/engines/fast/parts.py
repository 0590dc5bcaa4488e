"""Cutting an input into parts at record boundaries, validating a part, merging the parts.

A part is a byte range of one document plus the document's prefix lines. Turtle and N-Triples
exports write one record after another, so a cut is made only before a line that starts a new
statement at column 0 after a line that ends one. Whether the cuts were sound is checked, not
assumed: every part reports hashes of its subjects and blank nodes and the IRIs it read without
describing them; if a record turns out to be split (a subject in two parts, a blank node shared,
a node read here and described there) the merge says so and the engine validates the whole data
in one part instead. Results are therefore always those of the whole graph.
"""

from __future__ import annotations

import itertools
import mmap
import os
import re
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from ssevalidate import parsegate
from ssevalidate.engines.base import Finding
from ssevalidate.engines.fast.components import Special
from ssevalidate.engines.fast.datagraph import DataGraph, Term
from ssevalidate.engines.fast.evaluation import Evaluation
from ssevalidate.engines.fast.shapes import Plan
from ssevalidate.engines.fast.sparql import SHAPES_GRAPH, SparqlComponent
from ssevalidate.gcpause import gc_paused
from ssevalidate.namespaces import LABEL_PROPERTIES
from ssevalidate.rdfconvert import from_rdflib, to_rdflib

_SPLITTABLE = {"turtle", "ntriples", "nquads"}
_DIRECTIVE = re.compile(rb"(?:@prefix|@base|PREFIX|BASE)\b", re.IGNORECASE)
_LATER_DIRECTIVE = re.compile(b"\n" + _DIRECTIVE.pattern, re.IGNORECASE)
_LABELS = [ox.NamedNode(str(p)) for p in LABEL_PROPERTIES]
_BLANK_LABEL = re.compile(rb"_:([A-Za-z0-9_][A-Za-z0-9_.-]*[A-Za-z0-9_-]|[A-Za-z0-9_])")
OWNS = URIRef("urn:sse:engine:owns")
"""Links a blank node's owner to it in the context graph given to the report."""
_OWNS = ox.NamedNode(str(OWNS))


@dataclass(frozen=True)
class Source:
    """One input document for the engine: a file, or bytes already in memory."""

    name: str
    format: str
    path: str | None = None
    data: bytes | None = None
    base_iri: str | None = None
    bnode_prefix: str = ""
    nquads_fallback: bool = False
    """Sniffed as TriG but looks like N-Quads: read as N-Quads if TriG fails (the gate's rule)."""


@dataclass(frozen=True)
class Part:
    source: Source
    start: int = 0
    end: int | None = None
    header: bytes = b""
    whole: bool = True
    """The part is its whole document (syntax errors are reported as they are)."""

    def payload(self) -> bytes:
        source = self.source
        if source.data is not None:
            body = source.data[self.start : self.end]
        else:
            with open(source.path, "rb") as stream:
                stream.seek(self.start)
                body = stream.read(-1 if self.end is None else self.end - self.start)
        return self.header + body if self.header else body


@dataclass
class PartResult:
    """What one part hands to the merge step (plain Python and rdflib values: it is pickled)."""

    findings: list[Finding] = field(default_factory=list)
    shared: list[Finding] = field(default_factory=list)
    """Findings on nodes that are not data subjects of the part (deduplicated at merge)."""
    deferred: list[tuple] = field(default_factory=list)
    sparql_focus: dict[tuple, list] = field(default_factory=dict)
    sparql_triples: bytes = b""
    types: dict[str, set[str]] = field(default_factory=dict)
    subjects: array = field(default_factory=lambda: array("q"))
    bnodes: array = field(default_factory=lambda: array("q"))
    foreign: list[str] = field(default_factory=list)
    unsafe: str | None = None
    records: int = 0
    shared_records: set = field(default_factory=set)
    context: list[tuple] = field(default_factory=list)
    """Label and owner triples of the nodes with findings, as pyoxigraph terms (which cross
    processes cheaper than rdflib's); the merge step converts those of its findings."""
    origins: dict = field(default_factory=dict)
    """Where records start, their lines counted from the part's first line (see ``lines``)."""
    lines: int = 0
    """The line breaks in the part (the merge step numbers the lines of later parts)."""
    place: tuple[str, int] = ("", 0)
    """The part's document and where it starts in it."""


def fingerprint(text: str) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` is not)."""
    raw = text.encode()
    return ((zlib.crc32(raw) << 32) | zlib.adler32(raw)) - (1 << 63)


def split(source: Source, target_size: int) -> list[Part]:
    """Cut ``source`` into parts of about ``target_size`` bytes at record boundaries; one part
    when the format or the layout does not allow it."""
    if source.format not in _SPLITTABLE or source.path is None:
        return [Part(source)]
    size = os.path.getsize(source.path)
    if size <= target_size * 1.5:
        return [Part(source)]
    with (
        open(source.path, "rb") as stream,
        mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view,
    ):
        header_end = _header_end(view, source.format)
        header = bytes(view[:header_end])
        cuts = [header_end]
        position = header_end + target_size
        while position < size - target_size // 2:
            cut = _next_boundary(view, position, source.format)
            if cut is None:
                break
            cuts.append(cut)
            position = cut + target_size
        cuts.append(size)
    return [
        Part(source, start, end, header, whole=False) for start, end in itertools.pairwise(cuts)
    ]


def _header_end(view: mmap.mmap, fmt: str) -> int:
    """Where the leading directives and comments end (Turtle), else 0."""
    if fmt != "turtle":
        return 0
    position = 0
    while position < len(view):
        end = view.find(b"\n", position)
        end = len(view) if end < 0 else end + 1
        line = view[position:end].strip()
        if line and not line.startswith(b"#") and not _DIRECTIVE.match(line):
            return position
        position = end
    return position


def _next_boundary(view: mmap.mmap, position: int, fmt: str) -> int | None:
    """The first line start at or after ``position`` that begins a record."""
    previous_subject = None
    position = view.find(b"\n", position)
    while position >= 0:
        start = position + 1
        end = view.find(b"\n", start)
        if end < 0:
            return None
        line = view[start:end]
        if fmt == "turtle":
            if line[:1] not in (b" ", b"\t", b"#", b"", b"\r", b")", b"]", b'"', b"'"):
                before = view[max(0, start - 400) : start].rstrip()
                if before.endswith(b".") and not before.endswith(b".."):
                    return start
        else:
            subject = line.split(b" ", 1)[0]
            if subject.startswith(b"<"):
                if previous_subject is not None and subject != previous_subject:
                    return start
                previous_subject = subject
        position = end
    return None


def validate_unit(
    parts: list[Part], plan: Plan, background: DataGraph | None, complete: bool
) -> PartResult:
    """Parse and validate parts read together. ``complete`` says they hold all the data: then
    nothing is deferred and a syntax error is the input's (an :class:`InputError`)."""
    with gc_paused():
        return _validate_unit(parts, plan, background, complete)


def _validate_unit(
    parts: list[Part], plan: Plan, background: DataGraph | None, complete: bool
) -> PartResult:
    try:
        try:
            reading = _read(parts, background, plan.indexed)
        except parsegate.InputError:
            if not any(part.source.nquads_fallback for part in parts):
                raise
            reading = _read([_as_nquads(part) for part in parts], background, plan.indexed)
    except parsegate.InputError as error:
        if complete:
            raise
        return PartResult(unsafe=f"a part does not parse on its own ({error})")
    convert = _Converter()
    data, owners, subjects = reading.data, reading.owners, reading.subjects
    result = _evaluate(data, owners, subjects, plan, complete, convert, labels=reading.labels)
    if result.unsafe is None:
        _context(result, reading, convert)
    [(first, text, _), *others] = reading.texts
    if not first.whole and not others:
        result.place = (first.source.name, first.start)
        result.lines = text.count(b"\n")
    return result


@dataclass
class _Reading:
    """What :func:`_read` makes of parts."""

    data: DataGraph
    owners: dict
    """The subject that first links to each blank node."""
    subjects: set
    """The subjects the parts describe (the background's concepts are not among them)."""
    labels: set[bytes]
    """Blank node labels written in the parts (when they are parts of a larger file)."""
    texts: list[tuple[Part, bytes, dict[str, str]]]
    """Each part's bytes (after its header) and the prefixes its parser saw, to locate records."""


def _as_nquads(part: Part) -> Part:
    if not part.source.nquads_fallback:
        return part
    source = replace(part.source, format="nquads", nquads_fallback=False)
    return replace(part, source=source)


def evaluate_graph(
    data: DataGraph, plan: Plan, known: dict, ill_typed: set | frozenset = frozenset()
) -> PartResult:
    """Validate a whole data graph already indexed; ``known`` gives back the original term of
    each pyoxigraph term (the caller's rdflib terms)."""
    with gc_paused():
        return _evaluate_graph(data, plan, known, ill_typed)


def _evaluate_graph(data: DataGraph, plan: Plan, known: dict, ill_typed) -> PartResult:
    owners: dict = {}
    for subject, properties in data.out.items():
        for objects in properties.values():
            for obj in objects:
                if type(obj) is ox.BlankNode:
                    owners.setdefault(obj, subject)
    return _evaluate(data, owners, set(data.out), plan, True, _Converter(known), ill_typed)


def _evaluate(
    data, owners, subjects, plan, complete, convert, ill_typed=frozenset(), labels=frozenset()
):
    result = PartResult()
    evaluation = Evaluation(plan, data, None if complete else subjects)
    evaluation.ill_typed = ill_typed
    evaluation.run()
    if evaluation.unsafe:
        result.unsafe = evaluation.unsafe
        return result
    found = [
        (focus, _finding(shape, component, focus, violation, convert))
        for shape, component, focus, violation in evaluation.violations
    ]
    found.extend(_local_sparql(evaluation, convert))
    for focus, finding in found:
        if focus in subjects or focus in owners:
            result.findings.append(finding)
        else:
            result.shared.append(finding)
    for shape, component, focus, node in evaluation.deferred:
        result.deferred.append((shape.node, component.cls.value, convert(focus), node.value))
    for component, nodes in evaluation.sparql.items():
        if not component.local:
            result.sparql_focus[component.key] = nodes
    if any(not component.local for component in plan.sparql):
        result.sparql_triples = _projected(data, plan)
    if not complete:
        _describe_partition(result, data, subjects, evaluation, plan)
        result.bnodes.extend(fingerprint(label.decode()) for label in labels)
    blank = ox.BlankNode
    records = {
        _record(focus, owners) if type(focus) is blank else focus for focus in evaluation.focus_seen
    }
    result.records = sum(1 for record in records if record in subjects)
    result.shared_records = {r.value for r in records if r not in subjects}
    return result


def _read(parts: list[Part], background: DataGraph | None, indexed: set) -> _Reading:
    """One data graph of ``parts`` (indexing the subjects of ``indexed`` predicates); the
    background's description of each concept the data uses is added (and only that)."""
    data = DataGraph(indexed)
    out, having = data.out, data.having
    owners: dict[Term, Term] = {}
    background_subjects = background.out if background is not None else {}
    used: set[Term] = set()
    written: set[bytes] = set()
    texts = []
    blank = ox.BlankNode
    named = ox.NamedNode
    for part in parts:
        source = part.source
        raw = part.payload()
        fmt, payload = parsegate.admit(raw, name=source.name, format=source.format)
        renamed: dict[ox.BlankNode, ox.BlankNode] = {}
        prefix = source.bnode_prefix
        if not part.whole and _declares(payload, len(part.header)):
            # A prefix or base declared after the header would be missing from other parts.
            raise parsegate.InputError("a prefix or base is declared after the first record")
        if not part.whole:
            # The parser names anonymous blank nodes from a random generator that forked
            # workers share: give them the part's own prefix. Labelled ones keep their label,
            # so that one used in two parts is seen by the merge step.
            labels = set(_BLANK_LABEL.findall(payload)) if b"_:" in payload else set()
            written |= labels
            for label in labels:
                renamed[blank(label.decode())] = blank(prefix + label.decode())
            prefix = f"{prefix}p{part.start}x"
        quads = parsegate.Quads(payload, fmt, name=source.name, base_iri=source.base_iri)
        # DataGraph.add, inlined: this loop runs once per triple of the input.
        with quads.errors():
            for quad in quads.parser:  # three attributes cost less than unpacking four
                subject, predicate, obj = quad.subject, quad.predicate, quad.object
                if type(subject) is blank:
                    subject = renamed.get(subject) or renamed.setdefault(
                        subject, blank(prefix + subject.value)
                    )
                kind = type(obj)
                if kind is blank:
                    obj = renamed.get(obj) or renamed.setdefault(obj, blank(prefix + obj.value))
                    if obj not in owners:
                        owners[obj] = subject
                elif kind is named and obj in background_subjects:
                    used.add(obj)
                properties = out.get(subject)
                if properties is None:
                    out[subject] = {predicate: [obj]}
                else:
                    objects = properties.get(predicate)
                    if objects is not None:
                        if obj not in objects:
                            objects.append(obj)
                        continue
                    properties[predicate] = [obj]
                subjects_of = having.get(predicate)
                if subjects_of is not None:
                    subjects_of.append(subject)
        texts.append((part, raw[len(part.header) :], quads.prefixes))
    subjects = set(data.out)
    if background is not None:
        for concept in used:
            for predicate, objects in background.out[concept].items():
                for obj in objects:
                    data.add(concept, predicate, obj)
    return _Reading(data, owners, subjects, written, texts)


def _declares(payload: bytes, start: int) -> bool:
    """Whether a line of ``payload`` from ``start`` (a line start) is a prefix or base."""
    return bool(_DIRECTIVE.match(payload, start) or _LATER_DIRECTIVE.search(payload, start))


class _Converter:
    """pyoxigraph → rdflib terms for findings, each term converted once."""

    def __init__(self, known: dict | None = None) -> None:
        self.cache: dict = dict(known or {})

    def __call__(self, term):
        if term is None:
            return None
        found = self.cache.get(term)
        if found is None:
            found = self.cache[term] = to_rdflib(term)
        return found


def _finding(shape, component, focus, violation, convert) -> Finding:
    path, iri = shape.path, component.iri
    if type(violation) is Special:
        path = violation.path if violation.path is not None else path
        iri = violation.component or iri
        violation = violation.value
    return Finding(
        severity=shape.severity,
        focus=convert(focus),
        path=path,
        value=convert(violation),
        component=iri,
        shape=shape.node,
        messages=shape.messages,
    )


def _local_sparql(evaluation: Evaluation, convert: _Converter) -> Iterator[tuple]:
    """(focus, finding) of the SPARQL constraints that read only their focus node's triples,
    run over those triples here (a focus described in another part is a foreign read: the merge
    step then validates the data in one part)."""
    local = {c: nodes for c, nodes in evaluation.sparql.items() if c.local}
    if not local:
        return
    data = evaluation.data
    store = ox.Store()
    store.extend(
        ox.Quad(node, predicate, obj)
        for component, nodes in local.items()
        for node in dict.fromkeys(nodes)
        for predicate in component.predicates
        for obj in data.objects(node, predicate)
    )
    for component, nodes in local.items():
        for finding in _sparql_findings(component, store, nodes, convert):
            yield finding.focus_term, finding.finding


def _projected(data: DataGraph, plan: Plan) -> bytes:
    """The triples the SPARQL constraints run at the merge step can match, as N-Triples (a
    term's ``str`` is its N-Triples form; built as text, as building a ``Triple`` per statement
    costs twice as much)."""
    wanted: set | None = set()
    for component in plan.sparql:
        if component.local:
            continue
        if component.predicates is None:
            wanted = None
            break
        wanted |= component.predicates
    out = data.out
    lines = []
    if wanted is None:
        for subject, properties in out.items():
            for predicate, objects in properties.items():
                lines.extend(f"{subject} {predicate} {obj} .\n" for obj in objects)
    else:
        for predicate in wanted:
            for subject in data.subjects_of(predicate):
                lines.extend(f"{subject} {predicate} {obj} .\n" for obj in out[subject][predicate])
    return "".join(lines).encode()


def _describe_partition(result, data, subjects, evaluation, plan) -> None:
    named = ox.NamedNode
    result.subjects.extend(fingerprint(s.value) for s in subjects if type(s) is named)
    for cls in plan.classes:
        for subject in data.typed(cls):
            if type(subject) is named and subject in subjects:
                result.types.setdefault(subject.value, set()).add(cls.value)
    if data.has_subclasses():
        result.unsafe = "the data declares subclasses (rdfs:subClassOf)"
    result.foreign = [node.value for node in evaluation.foreign]


def _record(node, owners: dict):
    seen = set()
    while type(node) is ox.BlankNode and node in owners and node not in seen:
        seen.add(node)
        node = owners[node]
    return node


def _context(result: PartResult, reading: _Reading, convert) -> None:
    """Labels and owners of the nodes the findings are about (and those of class checks left to
    the merge step), and where their records start."""
    data, owners = reading.data, reading.owners
    wanted: dict = {}
    for finding in result.findings + result.shared:
        wanted[finding.focus] = None
    for _, _, focus, _ in result.deferred:  # class checks the merge step may turn into findings
        wanted[focus] = None
    reverse = {rdf: term for term, rdf in convert.cache.items()}
    nodes = [reverse[focus] for focus in wanted if focus in reverse]
    for focus_nodes in result.sparql_focus.values():
        nodes.extend(focus_nodes)
    records = set()
    for node in dict.fromkeys(nodes):
        seen = set()
        while node is not None and node not in seen:
            seen.add(node)
            for predicate in _LABELS:
                for label in data.objects(node, predicate):
                    result.context.append((node, predicate, label))
            owner = owners.get(node) if type(node) is ox.BlankNode else None
            if owner is None:
                records.add(node)
                break
            result.context.append((owner, _OWNS, node))
            node = owner
    iris = {r.value for r in records if type(r) is ox.NamedNode}
    if not iris:
        return
    for part, text, prefixes in reading.texts:
        first_line = part.header.count(b"\n") + 1
        located = parsegate.locate(text, iris, prefixes, part.source.name, first_line)
        for iri, origin in located.items():
            if iri not in result.origins or "line" not in result.origins[iri]:
                result.origins[iri] = origin


@dataclass
class Merged:
    findings: list[Finding]
    records: int
    context: Graph
    origins: dict[str, dict]
    unsafe: str | None = None


class Merger:
    """Puts the parts together as they arrive: their SPARQL triples go into one store while
    the other parts are still validated; :meth:`finish` checks the cuts, decides the deferred
    class checks and runs the SPARQL constraints.

    >>> merger = Merger(plan)  # doctest: +SKIP
    >>> for result in results:  # doctest: +SKIP
    ...     merger.add(result)
    >>> merged = merger.finish()  # doctest: +SKIP
    """

    def __init__(self, plan: Plan, known: dict | None = None) -> None:
        self.plan = plan
        self.known = known
        self.results: list[PartResult] = []
        self.store: ox.Store | None = None
        self.unsafe: str | None = None
        self.described: dict[Term, list[tuple]] = {}
        """The label triples of each node in the parts' context."""
        self.owners: dict[Term, Term] = {}

    def add(self, result: PartResult) -> None:
        self.results.append(result)
        self.unsafe = self.unsafe or result.unsafe
        for triple in result.context:
            if triple[1] == _OWNS:
                self.owners[triple[2]] = triple[0]
            else:
                self.described.setdefault(triple[0], []).append(triple)
        if result.sparql_triples and not self.unsafe:
            if self.store is None:
                self.store = ox.Store()
            # parse() keeps blank node labels (Store.load would rename them).
            self.store.extend(ox.parse(result.sparql_triples, format=ox.RdfFormat.N_TRIPLES))

    def finish(self) -> Merged:
        results = self.results
        unsafe = self.unsafe
        if unsafe is None and len(results) > 1:
            unsafe = _check_cuts(results)
        if unsafe:
            return Merged([], 0, Graph(), {}, unsafe)
        findings: list[Finding] = []
        shared: dict[tuple, list[Finding]] = {}
        for result in results:
            findings.extend(result.findings)
            mine: dict[tuple, list[Finding]] = {}
            for finding in result.shared:
                mine.setdefault(finding.key(), []).append(finding)
            for key, same in mine.items():
                if len(same) > len(shared.get(key, ())):
                    shared[key] = same
        for same in shared.values():
            findings.extend(same)
        findings.extend(_deferred(results, self.plan.by_node))
        findings.extend(_sparql(results, self.plan, self.store, _Converter(self.known)))
        origins: dict = {}
        for result in _numbered(results):
            for iri, origin in result.origins.items():
                origins.setdefault(iri, origin)
        context = self._context_of({finding.focus for finding in findings})
        shared_records = set().union(*(r.shared_records for r in results))
        records = sum(r.records for r in results) + len(shared_records)
        return Merged(findings, records, context, origins)

    def _context_of(self, focus_nodes: set) -> Graph:
        """The context triples about ``focus_nodes`` and the records owning them, in rdflib
        terms."""
        graph = Graph()
        convert = _Converter()
        for focus in focus_nodes:
            node, seen = _term(focus), set()
            while node is not None and node not in seen:
                seen.add(node)
                for triple in self.described.get(node, ()):
                    graph.add(tuple(convert(term) for term in triple))
                owner = self.owners.get(node)
                if owner is not None:
                    graph.add((convert(owner), OWNS, convert(node)))
                node = owner
        return graph


def _numbered(results: list[PartResult]) -> list[PartResult]:
    """``results`` with the lines of their origins counted from the start of their document:
    each part counted its own lines (the main process never reads the whole file)."""
    by_document: dict[str, list[PartResult]] = {}
    for result in results:
        if result.place[0]:
            by_document.setdefault(result.place[0], []).append(result)
    for parts in by_document.values():
        before = 0
        for result in sorted(parts, key=lambda part: part.place[1]):
            if before:
                result.origins = {
                    iri: {**origin, "line": origin["line"] + before} if "line" in origin else origin
                    for iri, origin in result.origins.items()
                }
            before += result.lines
    return results


def merge(results: list[PartResult], plan: Plan, known: dict | None = None) -> Merged:
    """Put the parts together (a :class:`Merger` given them all at once)."""
    merger = Merger(plan, known)
    for result in results:
        merger.add(result)
    return merger.finish()


def _term(node):
    """The pyoxigraph term of a finding's focus node (None if pyoxigraph has none)."""
    try:
        return from_rdflib(node)
    except ValueError:
        return None


def _check_cuts(results: list[PartResult]) -> str | None:
    described = set().union(*(r.subjects for r in results))
    if len(described) < sum(len(r.subjects) for r in results):
        return "a record's triples are not contiguous in the file"
    labels = set().union(*(r.bnodes for r in results))
    if len(labels) < sum(len(r.bnodes) for r in results):
        return "a labelled blank node is used in two parts of the file"
    for result in results:
        for iri in result.foreign:
            if fingerprint(iri) in described:
                return f"{iri} is read in one part and described in another"
    return None


def _deferred(results: list[PartResult], shapes_by_node: dict) -> Iterator[Finding]:
    types: dict[str, set[str]] = {}
    for result in results:
        for iri, classes in result.types.items():
            types.setdefault(iri, set()).update(classes)
    for result in results:
        for shape_node, cls, focus, node in result.deferred:
            if cls in types.get(node, ()):
                continue
            shape = shapes_by_node[shape_node]
            yield Finding(
                severity=shape.severity,
                focus=focus,
                path=shape.path,
                value=URIRef(node),
                component=SH.ClassConstraintComponent,
                shape=shape.node,
                messages=shape.messages,
            )


def _sparql(
    results: list[PartResult], plan: Plan, store: ox.Store | None, convert: _Converter
) -> Iterator[Finding]:
    """The findings of the SPARQL constraints run at the merge step, over ``store`` (the
    parts' projected triples)."""
    focus: dict[tuple, list] = {}
    for result in results:
        for key, nodes in result.sparql_focus.items():
            focus.setdefault(key, []).extend(nodes)
    if not focus:
        return
    store = store or ox.Store()
    if any(component.reads_shapes for component in plan.sparql):
        store.extend(
            ox.Quad(*(from_rdflib(term) for term in triple), SHAPES_GRAPH) for triple in plan.shapes
        )
    for component in plan.sparql:
        nodes = focus.get(component.key)
        if nodes:
            yield from (
                found.finding for found in _sparql_findings(component, store, nodes, convert)
            )


class _SparqlFinding(NamedTuple):
    focus_term: Term
    finding: Finding


def _sparql_findings(
    component: SparqlComponent, store: ox.Store, nodes: list, convert: _Converter
) -> Iterator[_SparqlFinding]:
    shape = component.shape
    for node, path, value in component.rows(store, nodes):
        yield _SparqlFinding(
            node,
            Finding(
                severity=shape.severity,
                focus=convert(node),
                path=convert(path) if path is not None else shape.path,
                value=convert(value if value is not None or shape.path else node),
                component=component.iri,
                shape=shape.node,
                messages=component.messages or shape.messages,
            ),
        )


__all__ = [
    "OWNS",
    "Merged",
    "Merger",
    "Part",
    "PartResult",
    "Source",
    "merge",
    "split",
    "validate_unit",
]
