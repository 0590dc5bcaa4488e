"""The change feed as Activity Streams 2.0: the documents ``GET /feed`` serves, and reading
them back when harvesting another instance's feed.

``/feed`` (or ``/feed?since=2025-05-01T00:00:00Z``) is an ``OrderedCollection``::

    {"@context": ["https://www.w3.org/ns/activitystreams", {...}],
     "id": ".../feed", "type": "OrderedCollection", "totalItems": 312,
     "retainedSince": "2025-04-01T09:00:00Z",
     "first": ".../feed?page=first", "last": ".../feed?page=WyIyMDI1..."}

Its pages (``?page=first``, then the opaque positions the links carry; ``since`` is kept) are
``OrderedCollectionPage`` documents with ``partOf``, ``next`` (absent on the last page) and
``prev``, whose ``orderedItems`` are activities, oldest first::

    {"type": "Update", "published": "2025-05-02T06:00:00Z",
     "target": {"id": "<source graph>", "name": "ica"},
     "object": {"@context": "https://w3id.org/sse/context.jsonld",
                "id": "https://ica.coop/members/42", "type": "Initiative", "name": "...", ...}}
    {"type": "Delete", "published": "...", "target": {...},
     "object": {"id": "https://ica.coop/members/7", "type": "Tombstone",
                "formerType": ["https://w3id.org/sse/vocab/Initiative"],
                "deleted": "2025-05-02T06:00:00Z"}}

The record is JSON-LD in our context (:mod:`ssevalidate.harvest.recordjson`), so it is read
as the same triples, and ``Create`` and ``Update`` carry the record as it is now.
``retainedSince`` (``https://w3id.org/sse/harvest#retainedSince``) is the oldest ``since``
answered: an older one gets ``410 Gone``, and the reader starts again from ``first``.

>>> document = read_document(b'{"type": "OrderedCollection", "first": "/feed?page=first"}', "feed")
>>> document.first, document.items
('/feed?page=first', [])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import URIRef

from ssevalidate.harvest.feed import Change, FeedPage, PageStart, date_time
from ssevalidate.harvest.recordjson import record_document
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.parsegate import InputError

MEDIA_TYPE = "application/activity+json"
ACTIVITY_STREAMS = "https://www.w3.org/ns/activitystreams"
CONTEXT = [
    ACTIVITY_STREAMS,
    {
        "harvest": str(HARVEST),
        "retainedSince": {"@id": "harvest:retainedSince", "@type": "xsd:dateTime"},
    },
]
KINDS = ("Create", "Update", "Delete")


# --- writing --------------------------------------------------------------------------------


def page_url(feed: str, start: PageStart, since: str | None = None) -> str:
    """The address of the page beginning at ``start`` of the feed at ``feed``."""
    page = "first" if start.after is None else start.after.token()
    return _url(feed, since, page)


def collection_document(
    feed: str,
    *,
    since: str | None,
    total: int,
    last: PageStart | None,
    retained_since: str,
) -> dict:
    """The ``OrderedCollection`` of the changes after ``since`` (all when None); ``last`` is
    where its last page starts (None when it has no change)."""
    return {
        "@context": CONTEXT,
        "id": _url(feed, since),
        "type": "OrderedCollection",
        "summary": "Records created, updated and deleted in this aggregator, oldest first",
        "totalItems": total,
        "retainedSince": retained_since,
        "first": page_url(feed, PageStart(None), since),
        "last": page_url(feed, last or PageStart(None), since),
    }


def page_document(
    feed: str,
    *,
    since: str | None,
    start: PageStart,
    page: FeedPage,
    previous: PageStart | None,
) -> dict:
    """One ``OrderedCollectionPage``: the changes of ``page``, which begins at ``start``;
    ``previous`` is where the page before it begins (None for the first page)."""
    document = {
        "@context": CONTEXT,
        "id": page_url(feed, start, since),
        "type": "OrderedCollectionPage",
        "partOf": _url(feed, since),
        "orderedItems": [activity(change) for change in page.changes],
    }
    if page.more:
        document["next"] = page_url(feed, PageStart(page.changes[-1].position), since)
    if previous is not None:
        document["prev"] = page_url(feed, previous, since)
    return document


def activity(change: Change) -> dict:
    """One change as a ``Create``, ``Update`` or ``Delete`` activity."""
    if change.kind == "Delete":
        subject = {"id": change.record, "type": "Tombstone", "deleted": change.time}
        if change.former_types:
            subject["formerType"] = list(change.former_types)
    else:
        subject = record_document(change.data, URIRef(change.record))
    return {
        "type": change.kind,
        "published": change.time,
        "target": {"id": change.source, "name": change.source_id},
        "object": subject,
    }


def _url(feed: str, since: str | None, page: str | None = None) -> str:
    parameters = {key: value for key, value in (("since", since), ("page", page)) if value}
    return f"{feed}?{urlencode(parameters)}" if parameters else feed


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One activity of a page: what happened to which record, when; ``record_object`` is the
    record's JSON-LD for a creation or an update."""

    kind: str
    record: str
    time: str
    record_object: dict | None
    pointer: str
    """Where the activity is in its page (RFC 6901)."""


