"""A DCAT catalogue as a source: each of its datasets harvested as a source of its own.

A source of kind ``dcat`` has the URL of a catalogue in Turtle, RDF/XML, JSON-LD or any RDF
syntax the parse gate reads. Its pages are followed as ckanext-dcat writes them (Hydra:
``hydra:next`` of a ``PartialCollectionView``, or the older ``hydra:nextPage`` of a
``PagedCollection``, literal or IRI; same site only, ``[fetch] max_pages``), and every
``dcat:Dataset`` is read (sub-catalogues, ``dct:hasPart``, are not followed).

**Each dataset becomes a source** (``<catalogue id>/<key>``, graphs
``<catalogue graph>/datasets/<key>`` and ``.../quarantine``), harvested by the ordinary
pipeline with its own activity, conditional requests, quarantine and swap: one dataset failing
leaves the others, and its own previous copy, untouched; and each dataset keeps its own licence
on its records and its ``dcat:Dataset`` description. The key is stable from one harvest to the
next: a hash of the dataset's IRI, else of its ``dct:identifier`` (a blank-node dataset without
one is reported: it could not be recognised next time).

For each dataset, the distribution harvested is the first in a format we import, RDF before
CSV before GeoJSON (distributions are one dataset in several formats; taking them all would
repeat its records); its format comes from ``dcat:mediaType``, else ``dct:format`` (a media
type, an EU file-type IRI or a name such as ``CSV``), else the URL's extension; its address
from ``dcat:downloadURL``, else ``dcat:accessURL``. Its **licence** is the distribution's
``dct:license``, else the dataset's, else the catalogue's; it must be one the configuration
accepts. A dataset without a licence (or with several at the level that decides, or an unknown
one), without a distribution we import, or beyond ``max_datasets`` (datasets in the order of
their IRIs) is **reported, never guessed**: in the catalogue's activity (``error``) and in its
graph (``harvest:skipped``). A dataset gone from the catalogue (or beyond the cap) is retired:
its records are deleted, and the deletion recorded. A dataset still listed but skipped keeps
its last good copy.

The catalogue's own graph (``<catalogue graph>``) holds its description: ``dcat:Catalog``,
``dcat:dataset`` for each dataset source (with its ``dcterms:identifier`` and
``prov:wasDerivedFrom`` the dataset's IRI), the skipped datasets and the fetch state.
Its activity counts the records of all its datasets; their changes are in their own
activities.

>>> from ssevalidate.harvest import harvest
>>> [result] = harvest("sources.toml", store, source_id="portal")       # doctest: +SKIP
>>> result.accepted, result.error                                         # doctest: +SKIP
(1204, '1 of 12 datasets not harvested: 3f2a... (Old map): no licence ...')
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

import httpx
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD
from rdflib.term import Node

from ssevalidate.fetch import DEFAULT_ACCEPT, Fetched
from ssevalidate.harvest.config import Config, Source, licence_iri
from ssevalidate.harvest.fetcher import follow, get
from ssevalidate.harvest.provenance import HarvestResult
from ssevalidate.harvest.storeio import Triple, ntriples, select
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.parsegate import InputError, format_name, read
from ssevalidate.store import Store

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
_LONGEST_REPORT = 2000

# Formats we import, best first: RDF is lossless, a CSV needs its columns recognised.
_RDF_TYPES = (
    "text/turtle",
    "application/rdf+xml",
    "application/n-triples",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
)
_MEDIA_KINDS = {
    **dict.fromkeys(_RDF_TYPES, "rdf"),
    "text/csv": "csv",
    "application/geo+json": "geojson",
    "application/vnd.geo+json": "geojson",
}
_FILE_TYPES = {  # http://publications.europa.eu/resource/authority/file-type/<code>
    **dict.fromkeys(
        ("RDF", "RDF_TURTLE", "RDF_XML", "RDF_N_TRIPLES", "JSON_LD", "RDF_TRIG", "RDF_N_QUADS"),
        "rdf",
    ),
    "CSV": "csv",
    "GEOJSON": "geojson",
}
_NAMES = {"TURTLE": "rdf", "TTL": "rdf", "RDF/XML": "rdf", "JSON-LD": "rdf", "N-TRIPLES": "rdf"}
_EXTENSIONS = {
    **dict.fromkeys((".ttl", ".rdf", ".nt", ".jsonld", ".trig", ".nq"), "rdf"),
    ".csv": "csv",
    ".geojson": "geojson",
}
_RANK = {"rdf": 0, "csv": 1, "geojson": 2}

Harvest = Callable[[Source, Store, Config], HarvestResult]


@dataclass(frozen=True)
class Dataset:
    """One dataset of the catalogue: the source it becomes, or why it is skipped."""

    key: str
    node: Node | None
    """Its IRI, or the blank node its ``dct:identifier`` names; None when it has neither."""
    source: Source | None
    reason: str | None = None
    capped: bool = False
    """Beyond ``max_datasets``: not harvested, and retired if it was."""

    @property
    def kept(self) -> bool:
        """Whether its graphs stay: harvested now, or skipped but still listed (a copy
        harvested before is kept)."""
        return self.node is not None and not self.capped


def harvest_catalogue(
    source: Source,
    store: Store,
    config: Config,
    result: HarvestResult,
    stage: Callable[[str], None],
    *,
    allow: Iterable[str],
    harvest: Harvest,
    retire: Harvest,
) -> None:
    """Read the catalogue, harvest each dataset with ``harvest``, retire the datasets gone
    with ``retire``, then swap in the catalogue's own graph. Raises when the catalogue cannot
    be read (nothing is changed then)."""
    stage("fetch")
    catalogue, pages = _read_catalogue(source, config, allow)
    result.url = pages[0].url
    result.bytes = sum(len(page.data) for page in pages)
    result.bytes_hash = _digest(b"".join(page.data for page in pages))
    datasets = read_datasets(catalogue, source, config)
    if not datasets:
        # A catalogue gone wrong (another document at its address) must not retire everything.
        raise InputError("no dcat:Dataset in the catalogue", name=result.url)
    known = known_datasets(store, source)
    harvested = [dataset for dataset in datasets if dataset.source is not None]
    results = [harvest(dataset.source, store, config) for dataset in harvested]
    kept = {dataset.key for dataset in datasets if dataset.kept}
    retired = {key: retire(known[key], store, config) for key in sorted(set(known) - kept)}
    results += retired.values()
    # A retirement that failed is tried again next time: the dataset stays listed till then.
    still_listed = {key: known[key] for key, outcome in retired.items() if not outcome.ok}
    for outcome in results:
        result.records_read += outcome.records_read
        result.accepted += outcome.accepted
        result.rejected += outcome.rejected
    result.error = _report(datasets, harvested, results)
    stage("store")
    triples = _description(source, catalogue, datasets, known, still_listed, result)
    store.replace_graph(source.graph, ntriples(triples), "ntriples")
    result.outcome = "harvested"


def read_datasets(catalogue: Graph, source: Source, config: Config) -> list[Dataset]:
    """Every dataset of ``catalogue``, in the order of its IRI (or identifier), each with the
    source it becomes or the reason it is skipped."""
    catalogues = set(catalogue.subjects(RDF.type, DCAT.Catalog))
    candidates = {d for c in catalogues for d in catalogue.objects(c, DCAT.dataset)}
    candidates |= set(catalogue.subjects(RDF.type, DCAT.Dataset)) - catalogues
    catalogue_licences = {
        licence for c in catalogues for licence in catalogue.objects(c, DCTERMS.license)
    }
    datasets: dict[str, Dataset] = {}
    within_cap = 0
    for node in sorted(candidates, key=lambda n: _identity(catalogue, n) or f"~{n}"):
        identity = _identity(catalogue, node)
        if identity is None:
            key = _key(f"blank:{node}")
            datasets[key] = Dataset(key, None, None, _NO_IDENTITY)
            continue
        key = _key(identity)
        if key in datasets:
            continue  # listed on two pages
        if within_cap >= source.max_datasets:
            reason = f"beyond the {source.max_datasets} datasets max_datasets allows"
            datasets[key] = Dataset(key, node, None, reason, capped=True)
            continue
        within_cap += 1
        datasets[key] = _dataset(catalogue, node, key, catalogue_licences, source, config)
    return list(datasets.values())


def next_page(graph: Graph, url: str) -> str | None:
    """The Hydra link to the page after ``url``'s; :class:`InputError` when the page names
    several (stopping early would retire the datasets of the pages not read)."""
    links = {
        str(value)
        for term in (HYDRA.next, HYDRA.nextPage)
        for value in graph.objects(None, term)
        if isinstance(value, URIRef | Literal)
    }
    links.discard(url)  # some catalogues name the last page its own next
    if len(links) > 1:
        raise InputError("the catalogue page names several next pages", name=url)
    return next(iter(links), None)


# --- reading the catalogue ------------------------------------------------------------------


def _read_catalogue(
    source: Source, config: Config, allow: Iterable[str]
) -> tuple[Graph, list[Fetched]]:
    """Every page, parsed once (the next page is read from the parsed page), as one graph."""
    graphs: list[Graph] = []

    def parse_and_link(page: Fetched) -> str | None:
        graphs.append(_parse(page, bnode_prefix=f"p{len(graphs)}-"))
        return next_page(graphs[-1], page.url)

    first = get(source.url, config.fetch, allow, accept=DEFAULT_ACCEPT)
    pages = follow(first, source.url, config.fetch, allow, DEFAULT_ACCEPT, parse_and_link)
    catalogue = Graph()
    for graph in graphs:
        catalogue += graph
    return catalogue, pages


def _parse(page: Fetched, bnode_prefix: str) -> Graph:
    try:
        fmt = format_name(page.media_type) if page.media_type else None
    except InputError:
        fmt = None  # text/plain and the like: the extension, else the bytes, tell
    name = PurePosixPath(httpx.URL(page.url).path).name or "catalogue"
    return read(page.data, name=name, format=fmt, bnode_prefix=bnode_prefix).graph


def _identity(graph: Graph, node: Node) -> str | None:
    if isinstance(node, URIRef):
        return str(node)
    identifier = next(graph.objects(node, DCTERMS.identifier), None)
    return f"identifier:{identifier}" if isinstance(identifier, Literal) else None


def _key(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


def _dataset(
    graph: Graph,
    node: Node,
    key: str,
    catalogue_licences: set[Node],
    source: Source,
    config: Config,
) -> Dataset:
    offers = []
    for distribution in graph.objects(node, DCAT.distribution):
        url = next(graph.objects(distribution, DCAT.downloadURL), None) or next(
            graph.objects(distribution, DCAT.accessURL), None
        )
        kind = _kind(graph, distribution, url)
        if isinstance(url, URIRef) and kind is not None and _web(str(url)):
            offers.append((_RANK[kind], str(url), kind, distribution))
    if not offers:
        return Dataset(key, node, None, _NO_FORMAT)
    _, url, kind, distribution = min(offers, key=lambda offer: offer[:2])
    levels = (
        ("distribution", set(graph.objects(distribution, DCTERMS.license))),
        ("dataset", set(graph.objects(node, DCTERMS.license))),
        ("catalogue", catalogue_licences),
    )
    where, licences = next(((w, found) for w, found in levels if found), ("", set()))
    if not licences:
        return Dataset(key, node, None, "no licence (distribution, dataset or catalogue)")
    if len(licences) > 1:
        return Dataset(key, node, None, f"several licences on the {where}: none is chosen")
    [licence] = licences
    try:
        if isinstance(licence, BNode):
            raise ValueError("the licence is a blank node, not an IRI")
        licence = licence_iri(str(licence), config.licences)
    except ValueError as error:
        return Dataset(key, node, None, f"{where} licence: {error}")
    graph_iri = _graph(source, key)
    return Dataset(
        key,
        node,
        Source(
            id=f"{source.id}/{key}",
            title=_title(graph, node) or f"{source.title} ({key})",
            url=url,
            kind=kind,
            licence=licence,
            graph=graph_iri,
            quarantine=f"{graph_iri}/quarantine",
            profile=source.profile,
            base=source.base,
        ),
    )


def _kind(graph: Graph, distribution: Node, url: Node | None) -> str | None:
    """The source kind that imports a distribution, from its media type, its format, or its
    URL's extension; None when we import none of them."""
    for value in graph.objects(distribution, DCAT.mediaType):
        media = str(value).removeprefix("http://www.iana.org/assignments/media-types/")
        media = media.removeprefix("https://www.iana.org/assignments/media-types/").lower()
        if media.split(";")[0].strip() in _MEDIA_KINDS:
            return _MEDIA_KINDS[media.split(";")[0].strip()]
    for value in graph.objects(distribution, DCTERMS.format):
        text = str(value)
        code = text.rsplit("/file-type/", 1)[-1] if "/file-type/" in text else None
        if code in _FILE_TYPES:
            return _FILE_TYPES[code]
        name = text.strip().lower().split(";")[0]
        upper = text.strip().upper()
        if name in _MEDIA_KINDS or upper in _FILE_TYPES or upper in _NAMES:
            return _MEDIA_KINDS.get(name) or _FILE_TYPES.get(upper) or _NAMES[upper]
    if url is not None:
        return _EXTENSIONS.get(PurePosixPath(httpx.URL(str(url)).path).suffix.lower())
    return None


