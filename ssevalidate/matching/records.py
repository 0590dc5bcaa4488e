"""The records the matcher compares, read from the store's source graphs.

A source graph is ``<base>sources/<id>`` (its quarantine, ``…/quarantine``, is not one); a
record is what the harvester marked as harvested from it: an IRI with ``dcterms:source`` the
graph. The matcher needs little of each record (:class:`Record`: names, websites, identifiers,
coordinates, on the record or else on its address); a reviewer sees a little more
(:class:`RecordView`: source title, address).

>>> from ssevalidate.matching.records import read_records
>>> [record.names for record in read_records(store, "urn:sse:harvest:")][:2]  # doctest: +SKIP
[('Riverside Wholefoods',), ('Riverside Wholefoods Co-op',)]
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from string import Template

from ssevalidate.harvest.storeio import select
from ssevalidate.store import Store

PREFIXES = """PREFIX sse: <https://w3id.org/sse/vocab/>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

SOURCE_ID = re.compile(r"[A-Za-z0-9._-]+")
"""What a source id may hold (the harvest configuration's rule)."""


@dataclass(frozen=True)
class Record:
    """What the rules compare: raw values, as published (the rules normalise them)."""

    iri: str
    sources: tuple[str, ...] = ()
    """The source graphs publishing this IRI (two when two sources share record IRIs)."""
    names: tuple[str, ...] = ()
    websites: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    """(scheme concept IRI, notation) pairs."""
    lat: float | None = None
    long: float | None = None


@dataclass
class RecordView:
    """One side of a match as a reviewer sees it; ``published`` is False once no source
    publishes the record any more."""

    iri: str
    name: str | None = None
    source: str | None = None
    """The source id (the last segment of its graph)."""
    source_title: str | None = None
    website: str | None = None
    address: str | None = None
    lat: float | None = None
    long: float | None = None
    published: bool = False


def source_graph(base: str, source_id: str) -> str:
    """The graph of source ``source_id``; a malformed id raises ValueError."""
    if not SOURCE_ID.fullmatch(source_id):
        raise ValueError(f"not a source id: {source_id!r}")
    return f"{base}sources/{source_id}"


def source_graphs(store: Store, base: str) -> list[str]:
    """The source graphs in ``store``, sorted: a source's ``<base>sources/<id>`` and, for a
    DCAT catalogue, each dataset's ``<base>sources/<id>/datasets/<key>`` (not quarantines)."""
    prefix = f"{base}sources/"
    return [
        graph
        for graph in store.graphs()
        if graph.startswith(prefix) and _is_source_graph(graph[len(prefix) :].split("/"))
    ]


def _is_source_graph(steps: list[str]) -> bool:
    return len(steps) == 1 or (len(steps) == 3 and steps[1] == "datasets")


def sources(store: Store, base: str) -> list[tuple[str, str]]:
    """(id, title) of every source graph, the id when it has no title."""
    prefix = f"{base}sources/"
    graphs = source_graphs(store, base)
    if not graphs:
        return []
    rows = select(
        store,
        PREFIXES + f"SELECT ?g ?title WHERE {{ VALUES ?g {{ {iri_values(graphs)} }} "
        "GRAPH ?g { ?g dcterms:title ?title } }",
    )
    titles = {row["g"]: row["title"] for row in rows}
    return [(g[len(prefix) :], titles.get(g, g[len(prefix) :])) for g in graphs]


_RECORDS = Template("""SELECT ?r ?name ?url ?scheme ?notation ?lat ?long ?addressLat ?addressLong
WHERE { GRAPH <$graph> {
  ?r dcterms:source <$graph> .
  { ?r schema:name ?name }
  UNION { ?r schema:url ?url }
  UNION { ?r sse:identifier ?identifier .
          ?identifier skos:notation ?notation ; sse:identifierScheme ?scheme }
  UNION { ?r geo:lat ?lat ; geo:long ?long }
  UNION { ?r vcard:hasAddress ?address . ?address geo:lat ?addressLat ; geo:long ?addressLong }
} }""")


@dataclass
class _Draft:
    sources: set[str] = field(default_factory=set)
    names: dict[str, None] = field(default_factory=dict)
    websites: dict[str, None] = field(default_factory=dict)
    identifiers: dict[tuple[str, str], None] = field(default_factory=dict)
    point: tuple[float, float] | None = None
    address_point: tuple[float, float] | None = None


