"""ESSGlobal RDF, as the SEA/DCC pipeline publishes it, as SSE data.

The pipeline (FIELD-NOTES 1.5) writes one ``essglobal:SSEInitiative`` per record: ``gr:name``,
``dcterms:description``, a ``foaf:homepage`` literal, concept IRIs (``economicSector``,
``primarySector``, ``organisationalStructure``, ``qualifier``, ``baseMembershipType``,
``country_id``), an ``<initiative>#Address`` node with its own coordinates or those of the geo
container it is ``osspatialrelations:within``, ``#Telephone`` and ``#Email`` nodes holding a
``vcard:value``, ``foaf:account`` nodes for Twitter and Facebook, a Companies House
``rov:hasRegisteredOrganization`` and ``owl:sameAs`` links. Any RDF syntax is read, with the
vocabulary under any of its bases and concepts under any taxonomy base. ESSGlobal terms map as
``ontology/alignments/essglobal.ttl`` says; concept values go through the reconciler (kept as
text and reported when it cannot place them); every predicate or class the importer does not
understand is reported once, with how many values were left out.

>>> from ssevalidate.importers.essglobal import convert
>>> conversion = convert(open("ica.ttl", "rb").read(), name="ica.ttl")    # doctest: +SKIP
>>> conversion.origins["https://dev.lod.coop/ica/10"]                      # doctest: +SKIP
{'file': 'ica.ttl', 'line': 14, 'column': 1}
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ssevalidate.importers.conversion import Conversion
from ssevalidate.importers.reading import file_iri
from ssevalidate.importers.values import (
    account_page,
    add_companies_house,
    add_concept,
    company_number,
    concept_schemes,
    http_iri,
    web_address,
)
from ssevalidate.namespaces import (
    ESSGLOBAL,
    ESSGLOBAL_VOCAB_BASES,
    FOAF,
    GEO,
    GR,
    SCHEMA,
    SSE,
    VCARD,
    compact,
)
from ssevalidate.parsegate import locate, read
from ssevalidate.publish import alignment
from ssevalidate.rdfconvert import to_rdflib
from ssevalidate.reconcile import Reconciler, reconciler
from ssevalidate.resources import vocabulary

ROV = Namespace("http://www.w3.org/ns/regorg#")
OSSR = Namespace("http://data.ordnancesurvey.co.uk/ontology/spatialrelations/")

# Terms the pipeline reuses from other vocabularies, plus its undefined essglobal:country_id: the
# alignment lists them in comments only, so they cannot be read from it.
_PIPELINE_TERMS = {
    GR.name: SCHEMA.name,
    DCTERMS.description: SCHEMA.description,
    FOAF.homepage: SCHEMA.url,
    GR.homepage: SCHEMA.url,
    OWL.sameAs: SCHEMA.sameAs,
    ESSGLOBAL.country_id: SSE.country,
}
_ADDRESS_PARTS = {
    VCARD["street-address"],
    VCARD.locality,
    VCARD.region,
    VCARD["postal-code"],
    VCARD["country-name"],
}
_CONTACTS = {VCARD.hasTelephone: SCHEMA.telephone, VCARD.hasEmail: SCHEMA.email}
_HAS_ADDRESS = VCARD.hasAddress
_RECORD_CLASSES = {SSE.Initiative, SSE.Network}
_OX_TYPE = ox.NamedNode(str(RDF.type))
# Longest first: the canonical base is a prefix of the v1.0 one.
_VOCAB_BASES = sorted(ESSGLOBAL_VOCAB_BASES, key=len, reverse=True)
_LEXICAL = {
    XSD.integer: re.compile(r"[+-]?\d+"),
    XSD.decimal: re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    XSD.boolean: re.compile(r"true|false|1|0"),
}


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert ESSGlobal RDF (any syntax the parse gate reads). Record IRIs are the source's;
    ``base`` (by default the file's URI) resolves relative ones. Raises :class:`InputError` on
    unreadable input."""
    document = read(data, name=name, base_iri=base or file_iri(name))
    conversion = Conversion("essglobal")
    records = [
        subject
        for subject in set(document.graph.subjects(RDF.type, None))
        if any(
            _resolve(cls) in _RECORD_CLASSES for cls in document.graph.objects(subject, RDF.type)
        )
    ]
    iris = {str(r) for r in records if isinstance(r, URIRef)}
    origins = locate(document.data, iris, document.prefixes, name)
    records.sort(key=lambda record: (origins.get(str(record), {}).get("line", 0), str(record)))
    described: dict[Node, list[tuple[URIRef, Node]]] = defaultdict(list)
    # One pass over the source: rdflib's per-pattern lookups cost more than the whole pass.
    for subject, predicate, value in document.graph:
        described[subject].append((predicate, value))
    translator = _Translator(matcher or reconciler(), set(records), set())
    translator.begin(conversion, dict(described))
    for record in records:
        translator.record(record, origins.get(str(record), {"file": name}))
    unvisited = translator.described.keys() - translator.visited
    translator.unattached(
        ((subject, predicate) for subject in unvisited for predicate, _ in described[subject]),
        name,
    )
    subjects = {
        str(item.subject)
        for item in translator.leftovers.values()
        if isinstance(item.subject, URIRef)
    }
    translator.report(locate(document.data, subjects, document.prefixes, name), name)
    return conversion


