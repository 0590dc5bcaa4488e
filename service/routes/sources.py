"""The harvested sources: their list, their status and quality over time, changes through the
API, harvests on demand, and the DCAT catalogue and VoID description of what is harvested.

    curl -H 'Accept: application/json' http://127.0.0.1:8000/sources
    curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
         -d '{"id": "kvm", "title": "KVM", "url": "https://kvm.example/all.csv", "kind": "csv",
              "licence": "https://creativecommons.org/licenses/by/4.0/", "schedule": "P1D"}' \\
         http://127.0.0.1:8000/sources
    curl -X POST -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/sources/kvm/harvest
    curl -H 'Accept: text/turtle' http://127.0.0.1:8000/catalog

Routes:

- ``GET /sources``: every source with its status, last harvest and conformance (a page for
  browsers, JSON otherwise, by ``Accept``);
- ``POST /sources`` (admin): add a source, given as the JSON object a ``[[source]]`` table of
  the sources file would hold; ``201`` with ``Location``, ``422`` with ``problems`` by key
  when the checks refuse it, ``409`` when the id is taken;
- ``PUT /sources/{id}`` / ``DELETE /sources/{id}`` (admin): change or remove a source added
  through the API (``409`` for a source of the file: change the file). A removed source is
  retired: its graphs emptied and the deletion of its records recorded (the change feed
  tells followers), after any harvest of it in progress;
- ``POST /sources/{id}/harvest`` (admin): queue a harvest now; ``202`` with the status URL.
  From the source's page, a form posts the token in its ``token`` field (a browser form cannot
  set the header) and is sent back to the page;
- ``GET /sources/{id}``: details, status (with the pipeline's stage while it runs), the
  conformance trend (SVG and a table), the violations per shape and the rejected records'
  results of the latest harvest; JSON too;
- ``GET /sources/{id}/data``: the accepted records as N-Triples (the ``void:dataDump``);
- ``GET /catalog`` and ``GET /.well-known/void``: the catalogue graph (DCAT and VoID, the same
  graph SPARQL sees) as Turtle or JSON-LD.

Admin actions need ``Authorization: Bearer <Settings.admin_token>``: no token configured, 403;
a missing or wrong one, 401 (the check is :mod:`service.auth`, shared with the match
decisions). The sources are those of ``Settings.harvest_config`` and those added here
(:mod:`ssevalidate.harvest.registry`); the router's lifespan runs the schedule
(:mod:`ssevalidate.harvest.schedule`) when there are any, and the catalogue is rewritten after
each harvest and each change; after a harvest that changed records the schedule also proposes
the matches again (:func:`ssevalidate.harvest.match_changes`).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from service.auth import UNCONFIGURED, AdminCheck, AdminRefusal, is_form
from service.i18n import request_lang, translator
from service.templating import page
from ssevalidate.harvest import quality, retire
from ssevalidate.harvest.catalogue import (
    PREFIXES,
    catalogue_graph_iri,
    data_url,
    graph_dump,
    read_catalogue,
    write_catalogue,
)
from ssevalidate.harvest.config import ConfigError, Source
from ssevalidate.harvest.registry import (
    InvalidSource,
    Registered,
    SourceConflict,
    SourceRegistry,
    UnknownSource,
)
from ssevalidate.harvest.schedule import Scheduler, Status, iso_duration
from ssevalidate.mediatypes import negotiate
from ssevalidate.store import StoreError

log = logging.getLogger("ssevalidate.service.sources")

HTML_VARY = "Accept, Accept-Language, Cookie"
RDF_TYPES = ("text/turtle", "application/ld+json")
RESULTS_SHOWN = 100
"""Rejected records' results listed on a source's page."""

_start_lock = threading.Lock()


class Refused(Exception):
    """A request answered with an error: status, text key, extra headers, details."""

    def __init__(
        self,
        status: int,
        key: str,
        headers: dict[str, str] | None = None,
        problems: dict[str, list[str]] | None = None,
        **values: object,
    ) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.headers = headers or {}
        self.problems = problems
        self.values = values


# --- the registry and the scheduler of an application -------------------------------------------


def registry_of(app: FastAPI) -> SourceRegistry:
    """The application's sources, read on first use (:class:`ConfigError` for a bad file)."""
    registry = getattr(app.state, "source_registry", None)
    if registry is None:
        with _start_lock:
            registry = getattr(app.state, "source_registry", None)
            if registry is None:
                settings = app.state.settings
                registry = SourceRegistry(app.state.store, settings.harvest_config)
                app.state.source_registry = registry
    return registry


