"""A strict runner for the W3C SPARQL 1.1 Protocol tests (``protocol/manifest.ttl``).

The requests come from the manifest at test time: method, path and query string
(``ht:absolutePath``, with ``/sparql/`` mapped to our ``/sparql``), headers, body and its
character encoding, and the graphs each test loads (``ut:graphData``: the file into the graph
named by its ``rdfs:label``). The manifest only says 2xx/3xx or 4xx; this runner holds the
endpoint to the exact status and media type it must answer with (``EXPECTED``), and checks the
answer itself (``mf:expectedBoolean``, ``mf:expectedFormat``).

The query part (20 tests) is run as the manifest says. The endpoint is read-only, so of the
update part the 7 ``bad_update_*`` tests (4xx expected) are run as written, and the 7 update
tests that expect 2xx are run to check that the update is refused with 400 and the reason; their
follow-up ASK requests, which look for the update's effect, are not sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from conftest import anchor
from fastapi.testclient import TestClient
from rdflib.collection import Collection

from service.app import create_app
from service.settings import Settings

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"
ERROR = "application/json"


@dataclass(frozen=True)
class Expect:
    """The exact answer: status, media type (without parameters), and for errors a phrase."""

    status: int
    media_type: str
    says: str | None = None


def ok(media_type: str = JSON_RESULTS) -> Expect:
    return Expect(200, media_type)


READ_ONLY = Expect(400, ERROR, "read-only")

EXPECTED: dict[str, tuple[str, Expect]] = {
    # query part: run as the manifest says
    "query_post_form": ("query", ok()),
    "query_dataset_default_graphs_get": ("query", ok()),
    "query_dataset_default_graphs_post": ("query", ok()),
    "query_dataset_named_graphs_post": ("query", ok()),
    "query_dataset_named_graphs_get": ("query", ok()),
    "query_dataset_full": ("query", ok()),
    "query_multiple_dataset": ("query", ok()),
    "query_get": ("query", ok()),
    "query_content_type_select": ("query", ok()),
    "query_content_type_ask": ("query", ok()),
    "query_content_type_describe": ("query", ok(TURTLE)),
    "query_content_type_construct": ("query", ok(TURTLE)),
    "query_post_direct": ("query", ok()),
    "bad_query_method": ("query", Expect(405, ERROR, "not allowed")),
    "bad_multiple_queries": ("query", Expect(400, ERROR, "one query per request")),
    "bad_query_wrong_media_type": ("query", Expect(415, ERROR, "Content-Type text/plain")),
    "bad_query_missing_form_type": ("query", Expect(415, ERROR, "no Content-Type")),
    "bad_query_missing_direct_type": ("query", Expect(415, ERROR, "no Content-Type")),
    "bad_query_non_utf8": ("query", Expect(415, ERROR, "UTF-8")),
    "bad_query_syntax": ("query", Expect(400, ERROR, "syntax error")),
    # update part, 4xx expected by the manifest too
    "bad_update_get": ("bad-update", READ_ONLY),
    "bad_multiple_updates": ("bad-update", READ_ONLY),
    "bad_update_wrong_media_type": ("bad-update", Expect(415, ERROR, "Content-Type text/plain")),
    "bad_update_missing_form_type": ("bad-update", Expect(415, ERROR, "no Content-Type")),
    "bad_update_non_utf8": ("bad-update", READ_ONLY),
    "bad_update_syntax": ("bad-update", READ_ONLY),
    "bad_update_dataset_conflict": ("bad-update", READ_ONLY),
    # update part, 2xx expected by the manifest: a read-only endpoint refuses them
    "update_dataset_default_graph": ("read-only", READ_ONLY),
    "update_dataset_default_graphs": ("read-only", READ_ONLY),
    "update_dataset_named_graphs": ("read-only", READ_ONLY),
    "update_dataset_full": ("read-only", READ_ONLY),
    "update_post_form": ("read-only", READ_ONLY),
    "update_post_direct": ("read-only", READ_ONLY),
    "update_base_uri": ("read-only", READ_ONLY),
}

OUTCOMES: dict[str, bool] = {}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[str]
    expected_boolean: bool | None
    expected_format: str | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    requests: tuple[Request, ...]
    graph_data: tuple[tuple[str, str], ...]  # (file, graph IRI)


@pytest.fixture(scope="module")
def manifest() -> dict[str, ProtocolTest]:
    path = anchor("w3c-rdf-tests", "sparql", "sparql11", "protocol", "manifest.ttl")
    graph = rdflib.Graph().parse(path, format="turtle", publicID=BASE)
    root = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    tests = {}
    for entry in Collection(graph, graph.value(root, MF.entries)):
        name = str(entry).rsplit("#", 1)[-1]
        action = graph.value(entry, MF.action)
        requests = []
        for request in Collection(graph, graph.value(action, HT.requests)):
            headers = {}
            header_list = graph.value(request, HT.headers)
            if header_list is not None:
                for header in Collection(graph, header_list):
                    headers[str(graph.value(header, HT.fieldName))] = str(
                        graph.value(header, HT.fieldValue)
                    )
            body = None
            content = graph.value(request, HT.body)
            if content is not None:
                encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(content, CNT.chars)).encode(encoding)
            response = graph.value(request, HT.resp)
            boolean = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            requests.append(
                Request(
                    method=str(graph.value(request, HT.methodName)),
                    path=str(graph.value(request, HT.absolutePath)),
                    headers=headers,
                    body=body,
                    expected_status=frozenset(
                        str(s).rsplit("#", 1)[-1]
                        for s in graph.objects(response, MF.expectedStatus)
                    ),
                    expected_boolean=None if boolean is None else boolean.toPython(),
                    expected_format=None if fmt is None else str(fmt),
                )
            )
        graph_data = tuple(
            (
                str(graph.value(data, UT.graph)).rsplit("/", 1)[-1],
                str(graph.value(data, rdflib.RDFS.label)),
            )
            for data in graph.objects(entry, UT.graphData)
        )
        tests[name] = ProtocolTest(
            name, str(graph.value(entry, MF.name)), tuple(requests), graph_data
        )
    return tests


@pytest.fixture(scope="module")
def client():
    app = create_app(Settings(store_path=None, query_timeout=10), routers=["sparql"])
    with TestClient(app) as test_client:
        yield test_client


def test_the_manifest_is_the_one_this_runner_encodes(manifest: dict[str, ProtocolTest]) -> None:
    assert sorted(manifest) == sorted(EXPECTED), "tests added to or removed from the manifest"
    assert len(manifest) == 34


def send(client: TestClient, request: Request):
    parts = urlsplit(request.path)
    assert parts.path == "/sparql/", request.path  # the manifest's endpoint path
    url = "/sparql" + (f"?{parts.query}" if parts.query else "")
    return client.request(request.method, url, headers=request.headers, content=request.body)


def check_answer(request: Request, response) -> None:
    if request.expected_format == "boolean":
        data = json.loads(response.content)
        assert isinstance(data["boolean"], bool)
        if request.expected_boolean is not None:
            assert data["boolean"] is request.expected_boolean
    elif request.expected_format == "tabular":
        data = json.loads(response.content)
        assert data["head"]["vars"] == ["value"]
        assert data["results"]["bindings"][0]["value"]["value"] == "1"
    elif request.expected_format == "RDF":
        list(ox.parse(response.content, ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("name", list(EXPECTED))
def test_protocol(name: str, manifest: dict[str, ProtocolTest], client: TestClient) -> None:
    OUTCOMES[name] = False
    test = manifest[name]
    part, expect = EXPECTED[name]
    store = client.app.state.store.oxigraph
    folder = anchor("w3c-rdf-tests", "sparql", "sparql11", "protocol")
    for filename, graph_iri in test.graph_data:
        store.load(
            path=str(folder / filename),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(graph_iri),
        )
    requests = test.requests[:1] if part == "read-only" else test.requests
    for index, request in enumerate(requests):
        response = send(client, request)
        first = index == 0
        wanted = expect if first else ok()
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        assert (response.status_code, media_type) == (wanted.status, wanted.media_type), (
            f"{test.title}: {response.status_code} {media_type} {response.text[:300]}"
        )
        manifest_class = f"StatusCode{str(response.status_code)[0]}xx"
        if part != "read-only":
            assert manifest_class in request.expected_status, (test.title, request.expected_status)
        if wanted.says is not None:
            assert wanted.says in response.json()["error"], response.json()
        if response.status_code == 200:
            check_answer(request, response)
    OUTCOMES[name] = True


def test_pass_count(capsys: pytest.CaptureFixture[str]) -> None:
    """Print how many manifest tests passed, per part (runs after the tests above)."""
    lines = []
    for part, label in (
        ("query", "query part"),
        ("bad-update", "bad update requests (4xx)"),
        ("read-only", "update requests refused (read-only; the manifest expects 2xx)"),
    ):
        names = [n for n, (p, _) in EXPECTED.items() if p == part]
        passed = sum(OUTCOMES.get(n, False) for n in names)
        lines.append(f"W3C SPARQL 1.1 Protocol, {label}: {passed}/{len(names)} passed")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    ran = [n for n in EXPECTED if n in OUTCOMES]
    if len(ran) == len(EXPECTED):
        assert all(OUTCOMES.values())
