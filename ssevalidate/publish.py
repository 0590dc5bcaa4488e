"""The vocabulary as linked data: which document describes an IRI, in which format, for whom.

Every IRI under ``https://w3id.org/sse/`` that the project mints can be looked up here:

>>> from ssevalidate.publish import resolve, document
>>> term = resolve("https://w3id.org/sse/vocab/Initiative")
>>> term.kind, term.redirect, term.stem
('term', True, 'vocab/Initiative')
>>> document(term, "ttl").media_type
'text/turtle; charset=utf-8'
>>> resolve("https://w3id.org/sse/vocab/NoSuchTerm") is None
True

``redirect`` follows the W3C Best Practice Recipes for publishing RDF vocabularies: a term or a
concept names a thing, not a document, so its IRI answers 303 See Other to a document; the
vocabulary, a version, the alignment, a scheme and a shapes graph *are* documents and answer 200.
A document's address is the resource's path with its trailing slash removed and an extension
added (``vocab/`` → ``vocab.ttl``, ``vocab/Initiative`` → ``vocab/Initiative.ttl``).

The service maps canonical IRIs to its own base URL (:class:`IriMap`), so a deployment serves
the term pages before the w3id.org redirect exists; the RDF it serves keeps the canonical IRIs,
which are what data uses.

For people, ``*_view`` functions return what a page shows in one language (labels and
definitions in every language, domain and range, alignments, where a term is used in the
shapes), and :func:`describe_profile` explains a validation profile check by check.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ssevalidate import mediatypes
from ssevalidate.namespaces import (
    CONTEXT_IRI,
    LANGUAGES,
    PREFIXES,
    SHAPES,
    SSE_BASE,
    TAXONOMY,
    VOCAB,
    compact,
    concept_iri,
    scheme_iri,
    shapes_iri,
)
from ssevalidate.profiles import PROFILES, get_profile
from ssevalidate.rdfconvert import from_rdflib, graph_from_quads
from ssevalidate.resources import (
    crosswalks,
    ontology_dir,
    shapes_dir,
    shapes_file,
    taxonomy,
    taxonomy_files,
    vocabulary,
)
from ssevalidate.shaclpaths import path_text, read_path

# Prefixes used only by the published files, added to the project-wide ones for serialisation.
EXTRA_PREFIXES: dict[str, str] = {
    "vann": "http://purl.org/vocab/vann/",
    "voaf": "http://purl.org/vocommons/voaf#",
    "vs": "http://www.w3.org/2003/06/sw-vocab-status/ns#",
    "bibo": "http://purl.org/ontology/bibo/",
    "ossr": "http://data.ordnancesurvey.co.uk/ontology/spatialrelations/",
    "shapes-core": shapes_iri("core"),
    "shapes-full": shapes_iri("full"),
    "shapes-essglobal": shapes_iri("essglobal"),
    "shapes-taxonomy": shapes_iri("taxonomy"),
    "shapes-dataset": shapes_iri("dataset"),
}
ALIGNMENT_IRI = VOCAB + "alignments/essglobal"
CROSSWALKS = "crosswalks"
"""The scheme-like name of the crosswalk file: served at ``taxonomy/crosswalks``."""


# ------------------------------------------------------------------------------------------------
# Formats and content negotiation
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One representation: its file extension, media type and a name for people."""

    ext: str
    media_type: str
    label: str

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value (text types say their charset)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


FORMATS: dict[str, Format] = {
    f.ext: f
    for f in (
        Format("html", "text/html", "HTML"),
        Format("ttl", "text/turtle", "Turtle"),
        Format("jsonld", "application/ld+json", "JSON-LD"),
        Format("rdf", "application/rdf+xml", "RDF/XML"),
        Format("nt", "application/n-triples", "N-Triples"),
    )
}
"""Every representation, in the server's order of preference (HTML first, for browsers)."""
RDF_EXTS: tuple[str, ...] = ("ttl", "jsonld", "rdf", "nt")

_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "rdf": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
}


def negotiate(accept: str | None, offered: Sequence[str] = tuple(FORMATS)) -> str | None:
    """The extension of the best format in ``offered`` for an ``Accept`` header, or ``None``
    when none is acceptable (a 406). Quality values and ``type/*``, ``*/*`` ranges count, the
    most specific range wins (RFC 9110, 12.5.1), and ties go to the order of ``offered``.

    >>> negotiate("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    'html'
    >>> negotiate("application/rdf+xml;q=0.5, text/turtle")
    'ttl'
    >>> negotiate("*/*"), negotiate(None), negotiate("image/png")
    ('html', 'html', None)
    """
    return mediatypes.negotiate(accept, list(offered), lambda ext: FORMATS[ext].media_type)


def split_extension(name: str) -> tuple[str, str | None]:
    """``"Initiative.ttl"`` → ``("Initiative", "ttl")``; ``"1.0.0"`` → ``("1.0.0", None)``."""
    stem, dot, ext = name.rpartition(".")
    if dot and stem and ext in FORMATS:
        return stem, ext
    return name, None


# ------------------------------------------------------------------------------------------------
# Canonical IRIs and the service's base URL
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IriMap:
    """Maps ``https://w3id.org/sse/<path>`` to ``<base_url>/<path>`` and back.

    >>> m = IriMap("http://127.0.0.1:8000/")
    >>> m.local("https://w3id.org/sse/vocab/Initiative")
    'http://127.0.0.1:8000/vocab/Initiative'
    >>> m.local("http://schema.org/name")
    'http://schema.org/name'
    >>> m.canonical("/taxonomy/legal-form/L2")
    'https://w3id.org/sse/taxonomy/legal-form/L2'
    """

    base_url: str

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/") + "/"

    def local(self, iri: str) -> str:
        """Where the service serves ``iri``; IRIs outside our namespace are returned as they are."""
        if iri.startswith(SSE_BASE):
            return self.base + iri[len(SSE_BASE) :]
        return iri

    def path(self, iri: str) -> str:
        """The service path of one of our IRIs (``/vocab/Initiative``)."""
        return "/" + iri[len(SSE_BASE) :] if iri.startswith(SSE_BASE) else iri

    def canonical(self, path_or_url: str) -> str:
        """The canonical IRI of a service path or URL (``/vocab/X`` → ``https://w3id.org/sse/vocab/X``)."""
        if path_or_url.startswith(self.base):
            path_or_url = path_or_url[len(self.base) :]
        return SSE_BASE + path_or_url.lstrip("/")