def refresh_catalogue(app: FastAPI) -> None:
    """Rewrite the catalogue graph; a store failure is logged (the previous one stays)."""
    try:
        config = registry_of(app).config()
        write_catalogue(app.state.store, config, app.state.settings.base_url)
    except StoreError as error:
        log.error("the catalogue was not rewritten: %s", error)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    registry = await run_in_threadpool(registry_of, app)
    scheduler = Scheduler(
        registry,
        allow=app.state.settings.fetch_allow,
        after=lambda result: refresh_catalogue(app),
    )
    app.state.harvest_scheduler = scheduler
    if registry.entries():  # a service without sources gets no catalogue graph
        await run_in_threadpool(refresh_catalogue, app)
        scheduler.start()
    try:
        yield
    finally:
        await run_in_threadpool(scheduler.stop)
        app.state.harvest_scheduler = None


router = APIRouter(tags=["sources"], lifespan=_lifespan)


def _scheduler(request: Request) -> Scheduler | None:
    return getattr(request.app.state, "harvest_scheduler", None)


def _registry(request: Request) -> SourceRegistry:
    try:
        return registry_of(request.app)
    except ConfigError:
        log.exception("the harvest configuration cannot be read")
        raise Refused(500, "src_error_config") from None


def _statuses(request: Request, registry: SourceRegistry) -> dict[str, Status]:
    """The scheduler's view, or (when it does not run) the same without queue and stage."""
    scheduler = _scheduler(request) or Scheduler(registry)
    return scheduler.statuses()


# --- authorisation ------------------------------------------------------------------------------


def authorise(admin: AdminRefusal | None) -> None:
    """Raise :class:`Refused` when :mod:`service.auth` refused the request."""
    if admin is not None:
        key = "src_error_no_token" if admin.reason == UNCONFIGURED else "src_error_token"
        raise Refused(admin.status, key, admin.headers)


# --- reading --------------------------------------------------------------------------------------


@router.get("/sources", summary="The harvested sources, their status and quality")
def list_sources(request: Request) -> Response:
    html = _wants_html(request)
    try:
        registry = _registry(request)
        entries = registry.entries()
        statuses = _statuses(request, registry)
        latest = quality.latest(request.app.state.store, registry.config().provenance_graph)
    except Refused as refused:
        return _refusal(request, refused, html)
    rows = [
        {
            **_source_json(entry, statuses[entry.source.id]),
            "conformance": _rate(latest.get(entry.source.id)),
        }
        for entry in entries
    ]
    unusable = dict(registry.unusable)
    if not html:
        return JSONResponse(
            {"sources": rows, "unusable": unusable, "catalog": "/catalog", "void": _VOID_PATH}
        )
    return _page(request, "sources.html", sources=rows, unusable=unusable)


@router.get("/sources/{source_id}", summary="A source: status, quality over time, latest results")
def show_source(request: Request, source_id: str) -> Response:
    html = _wants_html(request)
    try:
        view = _source_view(request, source_id)
    except Refused as refused:
        return _refusal(request, refused, html)
    if not html:
        return JSONResponse(view["json"])
    return _source_page(request, view)


@router.get("/sources/{source_id}/data", summary="A source's accepted records as N-Triples")
def source_data(request: Request, source_id: str) -> Response:
    try:
        entry = _entry(_registry(request), source_id)
    except Refused as refused:
        return _refusal(request, refused, html=False)
    dump = graph_dump(request.app.state.store, entry.source.graph)
    return StreamingResponse(dump, media_type="application/n-triples")


_VOID_PATH = "/.well-known/void"


@router.get("/catalog", summary="DCAT catalogue and VoID description (Turtle or JSON-LD)")
def catalog(request: Request) -> Response:
    return _catalogue_response(request)


@router.get(_VOID_PATH, summary="VoID description of the harvested data (Turtle or JSON-LD)")
def void_description(request: Request) -> Response:
    return _catalogue_response(request)


def _catalogue_response(request: Request) -> Response:
    media = negotiate(request.headers.get("accept"), list(RDF_TYPES))
    if media is None:
        return JSONResponse(
            {"error": f"this document is {' or '.join(RDF_TYPES)}"},
            status_code=406,
            headers={"Vary": "Accept"},
        )
    try:
        registry = _registry(request)
    except Refused as refused:
        return _refusal(request, refused, html=False)
    store = request.app.state.store
    if store.count(catalogue_graph_iri(registry.base)) == 0:
        refresh_catalogue(request.app)  # first request before the lifespan wrote it
    graph = read_catalogue(store, registry.base)
    if media == "application/ld+json":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        body = graph.serialize(format="json-ld", context=context, auto_compact=True)
    else:
        body = graph.serialize(format="turtle")
    return Response(body, media_type=media, headers={"Vary": "Accept"})


# --- changing -------------------------------------------------------------------------------------