@dataclass(frozen=True)
class FeedDocument:
    """A collection (``first``, ``retained_since``) or a page (``items``, ``next``)."""

    is_page: bool
    first: str | None
    next: str | None
    items: list[Item]
    retained_since: str | None


def read_document(data: bytes, name: str) -> FeedDocument:
    """A feed document; :class:`InputError` naming the pointer of what is not as expected."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON syntax error: {error.msg}", name=name, line=error.lineno, column=error.colno
        ) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise InputError(f"cannot read JSON: {type(error).__name__}", name=name) from None
    if not isinstance(document, dict) or document.get("type") not in _DOCUMENT_TYPES:
        raise InputError(
            "not an Activity Streams collection or collection page", name=name, pointer="/type"
        )
    key = "orderedItems" if "orderedItems" in document else "items"
    entries = document.get(key, [])
    if not isinstance(entries, list):
        raise InputError(f"{key} must be a list of activities", name=name, pointer=f"/{key}")
    items = [_item(entry, f"/{key}/{index}", name) for index, entry in enumerate(entries)]
    retained = document.get("retainedSince")
    return FeedDocument(
        is_page=document["type"].endswith("Page"),
        first=_link(document.get("first")),
        next=_link(document.get("next")),
        items=items,
        retained_since=_time(retained, name, "/retainedSince") if retained else None,
    )


def next_link(data: bytes) -> str | None:
    """The document to read after this one: a collection's ``first`` page, a page's ``next``
    (what is unreadable is left for :func:`read_document` to report)."""
    try:
        document = read_document(data, "feed")
    except InputError:
        return None
    return document.next if document.is_page else document.first


_DOCUMENT_TYPES = ("OrderedCollection", "Collection", "OrderedCollectionPage", "CollectionPage")


def _item(entry: object, pointer: str, name: str) -> Item:
    if not isinstance(entry, dict) or entry.get("type") not in KINDS:
        raise InputError(
            f"each item must be a {', '.join(KINDS)} activity", name=name, pointer=pointer
        )
    subject = entry.get("object")
    if isinstance(subject, str) and entry["type"] == "Delete":
        record = subject
    elif isinstance(subject, dict):
        record = subject.get("id", subject.get("@id"))
    else:
        record = None
    if not isinstance(record, str) or not record.strip():
        raise InputError("the activity's object has no id", name=name, pointer=f"{pointer}/object")
    time = _time(entry.get("published"), name, f"{pointer}/published")
    record_object = subject if entry["type"] != "Delete" else None
    if record_object is not None and subject.get("type") == "Tombstone":
        raise InputError(
            f"a {entry['type']} of a Tombstone", name=name, pointer=f"{pointer}/object/type"
        )
    return Item(entry["type"], record, time, record_object, pointer)


def _link(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("id", value.get("href"))
    return value if isinstance(value, str) and value.strip() else None


def _time(value: object, name: str, pointer: str) -> str:
    try:
        if not isinstance(value, str):
            raise ValueError
        return date_time(value)
    except ValueError:
        raise InputError("not an ISO 8601 date and time", name=name, pointer=pointer) from None


__all__ = [
    "ACTIVITY_STREAMS",
    "CONTEXT",
    "MEDIA_TYPE",
    "FeedDocument",
    "Item",
    "activity",
    "collection_document",
    "next_link",
    "page_document",
    "page_url",
    "read_document",
]