def _web(url: str) -> bool:
    try:
        return httpx.URL(url).scheme in ("http", "https")
    except httpx.InvalidURL:
        return False


def _title(graph: Graph, node: Node) -> str | None:
    titles = [t for t in graph.objects(node, DCTERMS.title) if isinstance(t, Literal)]
    preferred = sorted(titles, key=lambda t: (t.language not in (None, "en"), str(t)))
    return str(preferred[0]) if preferred else None


def _graph(source: Source, key: str) -> str:
    return f"{source.graph}/datasets/{key}"


_NO_IDENTITY = (
    "a dataset without an IRI or dct:identifier: it could not be recognised at the next harvest"
)
_NO_FORMAT = "no distribution in a format harvested (RDF, CSV, GeoJSON) at an http(s) URL"


# --- the catalogue's graph ------------------------------------------------------------------


def known_datasets(store: Store, source: Source) -> dict[str, Source]:
    """The dataset sources the catalogue's last harvest listed, by key, as much of them as
    retiring them takes (:func:`ssevalidate.harvest.pipeline.retire_source`)."""
    rows = select(
        store,
        f"""SELECT ?dataset ?id WHERE {{ GRAPH <{source.graph}> {{
            <{source.graph}> <{DCAT.dataset}> ?dataset . ?dataset <{DCTERMS.identifier}> ?id
        }} }}""",
    )
    prefix = f"{source.graph}/datasets/"
    known = {}
    for row in rows:
        key, graph = row["dataset"].removeprefix(prefix), row["dataset"]
        known[key] = Source(
            id=row["id"],
            title=source.title,
            url=source.url,
            kind=source.kind,
            licence="",
            graph=graph,
            quarantine=f"{graph}/quarantine",
        )
    return known


