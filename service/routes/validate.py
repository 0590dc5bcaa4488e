"""Validation over HTTP: ``POST /validate`` (the API), the form page and the report pages.

    curl -H 'Content-Type: text/turtle' --data-binary @examples/mistakes.ttl \\
         'http://127.0.0.1:8000/validate?profile=core&lang=fr'
    curl -F file=@examples/mistakes.ttl -F lang=es -H 'Accept: text/csv' http://127.0.0.1:8000/validate
    curl -H 'Content-Type: application/json' -d '{"url": "https://example.org/x.ttl"}' \\
         http://127.0.0.1:8000/validate

Inputs (one per request):

- ``multipart/form-data`` or ``application/x-www-form-urlencoded``: a ``file`` field, or a ``text``
  field (pasted data), or a ``url`` field; optional ``profile``, ``lang``, ``format`` fields;
- a raw body whose Content-Type names the format (Turtle, TriG, N-Triples, N-Quads,
  RDF/XML, JSON-LD, ``text/csv`` (our template, SEA's standard CSV or a Co-operatives UK export,
  told apart by the header) or ``application/geo+json``: converted first, results pointing at
  rows and columns or JSON pointers);
- ``application/json``: the envelope ``{"url"|"text"|"base64": ..., "format", "profile",
  "lang"}``. A JSON document is read as data instead when it is a directory export the
  importers know by their keys (GeoJSON, Murmurations profiles, MykoMap), or JSON-LD: its top
  level is an array or has a key starting with ``@`` (``@context``, ``@graph``, ``@id``). An
  envelope never has one, so they cannot be confused. JSON-LD is better sent as
  ``application/ld+json``, GeoJSON as ``application/geo+json``.

Fields of the body win over the query parameters ``profile``, ``lang`` and ``format``. The format
is, in order: the one named explicitly, the Content-Type of a raw body, an uploaded file's
extension or part type, a fetched document's media type or extension; else it is sniffed.

Output follows ``Accept``: the report JSON (``application/json``, the default, schema
``ssevalidate/report.schema.json``), the SHACL report as ``text/turtle`` or
``application/ld+json``, ``text/csv``, ``text/plain``, or ``text/html``: then the answer is a
``303 See Other`` to the report page (post/redirect/get: reloading the page does not post again,
the page has an address, and the header's language switch shows the report in another language).

The report page needs the report after the POST: recent ones are kept in a bounded in-memory
cache (:class:`ReportCache`, a random unguessable id, one hour, 64 reports, 256 MB) together with
the source bytes, so a page in another language is validated again from them, and every download
(JSON, Turtle, JSON-LD, CSV) is served from what was already rendered. The cache is per process:
behind several service processes, a report link works only on the process that made it (a 404
says to validate again). Hidden-field forms re-posting the data were the alternative; they fail for uploads of tens
of megabytes and would validate again on every download.

Limits (DESIGN.md rule 6): the body size (``Settings.max_body_bytes``: the Content-Length is
checked first, then the bytes are counted as they arrive) → 413; a concurrency cap
(``max_concurrent_validations``) → 503 with ``Retry-After``; a time limit per validation
(``validation_timeout``), enforced by killing the worker process → 504. See
:mod:`ssevalidate.limits`. Every error is ``{"error": "..."}``, except for a client that prefers
HTML (a browser): it gets the form again with the message, with the same status code.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.i18n import request_lang
from service.settings import Settings
from service.templating import page
from ssevalidate import mediatypes
from ssevalidate.fetch import FetchError, fetch
from ssevalidate.importers import IMPORTERS, dialect_of, importer_name, importer_of_file
from ssevalidate.limits import POOL, Busy, Job, Limiter, Outcome, TimedOut, WorkerFailed
from ssevalidate.namespaces import LANGUAGES
from ssevalidate.parsegate import FORMATS, InputError, format_from_name, format_name
from ssevalidate.profiles import PROFILES
from ssevalidate.render import MEDIA_TYPES
from ssevalidate.report import place

BODY_MEDIA_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/trig": "trig",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/geo+json": "geojson",
}
"""Content-Types of a raw body, and the format each names."""
INPUT_FORMATS = (*FORMATS, "csv", *IMPORTERS)
"""RDF syntaxes, and the directory exports the library converts (``ssevalidate.importers``)."""
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
ACCEPTED = (*BODY_MEDIA_TYPES, "application/json", *FORM_TYPES)

OUTPUT_TYPES = {
    "application/json": "json",
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "text/csv": "csv",
    "text/plain": "text",
    "text/html": "html",
}
"""Media types a client may ask for; on equal preference the first wins (JSON by default)."""
DOWNLOADS = {"json": "json", "ttl": "turtle", "jsonld": "jsonld", "csv": "csv"}
"""File extension of each download on the report page, and its rendering."""
DOWNLOAD_LABELS = {"json": "JSON", "ttl": "Turtle", "jsonld": "JSON-LD", "csv": "CSV"}
ENVELOPE_INPUTS = ("url", "text", "base64")
ENVELOPE_OPTIONS = ("format", "profile", "lang")
RETRY_AFTER = 5
"""Seconds a client is told to wait when every validation slot is taken."""
MAX_ECHOED_TEXT = 200_000
"""Pasted text longer than this is not put back into the form shown with an error."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the worker processes with the service, so the first validation finds them warm."""
    POOL.prestart(limiter_of(app).capacity)
    yield
    limiter_of(app).close()
    app.state.validation_limiter = None


