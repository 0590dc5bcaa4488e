"""Server-rendered pages: home, profiles, vocabulary, terms, taxonomies and concepts, in four
languages, generated from the vocabulary, the taxonomies and the shapes."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from service.app import create_app
from service.settings import Settings
from ssevalidate import publish
from ssevalidate.namespaces import LANGUAGES, TAXONOMY, VOCAB
from ssevalidate.profiles import get_profile, profiles
from ssevalidate.resources import taxonomy, vocabulary

SERVICE = Path(__file__).resolve().parent.parent / "service"
BASE = "http://testserver"


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = create_app(Settings(store_path=None, base_url=BASE), routers=["pages", "linkeddata"])
    return TestClient(app, follow_redirects=False)


def get(client: TestClient, path: str, lang: str | None = None) -> str:
    """The page's text with entities decoded (no cookie kept between calls)."""
    client.cookies.clear()
    params = {"lang": lang} if lang else None
    response = client.get(path, params=params, headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return html.unescape(response.text)


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "a" and "href" in values:
            self.hrefs.append(values["href"])


def parsed(text: str) -> _Ids:
    parser = _Ids()
    parser.feed(text)
    return parser


def labels(subject: str, predicate=RDFS.label, graph=None) -> dict[str, str]:
    graph = graph if graph is not None else vocabulary()
    return {
        value.language: str(value)
        for value in graph.objects(URIRef(subject), predicate)
        if isinstance(value, Literal) and value.language in LANGUAGES
    }


# ------------------------------------------------------------------------------------------------
# Home and languages
# ------------------------------------------------------------------------------------------------


def test_home(client):
    text = get(client, "/")
    assert "Open data for the social and solidarity economy" in text
    links = parsed(text).hrefs
    for target in ("/validate", "/sparql", "/profiles/", f"{BASE}/vocab/", f"{BASE}/taxonomy/"):
        assert target in links
    assert f"{BASE}/context.jsonld" in links
    assert f"{BASE}/vocab.ttl" in links
    assert f"{len(publish.terms())} classes and properties" in text
    for profile in profiles():
        assert f"/profiles/{profile.name}" in links


def test_home_vary(client):
    response = client.get("/")
    assert set(part.strip() for part in response.headers["vary"].split(",")) >= {
        "Accept-Language",
        "Cookie",
    }


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Who it is for", "Validation profiles"]),
        ("fr", ["Pour qui", "Des données ouvertes pour l’économie sociale et solidaire"]),
        ("es", ["Para quién", "Datos abiertos para la economía social y solidaria"]),
        ("pt", ["Para quem", "Dados abertos para a economia social e solidária"]),
    ],
)
def test_home_in_each_language(client, lang, words):
    text = get(client, "/", lang)
    assert f'<html lang="{lang}">' in text
    for word in words[:1]:
        assert word in text
    if lang != "en":
        assert words[1] in text