def _description(
    source: Source,
    catalogue: Graph,
    datasets: list[Dataset],
    known: dict[str, Source],
    still_listed: dict[str, Source],
    result: HarvestResult,
) -> list[Triple]:
    """The catalogue source's graph: what it lists, what it skipped, and the fetch state."""
    me = URIRef(source.graph)
    triples: list[Triple] = [
        (me, RDF.type, DCAT.Catalog),
        (me, DCTERMS.identifier, Literal(source.id)),
        (me, DCTERMS.title, Literal(source.title)),
        (me, DCTERMS.modified, Literal(result.started, datatype=XSD.dateTime)),
        (me, PROV.wasDerivedFrom, URIRef(source.url)),
        (me, PROV.wasGeneratedBy, URIRef(result.activity)),
        (me, HARVEST.fingerprint, Literal(source.fingerprint())),
        (me, HARVEST.bytesHash, Literal(result.bytes_hash)),
    ]
    for listed in still_listed.values():
        triples.append((me, DCAT.dataset, URIRef(listed.graph)))
        triples.append((URIRef(listed.graph), DCTERMS.identifier, Literal(listed.id)))
    for dataset in datasets:
        if dataset.source is not None or (dataset.kept and dataset.key in known):
            # Skipped but harvested before: still listed, so its last good copy is kept.
            graph = URIRef(_graph(source, dataset.key))
            identifier = (dataset.source or known[dataset.key]).id
            triples.append((me, DCAT.dataset, graph))
            triples.append((graph, DCTERMS.identifier, Literal(identifier)))
            if isinstance(dataset.node, URIRef):
                triples.append((graph, PROV.wasDerivedFrom, dataset.node))
        if dataset.reason is not None:
            node = BNode()
            triples.append((me, HARVEST.skipped, node))
            triples.append((node, HARVEST.error, Literal(dataset.reason)))
            if isinstance(dataset.node, URIRef):
                triples.append((node, PROV.wasDerivedFrom, dataset.node))
            elif dataset.node is not None:
                identifier = next(catalogue.objects(dataset.node, DCTERMS.identifier))
                triples.append((node, DCTERMS.identifier, Literal(str(identifier))))
    return triples


def _report(datasets: list[Dataset], harvested: list[Dataset], results) -> str | None:
    """The datasets skipped or failed, for the catalogue's activity; None when none."""
    titles = {d.source.id: d.source.title for d in harvested}
    problems = [f"{d.key}: {d.reason}" for d in datasets if d.reason is not None]
    problems += [
        f"{r.source.rsplit('/', 1)[-1]} ({titles.get(r.source, '')}): {r.error}"
        for r in results
        if r.outcome == "failed"
    ]
    if not problems:
        return None
    text = f"{len(problems)} of {len(datasets)} datasets not harvested: " + "; ".join(problems)
    return text if len(text) <= _LONGEST_REPORT else text[: _LONGEST_REPORT - 1] + "…"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


__all__ = ["HYDRA", "Dataset", "harvest_catalogue", "known_datasets", "next_page", "read_datasets"]
