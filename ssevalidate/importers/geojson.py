"""GeoJSON with OpenStreetMap-style keys (the TransforMap / SUSY map data) as SSE data.

A FeatureCollection, or a single Feature, of Points. Each feature is one initiative, named by its
``_uri`` (else ``base`` + ``_id``, else + the feature's ``id``). Properties are OSM-style keys:
``name``, ``description`` and ``description:<lang>`` (language-tagged), ``addr:street``,
``addr:housenumber``, ``addr:postcode``, ``addr:city``, ``addr:country`` (a code or a name in
any language, reconciled with the countries scheme; the original is kept as the country name),
``contact:email``/``email``, ``contact:phone``/``phone``, ``contact:website``/``website``
(``www.x.org`` gets ``http://``; anything else that is no web address is kept as text and
reported), ``opening_hours``, ``organic``/``fair-trade``/``regional`` (qualifiers), ``osm``,
``_created``/``_timestamp`` (epoch milliseconds) and ``type_of_initiative``: TransforMap tags,
``;``-separated, turned into our concepts through the SKOS mappings of
``ontology/mappings/transformap.ttl`` (see :func:`initiative_types`). Every tag is also kept as
its TransforMap type (``schema:additionalType``); a tag with no concept is reported. The Point
gives ``geo:lat``/``geo:long``. The collection's ``source`` and ``license`` describe the dataset
each record names with ``dcterms:source``. Keys outside these are reported once per key.

>>> from ssevalidate.importers.geojson import convert, stream
>>> conversion = convert(open("data.geojson", "rb").read(), name="data.geojson")  # doctest: +SKIP
>>> conversion.origins["https://data.transformap.co/place/e98fb912…"]            # doctest: +SKIP
{'file': 'data.geojson', 'pointer': '/features/0'}
>>> chunks = stream(open("map.geojson", "rb"), name="map.geojson")   # doctest: +SKIP
>>> [chunk.records for chunk in chunks]                               # doctest: +SKIP
[5000, 5000, 1794]
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import quote

import ijson
import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, XSD

from ssevalidate.importers.conversion import Conversion, json_origin, pointer_token
from ssevalidate.importers.reading import (
    default_base,
    json_document,
    json_stream_errors,
    json_text_start,
)
from ssevalidate.importers.values import add_concept, coordinate, http_iri, language_tag
from ssevalidate.namespaces import GEO, SCHEMA, SSE, TAXONOMY, VCARD, concept_iri
from ssevalidate.parsegate import InputError
from ssevalidate.rdfconvert import graph_from_quads
from ssevalidate.reconcile import Reconciler, reconciler
from ssevalidate.resources import ontology_dir

_TEXTS = {
    "name": SCHEMA.name,
    "description": SCHEMA.description,
    "opening_hours": SCHEMA.openingHours,
}
_LISTS = {
    "contact:email": SCHEMA.email,
    "email": SCHEMA.email,
    "contact:phone": SCHEMA.telephone,
    "phone": SCHEMA.telephone,
}
_WEBSITES = ("contact:website", "website")
_ADDRESS = ("addr:street", "addr:housenumber", "addr:postcode", "addr:city", "addr:country")
_DATES = {"_created": DCTERMS.created, "_timestamp": DCTERMS.modified}
_FLAGS = {"organic": "Organic", "fair-trade": "Fairtrade", "regional": "LocalorFromCommunity"}
"""OSM yes/only/no keys → the qualifier a ``yes`` or ``only`` gives."""
_NAMING = ("_uri", "_id")
_KNOWN = {
    *_TEXTS,
    *_LISTS,
    *_WEBSITES,
    *_ADDRESS,
    *_DATES,
    *_FLAGS,
    *_NAMING,
    "type_of_initiative",
    "osm",
}
_LANGUAGE_KEY = re.compile(r"(name|description):([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)")

_CONCEPT_PROPERTIES = {
    "activities": SSE.activity,
    "activities-modified": SSE.activity,
    "activities-ica": SSE.activity,
    "themes": SSE.theme,
    "qualifiers": SSE.qualifier,
    "organisational-structure": SSE.organisationalStructure,
    "legal-form": SSE.legalForm,
    "base-membership-type": SSE.baseMembershipType,
}
"""Which property takes a concept of each scheme; products-services concepts are the category
of a product or service the initiative offers."""
_PRODUCTS = "products-services"
_IMPLIED = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
"""Mappings that hold for every initiative of a type (narrowMatch and relatedMatch do not)."""

_FIELDS = {
    **{str(predicate): f"properties/{key}" for key, predicate in _TEXTS.items()},
    str(SCHEMA.email): "properties/contact:email",
    str(SCHEMA.telephone): "properties/contact:phone",
    str(SCHEMA.url): "properties/contact:website",
    str(VCARD["street-address"]): "properties/addr:street",
    str(VCARD["postal-code"]): "properties/addr:postcode",
    str(VCARD.locality): "properties/addr:city",
    str(VCARD["country-name"]): "properties/addr:country",
    str(SSE.country): "properties/addr:country",
    **{
        str(predicate): "properties/type_of_initiative"
        for predicate in _CONCEPT_PROPERTIES.values()
    },
    str(SSE.hasProductOrService): "properties/type_of_initiative",
    str(SCHEMA.additionalType): "properties/type_of_initiative",
    **{str(predicate): f"properties/{key}" for key, predicate in _DATES.items()},
    str(SCHEMA.sameAs): "properties/osm",
    str(GEO.lat): "geometry/coordinates/1",
    str(GEO.long): "geometry/coordinates/0",
}

_BARE_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?::\d+)?(?:[/?#]\S*)?")
_URI_CHARACTERS = "!#$%&'()*+,/:;=?@~"
"""Reserved characters and ``%``: what percent-encoding an address must leave as it is."""
_EMAIL = re.compile(r"(?:mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+", re.IGNORECASE)
_EPOCH_MILLISECONDS = re.compile(r"\d{1,15}(?:\.\d+)?")

_NUMBER_FIRST = {"GB", "IE", "IM", "FR", "LU", "MT", "US", "CA", "AU", "NZ"}
"""Countries whose postal convention writes the house number before the street."""

_LICENCES = {
    # The Public Domain Mark says what "Public Domain" says: no known restriction.
    "public-domain": "https://creativecommons.org/publicdomain/mark/1.0/",
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "cc-0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "odbl-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}
"""Licence names (SPDX identifiers and the usual words) → the licence's IRI."""