@router.post("/sources", status_code=201, summary="Add a source (admin)")
async def add_source(request: Request, admin: AdminCheck) -> Response:
    try:
        authorise(admin)
        table = await _json_body(request)
        registry = _registry(request)
        source = await run_in_threadpool(_change, request, registry.add, table)
    except Refused as refused:
        return _refusal(request, refused, html=False)
    entry = registry.get(source.id)
    status = await run_in_threadpool(_statuses, request, registry)
    return JSONResponse(
        {"source": _source_json(entry, status[source.id])},
        status_code=201,
        headers={"Location": f"/sources/{source.id}"},
    )


@router.put("/sources/{source_id}", summary="Change a source added through the API (admin)")
async def replace_source(request: Request, source_id: str, admin: AdminCheck) -> Response:
    try:
        authorise(admin)
        table = await _json_body(request)
        registry = _registry(request)
        source = await run_in_threadpool(
            _change, request, lambda t: registry.replace(source_id, t), table
        )
    except Refused as refused:
        return _refusal(request, refused, html=False)
    status = await run_in_threadpool(_statuses, request, registry)
    return JSONResponse({"source": _source_json(registry.get(source.id), status[source.id])})


@router.delete(
    "/sources/{source_id}", status_code=204, summary="Forget a source added through the API"
)
async def delete_source(request: Request, source_id: str, admin: AdminCheck) -> Response:
    try:
        authorise(admin)
        registry = _registry(request)
        removed = await run_in_threadpool(
            _change, request, lambda _: registry.remove(source_id), None
        )
    except Refused as refused:
        return _refusal(request, refused, html=False)
    if removed is not None:
        await run_in_threadpool(_retire, request, registry, removed)
    return Response(status_code=204)


def _retire(request: Request, registry: SourceRegistry, source: Source) -> None:
    """Empty a removed source's graphs: by the scheduler, after any harvest of it in
    progress, or here when the schedule does not run."""
    scheduler = _scheduler(request)
    if scheduler is not None and scheduler.started:
        scheduler.retire(source)
        return
    retire(source, request.app.state.store, registry.config())
    refresh_catalogue(request.app)


@router.post("/sources/{source_id}/harvest", status_code=202, summary="Harvest now (admin)")
async def harvest_now(request: Request, source_id: str, admin: AdminCheck) -> Response:
    from_form = is_form(request)
    try:
        authorise(admin)
        scheduler = _scheduler(request)
        if scheduler is None or not scheduler.started:
            raise Refused(503, "src_error_scheduler")
        try:
            status = await run_in_threadpool(scheduler.trigger, source_id)
        except UnknownSource:
            raise Refused(404, "src_error_unknown") from None
    except Refused as refused:
        if from_form:
            return await run_in_threadpool(_source_page_refused, request, source_id, refused)
        return _refusal(request, refused, html=False)
    if from_form:
        return RedirectResponse(f"/sources/{source_id}", status_code=303)
    status_url = f"/sources/{source_id}"
    return JSONResponse(
        {"status": _status_json(status), "status_url": status_url},
        status_code=202,
        headers={"Location": status_url},
    )


def _change(
    request: Request, change: Callable[[object], Source | None], table: object
) -> Source | None:
    """Apply a change to the registry, then let the catalogue and the schedule know."""
    try:
        source = change(table)
    except InvalidSource as refused:
        raise Refused(422, "src_error_invalid", problems=refused.problems) from None
    except SourceConflict as conflict:
        raise Refused(409, "src_error_conflict", reason=str(conflict)) from None
    except UnknownSource:
        raise Refused(404, "src_error_unknown") from None
    except StoreError:
        log.exception("the sources could not be saved")
        raise Refused(503, "src_error_store") from None
    refresh_catalogue(request.app)
    scheduler = _scheduler(request)
    if scheduler is not None:
        scheduler.start()
        scheduler.wake()
    return source


async def _json_body(request: Request) -> object:
    try:
        return await request.json()
    except ValueError:
        raise Refused(400, "src_error_body") from None


# --- views ----------------------------------------------------------------------------------------


def _entry(registry: SourceRegistry, source_id: str) -> Registered:
    try:
        return registry.get(source_id)
    except UnknownSource:
        raise Refused(404, "src_error_unknown") from None


def _source_view(request: Request, source_id: str) -> dict[str, Any]:
    registry = _registry(request)
    entry = _entry(registry, source_id)
    source = entry.source
    store = request.app.state.store
    status = _statuses(request, registry)[source_id]
    harvests = quality.history(store, registry.config().provenance_graph, source_id)
    measured = [h for h in harvests if h.conformance is not None]
    results, total = quality.quarantined_results(
        store, source.quarantine, request_lang(request), RESULTS_SHOWN
    )
    document = {
        **_source_json(entry, status),
        "conformance": measured[-1].conformance if measured else None,
        "history": [_harvest_json(h) for h in harvests],
        "latest_results": [dataclasses.asdict(r) for r in results],
        "latest_results_total": total,
    }
    return {
        "json": document,
        "entry": entry,
        "status": status,
        "harvests": harvests,
        "measured": measured,
        "results": results,
        "results_total": total,
    }