router = APIRouter(tags=["validation"], lifespan=lifespan)


# --- errors and content negotiation ------------------------------------------------------------


class Problem(Exception):
    """An answer other than a report: status, message, extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.values = values
        """What the form held, to show it again with the message."""


def negotiate(header: str | None, offers: Iterable[str] = OUTPUT_TYPES) -> str | None:
    """The offer the ``Accept`` header prefers (the first offer when it is absent), or None.

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8")
    'text/html'
    >>> negotiate("*/*"), negotiate(None), negotiate("image/png")
    ('application/json', 'application/json', None)
    """
    return mediatypes.negotiate(header, list(offers))


def _prefers_html(request: Request) -> bool:
    accept = request.headers.get("accept")
    if not accept:
        return False
    return mediatypes.quality(accept, "text/html") > mediatypes.quality(accept, "application/json")


def _error(request: Request, problem: Problem, values: dict[str, Any] | None = None) -> Response:
    if _prefers_html(request):
        values = problem.values if problem.values is not None else values
        response = _form_page(request, problem.status, error=problem.message, values=values)
        response.headers.update(problem.headers)
        return response
    return JSONResponse({"error": problem.message}, problem.status, headers=problem.headers)


# --- reading the request ------------------------------------------------------------------------


@dataclass
class Source:
    """What to validate, and how: bytes, or a URL to fetch first."""

    data: bytes | None = None
    url: str | None = None
    name: str | None = None
    format: str | None = None
    """The format the body names explicitly (a form or JSON field)."""
    implied: str | None = None
    """The format the Content-Type, a file name or a part's type implies."""
    profile: str | None = None
    lang: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    """What the form held, to show it again with an error."""


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = Problem(413, f"the request body is larger than the limit of {_size(limit)}")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Problem(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise too_large
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:  # a chunked body, or a Content-Length that lied
            raise too_large
    return bytes(data)


def _size(size: int) -> str:
    """``52,428,800 bytes (50 MB)``, or only the bytes below one megabyte."""
    megabytes = size / (1024 * 1024)
    return f"{size:,} bytes" + (f" ({megabytes:.3g} MB)" if megabytes >= 1 else "")


async def _source(request: Request, body: bytes) -> Source:
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    if media in FORM_TYPES:
        return await _from_form(request, body)
    if not body:
        raise Problem(400, "the request body is empty: send RDF data, a form or a JSON object")
    if media == "application/json":
        return _from_json(body)
    if media in BODY_MEDIA_TYPES:
        return Source(data=body, implied=BODY_MEDIA_TYPES[media])
    told = f"Content-Type {media!r}" if media else "no Content-Type"
    raise Problem(
        415,
        f"unsupported media type: the request has {told}; send one of {', '.join(ACCEPTED)}",
    )


async def _from_form(request: Request, body: bytes) -> Source:
    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    limit = request.app.state.settings.max_body_bytes
    try:
        form = await Request(request.scope, replay).form(
            max_files=1, max_fields=20, max_part_size=limit
        )
    except StarletteHTTPException as error:
        raise Problem(400, f"unreadable form: {error.detail}") from None
    try:
        if not any(key in form for key in ("file", "text", "url")):
            raise Problem(
                400,
                "the body is a form without a 'file', 'text' or 'url' field; to send data as "
                "the body, give its Content-Type (text/turtle, application/ld+json, ...): "
                "curl --data-binary sends forms unless told otherwise",
            )
        return await _form_source(form)
    finally:
        await form.close()  # an upload over 1 MB was spooled to an unnamed temporary file


async def _form_source(form: FormData) -> Source:
    values = {
        key: value.strip() if key != "text" else value
        for key in ("text", "url", "profile", "lang", "format")
        if isinstance(value := form.get(key), str)
    }
    source = Source(
        profile=values.get("profile") or None,
        lang=values.get("lang") or None,
        format=values.get("format") or None,
        values=values,
    )
    given = []
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        data = await upload.read()
        if data or upload.filename:
            given.append("a file")
            source.data = data
            source.name = PurePosixPath((upload.filename or "").replace("\\", "/")).name or None
            part_type = (upload.content_type or "").split(";")[0].strip().lower()
            source.implied = (
                _format_of_name(source.name) if source.name else None
            ) or BODY_MEDIA_TYPES.get(part_type)
    if values.get("text", "").strip():
        given.append("pasted data")
        source.data = values["text"].encode("utf-8")
    if values.get("url"):
        given.append("a URL")
        source.url = source.name = values["url"]
    if not given:
        raise Problem(
            400, "nothing to validate: choose a file, paste data or give a URL", values=values
        )
    if len(given) > 1:
        raise Problem(
            400, f"give only one thing to validate, not {' and '.join(given)}", values=values
        )
    return source


def _from_json(body: bytes) -> Source:
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        raise Problem(
            400, f"JSON syntax error at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise Problem(400, f"unreadable JSON body ({type(error).__name__})") from None
    enveloped = isinstance(document, dict) and bool(set(document) & set(ENVELOPE_INPUTS))
    if not enveloped and (dialect := dialect_of(body)):
        return Source(data=body, implied=dialect)  # GeoJSON, Murmurations... sent as JSON
    if isinstance(document, list) or (
        isinstance(document, dict) and any(str(key).startswith("@") for key in document)
    ):
        return Source(data=body, implied="jsonld")  # JSON-LD data sent as application/json
    if not isinstance(document, dict):
        raise Problem(400, _envelope_help("the JSON body must be an object"))
    unknown = sorted(set(document) - {*ENVELOPE_INPUTS, *ENVELOPE_OPTIONS})
    if unknown:
        raise Problem(400, _envelope_help(f"unknown field {', '.join(map(repr, unknown))}"))
    for key, value in document.items():
        if value is not None and not isinstance(value, str):
            raise Problem(400, f"the JSON field {key!r} must be a string")
    inputs = [key for key in ENVELOPE_INPUTS if document.get(key)]
    if len(inputs) != 1:
        raise Problem(400, _envelope_help("give exactly one of 'url', 'text' or 'base64'"))
    source = Source(
        format=document.get("format") or None,
        profile=document.get("profile") or None,
        lang=document.get("lang") or None,
    )
    value = document[inputs[0]]
    if inputs[0] == "url":
        source.url = source.name = value.strip()
    elif inputs[0] == "text":
        source.data = value.encode("utf-8")
    else:
        try:
            source.data = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise Problem(400, "the 'base64' field is not valid base64") from None
    return source


def _envelope_help(problem: str) -> str:
    return (
        f'{problem}: send {{"url"|"text"|"base64": "...", "format", "profile", "lang"}}, '
        "or JSON-LD data as application/ld+json"
    )


def _options(source: Source, profile: str | None, lang: str | None, fmt: str | None) -> None:
    """Fill in the query parameters where the body named nothing, and check every option."""
    source.profile = source.profile or profile or "core"
    source.lang = source.lang or lang or "en"
    explicit = source.format or fmt
    if explicit:
        try:
            source.format = _input_format(explicit)
        except InputError as error:
            raise Problem(400, error.reason) from None
    else:
        source.format = source.implied
    if source.profile not in PROFILES:
        raise Problem(400, f"unknown profile {source.profile!r} (known: {', '.join(PROFILES)})")
    if source.lang not in LANGUAGES:
        raise Problem(400, f"unknown language {source.lang!r} (known: {', '.join(LANGUAGES)})")


# --- running a validation -----------------------------------------------------------------------


def limiter_of(app: FastAPI) -> Limiter:
    """The application's validation limiter, made from its settings on first use."""
    limiter = getattr(app.state, "validation_limiter", None)
    if limiter is None:
        settings: Settings = app.state.settings
        limiter = Limiter(
            settings.max_concurrent_validations,
            settings.validation_timeout,
            retry_after=RETRY_AFTER,
        )
        app.state.validation_limiter = limiter
    return limiter


def _work(limiter: Limiter, settings: Settings, source: Source, outputs: tuple[str, ...]):
    """In a limiter thread: fetch the URL if there is one, then validate in a worker."""
    data, fmt = source.data, source.format
    if source.url is not None:
        fetched = fetch(
            source.url,
            allow=settings.fetch_allow,
            max_bytes=settings.max_body_bytes,
            timeout=settings.fetch_timeout,
        )
        data = fetched.data
        fmt = fmt or _fetched_format(fetched.media_type, fetched.url)
    job = Job(data or b"", source.profile, fmt, source.lang, source.name, outputs)
    return limiter.validate(job), data or b"", fmt


def _fetched_format(media_type: str | None, url: str) -> str | None:
    if media_type and media_type not in ("text/plain", "application/octet-stream"):
        try:
            return _input_format(media_type)
        except InputError:
            pass  # not a type we read: the extension, else the bytes, decide
    return _format_of_name(urlsplit(url).path)


def _input_format(value: str) -> str:
    """An RDF format name (``ttl``, ``text/turtle``...) or an importer's, normalised."""
    imported = importer_name(value)
    if imported:
        return imported
    try:
        return format_name(value)
    except InputError:
        known = ", ".join(INPUT_FORMATS)
        raise InputError(f"unknown format {value!r} (known: {known})") from None


def _format_of_name(name: str) -> str | None:
    return importer_of_file(name) or format_from_name(name)


FETCH_STATUS = {"refused": 400, "too_large": 413, "timeout": 504, "upstream": 502}


async def _validate(
    request: Request, source: Source, outputs: tuple[str, ...]
) -> tuple[Outcome, bytes, str | None]:
    limiter = limiter_of(request.app)
    try:
        return await limiter.run(_work, limiter, request.app.state.settings, source, outputs)
    except Busy as busy:
        raise Problem(
            503,
            f"the service is validating as much as it can ({limiter.capacity} at once); "
            f"try again in {busy.retry_after} s",
            {"Retry-After": str(busy.retry_after)},
        ) from None
    except TimedOut:
        raise Problem(
            504,
            f"the validation took longer than the limit of {limiter.timeout:g} s and was stopped",
        ) from None
    except InputError as error:
        raise Problem(400, str(error)) from None
    except FetchError as error:
        raise Problem(FETCH_STATUS.get(error.kind, 502), f"cannot fetch the URL: {error}") from None
    except WorkerFailed as error:
        raise Problem(500, str(error)) from None


# --- the API ------------------------------------------------------------------------------------

_ERROR = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {"error": {"type": "string"}},
            "required": ["error"],
        }
    }
}
_TEXT = {"schema": {"type": "string"}}


