"""The same organisation in several directories: the three rules and their near misses,
blocking against brute force, idempotent runs, decisions that outlive re-harvests, the review
page and API, and a run on the two ICA exports of ../shared/anchors. Whatever depends on the
store runs on both: the embedded one and a real ``oxigraph serve``."""

from __future__ import annotations

import math
import os
import random
import re
import shutil
import time

import pyoxigraph as ox
import pytest
from conftest import anchor, live_service
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

import ssevalidate
from service.app import create_app
from service.settings import Settings
from ssevalidate.harvest.config import DEFAULT_BASE
from ssevalidate.harvest.storeio import ntriples, select, storable
from ssevalidate.importers import convert
from ssevalidate.matching import (
    MatchRun,
    UnknownMatch,
    decide,
    decisions_graph,
    match,
    match_iri,
    match_key,
    match_view,
    matches,
    matches_graph,
    rules,
    same_as,
    same_as_query,
)
from ssevalidate.matching.candidates import CROWDED, find_candidates
from ssevalidate.matching.records import Record
from ssevalidate.namespaces import SSE
from ssevalidate.store import EmbeddedStore

BASE = "https://aggregator.example/"
LEFT = "https://left.example/org/"
RIGHT = "https://right.example/org/"
METRES_PER_DEGREE = rules.EARTH_RADIUS_M * math.pi / 180
HERE = (51.3397, 12.3731)  # Leipzig
ELSEWHERE = (48.1, 11.5)  # Munich

PREFIXES = """@prefix sse: <https://w3id.org/sse/vocab/> .
@prefix schema: <http://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ids: <https://w3id.org/sse/taxonomy/identifier-schemes/> .
"""


def north(metres: float, start: tuple[float, float] = HERE) -> tuple[float, float]:
    """The point ``metres`` north of ``start`` (along a meridian the haversine is exact)."""
    return start[0] + metres / METRES_PER_DEGREE, start[1]


def at(point: tuple[float, float]) -> str:
    return f'geo:lat "{point[0]:.9f}"^^xsd:decimal ; geo:long "{point[1]:.9f}"^^xsd:decimal'


def identifier(scheme: str, notation: str) -> str:
    return (
        f'sse:identifier [ a sse:Identifier ; skos:notation "{notation}" ; '
        f"sse:identifierScheme ids:{scheme} ]"
    )


# Each rule's pair, and its near miss (the same but for one detail).
LEFT_DIRECTORY = f"""{PREFIXES}
<{LEFT}id> a sse:Initiative ; schema:name "Riverside Wholefoods" ;
    {identifier("companies-house", "04711097")} .
<{LEFT}id-miss> a sse:Initiative ; schema:name "Hilltop Energy" ;
    {identifier("companies-house", "01234567")} .
<{LEFT}web> a sse:Initiative ; schema:name "Sunrise Housing" ;
    schema:url <https://www.Sunrise.coop/> .
<{LEFT}web-miss> a sse:Initiative ; schema:name "Moon Bakery" ;
    schema:url <https://www.facebook.com/moonbakery> .
<{LEFT}near> a sse:Initiative ; schema:name "Bäckerei Sonnenschein eG" ; {at(HERE)} .
<{LEFT}near-miss> a sse:Initiative ; schema:name "Fahrradwerkstatt Kette" ; {at(ELSEWHERE)} .
<{LEFT}twice-a> a sse:Initiative ; schema:name "Repair Café Lindenau" ; {at((51.34, 12.33))} .
<{LEFT}twice-b> a sse:Initiative ; schema:name "Repair Cafe Lindenau" ; {at((51.34, 12.33))} .
<{LEFT}both> a sse:Initiative ; schema:name "Lakeside Credit Union" ;
    schema:url <http://lakeside.coop> ; {identifier("lei", "529900T8BM49AURSDO55")} .
"""

