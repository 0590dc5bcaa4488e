"""Downloading a source: a conditional request, and a hash when the server does not help.

Built on :func:`ssevalidate.fetch.fetch` (http(s) only, every address checked on every redirect
unless allow-listed, size and time caps, redirect cap). The request carries ``If-None-Match``
and ``If-Modified-Since`` from the last good harvest; a ``304`` means nothing to do, and so do
bytes whose SHA-256 equals the last ones (servers without validators, or regenerating exports).
Both only count while the source's settings are unchanged (its fingerprint). Same bytes under
new validators leave the stored state as it is (rewriting it would mean rewriting the graph):
the next request is then answered in full again, and again not parsed.

Every document is written to a folder the caller gives (the harvest's scratch folder): a
single-document source goes to disk as it arrives, so a dump of a gigabyte is never bytes in
memory; the pipeline then decides from its size and first bytes whether to stream it.

A paged source (a Murmurations index query) has its pages followed (:func:`follow`): only
to the same site, at most ``max_pages``, and a page met twice (the same address, or the same
bytes: a server that ignores the page asked for) fails the harvest. Its validators are not
kept (a first page unchanged says nothing of the others): the hash of all the pages decides.

>>> from ssevalidate.harvest.fetcher import download
>>> got = download(source, previous_state, FetchSettings(), folder=scratch)  # doctest: +SKIP
>>> got.outcome, got.size                                             # doctest: +SKIP
('not-modified', 0)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import urlencode

import httpx

from ssevalidate.fetch import DEFAULT_ACCEPT, Fetched, FetchError, fetch
from ssevalidate.harvest import sources_murmurations
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


NextPage = Callable[[Fetched], str | None]
"""``next_page(page)``: the address of the page after ``page`` (relative to it, or absolute),
or None."""
_PAGING: dict[str, NextPage] = {
    "murmurations": lambda page: sources_murmurations.next_page(page.data),
}


@dataclass(frozen=True)
class Document:
    """One downloaded document, on disk."""

    name: str
    """The name the importer gives it in its messages (its extension tells formats apart)."""
    path: Path
    size: int

    def head(self, size: int = 1 << 16) -> bytes:
        """The first ``size`` bytes: enough to tell a format."""
        with open(self.path, "rb") as file:
            return file.read(size)

    def read(self) -> bytes:
        return self.path.read_bytes()


@dataclass(frozen=True)
class Download:
    """The answer to one download: ``outcome`` is ``"modified"`` (``documents`` holds new
    bytes), ``"not-modified"`` (HTTP 304) or ``"unchanged"`` (the same bytes as last time)."""

    outcome: str
    url: str
    """Where the bytes came from, after redirects."""
    documents: tuple[Document, ...]
    """Each page, in order."""
    size: int
    etag: str | None
    last_modified: str | None
    bytes_hash: str | None
    media_type: str | None


def download(
    source: Source,
    previous: FetchState | None,
    settings: FetchSettings,
    allow: Iterable[str] = (),
    *,
    folder: Path,
) -> Download:
    """Fetch ``source`` into ``folder`` unless it is the same as at the harvest ``previous``
    describes; :class:`~ssevalidate.fetch.FetchError` on any failure (refused, too large,
    timeout...)."""
    same_settings = previous is not None and previous.fingerprint == source.fingerprint()
    headers = {}
    if same_settings and previous.etag:
        headers["If-None-Match"] = previous.etag
    if same_settings and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    accept = _ACCEPT.get(source.kind, _JSON_ACCEPT)
    paged = source.kind in _PAGING
    first = folder / "page-1"
    with open(first, "wb") as into:
        answer = get(
            _request_url(source),
            settings,
            allow,
            accept=accept,
            headers=headers,
            into=None if paged else into,
        )
    name = _document_name(source, answer.media_type)
    if answer.status == 304:
        if not same_settings:
            raise FetchError("the server answered 304 Not Modified to an unconditional request")
        return Download(
            "not-modified",
            answer.url,
            (),
            0,
            previous.etag,
            previous.last_modified,
            previous.bytes_hash,
            None,
        )
    pages = [answer]
    if paged:
        pages = follow(answer, source.url, settings, allow, accept, _PAGING[source.kind])
        for number, page in enumerate(pages, 1):
            (folder / f"page-{number}").write_bytes(page.data)
    if len(pages) == 1:
        with open(first, "rb") as written:
            bytes_hash = "sha256:" + hashlib.file_digest(written, "sha256").hexdigest()
        etag, last_modified = answer.headers.get("etag"), answer.headers.get("last-modified")
    else:
        bytes_hash = _hash(b"".join(_hash(page.data).encode() for page in pages))
        etag = last_modified = None
    unchanged = same_settings and bytes_hash == previous.bytes_hash
    names = [name] + [f"{name} (page {number})" for number in range(2, len(pages) + 1)]
    documents = tuple(
        Document(name, folder / f"page-{number}", page.size)
        for number, (name, page) in enumerate(zip(names, pages, strict=True), 1)
    )
    return Download(
        "unchanged" if unchanged else "modified",
        answer.url,
        documents,
        sum(page.size for page in pages),
        etag,
        last_modified,
        bytes_hash,
        answer.media_type,
    )


def get(
    url: str,
    settings: FetchSettings,
    allow: Iterable[str] = (),
    *,
    accept: str = DEFAULT_ACCEPT,
    headers: dict[str, str] | None = None,
    into: BinaryIO | None = None,
) -> Fetched:
    """One GET of ``url`` under ``settings`` (caps, allow-list); the body written to ``into``
    when given."""
    return fetch(
        url,
        allow=(*settings.allow, *allow),
        max_bytes=settings.max_bytes,
        timeout=settings.timeout,
        max_redirects=settings.max_redirects,
        headers=headers or {},
        accept=accept,
        into=into,
    )


def follow(
    first: Fetched,
    site: str,
    settings: FetchSettings,
    allow: Iterable[str],
    accept: str,
    next_page: NextPage,
) -> list[Fetched]:
    """``first`` and every page after it, each found by ``next_page``; :class:`FetchError`
    when a page leads off ``site``'s scheme, host and port, comes back, or there are more
    than ``settings.max_pages``."""
    origin = _origin(httpx.URL(site))
    pages = [first]
    seen_urls, seen_hashes = {first.url}, {_hash(first.data)}
    while (link := next_page(pages[-1])) is not None:
        try:
            url = httpx.URL(pages[-1].url).join(link)
        except httpx.InvalidURL:
            raise FetchError(f"page {len(pages)} links to an invalid next page") from None
        if _origin(url) != origin:
            raise FetchError(f"page {len(pages)} links to a page on another site: not followed")
        if str(url) in seen_urls:
            raise FetchError(f"page {len(pages)} links back to an earlier page")
        if len(pages) >= settings.max_pages:
            raise FetchError(f"more than {settings.max_pages} pages (the [fetch] max_pages cap)")
        page = get(str(url), settings, allow, accept=accept)
        digest = _hash(page.data)
        if digest in seen_hashes:
            raise FetchError(
                f"page {len(pages) + 1} is the same as an earlier page: the server ignores "
                "the page asked for"
            )
        seen_urls.update((str(url), page.url))
        seen_hashes.add(digest)
        pages.append(page)
    return pages


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


def _hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


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


__all__ = ["Document", "Download", "NextPage", "download", "follow", "get"]
