"""Federated harvesting against loopback HTTP servers: conditional requests, the split into
accepted and quarantined records, provenance, faults that must leave the previous graphs in
use (a 500, a reset connection, a timeout, truncated gzip, garbage, an exception, ``kill -9``),
SSRF refusals and configuration errors. The harvest tests run on both stores: the embedded one
and a real ``oxigraph serve`` reached through the SPARQL and Graph Store Protocols."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import gzip
import hashlib
import http.server
import json
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from conftest import ROOT, anchor, graph_content

import ssevalidate
from ssevalidate.harvest import ConfigError, harvest, load_config, parse_config
from ssevalidate.harvest import pipeline as harvest_pipeline
from ssevalidate.harvest.config import parse_duration
from ssevalidate.harvest.storeio import select
from ssevalidate.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"
V1 = (FIXTURES / "directory-v1.ttl").read_bytes()
V2 = (FIXTURES / "directory-v2.ttl").read_bytes()
BASE = "https://aggregator.example/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
DIR = "https://harvest-test.example/initiative/"
SECRET = b"SECRET-CONTENT-never-shown"
PREFIXES = """PREFIX sse: <https://w3id.org/sse/vocab/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX harvest: <https://w3id.org/sse/harvest#>
"""


# --- a directory site on 127.0.0.1 (and 127.0.0.2) with validators and faults -----------------


class Site:
    """What the loopback servers serve: files (with or without ETag / Last-Modified), faults
    by path, and every request received."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str, bool]] = {}
        self.faults: dict[str, str] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.release = threading.Event()
        self.modified = time.time() - 3600

    def put(self, path: str, body: bytes, content_type="text/turtle", validators=True) -> None:
        self.files[path] = (body, content_type, validators)
        self.modified += 60  # a new version has a later Last-Modified

    def requested(self, path: str) -> list[dict[str, str]]:
        return [headers for _, seen, headers in self.requests if seen == path]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        site: Site = self.server.site
        url = urlsplit(self.path)
        site.requests.append((self.server.server_address[0], url.path, dict(self.headers)))
        fault = site.faults.get(url.path, "")
        if fault == "500":
            return self.reply(500, b"oops " + SECRET, "text/plain")
        if fault.startswith("redirect:"):
            self.send_response(302)
            self.send_header("Location", fault.removeprefix("redirect:"))
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if url.path == "/sparql":
            self.server.queries.append(parse_qs(url.query).get("query", [""])[0])
        if url.path not in site.files:
            return self.reply(404, b"", "text/plain")
        body, content_type, validators = site.files[url.path]
        headers = {}
        if validators:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            headers = {"ETag": etag, "Last-Modified": formatdate(site.modified, usegmt=True)}
            since = self.headers.get("If-Modified-Since")
            if self.headers.get("If-None-Match") == etag or (
                since and parsedate_to_datetime(since).timestamp() >= int(site.modified)
            ):
                self.send_response(304)
                for name, value in headers.items():
                    self.send_header(name, value)
                return self.end_headers()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if fault == "reset":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close with a TCP reset, as a crashed server or a proxy does
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return None
        if fault.startswith("delay:"):
            site.release.wait(float(fault.removeprefix("delay:")))
        with contextlib.suppress(OSError):  # the client gave up waiting, as it should
            self.wfile.write(body)
        return None

    def reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve(address: str, site: Site) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer((address, 0), Handler)
    server.daemon_threads = True
    server.site = site
    server.queries = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers():
    site = Site()
    main, other = _serve("127.0.0.1", site), _serve("127.0.0.2", site)
    yield site, main, other
    site.release.set()
    for server in (main, other):
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(servers):
    """A fresh site; ``site.url(path)`` on 127.0.0.1, ``site.other(path)`` on 127.0.0.2."""
    site, main, other = servers
    site.files.clear()
    site.faults.clear()
    site.requests.clear()
    main.queries.clear()
    site.url = lambda path: f"http://127.0.0.1:{main.server_address[1]}{path}"
    site.other = lambda path: f"http://127.0.0.2:{other.server_address[1]}{path}"
    site.queries = main.queries
    return site


