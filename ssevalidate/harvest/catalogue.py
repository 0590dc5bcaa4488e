"""A DCAT catalogue of the harvested sources and a VoID description of their graphs, written
into the store (graph ``<base>catalogue``) so SPARQL sees them, and read back to be served.

In the catalogue graph:

- ``<base>catalogue``: a ``dcat:Catalog`` (title, modified, ``foaf:homepage`` the sources
  page) that is also the ``void:Dataset`` of everything harvested (``void:triples``,
  ``void:entities``, ``void:sparqlEndpoint``, one ``void:subset`` per source);
- each source's graph IRI ``<base>sources/<id>``: a ``dcat:Dataset`` and a ``void:Dataset``
  with identifier, title, licence, ``dcat:landingPage`` (its page on this service),
  ``dcterms:modified`` (the end of its last harvest that swapped new data in), two
  ``dcat:Distribution`` (the source's own download with its media type, and this service's
  N-Triples dump of the accepted records), ``void:triples``, ``void:entities`` (the records),
  ``void:sparqlEndpoint``, ``void:dataDump`` and ``void:vocabulary``;
- for a DCAT catalogue source, each dataset it harvested (``<base>sources/<id>/datasets/<key>``)
  is a ``void:subset`` of it, a ``dcat:Dataset`` and ``void:Dataset`` with its identifier,
  title, licence (as its own graph describes them), ``void:triples`` and ``void:entities``, and
  counts in the totals.

A source's licence is its dataset's and its dump's ``dcterms:license``. A DCAT catalogue source
has none of its own (each of its datasets is harvested under the licence it gives, or skipped
without one: :mod:`ssevalidate.harvest.sources_dcat`): it gets no ``dcterms:license`` but a
``dcterms:rights`` statement saying so (:data:`PER_DATASET`), never a guessed licence nor an
empty IRI.

>>> from ssevalidate.harvest.catalogue import read_catalogue, write_catalogue
>>> write_catalogue(store, registry.config(), "https://sse.example")      # doctest: +SKIP
>>> read_catalogue(store, registry.config().base).serialize(format="turtle")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD
from rdflib.term import Node

from ssevalidate.harvest import sources_dcat
from ssevalidate.harvest.config import Config, Source
from ssevalidate.harvest.quality import latest
from ssevalidate.harvest.storeio import Triple, ntriples, select
from ssevalidate.namespaces import VOCAB
from ssevalidate.store import EmbeddedStore, RemoteStore, Store, StoreError

MEDIA_TYPES = {
    "sse-csv": "text/csv",
    "sea-csv": "text/csv",
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "murmurations": "application/json",
    "mykomap": "application/json",
}
"""The media type of what each source kind downloads (RDF dumps come in any syntax)."""
IANA = "https://www.iana.org/assignments/media-types/"
PREFIXES = {"dcat": DCAT, "dcterms": DCTERMS, "void": VOID, "foaf": FOAF, "xsd": XSD}
"""The prefixes the catalogue is written with (Turtle prefixes, JSON-LD context)."""
TITLE = "Solidarity-economy directories harvested by this aggregator"
PER_DATASET = (
    "No licence of its own: each dataset of this catalogue is published under the licence it "
    "gives (its distribution's, its own or its catalogue's), written on its records; a dataset "
    "without one is not harvested."
)
"""The rights statement of a source without a licence of its own (a DCAT catalogue)."""
_BATCH = 10_000


def catalogue_graph_iri(base: str) -> str:
    """The graph holding the catalogue, and the IRI of the catalogue itself."""
    return f"{base}catalogue"


def data_url(service_url: str, source_id: str) -> str:
    """Where this service serves a source's accepted records as N-Triples."""
    return f"{service_url.rstrip('/')}/sources/{source_id}/data"


def catalogue(store: Store, config: Config, service_url: str) -> Iterator[Triple]:
    """The catalogue's triples, as of now."""
    service = service_url.rstrip("/")
    catalog = URIRef(catalogue_graph_iri(config.base))
    endpoint = URIRef(f"{service}/sparql")
    entities = _records_per_graph(store)
    harvested = latest(store, config.provenance_graph)
    yield catalog, RDF.type, DCAT.Catalog
    yield catalog, RDF.type, VOID.Dataset
    yield catalog, DCTERMS.title, Literal(TITLE, lang="en")
    yield catalog, DCTERMS.modified, _time(datetime.now(UTC))
    yield catalog, FOAF.homepage, URIRef(f"{service}/sources")
    yield catalog, VOID.sparqlEndpoint, endpoint
    total_triples = total_entities = 0
    for source in config.sources:
        triples = store.count(source.graph)
        total_triples += triples
        total_entities += entities.get(source.graph, 0)
        last = harvested[source.id].harvested if source.id in harvested else None
        yield catalog, DCAT.dataset, URIRef(source.graph)
        yield catalog, VOID.subset, URIRef(source.graph)
        yield from _dataset(source, service, endpoint, last and (last.ended or last.started))
        yield URIRef(source.graph), VOID.triples, _integer(triples)
        yield URIRef(source.graph), VOID.entities, _integer(entities.get(source.graph, 0))
        if source.kind == "dcat":
            datasets = _dataset_graphs(store, source)
            for graph in datasets:
                triples = store.count(graph)
                total_triples += triples
                total_entities += entities.get(graph, 0)
                yield URIRef(source.graph), VOID.subset, URIRef(graph)
                yield URIRef(graph), VOID.triples, _integer(triples)
                yield URIRef(graph), VOID.entities, _integer(entities.get(graph, 0))
                yield URIRef(graph), VOID.sparqlEndpoint, endpoint
            yield from _harvested_datasets(store, datasets)
    yield catalog, VOID.triples, _integer(total_triples)
    yield catalog, VOID.entities, _integer(total_entities)