RIGHT_DIRECTORY = f"""{PREFIXES}
<{RIGHT}1> a sse:Initiative ; schema:name "Riverside Foods Co-operative" ;
    {identifier("companies-house", "4711097")} .
<{RIGHT}2> a sse:Initiative ; schema:name "Hilltop Community Energy" ;
    {identifier("companies-house", "01234568")} .
<{RIGHT}3> a sse:Initiative ; schema:name "Sunrise Housing Co-op" ;
    schema:url <http://sunrise.coop/about> .
<{RIGHT}4> a sse:Initiative ; schema:name "Star Bakery" ;
    schema:url <http://facebook.com/starbakery/> .
<{RIGHT}5> a sse:Initiative ; schema:name "Baeckerei Sonnenschein" ;
    vcard:hasAddress [ a vcard:Address ; vcard:locality "Leipzig" ; {at(north(99))} ] .
<{RIGHT}6> a sse:Initiative ; schema:name "Fahrradwerkstatt Kette" ;
    {at(north(101, ELSEWHERE))} .
<{RIGHT}7> a sse:Initiative ; schema:name "Lakeside CU" ;
    schema:url <https://www.lakeside.coop/contact> ; {identifier("lei", "529900t8bm49aursdo55")} .
<{RIGHT}8> a sse:Initiative ; schema:name "Stadtteilladen" ; {at(north(20))} .
"""

EXPECTED = {
    (f"{LEFT}id", f"{RIGHT}1"): {"shared-identifier"},
    (f"{LEFT}web", f"{RIGHT}3"): {"website-domain"},
    (f"{LEFT}near", f"{RIGHT}5"): {"name-and-distance"},
    (f"{LEFT}twice-a", f"{LEFT}twice-b"): {"name-and-distance"},
    (f"{LEFT}both", f"{RIGHT}7"): {"shared-identifier", "website-domain"},
}


def publish(store, source_id: str, graph: Graph, base: str = BASE) -> str:
    """Put ``graph`` into a source graph as the harvester does: each record (an IRI with an
    rdf:type) carries dcterms:source, the dataset a title."""
    name = f"{base}sources/{source_id}"
    triples = [t for t in graph if storable(t)]
    records = {s for s, _, _ in graph.triples((None, RDF.type, None)) if isinstance(s, URIRef)}
    triples += [(record, DCTERMS.source, URIRef(name)) for record in records]
    triples.append((URIRef(name), DCTERMS.title, Literal(f"Directory {source_id}")))
    store.replace_graph(name, ntriples(triples), "ntriples")
    return name


def publish_turtle(store, source_id: str, turtle: str, base: str = BASE) -> str:
    return publish(store, source_id, Graph().parse(data=turtle, format="turtle"), base)


def stored(store, base: str = BASE) -> dict[tuple[str, str], set[str]]:
    """Pair → rule codes, as the graph of computed matches says."""
    codes = {iri: code for code, iri in rules.RULES.items()}
    rows = select(
        store,
        f"""SELECT ?m ?r ?rule WHERE {{ GRAPH <{matches_graph(base)}> {{
            ?m <{SSE.matchedRecord}> ?r ; <{SSE.matchRule}> ?rule }} }}""",
    )
    records: dict[str, set[str]] = {}
    found: dict[str, set[str]] = {}
    for row in rows:
        records.setdefault(row["m"], set()).add(row["r"])
        found.setdefault(row["m"], set()).add(codes[row["rule"]])
    return {tuple(sorted(records[m])): found[m] for m in found}


def triples_of(store, graph: str) -> list[tuple[str, str, str]]:
    rows = select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return sorted((row["s"], row["p"], row["o"]) for row in rows)


def constructed(store, query: str) -> set[tuple[str, str, str]]:
    """The triples a CONSTRUCT gives, asked of the store as a SPARQL client would."""
    if isinstance(store, EmbeddedStore):
        return {
            (t.subject.value, t.predicate.value, t.object.value)
            for t in store.oxigraph.query(query)
        }
    answer = store.client.post(
        store.query_url, data={"query": query}, headers={"Accept": "application/n-triples"}
    )
    graph = Graph().parse(data=answer.text, format="nt")
    return {(str(s), str(p), str(o)) for s, p, o in graph}


