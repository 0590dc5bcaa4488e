"""The sources over HTTP: the API with and without the admin token, API sources kept in the
store across restarts, the schedule harvesting due sources from a loopback server, status with
the pipeline's stage, the conformance trend, and the DCAT catalogue and VoID description."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import http.server
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from service.app import create_app
from service.i18n import missing_keys
from service.settings import Settings
from ssevalidate.harvest import harvest, parse_config
from ssevalidate.harvest.catalogue import read_catalogue, write_catalogue
from ssevalidate.harvest.quality import history
from ssevalidate.harvest.registry import SourceRegistry
from ssevalidate.harvest.schedule import Scheduler
from ssevalidate.harvest.storeio import select
from ssevalidate.store import EmbeddedStore, RemoteStore

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"
V1 = (FIXTURES / "directory-v1.ttl").read_bytes()  # three records conform, one does not
V2 = (FIXTURES / "directory-v2.ttl").read_bytes()  # three records, all conform
TEXTS = json.loads((Path(__file__).parents[1] / "service/texts/sources.json").read_text())
BASE = "https://aggregator.example/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
OUR_LICENCE = "https://licences.example/ours"
TOKEN = "a-long-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
SVG = "{http://www.w3.org/2000/svg}"
SERVICE = "http://sse.test"
NOWHERE = "http://127.0.0.1:9/none.ttl"
"""A source URL that refuses connections at once (the tests never reach out)."""


# --- a directory site on 127.0.0.1 -------------------------------------------------------------


class Site(http.server.ThreadingHTTPServer):
    """Serves ``files`` (with an ETag), holds the paths in ``held`` until ``release`` is set,
    and counts the requests per path."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files: dict[str, bytes] = {}
        self.held: set[str] = set()
        self.release = threading.Event()
        self.requests: list[str] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def count(self, path: str) -> int:
        return self.requests.count(path)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        site: Site = self.server
        site.requests.append(self.path)
        if self.path in site.held:
            site.release.wait(20)
        body = site.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            return self.end_headers()
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)
        return None

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = Site()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


# --- helpers -------------------------------------------------------------------------------------


