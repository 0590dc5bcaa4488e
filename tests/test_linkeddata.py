"""The vocabulary, taxonomies and shapes as linked data: content negotiation, 303s, media types,
``Vary``, and RDF that parses and says the right things."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
from conftest import live_service
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from service.app import create_app
from service.settings import Settings
from ssevalidate import publish
from ssevalidate.namespaces import ESSGLOBAL_STANDARD, ESSGLOBAL_VOCAB, SHAPES, TAXONOMY, VOCAB
from ssevalidate.publish import IriMap, negotiate, split_extension
from ssevalidate.resources import ontology_dir, shapes_dir, taxonomy, vocabulary

DEFAULT_BASE = Settings().base_url.rstrip("/")
OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
}
MEDIA = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}
ACCEPT = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "nt": "application/n-triples",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def client() -> TestClient:
    """The default settings: links and redirects go to http://127.0.0.1:8000."""
    app = create_app(Settings(store_path=None), routers=["pages", "linkeddata"])
    return TestClient(app, follow_redirects=False)


@pytest.fixture(scope="module")
def local() -> TestClient:
    """base_url = the test client's own origin, so redirects can be followed."""
    app = create_app(
        Settings(store_path=None, base_url="http://testserver"), routers=["pages", "linkeddata"]
    )
    return TestClient(app, follow_redirects=False)


@pytest.fixture(scope="module")
def deployed() -> TestClient:
    """A deployment before the w3id.org redirect exists."""
    app = create_app(
        Settings(store_path=None, base_url="https://sse.example.org/"),
        routers=["pages", "linkeddata"],
    )
    return TestClient(app, follow_redirects=False)


def triples(body: bytes, ext: str) -> set[ox.Triple]:
    """Parse with pyoxigraph (strict); quads of the default graph become triples."""
    return {
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=OX_FORMATS[ext])
    }


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def lit(text: str, lang: str) -> ox.Literal:
    return ox.Literal(text, language=lang)


def assert_vary_accept(response) -> None:
    assert "Accept" in [part.strip() for part in response.headers["vary"].split(",")]


# ------------------------------------------------------------------------------------------------
# Content negotiation, unit level
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "html"),
        ("", "html"),
        ("*/*", "html"),
        (BROWSER, "html"),
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("text/*", "html"),
        ("text/html;q=0.5, text/turtle", "ttl"),
        ("application/rdf+xml, */*;q=0.1", "rdf"),
        ("text/turtle;q=0, */*", "html"),
        ("*/*;q=0, application/n-triples", "nt"),
        ("application/*", "jsonld"),
        ("TEXT/TURTLE", "ttl"),
        ("text/turtle;q=abc, application/rdf+xml;q=0.2", "rdf"),
        ("image/png", None),
        ("application/json", None),
    ],
)
def test_negotiate(accept, expected):
    assert negotiate(accept) == expected


def test_negotiate_only_among_offered():
    assert negotiate("text/html", ("jsonld",)) is None
    assert negotiate("*/*", ("jsonld",)) == "jsonld"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Initiative", ("Initiative", None)),
        ("Initiative.ttl", ("Initiative", "ttl")),
        ("1.0.0", ("1.0.0", None)),
        ("1.0.0.jsonld", ("1.0.0", "jsonld")),
        ("Initiative.pdf", ("Initiative.pdf", None)),
        (".ttl", (".ttl", None)),
    ],
)
def test_split_extension(name, expected):
    assert split_extension(name) == expected


def test_iri_map_both_ways():
    mapping = IriMap("https://sse.example.org/service/")
    iri = TAXONOMY + "legal-form/L2"
    assert mapping.local(iri) == "https://sse.example.org/service/taxonomy/legal-form/L2"
    assert mapping.canonical(mapping.local(iri)) == iri
    assert mapping.canonical("/vocab/Initiative") == VOCAB + "Initiative"
    assert mapping.local("http://schema.org/name") == "http://schema.org/name"
    assert mapping.path(VOCAB) == "/vocab/"