# ------------------------------------------------------------------------------------------------
# Resources: what an IRI names, and the document that describes it
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """Something named by one of our IRIs.

    ``kind`` is one of ``vocabulary``, ``version``, ``alignment``, ``term``, ``taxonomies``,
    ``scheme``, ``crosswalks``, ``concept``, ``shapes``, ``shape``, ``context``.

    ``stem`` is the document path without extension (``vocab``, ``vocab/Initiative``,
    ``shapes/core``); ``redirect`` is true for things that are not documents (terms, concepts,
    single shapes), whose IRI answers 303. ``key`` is the term name, the scheme, ``(scheme,
    code)``, the profile or ``(profile, shape name)``.
    """

    iri: str
    kind: str
    stem: str
    key: str | tuple[str, str] = ""

    @property
    def redirect(self) -> bool:
        return self.kind in ("term", "concept", "shape")

    @property
    def formats(self) -> tuple[str, ...]:
        """Extensions this resource's document is available in."""
        if self.kind == "context":
            return ("jsonld",)
        return tuple(FORMATS)


def resolve(iri: str) -> Resource | None:
    """The resource an IRI under ``https://w3id.org/sse/`` names, or ``None`` if we mint no such IRI."""
    if not iri.startswith(SSE_BASE):
        return None
    rest = iri[len(SSE_BASE) :]
    if iri == CONTEXT_IRI:
        return Resource(iri, "context", "context")
    if iri == VOCAB:
        return Resource(iri, "vocabulary", "vocab")
    if iri == ALIGNMENT_IRI:
        return Resource(iri, "alignment", rest)
    if iri.startswith(VOCAB):
        name = iri[len(VOCAB) :]
        if iri == version_iri():
            return Resource(iri, "version", rest, name)
        if name in terms():
            return Resource(iri, "term", rest, name)
        return None
    if iri == TAXONOMY:
        return Resource(iri, "taxonomies", "taxonomy")
    if iri.startswith(TAXONOMY):
        scheme, slash, code = iri[len(TAXONOMY) :].partition("/")
        if not slash:
            if scheme == CROSSWALKS:
                return Resource(iri, "crosswalks", rest, scheme)
            return Resource(iri, "scheme", rest, scheme) if scheme in schemes() else None
        if scheme in schemes() and "/" not in code and iri in _concepts(scheme):
            return Resource(iri, "concept", rest, (scheme, code))
        return None
    if iri.startswith(SHAPES):
        profile, slash, name = iri[len(SHAPES) :].partition("/")
        if profile not in PROFILES or not slash:
            return None
        if not name:
            return Resource(iri, "shapes", f"shapes/{profile}", profile)
        if "/" not in name and _is_shape(profile, URIRef(iri)):
            return Resource(iri, "shape", f"shapes/{profile}", (profile, name))
    return None


def version_iri() -> str:
    """The ``owl:versionIRI`` of the vocabulary (``https://w3id.org/sse/vocab/1.0.0``)."""
    return str(vocabulary().value(URIRef(VOCAB), OWL.versionIRI))


@functools.cache
def terms() -> frozenset[str]:
    """Local names of every class and property the vocabulary defines."""
    return frozenset(
        str(s)[len(VOCAB) :]
        for s in vocabulary().subjects(RDFS.isDefinedBy, URIRef(VOCAB))
        if isinstance(s, URIRef) and str(s).startswith(VOCAB) and str(s) != VOCAB
    )


@functools.cache
def schemes() -> tuple[str, ...]:
    """The concept schemes, by file name."""
    return tuple(p.stem for p in taxonomy_files())


@functools.cache
def _concepts(scheme: str) -> frozenset[str]:
    return frozenset(str(c) for c in taxonomy(scheme).subjects(RDF.type, SKOS.Concept))


def _is_shape(profile: str, node: URIRef) -> bool:
    graph = shapes_file(profile)
    return (node, RDF.type, SH.NodeShape) in graph or (node, RDF.type, SH.PropertyShape) in graph


@functools.cache
def alignment() -> Graph:
    """The ESSGlobal → SSE alignment (``ontology/alignments/essglobal.ttl``)."""
    return _parse_file(_alignment_path())


def _alignment_path() -> Path:
    return ontology_dir() / "alignments" / "essglobal.ttl"


def _parse_file(path: Path) -> Graph:
    # Our own files, parsed by pyoxigraph like everything else (DESIGN.md security rule 1).
    with path.open("rb") as stream:
        return graph_from_quads(ox.parse(stream, format=ox.RdfFormat.TURTLE))


# ------------------------------------------------------------------------------------------------
# Descriptions (RDF) and their serialisations
# ------------------------------------------------------------------------------------------------


def _source_file(resource: Resource) -> Path | None:
    """The published file that *is* this resource's document, if it is a whole file."""
    if resource.kind in ("vocabulary", "version"):
        return ontology_dir() / "sse.ttl"
    if resource.kind == "alignment":
        return _alignment_path()
    if resource.kind == "scheme":
        return ontology_dir() / "taxonomies" / f"{resource.key}.ttl"
    if resource.kind == "crosswalks":
        return ontology_dir() / "taxonomies" / "crosswalks.ttl"
    if resource.kind in ("shapes", "shape"):
        profile = resource.key if resource.kind == "shapes" else resource.key[0]
        return shapes_dir() / f"{profile}.ttl"
    if resource.kind == "context":
        return ontology_dir() / "context.jsonld"
    return None


