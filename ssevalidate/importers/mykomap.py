"""The JSON MykoMap is served, as SSE data.

MykoMap (DigitalCommons/mykomap) reads ``{"status": "success", "data": [row, ...]}``: the results
of a SPARQL query over ESSGlobal data, flattened, so an initiative with several activities or
qualifiers comes back as several rows with the same ``uri``; rows are merged by ``uri``. Keys
(mykomap ``FIELDS.md``): ``name``, ``uri``, ``desc``, ``www``, ``street``, ``locality``,
``region``, ``postcode``, ``countryId``, ``email``, ``tel``, ``twitter``, ``facebook``, ``lat``
and ``lng`` (the geo container's coordinates), ``manLat`` and ``manLng`` (a location set by
hand, ``"0"`` when there is none), ``within`` (the container), ``regorg`` (organisational
structure IRIs despite its name, or a Companies House IRI), ``baseMembershipType``,
``primaryActivity``, ``activity``, ``qualifier`` and ``dataset``. Concept values go through the
reconciler; keys outside these are reported once each.

>>> from ssevalidate.importers.mykomap import convert
>>> conversion = convert(open("cannedData.json", "rb").read(), name="cannedData.json")  # doctest: +SKIP
>>> conversion.origins["https://dev.lod.coop/ica/10"]                                # doctest: +SKIP
{'file': 'cannedData.json', 'pointer': '/data/0'}
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from ssevalidate.importers.conversion import Conversion, json_origin, pointer_token
from ssevalidate.importers.reading import default_base, json_document
from ssevalidate.importers.values import (
    account_page,
    add_companies_house,
    add_concept,
    company_number,
    coordinate,
    http_iri,
    web_address,
)
from ssevalidate.namespaces import GEO, SCHEMA, SSE, VCARD
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import Reconciler, reconciler

_TEXTS = {
    "name": SCHEMA.name,
    "desc": SCHEMA.description,
    "email": SCHEMA.email,
    "tel": SCHEMA.telephone,
}
_ADDRESS = {
    "street": VCARD["street-address"],
    "locality": VCARD.locality,
    "region": VCARD.region,
    "postcode": VCARD["postal-code"],
}
_CONCEPTS = {
    "regorg": SSE.organisationalStructure,
    "baseMembershipType": SSE.baseMembershipType,
    "primaryActivity": SSE.primaryActivity,
    "activity": SSE.activity,
    "qualifier": SSE.qualifier,
}
_SOCIAL = {"twitter": "https://twitter.com/", "facebook": "https://facebook.com/"}
_COORDINATES = ("lat", "lng", "manLat", "manLng")
_NOT_KEPT = {
    "within": "within (the geo container: a map link or a postcode unit) has no SSE "
    "counterpart and is not kept; lat and lng are its coordinates",
    "dataset": "dataset (the name of the MykoMap dataset) has no SSE counterpart: not kept",
}
_KNOWN = {"uri", "www", "countryId", *_TEXTS, *_ADDRESS, *_CONCEPTS, *_SOCIAL, *_COORDINATES}
_FIELDS = {
    **{str(predicate): key for key, predicate in {**_TEXTS, **_ADDRESS, **_CONCEPTS}.items()},
    str(SCHEMA.url): "www",
    str(SSE.country): "countryId",
    str(SSE.identifier): "regorg",
    str(GEO.lat): "lat",
    str(GEO.long): "lng",
}

Row = tuple[int, dict]
"""A row of ``data`` and its index there."""


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert MykoMap JSON. Record IRIs are the rows' ``uri`` (``base`` + it when it is not an
    absolute http(s) IRI). Raises :class:`InputError` when it is not such JSON, with the line and
    column of a syntax error or the pointer of what is not as expected."""
    rows = _rows(data, name)
    base = base or default_base(name)
    matcher = matcher or reconciler()
    conversion = Conversion("mykomap")
    conversion.fields = dict(_FIELDS)
    initiatives: dict[str, list[Row]] = {}
    for index, row in enumerate(rows):
        uri = row.get("uri")
        if not isinstance(uri, str) or not uri.strip():
            conversion.problem("row without a uri: skipped", json_origin(name, f"/data/{index}"))
            continue
        initiatives.setdefault(uri.strip(), []).append((index, row))
    leftovers: dict[str, tuple[str, dict, int]] = {}
    for uri, group in initiatives.items():
        record = URIRef(http_iri(uri) or base + quote(uri, safe=""))
        conversion.add_record(record, json_origin(name, f"/data/{group[0][0]}"))
        values = _values(conversion, group, name, leftovers)
        _initiative(conversion, matcher, record, values, name)
        _coordinates(conversion, record, group)
    for message, origin, count in leftovers.values():
        times = "once" if count == 1 else f"{count} times"
        conversion.problem(f"{message} ({times})", origin)
    return conversion


