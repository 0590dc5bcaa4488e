"""The change feed: which records were created, updated or deleted, since when, page by page.

>>> from ssevalidate.harvest.feed import read_changes
>>> page = read_changes(store, "urn:sse:harvest:", since="2025-05-01T00:00:00Z")  # doctest: +SKIP
>>> [(c.kind, c.record) for c in page.changes]                                     # doctest: +SKIP
[('Update', 'https://ica.coop/members/42'), ('Delete', 'https://ica.coop/members/7')]
>>> read_changes(store, "urn:sse:harvest:", after=page.changes[-1].position)      # doctest: +SKIP

**Where the changes are kept.** Each harvest writes, with the records in the source's graph
(:func:`feed_state`, swapped in with them, so the feed never runs ahead of or behind the
data): when each record was created and last changed (``harvest:createdAt``,
``harvest:changedAt``: the time the harvest stored it), and a tombstone for each record
deleted (``<graph> harvest:tombstone [ harvest:record <r> ; harvest:formerType <T> ;
harvest:deletedAt t ]``), kept by the following harvests for the ``retention``
(``[feed] retention``, 30 days by default), then dropped. The provenance graph keeps the whole
history; the feed is the current state of each record, in the order of its last change.

**What a reader gets.** Each record once, at its latest change, ordered by (time, graph,
record IRI): a record created then updated twice appears once, as its last update, so a reader
starting from nothing reads each current record once (and the recent deletions), not the whole
history. ``Create`` and ``Update`` carry the record's data *as it is now* (a reader stores them
alike). A page starts after a :class:`Position`, never at an offset: changes made while a
reader walks the pages move the changed records to the end, where the reader meets them, and
shift nothing it has not read. A reader that walks to the last page resumes later from the time
of the last change it read (``since``, exclusive). A ``since`` older than ``now - retention``
may miss deletions: it is refused (:class:`Expired`), and the reader starts again from the
first page.

**Cost.** The ordered list of (time, graph, record) is built with one query over the source
graphs and kept in memory until one of them is replaced (each graph's ``prov:wasGeneratedBy``
tells); a page then costs its own records' data only. Times are written as harvests store
their graphs; the order assumes they store one after another, as the harvester runs them.

Record data is read from the source's graph with the blank nodes the record reaches, up to
:data:`NESTING` levels deep (an address, an identifier, a site and its address...).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ssevalidate.harvest.construct import construct
from ssevalidate.harvest.records import Changes, Records, Triple
from ssevalidate.harvest.storeio import select
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.store import Store

DEFAULT_RETENTION = timedelta(days=30)
"""How long deletions are served."""
DEFAULT_PAGE_SIZE = 100
NESTING = 4
"""Levels of blank nodes followed from a record when its data is served."""

_PREFIXES = f"""PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX harvest: <{HARVEST}>
"""


class Expired(Exception):
    """``since`` is older than the retention: deletions after it may be gone from the feed."""

    def __init__(self, since: str, horizon: str) -> None:
        super().__init__(
            f"changes since {since} are no longer all kept (deletions are kept since {horizon}):"
            " read the whole feed again from its first page"
        )
        self.since = since
        self.horizon = horizon


@dataclass(frozen=True)
class Position:
    """Where a page starts: after the change of ``record`` in ``graph`` at ``time``; with
    ``graph`` None, after every change at ``time`` (the reading of ``since``)."""

    time: str
    graph: str | None = None
    record: str | None = None

    def token(self) -> str:
        """An opaque, URL-safe form of this position."""
        text = json.dumps([self.time, self.graph, self.record], separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str) -> Position:
        """The position a :meth:`token` names; :class:`ValueError` for anything else."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            time, graph, record = json.loads(text)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            raise ValueError("not a position of this feed") from None
        if not isinstance(time, str) or not all(
            isinstance(part, str | None) for part in (graph, record)
        ):
            raise ValueError("not a position of this feed")
        return cls(date_time(time), graph, record)

    def key(self) -> tuple[datetime, str, str]:
        # "\U0010ffff" sorts after every IRI: "after every change at this time".
        return (_instant(self.time), self.graph or "\U0010ffff", self.record or "")