def description(resource: Resource) -> Graph:
    """The RDF served for ``resource``.

    A term: its triples in the vocabulary, the alignment triples that mention it and the shape
    triples that use it (``sh:path``, ``sh:targetClass``, ``sh:class``, ``sh:targetSubjectsOf``,
    ``sh:targetObjectsOf``). A concept: every triple of its scheme file about it or pointing at
    it, and its crosswalk mappings. A scheme, the vocabulary, the alignment, a shapes graph: the
    whole file. The list of schemes: each scheme's own description, without its concepts.
    """
    if resource.kind == "term":
        return _term_graph(resource.key)
    if resource.kind == "concept":
        return _concept_graph(*resource.key)
    if resource.kind == "taxonomies":
        return _taxonomies_graph()
    if resource.kind in ("vocabulary", "version"):
        return vocabulary()
    if resource.kind == "alignment":
        return alignment()
    if resource.kind == "scheme":
        return taxonomy(resource.key)
    if resource.kind == "crosswalks":
        return crosswalks()
    if resource.kind in ("shapes", "shape"):
        return shapes_file(resource.key if resource.kind == "shapes" else resource.key[0])
    raise ValueError(f"{resource.kind} has no RDF description")


def _closure(graph: Graph, subject: Node, into: Graph) -> None:
    """Add ``subject``'s triples, following blank nodes (a concise bounded description)."""
    for _, predicate, obj in graph.triples((subject, None, None)):
        if (subject, predicate, obj) in into:
            continue
        into.add((subject, predicate, obj))
        if isinstance(obj, BNode):
            _closure(graph, obj, into)


@functools.cache
def _term_graph(name: str) -> Graph:
    iri = URIRef(VOCAB + name)
    graph = Graph()
    _closure(vocabulary(), iri, graph)
    aligned = alignment()
    for triple in (*aligned.triples((iri, None, None)), *aligned.triples((None, None, iri))):
        graph.add(triple)
    for use in _shape_uses().get(str(iri), ()):
        shapes = shapes_file(use.profile)
        graph.add((URIRef(use.shape), RDF.type, _shape_type(shapes, URIRef(use.shape))))
        predicate = SH[use.role]
        if (URIRef(use.shape), predicate, iri) in shapes:
            graph.add((URIRef(use.shape), predicate, iri))
        else:  # the term sits inside a complex path or a logical constraint: keep its structure
            for obj in shapes.objects(URIRef(use.shape), predicate):
                graph.add((URIRef(use.shape), predicate, obj))
                if isinstance(obj, BNode):
                    _closure(shapes, obj, graph)
    return graph


def _shape_type(graph: Graph, shape: URIRef) -> URIRef:
    return SH.NodeShape if (shape, RDF.type, SH.NodeShape) in graph else SH.PropertyShape


@functools.cache
def _concept_graph(scheme: str, code: str) -> Graph:
    iri = URIRef(concept_iri(scheme, code))
    graph = Graph()
    source = taxonomy(scheme)
    _closure(source, iri, graph)
    for triple in source.triples((None, None, iri)):
        graph.add(triple)
    walks = crosswalks()
    for triple in (*walks.triples((iri, None, None)), *walks.triples((None, None, iri))):
        graph.add(triple)
    return graph


@functools.cache
def _taxonomies_graph() -> Graph:
    graph = Graph()
    for scheme in schemes():
        source = taxonomy(scheme)
        iri = URIRef(scheme_iri(scheme))
        for _, predicate, obj in source.triples((iri, None, None)):
            if predicate != SKOS.hasTopConcept:
                graph.add((iri, predicate, obj))
    _closure(crosswalks(), URIRef(scheme_iri(CROSSWALKS)), graph)
    return graph


def _used_prefixes(graph: Graph) -> dict[str, str]:
    namespaces = {**PREFIXES, **EXTRA_PREFIXES}
    used = {str(term) for triple in graph for term in triple if isinstance(term, URIRef)}
    return {
        prefix: base
        for prefix, base in namespaces.items()
        if any(iri.startswith(base) and len(iri) > len(base) for iri in used)
    }


def _sorted_triples(graph: Graph, first: str | None) -> list[tuple[Node, Node, Node]]:
    """Triples in a stable order: the described resource first, then by subject and predicate."""

    def key(triple: tuple[Node, Node, Node]) -> tuple:
        s, p, o = triple
        lang = _lang_order(o.language) if isinstance(o, Literal) else (0, "")
        return (str(s) != first, isinstance(s, BNode), str(s), p != RDF.type, str(p), lang, str(o))

    return sorted(graph, key=key)


def serialize(graph: Graph, ext: str, *, about: str | None = None) -> bytes:
    """``graph`` in one of :data:`RDF_EXTS`. Turtle, RDF/XML and N-Triples come from pyoxigraph;
    JSON-LD from rdflib (our trusted data only), compacted with our prefixes so it stays readable.
    """
    prefixes = _used_prefixes(graph)
    if ext == "jsonld":
        return graph.serialize(
            format="json-ld", context=prefixes, indent=2, auto_compact=True
        ).encode()
    triples = [
        ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o))
        for s, p, o in _sorted_triples(graph, about)
    ]
    return ox.serialize(
        triples, format=_OX_FORMATS[ext], prefixes=prefixes if ext != "nt" else None
    )


@dataclass(frozen=True)
class Document:
    """A representation ready to send."""

    body: bytes
    format: Format

    @property
    def media_type(self) -> str:
        return self.format.content_type


def document(resource: Resource, ext: str) -> Document:
    """The document describing ``resource`` in RDF format ``ext`` (not ``html``).

    Whole published files in Turtle are sent byte for byte, with their comments; everything else
    is serialised from :func:`description` (cached: the data never changes while running).
    """
    if ext not in resource.formats or ext == "html":
        raise ValueError(f"{resource.iri} is not available as {ext}")
    return Document(_document_bytes(resource, ext), FORMATS[ext])


@functools.cache
def _document_bytes(resource: Resource, ext: str) -> bytes:
    source = _source_file(resource)
    if source is not None and (
        (ext == "ttl" and resource.kind != "context") or resource.kind == "context"
    ):
        return source.read_bytes()
    about = resource.iri if resource.kind in ("term", "concept") else None
    return serialize(description(resource), ext, about=about)


def context_document() -> Document:
    """``context.jsonld``, as published."""
    return document(Resource(CONTEXT_IRI, "context", "context"), "jsonld")


# ------------------------------------------------------------------------------------------------
# Where terms are used in the shapes
# ------------------------------------------------------------------------------------------------