def sources_file(tmp_path: Path, *sources: dict, licences: dict | None = None) -> Path:
    """A sources file (JSON strings and numbers are TOML values) with a 10 s fetch timeout."""
    lines = [f"base = {json.dumps(BASE)}", "[fetch]", "timeout = 10"]
    if licences:
        lines.append("[licences]")
        lines += [f"{json.dumps(iri)} = {json.dumps(title)}" for iri, title in licences.items()]
    for source in sources:
        lines.append("[[source]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in source.items()]
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def source(id: str, url: str = NOWHERE, **more) -> dict:
    return {
        "id": id,
        "title": f"Directory {id}",
        "url": url,
        "kind": "rdf",
        "licence": CC_BY,
        **more,
    }


def service(**settings) -> object:
    defaults = {
        "store_path": None,
        "load_examples": False,
        "admin_token": TOKEN,
        "fetch_allow": ("127.0.0.1",),
        "base_url": SERVICE,
    }
    return create_app(Settings(**{**defaults, **settings}), routers=["sources"])


def wait_for(condition: Callable[[], object], seconds: float = 15) -> object:
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


def state(client: TestClient, source_id: str) -> dict:
    return client.get(f"/sources/{source_id}").json()["status"]


def finished(client: TestClient, source_id: str) -> dict | None:
    document = client.get(f"/sources/{source_id}").json()
    return document["last_harvest"] if document["status"]["state"] == "idle" else None


# --- the API ----------------------------------------------------------------------------------


def test_changes_need_the_admin_token():
    new = source("new")
    with TestClient(service(admin_token=None)) as client:
        assert client.get("/sources").status_code == 200  # reading is open
        for method, path in [
            ("POST", "/sources"),
            ("PUT", "/sources/new"),
            ("DELETE", "/sources/new"),
            ("POST", "/sources/new/harvest"),
        ]:
            answer = client.request(method, path, json=new, headers=ADMIN)
            assert answer.status_code == 403, (method, path)
            assert "no admin token" in answer.json()["error"]
    with TestClient(service()) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            answer = client.post("/sources", json=new, headers=headers)
            assert answer.status_code == 401
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        assert client.get("/sources").json()["sources"] == []
        assert client.post("/sources", json=new, headers=ADMIN).status_code == 201


def test_sources_are_added_changed_and_removed_through_the_api(tmp_path):
    config = sources_file(tmp_path, source("file-one"))
    with TestClient(service(harvest_config=config)) as client:
        added = client.post("/sources", json=source("api-one", schedule="PT6H"), headers=ADMIN)
        assert added.status_code == 201
        assert added.headers["Location"] == "/sources/api-one"
        assert added.json()["source"]["schedule"] == "PT6H"
        listed = client.get("/sources").json()["sources"]
        assert [(s["id"], s["origin"]) for s in listed] == [
            ("file-one", "file"),
            ("api-one", "api"),
        ]
        assert client.post("/sources", json=source("api-one"), headers=ADMIN).status_code == 409
        assert client.post("/sources", json=source("file-one"), headers=ADMIN).status_code == 409

        changed = {**source("api-one"), "title": "Renamed", "schedule": "P1D"}
        del changed["id"]  # the address names the source
        answer = client.put("/sources/api-one", json=changed, headers=ADMIN)
        assert answer.status_code == 200
        shown = client.get("/sources/api-one").json()
        assert (shown["title"], shown["schedule"]) == ("Renamed", "P1D")
        moved = client.put("/sources/api-one", json=source("other"), headers=ADMIN)
        assert moved.status_code == 422
        assert list(moved.json()["problems"]) == ["id"]

        assert (
            client.put("/sources/file-one", json=source("file-one"), headers=ADMIN).status_code
            == 409
        )
        assert client.delete("/sources/file-one", headers=ADMIN).status_code == 409
        assert client.put("/sources/nope", json=source("nope"), headers=ADMIN).status_code == 404
        assert client.delete("/sources/api-one", headers=ADMIN).status_code == 204
        assert client.delete("/sources/api-one", headers=ADMIN).status_code == 404
        assert client.get("/sources/api-one").status_code == 404
        assert [s["id"] for s in client.get("/sources").json()["sources"]] == ["file-one"]


def test_a_bad_source_is_refused_with_its_problems_by_key(tmp_path):
    config = sources_file(tmp_path, source("file-one"), licences={OUR_LICENCE: "Ours 1.0"})
    bad = {
        "id": "no spaces",
        "url": "ftp://directory.example/data.ttl",
        "kind": "excel",
        "licence": "CC-BY-4.0",
        "schedule": "P1M",
        "licence_url": "x",
    }
    with TestClient(service(harvest_config=config)) as client:
        answer = client.post("/sources", json=bad, headers=ADMIN)
        assert answer.status_code == 422
        problems = answer.json()["problems"]
        assert set(problems) == {"id", "title", "url", "kind", "licence", "schedule", "licence_url"}
        assert problems["title"] == ["missing"]
        assert "https://creativecommons.org/licenses/by/4.0/" in problems["licence"][0]
        assert "years and months" in problems["schedule"][0]
        # The file's own [licences] apply to API sources too: the same checks.
        ours = client.post("/sources", json=source("ours", licence=OUR_LICENCE), headers=ADMIN)
        assert ours.status_code == 201
        assert client.post("/sources", json=["a list"], headers=ADMIN).status_code == 422
        not_json = client.post("/sources", content=b"{oops", headers=ADMIN)
        assert not_json.status_code == 400
        assert [s["id"] for s in client.get("/sources").json()["sources"]] == ["file-one", "ours"]


def test_api_sources_survive_a_restart_on_the_same_store(tmp_path):
    settings = {"store_path": tmp_path / "store", "harvest_config": sources_file(tmp_path)}
    app = service(**settings)
    with TestClient(app) as client:
        for id in ("first", "second"):
            # On demand: no harvest runs in the background meanwhile
            created = client.post("/sources", json=source(id, profile="full"), headers=ADMIN)
            assert created.status_code == 201
        before = client.get("/sources").json()["sources"]
    del app, client
    gc.collect()  # the database is locked until its handle is gone

    app = service(**settings)
    with TestClient(app) as client:
        after = client.get("/sources").json()["sources"]
    assert [s["id"] for s in after] == ["first", "second"]
    assert after == before
    assert after[0]["profile"] == "full"
    del app, client
    gc.collect()

    # A stored source the checks refuse since (the file dropped its licence) is not harvested.
    store = EmbeddedStore(tmp_path / "other")
    with_licence = sources_file(tmp_path, licences={OUR_LICENCE: "Ours 1.0"})
    SourceRegistry(store, with_licence).add(source("ours", licence=OUR_LICENCE))
    registry = SourceRegistry(store, sources_file(tmp_path))
    assert registry.config().sources == ()
    assert list(registry.unusable["ours"]) == ["licence"]


# --- the schedule ---------------------------------------------------------------------------


def test_the_schedule_harvests_a_due_source_and_not_the_others(tmp_path, site):
    for name in ("due", "fresh", "manual"):
        site.files[f"/{name}.ttl"] = V1
    config = sources_file(
        tmp_path,
        source("due", site.url("/due.ttl"), schedule="PT1H"),
        source("fresh", site.url("/fresh.ttl"), schedule="P1D"),
        source("manual", site.url("/manual.ttl")),
    )
    app = service(harvest_config=config)
    # "fresh" was harvested a moment ago: its day has not passed.
    [done] = harvest(config, app.state.store, source_id="fresh", allow=["127.0.0.1"])
    assert done.outcome == "harvested"
    with TestClient(app) as client:
        last = wait_for(lambda: finished(client, "due"))
        assert last["outcome"] == "harvested"
        assert last["conformance"] == 0.75
        time.sleep(0.3)  # time for a wrong harvest to start
        assert (site.count("/due.ttl"), site.count("/fresh.ttl"), site.count("/manual.ttl")) == (
            1,
            1,
            0,
        )
        due = client.get("/sources/due").json()["status"]["next_due"]
        assert due > last["started"]  # an hour after this harvest
        # The catalogue was rewritten after the harvest.
        catalogue = Graph().parse(data=client.get("/catalog").text, format="turtle")
        dataset = URIRef(f"{BASE}sources/due")
        assert catalogue.value(dataset, DCTERMS.modified) == Literal(
            last["ended"], datatype=XSD.dateTime
        )


def test_the_schedule_reads_the_last_harvest_from_the_provenance_graph(tmp_path, site):
    site.files["/d.ttl"] = V1
    config = sources_file(tmp_path, source("d", site.url("/d.ttl"), schedule="PT1H"))
    store = EmbeddedStore(None)
    scheduler = Scheduler(SourceRegistry(store, config), allow=["127.0.0.1"], poll=0.05)
    assert scheduler.due() == ["d"]
    scheduler.start()
    last = wait_for(lambda: scheduler.status("d").last)
    assert last.outcome == "harvested"
    assert scheduler.due() == []
    assert Scheduler(SourceRegistry(store, config)).due() == []  # a new process knows too
    schedule = parse_config(config.read_text()).sources[0].schedule
    assert scheduler.due(last.started + schedule) == ["d"]
    assert scheduler.status("d").next_due == last.started + schedule
    # Stopped, it takes nothing up.
    scheduler.stop()
    assert not scheduler.started
    assert scheduler.trigger("d").state == "idle"
    time.sleep(0.3)
    assert site.count("/d.ttl") == 1


def test_two_triggers_make_one_harvest_and_the_status_shows_the_stage(tmp_path, site):
    site.files["/slow.ttl"] = V1
    site.files["/next.ttl"] = V2
    site.held.add("/slow.ttl")
    config = sources_file(
        tmp_path, source("slow", site.url("/slow.ttl")), source("next", site.url("/next.ttl"))
    )
    with TestClient(service(harvest_config=config)) as client:
        first = client.post("/sources/slow/harvest", headers=ADMIN)
        assert first.status_code == 202
        assert first.headers["Location"] == first.json()["status_url"] == "/sources/slow"
        # The source is running before its first stage is reported: wait for the stage too (the
        # download is held, so the harvest stays in it).
        running = wait_for(
            lambda: (s := state(client, "slow"))["state"] == "running" and s["stage"] and s
        )
        assert running["stage"] == "fetch"
        page = client.get("/sources/slow", headers={"Accept": "text/html"}).text
        assert "Harvesting now: downloading" in page
        again = client.post("/sources/slow/harvest", headers=ADMIN)
        assert again.status_code == 202
        assert again.json()["status"]["state"] == "running"
        for _ in range(2):  # one source at a time: the other waits, once
            queued = client.post("/sources/next/harvest", headers=ADMIN)
            assert queued.json()["status"]["state"] == "queued"
        site.release.set()
        wait_for(lambda: finished(client, "next"))
        wait_for(lambda: finished(client, "slow"))
        time.sleep(0.3)
        assert (site.count("/slow.ttl"), site.count("/next.ttl")) == (1, 1)
        harvests = client.get("/sources/slow").json()["history"]
        assert [h["outcome"] for h in harvests] == ["harvested"]
        assert client.post("/sources/nope/harvest", headers=ADMIN).status_code == 404


def test_a_removed_source_is_retired_after_the_harvest_in_progress(tmp_path, site):
    site.files["/d.ttl"] = V1
    site.held.add("/d.ttl")
    with TestClient(service(harvest_config=sources_file(tmp_path))) as client:
        assert (
            client.post("/sources", json=source("d", site.url("/d.ttl")), headers=ADMIN).status_code
            == 201
        )
        client.post("/sources/d/harvest", headers=ADMIN)
        wait_for(lambda: state(client, "d")["state"] == "running")
        assert client.delete("/sources/d", headers=ADMIN).status_code == 204
        assert client.get("/sources/d").status_code == 404
        site.release.set()
        store = client.app.state.store
        outcomes = f"""SELECT ?outcome WHERE {{ GRAPH <{BASE}harvests> {{
            ?a <https://w3id.org/sse/harvest#outcome> ?outcome ;
               <http://www.w3.org/ns/prov#endedAtTime> ?end }} }} ORDER BY ?end"""
        wait_for(lambda: len(select(store, outcomes)) == 2)
        # The harvest finished first, then the retirement emptied what it had stored.
        assert [row["outcome"] for row in select(store, outcomes)] == ["harvested", "retired"]
        initiatives = f"""SELECT ?r WHERE {{ GRAPH <{BASE}sources/d> {{
            ?r a <https://w3id.org/sse/vocab/Initiative> }} }}"""
        assert select(store, initiatives) == []  # only the feed's tombstones may stay
        assert store.count(f"{BASE}sources/d/quarantine") == 0
        catalogue = Graph().parse(data=client.get("/catalog").text, format="turtle")
        assert not list(catalogue.objects(URIRef(f"{BASE}catalogue"), DCAT.dataset))


def test_the_page_form_harvests_with_the_token(tmp_path, site):
    site.files["/d.ttl"] = V1
    config = sources_file(tmp_path, source("d", site.url("/d.ttl")))
    with TestClient(service(harvest_config=config), follow_redirects=False) as client:
        refused = client.post(
            "/sources/d/harvest", data={"token": "wrong"}, headers={"Accept": "text/html"}
        )
        assert refused.status_code == 401
        assert str(escape(TEXTS["en"]["src_error_token"])) in refused.text
        assert site.count("/d.ttl") == 0
        sent = client.post("/sources/d/harvest", data={"token": TOKEN})
        assert (sent.status_code, sent.headers["Location"]) == (303, "/sources/d")
        assert wait_for(lambda: finished(client, "d"))["outcome"] == "harvested"


# --- quality over time ------------------------------------------------------------------------


def test_the_trend_has_one_point_per_harvest_that_read_records(tmp_path, site):
    site.files["/d.ttl"] = V1
    config = sources_file(tmp_path, source("d", site.url("/d.ttl")))
    app = service(harvest_config=config)
    results = []
    for data in (V1, V1, V2):  # the second is a 304: it measures nothing
        site.files["/d.ttl"] = data
        results += harvest(config, app.state.store, allow=["127.0.0.1"])
    assert [r.outcome for r in results] == ["harvested", "not-modified", "harvested"]
    measured = [r for r in results if r.records_read]
    with TestClient(app) as client:
        page = client.get("/sources/d", headers={"Accept": "text/html"}).text
        document = client.get("/sources/d").json()
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Conformance of Directory d over time"
    assert "the table below" in svg.find(f"{SVG}desc").text.lower()
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "axis-label"]
    assert labels == [TEXTS["en"]["src_chart_x"], TEXTS["en"]["src_chart_y"]]
    points = list(svg.iter(f"{SVG}circle"))
    expected = [r.accepted / r.records_read for r in measured]
    assert [float(p.get("data-rate")) for p in points] == pytest.approx(expected)
    assert expected == [0.75, 1.0]
    # Higher rates are drawn higher, and each point says its value.
    assert float(points[0].get("cy")) > float(points[1].get("cy"))
    assert [p.find(f"{SVG}title").text.split(": ")[1] for p in points] == [
        "75.0% conforming",
        "100.0% conforming",
    ]
    # The table fallback lists every harvest, the 304 included.
    table = page[page.index('<table class="harvests">') : page.index("</table>")]
    assert table.count("<tr>") == 1 + len(results)
    assert "75.0%" in table and "100.0%" in table
    assert [h["conformance"] for h in document["history"]] == [0.75, None, 1.0]
    # Violations per shape, summed, are the harvest's violations; the rejected record is listed.
    first = history(app.state.store, f"{BASE}harvests", "d")[0]
    assert sum(first.violations_per_shape().values()) == first.violations > 0
    assert document["latest_results"] == []  # V2 rejected nothing
    assert document["history"][0]["violations_per_shape"] == first.violations_per_shape()