def two_directories(store) -> None:
    publish_turtle(store, "left", LEFT_DIRECTORY)
    publish_turtle(store, "right", RIGHT_DIRECTORY)


# --- the rules ------------------------------------------------------------------------------------


def test_normalisations():
    assert rules.normalise_name("  Bäckerei  SONNENSCHEIN-eG ") == "backerei sonnenschein eg"
    assert rules.website_domain("HTTPS://www.Example.coop/about/") == "example.coop"
    assert rules.website_domain("www.example.coop") == "example.coop"
    assert rules.website_domain("http://example.coop.") == "example.coop"
    assert rules.website_domain("https://m.facebook.com/acoop") is None
    assert rules.website_domain("https://wordpress.com/acoop") is None
    assert rules.website_domain("https://acoop.wordpress.com/") == "acoop.wordpress.com"
    assert rules.website_domain("not a website") is None
    assert rules.notation_key(" 0471 1097 ") == rules.notation_key("4711097")
    assert rules.notation_key("GB-123") != rules.notation_key("GB-124")


def test_similar_names_as_karte_von_morgen_finds_duplicates():
    similar = rules.similar_names
    assert rules.levenshtein("kitten", "sitting") == 3
    assert rules.levenshtein("kitten", "sitting", limit=1) == 2  # stopped early
    assert similar("0123456789", "01234567")  # 2 edits, ceil(0.3 * 8) = 3 allowed
    assert not similar("abcd", "wxyz")
    assert similar("ein eintrag blablabla", "eintrag")  # two words more
    assert similar("eins zwei drei", "eins zwei funf sechs")
    assert not similar("eins zwei drei", "eins sieben acht neun")  # three words differ
    assert not similar("bakery", "town hall")  # two words apart, none in common
    assert not similar("sonnenschein", "mondschein")


def test_haversine():
    assert rules.haversine_m(*HERE, *north(100)) == pytest.approx(100, abs=1e-3)
    # one degree of longitude on the equator, across the antimeridian
    assert rules.haversine_m(0, 179.5, 0, -179.5) == pytest.approx(METRES_PER_DEGREE, rel=1e-9)


def test_each_rule_finds_its_pairs_and_not_the_near_misses(store):
    two_directories(store)
    run = match(store, BASE)
    assert stored(store) == EXPECTED
    assert run.records == 17
    assert run.pairs == len(EXPECTED)
    assert run.by_rule == {"shared-identifier": 2, "website-domain": 2, "name-and-distance": 2}
    scores = {view.records[0].iri: view.score for view in matches(store, BASE).matches}
    assert scores[f"{LEFT}id"] == 0.95
    assert scores[f"{LEFT}web"] == 0.7
    assert scores[f"{LEFT}both"] == 0.985  # 1 - 0.05 * 0.3
    assert 0.5 < scores[f"{LEFT}near"] < 0.9
    assert scores[f"{LEFT}twice-a"] > scores[f"{LEFT}near"]  # closer, and more alike


def test_the_datasets_of_a_catalogue_are_matched_and_quarantines_are_not(store):
    publish_turtle(store, "left", LEFT_DIRECTORY)
    publish_turtle(store, "catalogue/datasets/right", RIGHT_DIRECTORY)
    publish_turtle(store, "catalogue/datasets/right/quarantine", LEFT_DIRECTORY)
    publish_turtle(store, "left/quarantine", RIGHT_DIRECTORY)

    run = match(store, BASE)

    assert stored(store) == EXPECTED
    assert run.records == 17


def test_computed_and_decided_matches_conform_to_the_core_profile():
    store = EmbeddedStore(None)
    two_directories(store)
    match(store, BASE)
    key = match_key(f"{LEFT}id", f"{RIGHT}1")
    decide(store, BASE, match_iri(BASE, key), "confirmed", by="https://people.example/ana")
    decide(store, BASE, match_iri(BASE, key), "rejected", by="Ana, data steward")
    for graph in (matches_graph(BASE), decisions_graph(BASE)):
        data = store.oxigraph.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        report = ssevalidate.validate(data, format="nt", profile="core")
        assert report.conforms, [r.message for r in report.results]