USE_ROLES = ("path", "targetClass", "class", "targetSubjectsOf", "targetObjectsOf")
"""Shape predicates that make a shape *use* a term (``sh:`` local names)."""


@dataclass(frozen=True)
class ShapeUse:
    """One shape of one profile file that uses a term."""

    profile: str
    shape: str
    role: str
    severity: str
    included_in: tuple[str, ...]
    """Every profile whose checks include this shape (``full`` imports ``core``)."""


def _named_owner(graph: Graph, node: Node) -> URIRef | None:
    """The nearest shape with an IRI above a blank node (sh:or lists, complex paths)."""
    seen: set[Node] = set()
    frontier = [node]
    while frontier:
        current = frontier.pop()
        if isinstance(current, URIRef):
            return current
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(graph.subjects(None, current))
    return None


def _iris_in_path(path: object) -> set[str]:
    if isinstance(path, URIRef):
        return {str(path)}
    found: set[str] = set()
    for part in (
        *getattr(path, "args", ()),
        getattr(path, "arg", None),
        getattr(path, "path", None),
    ):
        if part is not None:
            found |= _iris_in_path(part)
    return found


@functools.cache
def _shape_uses() -> dict[str, tuple[ShapeUse, ...]]:
    uses: dict[str, list[ShapeUse]] = defaultdict(list)
    for profile in PROFILES:
        graph = shapes_file(profile)
        included = tuple(p for p in PROFILES if profile in get_profile(p).files)
        for role in USE_ROLES:
            for subject, obj in graph.subject_objects(SH[role]):
                owner = _named_owner(graph, subject)
                if owner is None:
                    continue
                iris = _iris_in_path(read_path(graph, obj)) if role == "path" else {str(obj)}
                severity = graph.value(owner, SH.severity) or graph.value(subject, SH.severity)
                for iri in iris:
                    use = ShapeUse(
                        profile,
                        str(owner),
                        role,
                        str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                        included,
                    )
                    if use not in uses[iri]:
                        uses[iri].append(use)
    return {iri: tuple(found) for iri, found in uses.items()}


# ------------------------------------------------------------------------------------------------
# Views for people: labels in one language, every language listed
# ------------------------------------------------------------------------------------------------

Texts = tuple[tuple[str, str], ...]
"""``((lang, text), ...)``: English, French, Spanish, Portuguese first, then any other tag."""


@dataclass(frozen=True)
class Ref:
    """A resource to show as a link: its IRI, a label in the page language, a compact IRI."""

    iri: str
    label: str
    curie: str

    @property
    def ours(self) -> bool:
        """Served by this service (under ``https://w3id.org/sse/``)."""
        return self.iri.startswith(SSE_BASE)


@dataclass(frozen=True)
class Value:
    """An object of a statement: a resource (``ref``) or a literal (``text``, ``lang``)."""

    text: str
    lang: str | None = None
    ref: Ref | None = None


@dataclass(frozen=True)
class Statement:
    predicate: Ref
    values: tuple[Value, ...]


def _lang_order(lang: str | None) -> tuple[int, str]:
    if lang in LANGUAGES:
        return (LANGUAGES.index(lang), "")
    return (len(LANGUAGES), lang or "")


def texts(graph: Graph, subject: Node, predicate: URIRef) -> Texts:
    """Every literal of ``predicate``, in language order."""
    found = [
        (value.language or "", str(value))
        for value in graph.objects(subject, predicate)
        if isinstance(value, Literal) and str(value).strip()
    ]
    return tuple(sorted(found, key=lambda pair: (_lang_order(pair[0] or None), pair[1])))


def pick(values: Texts, lang: str) -> str:
    """The text in ``lang``, else English, else untagged, else the first."""
    for wanted in (lang, "en", ""):
        for tag, text in values:
            if tag == wanted:
                return text
    return values[0][1] if values else ""


@functools.cache
def _label_index() -> dict[str, Texts]:
    index: dict[str, Texts] = {}
    sources: list[tuple[Graph, URIRef]] = [(vocabulary(), RDFS.label)]
    sources += [(taxonomy(scheme), SKOS.prefLabel) for scheme in schemes()]
    sources += [(crosswalks(), DCTERMS.title), (alignment(), DCTERMS.title)]
    for graph, predicate in sources:
        for subject in set(graph.subjects(predicate, None)):
            if isinstance(subject, URIRef):
                index.setdefault(str(subject), texts(graph, subject, predicate))
    for profile in PROFILES:
        graph = shapes_file(profile)
        for subject in set(graph.subjects(RDF.type, None)):
            if isinstance(subject, URIRef):
                found = texts(graph, subject, RDFS.label) or texts(graph, subject, SH.name)
                found = found or texts(graph, subject, DCTERMS.title)
                if found:
                    index.setdefault(str(subject), found)
    return index


def ref(iri: str | Node, lang: str = "en") -> Ref:
    """A link to ``iri`` labelled in ``lang`` (a compact IRI when we know no label)."""
    iri = str(iri)
    curie = _curie(iri)
    label = pick(_label_index().get(iri, ()), lang)
    return Ref(iri, label or curie, curie)


def _curie(iri: str) -> str:
    """``sse:Initiative``, ``ossr:within``; our concepts and shapes as ``scheme/code``."""
    for base in (TAXONOMY, SHAPES):
        if iri.startswith(base):
            return iri[len(base) :]
    short = compact(iri)
    if short.endswith(":"):  # a namespace itself reads better in full
        return iri
    if short == iri:
        for prefix, base in EXTRA_PREFIXES.items():
            rest = iri[len(base) :]
            if iri.startswith(base) and rest and "/" not in rest and "#" not in rest:
                return f"{prefix}:{rest}"
    return short


def _value(node: Node, lang: str, graph: Graph | None = None) -> Value:
    if isinstance(node, Literal):
        return Value(str(node), node.language)
    if isinstance(node, URIRef):
        return Value(str(node), None, ref(node, lang))
    # A blank node (the vocabulary's publisher): show what it says about itself.
    said = (
        sorted(str(o) for o in graph.objects(node, None) if isinstance(o, Literal)) if graph else []
    )
    return Value(", ".join(said) or "[…]")


