"""Large sources: a spreadsheet or an RDF dump harvested as a stream (never a graph in memory;
the same graphs, hashes, changes and quarantine as the harvest in memory; a failure halfway
keeps the last good graphs), and a re-harvest that replaces only the records that changed."""

from __future__ import annotations

import csv
import functools
import gzip
import http.server
import io
import json
import random
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import graph_content

from ssevalidate import store as store_module
from ssevalidate.harvest import harvest, parse_config, provenance
from ssevalidate.harvest import pipeline as harvest_pipeline
from ssevalidate.harvest.records import split_ntriples
from ssevalidate.harvest.state import read_record_hashes
from ssevalidate.harvest.storeio import select
from ssevalidate.importers import convert, streaming
from ssevalidate.importers.streaming import stream_rdf
from ssevalidate.store import SIDE_GRAPHS, EmbeddedStore

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from import_memory import HEADER, MISTAKE_EVERY, sea_row

ROWS = 1_200
BASE = "https://aggregator.example/"
GRAPH = f"{BASE}sources/sea"
QUARANTINE = f"{GRAPH}/quarantine"
VARYING = {
    "http://purl.org/dc/terms/modified",
    "http://www.w3.org/ns/prov#wasGeneratedBy",
    "https://w3id.org/sse/harvest#createdAt",
    "https://w3id.org/sse/harvest#changedAt",
}
"""What differs between two harvests of the same data: times and the activity."""


def table(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


ORIGINAL = [sea_row(number) for number in range(1, ROWS + 1)]


class Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    server.daemon_threads = True
    server.files = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def url(server):
    server.files.clear()
    return f"http://127.0.0.1:{server.server_address[1]}/sea.csv"


@pytest.fixture
def streamed(monkeypatch, tmp_path):
    """Every spreadsheet streamed, in chunks of 500 rows, never converted whole; the
    temporary files in ``tmp_path``."""

    def whole(*args, **kwargs):
        raise AssertionError("a streamed source was converted in memory")

    monkeypatch.setattr(harvest_pipeline, "STREAM_THRESHOLD", 1)
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 500)
    monkeypatch.setattr(harvest_pipeline, "convert", whole)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def harvest_once(store, server, url: str, data: bytes):
    """Harvest ``data`` published at ``url``: an SEA CSV, or RDF (``.ttl``, ``.nt``)."""
    server.files[urlsplit(url).path] = data
    kinds = {".csv": "sea-csv", ".geojson": "geojson", ".json": "murmurations"}
    kind = kinds.get(Path(urlsplit(url).path).suffix, "rdf")
    # Matching is left out: 1,200 generated names at three places are all candidate pairs.
    config = f"""base = "{BASE}"
match = false
[[source]]
id = "sea"
title = "SEA export"
url = "{url}"
kind = "{kind}"
licence = "https://creativecommons.org/licenses/by/4.0/"
"""
    [result] = harvest(parse_config(config), store, allow=["127.0.0.1"])
    return result


@functools.cache
def rdf_dump(syntax: str) -> bytes:
    """The generated spreadsheet as SSE data in Turtle, or in N-Triples in a shuffled order
    (the statements of a record apart from each other); the same bytes at each call."""
    graph = convert(table(ORIGINAL), name="sea.csv", base="https://coops.example/sea#").graph
    if syntax == "turtle":
        return graph.serialize(format="turtle", encoding="utf-8")
    lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
    random.Random(7).shuffle(lines)
    return b"".join(lines)