# --- helpers ----------------------------------------------------------------------------------


def config(*sources: dict, **fetch) -> str:
    """A configuration file's text for ``sources`` (dicts of keys) with ``[fetch]`` settings
    (a 5 s timeout unless given)."""
    fetch = {"timeout": 5, **fetch}
    # JSON strings, numbers and arrays of strings are valid TOML values
    lines = [f"base = {json.dumps(BASE)}", "[fetch]"]
    lines.extend(f"{key} = {json.dumps(value)}" for key, value in fetch.items())
    for source in sources:
        lines.append("[[source]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in source.items())
    return "\n".join(lines) + "\n"


def source(id="dir", url="", kind="rdf", licence=CC_BY, title="Test directory", **more) -> dict:
    return {"id": id, "title": title, "url": url, "kind": kind, "licence": licence, **more}


def run(store, *sources: dict, **options):
    [result] = harvest(parse_config(config(*sources, **options)), store, allow=["127.0.0.1"])
    return result


def records(store, graph: str) -> set[str]:
    query = PREFIXES + f"SELECT ?r WHERE {{ GRAPH <{graph}> {{ ?r a sse:Initiative }} }}"
    return {row["r"] for row in select(store, query)}


def snapshot(store, *graphs: str) -> dict[str, list]:
    """Every triple of ``graphs`` (blank node labels are the store's: stable while the data
    is not replaced)."""
    taken = {}
    for graph in graphs:
        rows = select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        taken[graph] = sorted((row["s"], row["p"], row["o"]) for row in rows)
    return taken


def activities(store) -> list[dict[str, str]]:
    """Every harvest in the provenance graph, oldest first."""
    return select(
        store,
        PREFIXES
        + f"""SELECT ?a ?outcome ?error ?end WHERE {{ GRAPH <{BASE}harvests> {{
            ?a a prov:Activity ; prov:startedAtTime ?start .
            OPTIONAL {{ ?a harvest:outcome ?outcome }} OPTIONAL {{ ?a harvest:error ?error }}
            OPTIONAL {{ ?a prov:endedAtTime ?end }} }} }} ORDER BY ?start""",
    )


GRAPH = f"{BASE}sources/dir"
QUARANTINE = f"{BASE}sources/dir/quarantine"


@pytest.fixture
def conversions(monkeypatch):
    """Counts the calls of the importer: a harvest that re-parses nothing makes none."""
    calls = []
    convert = harvest_pipeline.convert

    def counting(*args, **kwargs):
        calls.append(kwargs.get("name"))
        return convert(*args, **kwargs)

    monkeypatch.setattr(harvest_pipeline, "convert", counting)
    return calls


# --- the real ICA export, on both stores ------------------------------------------------------


def test_the_ica_export_is_harvested_with_source_and_licence_on_every_record(store, site):
    data = anchor("data", "sea-ica-standard-v3-2021.csv").read_bytes()
    site.put("/ica.csv", data, "text/csv")
    ica = source(
        "ica", site.url("/ica.csv"), "sea-csv", "https://opendatacommons.org/licenses/odbl/1-0/"
    )
    result = run(store, ica)
    assert result.outcome == "harvested", result.error
    assert result.records_read == 316
    assert result.accepted + result.rejected == 316
    assert result.accepted >= 300  # the real export conforms at a high rate
    assert len(result.changes.created) == result.accepted
    graph, quarantine = f"{BASE}sources/ica", f"{BASE}sources/ica/quarantine"
    assert len(records(store, graph)) == result.accepted
    assert len(records(store, quarantine)) == result.rejected
    assert set(store.graphs()) >= {graph, quarantine, f"{BASE}harvests"}
    # Source and licence are queryable on every accepted record.
    [row] = select(
        store,
        PREFIXES
        + f"""SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{ GRAPH <{graph}> {{
            ?r a sse:Initiative ; dcterms:source <{graph}> ;
               dcterms:license <https://opendatacommons.org/licenses/odbl/1-0/> .
            <{graph}> dcterms:title "Test directory" }} }}""",
    )
    assert int(row["n"]) == result.accepted
    # Each rejected record is in quarantine with the SHACL results that rejected it.
    rows = select(
        store,
        PREFIXES
        + f"""SELECT DISTINCT ?r WHERE {{ GRAPH <{quarantine}> {{
            ?result a sh:ValidationResult ; sh:focusNode ?focus ; sh:resultSeverity sh:Violation .
            ?r a sse:Initiative .
            {{ FILTER (?focus = ?r) }} UNION {{ ?r ?owns ?focus }} }} }}""",
    )
    assert {row["r"] for row in rows} == records(store, quarantine)


def test_several_real_directories_land_in_their_own_graphs(site):
    store = EmbeddedStore(None)
    files = {
        "dcc": "dcc-workers-coop-2023-06-23_wc_converted.csv",
        "cuk": "coops-uk-2017-open_data_organisations-sample.csv",
    }
    for name in files.values():
        site.put(f"/{name}", anchor("data", name).read_bytes(), "text/csv")
    sources = [source(id, site.url(f"/{name}"), "csv") for id, name in files.items()]
    results = harvest(parse_config(config(*sources)), store, allow=["127.0.0.1"])
    assert [(r.source, r.outcome) for r in results] == [("dcc", "harvested"), ("cuk", "harvested")]
    for result in results:
        assert result.records_read > 0
        assert result.accepted + result.rejected == result.records_read
        assert result.accepted >= 0.8 * result.records_read, result
    # The merged result, as a researcher queries it: records per directory, across graphs.
    rows = select(
        store,
        PREFIXES
        + """SELECT ?source (COUNT(DISTINCT ?r) AS ?n) WHERE { GRAPH ?g {
            ?r a sse:Initiative ; dcterms:source ?source } } GROUP BY ?source""",
    )
    counts = {row["source"]: int(row["n"]) for row in rows}
    assert counts == {f"{BASE}sources/{r.source}": r.accepted for r in results}


def test_accepted_records_conform_and_quarantined_ones_do_not(site):
    store = EmbeddedStore(None)
    site.put("/dir.ttl", V1)
    result = run(store, source(url=site.url("/dir.ttl")))
    assert (result.accepted, result.rejected) == (3, 1)

    def validated(graph: str):
        quads = store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
        return ssevalidate.validate(data, format="nt", profile="core")

    assert validated(GRAPH).conforms
    quarantined = validated(QUARANTINE)
    assert {r.record for r in quarantined.results} == {DIR + "nameless"}


# --- conditional requests and changes, on both stores -----------------------------------------


def test_etag_flow_changes_and_provenance(store, site, conversions):
    site.put("/dir.ttl", V1)
    first = run(store, source(url=site.url("/dir.ttl")))
    assert first.outcome == "harvested", first.error
    assert first.changes.created == [DIR + "bakery", DIR + "bikes", DIR + "library"]
    assert records(store, GRAPH) == {DIR + "bakery", DIR + "bikes", DIR + "library"}
    assert records(store, QUARANTINE) == {DIR + "nameless"}
    assert len(conversions) == 1

    before = snapshot(store, GRAPH, QUARANTINE)
    second = run(store, source(url=site.url("/dir.ttl")))
    assert second.outcome == "not-modified"
    headers = site.requested("/dir.ttl")[-1]
    assert headers["If-None-Match"] == first.etag
    assert headers["If-Modified-Since"] == first.last_modified
    assert len(conversions) == 1  # nothing re-parsed
    assert snapshot(store, GRAPH, QUARANTINE) == before

    site.put("/dir.ttl", V2)
    third = run(store, source(url=site.url("/dir.ttl")))
    assert third.outcome == "harvested", third.error
    assert third.changes.created == [DIR + "seeds"]
    assert third.changes.updated == [DIR + "bikes"]
    assert third.changes.deleted == [DIR + "bakery"]  # library: same record, other blank nodes
    assert records(store, GRAPH) == {DIR + "bikes", DIR + "library", DIR + "seeds"}
    assert records(store, QUARANTINE) == set()
    gone = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ <{DIR}bakery> ?p ?o }} }}"
    assert select(store, gone) == [{"n": "0"}]  # gone from every graph

    # Provenance: one activity per harvest, with what it did; the changes are queryable.
    assert [a["outcome"] for a in activities(store)] == ["harvested", "not-modified", "harvested"]
    [row] = select(
        store,
        PREFIXES
        + f"""SELECT ?read ?accepted ?rejected ?bytes ?etag ?deleted WHERE {{
            GRAPH <{BASE}harvests> {{ <{third.activity}> harvest:recordsRead ?read ;
            harvest:recordsAccepted ?accepted ; harvest:recordsRejected ?rejected ;
            harvest:bytes ?bytes ; harvest:etag ?etag ; harvest:deleted ?deleted ;
            prov:generated <{GRAPH}> ; prov:endedAtTime ?end }} }}""",
    )
    assert row == {
        "read": "3",
        "accepted": "3",
        "rejected": "0",
        "bytes": str(len(V2)),
        "etag": third.etag,
        "deleted": DIR + "bakery",
    }