def _refs(nodes: Iterable[Node], lang: str) -> tuple[Ref, ...]:
    found = {str(n) for n in nodes if isinstance(n, URIRef)}
    return tuple(sorted((ref(n, lang) for n in found), key=lambda r: (r.label.lower(), r.iri)))


def _statements(graph: Graph, subject: Node, skip: set[URIRef], lang: str) -> tuple[Statement, ...]:
    grouped: dict[URIRef, list[Node]] = defaultdict(list)
    for predicate, obj in graph.predicate_objects(subject):
        if predicate not in skip:
            grouped[predicate].append(obj)
    return tuple(
        Statement(
            ref(predicate, lang),
            tuple(
                _value(o, lang, graph)
                for o in sorted(
                    values,
                    key=lambda o: (_lang_order(getattr(o, "language", None)), str(o)),
                )
            ),
        )
        for predicate, values in sorted(grouped.items(), key=lambda item: compact(str(item[0])))
    )


@dataclass(frozen=True)
class Alignment:
    """One ESSGlobal term and how it relates to ours."""

    essglobal: Ref
    relation: Ref
    target: Ref


@dataclass(frozen=True)
class Use:
    """Where a term is used, for a page: the shape, its check name, role and profiles."""

    shape: Ref
    anchor: str
    profile: str
    role: str
    severity: str
    included_in: tuple[str, ...]


@dataclass(frozen=True)
class TermView:
    iri: str
    name: str
    kind: str
    """``class``, ``object-property``, ``datatype-property`` or ``property``."""
    label: str
    labels: Texts
    definitions: Texts
    comments: Texts
    status: str
    domain: tuple[Ref, ...]
    range: tuple[Ref, ...]
    parents: tuple[Ref, ...]
    """Superclasses or super-properties."""
    children: tuple[Ref, ...]
    """Our subclasses or sub-properties."""
    inverse: tuple[Ref, ...]
    see_also: tuple[Ref, ...]
    alignments: tuple[Alignment, ...]
    used_in: tuple[Use, ...]


def _kind(graph: Graph, iri: URIRef) -> str:
    types = set(graph.objects(iri, RDF.type))
    if OWL.Class in types or RDFS.Class in types:
        return "class"
    if OWL.ObjectProperty in types:
        return "object-property"
    if OWL.DatatypeProperty in types:
        return "datatype-property"
    return "property"


def shape_anchor(shape: str) -> str:
    """The HTML id of a shape on its profile page: ``core-Initiative-name``."""
    profile, _, name = shape[len(SHAPES) :].partition("/")
    return f"{profile}-{name}" if name else profile


def shape_page(shape: str) -> tuple[str, str]:
    """(profile, anchor) of the profile page section that explains ``shape``."""
    return shape[len(SHAPES) :].partition("/")[0], shape_anchor(shape)


@functools.cache
def term_view(name: str, lang: str = "en") -> TermView:
    """What the page of ``sse:<name>`` shows; :class:`KeyError` for an unknown term."""
    if name not in terms():
        raise KeyError(name)
    graph = vocabulary()
    iri = URIRef(VOCAB + name)
    kind = _kind(graph, iri)
    parent = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
    aligned = alignment()
    alignments = [
        Alignment(ref(s, lang), ref(p, lang), ref(iri, lang))
        for s, p in aligned.subject_predicates(iri)
        if isinstance(s, URIRef) and str(s) != ALIGNMENT_IRI
    ]
    alignments += [
        Alignment(ref(o, lang), ref(p, lang), ref(iri, lang))
        for p, o in aligned.predicate_objects(iri)
        if isinstance(o, URIRef)
    ]
    uses = tuple(
        Use(ref(u.shape, lang), shape_anchor(u.shape), u.profile, u.role, u.severity, u.included_in)
        for u in sorted(
            _shape_uses().get(str(iri), ()),
            key=lambda u: (list(PROFILES).index(u.profile), u.shape, u.role),
        )
    )
    labels = texts(graph, iri, RDFS.label)
    return TermView(
        iri=str(iri),
        name=name,
        kind=kind,
        label=pick(labels, lang) or name,
        labels=labels,
        definitions=texts(graph, iri, SKOS.definition),
        comments=texts(graph, iri, RDFS.comment),
        status=str(graph.value(iri, URIRef(EXTRA_PREFIXES["vs"] + "term_status")) or ""),
        domain=_refs(graph.objects(iri, RDFS.domain), lang),
        range=_refs(graph.objects(iri, RDFS.range), lang),
        parents=_refs(graph.objects(iri, parent), lang),
        children=_refs(graph.subjects(parent, iri), lang),
        inverse=_refs(
            [*graph.objects(iri, OWL.inverseOf), *graph.subjects(OWL.inverseOf, iri)], lang
        ),
        see_also=_refs(graph.objects(iri, RDFS.seeAlso), lang),
        alignments=tuple(sorted(alignments, key=lambda a: a.essglobal.iri)),
        used_in=uses,
    )


@dataclass(frozen=True)
class TermRow:
    ref: Ref
    definition: str
    status: str


@dataclass(frozen=True)
class VocabView:
    iri: str
    title: str
    description: str
    comment: str
    version: str
    version_iri: str
    namespace: str
    prefix: str
    citation: str
    metadata: tuple[Statement, ...]
    classes: tuple[TermRow, ...]
    object_properties: tuple[TermRow, ...]
    datatype_properties: tuple[TermRow, ...]
    alignments: tuple[Alignment, ...]
    alignment_title: str
    alignment_description: str