# --- blocking -------------------------------------------------------------------------------------


def _random_records(seed: int, count: int) -> list[Record]:
    """Records crowded into a few hundred metres (and some at the antimeridian and near the
    pole), with names, websites and identifiers drawn from small pools, typos included."""
    rng = random.Random(seed)
    names = [
        "Riverside Wholefoods",
        "Sunrise Housing Co-op",
        "Repair Café",
        "Kette e.V.",
        "Green Grocer Cooperative",
        "Bäckerei Sonne",
        "Credit Union of the Lake",
    ]
    hosts = [f"https://www.site{i}.coop/" for i in range(15)] + ["https://facebook.com/x"]
    centres = [HERE, (0.0, 179.9997), (0.0, -179.9997), (89.9995, 0.0), (89.9995, 120.0)]
    records = []
    for index in range(count):
        name = rng.choice(names)
        if rng.random() < 0.5:  # a typo: drop, double or change a letter
            i = rng.randrange(len(name))
            name = rng.choice(
                [
                    name[:i] + name[i + 1 :],
                    name[:i] + name[i] + name[i:],
                    name[:i] + "x" + name[i + 1 :],
                ]
            )
        lat, long = rng.choice(centres)
        lat = max(-90.0, min(90.0, lat + rng.uniform(-150, 150) / METRES_PER_DEGREE))
        long = long + rng.uniform(-0.002, 0.002)
        long = (long + 180) % 360 - 180
        records.append(
            Record(
                iri=f"https://r.example/{index}",
                names=(name,),
                websites=(rng.choice(hosts),) if rng.random() < 0.4 else (),
                identifiers=(("lei", str(rng.randrange(20))),) if rng.random() < 0.3 else (),
                lat=lat,
                long=long,
            )
        )
    return records


def test_blocking_finds_the_pairs_brute_force_finds():
    checks = {
        rules.SHARED_IDENTIFIER: rules.shared_identifier,
        rules.WEBSITE_DOMAIN: rules.same_website,
        rules.NAME_AND_DISTANCE: rules.name_and_distance,
    }
    for seed in range(3):
        records = _random_records(seed, 160)
        brute: dict[tuple[str, str], dict[str, float]] = {}
        for i, a in enumerate(records):
            for b in records[i + 1 :]:
                found = {
                    rule: s for rule, check in checks.items() if (s := check(a, b)) is not None
                }
                if found:
                    brute[tuple(sorted((a.iri, b.iri)))] = found
        blocked = find_candidates(records)
        assert not blocked.crowded  # every group is small enough: all pairs are compared
        assert blocked.pairs == brute
        assert len({rule for found in brute.values() for rule in found}) == 3
        by_iri = {record.iri: record for record in records}
        across_antimeridian = [
            (a, b)
            for a, b in brute
            if by_iri[a].long * by_iri[b].long < 0 and abs(by_iri[a].long) > 179
        ]
        assert across_antimeridian  # the grid has no seam there


def test_a_host_or_number_many_records_share_is_skipped():
    records = [
        Record(f"https://r.example/{i}", websites=("https://federation.coop/members",))
        for i in range(CROWDED + 1)
    ]
    found = find_candidates(records)
    assert found.pairs == {}
    assert found.crowded == {rules.WEBSITE_DOMAIN: 1}
    assert len(find_candidates(records[:CROWDED]).pairs) == CROWDED * (CROWDED - 1) // 2


# --- runs and decisions ---------------------------------------------------------------------------