def test_the_page_shows_the_rejected_records_of_the_latest_harvest(tmp_path, site):
    site.files["/d.ttl"] = V1
    config = sources_file(tmp_path, source("d", site.url("/d.ttl")))
    app = service(harvest_config=config)
    harvest(config, app.state.store, allow=["127.0.0.1"])
    with TestClient(app) as client:
        document = client.get("/sources/d").json()
        french = client.get("/sources/d?lang=fr", headers={"Accept": "text/html"}).text
    [result] = document["latest_results"]
    assert document["latest_results_total"] == 1
    assert result["record"] == "https://harvest-test.example/initiative/nameless"
    assert result["path"] == "http://schema.org/name"
    assert result["severity"] == "Violation"
    [row] = select(
        app.state.store,
        f"""SELECT ?m WHERE {{ GRAPH <{BASE}sources/d/quarantine> {{
            ?r <http://www.w3.org/ns/shacl#resultMessage> ?m FILTER (lang(?m) = "fr") }} }}""",
    )
    assert row["m"] in french  # the message in the page's language


# --- catalogue and VoID ---------------------------------------------------------------------


def test_the_catalogue_and_void_are_served_and_queryable(tmp_path, site):
    site.files["/d.ttl"] = V1
    config = sources_file(
        tmp_path, source("d", site.url("/d.ttl")), source("csv", site.url("/x.csv"), kind="csv")
    )
    app = create_app(
        Settings(
            store_path=None,
            load_examples=False,
            admin_token=TOKEN,
            fetch_allow=("127.0.0.1",),
            base_url=SERVICE,
            harvest_config=config,
            query_workers=1,
        ),
        routers=["sources", "sparql"],
    )
    with TestClient(app) as client:
        client.post("/sources/d/harvest", headers=ADMIN)
        last = wait_for(lambda: finished(client, "d"))
        turtle = client.get("/catalog", headers={"Accept": "text/turtle"})
        jsonld = client.get("/catalog", headers={"Accept": "application/ld+json"})
        void = client.get("/.well-known/void")
        assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
        dataset, other = URIRef(f"{BASE}sources/d"), URIRef(f"{BASE}sources/csv")
        dump_url = f"{SERVICE}/sources/d/data"
        dump = client.get("/sources/d/data")
        answer = client.get(
            "/sparql",
            params={
                "query": f"""PREFIX dcat: <{DCAT}> PREFIX dcterms: <{DCTERMS}>
                SELECT ?title WHERE {{ GRAPH <{BASE}catalogue> {{
                    <{BASE}catalogue> dcat:dataset ?d . ?d dcterms:title ?title }} }}
                ORDER BY ?title"""
            },
        )
    assert turtle.headers["content-type"].startswith("text/turtle")
    catalogue = Graph().parse(data=turtle.text, format="turtle")
    assert isomorphic(catalogue, Graph().parse(data=jsonld.text, format="json-ld"))
    catalog = URIRef(f"{BASE}catalogue")
    assert (catalog, RDF.type, DCAT.Catalog) in catalogue
    assert set(catalogue.objects(catalog, DCAT.dataset)) == {dataset, other}
    assert catalogue.value(catalog, FOAF.homepage) == URIRef(f"{SERVICE}/sources")
    assert catalogue.value(dataset, DCTERMS.title) == Literal("Directory d")
    assert catalogue.value(dataset, DCTERMS.license) == URIRef(CC_BY)
    assert catalogue.value(dataset, DCAT.landingPage) == URIRef(f"{SERVICE}/sources/d")
    assert catalogue.value(dataset, DCTERMS.modified).toPython().isoformat() == last["ended"]
    assert catalogue.value(other, DCTERMS.modified) is None  # never harvested
    downloads = {
        catalogue.value(d, DCAT.downloadURL): catalogue.value(d, DCAT.mediaType)
        for s in (dataset, other)
        for d in catalogue.objects(s, DCAT.distribution)
    }
    iana = "https://www.iana.org/assignments/media-types/"
    assert downloads == {
        URIRef(site.url("/d.ttl")): None,  # an RDF dump in any syntax
        URIRef(site.url("/x.csv")): URIRef(iana + "text/csv"),
        URIRef(dump_url): URIRef(iana + "application/n-triples"),
        URIRef(f"{SERVICE}/sources/csv/data"): URIRef(iana + "application/n-triples"),
    }
    # VoID: the counts are the store's, the dump is the graph.
    described = Graph().parse(data=void.text, format="turtle")
    records = Graph().parse(data=dump.content, format="nt")
    assert dump.headers["content-type"].startswith("application/n-triples")
    assert described.value(dataset, VOID.triples).toPython() == len(records)
    assert described.value(dataset, VOID.entities).toPython() == last["accepted"] == 3
    assert described.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{SERVICE}/sparql")
    assert described.value(dataset, VOID.dataDump) == URIRef(dump_url)
    assert described.value(catalog, VOID.triples).toPython() == len(records)
    assert answer.status_code == 200, answer.text
    titles = [row["title"]["value"] for row in answer.json()["results"]["bindings"]]
    assert titles == ["Directory csv", "Directory d"]