@functools.cache
def vocab_view(lang: str = "en") -> VocabView:
    """What the vocabulary page shows in ``lang``."""
    graph = vocabulary()
    iri = URIRef(VOCAB)
    rows: dict[str, list[TermRow]] = defaultdict(list)
    for name in sorted(terms(), key=str.lower):
        term = URIRef(VOCAB + name)
        rows[_kind(graph, term)].append(
            TermRow(
                ref(term, lang),
                pick(texts(graph, term, SKOS.definition), lang),
                str(graph.value(term, URIRef(EXTRA_PREFIXES["vs"] + "term_status")) or ""),
            )
        )
    shown = {DCTERMS.title, DCTERMS.description, RDFS.comment, DCTERMS.bibliographicCitation}
    aligned = alignment()
    alignments = tuple(
        sorted(
            (
                Alignment(ref(s, lang), ref(p, lang), ref(o, lang))
                for s, p, o in aligned
                if isinstance(o, URIRef) and str(s) != ALIGNMENT_IRI
            ),
            key=lambda a: a.essglobal.iri,
        )
    )
    header = URIRef(ALIGNMENT_IRI)
    return VocabView(
        iri=VOCAB,
        title=pick(texts(graph, iri, DCTERMS.title), lang),
        description=pick(texts(graph, iri, DCTERMS.description), lang),
        comment=pick(texts(graph, iri, RDFS.comment), lang),
        version=str(graph.value(iri, OWL.versionInfo) or ""),
        version_iri=version_iri(),
        namespace=VOCAB,
        prefix=str(graph.value(iri, URIRef(EXTRA_PREFIXES["vann"] + "preferredNamespacePrefix"))),
        citation=str(graph.value(iri, DCTERMS.bibliographicCitation) or ""),
        metadata=_statements(graph, iri, shown, lang),
        classes=tuple(rows["class"]),
        object_properties=tuple(rows["object-property"]),
        datatype_properties=tuple(rows["datatype-property"] + rows["property"]),
        alignments=alignments,
        alignment_title=pick(texts(aligned, header, DCTERMS.title), lang),
        alignment_description=pick(texts(aligned, header, DCTERMS.description), lang),
    )


@dataclass(frozen=True)
class Mapping:
    """A SKOS mapping from a concept to another one."""

    relation: Ref
    target: Ref
    scheme: Ref | None


@dataclass(frozen=True)
class ConceptView:
    iri: str
    code: str
    scheme: Ref
    label: str
    pref_labels: Texts
    alt_labels: Texts
    hidden_labels: Texts
    definitions: Texts
    notations: tuple[str, ...]
    top_concept: bool
    broader: tuple[Ref, ...]
    narrower: tuple[Ref, ...]
    matches: tuple[Mapping, ...]
    """Mappings stated in the scheme file (``skos:exactMatch`` to ESSGlobal, ...)."""
    crosswalk: tuple[Mapping, ...]
    """Mappings to concepts of our other schemes (``taxonomy/crosswalks``)."""
    notes: tuple[Statement, ...]
    other: tuple[Statement, ...]


_MAPPINGS = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
_NOTES = (
    SKOS.changeNote,
    SKOS.scopeNote,
    SKOS.editorialNote,
    SKOS.historyNote,
    SKOS.note,
    SKOS.example,
)


def _scheme_of(iri: str) -> str | None:
    if iri.startswith(TAXONOMY):
        scheme = iri[len(TAXONOMY) :].partition("/")[0]
        return scheme if scheme in schemes() else None
    return None


def _mappings(graph: Graph, iri: URIRef, lang: str) -> tuple[Mapping, ...]:
    found = []
    for predicate in _MAPPINGS:
        for target in sorted(graph.objects(iri, predicate), key=str):
            scheme = _scheme_of(str(target))
            found.append(
                Mapping(
                    ref(predicate, lang),
                    ref(target, lang),
                    ref(scheme_iri(scheme), lang) if scheme else None,
                )
            )
    return tuple(found)


@functools.cache
def concept_view(scheme: str, code: str, lang: str = "en") -> ConceptView:
    """What the page of a concept shows; :class:`KeyError` for an unknown one."""
    iri = URIRef(concept_iri(scheme, code))
    if scheme not in schemes() or str(iri) not in _concepts(scheme):
        raise KeyError(str(iri))
    graph = taxonomy(scheme)
    handled = {
        RDF.type,
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.prefLabel,
        SKOS.altLabel,
        SKOS.hiddenLabel,
        SKOS.definition,
        SKOS.notation,
        SKOS.broader,
        SKOS.narrower,
        *_MAPPINGS,
        *_NOTES,
    }
    pref = texts(graph, iri, SKOS.prefLabel)
    notes_graph = Graph()
    for predicate in _NOTES:
        for obj in graph.objects(iri, predicate):
            notes_graph.add((iri, predicate, obj))
    return ConceptView(
        iri=str(iri),
        code=code,
        scheme=ref(scheme_iri(scheme), lang),
        label=pick(pref, lang) or code,
        pref_labels=pref,
        alt_labels=texts(graph, iri, SKOS.altLabel),
        hidden_labels=texts(graph, iri, SKOS.hiddenLabel),
        definitions=texts(graph, iri, SKOS.definition),
        notations=tuple(sorted(str(n) for n in graph.objects(iri, SKOS.notation))),
        top_concept=(iri, SKOS.topConceptOf, None) in graph
        or (None, SKOS.hasTopConcept, iri) in graph,
        broader=_refs(
            [*graph.objects(iri, SKOS.broader), *graph.subjects(SKOS.narrower, iri)], lang
        ),
        narrower=_refs(
            [*graph.objects(iri, SKOS.narrower), *graph.subjects(SKOS.broader, iri)], lang
        ),
        matches=_mappings(graph, iri, lang),
        crosswalk=_mappings(crosswalks(), iri, lang),
        notes=_statements(notes_graph, iri, set(), lang),
        other=_statements(graph, iri, handled, lang),
    )


@dataclass(frozen=True)
class TreeNode:
    ref: Ref
    notation: str
    children: tuple[TreeNode, ...] = field(default=())


@dataclass(frozen=True)
class SchemeView:
    iri: str
    name: str
    label: str
    labels: Texts
    definitions: Texts
    metadata: tuple[Statement, ...]
    tree: tuple[TreeNode, ...]
    concept_count: int
    languages: tuple[str, ...]
    """Language tags of the concepts' preferred labels."""
    used_by: tuple[Ref, ...]
    """Our properties that point to this scheme (``rdfs:seeAlso``)."""
    replaces: tuple[Ref, ...]
    """ESSGlobal classes this scheme replaces (``dcterms:isReplacedBy`` in the alignment)."""