def write_catalogue(store: Store, config: Config, service_url: str) -> None:
    """Replace the catalogue graph with :func:`catalogue` (one swap)."""
    data = ntriples(catalogue(store, config, service_url))
    store.replace_graph(catalogue_graph_iri(config.base), data, "ntriples")


def read_catalogue(store: Store, base: str) -> Graph:
    """The catalogue graph as written last (empty if it never was)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=b"".join(graph_dump(store, catalogue_graph_iri(base))), format="nt")
    return graph


def graph_dump(store: Store, graph: str) -> Iterator[bytes]:
    """The triples of ``graph`` as N-Triples, in chunks (a source may hold millions)."""
    if isinstance(store, EmbeddedStore):
        quads = store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        triples = (quad.triple for quad in quads)
        while batch := list(islice(triples, _BATCH)):
            yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES)
        return
    if isinstance(store, RemoteStore):
        url = store.graph_store_url
        try:
            with store.client.stream(
                "GET", url, params={"graph": graph}, headers={"Accept": "application/n-triples"}
            ) as response:
                if response.status_code == 404:
                    return
                if response.status_code >= 400:
                    raise StoreError(f"store at {url} answered HTTP {response.status_code}")
                yield from response.iter_bytes()
        except httpx.HTTPError as error:
            raise StoreError(f"store at {url} unreachable: {type(error).__name__}") from None
        return
    raise StoreError(f"cannot read a graph of a {type(store).__name__}")


def _dataset(
    source: Source, service: str, endpoint: URIRef, modified: datetime | None
) -> Iterator[Triple]:
    dataset = URIRef(source.graph)
    yield dataset, RDF.type, DCAT.Dataset
    yield dataset, RDF.type, VOID.Dataset
    yield dataset, DCTERMS.identifier, Literal(source.id)
    yield dataset, DCTERMS.title, Literal(source.title)
    yield dataset, DCAT.landingPage, URIRef(f"{service}/sources/{source.id}")
    if modified is not None:
        yield dataset, DCTERMS.modified, _time(modified)
    original = BNode()
    yield dataset, DCAT.distribution, original
    yield original, RDF.type, DCAT.Distribution
    yield original, DCTERMS.title, Literal("The source's own publication", lang="en")
    if source.query:
        yield original, DCAT.accessURL, URIRef(source.url)
    else:
        yield original, DCAT.downloadURL, URIRef(source.url)
    if source.kind in MEDIA_TYPES:
        yield original, DCAT.mediaType, URIRef(IANA + MEDIA_TYPES[source.kind])
    dump = URIRef(data_url(service, source.id))
    copy = BNode()
    yield dataset, DCAT.distribution, copy
    yield copy, RDF.type, DCAT.Distribution
    yield copy, DCTERMS.title, Literal("The accepted records, as harvested", lang="en")
    yield copy, DCAT.downloadURL, dump
    yield copy, DCAT.mediaType, URIRef(IANA + "application/n-triples")
    yield dataset, VOID.sparqlEndpoint, endpoint
    yield dataset, VOID.dataDump, dump
    yield dataset, VOID.vocabulary, URIRef(VOCAB)
    yield from _licence(source, (dataset, copy))


def _dataset_graphs(store: Store, source: Source) -> list[str]:
    """The graphs of the datasets a DCAT catalogue source harvested (as its graph lists them)."""
    return sorted(dataset.graph for dataset in sources_dcat.known_datasets(store, source).values())


def _harvested_datasets(store: Store, graphs: list[str]) -> Iterator[Triple]:
    """What the dataset ``graphs`` say of themselves: types, identifier, title, licence."""
    if not graphs:
        return
    values = " ".join(f"<{graph}>" for graph in graphs)
    rows = select(
        store,
        f"""SELECT ?g ?p ?o WHERE {{ VALUES ?g {{ {values} }} VALUES ?p {{
            <{RDF.type}> <{DCTERMS.identifier}> <{DCTERMS.title}> <{DCTERMS.license}> }}
            GRAPH ?g {{ ?g ?p ?o }} }}""",
    )
    for graph in graphs:
        yield URIRef(graph), RDF.type, VOID.Dataset
    for row in rows:
        value = URIRef(row["o"]) if row["p"] in _IRI_VALUED else Literal(row["o"])
        yield URIRef(row["g"]), URIRef(row["p"]), value


_IRI_VALUED = {str(RDF.type), str(DCTERMS.license)}


def _licence(source: Source, subjects: tuple[Node, ...]) -> Iterator[Triple]:
    """``source``'s licence on each of ``subjects``; for a source without one of its own (a
    DCAT catalogue), the rights statement :data:`PER_DATASET` instead."""
    if source.licence:
        for subject in subjects:
            yield subject, DCTERMS.license, URIRef(source.licence)
        return
    # Never URIRef(""): an empty licence is the relative IRI <>, which no store takes.
    statement = BNode()
    for subject in subjects:
        yield subject, DCTERMS.rights, statement
    yield statement, RDF.type, DCTERMS.RightsStatement
    yield statement, RDFS.label, Literal(PER_DATASET, lang="en")


def _records_per_graph(store: Store) -> dict[str, int]:
    rows = select(
        store,
        f"""SELECT ?g (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH ?g {{
            ?r <{DCTERMS.source}> ?g }} }} GROUP BY ?g""",
    )
    return {row["g"]: int(row["n"]) for row in rows}


def _integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


__all__ = [
    "MEDIA_TYPES",
    "PER_DATASET",
    "PREFIXES",
    "catalogue",
    "catalogue_graph_iri",
    "data_url",
    "graph_dump",
    "read_catalogue",
    "write_catalogue",
]
