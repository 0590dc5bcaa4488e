"""The vocabulary, taxonomies and shapes as linked data (W3C Best Practice Recipes 3 and 4).

Every IRI ``https://w3id.org/sse/<path>`` is served at ``/<path>``:

    path                                  names                              answers
    /vocab/                               the vocabulary (owl:Ontology)      200, by Accept
    /vocab/1.0.0                          the vocabulary at that version     200, by Accept
    /vocab/alignments/essglobal           the alignment to ESSGlobal         200 (HTML: 303 /vocab/#alignment)
    /vocab/<Term>                         a class or property                303 to /vocab/<Term>.<ext>
    /taxonomy/                            the list of concept schemes        200, by Accept
    /taxonomy/<scheme>                    a concept scheme (its whole file)  200, by Accept
    /taxonomy/crosswalks                  mappings between schemes           200 (HTML: 303 /taxonomy/#crosswalks)
    /taxonomy/<scheme>/<code>             a concept                          303 to .../<code>.<ext>
    /shapes/<profile>/                    a profile's shapes graph           200 (HTML: 303 /profiles/<profile>)
    /shapes/<profile>/<Shape>             one shape                          303 to /shapes/<profile>.<ext>
                                                                             or /profiles/<profile>#<anchor>
    /context.jsonld                       the JSON-LD context                200 application/ld+json

A document's own address is the resource's path without its trailing slash plus an extension:
``.html``, ``.ttl``, ``.jsonld``, ``.rdf``, ``.nt`` (``/vocab.ttl``, ``/vocab/Initiative.ttl``,
``/taxonomy/legal-form.rdf``, ``/taxonomy/legal-form/L2.nt``, ``/shapes/core.jsonld``); it
answers 200 in that format whatever ``Accept`` says. Without an extension the format follows
``Accept`` (quality values honoured; ``*/*`` and no header give HTML); a type we cannot give is
406. Terms, concepts and shapes name things, not documents, so their IRIs answer 303 See Other
(Recipe 4: one document per term); the vocabulary, a version, a scheme and a shapes graph are
documents and answer 200 with ``Content-Location``. Every answer says ``Vary: Accept`` and lists
the formats in ``Link`` (``rel="alternate"`` for a document, ``rel="describedby"`` for a thing);
``Location``, ``Content-Location`` and ``Link`` use ``Settings.base_url``. The RDF keeps the
canonical IRIs. Unknown IRIs are 404: JSON, or a page when the client asks for HTML.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from service.routes import pages
from ssevalidate import publish
from ssevalidate.namespaces import SHAPES, TAXONOMY, VOCAB
from ssevalidate.profiles import PROFILES
from ssevalidate.publish import FORMATS, IriMap, Resource, negotiate, resolve, split_extension

router = APIRouter(tags=["linked data"])

METHODS = ["GET", "HEAD"]
CACHE = "public, max-age=3600"


def _headers(request: Request, resource: Resource | None = None) -> dict[str, str]:
    headers = {
        "Vary": "Accept",
        # Vocabularies and contexts are read by browser tools (JSON-LD playground, YASGUI...).
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "Content-Location, Link, Location",
    }
    if resource is not None:
        base = IriMap(request.app.state.settings.base_url).base
        # A document has alternates; a thing (term, concept, shape) is described by documents.
        rel = "describedby" if resource.redirect else "alternate"
        headers["Link"] = ", ".join(
            f'<{base}{resource.stem}.{ext}>; rel="{rel}"; type="{FORMATS[ext].media_type}"'
            for ext in resource.formats
        )
    return headers


def _error(request: Request, status: int, message: str, what: str) -> Response:
    """An error as JSON, or as a page when a browser asked."""
    if status == 404 and "text/html" in request.headers.get("accept", "").lower():
        response = pages.not_found_page(request, what)
        response.headers["Vary"] = pages.HTML_VARY
        return response
    return JSONResponse({"error": message}, status_code=status, headers=_headers(request))


def _not_found(request: Request, what: str) -> Response:
    what = what if len(what) <= 200 else what[:200] + "…"
    return _error(request, 404, f"nothing is published at {what}", what)


def _not_acceptable(request: Request, resource: Resource) -> Response:
    offered = ", ".join(FORMATS[ext].media_type for ext in resource.formats)
    return _error(
        request,
        406,
        f"no acceptable representation for Accept: {request.headers.get('accept', '')}; "
        f"{resource.iri} is available as {offered}",
        resource.iri,
    )


def _see_other(request: Request, resource: Resource, location: str) -> Response:
    """303 to ``location`` (a service path), made absolute with the base URL."""
    base = IriMap(request.app.state.settings.base_url).base
    return RedirectResponse(
        base + location.lstrip("/"), status_code=303, headers=_headers(request, resource)
    )


def _html(request: Request, resource: Resource) -> Response:
    view = pages.HTML_VIEWS.get(resource.kind)
    if view is None:
        return _see_other(request, resource, pages.html_location(resource) or "/")
    response = view(request, resource)
    response.headers.update(_headers(request, resource))
    response.headers["Vary"] = pages.HTML_VARY
    return response


def _representation(
    request: Request, resource: Resource, ext: str, *, negotiated: bool
) -> Response:
    """The document of ``resource`` in ``ext``; ``negotiated`` adds ``Content-Location``."""
    if ext == "html":
        response = _html(request, resource)
    else:
        doc = publish.document(resource, ext)
        response = Response(
            doc.body, media_type=doc.media_type, headers=_headers(request, resource)
        )
        response.headers["Cache-Control"] = CACHE
    if negotiated and response.status_code == 200:
        base = IriMap(request.app.state.settings.base_url).base
        response.headers["Content-Location"] = f"{base}{resource.stem}.{ext}"
    return response


def _serve(request: Request, iri: str, ext: str | None, what: str) -> Response:
    """Everything the routes share: resolve the IRI, then 200, 303, 404 or 406."""
    resource = resolve(iri)
    if resource is None:
        return _not_found(request, what)
    if ext is not None:
        # A document URL names one format; a single shape has no document of its own.
        if ext not in resource.formats or resource.kind == "shape":
            return _not_found(request, what)
        return _representation(request, resource, ext, negotiated=False)
    chosen = negotiate(request.headers.get("accept"), resource.formats)
    if chosen is None:
        return _not_acceptable(request, resource)
    if resource.kind == "shape":
        location = (
            pages.html_location(resource) if chosen == "html" else f"/{resource.stem}.{chosen}"
        )
        return _see_other(request, resource, location)
    if resource.redirect:
        query = f"?{request.url.query}" if chosen == "html" and request.url.query else ""
        return _see_other(request, resource, f"/{resource.stem}.{chosen}{query}")
    return _representation(request, resource, chosen, negotiated=True)


# ------------------------------------------------------------------------------------------------
# Routes
# ------------------------------------------------------------------------------------------------


@router.api_route("/vocab/", methods=METHODS, summary="The SSE vocabulary (content negotiation)")
def vocabulary(request: Request) -> Response:
    return _serve(request, VOCAB, None, "/vocab/")


@router.api_route("/vocab.{ext}", methods=METHODS, summary="The SSE vocabulary in one format")
def vocabulary_document(request: Request, ext: str) -> Response:
    if ext not in FORMATS:
        return _not_found(request, f"/vocab.{ext}")
    return _serve(request, VOCAB, ext, f"/vocab.{ext}")


@router.api_route("/vocab/alignments/{name}", methods=METHODS, summary="The alignment to ESSGlobal")
def alignment(request: Request, name: str) -> Response:
    stem, ext = split_extension(name)
    return _serve(request, f"{VOCAB}alignments/{stem}", ext, f"/vocab/alignments/{name}")


@router.api_route(
    "/vocab/{name}", methods=METHODS, summary="A term (303) or its document (with an extension)"
)
def term(request: Request, name: str) -> Response:
    stem, ext = split_extension(name)
    return _serve(request, VOCAB + stem, ext, f"/vocab/{name}")


@router.api_route("/taxonomy/", methods=METHODS, summary="The list of concept schemes")
def taxonomies(request: Request) -> Response:
    return _serve(request, TAXONOMY, None, "/taxonomy/")


@router.api_route("/taxonomy.{ext}", methods=METHODS, summary="The list of schemes in one format")
def taxonomies_document(request: Request, ext: str) -> Response:
    if ext not in FORMATS:
        return _not_found(request, f"/taxonomy.{ext}")
    return _serve(request, TAXONOMY, ext, f"/taxonomy.{ext}")


@router.api_route("/taxonomy/{scheme}", methods=METHODS, summary="A concept scheme")
def scheme(request: Request, scheme: str) -> Response:
    stem, ext = split_extension(scheme)
    return _serve(request, TAXONOMY + stem, ext, f"/taxonomy/{scheme}")


@router.api_route(
    "/taxonomy/{scheme}/{code}",
    methods=METHODS,
    summary="A concept (303) or its document (with an extension)",
)
def concept(request: Request, scheme: str, code: str) -> Response:
    stem, ext = split_extension(code)
    return _serve(request, f"{TAXONOMY}{scheme}/{stem}", ext, f"/taxonomy/{scheme}/{code}")


@router.api_route("/shapes/{profile}/", methods=METHODS, summary="The shapes of a profile")
def shapes(request: Request, profile: str) -> Response:
    return _serve(request, f"{SHAPES}{profile}/", None, f"/shapes/{profile}/")


@router.api_route(
    "/shapes/{name}",
    methods=METHODS,
    summary="A profile's shapes in one format (with an extension)",
)
def shapes_document(request: Request, name: str) -> Response:
    stem, ext = split_extension(name)
    if ext is None:
        if stem in PROFILES:  # the shapes IRI ends with a slash
            base = IriMap(request.app.state.settings.base_url).base
            return RedirectResponse(f"{base}shapes/{stem}/", status_code=301)
        return _not_found(request, f"/shapes/{name}")
    return _serve(request, f"{SHAPES}{stem}/", ext, f"/shapes/{name}")


@router.api_route(
    "/shapes/{profile}/{name}", methods=METHODS, summary="One shape (303 to where it is explained)"
)
def shape(request: Request, profile: str, name: str) -> Response:
    stem, ext = split_extension(name)
    return _serve(request, f"{SHAPES}{profile}/{stem}", ext, f"/shapes/{profile}/{name}")


@router.api_route("/context.jsonld", methods=METHODS, summary="The JSON-LD context")
def context(request: Request) -> Response:
    """The context data refers to as ``https://w3id.org/sse/context.jsonld``; it is only JSON-LD,
    whatever ``Accept`` says, and points to the vocabulary that defines its terms."""
    doc = publish.context_document()
    base = IriMap(request.app.state.settings.base_url).base
    headers = _headers(request)
    headers["Link"] = f'<{base}vocab/>; rel="describedby"'
    headers["Cache-Control"] = CACHE
    return Response(doc.body, media_type=doc.media_type, headers=headers)