@functools.cache
def scheme_view(scheme: str, lang: str = "en") -> SchemeView:
    """What the page of a concept scheme shows; :class:`KeyError` for an unknown one."""
    if scheme not in schemes():
        raise KeyError(scheme)
    graph = taxonomy(scheme)
    iri = URIRef(scheme_iri(scheme))
    concepts = sorted(_concepts(scheme))
    narrower: dict[str, set[str]] = defaultdict(set)
    for child, parent in graph.subject_objects(SKOS.broader):
        narrower[str(parent)].add(str(child))
    for parent, child in graph.subject_objects(SKOS.narrower):
        narrower[str(parent)].add(str(child))
    tops = {str(c) for c in graph.objects(iri, SKOS.hasTopConcept)}
    tops |= {str(c) for c in graph.subjects(SKOS.topConceptOf, iri)}
    has_parent = {child for children in narrower.values() for child in children}
    roots = (tops | {c for c in concepts if c not in has_parent}) & set(concepts)

    def order(iri_: str) -> tuple:
        notation = str(graph.value(URIRef(iri_), SKOS.notation) or "")
        digits = "".join(ch for ch in notation if ch.isdigit())
        return (notation.rstrip("0123456789"), int(digits) if digits else 0, notation, iri_)

    def node(iri_: str, path: frozenset[str]) -> TreeNode:
        children = sorted((c for c in narrower.get(iri_, ()) if c not in path), key=order)
        return TreeNode(
            ref(iri_, lang),
            str(graph.value(URIRef(iri_), SKOS.notation) or ""),
            tuple(node(c, path | {c}) for c in children),
        )

    languages = {
        value.language
        for c in concepts
        for value in graph.objects(URIRef(c), SKOS.prefLabel)
        if isinstance(value, Literal) and value.language and str(value).strip()
    }
    labels = texts(graph, iri, SKOS.prefLabel) or texts(graph, iri, DCTERMS.title)
    return SchemeView(
        iri=str(iri),
        name=scheme,
        label=pick(labels, lang) or scheme,
        labels=labels,
        definitions=texts(graph, iri, SKOS.definition),
        metadata=_statements(
            graph,
            iri,
            {RDF.type, SKOS.prefLabel, DCTERMS.title, SKOS.definition, SKOS.hasTopConcept},
            lang,
        ),
        tree=tuple(node(c, frozenset({c})) for c in sorted(roots, key=order)),
        concept_count=len(concepts),
        languages=tuple(sorted(languages, key=_lang_order)),
        used_by=_refs(vocabulary().subjects(RDFS.seeAlso, iri), lang),
        replaces=_refs(alignment().subjects(DCTERMS.isReplacedBy, iri), lang),
    )


@dataclass(frozen=True)
class SchemeRow:
    ref: Ref
    name: str
    definition: str
    concept_count: int


@dataclass(frozen=True)
class CrosswalkRow:
    source: Ref
    target: Ref
    counts: tuple[tuple[Ref, int], ...]
    """(relation, number of mappings), for each SKOS mapping relation used."""


@dataclass(frozen=True)
class TaxonomiesView:
    schemes: tuple[SchemeRow, ...]
    crosswalks: tuple[CrosswalkRow, ...]
    crosswalks_title: str
    crosswalks_description: str


@functools.cache
def taxonomies_view(lang: str = "en") -> TaxonomiesView:
    """The list of schemes and a summary of the crosswalks between them."""
    rows = []
    for scheme in schemes():
        graph = taxonomy(scheme)
        iri = URIRef(scheme_iri(scheme))
        rows.append(
            SchemeRow(
                ref(iri, lang),
                scheme,
                pick(texts(graph, iri, SKOS.definition), lang),
                len(_concepts(scheme)),
            )
        )
    counts: dict[tuple[str, str], dict[URIRef, int]] = defaultdict(lambda: defaultdict(int))
    walks = crosswalks()
    for predicate in _MAPPINGS:
        for s, o in walks.subject_objects(predicate):
            pair = (_scheme_of(str(s)), _scheme_of(str(o)))
            if all(pair):
                counts[pair][predicate] += 1
    header = URIRef(scheme_iri(CROSSWALKS))
    return TaxonomiesView(
        schemes=tuple(rows),
        crosswalks=tuple(
            CrosswalkRow(
                ref(scheme_iri(a), lang),
                ref(scheme_iri(b), lang),
                tuple(
                    (ref(p, lang), n)
                    for p, n in sorted(by.items(), key=lambda i: _MAPPINGS.index(i[0]))
                ),
            )
            for (a, b), by in sorted(counts.items())
        ),
        crosswalks_title=pick(texts(walks, header, DCTERMS.title), lang),
        crosswalks_description=pick(texts(walks, header, DCTERMS.description), lang),
    )


# ------------------------------------------------------------------------------------------------
# Profiles, for people
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One named check: what a data steward reads on the profile page."""

    shape: str
    """The shape IRI (for a SPARQL constraint, the node shape that holds it)."""
    anchor: str
    kind: str
    """``node`` (the record itself), ``alternative`` (one way to satisfy an ``sh:or``),
    ``property`` or ``sparql``."""
    name: str
    description: str
    severity: str
    path: str
    """The property path in SPARQL syntax with prefixes, or ``""`` for a node check."""
    path_ref: Ref | None
    """The path when it is a single property, as a link."""
    profile: str
    """The profile file that defines the check."""


@dataclass(frozen=True)
class Target:
    kind: str
    """``targetClass``, ``targetSubjectsOf``, ``targetObjectsOf`` or ``targetNode``."""
    ref: Ref


@dataclass(frozen=True)
class Section:
    """A node shape and the checks it groups."""

    shape: str
    anchor: str
    profile: str
    label: str
    comment: str
    targets: tuple[Target, ...]
    reached_from: tuple[Check, ...]
    """Checks that send their values to this shape (``sh:node``), when it has no target."""
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class ProfileDescription:
    name: str
    iri: str
    title: str
    description: str
    files: tuple[str, ...]
    """This profile's file and every profile file it imports, imported ones first."""
    with_taxonomies: bool
    sections: tuple[Section, ...]

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(check for section in self.sections for check in section.checks)

    def count(self, severity: str) -> int:
        return sum(1 for check in self.checks if check.severity == severity)