def test_resolve_every_kind():
    kinds = {
        VOCAB: "vocabulary",
        VOCAB + "1.0.0": "version",
        VOCAB + "alignments/essglobal": "alignment",
        VOCAB + "Initiative": "term",
        TAXONOMY: "taxonomies",
        TAXONOMY + "legal-form": "scheme",
        TAXONOMY + "crosswalks": "crosswalks",
        TAXONOMY + "legal-form/L2": "concept",
        SHAPES + "core/": "shapes",
        SHAPES + "core/Initiative-name": "shape",
        "https://w3id.org/sse/context.jsonld": "context",
    }
    for iri, kind in kinds.items():
        resource = publish.resolve(iri)
        assert resource is not None and resource.kind == kind, iri
    for missing in (
        VOCAB + "initiative",
        VOCAB + "2.0.0",
        VOCAB + "alignments/other",
        TAXONOMY + "legal-form/",
        TAXONOMY + "legal-form/L9",
        TAXONOMY + "nope",
        TAXONOMY + "legal-form/L2/x",
        SHAPES + "core",
        SHAPES + "nope/",
        SHAPES + "core/Nope",
        "https://w3id.org/sse/",
        "https://example.org/vocab/Initiative",
    ):
        assert publish.resolve(missing) is None, missing


# ------------------------------------------------------------------------------------------------
# Over HTTP: status codes, media types, Location, Vary
# ------------------------------------------------------------------------------------------------

DOCUMENTS = [
    # (path without extension, document stem): 200 with content negotiation
    ("/vocab/", "vocab"),
    ("/vocab/1.0.0", "vocab/1.0.0"),
    ("/taxonomy/", "taxonomy"),
    ("/taxonomy/legal-form", "taxonomy/legal-form"),
    ("/taxonomy/crosswalks", "taxonomy/crosswalks"),
    ("/shapes/core/", "shapes/core"),
    ("/vocab/alignments/essglobal", "vocab/alignments/essglobal"),
]
THINGS = [
    # 303 to a document
    ("/vocab/Initiative", "vocab/Initiative"),
    ("/vocab/memberOf", "vocab/memberOf"),
    ("/taxonomy/legal-form/L2", "taxonomy/legal-form/L2"),
    ("/taxonomy/countries/ES", "taxonomy/countries/ES"),
]


@pytest.mark.parametrize(("path", "stem"), DOCUMENTS)
@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt"])
def test_documents_negotiate_rdf(client, path, stem, ext):
    response = client.get(path, headers={"Accept": ACCEPT[ext]})
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA[ext]
    assert response.headers["content-location"] == f"{DEFAULT_BASE}/{stem}.{ext}"
    assert_vary_accept(response)
    assert triples(response.content, ext)
    assert f'<{DEFAULT_BASE}/{stem}.nt>; rel="alternate"' in response.headers["link"]


@pytest.mark.parametrize(("path", "stem"), DOCUMENTS)
@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt"])
def test_document_extensions_ignore_accept(client, path, stem, ext):
    response = client.get(f"/{stem}.{ext}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA[ext]
    assert "content-location" not in response.headers
    assert_vary_accept(response)
    assert triples(response.content, ext)


@pytest.mark.parametrize(
    "path", ["/vocab/", "/vocab/1.0.0", "/taxonomy/", "/taxonomy/legal-form", "/vocab.html"]
)
def test_documents_are_pages_for_browsers(client, path):
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA["html"]
    vary = [part.strip() for part in response.headers["vary"].split(",")]
    assert {"Accept", "Accept-Language", "Cookie"} <= set(vary)
    assert response.text.startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/vocab/alignments/essglobal", "/vocab/#alignment"),
        ("/vocab/alignments/essglobal.html", "/vocab/#alignment"),
        ("/taxonomy/crosswalks", "/taxonomy/#crosswalks"),
        ("/shapes/core/", "/profiles/core"),
        ("/shapes/full.html", "/profiles/full"),
        ("/shapes/core/Initiative-name", "/profiles/core#core-Initiative-name"),
        ("/shapes/full/Initiative-description", "/profiles/full#full-Initiative-description"),
    ],
)
def test_html_of_documents_without_a_page_of_their_own(client, path, location):
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["location"] == DEFAULT_BASE + location
    assert_vary_accept(response)


@pytest.mark.parametrize(("path", "stem"), THINGS)
@pytest.mark.parametrize("ext", ["html", "ttl", "jsonld", "rdf", "nt"])
def test_things_answer_303_to_their_document(client, path, stem, ext):
    response = client.get(path, headers={"Accept": ACCEPT[ext]})
    assert response.status_code == 303
    assert response.headers["location"] == f"{DEFAULT_BASE}/{stem}.{ext}"
    assert_vary_accept(response)
    assert f'<{DEFAULT_BASE}/{stem}.ttl>; rel="describedby"' in response.headers["link"]
    assert response.content == b""


