"""One record as a JSON-LD object in our context: what the change feed carries.

The record's triples and the blank nodes it reaches become one nested object, with the terms
of ``ontology/context.jsonld`` (``name``, ``address``, ``legalForm: "L2"``...) where a term says
exactly the same thing, compact IRIs (``sse:totalMembers``) elsewhere, and value objects for
every literal that is not a plain string, so that parsing the object gives back the very same
triples:

>>> from rdflib import Graph, URIRef
>>> graph = Graph().parse(data='''
... @prefix schema: <http://schema.org/> . @prefix sse: <https://w3id.org/sse/vocab/> .
... <https://e.org/a> a sse:Initiative ; schema:name "A" ;
...     sse:legalForm <https://w3id.org/sse/taxonomy/legal-form/L2> .
... ''', format="turtle")
>>> record_document(graph, URIRef("https://e.org/a"))
{'@context': 'https://w3id.org/sse/context.jsonld', 'id': 'https://e.org/a', 'type': 'Initiative', 'legalForm': 'L2', 'name': 'A'}

A blank node referenced twice (or by itself) is embedded once and given a label. An IRI that
our context would read otherwise (``geo:51.5,-0.1`` names a place, but ``geo:`` is one of our
prefixes) cannot be written in it: such a record is written in expanded JSON-LD, without a
context, which every JSON-LD processor reads the same way.
"""

from __future__ import annotations

import functools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ssevalidate.namespaces import CONTEXT_IRI
from ssevalidate.resources import jsonld_context

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class _Term:
    name: str
    coercion: str | None
    """``@id``, ``@vocab`` or a datatype IRI: how the term reads a plain string."""
    vocab: str | None
    """The scoped ``@vocab`` of a ``@vocab`` term (concept codes are relative to it)."""


@dataclass(frozen=True)
class _Context:
    """What writing in a context needs: terms by property and by class, and prefixes."""

    properties: dict[str, _Term]
    classes: dict[str, str]
    prefixes: dict[str, str]
    names: frozenset[str]
    id_key: str
    type_key: str

    def compact(self, iri: str) -> str:
        """A compact IRI with the longest matching prefix, else the IRI itself."""
        best = max(
            (prefix for prefix, base in self.prefixes.items() if iri.startswith(base)),
            key=lambda prefix: len(self.prefixes[prefix]),
            default=None,
        )
        if best is None:
            return iri
        local = iri[len(self.prefixes[best]) :]
        return iri if local.startswith("//") else f"{best}:{local}"

    def misread(self, iri: str) -> bool:
        """Whether ``iri`` written as a string would be expanded into another IRI (its scheme
        is one of our terms, as in ``geo:51.5,-0.1``)."""
        scheme, colon, rest = iri.partition(":")
        return bool(colon) and scheme in self.names and not rest.startswith("//")


_EXPANDED = _Context({}, {}, {}, frozenset(), "@id", "@type")


@functools.cache
def _ours() -> _Context:
    definitions = jsonld_context()
    prefixes = {
        name: value
        for name, value in definitions.items()
        if isinstance(value, str) and value.endswith(("/", "#")) and not name.startswith("@")
    }

    def expand(value: str) -> str:
        prefix, colon, local = value.partition(":")
        return prefixes[prefix] + local if colon and prefix in prefixes else value

    properties: dict[str, _Term] = {}
    classes: dict[str, str] = {}
    for name, value in definitions.items():
        if name.startswith("@") or name in prefixes or value in ("@id", "@type"):
            continue
        if isinstance(value, str):  # names a class or a property: JSON-LD does not tell
            classes[expand(value)] = name
            properties[expand(value)] = _Term(name, None, None)
            continue
        coercion = value.get("@type")
        vocab = value.get("@context", {}).get("@vocab") if coercion == "@vocab" else None
        if coercion not in (None, "@id", "@vocab"):
            coercion = expand(coercion)
        properties[expand(value["@id"])] = _Term(name, coercion, vocab)
    return _Context(properties, classes, prefixes, frozenset(definitions), "id", "type")