@pytest.mark.parametrize("kind", ["embedded", "remote"])
def test_registry_and_catalogue_work_on_both_stores(request, tmp_path, site, kind):
    if kind == "embedded":
        store = EmbeddedStore(None)
    else:
        base = request.getfixturevalue("oxigraph_server")
        httpx.post(f"{base}/update", data={"update": "DROP SILENT ALL"}).raise_for_status()
        store = RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")
    site.files["/d.ttl"] = V1
    config = sources_file(tmp_path)
    SourceRegistry(store, config).add(source("d", site.url("/d.ttl")))
    registry = SourceRegistry(store, config)  # as after a restart
    [result] = harvest(registry.config(), store, allow=["127.0.0.1"])
    assert result.accepted == 3
    write_catalogue(store, registry.config(), SERVICE)
    catalogue = read_catalogue(store, BASE)
    dataset = URIRef(f"{BASE}sources/d")
    assert catalogue.value(dataset, VOID.entities).toPython() == 3
    assert catalogue.value(dataset, VOID.triples).toPython() == store.count(str(dataset))
    [row] = select(
        store,
        f"""SELECT ?t WHERE {{ GRAPH <{BASE}catalogue> {{ <{dataset}> <{DCTERMS.title}> ?t }} }}""",
    )
    assert row["t"] == "Directory d"
    if isinstance(store, RemoteStore):
        store.close()