def stream(
    store: ox.Store,
    *,
    name: str = "<input>",
    matcher: Reconciler | None = None,
    chunk: int = 5_000,
) -> Iterator[Conversion]:
    """ESSGlobal RDF already parsed into the default graph of ``store`` (a scratch database on
    disk, :func:`ssevalidate.importers.streaming.stream_export`), converted ``chunk`` records at
    a time: each record with the nodes it reaches (its address, geo container, contacts...),
    the same statements and problems as :func:`convert`, the problems counted over the whole
    file in the last chunk. A stream has no line to give: records and problems point at the
    file. What is kept whole is a hash per record and per node translated."""
    records = sorted(_records_in(store), key=lambda node: node.value)
    record_keys = {hash(to_rdflib(node)) for node in records}
    translator = _Translator(matcher or reconciler(), _Hashes(record_keys), _Hashes())
    for start in range(0, max(len(records), 1), chunk):
        part = records[start : start + chunk]
        translator.begin(Conversion("essglobal"), _reached(store, part, record_keys))
        for record in part:
            translator.record(to_rdflib(record), {"file": name})
        if start + chunk >= len(records):
            translator.unattached(_unvisited(store, translator.visited), name)
            translator.report({}, name)
        yield translator.conversion


class _Hashes:
    """A set that keeps the hash of each node, not the node: a few dozen bytes a node."""

    def __init__(self, keys: set[int] | None = None) -> None:
        self.keys = keys if keys is not None else set()

    def add(self, node: Node) -> None:
        self.keys.add(hash(node))

    def __contains__(self, node: Node) -> bool:
        return hash(node) in self.keys


def _records_in(store: ox.Store) -> dict[ox.NamedNode | ox.BlankNode, None]:
    """The subjects typed with a class that means an initiative or a network, once each."""
    is_record: dict[ox.NamedNode, bool] = {}
    found: dict = {}
    for quad in store.quads_for_pattern(None, _OX_TYPE, None, ox.DefaultGraph()):
        cls = quad.object
        known = is_record.get(cls)
        if known is None:
            known = is_record[cls] = _resolve(to_rdflib(cls)) in _RECORD_CLASSES
        if known:
            found[quad.subject] = None
    return found