def test_running_again_changes_nothing(store):
    two_directories(store)
    first = match(store, BASE)
    before = triples_of(store, matches_graph(BASE))
    time.sleep(1.1)  # a new run's time would differ
    second = match(store, BASE)
    assert triples_of(store, matches_graph(BASE)) == before
    assert (first.new, first.gone, second.new, second.gone) == (5, 0, 0, 0)
    assert second.by_rule == first.by_rule
    assert sum(1 for s, p, o in before if p == str(RDF.type) and o == str(SSE.Match)) == 5


def test_decisions_survive_a_reharvest_and_new_runs(store):
    two_directories(store)
    match(store, BASE)
    confirmed = match_iri(BASE, match_key(f"{LEFT}id", f"{RIGHT}1"))
    rejected = match_iri(BASE, match_key(f"{LEFT}web", f"{RIGHT}3"))
    decision = decide(store, BASE, confirmed, "confirm", by="Ana")
    assert decision.decision == "confirmed" and decision.records == (f"{LEFT}id", f"{RIGHT}1")
    decide(store, BASE, rejected, "rejected", by="https://people.example/ben")
    assert matches(store, BASE, "open").total == 3

    # The right directory is harvested again: record 1 lost its identifier, the rest is the same
    publish_turtle(store, "right", re.sub(r'"4711097"', '"9999999"', RIGHT_DIRECTORY))
    run = match(store, BASE)
    assert run.gone == 1 and run.new == 0

    open_now = matches(store, BASE, "open")
    assert rejected not in {view.iri for view in open_now.matches}
    assert open_now.total == 3
    [kept] = matches(store, BASE, "confirmed").matches
    assert (kept.iri, kept.stale, kept.rules, kept.decided_by) == (confirmed, True, [], "Ana")
    assert [r.name for r in kept.records] == [
        "Riverside Wholefoods",
        "Riverside Foods Co-operative",
    ]
    [refused] = matches(store, BASE, "rejected").matches
    assert (refused.stale, refused.rules) == (False, ["website-domain"])
    assert refused.decided_by == "https://people.example/ben"
    assert same_as(store, BASE) == [(f"{LEFT}id", f"{RIGHT}1")]
    assert constructed(store, same_as_query(BASE)) == {(f"{LEFT}id", str(OWL.sameAs), f"{RIGHT}1")}

    # The latest decision is in force; the earlier one stays as history
    decide(store, BASE, confirmed, "rejected", by="Ana")
    assert matches(store, BASE, "confirmed").total == 0
    assert matches(store, BASE, "rejected").total == 2
    assert same_as(store, BASE) == []
    assert len(triples_of(store, decisions_graph(BASE))) > 2 * 10


def test_filters_paging_and_unknown_matches(store):
    two_directories(store)
    match(store, BASE)
    first = matches(store, BASE, "open", 1, per_page=2)
    second = matches(store, BASE, "open", 2, per_page=2)
    third = matches(store, BASE, "open", 3, per_page=2)
    assert (first.total, first.pages, len(first.matches), len(third.matches)) == (5, 3, 2, 1)
    listed = [v.iri for v in first.matches + second.matches + third.matches]
    assert len(set(listed)) == 5
    assert [v.score for v in first.matches] == sorted(
        (v.score for v in first.matches), reverse=True
    )
    only_left = matches(store, BASE, "open", source="left")
    assert only_left.total == 5  # every pair touches the left directory
    assert matches(store, BASE, "open", source="right").total == 4
    assert matches(store, BASE, "open", source="nowhere").total == 0
    with pytest.raises(ValueError):
        matches(store, BASE, "maybe")
    with pytest.raises(ValueError):
        matches(store, BASE, source="a b")
    never = match_iri(BASE, "0" * 32)
    with pytest.raises(UnknownMatch):
        decide(store, BASE, never, "confirmed", by="Ana")
    with pytest.raises(ValueError):
        decide(store, BASE, first.matches[0].iri, "maybe", by="Ana")
    assert match_view(store, BASE, never) is None
    near = match_view(store, BASE, match_iri(BASE, match_key(f"{LEFT}near", f"{RIGHT}5")))
    assert near.distance_m == pytest.approx(99, abs=0.01)
    assert near.records[1].address == "Leipzig"