def test_a_catalogue_source_without_a_licence_of_its_own_says_so_in_the_catalogue(tmp_path):
    """A ``dcat`` source has no licence (each dataset has its own): the catalogue writes no
    ``dcterms:license`` for it, not the empty IRI no store takes, and says why instead."""
    portal = source("portal", "http://127.0.0.1:9/catalog.ttl", kind="dcat")
    del portal["licence"]
    config = sources_file(tmp_path, portal, source("d"))
    with TestClient(service(harvest_config=config)) as client:  # the catalogue is written first
        answer = client.get("/catalog", headers={"Accept": "text/turtle"})
        assert answer.status_code == 200, answer.text
        catalogue = Graph().parse(data=answer.text, format="turtle")
        assert client.get("/sources/portal").json()["licence"] is None
        page = client.get("/sources/portal", headers={"Accept": "text/html"}).text
    assert 'href=""' not in page
    assert str(escape(TEXTS["en"]["src_licence_per_dataset"])) in page
    dataset = URIRef(f"{BASE}sources/portal")
    assert not any(o == URIRef("") for o in catalogue.objects())
    copies = list(catalogue.objects(dataset, DCAT.distribution))
    for subject in (dataset, *copies):
        assert catalogue.value(subject, DCTERMS.license) is None
    statement = catalogue.value(dataset, DCTERMS.rights)
    assert (statement, RDF.type, DCTERMS.RightsStatement) in catalogue
    assert "each dataset of this catalogue" in catalogue.value(statement, RDFS.label)
    dump = next(c for c in copies if catalogue.value(c, DCAT.downloadURL).endswith("/data"))
    assert catalogue.value(dump, DCTERMS.rights) == statement
    other = URIRef(f"{BASE}sources/d")
    assert catalogue.value(other, DCTERMS.license) == URIRef(CC_BY)
    assert catalogue.value(other, DCTERMS.rights) is None


