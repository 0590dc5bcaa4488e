"""The change feed: served as Activity Streams 2.0 (``GET /feed``), read back as a source of
kind ``feed``, and two instances chained: A harvests a directory served on 127.0.0.1, B
harvests A's feed from A's service under a real uvicorn, the directory changes, and B follows
incrementally. B's store is the embedded one and a real ``oxigraph serve``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import anchor, live_service
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

import ssevalidate
from service.app import create_app
from service.settings import Settings
from ssevalidate.harvest import harvest, load_config, parse_config
from ssevalidate.harvest.activitystreams import read_document
from ssevalidate.harvest.construct import construct
from ssevalidate.harvest.feed import Expired, Position, read_changes
from ssevalidate.harvest.recordjson import record_document
from ssevalidate.harvest.records import Records
from ssevalidate.harvest.sources_feed import stored_position
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.importers import convert
from ssevalidate.parsegate import InputError, read
from ssevalidate.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"
V1 = (FIXTURES / "directory-v1.ttl").read_text()
V2 = (FIXTURES / "directory-v2.ttl").read_text()
DIR = "https://harvest-test.example/initiative/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
A_BASE, B_BASE = "https://a.example/", "https://b.example/"
A_GRAPH, B_GRAPH = f"{A_BASE}sources/dir", f"{B_BASE}sources/a"
NAMELESS = V1[V1.index("dir:nameless") :]
"""The record of V1 without a name: rejected under the core profile, accepted under essglobal."""


# --- a directory site and instance A, each under uvicorn on 127.0.0.1 -----------------------


class Site:
    """Files by path, and every request (path, query, status) it answered."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict[str, list[str]], int]] = []

    async def __call__(self, scope, receive, send) -> None:
        status = []

        async def recording(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, recording)
        if scope["type"] == "http":
            query = parse_qs(scope["query_string"].decode())
            self.requests.append((scope["path"], query, status[0] if status else 0))

    def since(self, position: int) -> list[tuple[str, dict[str, list[str]], int]]:
        return self.requests[position:]


class Directory(Site):
    def __init__(self) -> None:
        super().__init__()

        def serve(request):
            body = self.files.get(request.url.path)
            if body is None:
                return Response(b"", 404)
            return Response(body, media_type="text/turtle")

        self.app = Starlette(routes=[Route("/{path:path}", serve)])


class Instance(Site):
    """An instance of the service serving ``/feed`` (``app.state.store`` is its store)."""

    def __init__(self, base_url: str, config: Path) -> None:
        super().__init__()
        settings = Settings(
            base_url=base_url, store_path=None, load_examples=False, harvest_config=config
        )
        self.app = create_app(settings, routers=["feed"])
        self.config = config

    @property
    def store(self):
        return self.app.state.store

    def harvest(self):
        [result] = harvest(load_config(self.config), self.store, allow=["127.0.0.1"])
        assert result.outcome in ("harvested", "unchanged"), result.error
        return result


@pytest.fixture(scope="module")
def directory():
    site = Directory()
    with live_service(lambda base: site) as (url, _):
        site.url = url
        yield site