def _reached(store: ox.Store, records: list, record_keys: set[int]) -> dict:
    """What :class:`_Translator` reads of ``records``: their statements and those of every node
    they reach without going through another record."""
    described: dict[Node, list[tuple[URIRef, Node]]] = {}
    pending, seen = list(records), set(records)
    while pending:
        node = pending.pop()
        pairs = []
        for quad in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
            value = quad.object
            pairs.append((to_rdflib(quad.predicate), to_rdflib(value)))
            if type(value) is not ox.Literal and value not in seen:
                seen.add(value)
                if hash(to_rdflib(value)) not in record_keys:
                    pending.append(value)
        if pairs:
            described[to_rdflib(node)] = pairs
    return described


def _unvisited(store: ox.Store, visited: _Hashes) -> Iterator[tuple[Node, URIRef]]:
    """Each statement's subject and predicate, for the subjects of ``store`` no record
    reached."""
    last, node, left = None, None, False
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if quad.subject != last:
            last = quad.subject
            node = to_rdflib(last)
            left = node not in visited
        if left:
            yield node, to_rdflib(quad.predicate)


# --- the translation ---------------------------------------------------------------------------


@functools.cache
def _term_map() -> dict[URIRef, URIRef]:
    """ESSGlobal term → SSE or reused term. Equivalences, and sub-class or sub-property links to
    a reused term (``essglobal:Address`` ⊑ ``vcard:Address``): using the broader term is what
    RDFS entails, so no meaning is added."""
    mapping: dict[URIRef, URIRef] = {}
    for link in (OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf):
        for essglobal, ours in alignment().subject_objects(link):
            if isinstance(essglobal, URIRef) and isinstance(ours, URIRef):
                mapping[essglobal] = ours
    return {**mapping, **_PIPELINE_TERMS}


@functools.lru_cache(maxsize=4096)
def _canonical(term: Node) -> Node:
    """An ESSGlobal term under any base → the same term under the canonical base."""
    if isinstance(term, URIRef):
        for base in _VOCAB_BASES:
            if term.startswith(base):
                return ESSGLOBAL[term[len(base) :]]
    return term


def _resolve(term: Node) -> Node:
    """What a source term means in SSE data (itself when nothing maps it)."""
    canonical = _canonical(term)
    return _term_map().get(canonical, canonical)


def _typed(value: Node, datatype: URIRef) -> Node:
    """A plain literal typed to ``datatype`` when its text is valid for it."""
    plain = isinstance(value, Literal) and value.datatype is None and not value.language
    if plain and _LEXICAL[datatype].fullmatch(str(value).strip()):
        return Literal(str(value).strip(), datatype=datatype)
    return value


@functools.cache
def _range(predicate: URIRef) -> URIRef | None:
    """The XSD datatype the SSE vocabulary gives a property, when literals can be typed to it."""
    found = vocabulary().value(predicate, RDFS.range)
    return found if found in _LEXICAL else None


_LEFTOVERS = {
    "predicate": "{term} is not understood: not converted",
    "class": "class {term} is not understood: not converted",
    "unattached": "{term} describes something that is no initiative and no part of one: "
    "not converted",
    "container": "{term}: the geo container (a postcode unit or a map link) has no SSE "
    "counterpart and is not kept; its coordinates are used where the address has none",
    "account": "a {term} without both foaf:accountServiceHomepage and foaf:accountName: "
    "not converted",
    "registration": "{term} is not a business.data.gov.uk company IRI: not converted",
}
"""What each kind of leftover means, for the problem reported once per kind and term."""


@dataclass
class _Leftover:
    """Source data not converted: where it was first met, and how often."""

    subject: Node
    origin: dict
    count: int = 0