@functools.cache
def geojson_export() -> bytes:
    """The generated spreadsheet as a GeoJSON map: a feature a row, its mistakes with it."""
    features = []
    for row in ORIGINAL:
        cells = dict(zip(HEADER, row, strict=True))
        properties = {
            "_id": cells["Identifier"],
            "name": cells["Name"],
            "description": cells["Description"],
            "addr:street": cells["Street Address"],
            "addr:city": cells["Locality"],
            "addr:country": cells["Country Name"],
            "website": cells["Website"],
        }
        point = [float(cells["Longitude"]), float(cells["Latitude"])]
        features.append(
            {
                "type": "Feature",
                "properties": {key: value for key, value in properties.items() if value},
                "geometry": {"type": "Point", "coordinates": point},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@functools.cache
def murmurations_export() -> bytes:
    """The generated spreadsheet as a list of Murmurations profiles, its mistakes with it."""
    profiles = []
    for row in ORIGINAL:
        cells = dict(zip(HEADER, row, strict=True))
        fields = {
            "linked_schemas": ["organizations_schema-v1.0.0"],
            "unique_id": cells["Identifier"],
            "name": cells["Name"],
            "description": cells["Description"],
            "primary_url": cells["Website"],
        }
        location = {"lat": float(cells["Latitude"]), "lon": float(cells["Longitude"])}
        profiles.append({**{k: v for k, v in fields.items() if v}, "geolocation": location})
    return json.dumps(profiles).encode()


DOCUMENTS = {
    "sea.csv": lambda: table(ORIGINAL),
    "sea.ttl": lambda: rdf_dump("turtle"),
    "sea.nt": lambda: rdf_dump("ntriples"),
    "sea.geojson": geojson_export,
    "sea.json": murmurations_export,
    "sea.nt.gz": lambda: gzip.compress(rdf_dump("ntriples"), mtime=0),
}


def described(store, graph: str) -> Counter:
    """The statements of ``graph`` as :func:`graph_content` writes them, without the times and
    the activity: equal for the same data harvested twice."""
    return graph_content(store, graph, ignored=VARYING)


def focus_nodes(store) -> set[str]:
    query = f"""SELECT DISTINCT ?f WHERE {{ GRAPH <{QUARANTINE}> {{
        ?r <http://www.w3.org/ns/shacl#focusNode> ?f }} }}"""
    return {row["f"] for row in select(store, query)}


@pytest.fixture(scope="module")
def references(server):
    """Each document harvested in memory, as the reference: (store, result) by name. Module
    scoped, hence made before the ``streamed`` fixture patches the pipeline."""
    harvested = {}
    for name, document in DOCUMENTS.items():
        url = f"http://127.0.0.1:{server.server_address[1]}/{name}"
        store = EmbeddedStore(None)
        result = harvest_once(store, server, url, document())
        assert result.outcome == "harvested", result.error
        harvested[name] = store, result
    return harvested


@pytest.mark.parametrize("document", DOCUMENTS)
def test_a_streamed_harvest_stores_what_the_harvest_in_memory_stores(
    document, store, server, streamed, references
):
    reference, expected = references[document]
    url = f"http://127.0.0.1:{server.server_address[1]}/{document}"
    result = harvest_once(store, server, url, DOCUMENTS[document]())

    assert result.outcome == "harvested", result.error
    assert (result.records_read, result.accepted, result.rejected) == (
        expected.records_read,
        expected.accepted,
        expected.rejected,
    )
    assert result.records_read == ROWS
    assert 0 < result.rejected <= ROWS // MISTAKE_EVERY
    assert read_record_hashes(store, GRAPH) == read_record_hashes(reference, GRAPH)
    assert described(store, GRAPH) == described(reference, GRAPH)
    assert focus_nodes(store) == focus_nodes(reference)
    assert described(store, QUARANTINE) == described(reference, QUARANTINE)
    assert len(result.report.results) == len(expected.report.results)
    origins = {str(r.origin) for r in result.report.results}
    if document.endswith((".ttl", ".nt", ".nt.gz")):  # no place in a dump to point at
        assert origins == {"None"}
    else:  # the rows, or features, the harvest in memory points at
        assert "None" not in origins
        assert origins == {str(r.origin) for r in expected.report.results}
    assert not list(streamed.iterdir()), "the temporary files are removed"


def test_results_of_a_streamed_harvest_point_at_rows_of_the_spreadsheet(server, url, streamed):
    result = harvest_once(EmbeddedStore(None), server, url, table(ORIGINAL))

    nameless = [r for r in result.report.results if r.record.endswith("#org388")]
    assert nameless, "row 389 has no name"
    assert {(r.origin or {}).get("row") for r in nameless} == {389}
    assert all(r.origin["file"].endswith("sea.csv") for r in nameless)


def test_results_of_a_streamed_harvest_point_at_features_of_the_map(server, streamed):
    url = f"http://127.0.0.1:{server.server_address[1]}/sea.geojson"
    result = harvest_once(EmbeddedStore(None), server, url, geojson_export())

    nameless = [r for r in result.report.results if r.record.endswith("org388")]
    assert nameless, "feature 387 has no name"
    assert {r.origin["pointer"] for r in nameless} == {"/features/387/properties/name"}
    assert all(r.origin["file"].endswith("sea.geojson") for r in nameless)


def test_a_changed_row_is_an_update_and_a_removed_row_a_deletion(server, url, streamed):
    store = EmbeddedStore(None)
    harvest_once(store, server, url, table(ORIGINAL))
    changed = [list(row) for row in ORIGINAL[:-1]]
    changed[9][1] = "Coop ten, renamed"

    result = harvest_once(store, server, url, table(changed))

    assert result.outcome == "harvested", result.error
    record = f"{url}#org"
    assert result.changes.updated == [f"{record}10"]
    assert result.changes.deleted == [f"{record}{ROWS}"]
    assert result.changes.created == []
    names = select(store, f"SELECT ?n WHERE {{ GRAPH <{GRAPH}> {{ <{record}10> ?p ?n }} }}")
    assert "Coop ten, renamed" in {row["n"] for row in names}


def test_a_spreadsheet_broken_halfway_keeps_the_last_good_graphs(server, url, streamed):
    store = EmbeddedStore(None)
    harvest_once(store, server, url, table(ORIGINAL))
    before = {graph: described(store, graph) for graph in (GRAPH, QUARANTINE)}
    good = table(ORIGINAL)
    cut = good.index(b"\norg1000,") + 1
    broken = good[:cut] + b"org1000,Caf\xe9 sans UTF-8" + good[cut + 12 :]

    result = harvest_once(store, server, url, broken)

    assert result.outcome == "failed"
    line = good[:cut].count(b"\n") + 1  # row 1001, after multi-line descriptions
    assert f"sea.csv:{line}:12: not UTF-8" in result.error, result.error
    assert {graph: described(store, graph) for graph in (GRAPH, QUARANTINE)} == before
    assert not [g for g in store.graphs() if g.startswith(SIDE_GRAPHS)]
    assert not list(streamed.iterdir()), "the temporary files are removed"


def test_a_spreadsheet_below_the_threshold_is_converted_in_memory(server, url, monkeypatch):
    calls = []
    convert = harvest_pipeline.convert
    monkeypatch.setattr(
        harvest_pipeline, "convert", lambda *a, **k: calls.append(1) or convert(*a, **k)
    )
    monkeypatch.setattr(harvest_pipeline, "spool", None)  # calling it would fail

    result = harvest_once(EmbeddedStore(None), server, url, table(ORIGINAL[:50]))

    assert result.outcome == "harvested", result.error
    assert calls == [1]
    assert result.accepted == 50


def test_blank_nodes_and_literals_survive_the_line_by_line_split(tmp_path):
    source = tmp_path / "records.nt"
    lines = [
        '<https://e.org/a> <https://e.org/p> "x y" .\n',
        "<https://e.org/a> <https://e.org/address> _:b1 .\n",
        '<https://e.org/a> <https://e.org/q> "after the address" .\n',
        '_:b1 <https://e.org/city> "Lyon"@fr .\n',
        '<https://e.org/b> <https://e.org/p> "two words here" .\n',
        "<https://e.org/b> <https://e.org/address> _:b2 .\n",
        '_:b2 <https://e.org/city> "Recife" .\n',
        '_:orphan <https://e.org/p> "alone" .\n',
    ]
    source.write_text("".join(lines), encoding="utf-8")
    accepted, held = tmp_path / "accepted.nt", tmp_path / "held.nt"

    split_ntriples(source, {"https://e.org/b"}, accepted, held)

    assert accepted.read_text().splitlines(keepends=True) == lines[:4] + lines[7:]
    assert held.read_text().splitlines(keepends=True) == lines[4:7]


def test_an_rdf_dump_is_broken_at_its_line_and_column_and_keeps_the_last_good_graphs(
    server, streamed
):
    store = EmbeddedStore(None)
    url = f"http://127.0.0.1:{server.server_address[1]}/sea.ttl"
    harvest_once(store, server, url, rdf_dump("turtle"))
    before = {graph: described(store, graph) for graph in (GRAPH, QUARANTINE)}
    broken = rdf_dump("turtle") + b"<https://coops.example/sea#late> <https://e.org/p> .\n"

    result = harvest_once(store, server, url, broken)

    assert result.outcome == "failed"
    line = broken.count(b"\n")
    assert f"sea.ttl:{line}:" in result.error, result.error
    assert {graph: described(store, graph) for graph in (GRAPH, QUARANTINE)} == before
    assert not list(streamed.iterdir()), "the temporary files are removed"


def test_a_gzip_dump_cut_short_keeps_the_last_good_graphs(server, streamed):
    store = EmbeddedStore(None)
    url = f"http://127.0.0.1:{server.server_address[1]}/sea.nt.gz"
    whole = DOCUMENTS["sea.nt.gz"]()
    harvest_once(store, server, url, whole)
    before = {graph: described(store, graph) for graph in (GRAPH, QUARANTINE)}

    result = harvest_once(store, server, url, whole[: len(whole) // 2])

    assert result.outcome == "failed"
    assert "sea.nt.gz: the gzip-compressed data ends too early" in result.error, result.error
    assert {graph: described(store, graph) for graph in (GRAPH, QUARANTINE)} == before
    assert not list(streamed.iterdir()), "the temporary files are removed"


def test_an_rdf_dump_streams_subject_by_subject_with_the_blank_nodes_it_reaches(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(streaming, "_SCRATCH_BATCH", 2)  # blank nodes across batches
    path = tmp_path / "dump.nt"
    initiative = "<https://w3id.org/sse/vocab/Initiative>"
    kind = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    path.write_text(
        f"<https://e.org/a> {kind} {initiative} .\n"
        '_:nested <https://e.org/city> "Lyon" .\n'
        '<https://e.org/c> <https://e.org/p> "not a record" .\n'
        "_:address <https://e.org/in> _:nested .\n"
        '_:orphan <https://e.org/p> "reached by nothing" .\n'
        "<https://e.org/a> <https://e.org/address> _:address .\n",
        encoding="utf-8",
    )

    chunks = list(stream_rdf(path, chunk_rows=1))

    assert len(chunks) == 3  # a with its two blank nodes, c, and the orphan
    assert [list(chunk.origins) for chunk in chunks].count(["https://e.org/a"]) == 1
    assert sum(chunk.records for chunk in chunks) == 1
    sizes = sorted(len(chunk.graph) for chunk in chunks)
    assert sizes == [1, 1, 4]


# --- the swap: only the records that changed, when they own their blank nodes -----------------


def commits(store, monkeypatch) -> list[str]:
    """The ways ``store`` is given the source's graph: update, load, reload or replace."""
    calls = []
    for method in ("update_graph", "load_graph", "reload_graph", "replace_graph"):
        original = getattr(store, method)

        def counting(graph, *args, method=method, original=original):
            if graph == GRAPH:
                calls.append(method)
            return original(graph, *args)

        monkeypatch.setattr(store, method, counting)
    return calls


def address_of(store, record: str) -> list[tuple[str, str, str]]:
    """The statements of the record's address, blank node label included."""
    query = f"""SELECT ?a ?p ?o WHERE {{ GRAPH <{GRAPH}> {{
        <{record}> <http://www.w3.org/2006/vcard/ns#hasAddress> ?a . ?a ?p ?o }} }}"""
    return sorted((row["a"], row["p"], row["o"]) for row in select(store, query))


@pytest.mark.parametrize("streaming", [True, False], ids=["streamed", "in-memory"])
def test_a_reharvest_replaces_only_the_records_that_changed(
    store, server, url, monkeypatch, streaming
):
    if streaming:
        monkeypatch.setattr(harvest_pipeline, "STREAM_THRESHOLD", 1)
    calls = commits(store, monkeypatch)
    harvest_once(store, server, url, table(ORIGINAL))
    unchanged = f"{url}#org5"
    before = address_of(store, unchanged)
    rows = [list(row) for row in ORIGINAL[:-1]]  # the last one gone
    rows[9][1] = "Coop ten, renamed"
    rows[19][6] = "20 Low Street"  # in the address: a blank node
    rows.append(sea_row(ROWS + 1))  # a new one

    result = harvest_once(store, server, url, table(rows))

    assert result.outcome == "harvested", result.error
    assert calls == ["load_graph", "update_graph"]
    assert result.changes.updated == [f"{url}#org10", f"{url}#org20"]
    assert result.changes.deleted == [f"{url}#org{ROWS}"]
    assert result.changes.created == [f"{url}#org{ROWS + 1}"]
    assert address_of(store, unchanged) == before, "an unchanged record is not rewritten"
    fresh = EmbeddedStore(None)
    harvest_once(fresh, server, url, table(rows))
    stored = described(store, GRAPH)
    tombstones = [line for line in stored if "#tombstone" in line]
    assert len(tombstones) == 1 and f"#org{ROWS}]" in tombstones[0]
    del stored[tombstones[0]]
    assert stored == described(fresh, GRAPH)  # a fresh harvest of the same data, no tombstone
    assert read_record_hashes(store, GRAPH) == read_record_hashes(fresh, GRAPH)
    orphans = select(
        store,
        f"""SELECT ?b WHERE {{ GRAPH <{GRAPH}> {{ ?b ?p ?o FILTER isBlank(?b)
            FILTER NOT EXISTS {{ ?s ?q ?b }} }} }}""",
    )
    assert orphans == [], "the blank nodes of replaced records are deleted with them"


def test_records_sharing_a_blank_node_are_replaced_with_the_whole_graph(
    server, monkeypatch, tmp_path
):
    store = EmbeddedStore(None)
    calls = commits(store, monkeypatch)
    url = f"http://127.0.0.1:{server.server_address[1]}/shared.ttl"
    shared = """@prefix sse: <https://w3id.org/sse/vocab/> .
@prefix schema: <http://schema.org/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://e.org/a> a sse:Initiative ; schema:name "{a}" ; vcard:hasAddress _:same .
<https://e.org/b> a sse:Initiative ; schema:name "B" ; vcard:hasAddress _:same .
_:same vcard:locality "Lyon" .
"""
    harvest_once(store, server, url, shared.replace("{a}", "A").encode())

    result = harvest_once(store, server, url, shared.replace("{a}", "A again").encode())

    assert result.outcome == "harvested", result.error
    assert result.changes.updated == ["https://e.org/a"]
    assert calls == ["load_graph", "replace_graph"]
    localities = select(store, f"SELECT ?l WHERE {{ GRAPH <{GRAPH}> {{ ?b ?p ?l }} }}")
    assert {"Lyon"} <= {row["l"] for row in localities}, "b keeps its address"


def test_new_settings_replace_the_whole_graph(server, url, monkeypatch):
    store = EmbeddedStore(None)
    calls = commits(store, monkeypatch)
    harvest_once(store, server, url, table(ORIGINAL[:20]))
    monkeypatch.setattr(harvest_pipeline.Source, "fingerprint", lambda source: "other")

    result = harvest_once(store, server, url, table(ORIGINAL[:20]))

    assert result.outcome == "harvested", result.error
    assert calls == ["load_graph", "replace_graph"]


def test_a_large_graph_replaced_whole_is_reloaded(server, url, monkeypatch):
    store = EmbeddedStore(None)
    calls = commits(store, monkeypatch)
    harvest_once(store, server, url, table(ORIGINAL[:20]))
    monkeypatch.setattr(harvest_pipeline.Source, "fingerprint", lambda source: "other")
    monkeypatch.setattr(harvest_pipeline, "SWAPPED_WHOLE", 0)

    result = harvest_once(store, server, url, table(ORIGINAL[1:21]))

    assert result.outcome == "harvested", result.error
    assert calls == ["load_graph", "reload_graph", "load_graph"]
    fresh = EmbeddedStore(None)
    harvest_once(fresh, server, url, table(ORIGINAL[1:21]))
    stored = described(store, GRAPH)
    tombstones = [line for line in stored if "#tombstone" in line]
    assert len(tombstones) == 1 and f"{url}#org1]" in tombstones[0]
    del stored[tombstones[0]]
    assert stored == described(fresh, GRAPH)


def test_a_reload_that_fails_puts_back_the_previous_graph_and_its_state(server, url, monkeypatch):
    store = EmbeddedStore(None)
    harvest_once(store, server, url, table(ORIGINAL[:20]))
    before = described(store, GRAPH)
    monkeypatch.setattr(harvest_pipeline.Source, "fingerprint", lambda source: "other")
    monkeypatch.setattr(harvest_pipeline, "SWAPPED_WHOLE", 0)
    monkeypatch.setattr(store_module, "LOAD_PIECE", 50)
    pieces = store_module._pieces
    readings = Counter()

    def cut_before_the_last(path, lines):
        """The records' pieces, read a second time (to be loaded), fail before the last."""
        every = list(pieces(path, lines))
        readings[Path(path).name] += 1
        if readings[Path(path).name] == 1 or Path(path).name != "accepted.nt":
            yield from every
            return
        assert len(every) > 3
        yield from every[:-1]
        raise OSError("no space left on device")

    monkeypatch.setattr(store_module, "_pieces", cut_before_the_last)

    failed = harvest_once(store, server, url, table(ORIGINAL[:40]))

    assert failed.outcome == "failed" and "not loaded: OSError" in failed.error
    assert readings["accepted.nt"] == 2, "the reload failed in its last piece"
    assert described(store, GRAPH) == before
    monkeypatch.setattr(store_module, "_pieces", pieces)
    again = harvest_once(store, server, url, table(ORIGINAL[:40]))
    assert again.outcome == "harvested", again.error
    fresh = EmbeddedStore(None)
    harvest_once(fresh, server, url, table(ORIGINAL[:40]))
    assert described(store, GRAPH) == described(fresh, GRAPH)


def test_a_first_load_cut_short_is_replaced_whole_by_the_next_harvest(
    server, url, monkeypatch, tmp_path
):
    store = EmbeddedStore(None)
    # What a process killed while bulk-loading a first harvest leaves: records, no fetch state.
    half = tmp_path / "half.nt"
    half.write_bytes(b'<https://e.org/half> <http://schema.org/name> "x" .\n')
    store.load_graph(GRAPH, half)
    calls = commits(store, monkeypatch)

    result = harvest_once(store, server, url, table(ORIGINAL[:20]))

    assert result.outcome == "harvested", result.error
    assert calls == ["replace_graph"]
    fresh = EmbeddedStore(None)
    harvest_once(fresh, server, url, table(ORIGINAL[:20]))
    assert described(store, GRAPH) == described(fresh, GRAPH)


def test_a_large_quarantine_is_reloaded_with_only_the_last_harvests_records(
    store, server, url, monkeypatch
):
    reloads, kept = [], []
    original, keeping = store.load_graph, store.reload_graph

    def load_graph(graph, data):
        reloads.append(graph)
        return original(graph, data)

    def reload_graph(graph, data):
        kept.append(graph)
        return keeping(graph, data)

    monkeypatch.setattr(store, "load_graph", load_graph)
    monkeypatch.setattr(store, "reload_graph", reload_graph)
    monkeypatch.setattr(harvest_pipeline, "SWAPPED_WHOLE", 0)
    harvest_once(store, server, url, table(ORIGINAL))
    first = focus_nodes(store)

    result = harvest_once(store, server, url, table(ORIGINAL[: ROWS // 2]))

    assert result.outcome == "harvested", result.error
    assert reloads == [QUARANTINE, GRAPH, QUARANTINE]
    assert kept == [QUARANTINE, QUARANTINE], "the previous quarantine is kept while it loads"
    assert len(focus_nodes(store)) == result.rejected < len(first)
    monkeypatch.undo()  # the reference: a fresh harvest, its quarantine swapped in
    fresh = EmbeddedStore(None)
    harvest_once(fresh, server, url, table(ORIGINAL[: ROWS // 2]))
    assert described(store, QUARANTINE) == described(fresh, QUARANTINE)


def test_provenance_lists_the_first_changed_records_and_counts_them_all(server, url, monkeypatch):
    monkeypatch.setattr(provenance, "LISTED_CHANGES", 5)
    store = EmbeddedStore(None)

    result = harvest_once(store, server, url, table(ORIGINAL[:20]))

    assert len(result.changes.created) == 20
    query = f"""SELECT ?n (COUNT(?r) AS ?listed) WHERE {{ GRAPH <{BASE}harvests> {{
        <{result.activity}> <https://w3id.org/sse/harvest#recordsCreated> ?n ;
        <https://w3id.org/sse/harvest#created> ?r }} }} GROUP BY ?n"""
    assert select(store, query) == [{"n": "20", "listed": "5"}]