@dataclass(frozen=True)
class Change:
    """The latest change of one record."""

    kind: str
    """``"Create"``, ``"Update"`` or ``"Delete"``."""
    record: str
    source: str
    """The graph of the source the record belongs to."""
    source_id: str
    time: str
    """When the harvest that made the change stored it (``xsd:dateTime``)."""
    data: list[Triple] = field(default_factory=list, repr=False)
    """The record's triples now (with the blank nodes it reaches); empty for a deletion."""
    former_types: tuple[str, ...] = ()
    """For a deletion: the record's types before it left."""

    @property
    def position(self) -> Position:
        return Position(self.time, self.source, self.record)


@dataclass(frozen=True)
class FeedPage:
    changes: list[Change]
    more: bool
    """Whether changes follow the last one of this page."""


@dataclass(frozen=True)
class PageStart:
    """Where a page begins: after ``after``, or at the start of the feed when it is None."""

    after: Position | None


def date_time(text: str) -> str:
    """``text`` as a UTC ``xsd:dateTime`` (a time without zone is read as UTC);
    :class:`ValueError` when it is not a date and time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text[:60]!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def horizon(retention: timedelta = DEFAULT_RETENTION, now: datetime | None = None) -> str:
    """The oldest ``since`` answered: deletions before it are no longer kept."""
    return date_time(((now or datetime.now(UTC)) - retention).isoformat())


# --- reading ----------------------------------------------------------------------------------


def read_changes(
    store: Store,
    base: str,
    *,
    since: str | None = None,
    after: Position | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> FeedPage:
    """Up to ``limit`` changes after ``since`` (an ``xsd:dateTime``) and after ``after``, with
    each record's data; :class:`Expired` when ``since`` is older than the retention."""
    entries, first = _view(store, base, since, retention, now)
    start = (
        max(first, bisect.bisect_right(entries, after.key(), key=_Entry.key)) if after else first
    )
    chosen = entries[start : start + limit]
    return FeedPage(_with_data(store, chosen), more=start + limit < len(entries))


