"""Downloading a source: a conditional request, and a hash when the server does not help.

Built on :func:`ssevalidate.fetch.fetch` (http(s) only, every address checked on every redirect
unless allow-listed, size and time caps, redirect cap). The request carries ``If-None-Match``
and ``If-Modified-Since`` from the last good harvest; a ``304`` means nothing to do, and so do
bytes whose SHA-256 equals the last ones (servers without validators, or regenerating exports).
Both only count while the source's settings are unchanged (its fingerprint). Same bytes under
new validators leave the stored state as it is (rewriting it would mean rewriting the graph):
the next request is then answered in full again, and again not parsed.

>>> from ssevalidate.harvest.fetcher import download
>>> got = download(source, previous_state, FetchSettings())         # doctest: +SKIP
>>> got.outcome, got.size                                             # doctest: +SKIP
('not-modified', 0)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlencode

import httpx

from ssevalidate.fetch import DEFAULT_ACCEPT, FetchError, fetch
from ssevalidate.harvest.config import FetchSettings, Source
from ssevalidate.harvest.state import FetchState
from ssevalidate.parsegate import InputError, format_from_name, format_name

_ACCEPT = {
    "rdf": DEFAULT_ACCEPT,
    "sparql": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5",
    "sse-csv": "text/csv, text/plain;q=0.5, */*;q=0.1",
    "sea-csv": "text/csv, text/plain;q=0.5, */*;q=0.1",
    "csv": "text/csv, text/plain;q=0.5, */*;q=0.1",
    "geojson": "application/geo+json, application/json;q=0.9, */*;q=0.1",
}
_JSON_ACCEPT = "application/json, application/ld+json;q=0.9, */*;q=0.1"
_EXTENSIONS = {
    "turtle": ".ttl",
    "trig": ".trig",
    "ntriples": ".nt",
    "nquads": ".nq",
    "rdfxml": ".rdf",
    "jsonld": ".jsonld",
}


@dataclass(frozen=True)
class Download:
    """The answer to one download: ``outcome`` is ``"modified"`` (``data`` holds new bytes),
    ``"not-modified"`` (HTTP 304) or ``"unchanged"`` (the same bytes as last time)."""

    outcome: str
    url: str
    """Where the bytes came from, after redirects."""
    data: bytes
    size: int
    etag: str | None
    last_modified: str | None
    bytes_hash: str | None
    media_type: str | None
    name: str
    """The name the importer gives the document in its messages (its extension tells formats
    apart)."""


def download(
    source: Source,
    previous: FetchState | None,
    settings: FetchSettings,
    allow: Iterable[str] = (),
) -> Download:
    """Fetch ``source`` unless it is the same as at the harvest ``previous`` describes;
    :class:`~ssevalidate.fetch.FetchError` on any failure (refused, too large, timeout...)."""
    same_settings = previous is not None and previous.fingerprint == source.fingerprint()
    headers = {}
    if same_settings and previous.etag:
        headers["If-None-Match"] = previous.etag
    if same_settings and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    answer = fetch(
        _request_url(source),
        allow=(*settings.allow, *allow),
        max_bytes=settings.max_bytes,
        timeout=settings.timeout,
        max_redirects=settings.max_redirects,
        headers=headers,
        accept=_ACCEPT.get(source.kind, _JSON_ACCEPT),
    )
    name = _document_name(source, answer.media_type)
    if answer.status == 304:
        if not same_settings:
            raise FetchError("the server answered 304 Not Modified to an unconditional request")
        return Download(
            "not-modified",
            answer.url,
            b"",
            0,
            previous.etag,
            previous.last_modified,
            previous.bytes_hash,
            None,
            name,
        )
    bytes_hash = "sha256:" + hashlib.sha256(answer.data).hexdigest()
    unchanged = same_settings and bytes_hash == previous.bytes_hash
    return Download(
        "unchanged" if unchanged else "modified",
        answer.url,
        answer.data,
        len(answer.data),
        answer.headers.get("etag"),
        answer.headers.get("last-modified"),
        bytes_hash,
        answer.media_type,
        name,
    )


def _request_url(source: Source) -> str:
    """The URL to GET: a SPARQL endpoint gets its CONSTRUCT as the ``query`` parameter."""
    if source.query is None:
        return source.url
    separator = "&" if "?" in source.url else "?"
    return f"{source.url}{separator}{urlencode({'query': source.query})}"


def _document_name(source: Source, media_type: str | None) -> str:
    """The file name of the configured URL (never of a redirect target); for RDF without a
    telling extension, the media type's extension is added."""
    name = PurePosixPath(httpx.URL(source.url).path).name or source.id
    if source.dialect != "rdf" or format_from_name(name) or not media_type:
        return name
    try:
        return name + _EXTENSIONS[format_name(media_type)]
    except InputError:
        return name


__all__ = ["Download", "download"]
