"""Server-rendered pages: home, profiles, and the HTML views of the vocabulary and taxonomies.

``/``, ``/profiles/`` and ``/profiles/<name>`` are routes of this module. The HTML of the
vocabulary, a term, the list of schemes, a scheme and a concept are functions here
(``vocab_page``, ``term_page``, ...) that the linked-data router calls when content negotiation
or a ``.html`` extension asks for HTML, so each page has one address: the one its IRI maps to.

Everything shown comes from :mod:`ssevalidate.publish`; pages only lay it out, in the request's
language. Links to our IRIs go to this service's ``base_url`` (``Settings.base_url``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from service.i18n import request_lang, translator
from service.templating import page, templates
from ssevalidate import publish
from ssevalidate.namespaces import LANGUAGES, SHAPES, TAXONOMY, VOCAB, scheme_iri, shapes_iri
from ssevalidate.profiles import PROFILES, profiles
from ssevalidate.publish import FORMATS, RDF_EXTS, IriMap, Ref, Resource, resolve

router = APIRouter(tags=["pages"])

HTML_VARY = "Accept, Accept-Language, Cookie"
"""HTML depends on the negotiated format and on the language (header, cookie or ``?lang=``)."""


def iri_map(request: Request) -> IriMap:
    """The mapping from canonical IRIs to this deployment's URLs."""
    return IriMap(request.app.state.settings.base_url)


def downloads(request: Request, resource: Resource) -> list[dict[str, str]]:
    """One entry per RDF format of ``resource``'s document: label, media type, URL."""
    base = iri_map(request).base
    return [
        {
            "label": FORMATS[ext].label,
            "media_type": FORMATS[ext].media_type,
            "href": f"{base}{resource.stem}.{ext}",
            "ext": ext,
        }
        for ext in resource.formats
        if ext in RDF_EXTS
    ]


def _helpers(request: Request, lang: str) -> dict[str, Any]:
    """Functions the templates use to show links, languages and translated names."""
    mapping = iri_map(request)
    t = translator(lang)

    def known(key: str) -> str | None:
        text = t(key)
        return None if text == key else text

    def link(target: Ref | None, *, curie: bool = True) -> Markup:
        if target is None:
            return Markup("")
        href = mapping.local(target.iri)
        html = Markup('<a href="{}">{}</a>').format(href, target.label)
        if curie and target.curie != target.label:
            html += Markup(' <code class="curie">{}</code>').format(target.curie)
        return html

    def lang_name(code: str) -> str:
        return known(f"pg_lang_{code}") or code or t("pg_lang_none")

    def relation(target: Ref) -> str:
        local = target.iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        return known(f"pg_rel_{local}") or target.curie

    def named(prefix: str, key: str) -> str:
        return known(f"{prefix}_{key}") or key

    return {
        "url": mapping.local,
        "base": mapping.base,
        "link": link,
        "lang_name": lang_name,
        "relation": relation,
        "named": named,
    }