def count_changes(
    store: Store,
    base: str,
    *,
    since: str | None = None,
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> int:
    """How many changes :func:`read_changes` walks through after ``since``."""
    entries, first = _view(store, base, since, retention, now)
    return len(entries) - first


def previous_page(
    store: Store,
    base: str,
    through: Position | None,
    *,
    since: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> PageStart | None:
    """Where the page of ``limit`` changes ending with the change at ``through`` (or with the
    newest change, when ``through`` is None) starts; None when there is no such change.

    The page before a page that starts after ``P`` is ``previous_page(..., P)``; the last page
    is ``previous_page(..., None)``."""
    entries, first = _view(store, base, since, retention, now)
    end = len(entries)
    if through is not None:
        end = bisect.bisect_right(entries, through.key(), key=_Entry.key)
    if end <= first:
        return None
    if end - limit <= first:
        return PageStart(None)
    return PageStart(entries[end - limit - 1].position())


# --- writing, at harvest time -----------------------------------------------------------------


def feed_state(
    store: Store,
    graph: str,
    records: Iterable[str],
    changes: Changes,
    moment: datetime,
    retention: timedelta = DEFAULT_RETENTION,
) -> Iterator[Triple]:
    """The triples a harvest adds to the source's ``graph`` for the feed: when each of
    ``records`` (those it publishes) was created and last changed, and the tombstones of the
    records deleted now or within ``retention`` (the previous ones are read from ``graph``,
    before it is replaced: the generator reads them at its first triple)."""
    now = Literal(date_time(moment.isoformat()), datatype=XSD.dateTime)
    times = {
        row["r"]: (row["created"], row["changed"])
        for row in select(
            store,
            f"""{_PREFIXES}SELECT ?r ?created ?changed WHERE {{ GRAPH <{graph}> {{
                ?r harvest:createdAt ?created ; harvest:changedAt ?changed }} }}""",
        )
    }
    published, created_now, updated_now = set(records), set(changes.created), set(changes.updated)
    for record in sorted(published):
        created, changed = times.get(record, (None, None))
        if record in created_now or created is None:
            created = changed = now
        elif record in updated_now:
            changed = now
        subject = URIRef(record)
        yield subject, HARVEST.createdAt, _time_literal(created)
        yield subject, HARVEST.changedAt, _time_literal(changed)
    oldest = _instant(horizon(retention, moment))
    kept = {
        record: stone
        for record, stone in _tombstones(store, graph).items()
        if record not in published and _instant(stone[0]) >= oldest
    }
    types = _types(store, graph, changes.deleted)
    kept.update({record: (str(now), types.get(record, ())) for record in changes.deleted})
    for record, (deleted, former_types) in sorted(kept.items()):
        node = BNode()
        yield URIRef(graph), HARVEST.tombstone, node
        yield node, HARVEST.record, URIRef(record)
        yield node, HARVEST.deletedAt, _time_literal(deleted)
        yield from ((node, HARVEST.formerType, URIRef(kind)) for kind in former_types)


# --- the ordered list of latest changes, kept until a source graph is replaced ------------------


@dataclass(frozen=True)
class _Entry:
    moment: datetime
    graph: str
    record: str
    kind: str
    time: str
    source_id: str
    former_types: tuple[str, ...]

    def key(self) -> tuple[datetime, str, str]:
        return (self.moment, self.graph, self.record)

    def position(self) -> Position:
        return Position(self.time, self.graph, self.record)


_VIEWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _view(
    store: Store, base: str, since: str | None, retention: timedelta, now: datetime | None
) -> tuple[list[_Entry], int]:
    """Every latest change in order, and the index of the first one after ``since``."""
    if since is not None:
        since = date_time(since)
        oldest = horizon(retention, now)
        if _instant(since) < _instant(oldest):
            raise Expired(since, oldest)
    version = frozenset(
        (row["g"], row["a"])
        for row in select(
            store,
            f"""{_PREFIXES}SELECT ?g ?a WHERE {{ GRAPH ?g {{ ?g prov:wasGeneratedBy ?a }}
                FILTER (STRSTARTS(STR(?g), {Literal(f"{base}sources/").n3()})) }}""",
        )
    )
    with _LOCK:
        cached = _VIEWS.setdefault(store, {}).get(base)
    if cached is None or cached[0] != version:
        cached = (version, _entries(store, base))
        with _LOCK:
            _VIEWS[store][base] = cached
    entries = cached[1]
    first = 0
    if since is not None:
        first = bisect.bisect_right(entries, Position(since).key(), key=_Entry.key)
    return entries, first


def _entries(store: Store, base: str) -> list[_Entry]:
    within = f"FILTER (STRSTARTS(STR(?g), {Literal(f'{base}sources/').n3()}))"
    ids = {
        row["g"]: row["id"]
        for row in select(
            store,
            f"""{_PREFIXES}SELECT ?g ?id WHERE {{ GRAPH ?g {{ ?g dcterms:identifier ?id }}
                {within} }}""",
        )
    }
    entries = []
    for row in select(
        store,
        f"""{_PREFIXES}SELECT ?g ?r ?created ?changed WHERE {{ GRAPH ?g {{
            ?r harvest:changedAt ?changed ; harvest:createdAt ?created }} {within} }}""",
    ):
        kind = "Create" if row["created"] == row["changed"] else "Update"
        graph, time = row["g"], date_time(row["changed"])
        entry = _Entry(_instant(time), graph, row["r"], kind, time, ids.get(graph, graph), ())
        entries.append(entry)
    stones: dict[tuple[str, str], tuple[str, set[str]]] = {}
    for row in select(
        store,
        f"""{_PREFIXES}SELECT ?g ?r ?deleted ?type WHERE {{ GRAPH ?g {{
            ?g harvest:tombstone ?stone . ?stone harvest:record ?r ; harvest:deletedAt ?deleted
            OPTIONAL {{ ?stone harvest:formerType ?type }} }} {within} }}""",
    ):
        types = stones.setdefault((row["g"], row["r"]), (row["deleted"], set()))[1]
        types.update([row["type"]] if "type" in row else [])
    for (graph, record), (deleted, types) in stones.items():
        source_id, time = ids.get(graph, graph), date_time(deleted)
        entry = _Entry(
            _instant(time), graph, record, "Delete", time, source_id, tuple(sorted(types))
        )
        entries.append(entry)
    entries.sort(key=_Entry.key)
    return entries


def _with_data(store: Store, entries: list[_Entry]) -> list[Change]:
    """Changes with the current data of created and updated records; a record without data
    now (its graph replaced since the list was built) is served as a deletion."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.kind != "Delete":
            wanted[entry.graph].append(entry.record)
    data = {graph: _record_data(store, graph, records) for graph, records in wanted.items()}
    changes = []
    for entry in entries:
        triples = data.get(entry.graph, {}).get(entry.record, [])
        kind = entry.kind if entry.kind == "Delete" or triples else "Delete"
        changes.append(
            Change(
                kind,
                entry.record,
                entry.graph,
                entry.source_id,
                entry.time,
                triples if kind != "Delete" else [],
                entry.former_types,
            )
        )
    return changes


def _record_data(store: Store, graph: str, records: list[str]) -> dict[str, list[Triple]]:
    """Each record's triples in ``graph``, without what the harvester keeps about it."""
    values = " ".join(f"<{record}>" for record in records)
    # One branch per level, each starting from the records (the store joins in this order).
    branches = [f"{{ VALUES ?r {{ {values} }} ?r ?p ?o BIND (?r AS ?s) }}"]
    path = f"VALUES ?r {{ {values} }} ?r ?p0 ?s0 FILTER (isBLANK(?s0))"
    for level in range(NESTING):
        branches.append(f"{{ {path} ?s{level} ?p ?o BIND (?s{level} AS ?s) }}")
        path += f" ?s{level} ?p{level + 1} ?s{level + 1} FILTER (isBLANK(?s{level + 1}))"
    found: Graph = construct(
        store,
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ {' UNION '.join(branches)} }} }}",
    )
    for triple in [t for t in found if str(t[1]).startswith(str(HARVEST))]:
        found.remove(triple)
    owned = Records(found, records)
    return {str(iri): list(owned.owned(iri)) for iri in owned.iris}