@router.post(
    "/validate",
    summary="Validate data against a profile",
    response_class=Response,
    responses={
        200: {
            "description": "The report, in the format `Accept` asks for.",
            "content": {media: _TEXT for media in OUTPUT_TYPES if media != "text/html"},
        },
        303: {"description": "`Accept: text/html`: the report page."},
        400: {
            "description": "Unreadable input, unknown profile, language or format.",
            "content": _ERROR,
        },
        406: {"description": "No acceptable output format.", "content": _ERROR},
        413: {
            "description": "The body (or the document at the URL) is too large.",
            "content": _ERROR,
        },
        415: {"description": "Unsupported Content-Type.", "content": _ERROR},
        503: {"description": "Too many validations at once; see `Retry-After`.", "content": _ERROR},
        504: {"description": "The validation (or the download) took too long.", "content": _ERROR},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "text": {"type": "string", "description": "pasted data"},
                            "url": {"type": "string", "format": "uri"},
                            "profile": {"type": "string", "enum": list(PROFILES)},
                            "lang": {"type": "string", "enum": list(LANGUAGES)},
                            "format": {"type": "string", "enum": list(INPUT_FORMATS)},
                        },
                    }
                },
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "Exactly one of url, text, base64. A JSON document whose "
                        "top level is an array or has @-keys is read as JSON-LD data instead.",
                        "properties": {
                            "url": {"type": "string", "format": "uri"},
                            "text": {"type": "string"},
                            "base64": {"type": "string", "format": "byte"},
                            "format": {"type": "string", "enum": list(INPUT_FORMATS)},
                            "profile": {"type": "string", "enum": list(PROFILES)},
                            "lang": {"type": "string", "enum": list(LANGUAGES)},
                        },
                    }
                },
                **{media: _TEXT for media in BODY_MEDIA_TYPES},
            },
        },
    },
)
async def validate_post(
    request: Request,
    profile: str | None = Query(None, description=f"one of {', '.join(PROFILES)}; default core"),
    lang: str | None = Query(None, description=f"report language: {', '.join(LANGUAGES)}"),
    format: str | None = Query(None, description=f"input format: {', '.join(INPUT_FORMATS)}"),
) -> Response:
    """Validate a file upload, a raw RDF body, pasted text, base64 or a URL.

    The answer follows `Accept`: the JSON report (default), Turtle or JSON-LD (the SHACL
    report), CSV, plain text, or `text/html` (a redirect to the report page). Errors are
    `{"error": "..."}`.
    """
    source = Source()  # replaced once the body is read; its values refill the form on errors
    try:
        wanted = negotiate(request.headers.get("accept"))
        if wanted is None:
            raise Problem(
                406,
                f"cannot answer in any type the Accept header lists; offered: {', '.join(OUTPUT_TYPES)}",
            )
        output = OUTPUT_TYPES[wanted]
        body = await _read_body(request, request.app.state.settings.max_body_bytes)
        source = await _source(request, body)
        _options(source, profile, lang, format)
        outputs = tuple(DOWNLOADS.values()) if output == "html" else (output,)
        outcome, data, fmt = await _validate(request, source, outputs)
    except Problem as problem:
        return _error(request, problem, source.values)
    if output == "html":
        key = _cache(request.app).add(
            _Entry(data, source.name, fmt, source.profile, {outcome.lang: outcome})
        )
        return RedirectResponse(f"/validate/reports/{key}?lang={outcome.lang}", status_code=303)
    return Response(outcome.renders[output], media_type=MEDIA_TYPES[output])