@dataclass(frozen=True)
class InitiativeType:
    """What one ``type_of_initiative`` tag means: the TransforMap items that carry it (a few tags
    sit in two categories), their label, and the SSE concepts every such initiative has."""

    items: tuple[str, ...]
    label: str
    concepts: tuple[str, ...]


@functools.cache
def initiative_types() -> dict[str, InitiativeType]:
    """Tag (case-folded) → its :class:`InitiativeType`, from ``ontology/mappings/transformap.ttl``.

    >>> initiative_types()["repair_cafe"].concepts  # doctest: +SKIP
    ('https://w3id.org/sse/taxonomy/activities-modified/AM120',)
    """
    path = ontology_dir() / "mappings" / "transformap.ttl"
    with path.open("rb") as stream:
        graph = graph_from_quads(ox.parse(stream, format=ox.RdfFormat.TURTLE))
    items: dict[str, list] = {}
    for item, tag in graph.subject_objects(SKOS.notation):
        items.setdefault(str(tag).casefold(), []).append(item)
    types = {}
    for tag, found in items.items():
        concepts = {str(c) for item in found for p in _IMPLIED for c in graph.objects(item, p)}
        types[tag] = InitiativeType(
            items=tuple(sorted(str(item) for item in found)),
            label=str(graph.value(found[0], SKOS.prefLabel)),
            concepts=tuple(sorted(concepts)),
        )
    return types


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert GeoJSON with OSM-style keys (gzip is the caller's to expand). Record IRIs are the
    features' ``_uri``, else ``base`` (by default the file's URI and ``#``) + ``_id`` or ``id``.
    Raises :class:`InputError` when it is not GeoJSON, with the line and column of a syntax
    error or the pointer of what is not as expected."""
    document = json_document(data, name)
    features = _features(document, name)
    base = base or default_base(name)
    conversion = _conversion()
    dataset = _dataset(conversion, document, base, name)
    reader = _FeatureReader(conversion, matcher or reconciler(), name, base, dataset)
    for pointer, feature in features:
        reader.read(pointer, feature)
    reader.report_counted()
    return conversion


def stream(
    file: BinaryIO,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
    chunk: int = 5_000,
) -> Iterator[Conversion]:
    """A FeatureCollection read from the seekable binary ``file`` as a stream: one conversion
    per ``chunk`` features (the first one also holds the dataset and its problems, the last
    one the problems counted over the file), together what :func:`convert` gives. The file is
    read twice: once for the collection's own members (``source``, ``license``), wherever they
    are, and for any syntax error (reported at the pointer of the feature it is in: a stream has
    no line and column to give) before a feature is converted; then feature by feature. Memory
    follows the chunk. A single Feature is converted whole."""
    start = json_text_start(file, name)
    head = _collection(file, name)
    if head is None:
        file.seek(start)
        yield convert(file.read(), name=name, base=base, matcher=matcher)
        return
    base = base or default_base(name)
    conversion = _conversion()
    dataset = _dataset(conversion, head, base, name)
    reader = _FeatureReader(conversion, matcher or reconciler(), name, base, dataset)
    file.seek(start)
    index = -1
    with json_stream_errors(name, lambda: f"/features/{index + 1}"):
        for index, feature in enumerate(ijson.items(file, "features.item", use_float=True)):
            pointer = f"/features/{index}"
            _check_feature(feature, pointer, name)
            reader.read(pointer, feature)
            if (index + 1) % chunk == 0:
                yield reader.handover(_conversion())
    reader.report_counted()
    yield reader.handover(_conversion())


def _conversion() -> Conversion:
    conversion = Conversion("geojson")
    conversion.fields = dict(_FIELDS)
    return conversion


def _collection(file: BinaryIO, name: str) -> dict | None:
    """The members of a FeatureCollection but its features (read through, not held: a syntax
    error anywhere is found here, before any chunk); None for a single Feature;
    :class:`InputError` for anything else, as :func:`convert` says it."""
    members: dict | None = None
    key, builder, features, count = None, None, None, 0
    with json_stream_errors(name, lambda: f"/features/{count - 1}" if count else ""):
        for prefix, event, value in ijson.parse(file, use_float=True):
            if prefix == "features.item" and event == "start_map":
                count += 1
            if prefix == "":
                if builder is not None:
                    members[key] = builder.value
                    builder = None
                if event == "map_key":
                    key = value
                    builder = None if key == "features" else ijson.ObjectBuilder()
                elif event == "start_map":
                    members = {}
                else:
                    break  # the end, or not an object at all
            elif key == "features":
                features = features or event
            elif builder is not None:
                builder.event(event, value)
    if members is None:
        _features(None, name)  # refused as convert refuses it
    if members.get("type") == "Feature":
        return None
    if features != "start_array" or members.get("type") != "FeatureCollection":
        _features({**members, "features": None}, name)
    return members


def _features(document: object, name: str) -> list[tuple[str, dict]]:
    """Each feature and its pointer; anything that is not GeoJSON is refused with its pointer."""
    if not isinstance(document, dict):
        raise InputError(
            "not GeoJSON: expected an object with a type (FeatureCollection or Feature)",
            name=name,
            pointer="",
        )
    kind = document.get("type")
    if kind == "Feature":
        found = [("", document)]
    elif kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise InputError(
                'not GeoJSON: "features" must be an array of features',
                name=name,
                pointer="/features",
            )
        found = [(f"/features/{index}", feature) for index, feature in enumerate(features)]
    else:
        raise InputError(
            f"not GeoJSON: the type is {kind!r}, not FeatureCollection or Feature",
            name=name,
            pointer="/type",
        )
    for pointer, feature in found:
        _check_feature(feature, pointer, name)
    return found


def _check_feature(feature: object, pointer: str, name: str) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputError(
            'not GeoJSON: each feature must be an object with "type": "Feature"',
            name=name,
            pointer=pointer,
        )
    if not isinstance(feature.get("properties", {}), dict | None):
        raise InputError(
            'not GeoJSON: "properties" must be an object',
            name=name,
            pointer=f"{pointer}/properties",
        )


def _dataset(conversion: Conversion, document: dict, base: str, name: str) -> URIRef:
    """The dataset the records come from: the collection's ``source`` (where it was published)
    or else what ``base`` names, with the collection's licence."""
    graph = conversion.graph
    source = document.get("source")
    published = _http_iri(source) if isinstance(source, str) else None
    dataset = URIRef(published or base.rstrip("#"))
    if source is not None and not published:
        conversion.problem(
            f"source {source!r} is no http(s) address: the dataset is named {dataset}",
            json_origin(name, "/source"),
        )
    graph.add((dataset, RDF.type, DCAT.Dataset))
    licence = document.get("license")
    text = licence.strip() if isinstance(licence, str) else json.dumps(licence)
    if licence is None or not text:
        return dataset
    iri = _http_iri(text) or _LICENCES.get(re.sub(r"[\s_]+", "-", text.lower()))
    if iri:
        graph.add((dataset, DCTERMS.license, URIRef(iri)))
        return dataset
    graph.add((dataset, DCTERMS.license, Literal(text)))
    conversion.problem(
        f"license {text!r} is no licence this importer knows: kept as text; give the licence's IRI",
        json_origin(name, "/license"),
    )
    return dataset


class _FeatureReader:
    """Writes one initiative per feature; counts what is reported once for the whole file."""

    def __init__(
        self,
        conversion: Conversion,
        matcher: Reconciler,
        name: str,
        base: str,
        dataset: URIRef,
    ) -> None:
        self.conversion = conversion
        self.graph = conversion.graph
        self.matcher = matcher
        self.name = name
        self.base = base
        self.dataset = dataset
        self.counted: dict[str, tuple[dict, int]] = {}
        self._first: dict[int, str] = {}
        """Hash of a record IRI → the pointer of the feature it was first read from."""

    def handover(self, fresh: Conversion) -> Conversion:
        """The conversion so far; ``fresh`` takes its place (a stream's next chunk)."""
        given, self.conversion, self.graph = self.conversion, fresh, fresh.graph
        return given

    def read(self, pointer: str, feature: dict) -> None:
        properties = feature.get("properties") or {}
        record = self._record(pointer, feature, properties)
        if record is None:
            return
        graph = self.graph
        graph.add((record, RDF.type, SSE.Initiative))
        graph.add((record, DCTERMS.source, self.dataset))
        address: dict[str, str] = {}
        for key, value in properties.items():
            where = f"{pointer}/properties/{pointer_token(key)}"
            text = self._text(key, value, where)
            if text is None:
                continue
            if key in _ADDRESS:
                address[key] = text
            else:
                self._property(record, key, text, where)
        self._address(record, address, f"{pointer}/properties")
        self._location(record, feature, pointer)

    def report_counted(self) -> None:
        """One problem for each thing counted, at its first place, with how often it was met."""
        for message, (origin, count) in self.counted.items():
            times = "1 feature" if count == 1 else f"{count} features"
            self.conversion.problem(f"{message} ({times})", origin)

    def _count(self, message: str, where: str) -> None:
        origin, count = self.counted.get(message, (json_origin(self.name, where), 0))
        self.counted[message] = (origin, count + 1)

    def _problem(self, message: str, where: str) -> None:
        self.conversion.problem(message, json_origin(self.name, where))

    def _record(self, pointer: str, feature: dict, properties: dict) -> URIRef | None:
        """The record's IRI, added to the conversion; None (and a problem) when it has none."""
        uri = properties.get("_uri")
        given = _http_iri(uri) if isinstance(uri, str) else None
        record = URIRef(given) if given else None
        if record is None:
            if uri is not None:
                self._problem(
                    f"_uri {uri!r} is no http(s) IRI: the record is named from its _id or id",
                    f"{pointer}/properties/_uri",
                )
            identifier = _identifier(properties.get("_id")) or _identifier(feature.get("id"))
            if identifier:
                record = URIRef(self.base + quote(identifier, safe=""))
        if record is None:
            self.conversion.records += 1
            self._problem("feature without _uri, _id or id: skipped", pointer)
            return None
        earlier = self._first.setdefault(hash(str(record)), pointer)
        if earlier != pointer:
            self._problem(
                f"the feature at {earlier} has the same IRI: merged into one record", pointer
            )
        self.conversion.add_record(record, json_origin(self.name, pointer))
        return record

    def _text(self, key: str, value: object, where: str) -> str | None:
        """The value as text, or None when it is empty or not a text or number (reported)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self._problem(
                f"{key} holds {json.dumps(value)[:40]} where a text was expected: not converted",
                where,
            )
            return None
        return str(value).strip() or None

    def _property(self, record: URIRef, key: str, text: str, where: str) -> None:
        graph = self.graph
        language = _LANGUAGE_KEY.fullmatch(key)
        if key in _TEXTS:
            graph.add((record, _TEXTS[key], Literal(text)))
        elif language:
            tag, note = language_tag(language.group(2))
            if note:
                self._problem(f"{key}: {note}", where)
            graph.add((record, _TEXTS[language.group(1)], Literal(text, lang=tag)))
        elif key in _LISTS:
            fits = _EMAIL if _LISTS[key] == SCHEMA.email else None
            for part in _parts(text):
                for value in _several(part, fits):
                    graph.add((record, _LISTS[key], Literal(value)))
        elif key in _WEBSITES:
            for part in _parts(text):
                self._website(record, key, part, where)
        elif key == "type_of_initiative":
            for tag in re.split(r"[;,]", text):
                if tag.strip():
                    self._initiative_type(record, tag.strip(), where)
        elif key in _FLAGS:
            self._flag(record, key, text, where)
        elif key in _DATES:
            self._date(record, key, text, where)
        elif key == "osm":
            page = _http_iri(text)
            if page:
                graph.add((record, SCHEMA.sameAs, URIRef(page)))
            else:
                self._problem(f"osm {text!r} is no OpenStreetMap address: not converted", where)
        elif key not in _NAMING:
            self._count(f"{key!r} has no SSE counterpart: not converted{_suggestion(key)}", where)

    def _website(self, record: URIRef, key: str, text: str, where: str) -> None:
        # Several addresses are sometimes written with spaces between them.
        addresses = [_web_address(part) for part in text.split()]
        if all(addresses):
            for address in addresses:
                self.graph.add((record, SCHEMA.url, address))
            return
        self.graph.add((record, SCHEMA.url, Literal(text)))
        what = "an e-mail address" if _EMAIL.fullmatch(text) else "no web address"
        self._problem(f"{key} {text!r} is {what}: kept as text", where)

    def _initiative_type(self, record: URIRef, tag: str, where: str) -> None:
        conversion, graph = self.conversion, self.graph
        found = initiative_types().get(tag.casefold())
        if found is None:
            graph.add((record, SCHEMA.additionalType, Literal(tag)))
            conversion.cells_unresolved += 1
            close = difflib.get_close_matches(tag.casefold(), initiative_types(), n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self._problem(
                f"type_of_initiative {tag!r} is no TransforMap tag: kept as text{hint}", where
            )
            return
        for item in found.items:
            graph.add((record, SCHEMA.additionalType, URIRef(item)))
        if not found.concepts:
            conversion.cells_unresolved += 1
            self._count(
                f"type_of_initiative {tag.casefold()!r} ({found.label}) has no counterpart in the SSE "
                "taxonomies: kept as its TransforMap type only",
                where,
            )
            return
        conversion.cells_reconciled += 1
        for concept in found.concepts:
            self._concept(record, URIRef(concept))

    def _concept(self, record: URIRef, concept: URIRef) -> None:
        graph = self.graph
        scheme = concept[len(TAXONOMY) :].split("/", 1)[0]
        if scheme != _PRODUCTS:
            graph.add((record, _CONCEPT_PROPERTIES[scheme], concept))
            return
        for offered in graph.objects(record, SSE.hasProductOrService):
            if (offered, SSE.productCategory, concept) in graph:
                return
        offered = BNode()
        graph.add((record, SSE.hasProductOrService, offered))
        graph.add((offered, RDF.type, SSE.ProductOrService))
        graph.add((offered, SSE.productCategory, concept))

    def _flag(self, record: URIRef, key: str, text: str, where: str) -> None:
        answer = text.casefold()
        if answer in ("yes", "only"):
            self.graph.add((record, SSE.qualifier, URIRef(concept_iri("qualifiers", _FLAGS[key]))))
        elif answer != "no":
            # "limited" (some of the products) does not make the initiative's products organic.
            self._count(f"{key}={text!r} is not yes, only or no: no qualifier given", where)

    def _date(self, record: URIRef, key: str, text: str, where: str) -> None:
        moment = None
        if _EPOCH_MILLISECONDS.fullmatch(text):
            try:
                moment = datetime.fromtimestamp(float(text) / 1000, tz=UTC)
            except (OverflowError, OSError, ValueError):
                moment = None
        if moment is None:
            self._problem(
                f"{key} {text!r} is no time in milliseconds since 1970: not converted", where
            )
            return
        lexical = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.graph.add((record, _DATES[key], Literal(lexical, datatype=XSD.dateTime)))

    def _address(self, record: URIRef, parts: dict[str, str], where: str) -> None:
        if not parts:
            return
        graph = self.graph
        address = BNode()
        graph.add((record, VCARD.hasAddress, address))
        graph.add((address, RDF.type, VCARD.Address))
        country = parts.get("addr:country")
        code = None
        if country:
            graph.add((address, VCARD["country-name"], Literal(country)))
            origin = json_origin(self.name, f"{where}/addr:country")
            add_concept(
                self.conversion,
                self.matcher,
                address,
                SSE.country,
                country,
                origin,
                field="addr:country",
            )
            found = graph.value(address, SSE.country)
            concept = self.matcher.concept(str(found)) if isinstance(found, URIRef) else None
            code = concept.code if concept else None
        street = _street(parts.get("addr:street"), parts.get("addr:housenumber"), code)
        for predicate, text in (
            (VCARD["street-address"], street),
            (VCARD.locality, parts.get("addr:city")),
            (VCARD["postal-code"], parts.get("addr:postcode")),
        ):
            if text:
                graph.add((address, predicate, Literal(text)))

    def _location(self, record: URIRef, feature: dict, pointer: str) -> None:
        geometry = feature.get("geometry")
        if geometry is None:
            where = f"{pointer}/geometry" if "geometry" in feature else pointer
            self._problem("feature without geometry: no coordinates", where)
            return
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind != "Point":
            self._problem(
                f"the geometry is a {kind or json.dumps(geometry)[:40]}, not a Point: "
                "no coordinates",
                f"{pointer}/geometry",
            )
            return
        coordinates = geometry.get("coordinates")
        if not (
            isinstance(coordinates, list)
            and len(coordinates) >= 2
            and all(_finite_number(c) for c in coordinates[:2])
        ):
            self._problem(
                "the Point's coordinates are not [longitude, latitude] numbers: no coordinates",
                f"{pointer}/geometry/coordinates",
            )
            return
        longitude, latitude = coordinates[0], coordinates[1]
        self.graph.add((record, GEO.lat, coordinate(latitude)))
        self.graph.add((record, GEO.long, coordinate(longitude)))


def _identifier(value: object) -> str | None:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def _parts(text: str) -> list[str]:
    """The values of an OSM multi-valued key (``;``-separated)."""
    return [part.strip() for part in text.split(";") if part.strip()]


def _several(text: str, fits: re.Pattern | None) -> list[str]:
    """The values in ``text`` when it holds several, each ``fits``, separated by spaces, commas
    or bars ("a@x.org, b@x.org"); else ``text`` as one value."""
    pieces = re.split(r"[\s,|]+", text)
    if fits is not None and len(pieces) > 1 and all(fits.fullmatch(p) for p in pieces):
        return pieces
    return [text]


def _web_address(text: str) -> URIRef | None:
    """An http(s) address, or a bare domain (``www.x.org``) given ``http://``."""
    address = _http_iri(text) or (_BARE_DOMAIN.fullmatch(text) and _http_iri("http://" + text))
    return URIRef(address) if address else None


def _http_iri(text: str) -> str | None:
    """``text`` as an absolute http(s) IRI, characters an IRI may not hold (``[`` in a query,
    as OSM data has) percent-encoded; None when it is no such address."""
    text = text.strip()
    if re.search(r"\s", text):
        return None
    return http_iri(text) or http_iri(quote(text, safe=_URI_CHARACTERS))


def _street(street: str | None, number: str | None, country: str | None) -> str | None:
    if not number or (street and number in street):
        return street or number
    if not street:
        return number
    return f"{number} {street}" if country in _NUMBER_FIRST else f"{street} {number}"


def _finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@functools.lru_cache(maxsize=1024)
def _suggestion(key: str) -> str:
    """`` (did you mean 'description:de'?)`` for a misspelt key, else nothing."""
    pool = list(_KNOWN)
    if re.search(r"[:_]", key):
        suffix = re.split(r"[:_]", key)[-1]
        pool += [f"{field}:{suffix}" for field in ("name", "description")]
    close = difflib.get_close_matches(key, pool, n=1, cutoff=0.9)
    return f" (did you mean {close[0]!r}?)" if close else ""


__all__ = ["InitiativeType", "convert", "initiative_types"]