@functools.cache
def _file_order(profile: str) -> dict[str, int]:
    """Where each subject first appears in the shapes file: pyoxigraph parses in document order,
    which is the order the authors chose to explain things in."""
    order: dict[str, int] = {}
    with (shapes_dir() / f"{profile}.ttl").open("rb") as stream:
        for index, triple in enumerate(ox.parse(stream, format=ox.RdfFormat.TURTLE)):
            if isinstance(triple.subject, ox.NamedNode):
                order.setdefault(triple.subject.value, index)
    return order


def _severity(graph: Graph, node: Node) -> str:
    value = graph.value(node, SH.severity)
    return str(value).rsplit("#", 1)[-1] if value else "Violation"


def _check(
    graph: Graph, node: Node, owner: URIRef, kind: str, profile: str, lang: str, anchor: str
) -> Check:
    path_node = graph.value(node, SH.path)
    path = read_path(graph, path_node) if path_node is not None else None
    return Check(
        shape=str(node) if isinstance(node, URIRef) else str(owner),
        anchor=anchor,
        kind=kind,
        name=pick(texts(graph, node, SH.name), lang),
        description=pick(texts(graph, node, SH.description), lang),
        severity=_severity(graph, node),
        path=path_text(path) if path is not None else "",
        path_ref=ref(path, lang) if isinstance(path, URIRef) else None,
        profile=profile,
    )


@functools.cache
def describe_profile(name: str, lang: str = "en") -> ProfileDescription:
    """Every check of profile ``name`` (its imports included) with its name, description,
    severity and path in ``lang``, grouped by the node shape that holds it, in file order.
    :class:`~ssevalidate.parsegate.InputError` for an unknown profile.

    >>> core = describe_profile("core", "fr")
    >>> core.checks[0].name, core.checks[0].severity
    ('IRI de la fiche', 'Violation')
    """
    profile = get_profile(name)
    sections: list[Section] = []
    covered: set[Node] = set()
    for part in profile.files:
        graph = shapes_file(part)
        order = _file_order(part)
        node_shapes = sorted(
            {
                s
                for s in graph.subjects(RDF.type, SH.NodeShape)
                if isinstance(s, URIRef) and str(s).startswith(shapes_iri(part))
            },
            key=lambda s: (order.get(str(s), len(order)), str(s)),
        )
        for shape in node_shapes:
            anchor = shape_anchor(str(shape))
            checks: list[Check] = []
            if (shape, SH.name, None) in graph:
                checks.append(_check(graph, shape, shape, "node", part, lang, anchor))
                covered.add(shape)
            for logical in (SH["or"], SH["and"], SH.xone):
                for members in graph.objects(shape, logical):
                    for member in Collection(graph, members):
                        if (member, SH.name, None) in graph and isinstance(member, URIRef):
                            alternative = _check(
                                graph,
                                member,
                                shape,
                                "alternative",
                                part,
                                lang,
                                shape_anchor(str(member)),
                            )
                            # A failed sh:or is reported with the severity of the shape that
                            # holds it, whatever its members say (full.ttl explains why they
                            # carry sh:Violation), so that is the severity a steward will see.
                            checks.append(replace(alternative, severity=_severity(graph, shape)))
                            covered.add(member)
            properties = sorted(
                graph.objects(shape, SH.property),
                key=lambda p: (
                    float(graph.value(p, SH.order) or 0),
                    order.get(str(p), len(order)),
                    str(p),
                ),
            )
            for index, prop in enumerate(properties, start=1):
                if (prop, SH.name, None) in graph:
                    prop_anchor = (
                        shape_anchor(str(prop))
                        if isinstance(prop, URIRef)
                        else f"{anchor}-p{index}"
                    )
                    checks.append(_check(graph, prop, shape, "property", part, lang, prop_anchor))
                    covered.add(prop)
            constraints = sorted(
                graph.objects(shape, SH.sparql), key=lambda c: pick(texts(graph, c, SH.name), "en")
            )
            for index, constraint in enumerate(constraints, start=1):
                checks.append(
                    _check(
                        graph, constraint, shape, "sparql", part, lang, f"{anchor}-sparql{index}"
                    )
                )
                covered.add(constraint)
            targets = tuple(
                Target(kind, ref(obj, lang))
                for kind in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")
                for obj in sorted(graph.objects(shape, SH[kind]), key=str)
            )
            reached = ()
            if not targets:
                reached = tuple(
                    _check(graph, s, s, "property", part, lang, shape_anchor(str(s)))
                    for s in sorted(graph.subjects(SH.node, shape), key=str)
                    if isinstance(s, URIRef) and (s, SH.name, None) in graph
                )
            sections.append(
                Section(
                    shape=str(shape),
                    anchor=anchor,
                    profile=part,
                    label=pick(texts(graph, shape, RDFS.label), lang) or compact(str(shape)),
                    comment=pick(texts(graph, shape, RDFS.comment), lang),
                    targets=targets,
                    reached_from=reached,
                    checks=tuple(checks),
                )
            )
        # Any named check not reached from a node shape still belongs on the page.
        leftovers = [s for s in set(graph.subjects(SH.name, None)) if s not in covered]
        if leftovers:
            other = f"{part}-other"
            checks = []
            for index, node in enumerate(
                sorted(leftovers, key=lambda s: (order.get(str(s), len(order)), str(s))), start=1
            ):
                owner = _named_owner(graph, node) or URIRef(shapes_iri(part))
                anchor = shape_anchor(str(node)) if isinstance(node, URIRef) else f"{other}{index}"
                checks.append(_check(graph, node, owner, "property", part, lang, anchor))
            sections.append(
                Section(
                    shape=shapes_iri(part),
                    anchor=other,
                    profile=part,
                    label="",
                    comment="",
                    targets=(),
                    reached_from=(),
                    checks=tuple(checks),
                )
            )
    return ProfileDescription(
        name=name,
        iri=profile.iri,
        title=profile.title(lang),
        description=profile.description(lang),
        files=profile.files,
        with_taxonomies=profile.with_taxonomies,
        sections=tuple(sections),
    )
