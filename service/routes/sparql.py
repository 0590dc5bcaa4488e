"""``/sparql``: the SPARQL 1.1 Protocol, read-only, over the service's store.

Thin HTTP layer over :mod:`ssevalidate.sparql` (gate, time-limited workers, formats):

* ``GET /sparql?query=...``, ``POST`` with ``application/x-www-form-urlencoded`` (``query=``)
  or ``application/sparql-query`` (the query as the body); ``default-graph-uri`` and
  ``named-graph-uri`` (repeatable) name the dataset.
* The format follows ``format=``/``output=``/``results=`` (SPARQLWrapper sends them), then
  ``Accept``: SELECT/ASK as JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as Turtle
  (default), N-Triples, JSON-LD, RDF/XML.
* ``GET /sparql`` without a query answers the Service Description (Turtle by default).
* Errors are JSON ``{"error": "..."}``: 400 for syntax errors, updates, ``SERVICE``, two queries;
  415 for a POST whose media type or charset is not one of the protocol's; 405 for other
  methods; 406, 413, 503 (busy, with ``Retry-After``), 504 (time limit: the query is killed).
* CORS: any origin may query; ``OPTIONS`` answers preflights.

>>> from fastapi.testclient import TestClient
>>> from service.app import create_app
>>> from service.settings import Settings
>>> client = TestClient(create_app(Settings(store_path=None), routers=["sparql"]))  # doctest: +SKIP
>>> client.get("/sparql", params={"query": "ASK {}"}).json()  # doctest: +SKIP
{'head': {}, 'boolean': True}
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ssevalidate.sparql import (
    EndpointBusy,
    NotAcceptable,
    SparqlError,
    SparqlExecutor,
    accept_q,
    choose_format,
    service_description,
)

log = logging.getLogger("ssevalidate.service.sparql")

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
FORMAT_PARAMS = ("format", "output", "results")
ALLOWED = "GET, POST, OPTIONS"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "SPARQL-Truncated, SPARQL-Max-Rows, Retry-After, X-Request-Id",
}
READ_ONLY = "updates are not allowed: this endpoint is read-only"

_start_lock = threading.Lock()


class ProtocolError(SparqlError):
    """A request the SPARQL Protocol does not allow (status set per case)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def executor_for(app: FastAPI) -> SparqlExecutor:
    """The application's query executor, started on first use (or at startup by the lifespan)."""
    executor = getattr(app.state, "sparql_executor", None)
    if executor is None:
        with _start_lock:
            executor = getattr(app.state, "sparql_executor", None)
            if executor is None:
                settings = app.state.settings
                executor = SparqlExecutor(
                    app.state.store,
                    timeout=settings.query_timeout,
                    max_rows=settings.query_max_rows,
                    max_bytes=settings.query_max_bytes,
                    workers=settings.query_workers,
                    memory_limit=settings.query_max_memory,
                )
                app.state.sparql_executor = executor
    return executor


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # A server on a disk store warms its workers before the first query; in-memory apps (tests,
    # which build many apps) start them on their first query instead. Either way they stop here.
    if app.state.settings.store_path is not None:
        executor_for(app)
    try:
        yield
    finally:
        executor = getattr(app.state, "sparql_executor", None)
        if executor is not None:
            executor.close()
            app.state.sparql_executor = None


router = APIRouter(tags=["sparql"], lifespan=_lifespan)


def _error(error: SparqlError) -> JSONResponse:
    headers = dict(CORS)
    if isinstance(error, EndpointBusy):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 405:
        headers["Allow"] = ALLOWED
    if error.status >= 500 and error.status not in (503, 504):
        log.error("SPARQL query failed: %s", error)
    return JSONResponse({"error": str(error)}, status_code=error.status, headers=headers)


def _media_type(header: str | None) -> tuple[str, str | None]:
    """``'application/sparql-query; charset=UTF-8'`` → ``('application/sparql-query', 'utf-8')``."""
    if not header:
        return "", None
    media, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _pairs(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("the parameters are not valid percent-encoded UTF-8") from None


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(f"the request body is over {limit} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(f"the request body is over {limit} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(f"{what} is not valid UTF-8") from None


async def _read(request: Request) -> tuple[list[tuple[str, str]], list[str]]:
    """The request's parameters (URL and form body) and its queries (parameters and direct body)."""
    params = _pairs(request.url.query)
    queries = [value for name, value in params if name == "query"]
    if request.method != "POST":
        return params, queries
    settings = request.app.state.settings
    limit = 4 * settings.query_max_bytes + 65_536  # percent-encoding triples non-ASCII text
    media, charset = _media_type(request.headers.get("content-type"))
    if media == UPDATE:
        raise ProtocolError(READ_ONLY)
    if media not in (FORM, DIRECT):
        given = f"Content-Type {media}" if media else "no Content-Type"
        raise ProtocolError(
            f"a SPARQL query by POST needs Content-Type {FORM} or {DIRECT}; this request has {given}",
            415,
        )
    if charset not in (None, "utf-8", "utf8") and not (media == FORM and charset == "us-ascii"):
        raise ProtocolError(f"the body must be UTF-8, not {charset}", 415)
    body = await _body(request, limit)
    if media == FORM:
        form = _pairs(_utf8(body, "the form"))
        params += form
        queries += [value for name, value in form if name == "query"]
    else:
        queries.append(_utf8(body, "the query"))
    return params, queries


def _endpoint(request: Request) -> str:
    return str(request.url).split("?", 1)[0]


_DOCS: dict[str, Any] = dict(
    summary="SPARQL 1.1 query endpoint (read-only); Service Description without a query",
    response_class=Response,
    responses={
        200: {
            "description": "Query results, or the Service Description",
            "content": {
                "application/sparql-results+json": {},
                "application/sparql-results+xml": {},
                "text/csv": {},
                "text/tab-separated-values": {},
                "text/turtle": {},
                "application/n-triples": {},
                "application/ld+json": {},
                "application/rdf+xml": {},
            },
        },
        400: {"description": "Syntax error, update, SERVICE, several queries"},
        405: {"description": "Method other than GET, POST or OPTIONS"},
        406: {"description": "No acceptable result format"},
        413: {"description": "Query over the size cap"},
        415: {"description": "POST body of another media type or charset"},
        503: {"description": "All query workers busy (Retry-After)"},
        504: {"description": "Query stopped at the time limit"},
    },
)


def _parameter(name: str, text: str, *, many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "description": text, "schema": schema}


_DATASET = [
    _parameter("default-graph-uri", "A graph of the default graph (repeatable)", many=True),
    _parameter("named-graph-uri", "A named graph of the dataset (repeatable)", many=True),
    _parameter("format", "Result format by name (json, xml, csv, tsv, turtle, json-ld ...)"),
]
_GET = {
    "parameters": [_parameter("query", "The SPARQL query; none: Service Description"), *_DATASET]
}
_POST = {
    "parameters": _DATASET,
    "requestBody": {
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {"query": {"type": "string"}},
                    "required": ["query"],
                }
            },
            DIRECT: {"schema": {"type": "string"}},
        }
    },
}


