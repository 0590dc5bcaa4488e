"""Reviewing the same organisation in several directories: the matches, decisions on them, and
the ``owl:sameAs`` view of the confirmed ones.

    curl -H 'Accept: application/json' 'http://127.0.0.1:8000/matches?status=open&source=ica&page=2'
    curl -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
         -d '{"decision": "confirmed", "by": "Ana"}' http://127.0.0.1:8000/matches/<id>/decision
    curl -H 'Accept: application/n-triples' http://127.0.0.1:8000/matches/sameas

``GET /matches`` lists one status (``open``, ``confirmed``, ``rejected``), optionally only the
matches touching one source (``source=<id>``), 25 a page (``page=``): a page for browsers, JSON
for everyone else (``Accept``). Each match shows both records side by side (name, source,
website, address), the distance between them, the rules that proposed it and its score.

``POST /matches/{id}/decision`` takes ``decision`` (``confirmed`` or ``rejected``) and ``by``
(who decides: a name or an IRI) as JSON or as a form. It needs the admin token
(``Settings.admin_token``): as ``Authorization: Bearer``, or, from the page, in the form's
``token`` field (a browser form cannot set the header). No token configured: 403; a missing or
wrong one: 401 (the check is :mod:`service.auth`, shared with the sources). The page works
without JavaScript: one form holds the token and the reviewer's name, each match's buttons post
it to that match's address (``formaction``), and the answer is a redirect back to the same list.

The graphs are those under the harvest configuration's ``base`` (``Settings.harvest_config``),
else the harvester's default. The work is done by :mod:`ssevalidate.matching`.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from rdflib import Graph
from rdflib.namespace import OWL
from starlette.concurrency import run_in_threadpool

from service.auth import UNCONFIGURED, AdminCheck, AdminRefusal, is_form
from service.i18n import request_lang, translator
from service.templating import page
from ssevalidate import matching
from ssevalidate.harvest import ConfigError, load_config
from ssevalidate.harvest.config import DEFAULT_BASE
from ssevalidate.harvest.storeio import ntriples
from ssevalidate.mediatypes import negotiate

router = APIRouter(tags=["matches"])

HTML_VARY = "Accept, Accept-Language, Cookie"
DEFAULT_REVIEWER = "administrator"
"""Who decided, when an API client does not say."""


class Refused(Exception):
    """A request this module answers with an error: status, text key, extra headers."""

    def __init__(self, status: int, key: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.headers = headers or {}


def base_of(request: Request) -> str:
    """The base IRI of the harvest graphs this service reads."""
    path = request.app.state.settings.harvest_config
    if path is None:
        return DEFAULT_BASE
    try:
        return load_config(path).base
    except ConfigError:
        raise Refused(500, "matches_error_config") from None


def authorise(admin: AdminRefusal | None) -> None:
    """Raise :class:`Refused` when :mod:`service.auth` refused the request."""
    if admin is not None:
        key = "matches_error_no_token" if admin.reason == UNCONFIGURED else "matches_error_token"
        raise Refused(admin.status, key, admin.headers)


@router.get("/matches")
def list_matches(
    request: Request,
    status: str = matching.OPEN,
    source: str | None = None,
    page_number: int = Query(1, ge=1, alias="page"),
) -> Response:
    """One page of the matches with a status, as a page or as JSON."""
    html = _wants_html(request)
    try:
        base = base_of(request)
        listing = _listing(request, base, status, source, page_number)
    except Refused as refused:
        return _refusal(request, refused, html)
    if html:
        return _page(request, base, listing)
    return JSONResponse(_as_json(listing))


@router.get("/matches/sameas")
def same_as_view(request: Request) -> Response:
    """``owl:sameAs`` between the records of each confirmed match: Turtle or N-Triples."""
    media = negotiate(request.headers.get("accept"), ["text/turtle", "application/n-triples"])
    if media is None:
        return JSONResponse(
            {"error": "this view is text/turtle or application/n-triples"}, status_code=406
        )
    try:
        base = base_of(request)
    except Refused as refused:
        return _refusal(request, refused, html=False)
    triples = matching.same_as_triples(matching.same_as(request.app.state.store, base))
    if media == "application/n-triples":
        body = ntriples(triples)
    else:
        graph = Graph()
        graph.bind("owl", OWL)
        for triple in triples:
            graph.add(triple)
        body = graph.serialize(format="turtle").encode("utf-8")
    return Response(body, media_type=media, headers={"Vary": "Accept"})


@router.post("/matches/{key}/decision")
async def post_decision(request: Request, key: str, admin: AdminCheck) -> Response:
    """Confirm or reject a match (admin token)."""
    from_form = is_form(request)
    back = "/matches"
    try:
        if from_form:  # read first: a refusal returns to the list the form came from
            form = await request.form()
            fields = {name: str(form.get(name) or "") for name in ("decision", "by")}
            back = _safe_back(str(form.get("back") or ""))
        authorise(admin)
        if not from_form:
            fields = await _json_fields(request)
        base = base_of(request)
        view = await run_in_threadpool(
            _decide, request, base, key, fields["decision"], fields["by"]
        )
    except Refused as refused:
        if from_form:  # the list again, read off the event loop like the decision
            return await run_in_threadpool(_refusal_on_list, request, refused, back)
        return _refusal(request, refused, html=False)
    if from_form:
        return RedirectResponse(back, status_code=303)
    return JSONResponse({"match": _view_json(view)})


# --- the work, on the store -----------------------------------------------------------------------


def _listing(
    request: Request, base: str, status: str, source: str | None, page_number: int
) -> matching.MatchPage:
    try:
        return matching.matches(
            request.app.state.store, base, status, page_number, source=source or None
        )
    except ValueError:
        raise Refused(400, "matches_error_filter") from None


def _decide(request: Request, base: str, key: str, decision: str, by: str) -> matching.MatchView:
    store = request.app.state.store
    try:
        iri = matching.match_iri(base, key)
    except ValueError:
        raise Refused(404, "matches_error_unknown") from None
    try:
        matching.decide(store, base, iri, decision, by.strip() or DEFAULT_REVIEWER)
    except matching.UnknownMatch:
        raise Refused(404, "matches_error_unknown") from None
    except ValueError:
        raise Refused(400, "matches_error_decision") from None
    view = matching.match_view(store, base, iri)
    assert view is not None  # it was just decided
    return view


async def _json_fields(request: Request) -> dict[str, str]:
    try:
        body = await request.json()
    except ValueError:
        raise Refused(400, "matches_error_body") from None
    if not isinstance(body, dict) or not all(
        isinstance(body.get(name, ""), str) for name in ("decision", "by")
    ):
        raise Refused(400, "matches_error_body")
    return {"decision": body.get("decision", ""), "by": body.get("by", "")}


# --- answers --------------------------------------------------------------------------------------


def _wants_html(request: Request) -> bool:
    offers = ["application/json", "text/html"]
    return negotiate(request.headers.get("accept"), offers) == "text/html"


def _as_json(listing: matching.MatchPage) -> dict:
    return {
        "status": listing.status,
        "source": listing.source,
        "page": listing.page,
        "pages": listing.pages,
        "per_page": listing.per_page,
        "total": listing.total,
        "matches": [_view_json(view) for view in listing.matches],
    }


def _view_json(view: matching.MatchView) -> dict:
    return {**dataclasses.asdict(view), "decision_url": f"/matches/{view.key}/decision"}


def _page(
    request: Request,
    base: str,
    listing: matching.MatchPage,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    def at(number: int) -> str:
        query = {"status": listing.status, "page": number}
        if listing.source:
            query["source"] = listing.source
        return f"/matches?{urlencode(query)}"

    response = page(
        request,
        "matches.html",
        status_code=status_code,
        listing=listing,
        statuses=matching.STATUSES,
        sources=matching.sources(request.app.state.store, base),
        back=at(listing.page),
        previous_url=at(listing.page - 1) if listing.page > 1 else None,
        next_url=at(listing.page + 1) if listing.page < listing.pages else None,
        error=error,
    )
    response.headers["Vary"] = HTML_VARY
    return response


def _refusal(request: Request, refused: Refused, html: bool) -> Response:
    if html:
        t = translator(request_lang(request))
        response = page(
            request, "matches.html", status_code=refused.status, listing=None, error=t(refused.key)
        )
        response.headers.update(refused.headers)
        response.headers["Vary"] = HTML_VARY
        return response
    message = translator("en")(refused.key)
    return JSONResponse({"error": message}, status_code=refused.status, headers=refused.headers)


def _refusal_on_list(request: Request, refused: Refused, back: str) -> Response:
    """A refused form post: the list it came from again, with the reason, and the status."""
    query = parse_qs(urlsplit(back).query)
    status = query.get("status", [matching.OPEN])[0]
    source = query.get("source", [""])[0] or None
    try:
        number = max(1, int(query.get("page", ["1"])[0]))
    except ValueError:
        number = 1
    try:
        base = base_of(request)
        listing = _listing(request, base, status, source, number)
    except Refused:
        return _refusal(request, refused, html=True)
    t = translator(request_lang(request))
    response = _page(request, base, listing, error=t(refused.key), status_code=refused.status)
    response.headers.update(refused.headers)
    return response


def _safe_back(value: str) -> str:
    """Where a form post returns: one of our match lists, never another site."""
    if value.startswith("/matches") and "//" not in value and "\\" not in value:
        return value
    return "/matches"


__all__ = ["authorise", "base_of", "router"]