def test_language_from_accept_language_and_cookie(client):
    client.cookies.clear()
    response = client.get("/profiles/", headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert "Profils de validation" in html.unescape(response.text)
    response = client.get("/profiles/?lang=es")
    assert response.cookies.get("lang") == "es"
    assert "Vocabulario SSE: economía social y solidaria" in html.unescape(
        client.get("/vocab/").text
    )
    client.cookies.clear()


# ------------------------------------------------------------------------------------------------
# Profiles
# ------------------------------------------------------------------------------------------------


def test_profiles_list(client):
    text = get(client, "/profiles/")
    for profile in profiles():
        assert f"/profiles/{profile.name}" in parsed(text).hrefs
        assert profile.title("en") in text
        assert f"{BASE}/shapes/{profile.name}.ttl" in parsed(text).hrefs


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", [p.name for p in profiles()])
def test_profile_page_lists_every_check(client, name, lang):
    text = get(client, f"/profiles/{name}", lang)
    profile = get_profile(name)
    assert profile.title(lang) in text
    assert profile.description(lang) in text
    rows = re.findall(r'<tr id="([^"]+)">\s*<td><strong>([^<]*)</strong>', text)
    shown = sorted(name_ for _, name_ in rows)
    assert shown == sorted(html.unescape(check_name) for _, check_name, _ in profile.checks(lang))
    # one row per check, each with its own anchor
    assert len({anchor for anchor, _ in rows}) == len(rows)


def test_profile_page_shows_description_severity_and_path(client):
    text = get(client, "/profiles/core")
    row = re.search(r'<tr id="core-Initiative-name">(.*?)</tr>', text, re.S).group(1)
    assert "<strong>name</strong>" in row
    assert "Violation" in row
    assert "schema:name" in row
    assert "The name of the initiative or network (schema:name)." in row
    row = re.search(r'<tr id="core-Initiative-mission">(.*?)</tr>', text, re.S).group(1)
    assert f'href="{BASE}/vocab/mission"' in row


def test_profile_page_in_french(client):
    text = get(client, "/profiles/full", "fr")
    assert "Gravité" in text
    assert "Avertissement" in text
    assert "Comprend tous les contrôles de" in text
    assert "un moyen de contact" in text
    # the imported core checks are there too, in French
    assert "IRI de la fiche" in text


def test_profile_sections_follow_the_file(client):
    core = publish.describe_profile("core", "en")
    assert core.sections[0].label == "Initiative"
    assert core.sections[0].checks[0].kind == "node"
    assert [c.name for c in core.sections[0].checks[1:4]] == ["name", "description", "mission"]
    full = publish.describe_profile("full", "en")
    assert [s.profile for s in full.sections][-1] == "full"
    assert full.files == ("core", "full")


def test_profile_alternatives_take_the_severity_of_their_shape():
    full = publish.describe_profile("full", "en")
    contact = [c for c in full.checks if c.profile == "full" and c.kind == "alternative"]
    assert {c.name for c in contact} == {"website", "e-mail address", "telephone number"}
    assert {c.severity for c in contact} == {"Warning"}


def test_profile_complex_paths_and_sparql_checks():
    full = publish.describe_profile("full", "en")
    coordinates = next(c for c in full.checks if c.anchor == "full-Initiative-coordinates")
    assert coordinates.path == "geo:lat|(vcard:hasAddress/geo:lat)"
    assert coordinates.path_ref is None
    core = publish.describe_profile("core", "en")
    sparql = [c for c in core.checks if c.kind == "sparql"]
    assert {c.name for c in sparql} == {"women and men within members", "identifier used once"}
    members = next(s for s in core.sections if s.anchor == "core-MemberCounts")
    assert {t.ref.curie for t in members.targets} == {"sse:totalWomen", "sse:totalMen"}


def test_concept_shapes_say_where_they_are_reached_from():
    core = publish.describe_profile("core", "en")
    section = next(s for s in core.sections if s.anchor == "core-LegalFormConcept")
    assert not section.targets
    assert [c.anchor for c in section.reached_from] == ["core-Initiative-legalForm"]


def test_unknown_profile(client):
    response = client.get("/profiles/nope", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "/profiles/nope" in response.text


def test_shape_iris_land_on_their_check(client):
    text = get(client, "/profiles/core")
    ids = set(parsed(text).ids)
    for shape, _, _ in get_profile("core").checks("en"):
        if shape.startswith("https://"):
            assert publish.shape_anchor(shape) in ids, shape


# ------------------------------------------------------------------------------------------------
# Vocabulary and terms
# ------------------------------------------------------------------------------------------------


def test_vocabulary_page(client):
    text = get(client, "/vocab/")
    links = parsed(text).hrefs
    for name in publish.terms():
        assert f"{BASE}/vocab/{name}" in links, name
    assert "SSE vocabulary: social and solidarity economy" in text
    assert "https://w3id.org/sse/vocab/1.0.0" in text
    alignment = re.search(r'<section id="alignment">(.*?)</section>', text, re.S).group(1)
    assert alignment.count("<tr>") == 1 + 52  # header + one row per ESSGlobal term
    assert "essglobal:SSEInitiative" in alignment
    for ext in ("ttl", "jsonld", "rdf", "nt"):
        assert f"{BASE}/vocab.{ext}" in links


def test_vocabulary_page_in_portuguese(client):
    text = get(client, "/vocab/", "pt")
    assert "Vocabulário SSE: economia social e solidária" in text
    assert "Propriedades com valores literais" in text
    assert "Alinhamento com o ESSGlobal" in text


@pytest.mark.parametrize("name", sorted(publish.terms()))
def test_term_page_shows_labels_and_definitions_in_four_languages(client, name):
    text = get(client, f"/vocab/{name}.html")
    iri = VOCAB + name
    found = labels(iri)
    assert set(found) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert f"<td>{found[lang]}</td>" in text, (name, lang)
        assert labels(iri, SKOS.definition)[lang] in text, (name, lang)
        assert f'<tr lang="{lang}">' in text


def test_term_page_content(client):
    text = get(client, "/vocab/Initiative.html")
    links = parsed(text).hrefs
    # super-classes, alignment, use in shapes
    assert "http://schema.org/Organization" in links
    assert "essglobal:SSEInitiative" in text
    assert "equivalent class" in text
    assert "/profiles/core#core-Initiative" in links
    assert "/profiles/full#full-Initiative" in links
    # downloads of the term's document
    for ext in ("ttl", "jsonld", "rdf", "nt"):
        assert f"{BASE}/vocab/Initiative.{ext}" in links
    assert f'<link rel="alternate" type="text/turtle" href="{BASE}/vocab/Initiative.ttl">' in text


def test_property_page_domain_range_and_super_property(client):
    text = get(client, "/vocab/memberOf.html")
    links = parsed(text).hrefs
    domain = re.search(r"Domain \(used on\)</th><td>(.*?)</td>", text, re.S).group(1)
    assert f"{BASE}/vocab/Initiative" in domain
    range_ = re.search(r"Range \(values\)</th><td>(.*?)</td>", text, re.S).group(1)
    assert f"{BASE}/vocab/Network" in range_
    assert "http://www.w3.org/ns/org#memberOf" in links
    assert f"{BASE}/vocab/hasMember" in links  # the inverse


def test_property_page_links_to_its_schemes_and_checks(client):
    text = get(client, "/vocab/activity.html")
    links = parsed(text).hrefs
    assert f"{BASE}/taxonomy/activities-ica" in links
    assert f"{BASE}/vocab/primaryActivity" in links  # a sub-property
    assert "/profiles/core#core-Initiative-activity" in links
    assert "essglobal:economicSector" in text


def test_term_page_in_french(client):
    text = get(client, "/vocab/Initiative.html", "fr")
    assert "Libellés et définitions" in text
    assert "Utilisé dans les formes de validation" in text
    assert "Initiative d'ESS" in text
    assert "<title>Initiative d'ESS" in text


# ------------------------------------------------------------------------------------------------
# Taxonomies and concepts
# ------------------------------------------------------------------------------------------------


def test_taxonomies_page(client):
    text = get(client, "/taxonomy/")
    links = parsed(text).hrefs
    for scheme in publish.schemes():
        assert f"{BASE}/taxonomy/{scheme}" in links
    crosswalks = re.search(r'<section id="crosswalks">(.*?)</section>', text, re.S).group(1)
    assert f"{BASE}/taxonomy/legal-form" in crosswalks
    assert "close match" in crosswalks


@pytest.mark.parametrize("scheme", ["legal-form", "products-services", "countries", "qualifiers"])
def test_scheme_page_shows_every_concept(client, scheme):
    text = get(client, f"/taxonomy/{scheme}.html")
    links = set(parsed(text).hrefs)
    concepts = {str(c) for c in taxonomy(scheme).subjects(RDF.type, SKOS.Concept)}
    assert {BASE + c[len("https://w3id.org/sse") :] for c in concepts} <= links
    scheme_labels = labels(TAXONOMY + scheme, SKOS.prefLabel, taxonomy(scheme))
    for lang in LANGUAGES:
        assert scheme_labels[lang] in text


def test_scheme_page_hierarchy(client):
    text = get(client, "/taxonomy/products-services.html")
    # 80150000 is nested under 80000000
    top = text.index(f'href="{BASE}/taxonomy/products-services/80000000"')
    child = text.index(f'href="{BASE}/taxonomy/products-services/80150000"')
    assert top < child
    assert "<ul>" in text[top:child]


def test_scheme_page_says_where_it_is_used(client):
    text = get(client, "/taxonomy/legal-form.html")
    assert f"{BASE}/vocab/legalForm" in parsed(text).hrefs
    assert "essglobal:LegalForm" in text


def test_concept_page(client):
    text = get(client, "/taxonomy/legal-form/L2.html")
    found = labels(TAXONOMY + "legal-form/L2", SKOS.prefLabel, taxonomy("legal-form"))
    for lang in LANGUAGES:
        assert f"<td>{found[lang]}</td>" in text
    assert "<code>L2</code>" in text
    assert "Co-operative society" in text  # an alternative label
    assert "http://purl.org/essglobal/standard/legal-form/L2" in parsed(text).hrefs
    crosswalk = re.search(r'<section id="crosswalk">(.*?)</section>', text, re.S).group(1)
    assert f"{BASE}/taxonomy/organisational-structure/OS115" in crosswalk
    assert "close match" in crosswalk
    assert "narrower match" in crosswalk


def test_concept_page_broader_and_narrower(client):
    text = get(client, "/taxonomy/products-services/80150000.html")
    broader = re.search(r"Broader</th><td>(.*?)</td>", text, re.S).group(1)
    assert f"{BASE}/taxonomy/products-services/80000000" in broader
    text = get(client, "/taxonomy/products-services/80000000.html")
    narrower = re.search(r"Narrower</th><td>(.*?)</td>", text, re.S).group(1)
    assert f"{BASE}/taxonomy/products-services/80150000" in narrower


def test_concept_page_in_spanish(client):
    text = get(client, "/taxonomy/legal-form/L2.html", "es")
    assert "Etiqueta preferente" in text
    assert "Correspondencia con otros esquemas" in text
    assert "<h1>Cooperativa" in text


def test_concept_page_other_statements(client):
    text = get(client, "/taxonomy/countries/ES.html")
    assert "ossr:within" in text
    assert f"{BASE}/taxonomy/regions-ica/" in text


# ------------------------------------------------------------------------------------------------
# Words of the pages
# ------------------------------------------------------------------------------------------------


def test_every_text_in_four_languages():
    texts = json.loads((SERVICE / "texts" / "pages.json").read_text(encoding="utf-8"))
    assert set(texts) == set(LANGUAGES)
    keys = set(texts["en"])
    for lang in LANGUAGES:
        assert set(texts[lang]) == keys, lang
        assert all(value.strip() for value in texts[lang].values()), lang


def test_templates_use_only_known_words():
    known: set[str] = set()
    for path in (SERVICE / "texts").glob("*.json"):
        known |= set(json.loads(path.read_text(encoding="utf-8"))["en"])
    sources = [SERVICE / "routes" / "pages.py"]
    sources += [
        SERVICE / "templates" / name
        for name in (
            "home.html",
            "profiles.html",
            "profile.html",
            "vocab.html",
            "term.html",
            "taxonomies.html",
            "scheme.html",
            "concept.html",
        )
    ]
    used = set()
    for path in sources:
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(['"](\w+)['"]""", source))
        used |= {
            f"{prefix}_{value}"
            for prefix, value in re.findall(r"named\('(\w+)', '(\w+)'\)", source)
        }
    assert used and used <= known, used - known


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/profiles/",
        "/profiles/core",
        "/vocab/",
        "/vocab/activity.html",
        "/taxonomy/",
        "/taxonomy/qualifiers",
        "/taxonomy/activities-ica/ICA10.html",
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_untranslated_key_shows(client, path, lang):
    text = get(client, path, lang)
    body = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(
        r"\b(pg|home|profile|profiles|term|concept|scheme|vocab|crosswalk)_[a-z]", body
    )