@router.get("/sparql", operation_id="sparql_get", openapi_extra=_GET, **_DOCS)
@router.post("/sparql", operation_id="sparql_post", openapi_extra=_POST, **_DOCS)
async def sparql(request: Request) -> Response:
    """Run a SPARQL query: ``query`` by GET or POST form, or the body of an
    ``application/sparql-query`` POST; ``default-graph-uri``/``named-graph-uri`` set the dataset,
    ``format``/``output``/``results`` or ``Accept`` the format. The default graph is the union
    of all graphs. Without a query, GET answers the Service Description."""
    try:
        params, queries = await _read(request)
        names = {name for name, _ in params}
        if "update" in names:
            raise ProtocolError(READ_ONLY)
        if len(queries) > 1:
            raise ProtocolError(f"one query per request, this one has {len(queries)}")
        overrides = [value for name, value in params if name in FORMAT_PARAMS]
        accept = request.headers.get("accept")
        if not queries:
            if request.method == "POST":
                raise ProtocolError("no query: send it as the query parameter or as the body")
            return _description(request, accept, overrides)
        default_graphs = [value for name, value in params if name == "default-graph-uri"]
        named_graphs = [value for name, value in params if name == "named-graph-uri"]
        protocol_dataset = bool(default_graphs or named_graphs)
        executor = executor_for(request.app)
        result = await run_in_threadpool(
            executor.execute,
            queries[0],
            accept=accept,
            overrides=overrides,
            default_graphs=default_graphs if protocol_dataset else None,
            named_graphs=named_graphs if protocol_dataset else None,
            base_iri=_endpoint(request),
        )
    except SparqlError as error:
        return _error(error)
    headers = {**CORS, "Vary": "Accept"}
    if result.truncated:
        headers["SPARQL-Truncated"] = "true"
        headers["SPARQL-Max-Rows"] = str(request.app.state.settings.query_max_rows)
    return Response(result.body, headers={**headers, "Content-Type": result.media_type})


def _prefers_html(accept: str | None, output_q: float) -> bool:
    """A browser: ``text/html`` named explicitly and liked at least as much as any RDF."""
    best = 0.0
    for part in (accept or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.lower() in ("text/html", "application/xhtml+xml"):
            q = 1.0
            for param in params:
                name, _, value = param.partition("=")
                if name.strip().lower() == "q":
                    with contextlib.suppress(ValueError):
                        q = float(value)
            best = max(best, q)
    return best > 0 and best >= output_q


def _description(request: Request, accept: str | None, overrides: list[str]) -> Response:
    settings = request.app.state.settings
    try:
        output = choose_format("DESCRIBE", accept, overrides)
    except NotAcceptable:
        output = None
    # A browser (HTML wanted over any RDF) is sent to the SPARQL page; clients get RDF.
    liked = 0.0 if output is None else accept_q(accept, output)
    if not overrides and _prefers_html(accept, liked):
        return RedirectResponse("/query", status_code=303, headers={**CORS, "Vary": "Accept"})
    if output is None:
        output = choose_format("DESCRIBE", accept, overrides)  # raises NotAcceptable again
    body = service_description(
        _endpoint(request),
        graphs=request.app.state.store.graphs(),
        output=output,
        timeout=settings.query_timeout,
        max_rows=settings.query_max_rows,
        max_bytes=settings.query_max_bytes,
    )
    return Response(body, headers={**CORS, "Vary": "Accept", "Content-Type": output.media_type})


@router.options("/sparql", include_in_schema=False)
async def preflight(request: Request) -> Response:
    """CORS preflight (and plain OPTIONS): which methods and headers a browser may use."""
    asked = request.headers.get("access-control-request-headers")
    return Response(
        status_code=204,
        headers={
            **CORS,
            "Allow": ALLOWED,
            "Access-Control-Allow-Methods": ALLOWED,
            "Access-Control-Allow-Headers": asked or "Accept, Content-Type",
            "Access-Control-Max-Age": "86400",
        },
    )


@router.api_route(
    "/sparql",
    methods=["PUT", "DELETE", "PATCH", "HEAD", "TRACE"],
    include_in_schema=False,
)
async def other_methods(request: Request) -> Response:
    """Any other method: 405 with the methods the protocol allows (updates are never taken)."""
    return _error(
        ProtocolError(
            f"method {request.method} is not allowed on /sparql: use GET or POST "
            f"(queries only: {READ_ONLY})",
            405,
        )
    )
