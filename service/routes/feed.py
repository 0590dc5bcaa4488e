"""The change feed over HTTP: what another aggregator harvests to follow this one.

    curl http://127.0.0.1:8000/feed                                   # the collection
    curl 'http://127.0.0.1:8000/feed?page=first'                      # its first page
    curl 'http://127.0.0.1:8000/feed?since=2025-05-01T00:00:00Z'      # changes since a time

``GET /feed`` is an Activity Streams 2.0 ``OrderedCollection`` (``totalItems``, ``first``,
``last``, ``retainedSince``); ``?page=`` gives its ``OrderedCollectionPage`` documents
(``next``, ``prev``, ``partOf``), whose ``orderedItems`` are ``Create``, ``Update`` and
``Delete`` activities, oldest first: the record as JSON-LD in our context, or a ``Tombstone``
with ``formerType`` and ``deleted`` (:mod:`ssevalidate.harvest.activitystreams`). ``since``
(an ISO 8601 date and time, exclusive) narrows the collection and is kept in its page links.
The answer is ``application/activity+json``, or ``application/ld+json`` (or plain
``application/json``) when ``Accept`` prefers it.

Each record appears once, at its latest change; pages start after a position, not at an
offset, so a reader walking them while harvests run misses nothing
(:mod:`ssevalidate.harvest.feed`). Deletions are served for the retention of the harvest
configuration (``[feed] retention``, 30 days by default): a ``since`` older than that is
``410 Gone``, with ``first`` in the answer, where the reader starts again. Page size is
``[feed] page_size``. Errors are ``{"error": "..."}``: 400 for an unreadable ``since`` or
``page``, 406 for an ``Accept`` we cannot answer.

The graphs are those under the harvest configuration's ``base`` (``Settings.harvest_config``),
else the harvester's default.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from ssevalidate.harvest import ConfigError
from ssevalidate.harvest.activitystreams import (
    MEDIA_TYPE,
    collection_document,
    page_document,
    page_url,
)
from ssevalidate.harvest.config import DEFAULT_BASE, FeedSettings, parse_document
from ssevalidate.harvest.feed import (
    Expired,
    PageStart,
    Position,
    count_changes,
    date_time,
    horizon,
    previous_page,
    read_changes,
)
from ssevalidate.mediatypes import negotiate
from ssevalidate.publish import IriMap

router = APIRouter(tags=["feed"])

OFFERS = (MEDIA_TYPE, "application/ld+json", "application/json")
"""Media types of the answer; without ``Accept`` (or ``*/*``), Activity Streams."""
HEADERS = {"Vary": "Accept", "Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"}


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@router.get("/feed", summary="Records created, updated and deleted (Activity Streams 2.0)")
def feed(
    request: Request,
    since: str | None = Query(None, description="ISO 8601 date and time (exclusive)"),
    page: str | None = Query(None, description="'first', or a position from a page link"),
) -> Response:
    address = f"{IriMap(request.app.state.settings.base_url).base}feed"
    try:
        media_type = negotiate(request.headers.get("accept"), OFFERS)
        if media_type is None:
            raise _Refused(406, f"the feed is available as {', '.join(OFFERS)}")
        base, settings = _configuration(request)
        since = _since(since)
        start = None if page is None else _start(page)
        store = request.app.state.store
        options = {"since": since, "retention": settings.retention}
        if start is None:
            document = collection_document(
                address,
                since=since,
                total=count_changes(store, base, **options),
                last=previous_page(store, base, None, limit=settings.page_size, **options),
                retained_since=horizon(settings.retention),
            )
        else:
            changes = read_changes(
                store, base, after=start.after, limit=settings.page_size, **options
            )
            previous = None
            if start.after is not None:
                previous = previous_page(
                    store, base, start.after, limit=settings.page_size, **options
                )
            document = page_document(
                address, since=since, start=start, page=changes, previous=previous
            )
    except Expired as expired:
        first = page_url(address, PageStart(None))
        return JSONResponse(
            {"error": str(expired), "first": first, "retainedSince": expired.horizon},
            status_code=410,
            headers=HEADERS,
        )
    except _Refused as refused:
        return JSONResponse({"error": refused.message}, refused.status, headers=HEADERS)
    return JSONResponse(document, media_type=media_type, headers=HEADERS)


def _configuration(request: Request) -> tuple[str, FeedSettings]:
    """The base of the harvest graphs and the feed settings of this deployment (its sources
    file may list no source: they may all come through the sources API)."""
    path = request.app.state.settings.harvest_config
    if path is None:
        return DEFAULT_BASE, FeedSettings()
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        config = parse_document(document, name=str(path), require_sources=False)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ConfigError):
        raise _Refused(500, "the harvest configuration cannot be read") from None
    return config.base, config.feed


def _since(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date_time(value)
    except ValueError as error:
        raise _Refused(400, f"since: {error} (for example 2025-05-01T00:00:00Z)") from None


def _start(value: str) -> PageStart:
    if value == "first":
        return PageStart(None)
    try:
        return PageStart(Position.from_token(value))
    except ValueError:
        raise _Refused(400, "page: give 'first' or a position from a link of this feed") from None


__all__ = ["router"]