def render(
    request: Request,
    template: str,
    *,
    status_code: int = 200,
    resource: Resource | None = None,
    lang: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page in the request's language with the download links of ``resource``'s document."""
    lang = lang or request_lang(request)
    files = downloads(request, resource) if resource is not None else []
    response = page(
        request,
        template,
        status_code=status_code,
        lang=lang,
        downloads=files,
        **_helpers(request, lang),
        **context,
    )
    response.headers["Vary"] = HTML_VARY
    if files:
        response.headers["Link"] = ", ".join(
            f'<{f["href"]}>; rel="alternate"; type="{f["media_type"]}"' for f in files
        )
    return response


_NOT_FOUND = templates.env.from_string(
    """{% extends "base.html" %}
{% block title %}{{ t('pg_not_found_title') }}{% endblock %}
{% block content %}<h1>{{ t('pg_not_found_title') }}</h1>
<p>{{ message }}</p>
<p><a href="/vocab/">{{ t('nav_vocabulary') }}</a> · <a href="/taxonomy/">{{ t('nav_taxonomies') }}</a> ·
<a href="/profiles/">{{ t('nav_profiles') }}</a></p>{% endblock %}"""
)


def not_found_page(request: Request, what: str) -> HTMLResponse:
    """A 404 page for people; ``what`` is the IRI or path that does not exist."""
    lang = request_lang(request)
    t = translator(lang)
    html = _NOT_FOUND.render(
        request=request,
        lang=lang,
        languages=LANGUAGES,
        t=t,
        message=t("pg_not_found_text", what=what),
    )
    return HTMLResponse(html, status_code=404, headers={"Vary": HTML_VARY})


# ------------------------------------------------------------------------------------------------
# Routes of this module
# ------------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """What this service is, for whom, and where to go."""
    lang = request_lang(request)
    taxonomies = publish.taxonomies_view(lang)
    return render(
        request,
        "home.html",
        lang=lang,
        term_count=len(publish.terms()),
        scheme_count=len(taxonomies.schemes),
        concept_count=sum(row.concept_count for row in taxonomies.schemes),
        profiles=[publish.describe_profile(p.name, lang) for p in profiles()],
        vocab=resolve(VOCAB),
        vocab_downloads=downloads(request, resolve(VOCAB)),
        example_term=VOCAB + "Initiative",
        example_concept=TAXONOMY + "organisational-structure/OS60",
    )


@router.get("/profiles/", response_class=HTMLResponse)
def profiles_page(request: Request) -> HTMLResponse:
    """Every validation profile, with what it is for and how many checks it holds."""
    lang = request_lang(request)
    return render(
        request,
        "profiles.html",
        lang=lang,
        profiles=[
            (
                publish.describe_profile(p.name, lang),
                downloads(request, resolve(shapes_iri(p.name))),
            )
            for p in profiles()
        ],
    )


@router.get("/profiles/{name}", response_class=HTMLResponse)
def profile_page(request: Request, name: str) -> HTMLResponse:
    """One profile, check by check, generated from its shapes."""
    if name not in PROFILES:
        return not_found_page(request, f"/profiles/{name}")
    lang = request_lang(request)
    profile = publish.describe_profile(name, lang)
    return render(
        request,
        "profile.html",
        lang=lang,
        profile=profile,
        resource=resolve(shapes_iri(name)),
        imported=[part for part in profile.files if part != name],
        shapes_base=SHAPES,
    )


# ------------------------------------------------------------------------------------------------
# HTML views served by the linked-data router
# ------------------------------------------------------------------------------------------------


def vocab_page(request: Request) -> HTMLResponse:
    """The vocabulary: metadata, every class and property, the alignment to ESSGlobal."""
    lang = request_lang(request)
    return render(
        request,
        "vocab.html",
        lang=lang,
        vocab=publish.vocab_view(lang),
        resource=resolve(VOCAB),
        alignment=resolve(publish.ALIGNMENT_IRI),
    )


def term_page(request: Request, name: str) -> HTMLResponse:
    """One class or property: labels and definitions in every language, domain and range,
    super-terms, ESSGlobal alignments and the shapes that use it."""
    lang = request_lang(request)
    return render(
        request,
        "term.html",
        lang=lang,
        term=publish.term_view(name, lang),
        resource=resolve(VOCAB + name),
    )


def taxonomies_page(request: Request) -> HTMLResponse:
    """Every concept scheme and the crosswalks between them."""
    lang = request_lang(request)
    return render(
        request,
        "taxonomies.html",
        lang=lang,
        view=publish.taxonomies_view(lang),
        resource=resolve(TAXONOMY),
        crosswalks=resolve(scheme_iri(publish.CROSSWALKS)),
    )


def scheme_page(request: Request, scheme: str) -> HTMLResponse:
    """One concept scheme with its concepts as a tree."""
    lang = request_lang(request)
    return render(
        request,
        "scheme.html",
        lang=lang,
        scheme=publish.scheme_view(scheme, lang),
        resource=resolve(scheme_iri(scheme)),
    )


def concept_page(request: Request, scheme: str, code: str) -> HTMLResponse:
    """One concept: labels in every language, notation, hierarchy, matches and crosswalks."""
    lang = request_lang(request)
    view = publish.concept_view(scheme, code, lang)
    return render(request, "concept.html", lang=lang, concept=view, resource=resolve(view.iri))


HTML_VIEWS: dict[str, Callable[..., HTMLResponse]] = {
    "vocabulary": lambda request, resource: vocab_page(request),
    "version": lambda request, resource: vocab_page(request),
    "term": lambda request, resource: term_page(request, resource.key),
    "taxonomies": lambda request, resource: taxonomies_page(request),
    "scheme": lambda request, resource: scheme_page(request, resource.key),
    "concept": lambda request, resource: concept_page(request, *resource.key),
}
"""Resource kinds whose HTML is a page of this module (the others redirect to one)."""


def html_location(resource: Resource) -> str | None:
    """For kinds without a page of their own, the service path of the page that shows them."""
    if resource.kind == "alignment":
        return "/vocab/#alignment"
    if resource.kind == "crosswalks":
        return "/taxonomy/#crosswalks"
    if resource.kind == "shapes":
        return f"/profiles/{resource.key}"
    if resource.kind == "shape":
        profile, anchor = publish.shape_page(resource.iri)
        return f"/profiles/{profile}#{anchor}"
    return None