class _Translator:
    """Reads the source graph from each record outwards and writes SSE data."""

    def __init__(self, matcher: Reconciler, records, visited) -> None:
        self.matcher = matcher
        self.conversion = Conversion("essglobal")
        self.graph = self.conversion.graph
        self.described: dict[Node, list[tuple[URIRef, Node]]] = {}
        """Each subject's statements (as far as the records reach, when streaming)."""
        self.records = records
        """The records (a set, or :class:`_Hashes` of them)."""
        self.visited = visited
        """The nodes translated (a set, or :class:`_Hashes` of them)."""
        self.addresses: dict[Node, BNode] = {}
        self.leftovers: dict[tuple[str, Node], _Leftover] = {}
        self.origin: dict = {}
        # What each term, once resolved, needs beyond a plain copy; all take
        # (subject, term, predicate as written, value).
        self.handlers = {
            RDF.type: self.type,
            VCARD.hasAddress: self.address,
            SSE.country: self.country,
            VCARD.hasTelephone: self.contact,
            VCARD.hasEmail: self.contact,
            FOAF.account: self.account,
            ROV.hasRegisteredOrganization: self.registration,
            SCHEMA.url: self.url,
            GEO.lat: self.coordinate,
            GEO.long: self.coordinate,
        }

    def begin(self, conversion: Conversion, described: dict) -> None:
        """Write into ``conversion`` (the whole file's, or the next chunk's), reading
        ``described``."""
        self.conversion, self.graph, self.described = conversion, conversion.graph, described
        self.addresses = {}

    def record(self, record: Node, origin: dict) -> None:
        self.origin = origin
        self.conversion.add_record(record, origin)
        if isinstance(record, BNode):
            self.conversion.problem("an initiative without an IRI: give it one", origin)
        self.node(record)

    def node(self, subject: Node) -> None:
        """Translate ``subject`` (a record, or a node linked from one), keeping its identity."""
        self.visited.add(subject)
        # The address first: an initiative's country goes on it.
        pairs = sorted(
            self.described.get(subject, ()),
            key=lambda pair: _resolve(pair[0]) != _HAS_ADDRESS,
        )
        for predicate, value in pairs:
            self.statement(subject, predicate, value)

    def statement(self, subject: Node, predicate: URIRef, value: Node) -> None:
        term = _resolve(predicate)
        handler = self.handlers.get(term)
        if handler is not None:
            handler(subject, term, predicate, value)
        elif term == _canonical(predicate):
            self.unknown(subject, predicate)
        elif concept_schemes(term):
            self.concept(subject, term, predicate, value)
        else:
            self.value(subject, term, predicate, value)

    def type(self, subject: Node, term: URIRef, predicate: URIRef, cls: Node) -> None:
        ours = _resolve(cls)
        if ours != _canonical(cls):
            self.graph.add((subject, term, ours))
        else:
            self.leftover("class", cls, subject)

    def value(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        """A value of a mapped property: a node linked from the record is translated too."""
        if isinstance(value, Literal):
            datatype = _range(term)
            value = _typed(value, datatype) if datatype else value
        elif value not in self.visited and value not in self.records and value in self.described:
            self.node(value)
        self.graph.add((subject, term, value))

    def concept(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        field = compact(str(_canonical(predicate)))
        add_concept(
            self.conversion, self.matcher, subject, term, str(value), self.origin, field=field
        )

    def country(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        """SSE data gives the country on the address, the pipeline on the initiative."""
        self.concept(self.addresses.get(subject, subject), term, predicate, value)

    def url(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        self.graph.add((subject, term, web_address(str(value))))

    def coordinate(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        self.graph.add((subject, term, _typed(value, XSD.decimal)))

    def address(self, owner: Node, term: URIRef, predicate: URIRef, node: Node) -> None:
        """The address becomes a plain ``vcard:Address`` node (the pipeline's hash IRI was only
        for OntoWiki); its coordinates, or else its geo container's, go on the owner."""
        if node not in self.described:
            self.graph.add((owner, term, node))
            return
        self.visited.add(node)
        address = BNode()
        self.addresses.setdefault(owner, address)
        self.graph.add((owner, term, address))
        self.graph.add((address, RDF.type, VCARD.Address))
        own: list[tuple[URIRef, Node]] = []
        contained: list[tuple[URIRef, Node]] = []
        for inner, value in self.described[node]:
            part = _resolve(inner)
            if part == RDF.type:
                if _resolve(value) != VCARD.Address:
                    self.type(address, part, inner, value)
            elif part in _ADDRESS_PARTS:
                self.graph.add((address, part, value))
            elif part in (GEO.lat, GEO.long):
                own.append((part, value))
            elif part == OSSR.within:
                contained += self.container(value)
            else:
                self.statement(address, inner, value)
        for axis, value in own or contained:
            self.graph.add((owner, axis, _typed(value, XSD.decimal)))

    def container(self, container: Node) -> list[tuple[URIRef, Node]]:
        """The coordinates of a geo container; the container itself has no SSE counterpart."""
        self.leftover("container", OSSR.within, container)
        self.visited.add(container)
        found = []
        for predicate, value in self.described.get(container, ()):
            term = _resolve(predicate)
            if term in (GEO.lat, GEO.long):
                found.append((term, value))
            else:
                self.unknown(container, predicate)
        return found

    def contact(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        """``vcard:hasTelephone``/``hasEmail``: a node's ``vcard:value``, a text or a tel:/mailto: IRI."""
        ours = _CONTACTS[term]
        if value not in self.described:
            self.graph.add((subject, ours, Literal(str(value))))
            return
        self.visited.add(value)
        for inner, text in self.described[value]:
            if inner == VCARD.value:
                self.graph.add((subject, ours, Literal(str(text))))
            else:
                self.unknown(value, inner)

    def account(self, subject: Node, term: URIRef, predicate: URIRef, account: Node) -> None:
        """A ``foaf:OnlineAccount`` (service home page + account name) → ``schema:sameAs`` its page."""
        if account not in self.described:
            self.graph.add((subject, SCHEMA.sameAs, web_address(str(account))))
            return
        self.visited.add(account)
        service = name = ""
        for inner, value in self.described[account]:
            if inner == FOAF.accountServiceHomepage:
                service = str(value)
            elif inner == FOAF.accountName:
                name = str(value).strip()
            elif (inner, value) != (RDF.type, FOAF.OnlineAccount):
                self.unknown(account, inner)
        if name and (http_iri(name) or http_iri(service)):
            self.graph.add((subject, SCHEMA.sameAs, account_page(service, name)))
        else:
            self.leftover("account", FOAF.account, account)

    def registration(self, subject: Node, term: URIRef, predicate: URIRef, value: Node) -> None:
        number = company_number(str(value))
        if number:
            add_companies_house(self.graph, subject, number)
        else:
            self.leftover("registration", predicate, subject)

    def unknown(self, subject: Node, predicate: URIRef) -> None:
        self.leftover("predicate", predicate, subject)

    def leftover(self, kind: str, term: Node, subject: Node) -> None:
        """Count what was not converted under its kind (a key of ``_LEFTOVERS``) and term."""
        found = self.leftovers.get((kind, term))
        if found is None:
            found = self.leftovers[kind, term] = _Leftover(subject, self.origin)
        found.count += 1

    def unattached(self, statements: Iterable[tuple[Node, URIRef]], name: str) -> None:
        """Count the ``(subject, predicate)`` of each statement no record reached."""
        self.origin = {"file": name}
        for subject, predicate in statements:
            self.leftover("unattached", predicate, subject)

    def report(self, located: dict[str, dict], name: str) -> None:
        """Every leftover as one problem, where its first subject is described (``located``,
        by IRI) or else where it was met."""
        for (kind, term), item in self.leftovers.items():
            origin = located.get(str(item.subject), item.origin)
            if "line" not in origin:
                origin = item.origin
            message = _LEFTOVERS[kind].format(term=compact(str(term)))
            times = "once" if item.count == 1 else f"{item.count} times"
            self.conversion.problem(f"{message} ({times})", origin)


__all__ = ["convert", "stream"]