# --- the service ----------------------------------------------------------------------------------

TOKEN = "matching-admin-token"


def service(admin_token: str | None = TOKEN) -> tuple[TestClient, str]:
    app = create_app(
        Settings(store_path=None, load_examples=False, admin_token=admin_token),
        routers=["matches"],
    )
    two_directories_at(app.state.store)
    match(app.state.store, DEFAULT_BASE)
    key = match_key(f"{LEFT}near", f"{RIGHT}5")
    return TestClient(app), key


def two_directories_at(store) -> None:
    publish_turtle(store, "left", LEFT_DIRECTORY, DEFAULT_BASE)
    publish_turtle(store, "right", RIGHT_DIRECTORY, DEFAULT_BASE)


def test_the_page_shows_both_records_and_the_decision_buttons():
    client, key = service()
    response = client.get("/matches", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    for text in (
        "Bäckerei Sonnenschein eG",
        "Baeckerei Sonnenschein",
        "Directory left",
        "Directory right",
        "99 m apart",
        "Similar name and nearby location",
        "https://www.Sunrise.coop/",
        'name="token"',
        "Matches: 5",
    ):
        assert text in html, text
    assert f'formaction="/matches/{key}/decision" name="decision" value="confirmed"' in html
    assert f'formaction="/matches/{key}/decision" name="decision" value="rejected"' in html
    french = client.get("/matches?lang=fr", headers={"Accept": "text/html"}).text
    assert "Nom similaire et localisation proche" in french and "Confirmer" in french


def test_the_api_lists_and_decides_with_the_admin_token():
    client, key = service()
    listing = client.get("/matches?status=open&source=right").json()
    assert (listing["total"], listing["pages"]) == (4, 1)
    near = next(m for m in listing["matches"] if m["key"] == key)
    assert [r["source"] for r in near["records"]] == ["left", "right"]
    assert near["rules"] == ["name-and-distance"] and near["decision_url"].endswith(
        key + "/decision"
    )

    url = f"/matches/{key}/decision"
    body = {"decision": "confirmed", "by": "Ana"}
    assert client.post(url, json=body).status_code == 401
    wrong = client.post(url, json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "Bearer" in wrong.headers["www-authenticate"]
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert client.post(url, json={"decision": "maybe"}, headers=auth).status_code == 400
    assert (
        client.post("/matches/" + "0" * 32 + "/decision", json=body, headers=auth).status_code
        == 404
    )
    assert client.post("/matches/not-a-key/decision", json=body, headers=auth).status_code == 404
    decided = client.post(url, json=body, headers=auth)
    assert decided.status_code == 200
    assert decided.json()["match"]["status"] == "confirmed"
    assert decided.json()["match"]["decided_by"] == "Ana"
    assert client.get("/matches").json()["total"] == 4
    assert client.get("/matches?status=confirmed").json()["matches"][0]["key"] == key
    assert client.get("/matches?status=maybe").status_code == 400

    turtle = client.get("/matches/sameas", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert set(graph) == {(URIRef(f"{LEFT}near"), OWL.sameAs, URIRef(f"{RIGHT}5"))}
    lines = client.get("/matches/sameas", headers={"Accept": "application/n-triples"}).text
    assert lines.strip() == f"<{LEFT}near> <{OWL.sameAs}> <{RIGHT}5> ."


def test_decisions_are_refused_without_a_configured_token():
    client, key = service(admin_token=None)
    response = client.post(
        f"/matches/{key}/decision",
        json={"decision": "confirmed"},
        headers={"Authorization": "Bearer anything"},
    )
    assert response.status_code == 403
    assert client.get("/matches?status=confirmed").json()["total"] == 0


def test_the_page_form_posts_a_decision_and_returns_to_the_list():
    client, key = service()
    back = "/matches?status=open&page=1"
    form = {"decision": "rejected", "by": "Ana", "token": TOKEN, "back": back}
    response = client.post(f"/matches/{key}/decision", data=form, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, back)
    rejected = client.get("/matches?status=rejected", headers={"Accept": "text/html"}).text
    assert "Rejected by Ana on" in rejected and "Baeckerei Sonnenschein" in rejected

    refused = client.post(
        f"/matches/{key}/decision",
        data={**form, "token": "wrong", "back": "https://evil.example/"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert refused.status_code == 401
    assert "The admin token is missing or wrong." in refused.text


def test_reviewing_in_a_browser_enter_decides_nothing_a_button_decides_its_match():
    """``formaction`` and the blocked implicit submission are browser behaviour: Chromium."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium) and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; CI has it)")
    from playwright.sync_api import sync_playwright

    def make_app(base_url: str):
        settings = Settings(
            store_path=None, load_examples=False, admin_token=TOKEN, base_url=base_url
        )
        app = create_app(settings, routers=["matches"])
        two_directories_at(app.state.store)
        match(app.state.store, DEFAULT_BASE)
        return app

    with live_service(make_app) as (base_url, app), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(locale="en-GB")
            page.goto(f"{base_url}/matches?source=right")
            page.fill("input[name=token]", TOKEN)
            page.fill("input[name=by]", "Ana")
            page.press("input[name=by]", "Enter")
            page.wait_for_timeout(300)
            assert matches(app.state.store, DEFAULT_BASE, "open").total == 5
            second = page.locator("article.match").nth(1)
            name = second.locator("section.record h3").first.text_content()
            with page.expect_navigation():
                second.locator("button[value=rejected]").click()
            assert page.url.endswith("/matches?status=open&page=1&source=right")
            assert "Matches: 3" in page.text_content("p.count")
        finally:
            browser.close()
    [rejected] = matches(app.state.store, DEFAULT_BASE, "rejected").matches
    assert rejected.records[0].name == name and rejected.decided_by == "Ana"


# --- the two ICA exports --------------------------------------------------------------------------


def test_the_ica_csv_and_map_exports_match_each_other():
    store = EmbeddedStore(None)
    csv_name, map_name = "sea-ica-standard-v3-2021.csv", "mykomap-ica-cannedData.json"
    # The CSV's records get IRIs of their own, as a second directory publishing ICA members would
    csv = convert(
        anchor("data", csv_name).read_bytes(), name=csv_name, base="https://ica.example/csv/"
    )
    mykomap = convert(anchor("data", map_name).read_bytes(), name=map_name)
    publish(store, "ica-csv", csv.graph)
    publish(store, "ica-map", mykomap.graph)

    started = time.perf_counter()
    run: MatchRun = match(store, BASE)
    seconds = time.perf_counter() - started
    print(
        f"\nICA CSV × MykoMap: {run.records} records, {run.pairs} pairs {run.by_rule}, "
        f"crowded {run.crowded}, {seconds:.2f} s"
    )

    assert run.records == csv.records + mykomap.records
    assert run.by_rule["shared-identifier"] == 0  # neither export carries register numbers
    assert 200 <= run.by_rule["website-domain"] <= 400
    assert 20 <= run.by_rule["name-and-distance"] <= 120
    assert seconds < 10

    views = matches(store, BASE, "open", 1, per_page=1000).matches
    assert len(views) == run.pairs
    across = [v for v in views if len({r.source for r in v.records}) == 2]
    within = [v for v in views if len({r.source for r in v.records}) == 1]
    assert len(across) >= 250  # most members are in both exports
    assert "ica-map" in {v.records[0].source for v in within}  # the map lists some twice

    ipacoop = [v for v in across if all("IPACOOP" in (r.name or "") for r in v.records)]
    assert len(ipacoop) == 1
    assert set(ipacoop[0].rules) >= {"website-domain"}
    assert {r.website for r in ipacoop[0].records} == {"http://www.ipacoop.gob.pa"}
    assert {r.source for r in ipacoop[0].records} == {"ica-csv", "ica-map"}