# --- the pages in four languages ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fr", "es", "pt"])
def test_the_pages_render_in_the_four_languages(tmp_path, site, lang):
    site.files["/d.ttl"] = V1
    config = sources_file(tmp_path, source("d", site.url("/d.ttl"), schedule="P1D"))
    app = service(harvest_config=config)
    harvest(config, app.state.store, allow=["127.0.0.1"])
    texts = {key: str(escape(text)) for key, text in TEXTS[lang].items()}
    with TestClient(app) as client:
        listing = client.get(f"/sources?lang={lang}", headers={"Accept": "text/html"})
        detail = client.get(f"/sources/d?lang={lang}", headers={"Accept": "text/html"})
        missing = client.get(f"/sources/nope?lang={lang}", headers={"Accept": "text/html"})
    for answer in (listing, detail):
        assert answer.status_code == 200
        assert f'<html lang="{lang}">' in answer.text
        assert "src_" not in answer.text  # no text key left untranslated
    assert texts["src_title"] in listing.text
    assert texts["src_outcome_harvested"] in listing.text
    assert "75.0%" in listing.text
    assert texts["src_quality_title"] in detail.text
    chart_title = str(escape(TEXTS[lang]["src_chart_title"].format(title="Directory d")))
    assert chart_title in detail.text
    assert texts["src_col_record"] in detail.text
    assert missing.status_code == 404
    assert texts["src_error_unknown"] in missing.text


def test_every_text_is_in_the_four_languages():
    assert set(TEXTS) == {"en", "fr", "es", "pt"}
    for lang in TEXTS:
        assert set(TEXTS[lang]) == set(TEXTS["en"]), lang
        assert all(value.strip() for value in TEXTS[lang].values())
    assert not [key for keys in missing_keys().values() for key in keys if key.startswith("src_")]
