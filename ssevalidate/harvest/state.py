"""A source's graph: its accepted records, the dataset description, and the fetch state.

The fetch state (ETag, Last-Modified, hash of the bytes, hash of each record) is written into
the same graph as the data, so one swap replaces both: the state can never be ahead of the data
(which would make the next harvest skip data it never stored), whatever moment the process dies.

Each accepted record gets ``dcterms:source`` (the dataset, which is also the graph's IRI) and
``dcterms:license``; the dataset carries its title, licence and URL:

>>> from ssevalidate.harvest.state import read_state
>>> read_state(store, "urn:sse:harvest:sources/ica")                # doctest: +SKIP
FetchState(etag='"5f2a"', last_modified=None, bytes_hash='sha256:…', fingerprint='…', …)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

from ssevalidate.harvest.config import Source
from ssevalidate.harvest.storeio import Triple, select
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.store import Store


@dataclass(frozen=True)
class FetchState:
    """What the last good harvest of a source left for the next one."""

    etag: str | None = None
    last_modified: str | None = None
    bytes_hash: str | None = None
    fingerprint: str | None = None
    activity: str | None = None
    """The harvest that produced the graph."""
    layout: str | None = None
    """:data:`TREE` when each stored record owns its blank nodes
    (:class:`~ssevalidate.harvest.records.Layout`): the next harvest may then replace only the
    records that changed."""


TREE = "tree"


_STATE_TERMS = {
    str(HARVEST.etag): "etag",
    str(HARVEST.lastModified): "last_modified",
    str(HARVEST.bytesHash): "bytes_hash",
    str(HARVEST.fingerprint): "fingerprint",
    str(PROV.wasGeneratedBy): "activity",
    str(HARVEST.recordLayout): "layout",
}


def read_state(store: Store, graph: str) -> FetchState | None:
    """The fetch state stored with ``graph``, or None when it was never harvested."""
    rows = select(store, f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ <{graph}> ?p ?o }} }}")
    found = {_STATE_TERMS[row["p"]]: row["o"] for row in rows if row["p"] in _STATE_TERMS}
    return FetchState(**found) if "fingerprint" in found else None


def read_record_hashes(store: Store, graph: str) -> dict[str, str]:
    """Record IRI → content hash, as of the last good harvest stored in ``graph``."""
    rows = select(
        store, f"SELECT ?r ?h WHERE {{ GRAPH <{graph}> {{ ?r <{HARVEST.recordHash}> ?h }} }}"
    )
    return {row["r"]: row["h"] for row in rows}


def description(
    source: Source, state: FetchState, hashes: dict[str, str], harvested: datetime
) -> Iterator[Triple]:
    """What the harvester adds to the accepted records in the source's graph: the dataset
    description, the fetch state, and the source, licence and content hash of each record."""
    dataset = URIRef(source.graph)
    licence = URIRef(source.licence)
    for record, digest in hashes.items():
        yield URIRef(record), DCTERMS.source, dataset
        yield URIRef(record), DCTERMS.license, licence
        yield URIRef(record), HARVEST.recordHash, Literal(digest)
    yield dataset, RDF.type, DCAT.Dataset
    yield dataset, DCTERMS.identifier, Literal(source.id)
    yield dataset, DCTERMS.title, Literal(source.title)
    yield dataset, DCTERMS.license, licence
    yield dataset, DCTERMS.modified, Literal(harvested, datatype=XSD.dateTime)
    distribution = BNode()
    yield dataset, DCAT.distribution, distribution
    yield distribution, RDF.type, DCAT.Distribution
    if source.query:
        yield distribution, DCAT.accessURL, URIRef(source.url)
        yield distribution, HARVEST.query, Literal(source.query)
    else:
        yield distribution, DCAT.downloadURL, URIRef(source.url)
    for term, attribute in _STATE_TERMS.items():
        value = getattr(state, attribute)
        if value is not None:
            yield (
                dataset,
                URIRef(term),
                URIRef(value) if attribute == "activity" else Literal(value),
            )


__all__ = ["TREE", "FetchState", "description", "read_record_hashes", "read_state"]