def _source_json(entry: Registered, status: Status) -> dict[str, Any]:
    source = entry.source
    return {
        "id": source.id,
        "title": source.title,
        "url": source.url,
        "kind": source.kind,
        "licence": source.licence or None,  # None: a DCAT catalogue, licensed per dataset
        "profile": source.profile,
        "schedule": iso_duration(source.schedule) if source.schedule else None,
        "query": source.query,
        "base": source.base,
        "origin": entry.origin,
        "graph": source.graph,
        "quarantine": source.quarantine,
        "status": _status_json(status),
        "last_harvest": _harvest_json(status.last) if status.last else None,
        "links": {
            "self": f"/sources/{source.id}",
            "harvest": f"/sources/{source.id}/harvest",
            "data": f"/sources/{source.id}/data",
        },
    }


def _status_json(status: Status) -> dict[str, Any]:
    return {
        "state": status.state,
        "stage": status.stage,
        "next_due": status.next_due.isoformat() if status.next_due else None,
    }


def _harvest_json(harvest: quality.HarvestQuality) -> dict[str, Any]:
    return {
        "activity": harvest.activity,
        "started": harvest.started.isoformat(),
        "ended": harvest.ended.isoformat() if harvest.ended else None,
        "outcome": harvest.outcome,
        "error": harvest.error,
        "records_read": harvest.read,
        "accepted": harvest.accepted,
        "rejected": harvest.rejected,
        "conformance": harvest.conformance,
        "violations": harvest.violations,
        "warnings": harvest.warnings,
        "violations_per_shape": harvest.violations_per_shape(),
    }


def _rate(latest: quality.Latest | None) -> float | None:
    return latest.measured.conformance if latest and latest.measured else None


def _wants_html(request: Request) -> bool:
    offers = ["application/json", "text/html"]
    return negotiate(request.headers.get("accept"), offers) == "text/html"


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    lang = request_lang(request)
    t = translator(lang)

    def named(prefix: str, code: str | None) -> str:
        key = f"{prefix}_{code}"
        text = t(key)
        return (code or "") if text == key else text

    response = page(
        request,
        template,
        status_code=status_code,
        named=named,
        moment=lambda value: value.strftime("%Y-%m-%d %H:%M UTC") if value else "—",
        percent=lambda rate: "—" if rate is None else f"{rate:.1%}",
        void_path=_VOID_PATH,
        **context,
    )
    response.headers["Vary"] = HTML_VARY
    return response


def _source_page(
    request: Request,
    view: dict[str, Any],
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    t = translator(request_lang(request))
    source = view["entry"].source
    labels = quality.ChartLabels(
        title=t("src_chart_title", title=source.title),
        description=t("src_chart_description", count=len(view["measured"])),
        x_axis=t("src_chart_x"),
        y_axis=t("src_chart_y"),
        point=t("src_chart_point"),
    )
    chart = Markup(quality.conformance_chart(view["harvests"], labels))
    latest = view["measured"][-1] if view["measured"] else None
    return _page(
        request,
        "source.html",
        status_code=status_code,
        source=source,
        entry=view["entry"],
        status=view["status"],
        harvests=view["harvests"],
        measured=view["measured"],
        latest=latest,
        chart=chart if view["measured"] else None,
        results=view["results"],
        results_total=view["results_total"],
        data_url=data_url("", source.id),
        schedule=iso_duration(source.schedule) if source.schedule else None,
        error=error,
    )


def _source_page_refused(request: Request, source_id: str, refused: Refused) -> Response:
    """A refused form post: the source's page again, with the reason, and the status."""
    t = translator(request_lang(request))
    try:
        view = _source_view(request, source_id)
    except Refused:
        return _refusal(request, refused, html=True)
    response = _source_page(
        request, view, error=t(refused.key, **refused.values), status_code=refused.status
    )
    response.headers.update(refused.headers)
    return response


def _refusal(request: Request, refused: Refused, html: bool) -> Response:
    if html:
        t = translator(request_lang(request))
        response = _page(
            request,
            "sources.html",
            status_code=refused.status,
            sources=None,
            unusable={},
            error=t(refused.key, **refused.values),
        )
        response.headers.update(refused.headers)
        return response
    body: dict[str, Any] = {"error": translator("en")(refused.key, **refused.values)}
    if refused.problems is not None:
        body["problems"] = refused.problems
    return JSONResponse(body, status_code=refused.status, headers=refused.headers)


__all__ = ["authorise", "refresh_catalogue", "registry_of", "router"]