def test_same_bytes_without_validators_are_not_parsed_again(store, site, conversions):
    site.put("/plain.ttl", V1, validators=False)
    assert run(store, source(url=site.url("/plain.ttl"))).outcome == "harvested"
    again = run(store, source(url=site.url("/plain.ttl")))
    assert again.outcome == "unchanged"
    assert "If-None-Match" not in site.requested("/plain.ttl")[-1]
    assert len(conversions) == 1


def test_changed_settings_harvest_again_despite_the_same_bytes(site, conversions):
    store = EmbeddedStore(None)
    site.put("/dir.ttl", V1)
    assert run(store, source(url=site.url("/dir.ttl"))).outcome == "harvested"
    other = source(
        url=site.url("/dir.ttl"), licence="http://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert run(store, other).outcome == "harvested"
    assert "If-None-Match" not in site.requested("/dir.ttl")[-1]
    [row] = select(
        store,
        f"SELECT ?l WHERE {{ GRAPH <{GRAPH}> {{ <{DIR}bikes> <http://purl.org/dc/terms/license> ?l }} }}",
    )
    assert row["l"] == "http://creativecommons.org/publicdomain/zero/1.0/"


# --- faults: the previous graphs stay, on both stores -----------------------------------------


def _garbage(site: Site, path: str) -> None:
    site.put(path, bytes(range(256)) * 8 + SECRET + b" {{{ <<<", "text/turtle")


def _truncated_gzip(site: Site, path: str) -> None:
    packed = gzip.compress(V2)
    site.put(path, packed[: len(packed) // 2], "application/gzip")


FAULTS = {
    "http-500": lambda site, path: site.faults.__setitem__(path, "500"),
    "connection-reset": lambda site, path: (
        site.put(path, V2),
        site.faults.__setitem__(path, "reset"),
    ),
    "timeout": lambda site, path: (site.put(path, V2), site.faults.__setitem__(path, "delay:3")),
    "truncated-gzip": _truncated_gzip,
    "garbage": _garbage,
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_leaves_the_previous_graphs_in_use(store, site, fault):
    site.put("/dir.ttl", V1)
    assert run(store, source(url=site.url("/dir.ttl"))).outcome == "harvested"
    before = snapshot(store, GRAPH, QUARANTINE)
    FAULTS[fault](site, "/dir.ttl")
    failed = run(store, source(url=site.url("/dir.ttl")), timeout=1)
    assert failed.outcome == "failed"
    assert failed.error and SECRET.decode() not in failed.error
    assert snapshot(store, GRAPH, QUARANTINE) == before
    assert [(a["outcome"], "error" in a) for a in activities(store)][-1] == ("failed", True)

    site.faults.clear()
    site.put("/dir.ttl", V2)
    recovered = run(store, source(url=site.url("/dir.ttl")))
    assert recovered.outcome == "harvested", recovered.error
    assert records(store, GRAPH) == {DIR + "bikes", DIR + "library", DIR + "seeds"}


def test_fault_messages_say_what_happened(site):
    store = EmbeddedStore(None)
    expected = {
        "http-500": "HTTP 500 Internal Server Error",
        "connection-reset": "failed",
        "timeout": "no complete answer within 1 s",
        "truncated-gzip": "truncated gzip data",
        "garbage": "not readable as rdf",
    }
    for fault, words in expected.items():
        site.faults.clear()
        path = f"/{fault}.ttl"
        site.put(path, V1)
        FAULTS[fault](site, path)
        result = run(store, source(fault, site.url(path)), timeout=1)
        assert words in result.error, (fault, result.error)


def test_the_size_and_redirect_caps_of_the_config_apply(site):
    store = EmbeddedStore(None)
    site.put("/dir.ttl", V1)
    too_large = run(store, source(url=site.url("/dir.ttl")), max_bytes=100)
    assert too_large.error == "the document is larger than the limit of 100 bytes"
    site.faults["/loop.ttl"] = "redirect:/loop.ttl"
    looping = run(store, source(url=site.url("/loop.ttl")), max_redirects=2)
    assert looping.error == "more than 2 redirects"
    assert len(site.requested("/loop.ttl")) == 3
    assert store.graphs() == [f"{BASE}harvests"]


def test_an_exception_anywhere_before_the_swap_keeps_the_graphs(store, site, monkeypatch):
    site.put("/dir.ttl", V1)
    assert run(store, source(url=site.url("/dir.ttl"))).outcome == "harvested"
    before = snapshot(store, GRAPH, QUARANTINE)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug " + SECRET.decode())

    monkeypatch.setattr(harvest_pipeline, "validate", broken)
    site.put("/dir.ttl", V2)
    failed = run(store, source(url=site.url("/dir.ttl")))
    assert failed.outcome == "failed"
    assert failed.error == "unexpected RuntimeError (see the log)"
    assert snapshot(store, GRAPH, QUARANTINE) == before


def test_a_failing_source_does_not_stop_the_others(site):
    store = EmbeddedStore(None)
    site.put("/dir.ttl", V1)
    site.faults["/down.ttl"] = "500"
    text = config(source("down", site.url("/down.ttl")), source("dir", site.url("/dir.ttl")))
    stages = []
    results = harvest(
        parse_config(text),
        store,
        allow=["127.0.0.1"],
        progress=lambda source_id, stage: stages.append((source_id, stage)),
    )
    assert [(r.source, r.outcome) for r in results] == [("down", "failed"), ("dir", "harvested")]
    assert stages == [
        ("down", "fetch"),
        ("down", "failed"),
        ("dir", "fetch"),
        ("dir", "convert"),
        ("dir", "validate"),
        ("dir", "store"),
        ("dir", "harvested"),
    ]
    [only] = harvest(parse_config(text), store, source_id="dir", allow=["127.0.0.1"])
    assert only.source == "dir"
    with pytest.raises(ConfigError, match="no source 'nope'"):
        harvest(parse_config(text), store, source_id="nope")


def test_a_broken_web_address_rejects_only_its_record(site):
    store = EmbeddedStore(None)
    site.put("/small.csv", (FIXTURES / "sea-small.csv").read_bytes(), "text/csv")
    result = run(
        store, source("small", site.url("/small.csv"), "sea-csv", base="https://small.example/")
    )
    assert result.outcome == "harvested", result.error
    assert (result.records_read, result.accepted, result.rejected) == (3, 2, 1)
    quarantine = f"{BASE}sources/small/quarantine"
    rows = select(
        store,
        PREFIXES
        + f"""SELECT ?focus ?path ?value WHERE {{ GRAPH <{quarantine}> {{ ?r sh:focusNode ?focus ;
            sh:resultPath ?path ; sh:value ?value }} }}""",
    )
    assert rows == [
        {
            "focus": "https://small.example/2",
            "path": "http://schema.org/url",
            "value": "http://housing.example/a|b",
        }
    ]


def test_a_sparql_endpoint_is_asked_its_construct_query(site):
    store = EmbeddedStore(None)
    ntriples = ssevalidate.load(V1, format="turtle").serialize(format="nt", encoding="utf-8")
    site.put("/sparql", ntriples, "application/n-triples")
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    result = run(store, source("endpoint", site.url("/sparql"), "sparql", query=query))
    assert result.outcome == "harvested", result.error
    assert site.queries == [query]
    assert result.accepted == 3


# --- SSRF -------------------------------------------------------------------------------------


def test_loopback_is_refused_without_the_allow_list(site):
    store = EmbeddedStore(None)
    site.put("/dir.ttl", V1)
    [result] = harvest(parse_config(config(source(url=site.url("/dir.ttl")))), store)
    assert result.outcome == "failed"
    assert "refused: 127.0.0.1 is a loopback address" in result.error
    assert site.requests == []
    assert GRAPH not in store.graphs()


@pytest.mark.parametrize(
    ("target", "why"),
    [("main", "a loopback address"), ("http://169.254.169.254/latest/meta-data/", "a link-local")],
)
def test_a_redirect_to_a_refused_address_is_not_followed(site, target, why):
    store = EmbeddedStore(None)
    site.put("/dir.ttl", V1)
    site.faults["/moved.ttl"] = "redirect:" + (site.url("/dir.ttl") if target == "main" else target)
    text = config(source(url=site.other("/moved.ttl")), allow=["127.0.0.2"])
    [result] = harvest(parse_config(text), store)
    assert result.outcome == "failed"
    assert "refused" in result.error and why in result.error
    assert site.requested("/dir.ttl") == []
    assert GRAPH not in store.graphs()


def test_a_file_url_is_refused_by_the_config_and_by_the_fetcher(tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_bytes(V1)
    with pytest.raises(ConfigError, match="url: only http and https URLs are harvested"):
        parse_config(config(source(url=secret.as_uri())))
    valid = parse_config(config(source(url="https://example.org/dir.ttl")))
    sneaky = dataclasses.replace(
        valid, sources=(dataclasses.replace(valid.sources[0], url=secret.as_uri()),)
    )
    store = EmbeddedStore(None)
    [result] = harvest(sneaky, store)
    assert result.outcome == "failed"
    assert "only http and https URLs are fetched" in result.error
    assert GRAPH not in store.graphs()


# --- configuration ----------------------------------------------------------------------------


def test_a_missing_licence_is_a_config_error_naming_file_source_and_key(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(
        config({"id": "ica", "title": "ICA", "url": "https://e.org/a.csv", "kind": "sea-csv"})
    )
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    [problem] = refused.value.problems
    assert problem.startswith(f"{path}: [[source]] #1 'ica': licence: missing")
    assert "never guessed" in problem


@pytest.mark.parametrize(
    ("licence", "message"),
    [
        ("https://example.org/my-licence", "is not a known licence"),
        (
            "CC-BY-4.0",
            "is not an IRI: give the IRI of the licence; that licence's IRI is <https://creativecommons.org/licenses/by/4.0/>",
        ),
        ("", "must be a non-empty string"),
    ],
)
def test_unknown_licences_are_reported_never_guessed(licence, message):
    with pytest.raises(ConfigError) as refused:
        parse_config(config(source(url="https://e.org/a.ttl", licence=licence)), name="s.toml")
    [problem] = refused.value.problems
    assert problem.startswith("s.toml: [[source]] #1 'dir': licence: ")
    assert message in problem


def test_known_licences_are_written_in_one_form_and_the_file_may_add_its_own():
    variants = [
        "http://creativecommons.org/licenses/by/4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "https://spdx.org/licenses/CC-BY-4.0",
    ]
    for variant in variants:
        parsed = parse_config(config(source(url="https://e.org/a.ttl", licence=variant)))
        assert parsed.sources[0].licence == CC_BY
    own = config(source(url="https://e.org/a.ttl", licence="https://example.org/our-licence"))
    own += '[licences]\n"https://example.org/our-licence" = "Our licence 1.0"\n'
    assert parse_config(own).sources[0].licence == "https://example.org/our-licence"


def test_every_problem_is_reported_at_once():
    text = config(
        source(url="ftp://e.org/a.ttl", kind="excel", licence=CC_BY, schedule="P1M", license="x"),
        source(
            id="q", url="https://e.org/sparql", kind="sparql", query="SELECT * WHERE { ?s ?p ?o }"
        ),
        source(id="q", url="https://e.org/b.ttl", profile="strict"),
    )
    with pytest.raises(ConfigError) as refused:
        parse_config(text, name="s.toml")
    problems = "\n".join(refused.value.problems)
    for expected in (
        "s.toml: [[source]] #1 'dir': license: unknown key (did you mean 'licence'?)",
        "s.toml: [[source]] #1 'dir': url: only http and https URLs are harvested",
        "s.toml: [[source]] #1 'dir': kind: 'excel' is not one of",
        "s.toml: [[source]] #1 'dir': schedule: 'P1M': years and months have no fixed length",
        "s.toml: [[source]] #2 'q': query: must be a CONSTRUCT query",
        "s.toml: [[source]] #3 'q': profile: 'strict' is not one of",
    ):
        assert expected in problems
    with pytest.raises(ConfigError, match="#2 'b': id: used by another source"):
        parse_config(
            config(
                source(id="b", url="https://e.org/1.ttl"), source(id="b", url="https://e.org/2.ttl")
            )
        )


def test_schedules_are_iso_8601_durations():
    assert parse_duration("PT6H").total_seconds() == 6 * 3600
    assert parse_duration("P1DT30M").total_seconds() == 86400 + 1800
    assert parse_duration("P2W").days == 14
    for bad in ("6h", "P", "PT", "PT0S", "P1Y"):
        with pytest.raises(ValueError):
            parse_duration(bad)
    parsed = parse_config(config(source(url="https://e.org/a.ttl", schedule="PT6H")))
    assert parsed.sources[0].schedule.total_seconds() == 21600
    assert parsed.sources[0].profile == "core"


# --- kill -9 ----------------------------------------------------------------------------------

KILLED_HARVEST = """
import sys, time
from ssevalidate.harvest import harvest, parse_config
from ssevalidate.store import EmbeddedStore

store = EmbeddedStore(sys.argv[1])
if sys.argv[3] == "while-reloading":
    # New settings and a large graph: the source's graph is reloaded; stand still after its
    # first piece, for the parent to kill us with the graph part loaded.
    from pathlib import Path
    from ssevalidate import store as store_module
    from ssevalidate.harvest import pipeline

    pipeline.SWAPPED_WHOLE, store_module.LOAD_PIECE = 0, 2
    pipeline.Source.fingerprint = lambda source: "new settings"
    pieces = store_module.load_in_pieces

    def first_piece_then_stand_still(path, load):
        def loading(piece, first):
            load(piece, first)
            if Path(path).name == "accepted.nt":
                print("reloading", flush=True)
                time.sleep(120)

        return pieces(path, loading)

    store_module.load_in_pieces = first_piece_then_stand_still
elif sys.argv[3] == "between-swaps":
    # Stand still between the quarantine swap and the commit, for the parent to kill us there.
    # (A harvest commits with update_graph, replace_graph or load_graph: all stand still.)
    swap = EmbeddedStore.replace_graph

    def commit(self, graph, *args):
        if graph.endswith("/quarantine"):
            return swap(self, graph, *args)
        print("committing", flush=True)
        time.sleep(120)

    EmbeddedStore.replace_graph = EmbeddedStore.update_graph = commit
    EmbeddedStore.load_graph = commit
print("harvesting", flush=True)
harvest(parse_config(open(sys.argv[2]).read()), store, allow=["127.0.0.1"])
"""


@pytest.mark.parametrize("moment", ["while-fetching", "between-swaps", "while-reloading"])
def test_kill_9_leaves_the_previous_graph_and_the_next_harvest_succeeds(site, tmp_path, moment):
    location = tmp_path / "store"
    settings = tmp_path / "sources.toml"
    settings.write_text(config(source(url=site.url("/dir.ttl"))))
    site.put("/dir.ttl", V1)
    store = EmbeddedStore(location)
    assert harvest(load_config(settings), store, allow=["127.0.0.1"])[0].outcome == "harvested"
    before = graph_content(store, GRAPH)
    del store
    gc.collect()  # the database is locked while a handle is open

    site.put("/dir.ttl", V2)
    if moment == "while-fetching":
        site.faults["/dir.ttl"] = "delay:60"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_HARVEST, str(location), str(settings), moment],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if moment == "while-fetching":
            deadline = time.monotonic() + 30
            while len(site.requested("/dir.ttl")) < 2:
                assert child.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        else:
            assert child.stdout.readline() == "harvesting\n"
            expected = "reloading" if moment == "while-reloading" else "committing"
            assert child.stdout.readline() == f"{expected}\n"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    site.faults.clear()

    store = EmbeddedStore(location)  # puts back a graph whose reload was cut short
    assert graph_content(store, GRAPH) == before  # the data and its fetch state: the old ones
    assert not (tmp_path / "store.kept").exists()
    interrupted = activities(store)[-1]
    assert "end" not in interrupted and "outcome" not in interrupted
    result = harvest(load_config(settings), store, allow=["127.0.0.1"])[0]
    # The server still has V2 with the ETag the killed harvest saw: only the state stored with
    # the old data counts, so V2 is harvested, not answered 304.
    assert result.outcome == "harvested", result.error
    assert records(store, GRAPH) == {DIR + "bikes", DIR + "library", DIR + "seeds"}
    assert records(store, QUARANTINE) == set()
    generated = select(
        store,
        "SELECT ?g ?a WHERE { GRAPH ?g { ?g <http://www.w3.org/ns/prov#wasGeneratedBy> ?a } }",
    )
    assert {row["a"] for row in generated} == {result.activity}


# --- the command line -------------------------------------------------------------------------


def test_the_harvest_command_reports_each_source_and_fails_on_a_failed_one(site, tmp_path):
    site.put("/ica.csv", anchor("data", "sea-ica-standard-v3-2021.csv").read_bytes(), "text/csv")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        config(
            source("ica", site.url("/ica.csv"), "csv"),
            source("gone", site.url("/missing.ttl")),
        ),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "ssevalidate.cli", "harvest", "--config", str(sources)]
    command += ["--store", str(tmp_path / "store"), "--allow", "127.0.0.1"]
    run_all = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run_all.returncode == 1, run_all.stderr
    assert "ica: harvested, 316 read, 312 accepted, 4 quarantined (312 new" in run_all.stderr
    assert "gone: failed: " in run_all.stderr
    again = subprocess.run(
        [*command, "--source", "ica"], capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert "ica: " in again.stderr and "gone" not in again.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text(config(source("x", "https://e.org/a.ttl", licence="")), encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "ssevalidate.cli", "harvest", "--config", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "licence" in refused.stderr and "Traceback" not in refused.stderr