@pytest.mark.parametrize(("path", "stem"), THINGS)
def test_things_default_to_the_page(client, path, stem):
    for headers in ({}, {"Accept": "*/*"}, {"Accept": BROWSER}):
        response = client.get(path, headers=headers)
        assert response.status_code == 303
        assert response.headers["location"] == f"{DEFAULT_BASE}/{stem}.html"


@pytest.mark.parametrize(("path", "stem"), THINGS)
@pytest.mark.parametrize("ext", ["html", "ttl", "jsonld", "rdf", "nt"])
def test_thing_documents(client, path, stem, ext):
    response = client.get(f"/{stem}.{ext}", headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA[ext]
    assert_vary_accept(response)
    if ext != "html":
        assert node(publish.IriMap(DEFAULT_BASE).canonical(path)) in {
            t.subject for t in triples(response.content, ext)
        }


def test_shape_rdf_goes_to_the_shapes_file(client):
    response = client.get("/shapes/core/Initiative-name", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{DEFAULT_BASE}/shapes/core.ttl"
    assert client.get("/shapes/core/Initiative-name.ttl").status_code == 404


def test_shapes_without_slash_move_permanently(client):
    response = client.get("/shapes/core")
    assert response.status_code == 301
    assert response.headers["location"] == f"{DEFAULT_BASE}/shapes/core/"
    assert client.get("/shapes/nope").status_code == 404


def test_redirect_to_the_page_keeps_the_language(client):
    response = client.get("/vocab/Initiative?lang=fr", headers={"Accept": "text/html"})
    assert response.headers["location"] == f"{DEFAULT_BASE}/vocab/Initiative.html?lang=fr"
    response = client.get("/vocab/Initiative?lang=fr", headers={"Accept": "text/turtle"})
    assert response.headers["location"] == f"{DEFAULT_BASE}/vocab/Initiative.ttl"


@pytest.mark.parametrize(
    "path",
    [
        "/vocab/NoSuchTerm",
        "/vocab/initiative",
        "/vocab/Initiative.pdf",
        "/vocab/NoSuchTerm.ttl",
        "/vocab/2.0.0",
        "/vocab.pdf",
        "/vocab/alignments/other",
        "/taxonomy/nope",
        "/taxonomy/nope.ttl",
        "/taxonomy.xml",
        "/taxonomy/legal-form/L9",
        "/taxonomy/legal-form/L9.ttl",
        "/taxonomy/nope/L2",
        "/shapes/nope/",
        "/shapes/nope.ttl",
        "/shapes/core/Nope",
    ],
)
def test_unknown_is_404_json(client, path):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert path in response.json()["error"]
    assert_vary_accept(response)


def test_unknown_is_404_page_for_browsers(client):
    response = client.get("/vocab/NoSuchTerm", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA["html"]
    assert "/vocab/NoSuchTerm" in response.text
    assert 'href="/vocab/"' in response.text


@pytest.mark.parametrize(
    "path", ["/vocab/", "/vocab/Initiative", "/taxonomy/legal-form/L2", "/shapes/core/"]
)
@pytest.mark.parametrize("accept", ["image/png", "application/json", "text/turtle;q=0"])
def test_not_acceptable(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/json"
    assert "text/turtle" in response.json()["error"]
    assert_vary_accept(response)


def test_head(client):
    response = client.head("/vocab/", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA["ttl"]
    assert response.content == b""
    response = client.head("/vocab/Initiative", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/vocab/Initiative.ttl")


def test_documents_are_readable_from_other_origins(client):
    for path in ("/vocab.ttl", "/context.jsonld", "/vocab/Initiative.jsonld"):
        assert client.get(path).headers["access-control-allow-origin"] == "*"


def test_context(client):
    response = client.get("/context.jsonld", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["link"] == f'<{DEFAULT_BASE}/vocab/>; rel="describedby"'
    assert_vary_accept(response)
    published = json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))
    assert response.json() == published
    assert response.json()["@context"]["Initiative"] == "sse:Initiative"


# ------------------------------------------------------------------------------------------------
# The RDF says the right things
# ------------------------------------------------------------------------------------------------


def test_whole_files_are_served_as_published(client):
    assert client.get("/vocab.ttl").content == (ontology_dir() / "sse.ttl").read_bytes()
    assert client.get("/vocab/1.0.0.ttl").content == (ontology_dir() / "sse.ttl").read_bytes()
    assert (
        client.get("/taxonomy/legal-form.ttl").content
        == (ontology_dir() / "taxonomies" / "legal-form.ttl").read_bytes()
    )
    assert client.get("/shapes/core.ttl").content == (shapes_dir() / "core.ttl").read_bytes()
    assert (
        client.get("/vocab/alignments/essglobal.ttl").content
        == (ontology_dir() / "alignments" / "essglobal.ttl").read_bytes()
    )


@pytest.mark.parametrize("stem", ["vocab", "taxonomy/organisational-structure", "shapes/full"])
def test_every_format_holds_the_same_triples(client, stem):
    counts = {ext: len(triples(client.get(f"/{stem}.{ext}").content, ext)) for ext in OX_FORMATS}
    assert len(set(counts.values())) == 1, counts
    assert counts["ttl"] > 100


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt"])
def test_term_document(client, ext):
    found = triples(client.get(f"/vocab/Initiative.{ext}").content, ext)
    initiative = node(VOCAB + "Initiative")
    assert ox.Triple(initiative, node(RDF.type), node(OWL.Class)) in found
    for text, lang in [
        ("SSE initiative", "en"),
        ("Initiative d'ESS", "fr"),
        ("Iniciativa de ESS", "es"),
        ("Iniciativa de ESS", "pt"),
    ]:
        assert ox.Triple(initiative, node(RDFS.label), lit(text, lang)) in found
    assert (
        ox.Triple(initiative, node(RDFS.subClassOf), node("http://schema.org/Organization"))
        in found
    )
    # the alignment triple that mentions it
    essglobal = node(ESSGLOBAL_VOCAB + "SSEInitiative")
    assert ox.Triple(essglobal, node(OWL.equivalentClass), initiative) in found
    # the shapes that use it
    assert ox.Triple(node(SHAPES + "core/Initiative"), node(SH.targetClass), initiative) in found
    assert ox.Triple(node(SHAPES + "full/Initiative"), node(SH.targetClass), initiative) in found
    # nothing about other terms' definitions
    assert not any(t.subject == node(VOCAB + "Network") for t in found)


def test_property_document_shows_its_use_as_a_path(client):
    found = triples(client.get("/vocab/mission.nt").content, "nt")
    mission = node(VOCAB + "mission")
    assert ox.Triple(node(SHAPES + "core/Initiative-mission"), node(SH.path), mission) in found
    assert (
        ox.Triple(node(ESSGLOBAL_VOCAB + "mission"), node(OWL.equivalentProperty), mission) in found
    )


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf", "nt"])
def test_concept_document(client, ext):
    found = triples(client.get(f"/taxonomy/legal-form/L2.{ext}").content, ext)
    l2 = node(TAXONOMY + "legal-form/L2")
    assert ox.Triple(l2, node(RDF.type), node(SKOS.Concept)) in found
    assert ox.Triple(l2, node(SKOS.notation), ox.Literal("L2")) in found
    for text, lang in [
        ("Cooperative", "en"),
        ("Coopérative", "fr"),
        ("Cooperativa", "es"),
        ("Cooperativa", "pt"),
    ]:
        assert ox.Triple(l2, node(SKOS.prefLabel), lit(text, lang)) in found
    assert ox.Triple(l2, node(SKOS.exactMatch), node(ESSGLOBAL_STANDARD + "legal-form/L2")) in found
    # crosswalk mappings, both directions
    os115 = node(TAXONOMY + "organisational-structure/OS115")
    assert ox.Triple(l2, node(SKOS.closeMatch), os115) in found
    assert ox.Triple(os115, node(SKOS.closeMatch), l2) in found
    # the scheme points at it
    scheme = node(TAXONOMY + "legal-form")
    assert ox.Triple(scheme, node(SKOS.hasTopConcept), l2) in found
    assert not any(t.subject == node(TAXONOMY + "legal-form/L3") for t in found)


def test_concept_with_a_broader_concept(client):
    found = triples(client.get("/taxonomy/products-services/80150000.ttl").content, "ttl")
    concept = node(TAXONOMY + "products-services/80150000")
    assert (
        ox.Triple(concept, node(SKOS.broader), node(TAXONOMY + "products-services/80000000"))
        in found
    )


def test_list_of_schemes(client):
    found = triples(client.get("/taxonomy.ttl").content, "ttl")
    schemes = {t.subject for t in found if t.object == node(SKOS.ConceptScheme)}
    assert schemes == {node(TAXONOMY + scheme) for scheme in publish.schemes()}
    assert not any(t.object == node(SKOS.Concept) for t in found)
    assert node(TAXONOMY + "crosswalks") in {t.subject for t in found}


def test_every_term_is_served(local):
    for name in sorted(publish.terms()):
        response = local.get(f"/vocab/{name}", headers={"Accept": "text/turtle"})
        assert response.status_code == 303, name
        document = local.get(response.headers["location"])
        assert document.status_code == 200, name
        found = triples(document.content, "ttl")
        assert ox.Triple(node(VOCAB + name), node(RDFS.isDefinedBy), node(VOCAB)) in found
    assert len(publish.terms()) == len(set(vocabulary().subjects(RDFS.isDefinedBy, None)))


def test_a_concept_of_every_scheme_is_served(local):
    for scheme in publish.schemes():
        concept = min(str(c) for c in taxonomy(scheme).subjects(RDF.type, SKOS.Concept))
        path = concept[len("https://w3id.org/sse") :]
        response = local.get(path, headers={"Accept": "application/ld+json"})
        assert response.status_code == 303, concept
        document = local.get(response.headers["location"])
        assert document.status_code == 200
        assert document.headers["content-type"] == "application/ld+json"
        assert node(concept) in {t.subject for t in triples(document.content, "jsonld")}


# ------------------------------------------------------------------------------------------------
# The service's base URL
# ------------------------------------------------------------------------------------------------


def test_redirects_can_be_followed_on_the_configured_base(local):
    response = local.get(
        "/vocab/Initiative", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert str(response.url) == "http://testserver/vocab/Initiative.ttl"
    assert [r.status_code for r in response.history] == [303]


def test_deployment_base_url_in_headers_and_pages(deployed):
    response = deployed.get("/vocab/Initiative", headers={"Accept": "text/html"})
    assert response.headers["location"] == "https://sse.example.org/vocab/Initiative.html"
    assert "<https://sse.example.org/vocab/Initiative.ttl>" in response.headers["link"]
    page = deployed.get("/vocab/Initiative.html")
    assert 'href="https://sse.example.org/vocab/Network"' in page.text
    assert 'href="https://sse.example.org/vocab/Initiative.ttl"' in page.text
    listing = deployed.get("/vocab/", headers={"Accept": "text/turtle"})
    assert listing.headers["content-location"] == "https://sse.example.org/vocab.ttl"


def test_rdf_keeps_the_canonical_iris(deployed):
    for path in ("/vocab/Initiative.ttl", "/vocab.jsonld", "/taxonomy/legal-form/L2.nt"):
        body = deployed.get(path).text
        assert "sse.example.org" not in body
        assert "https://w3id.org/sse/" in body


def test_not_found_page_escapes_the_path(client):
    response = client.get("/vocab/%3Cb%3Ex%22", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "<b>x" not in response.text
    assert "&lt;b&gt;x&#34;" in response.text


# ------------------------------------------------------------------------------------------------
# Real clients over a real server
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    """uvicorn on a free loopback port, with base_url set to it."""
    with live_service(
        lambda base: create_app(
            Settings(store_path=None, base_url=base), routers=["pages", "linkeddata"]
        )
    ) as (base, _app):
        yield base


def test_rdflib_dereferences_term_and_concept_iris(server):
    """rdflib, as a linked-data client: its own Accept header, the 303, the document."""
    graph = Graph().parse(f"{server}/vocab/Initiative")
    assert (URIRef(VOCAB + "Initiative"), RDF.type, OWL.Class) in graph
    graph = Graph().parse(f"{server}/taxonomy/legal-form/L2")
    assert (URIRef(TAXONOMY + "legal-form/L2"), SKOS.notation, None) in graph
    graph = Graph().parse(f"{server}/vocab/")
    assert len(graph) == len(vocabulary())


def test_head_over_http_has_no_body(server):
    response = httpx.head(f"{server}/vocab/", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""
    response = httpx.get(
        f"{server}/vocab/Initiative", headers={"Accept": "text/turtle"}, follow_redirects=True
    )
    assert [r.status_code for r in response.history] == [303]
    assert str(response.url) == f"{server}/vocab/Initiative.ttl"