def record_document(triples: Iterable[Triple], record: URIRef) -> dict:
    """``record`` and every blank node it reaches in ``triples``, as one JSON-LD object with
    ``@context`` (our context, or none when an IRI cannot be written in it)."""
    by_subject: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
    for subject, predicate, value in triples:
        by_subject[subject].append((predicate, value))
    context = _ours()
    if any(context.misread(str(term)) for term in _iris(by_subject, record)):
        return _Writer(_EXPANDED, by_subject).node(record)
    return {"@context": CONTEXT_IRI, **_Writer(context, by_subject).node(record)}


def _iris(by_subject: dict[Node, list[tuple[Node, Node]]], record: URIRef) -> Iterable[URIRef]:
    yield record
    for pairs in by_subject.values():
        for predicate, value in pairs:
            yield predicate
            if isinstance(value, URIRef):
                yield value
            elif isinstance(value, Literal) and value.datatype is not None:
                yield value.datatype


class _Writer:
    """Writes nested node objects; blank nodes met more than once get a ``_:`` label."""

    def __init__(self, context: _Context, by_subject: dict[Node, list[tuple[Node, Node]]]):
        self.context = context
        self.by_subject = by_subject
        references = Counter(
            value for pairs in by_subject.values() for _, value in pairs if isinstance(value, BNode)
        )
        shared = sorted((node for node, count in references.items() if count > 1), key=str)
        self.labels = {node: f"_:b{number}" for number, node in enumerate(shared)}
        self.written: set[Node] = set()

    def node(self, subject: Node) -> dict:
        self.written.add(subject)
        context = self.context
        document: dict = {}
        if isinstance(subject, URIRef):
            document[context.id_key] = str(subject)
        elif subject in self.labels:
            document[context.id_key] = self.labels[subject]
        types, values = [], defaultdict(list)
        for predicate, value in self.by_subject.get(subject, ()):
            if predicate == RDF.type and isinstance(value, URIRef):
                types.append(context.classes.get(str(value)) or context.compact(str(value)))
            else:
                key, written = self.value(str(predicate), value)
                values[key].append(written)
        if types:
            document[context.type_key] = _one_or_many(sorted(types))
        for key in sorted(values):
            document[key] = _one_or_many(
                sorted(values[key], key=lambda v: json.dumps(v, sort_keys=True))
            )
        return document

    def value(self, predicate: str, value: Node) -> tuple[str, object]:
        """The key and the JSON value of one property value."""
        context = self.context
        term = context.properties.get(predicate)
        compact = context.compact(predicate)
        if isinstance(value, BNode):
            if value in self.written or value not in self.by_subject:
                return (term.name if term else compact), {context.id_key: self._label(value)}
            return (term.name if term else compact), self.node(value)
        if isinstance(value, URIRef):
            iri = str(value)
            if term and term.coercion == "@id":
                return term.name, iri
            if term and term.coercion == "@vocab":
                code = iri[len(term.vocab) :] if term.vocab and iri.startswith(term.vocab) else ""
                if code and ":" not in code and "/" not in code and code not in context.names:
                    return term.name, code
                return term.name, {"@id": iri}
            return (term.name if term else compact), {"@id": iri}
        literal: Literal = value
        if literal.language:
            written = {"@value": str(literal), "@language": literal.language}
        elif literal.datatype is not None:
            written = {"@value": str(literal), "@type": context.compact(str(literal.datatype))}
        elif term is None or term.coercion is None:
            return (term.name if term else compact), str(literal)
        else:
            written = {"@value": str(literal)}
        return (term.name if term else compact), written

    def _label(self, node: BNode) -> str:
        return self.labels.setdefault(node, f"_:b{len(self.labels)}")


def _one_or_many(values: list) -> object:
    return values[0] if len(values) == 1 else values


__all__ = ["record_document"]