def _rows(data: bytes, name: str) -> list[dict]:
    document = json_document(data, name)
    if not isinstance(document, dict):
        raise InputError(
            'not MykoMap data: expected an object with a "data" array', name=name, pointer=""
        )
    if document.get("status", "success") != "success":
        raise InputError(
            f'the server answered {document["status"]!r} instead of "success": no data',
            name=name,
            pointer="/status",
        )
    rows = document.get("data")
    if not isinstance(rows, list):
        raise InputError(
            'not MykoMap data: "data" must be an array of initiatives', name=name, pointer="/data"
        )
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise InputError(
                "not MykoMap data: each initiative must be an object",
                name=name,
                pointer=f"/data/{index}",
            )
    return rows


def _values(
    conversion: Conversion,
    group: list[Row],
    name: str,
    leftovers: dict[str, tuple[str, dict, int]],
) -> dict[str, dict[str, str]]:
    """Key → each distinct text in the rows of one initiative → the pointer of its first cell.
    Keys not converted are counted into ``leftovers``."""
    values: dict[str, dict[str, str]] = {}
    for index, row in group:
        for key, value in row.items():
            if value is None or value == "":
                continue
            pointer = f"/data/{index}/{pointer_token(key)}"
            if key not in _KNOWN:
                message = _NOT_KEPT.get(
                    key, f"{key!r} is no MykoMap field this importer knows: not converted"
                )
                first, origin, count = leftovers.get(key, (message, json_origin(name, pointer), 0))
                leftovers[key] = (first, origin, count + 1)
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                text = str(value).strip()
                if text:
                    values.setdefault(key, {}).setdefault(text, pointer)
            else:
                conversion.problem(
                    f"{key} holds a {type(value).__name__} where a text was expected: "
                    "not converted",
                    json_origin(name, pointer),
                )
    return values


def _initiative(
    conversion: Conversion,
    matcher: Reconciler,
    record: URIRef,
    values: dict[str, dict[str, str]],
    name: str,
) -> None:
    graph = conversion.graph
    graph.add((record, RDF.type, SSE.Initiative))
    for key, predicate in _TEXTS.items():
        for text in values.get(key, {}):
            graph.add((record, predicate, Literal(text)))
    for text in values.get("www", {}):
        graph.add((record, SCHEMA.url, web_address(text)))
    for key, site in _SOCIAL.items():
        for text in values.get(key, {}):
            graph.add((record, SCHEMA.sameAs, account_page(site, text)))
    for key, predicate in _CONCEPTS.items():
        for text, pointer in values.get(key, {}).items():
            number = company_number(text) if key == "regorg" else None
            if number:
                add_companies_house(graph, record, number)
            else:
                origin = json_origin(name, pointer)
                add_concept(conversion, matcher, record, predicate, text, origin, field=key)
    address = BNode()
    for key, predicate in _ADDRESS.items():
        for text in values.get(key, {}):
            graph.add((address, predicate, Literal(text)))
    for text, pointer in values.get("countryId", {}).items():
        origin = json_origin(name, pointer)
        add_concept(conversion, matcher, address, SSE.country, text, origin, field="countryId")
    if (address, None, None) in graph:
        graph.add((address, RDF.type, VCARD.Address))
        graph.add((record, VCARD.hasAddress, address))


def _coordinates(conversion: Conversion, record: URIRef, group: list[Row]) -> None:
    """The location set by hand where there is one, else lat and lng; each distinct pair once."""
    pairs: dict[tuple[str, str], None] = {}
    for _, row in group:
        keys = ("manLat", "manLng") if _set_by_hand(row) else ("lat", "lng")
        lat, long = (str(row.get(key) or "").strip() for key in keys)
        if lat and long:
            pairs[lat, long] = None
    for lat, long in pairs:
        conversion.graph.add((record, GEO.lat, coordinate(lat)))
        conversion.graph.add((record, GEO.long, coordinate(long)))


def _set_by_hand(row: dict) -> bool:
    """Whether manLat/manLng hold a location ("0" or nothing means none)."""
    try:
        return any(float(row.get(key) or 0) != 0 for key in ("manLat", "manLng"))
    except (TypeError, ValueError):
        # Not a number: kept, so that the validator reports it.
        return True


__all__ = ["convert"]
