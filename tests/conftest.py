"""Shared fixtures. Reference data comes from ../shared beside the checkout (never copied here).

Tests that need it skip with a clear message when it is absent, except on CI, where its absence
is a failure: CI always has it.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph

from ssevalidate.harvest.storeio import select
from ssevalidate.store import EmbeddedStore, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ANCHORS = SHARED / "anchors"
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ROOT / "examples"


def shapes(graph: Graph) -> Counter:
    """The statements about named nodes, each blank node written as everything under it:
    equal for two graphs with the same statements, whatever their blank node labels."""

    def written(node, above: frozenset) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node in above:
            return "[…]"
        parts = sorted(
            f"{p.n3()} {written(o, above | {node})}" for p, o in graph.predicate_objects(node)
        )
        return "[" + " ; ".join(parts) + "]"

    return Counter(
        f"{s.n3()} {p.n3()} {written(o, frozenset())}"
        for s, p, o in graph
        if not isinstance(s, BNode)
    )


def graph_content(store, graph: str, ignored: frozenset | set = frozenset()) -> Counter:
    """The statements of ``graph`` about named nodes, each blank node written as what it
    holds (equal whatever labels a load gave them), predicates in ``ignored`` left out."""
    rows = select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        if row["p"] not in ignored:
            by_subject.setdefault(row["s"], []).append((row["p"], row["o"]))

    def written(value: str, above: frozenset) -> str:
        if not value.startswith("_:") or value in above:
            return value
        inner = sorted(f"{p} {written(o, above | {value})}" for p, o in by_subject.get(value, ()))
        return "[" + " ; ".join(inner) + "]"

    return Counter(
        f"{subject} {predicate} {written(value, frozenset())}"
        for subject, pairs in by_subject.items()
        if not subject.startswith("_:")
        for predicate, value in pairs
    )


def streamed_as_converted(path: Path, chunk_rows: int, dialect: str) -> list:
    """Stream ``path`` (:func:`~ssevalidate.importers.streaming.stream_export`) and check the
    chunks against :func:`~ssevalidate.importers.convert` of the whole file: the same
    statements, problems, origins and counts. The chunks."""
    from ssevalidate.importers import convert
    from ssevalidate.importers.streaming import stream_export

    whole = convert(path.read_bytes(), name=str(path))
    chunks = list(stream_export(path, chunk_rows=chunk_rows))
    union = Graph()
    for chunk in chunks:
        union += chunk.graph
    assert all(chunk.dialect == dialect for chunk in chunks)
    assert all(chunk.fields == whole.fields for chunk in chunks)
    assert shapes(union) == shapes(whole.graph)
    assert [str(p) for c in chunks for p in c.problems] == [str(p) for p in whole.problems]
    assert {r: o for c in chunks for r, o in c.origins.items()} == whole.origins
    assert sum(chunk.records for chunk in chunks) == whole.records
    return chunks


def validated_both_ways(path: Path, monkeypatch) -> tuple:
    """The reports of ``path`` converted whole in memory, then streamed (the threshold
    lowered; checked that it was), and a key to compare their results by."""
    from ssevalidate import validate, validation
    from ssevalidate.importers.streaming import RecordRows

    in_memory = validate(str(path))
    monkeypatch.setattr(validation, "STREAM_THRESHOLD", 100)
    spooled = []
    merge = RecordRows.merge
    monkeypatch.setattr(
        RecordRows, "merge", lambda self, other: spooled.append(other) or merge(self, other)
    )
    streamed = validate(str(path))
    assert spooled, "the file was not streamed"

    def key(result):
        origin = tuple(sorted((result.origin or {}).items()))
        return result.severity, result.record, result.path, result.component, origin

    return in_memory, streamed, key


def anchor(*parts: str) -> Path:
    """A path under ../shared/anchors; skips (fails on CI) when ../shared is absent."""
    path = ANCHORS.joinpath(*parts)
    if not ANCHORS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{ANCHORS} is missing on CI")
        pytest.skip(f"reference data not available: {ANCHORS} is absent")
    assert path.exists(), f"{path} is missing from ../shared/anchors"
    return path


@pytest.fixture
def context_server():
    """A JSON-LD context server on 127.0.0.1 that records every request it gets.

    Yields ``(url, requests)``; the parse gate must never cause a request.
    """
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", requests
    server.shutdown()


@contextlib.contextmanager
def live_service(make_app: Callable[[str], object]) -> Iterator[tuple[str, object]]:
    """Run ``make_app(base_url)`` under uvicorn in a thread on a free 127.0.0.1 port.

    Yields ``(base_url, app)``; real HTTP clients (browsers, SPARQL clients, rdflib) talk to it.
    """
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = make_app(base)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the service did not start"
        time.sleep(0.02)
    try:
        yield base, app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """``oxigraph serve`` (the ``oxigraph`` package) on a free 127.0.0.1 port."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    location = tmp_path_factory.mktemp("oxigraph")
    server = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.HTTPError:
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "oxigraph serve did not start"
            time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(params=["embedded", "remote"])
def store(request):
    """Each test twice: on an embedded pyoxigraph store in memory, and on ``oxigraph serve``
    emptied for it (through the SPARQL and Graph Store protocols)."""
    if request.param == "embedded":
        yield EmbeddedStore(None)
        return
    base = request.getfixturevalue("oxigraph_server")
    httpx.post(f"{base}/update", data={"update": "DROP SILENT ALL"}).raise_for_status()
    remote = RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")
    yield remote
    remote.close()