# --- pages --------------------------------------------------------------------------------------


def _form_page(
    request: Request,
    status: int = 200,
    *,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    values = dict(values or {})
    # The language chosen in the form, else the visitor's.
    lang = values["lang"] if values.get("lang") in LANGUAGES else request_lang(request)
    values["lang"] = lang
    if len(values.get("text", "")) > MAX_ECHOED_TEXT:
        values["text"] = ""  # not worth sending megabytes back
    return page(
        request,
        "validate.html",
        status_code=status,
        lang=lang,
        error=error,
        values=values,
        profiles=[(p.name, p.title(lang), p.description(lang)) for p in PROFILES.values()],
        formats=list(INPUT_FORMATS),
        max_size=_size(request.app.state.settings.max_body_bytes),
        keep_minutes=ReportCache.ttl // 60,
    )


@router.get("/validate", summary="The validation form", response_class=Response)
async def validate_form(request: Request) -> Response:
    """A form to upload a file, paste data or give a URL; it works without JavaScript."""
    return _form_page(request)


@router.get(
    "/validate/reports/{key}",
    summary="A report page, or one of its downloads",
    response_class=Response,
)
async def report_page(request: Request, key: str) -> Response:
    """`/validate/reports/<id>`: the report page; `<id>.json`, `.ttl`, `.jsonld`, `.csv`:
    downloads. Reports are kept in memory for an hour after the validation."""
    report_id, _, extension = key.partition(".")
    try:
        if extension and extension not in DOWNLOADS:
            raise Problem(404, f"no such download: .{extension} (offered: {', '.join(DOWNLOADS)})")
        entry = _cache(request.app).get(report_id)
        if entry is None:
            raise Problem(
                404,
                f"this report is no longer kept (reports are kept for {ReportCache.ttl // 60} "
                "minutes): validate the data again",
            )
        lang = request.query_params.get("lang")
        lang = lang if lang in LANGUAGES else request_lang(request)
        outcome = entry.views.get(lang)
        if outcome is None:
            again = Source(
                data=entry.data,
                name=entry.name,
                format=entry.format,
                profile=entry.profile,
                lang=lang,
            )
            outcome, _, _ = await _validate(request, again, tuple(DOWNLOADS.values()))
            _cache(request.app).add_view(report_id, lang, outcome)
    except Problem as problem:
        return _error(request, problem)
    if extension:
        output = DOWNLOADS[extension]
        return Response(
            outcome.renders[output],
            media_type=MEDIA_TYPES[output],
            headers={
                "Content-Disposition": f'attachment; filename="report-{entry.profile}-{lang}.{extension}"'
            },
        )
    return page(
        request,
        "report.html",
        lang=lang,
        report=outcome.report,
        groups=_groups(outcome.report["results"]),
        source_name=entry.name,
        profile=PROFILES[entry.profile],
        downloads=[
            (
                DOWNLOAD_LABELS[ext],
                f"/validate/reports/{report_id}.{ext}?lang={lang}",
                MEDIA_TYPES[out],
            )
            for ext, out in DOWNLOADS.items()
        ],
        keep_minutes=ReportCache.ttl // 60,
    )


def _groups(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results grouped by record, in report order, each group with a label and a place in the
    source (``("line", 12)``, ``("row", 17)``, ``("pointer", "/features/3")``)."""
    groups: dict[str, dict[str, Any]] = {}
    for result in results:
        group = groups.setdefault(
            result["record"],
            {"record": result["record"], "label": None, "place": None, "results": []},
        )
        group["results"].append(result)
        if result.get("focus") == result["record"] and result.get("focus_label"):
            group["label"] = result["focus_label"]
        group["label"] = group["label"] or result.get("focus_label")
        group["place"] = group["place"] or place(result.get("origin"))
    return list(groups.values())


# --- the report cache ---------------------------------------------------------------------------


@dataclass
class _Entry:
    data: bytes
    name: str | None
    format: str | None
    profile: str
    views: dict[str, Outcome]
    """The validation in each language asked for so far."""
    created: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        rendered = sum(len(text) for view in self.views.values() for text in view.renders.values())
        return len(self.data) + 2 * rendered  # the report dict is about the size of the JSON


class ReportCache:
    """Recent reports in memory, under random ids, bounded in count, bytes and age.

    Used from the event loop only (no lock needed). The oldest reports go first when a bound is
    passed; the newest is always kept.
    """

    ttl = 3600
    max_entries = 64
    max_bytes = 256 * 1024 * 1024

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(self, entry: _Entry) -> str:
        key = secrets.token_urlsafe(16)
        self._entries[key] = entry
        self._trim()
        return key

    def get(self, key: str) -> _Entry | None:
        self._trim()
        return self._entries.get(key)

    def add_view(self, key: str, lang: str, outcome: Outcome) -> None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.views[lang] = outcome
            self._trim()

    def __len__(self) -> int:
        return len(self._entries)

    def _trim(self) -> None:
        now = time.monotonic()
        for key in [k for k, e in self._entries.items() if now - e.created > self.ttl]:
            del self._entries[key]
        total = sum(entry.size for entry in self._entries.values())
        while len(self._entries) > 1 and (
            len(self._entries) > self.max_entries or total > self.max_bytes
        ):
            oldest = next(iter(self._entries))
            total -= self._entries.pop(oldest).size


def _cache(app: FastAPI) -> ReportCache:
    cache = getattr(app.state, "report_cache", None)
    if cache is None:
        cache = app.state.report_cache = ReportCache()
    return cache
