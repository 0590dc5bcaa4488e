"""Another aggregator's change feed as a source: all of it once, then only what changed.

A source of kind ``feed`` has the URL of another instance's ``/feed``
(:mod:`ssevalidate.harvest.activitystreams`). The first harvest reads the collection and
every page; each ``Create`` and ``Update`` brings a record (its JSON-LD object, parsed through
the parse gate like any harvested byte), deletions are skipped (nothing to delete yet).
The time of the newest change read is the source's **feed position**, kept with the fetch state
in the source's graph (``harvest:feedPosition``), so it is swapped in with the data it
describes: a harvest that fails keeps the previous graph *and* the previous position.

The next harvests ask for ``?since=<position>`` only. They start from the records stored by the
last harvest, accepted and quarantined alike (less what the harvester added: the record's
``dcterms:source`` and ``dcterms:license`` for this source and its content hash), apply each
change in order (a creation or an update replaces the record, a deletion removes it), then the
pipeline validates every record again, splits and swaps as for any source. Nothing new: the
harvest is ``unchanged`` and writes nothing. A feed that no longer keeps changes that old
(``410 Gone``, its ``retainedSince`` after the position) is read again from the start.
Changing the source's settings also starts again from the start.

>>> from ssevalidate.harvest.sources_feed import read
>>> reading = read(source, store, previous_state, FetchSettings())     # doctest: +SKIP
>>> reading.download.outcome, reading.conversion.records                # doctest: +SKIP
('modified', 312)

What the other instance added to a record (its own ``dcterms:source``, its licence) stays: it
says where the record comes from. Only the record and the blank nodes it reaches are taken
from each object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import httpx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from ssevalidate import parsegate
from ssevalidate.fetch import Fetched, FetchError
from ssevalidate.harvest.activitystreams import MEDIA_TYPE, Item, next_link, read_document
from ssevalidate.harvest.config import FetchSettings, Source
from ssevalidate.harvest.construct import construct
from ssevalidate.harvest.fetcher import Download, follow, get
from ssevalidate.harvest.records import Records, Triple
from ssevalidate.harvest.state import FetchState
from ssevalidate.harvest.storeio import select
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.importers.conversion import Conversion, json_origin
from ssevalidate.parsegate import InputError
from ssevalidate.store import Store

ACCEPT = f"{MEDIA_TYPE}, application/ld+json;q=0.9, application/json;q=0.5"


@dataclass(frozen=True)
class FeedReading:
    """What one harvest read from a feed: the pages (``download``; ``"unchanged"`` when no
    change came), the records to validate, and the fetch state to store with them."""

    download: Download
    conversion: Conversion | None
    state: list[Triple]


def read(
    source: Source,
    store: Store,
    previous: FetchState | None,
    settings: FetchSettings,
    allow: Iterable[str] = (),
) -> FeedReading:
    """Read ``source``'s feed from the position of the last harvest (everything when there is
    none, it is too old, or the source's settings changed); :class:`FetchError` or
    :class:`InputError` when the feed cannot be read."""
    position = None
    if previous is not None and previous.fingerprint == source.fingerprint():
        position = stored_position(store, source.graph)
    pages = _changes_since(source, position, settings, allow) if position else None
    if pages is None:
        position = None
        pages = _walk(source.url, source, settings, allow)
    items: list[tuple[str, Item]] = []
    for number, page in enumerate(pages, 1):
        name = _name(source, number)
        items.extend((name, item) for item in read_document(page.data, name).items)
    outcome = "unchanged" if position is not None and not items else "modified"
    download = Download(
        outcome, pages[0].url, (), sum(len(p.data) for p in pages), None, None, None, MEDIA_TYPE
    )
    if outcome == "unchanged":
        return FeedReading(download, None, [])
    records = _stored_records(store, source) if position is not None else {}
    for number, (name, item) in enumerate(items):
        if item.kind == "Delete":
            records.pop(item.record, None)
        else:
            records[item.record] = (
                _parsed(item, name, source, f"i{number}-"),
                json_origin(name, f"{item.pointer}/object"),
            )
    conversion = Conversion("feed")
    for record, (triples, origin) in records.items():
        for triple in triples:
            conversion.graph.add(triple)
        conversion.add_record(record, origin)
    newest = max((item.time for _, item in items), key=datetime.fromisoformat, default=position)
    state = []
    if newest is not None:
        state.append(
            (URIRef(source.graph), HARVEST.feedPosition, Literal(newest, datatype=XSD.dateTime))
        )
    return FeedReading(download, conversion, state)


def stored_position(store: Store, graph: str) -> str | None:
    """The feed position stored with ``graph`` by its last good harvest."""
    rows = select(
        store, f"SELECT ?t WHERE {{ GRAPH <{graph}> {{ <{graph}> <{HARVEST.feedPosition}> ?t }} }}"
    )
    return rows[0]["t"] if rows else None


def _changes_since(
    source: Source, position: str, settings: FetchSettings, allow: Iterable[str]
) -> list[Fetched] | None:
    """The pages of changes after ``position``; None when the feed no longer keeps them."""
    url = str(httpx.URL(source.url).copy_set_param("since", position))
    try:
        return _walk(url, source, settings, allow)
    except FetchError:
        try:
            retained = read_document(get(source.url, settings, allow, accept=ACCEPT).data, "feed")
        except (FetchError, InputError):
            retained = None
        kept_since = retained.retained_since if retained else None
        if kept_since and datetime.fromisoformat(position) < datetime.fromisoformat(kept_since):
            return None
        raise


def _walk(url: str, source: Source, settings: FetchSettings, allow: Iterable[str]):
    first = get(url, settings, allow, accept=ACCEPT)
    return follow(first, source.url, settings, allow, ACCEPT, lambda page: next_link(page.data))


def _name(source: Source, number: int) -> str:
    return f"{source.id} feed page {number}"


def _parsed(item: Item, name: str, source: Source, bnode_prefix: str) -> list[Triple]:
    """The record's triples from its JSON-LD object (its own document: blank node labels do
    not reach across objects), without this source's own annotations."""
    document = parsegate.read(
        json.dumps(item.record_object).encode(),
        name=f"{name}#{item.pointer}/object",
        format="jsonld",
        bnode_prefix=bnode_prefix,
    )
    return _own(document.graph, item.record, source)


def _stored_records(store: Store, source: Source) -> dict[str, tuple[list[Triple], dict]]:
    """The records of the last good harvest: accepted and quarantined."""
    records = {}
    for graph, prefix in ((source.quarantine, "q"), (source.graph, "a")):
        found = construct(
            store,
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            bnode_prefix=f"{prefix}-",
        )
        subjects = {s for s in found.subjects() if isinstance(s, URIRef) and str(s) != graph}
        for subject in sorted(subjects):
            records[str(subject)] = (_own(found, str(subject), source), {"file": graph})
    return records


def _own(graph: Graph, record: str, source: Source) -> list[Triple]:
    """``record`` and the blank nodes it reaches, less what this source's harvests add (its
    source, licence, hash and feed times: added again, and a record read from the feed must
    hash as when stored)."""
    iri = URIRef(record)
    added = {
        (iri, DCTERMS.source, URIRef(source.graph)),
        (iri, DCTERMS.license, URIRef(source.licence)),
    }
    return [
        triple
        for triple in Records(graph, [record]).owned(iri)
        if triple not in added and not str(triple[1]).startswith(str(HARVEST))
    ]


__all__ = ["ACCEPT", "FeedReading", "read", "stored_position"]