def a_config(path: Path, directory: Directory, profile="core", **feed) -> Path:
    lines = [f'base = "{A_BASE}"', "[feed]"] + [f"{k} = {json.dumps(v)}" for k, v in feed.items()]
    lines += [
        "[[source]]",
        'id = "dir"',
        'title = "A directory"',
        f'url = "{directory.url}/dir.ttl"',
        'kind = "rdf"',
        f'licence = "{CC_BY}"',
        f'profile = "{profile}"',
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def instance(tmp_path, directory):
    """Instance A, under uvicorn, harvesting ``directory``'s ``/dir.ttl``."""
    directory.files.clear()
    config = a_config(tmp_path / "a.toml", directory)
    with live_service(lambda base: Instance(base, config)) as (url, site):
        site.url = url
        yield site


def harvest_b(store, feed_url: str, profile="core"):
    text = f"""base = "{B_BASE}"
[[source]]
id = "a"
title = "Aggregator A"
url = "{feed_url}"
kind = "feed"
licence = "{CC_BY}"
profile = "{profile}"
"""
    [result] = harvest(parse_config(text), store, allow=["127.0.0.1"])
    return result


def contents(store, graph: str) -> dict[str, str]:
    """Record IRI → content hash of what the record says, without what harvesters add (its
    sources, licences, content hash and feed times)."""
    found = construct(store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    records = [str(s) for s in found.subjects(HARVEST.recordHash, None)]
    for subject, predicate, value in list(found):
        added = predicate in (DCTERMS.source, DCTERMS.license) or predicate in HARVEST
        if str(subject) in records and added:
            found.remove((subject, predicate, value))
    owned = Records(found, records)
    return {str(iri): owned.digest(iri) for iri in owned.iris}


def in_graph(store, graph: str) -> set[str]:
    found = construct(store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {str(s) for s in found.subjects() if str(s).startswith(DIR)}


# --- two instances chained ----------------------------------------------------------------------


def test_b_follows_a_incrementally_and_ends_with_exactly_a_s_records(instance, directory, store):
    feed = f"{instance.url}/feed"
    directory.files["/dir.ttl"] = V1.encode()
    first_a = instance.harvest()
    assert first_a.changes.created == [DIR + "bakery", DIR + "bikes", DIR + "library"]

    first = harvest_b(store, feed)
    assert first.outcome == "harvested", first.error
    assert first.changes.created == [DIR + "bakery", DIR + "bikes", DIR + "library"]
    assert contents(store, B_GRAPH) == contents(instance.store, A_GRAPH)
    assert set(contents(store, B_GRAPH)) == {DIR + "bakery", DIR + "bikes", DIR + "library"}
    # The first harvest walked the whole feed: the collection, then its pages, no since.
    assert [(path, query) for path, query, _ in instance.requests] == [
        ("/feed", {}),
        ("/feed", {"page": ["first"]}),
    ]
    position = stored_position(store, B_GRAPH)
    assert position is not None

    # The directory changes: one record added, one changed, one removed.
    directory.files["/dir.ttl"] = V2.encode()
    second_a = instance.harvest()
    assert (second_a.changes.created, second_a.changes.updated, second_a.changes.deleted) == (
        [DIR + "seeds"],
        [DIR + "bikes"],
        [DIR + "bakery"],
    )
    asked = len(instance.requests)
    second = harvest_b(store, feed)
    assert second.outcome == "harvested", second.error
    assert (second.changes.created, second.changes.updated, second.changes.deleted) == (
        [DIR + "seeds"],
        [DIR + "bikes"],
        [DIR + "bakery"],
    )
    assert contents(store, B_GRAPH) == contents(instance.store, A_GRAPH)
    # Only the changes since B's position were asked for: the collection and its one page.
    incremental = instance.since(asked)
    assert [(path, sorted(query)) for path, query, _ in incremental] == [
        ("/feed", ["since"]),
        ("/feed", ["page", "since"]),
    ]
    asked_since = {datetime.fromisoformat(query["since"][0]) for _, query, _ in incremental}
    assert asked_since == {datetime.fromisoformat(position)}
    changes = httpx.get(feed, params={"since": position}).json()
    assert changes["totalItems"] == 3
    assert in_graph(store, B_GRAPH) == {DIR + "bikes", DIR + "library", DIR + "seeds"}

    # Nothing new: B reads one empty page and writes nothing.
    again = harvest_b(store, feed)
    assert again.outcome == "unchanged", again.error
    assert contents(store, B_GRAPH) == contents(instance.store, A_GRAPH)


def test_records_b_rejects_stay_in_its_quarantine_across_incremental_harvests(
    tmp_path, directory, store
):
    directory.files.clear()
    config = a_config(tmp_path / "a.toml", directory, profile="essglobal")
    with live_service(lambda base: Instance(base, config)) as (url, a):
        directory.files["/dir.ttl"] = V1.encode()
        a.harvest()  # A accepts the nameless record (essglobal asks no name)
        first = harvest_b(store, f"{url}/feed")
        assert (first.accepted, first.rejected) == (3, 1)
        directory.files["/dir.ttl"] = (V2 + "\n" + NAMELESS).encode()
        a.harvest()
        second = harvest_b(store, f"{url}/feed")
    assert second.outcome == "harvested", second.error
    assert (second.accepted, second.rejected) == (3, 1)
    assert in_graph(store, f"{B_GRAPH}/quarantine") >= {DIR + "nameless"}
    assert in_graph(store, B_GRAPH) == {DIR + "bikes", DIR + "library", DIR + "seeds"}
    assert second.changes.deleted == [DIR + "bakery"]  # the quarantined record is no change


def test_a_position_older_than_the_retention_is_gone_and_b_reads_everything_again(
    tmp_path, directory
):
    directory.files.clear()
    config = a_config(tmp_path / "a.toml", directory, retention="PT1S")
    store = EmbeddedStore(None)
    with live_service(lambda base: Instance(base, config)) as (url, a):
        directory.files["/dir.ttl"] = V1.encode()
        a.harvest()
        assert harvest_b(store, f"{url}/feed").outcome == "harvested"
        directory.files["/dir.ttl"] = V2.encode()
        a.harvest()
        time.sleep(1.2)  # B's position falls out of A's retention
        asked = len(a.requests)
        result = harvest_b(store, f"{url}/feed")
        assert result.outcome == "harvested", result.error
        requests = a.since(asked)
        assert contents(store, B_GRAPH) == contents(a.store, A_GRAPH)
    assert requests[0][1].get("since") and requests[0][2] == 410
    assert ("/feed", {}, 200) in requests[1:]  # the collection says what it keeps
    assert ("/feed", {"page": ["first"]}, 200) in requests[1:]  # then everything again
    assert (result.changes.created, result.changes.deleted) == ([DIR + "seeds"], [DIR + "bakery"])


def test_a_feed_that_is_not_one_fails_and_keeps_the_previous_graph(instance, directory):
    store = EmbeddedStore(None)
    directory.files["/dir.ttl"] = V1.encode()
    instance.harvest()
    assert harvest_b(store, f"{instance.url}/feed").outcome == "harvested"
    before = contents(store, B_GRAPH)
    directory.files["/not-a-feed"] = b'{"type": "Note", "content": "hello"}'
    wrong = harvest_b(store, f"{directory.url}/not-a-feed")
    assert wrong.outcome == "failed"
    assert "not an Activity Streams collection" in wrong.error
    assert contents(store, B_GRAPH) == before


# --- the feed as served ---------------------------------------------------------------------


@pytest.fixture
def served(tmp_path, directory):
    """Instance A as a TestClient, pages of two changes, after V1 then V2 were harvested."""
    directory.files.clear()
    config = a_config(tmp_path / "a.toml", directory, page_size=2)
    instance = Instance("https://a.example", config)
    directory.files["/dir.ttl"] = V1.encode()
    first = instance.harvest()
    directory.files["/dir.ttl"] = V2.encode()
    second = instance.harvest()
    with TestClient(instance.app) as client:
        client.first, client.second, client.store = first, second, instance.store
        yield client


def local(url: str) -> str:
    """The path and query of one of A's links (absolute, under its base URL)."""
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.netloc == "a.example"
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def walk(client, start: str, **params: str) -> list[dict]:
    """Every page from ``start`` (a link, or a path and ``params``), following ``next``."""
    answer = client.get(start if start.startswith("/") else local(start), params=params or None)
    pages = []
    while True:
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        if "next" not in pages[-1]:
            return pages
        answer = client.get(local(pages[-1]["next"]))


def test_the_collection_and_its_pages(served):
    answer = served.get("/feed")
    assert answer.headers["content-type"].startswith("application/activity+json")
    collection = answer.json()
    assert collection["type"] == "OrderedCollection"
    assert collection["@context"][0] == "https://www.w3.org/ns/activitystreams"
    # Each record once, at its latest change: library (V1), then bakery, bikes, seeds (V2).
    assert collection["totalItems"] == 4
    pages = walk(served, collection["first"])
    assert [len(page["orderedItems"]) for page in pages] == [2, 2]
    items = [item for page in pages for item in page["orderedItems"]]
    assert [(item["type"], item["object"]["id"]) for item in items] == [
        ("Create", DIR + "library"),
        ("Delete", DIR + "bakery"),
        ("Update", DIR + "bikes"),
        ("Create", DIR + "seeds"),
    ]
    times = [datetime.fromisoformat(item["published"]) for item in items]
    assert times == sorted(times) and times[0] < times[1] == times[3]
    assert all(item["target"] == {"id": A_GRAPH, "name": "dir"} for item in items)
    # Links: partOf, prev of the second page is the first, last is the second.
    assert pages[1]["partOf"] == "https://a.example/feed"
    assert local(pages[1]["prev"]) == "/feed?page=first"
    assert "prev" not in pages[0] and "next" not in pages[1]
    assert collection["last"] == pages[1]["id"]


def test_a_deletion_is_a_tombstone_with_its_former_type_and_time(served):
    page = walk(served, "/feed", page="first", since=served.first.ended.isoformat())[0]
    tombstone = page["orderedItems"][0]["object"]
    assert tombstone == {
        "id": DIR + "bakery",
        "type": "Tombstone",
        "formerType": ["https://w3id.org/sse/vocab/Initiative"],
        "deleted": page["orderedItems"][0]["published"],
    }


def test_each_record_is_json_ld_in_our_context_and_reads_back_as_stored(served):
    items = [i for p in walk(served, "/feed?page=first") for i in p["orderedItems"]]
    stored = construct(
        served.store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{A_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    for triple in [t for t in stored if t[1] in HARVEST]:
        stored.remove(triple)
    for item in items:
        if item["type"] == "Delete":
            continue
        record = item["object"]
        assert record["@context"] == "https://w3id.org/sse/context.jsonld"
        assert record["type"] == "Initiative" and isinstance(record["name"], str)
        assert record["source"] == A_GRAPH and record["license"] == CC_BY
        graph = read(json.dumps(record).encode(), name="item.jsonld", format="jsonld").graph
        iri = record["id"]
        assert Records(graph, [iri]).digest(URIRef(iri)) == Records(stored, [iri]).digest(
            URIRef(iri)
        )
        report = ssevalidate.validate(graph.serialize(format="nt").encode(), format="nt")
        assert report.conforms, report.results


def test_since_narrows_the_feed_and_an_old_since_is_gone(served):
    since = served.first.ended.isoformat()
    collection = served.get("/feed", params={"since": since}).json()
    assert collection["totalItems"] == 3
    assert parse_qs(urlsplit(collection["first"]).query)["since"] == [since.replace("+00:00", "Z")]
    later = served.get("/feed", params={"since": served.second.ended.isoformat()}).json()
    assert later["totalItems"] == 0
    [empty] = walk(served, later["first"])
    assert empty["orderedItems"] == [] and "next" not in empty
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    gone = served.get("/feed", params={"since": old, "page": "first"})
    assert gone.status_code == 410
    assert "read the whole feed again" in gone.json()["error"]
    assert local(gone.json()["first"]) == "/feed?page=first"


def test_a_sources_file_without_sources_still_sets_the_feed(tmp_path, directory):
    directory.files.clear()
    store_config = load_config(a_config(tmp_path / "a.toml", directory))
    service_file = tmp_path / "service.toml"
    service_file.write_text(f'base = "{A_BASE}"\n[feed]\npage_size = 1\n')
    instance = Instance("https://a.example", service_file)
    directory.files["/dir.ttl"] = V1.encode()
    harvest(store_config, instance.store, allow=["127.0.0.1"])
    with TestClient(instance.app) as client:
        pages = walk(client, "/feed", page="first")
    assert [len(page["orderedItems"]) for page in pages] == [1, 1, 1]


def test_media_types_and_bad_requests(served):
    ld = served.get("/feed", headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert served.get("/feed", headers={"Accept": "text/html"}).status_code == 406
    for query in ({"since": "yesterday"}, {"page": "not-a-position"}, {"page": "e30"}):
        answer = served.get("/feed", params=query)
        assert answer.status_code == 400, query
        assert "error" in answer.json()


# --- the library: a stable cursor, and records as JSON-LD -----------------------------------


def test_a_reader_walking_pages_while_harvests_run_misses_nothing(directory, tmp_path):
    directory.files.clear()
    store = EmbeddedStore(None)
    config = load_config(a_config(tmp_path / "a.toml", directory))
    directory.files["/dir.ttl"] = V1.encode()
    harvest(config, store, allow=["127.0.0.1"])
    page = read_changes(store, A_BASE, limit=1)
    seen = {c.record: c.kind for c in page.changes}
    assert seen == {DIR + "bakery": "Create"} and page.more
    # A harvest in the middle of the walk: bikes changes, the bakery goes, seeds arrive.
    directory.files["/dir.ttl"] = V2.encode()
    harvest(config, store, allow=["127.0.0.1"])
    while page.more:
        page = read_changes(store, A_BASE, after=page.changes[-1].position, limit=1)
        seen.update({c.record: c.kind for c in page.changes})
    current = {record for record, kind in seen.items() if kind != "Delete"}
    assert current == {DIR + "bikes", DIR + "library", DIR + "seeds"}
    assert seen[DIR + "bakery"] == "Delete"


def test_positions_are_opaque_tokens_that_round_trip():
    position = Position("2025-05-01T10:00:00.5Z", "urn:a", "https://e.org/r")
    assert Position.from_token(position.token()) == Position(
        "2025-05-01T10:00:00.500000Z", "urn:a", "https://e.org/r"
    )
    with pytest.raises(ValueError):
        Position.from_token("bm90IGpzb24")
    with pytest.raises(Expired):
        read_changes(EmbeddedStore(None), A_BASE, since="2000-01-01T00:00:00Z")


def test_every_record_of_a_real_export_reads_back_from_its_json_ld():
    data = anchor("data", "sea-ica-standard-v3-2021.csv").read_bytes()
    conversion = convert(data, name="ica.csv", dialect="sea-csv")
    records = Records(conversion.graph, conversion.origins)
    assert len(records.iris) == 316
    for iri in records.iris:
        document = record_document(records.owned(iri), iri)
        assert document["@context"] == "https://w3id.org/sse/context.jsonld"
        graph = read(json.dumps(document).encode(), name="r.jsonld", format="jsonld").graph
        assert Records(graph, [str(iri)]).digest(iri) == records.digest(iri), document


def test_an_iri_our_context_would_misread_is_written_without_it():
    graph = Graph().parse(
        data="""<https://e.org/a> <http://schema.org/name> "A" ;
            <http://schema.org/sameAs> <geo:51.5,-0.1> ;
            <http://www.w3.org/2006/vcard/ns#hasAddress> [ <http://schema.org/x> [ ] ] .""",
        format="turtle",
    )
    iri = URIRef("https://e.org/a")
    document = record_document(graph, iri)
    assert "@context" not in document and document["@id"] == str(iri)
    back = read(json.dumps(document).encode(), name="r.jsonld", format="jsonld").graph
    assert Records(back, [str(iri)]).digest(iri) == Records(graph, [str(iri)]).digest(iri)


def test_feed_documents_are_checked_where_they_are_wrong():
    page = {
        "type": "OrderedCollectionPage",
        "orderedItems": [{"type": "Like", "object": {"id": "urn:x"}}],
    }
    with pytest.raises(InputError, match="each item must be a Create, Update, Delete"):
        read_document(json.dumps(page).encode(), "page")
    page["orderedItems"] = [{"type": "Create", "object": {"id": "urn:x"}, "published": "now"}]
    with pytest.raises(InputError) as wrong:
        read_document(json.dumps(page).encode(), "page")
    assert wrong.value.pointer == "/orderedItems/0/published"