def _tombstones(store: Store, graph: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    rows = select(
        store,
        f"""{_PREFIXES}SELECT ?r ?deleted ?type WHERE {{ GRAPH <{graph}> {{
            <{graph}> harvest:tombstone ?stone . ?stone harvest:record ?r ;
                harvest:deletedAt ?deleted OPTIONAL {{ ?stone harvest:formerType ?type }} }} }}""",
    )
    stones: dict[str, tuple[str, set[str]]] = {}
    for row in rows:
        stones.setdefault(row["r"], (row["deleted"], set()))[1].update(
            [row["type"]] if "type" in row else []
        )
    return {record: (deleted, tuple(sorted(types))) for record, (deleted, types) in stones.items()}


def _types(store: Store, graph: str, records: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The types of ``records`` in ``graph``, read before a harvest deletes them."""
    wanted = " ".join(f"<{record}>" for record in records)
    if not wanted:
        return {}
    rows = select(
        store, f"SELECT ?r ?t WHERE {{ GRAPH <{graph}> {{ VALUES ?r {{ {wanted} }} ?r a ?t }} }}"
    )
    types: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        types[row["r"]].add(row["t"])
    return {record: tuple(sorted(values)) for record, values in types.items()}


def _time_literal(value: str | Literal) -> Literal:
    return value if isinstance(value, Literal) else Literal(value, datatype=XSD.dateTime)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_RETENTION",
    "NESTING",
    "Change",
    "Expired",
    "FeedPage",
    "PageStart",
    "Position",
    "count_changes",
    "date_time",
    "feed_state",
    "horizon",
    "previous_page",
    "read_changes",
]