def read_records(store: Store, base: str) -> list[Record]:
    """Every record of every source graph, sorted by IRI; one query per source."""
    drafts: dict[str, _Draft] = defaultdict(_Draft)
    for graph in source_graphs(store, base):
        for row in select(store, PREFIXES + _RECORDS.substitute(graph=graph)):
            draft = drafts[row["r"]]
            draft.sources.add(graph)
            if "name" in row:
                draft.names[row["name"]] = None
            if "url" in row:
                draft.websites[row["url"]] = None
            if "notation" in row:
                draft.identifiers[(row["scheme"], row["notation"])] = None
            if draft.point is None and "lat" in row:
                draft.point = coordinates(row["lat"], row["long"])
            if draft.address_point is None and "addressLat" in row:
                draft.address_point = coordinates(row["addressLat"], row["addressLong"])
    records = []
    for iri in sorted(drafts):
        draft = drafts[iri]
        lat, long = draft.point or draft.address_point or (None, None)
        records.append(
            Record(
                iri=iri,
                sources=tuple(sorted(draft.sources)),
                names=tuple(draft.names),
                websites=tuple(draft.websites),
                identifiers=tuple(draft.identifiers),
                lat=lat,
                long=long,
            )
        )
    return records


_VIEWS = Template("""SELECT ?r ?g ?title ?name ?url ?lat ?long ?addressLat ?addressLong
       ?street ?locality ?region ?postcode ?country
WHERE {
  VALUES ?r { $records }
  GRAPH ?g {
    ?r dcterms:source ?g .
    OPTIONAL { ?g dcterms:title ?title }
    { ?r schema:name ?name }
    UNION { ?r schema:url ?url }
    UNION { ?r geo:lat ?lat ; geo:long ?long }
    UNION { ?r vcard:hasAddress ?address .
            OPTIONAL { ?address vcard:street-address ?street }
            OPTIONAL { ?address vcard:locality ?locality }
            OPTIONAL { ?address vcard:region ?region }
            OPTIONAL { ?address vcard:postal-code ?postcode }
            OPTIONAL { ?address vcard:country-name ?country }
            OPTIONAL { ?address geo:lat ?addressLat ; geo:long ?addressLong } }
  }
  FILTER(STRSTARTS(STR(?g), "$prefix") && !CONTAINS(STRAFTER(STR(?g), "$prefix"), "/"))
}""")

_ADDRESS_PARTS = ("street", "locality", "region", "postcode", "country")


def describe(store: Store, base: str, iris: Iterable[str]) -> dict[str, RecordView]:
    """What a reviewer sees of each record of ``iris`` (unpublished ones have only their IRI)."""
    iris = sorted(set(iris))
    views = {iri: RecordView(iri) for iri in iris}
    if not iris:
        return views
    prefix = f"{base}sources/"
    query = _VIEWS.substitute(records=iri_values(iris), prefix=prefix)
    address_points: dict[str, tuple[float, float]] = {}
    for row in select(store, PREFIXES + query):
        view = views[row["r"]]
        if not view.published:
            view.published = True
            view.source = row["g"][len(prefix) :]
            view.source_title = row.get("title", view.source)
        view.name = view.name or row.get("name")
        view.website = view.website or row.get("url")
        if view.address is None and any(part in row for part in _ADDRESS_PARTS):
            view.address = ", ".join(row[part] for part in _ADDRESS_PARTS if row.get(part))
        if view.lat is None and "lat" in row:
            view.lat, view.long = coordinates(row["lat"], row["long"]) or (None, None)
        if "addressLat" in row:
            point = coordinates(row["addressLat"], row["addressLong"])
            if point:
                address_points.setdefault(row["r"], point)
    for iri, (lat, long) in address_points.items():
        if views[iri].lat is None:
            views[iri].lat, views[iri].long = lat, long
    return views


def coordinates(lat: str, long: str) -> tuple[float, float] | None:
    """(latitude, longitude) in degrees, or None when either is not a number on the globe."""
    try:
        point = float(lat), float(long)
    except ValueError:
        return None
    if not all(math.isfinite(value) for value in point):
        return None
    if abs(point[0]) > 90 or abs(point[1]) > 180:
        return None
    return point


def iri_values(iris: Iterable[str]) -> str:
    """IRIs (from the store, or checked) written for a VALUES clause."""
    return " ".join(f"<{iri}>" for iri in iris)


__all__ = [
    "PREFIXES",
    "Record",
    "RecordView",
    "coordinates",
    "describe",
    "iri_values",
    "read_records",
    "source_graph",
    "source_graphs",
    "sources",
]
