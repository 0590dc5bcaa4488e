"""The SPARQL endpoint: the query gate, the time-limited executor and the HTTP layer.

Real stores, real worker processes, real HTTP (FastAPI's TestClient); nothing is mocked.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from ssevalidate.sparql import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    EndpointBusy,
    NotAcceptable,
    QueryFailed,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLarge,
    SparqlError,
    SparqlExecutor,
    check_query,
    choose_format,
    run_checked,
    service_description,
)
from ssevalidate.store import EXAMPLES_GRAPH, EmbeddedStore, open_store

TIMEOUT = 2.0
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PATH_BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/next>+ ?b }"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def nested(depth: int) -> str:
    return "SELECT * WHERE { FILTER(" + "(" * depth + "1" + ")" * depth + ") }"


def ring(size: int) -> bytes:
    """A cycle of ``size`` nodes: ``?a :next+ ?b`` has size² answers."""
    return "".join(
        f"<http://example.org/n{i}> <http://example.org/next> <http://example.org/n{(i + 1) % size}> .\n"
        for i in range(size)
    ).encode()


# ------------------------------------------------------------------------------------- the gate


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s a sse:Initiative }", "CONSTRUCT"),
        ("DESCRIBE <https://directory.example/>", "DESCRIBE"),
        (
            "PREFIX ex: <http://example.org/>\nSELECT ?x { ?x ex:p ?y } ORDER BY ?x LIMIT 5",
            "SELECT",
        ),
    ],
)
def test_gate_accepts_queries_and_names_their_form(query: str, form: str) -> None:
    assert check_query(query).form == form


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://evil.example/sparql> { ?s ?p ?o } }",
        "select * where { service <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://evil.example/> { ?s ?q ?r } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://evil.example/> { ?s ?p ?o } } } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://evil.example/> { ?s ?p ?o } } }",
        "SELECT * WHERE { { ?s ?p ?o } UNION { MINUS { SERVICE <http://evil.example/> { ?s ?p ?o } } } }",
        "ASK { GRAPH ?g { { { SERVICE <http://evil.example/> { ?s ?p ?o } } } } }",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://e/> } }",
        "SELECT * WHERE { \\u0053ERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { \\U00000053\\u0045RVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERV\\u0049CE <http://evil.example/sparql> { ?s ?p ?o } }",
    ],
)
def test_gate_refuses_service_wherever_it_is(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE is not allowed"):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { ?service ?p "SERVICE" }',
        "SELECT * WHERE { ?s <http://example.org/service> ?o }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:x ?o }",
        "SELECT * WHERE { ?s schema:serviceType ?o } # SERVICE in a comment",
        'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(?o, """SERVICE <http://x/> { }""")) }',
    ],
)
def test_gate_lets_the_word_service_through_where_it_is_not_the_keyword(query: str) -> None:
    assert check_query(query).form == "SELECT"


@pytest.mark.parametrize(
    ("update", "word"),
    [
        ("LOAD <http://evil.example/data.ttl>", "LOAD"),
        ("LOAD SILENT <http://evil.example/data.ttl> INTO GRAPH <http://g/>", "LOAD"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT DATA"),
        ("DELETE DATA { <http://a> <http://b> <http://c> }", "DELETE DATA"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
        (
            "WITH <http://g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
            "DELETE/INSERT",
        ),
        ("CLEAR ALL", "CLEAR"),
        ("DROP GRAPH <http://g>", "DROP"),
        ("CREATE GRAPH <http://g>", "CREATE"),
        ("ADD <http://a> TO <http://b>", "ADD"),
        ("MOVE <http://a> TO <http://b>", "MOVE"),
        ("COPY DEFAULT TO <http://b>", "COPY"),
        ("PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }", "INSERT DATA"),
        ("CLEAR XYZ", "CLEAR"),  # not even a valid update: still named as one
        ("SELECT * {} ; CLEAR ALL", None),  # a query with garbage after it: a syntax error
    ],
)
def test_gate_refuses_every_update_and_says_so(update: str, word: str | None) -> None:
    if word is None:
        with pytest.raises(QuerySyntaxError):
            check_query(update)
        return
    with pytest.raises(QueryRefused) as refusal:
        check_query(update)
    assert "updates are not allowed" in str(refusal.value)
    assert word in str(refusal.value)


def test_gate_caps_the_query_size() -> None:
    query = "SELECT * WHERE { ?s ?p ?o }" + " " * 2_000
    with pytest.raises(QueryTooLarge) as refusal:
        check_query(query, max_bytes=1_000)
    assert refusal.value.status == 413
    assert "1000" in str(refusal.value)
    assert check_query(query, max_bytes=10_000).form == "SELECT"
    # the cap counts UTF-8 bytes, not characters
    with pytest.raises(QueryTooLarge):
        check_query('ASK { ?s ?p "' + "é" * 600 + '" }', max_bytes=1_000)


@pytest.mark.parametrize(
    "query",
    [
        nested(300),
        "SELECT * WHERE " + "{" * 300 + "}" * 300,
        "SELECT * WHERE { ?s ?p " + "(" * 300 + "1" + ")" * 300 + " }",
        "SELECT * WHERE { ?s " + "(" * 300 + "<http://p>" + ")" * 300 + " ?o }",
        "ASK { " + "[ <http://p> " * 300 + "]" * 300 + " }",
    ],
)
def test_gate_turns_a_recursion_bomb_into_a_refusal(query: str) -> None:
    with pytest.raises(SparqlError) as refusal:
        check_query(query)
    assert refusal.value.status == 400
    assert isinstance(refusal.value, (QueryRefused, QuerySyntaxError))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ASK {",
        "SELECT",
        "SELECT * WHERE { ?s ?p }",
        "SELECT * WHERE { ?s unknown:p ?o }",
        "\x00\x01\x02",
        "SELECT * WHERE { ?s ?p '''unterminated }",
        "SELECT * WHERE { <http://a b> ?p ?o }",
        "{{{{{{{{",
        "PREFIX : <http://e/> SELECT * WHERE { :a :b :c } LIMIT -1",
        "\ud800",
    ],
)
def test_gate_turns_every_bad_text_into_a_400(text: str) -> None:
    with pytest.raises(SparqlError) as refusal:
        check_query(text)
    assert refusal.value.status == 400, refusal.value
    assert str(refusal.value)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }",
        "SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }",
    ],
)
def test_what_only_the_engine_refuses_is_a_400_too(bundled: EmbeddedStore, text: str) -> None:
    # rdflib's parser lets these through; pyoxigraph's refuses them, still as a syntax error
    checked = check_query(text)
    with pytest.raises(QuerySyntaxError):
        run_checked(bundled.oxigraph, checked, RESULT_FORMATS[0])


def test_gate_notes_dataset_clauses() -> None:
    assert check_query("SELECT * FROM <http://g/> WHERE { ?s ?p ?o }").has_dataset
    assert check_query("SELECT * FROM NAMED <http://g/> WHERE { ?s ?p ?o }").has_dataset
    assert not check_query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }").has_dataset


# ------------------------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    ("form", "accept", "overrides", "key"),
    [
        ("SELECT", None, [], "json"),
        ("SELECT", "*/*", [], "json"),
        ("SELECT", "application/sparql-results+xml", [], "xml"),
        ("SELECT", "text/csv", [], "csv"),
        ("SELECT", "text/tab-separated-values", [], "tsv"),
        ("SELECT", "application/sparql-results+json,*/*;q=0.9", [], "json"),  # YASGUI
        ("SELECT", "application/sparql-results+xml, application/rdf+xml", [], "xml"),  # SPARQLStore
        ("SELECT", "text/csv;q=0.5, application/sparql-results+xml;q=0.6", [], "xml"),
        ("SELECT", "text/*", [], "csv"),
        ("SELECT", "*/*", ["json"], "json"),
        ("SELECT", "application/sparql-results+xml", ["json", "json", "json"], "json"),
        ("SELECT", "*/*", ["tsv", "text/tab-separated-values"], "tsv"),
        ("SELECT", "*/*", ["html"], "json"),  # unknown names are ignored
        ("ASK", "application/sparql-results+xml", [], "xml"),
        ("CONSTRUCT", None, [], "turtle"),
        ("CONSTRUCT", "application/n-triples", [], "ntriples"),
        ("CONSTRUCT", "application/ld+json", [], "jsonld"),
        ("CONSTRUCT", "application/rdf+xml", [], "rdfxml"),
        (
            "CONSTRUCT",
            "application/turtle,text/turtle,text/rdf+n3,application/n-triples",
            [],
            "turtle",
        ),
        ("DESCRIBE", "*/*", ["rdf+xml", "application/rdf+xml"], "rdfxml"),
        ("DESCRIBE", "*/*", ["json-ld", "application/ld+json"], "jsonld"),
        ("CONSTRUCT", "*/*", ["xml"], "rdfxml"),
        ("CONSTRUCT", "*/*", ["turtle"], "turtle"),
        ("CONSTRUCT", "*/*", ["csv"], "turtle"),  # does not fit a graph: Accept decides
    ],
)
def test_format_choice(form: str, accept: str | None, overrides: list[str], key: str) -> None:
    assert choose_format(form, accept, overrides).key == key


def test_format_choice_refuses_what_does_not_fit() -> None:
    with pytest.raises(NotAcceptable) as refusal:
        choose_format("SELECT", "image/png")
    assert refusal.value.status == 406
    assert "application/sparql-results+json" in str(refusal.value)
    with pytest.raises(NotAcceptable):
        choose_format("CONSTRUCT", "text/csv, */*;q=0")


# ------------------------------------------------------------------ running in this process


@pytest.fixture(scope="module")
def bundled() -> EmbeddedStore:
    return open_store(None)


def solutions(body: bytes, output) -> list:
    return list(ox.parse_query_results(body, output.format))


def test_default_graph_is_the_union_of_the_graphs(bundled: EmbeddedStore) -> None:
    query = check_query("SELECT ?s WHERE { ?s a sse:Initiative }")
    result = run_checked(bundled.oxigraph, query, RESULT_FORMATS[0])
    assert result.count == 30 and not result.truncated
    # A FROM clause selects a named graph of the store (nothing is fetched) ...
    scoped = check_query(f"SELECT ?s FROM <{EXAMPLES_GRAPH}> WHERE {{ ?s a sse:Initiative }}")
    assert run_checked(bundled.oxigraph, scoped, RESULT_FORMATS[0]).count == 30
    vocab_only = check_query(
        "SELECT ?s FROM <https://w3id.org/sse/vocab/> WHERE { ?s a sse:Initiative }"
    )
    assert run_checked(bundled.oxigraph, vocab_only, RESULT_FORMATS[0]).count == 0
    # ... and the protocol's default-graph-uri wins over FROM.
    result = run_checked(
        bundled.oxigraph, vocab_only, RESULT_FORMATS[0], default_graphs=[EXAMPLES_GRAPH]
    )
    assert result.count == 30
    named = check_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a sse:Initiative } }")
    result = run_checked(bundled.oxigraph, named, RESULT_FORMATS[0], named_graphs=[EXAMPLES_GRAPH])
    assert [row["g"].value for row in solutions(result.body, RESULT_FORMATS[0])] == [EXAMPLES_GRAPH]


@pytest.mark.parametrize("output", RESULT_FORMATS, ids=lambda f: f.key)
def test_row_cap_cuts_results_in_every_format(bundled: EmbeddedStore, output) -> None:
    query = check_query("SELECT ?s ?name WHERE { ?s a sse:Initiative ; schema:name ?name }")
    result = run_checked(bundled.oxigraph, query, output, max_rows=7)
    assert result.truncated and result.count == 7
    assert result.media_type.startswith(output.aliases[0])
    if output.key in ("csv",):
        assert len(result.body.decode().strip().splitlines()) == 8
    else:
        rows = solutions(result.body, output)
        assert len(rows) == 7
        assert all(row["name"] is not None for row in rows)
    small = run_checked(bundled.oxigraph, query, output, max_rows=100_000)
    assert not small.truncated and small.count >= 30


def test_row_cap_cuts_graphs(bundled: EmbeddedStore) -> None:
    query = check_query("CONSTRUCT WHERE { ?s a sse:Initiative ; schema:name ?n }")
    result = run_checked(bundled.oxigraph, query, GRAPH_FORMATS[0], max_rows=5)
    assert result.truncated and result.count == 5
    assert len(list(ox.parse(result.body, ox.RdfFormat.TURTLE))) == 5


def test_special_values_survive_the_row_cap(bundled: EmbeddedStore) -> None:
    query = check_query(
        'SELECT ?a ?b ?c ?unbound WHERE { VALUES (?a ?b ?c) { ("tab\\there\\nnewline \\"q\\"" '
        '"fr"@fr 1.5) } BIND(BNODE() AS ?node) }'
    )
    result = run_checked(bundled.oxigraph, query, RESULT_FORMATS[0], max_rows=1)
    data = json.loads(result.body)
    row = data["results"]["bindings"][0]
    assert row["a"]["value"] == 'tab\there\nnewline "q"'
    assert row["b"] == {"type": "literal", "value": "fr", "xml:lang": "fr"}
    assert row["c"]["datatype"].endswith("#decimal")
    assert "unbound" in data["head"]["vars"] and "unbound" not in row


def test_service_description_is_rdf_with_the_endpoint() -> None:
    for output in GRAPH_FORMATS[:4]:
        body = service_description(
            "http://localhost:8000/sparql", graphs=[EXAMPLES_GRAPH], output=output, timeout=30
        )
        graph = rdflib.Graph().parse(data=body, format=output.aliases[0])
        service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
        assert graph.value(service, SD.endpoint) == rdflib.URIRef("http://localhost:8000/sparql")
        assert (service, SD.feature, SD.UnionDefaultGraph) in graph
        assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
        assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph
        assert len(set(graph.objects(service, SD.resultFormat))) >= 8
        assert rdflib.URIRef(EXAMPLES_GRAPH) in set(graph.objects(None, SD.name))


# --------------------------------------------------------------------------- the executor


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    store = open_store(tmp_path_factory.mktemp("sparql") / "store")
    store.replace_graph("http://example.org/ring", ring(3000), "ntriples")
    return store


@pytest.fixture(scope="module")
def executor(disk_store: EmbeddedStore):
    with SparqlExecutor(disk_store, timeout=TIMEOUT, max_rows=1000, workers=2) as running:
        running.execute("ASK {}")  # wait for the pool
        yield running


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child not yet reaped is a zombie: dead for our purpose
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_executor_answers_a_simple_query_fast(executor: SparqlExecutor) -> None:
    query = "SELECT ?s ?name WHERE { ?s a sse:Initiative ; schema:name ?name } LIMIT 10"
    executor.execute(query)
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        result = executor.execute(query, accept="application/sparql-results+json")
        timings.append(time.perf_counter() - started)
        assert result.count == 10
    assert statistics.median(timings) < 0.1, timings


@pytest.mark.parametrize("query", [CROSS_JOIN, PATH_BOMB], ids=["cross-join", "property-path"])
def test_timeout_really_kills_the_query(executor: SparqlExecutor, query: str) -> None:
    before = set(executor.worker_pids())
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as stopped:
        executor.execute(query)
    elapsed = time.monotonic() - started
    assert stopped.value.status == 504
    assert TIMEOUT <= elapsed < TIMEOUT + 2, elapsed
    killed = before - set(executor.worker_pids())
    assert len(killed) == 1
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in killed) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in killed), "the runaway worker is still running"
    # the next query is answered at once by the other worker
    started = time.monotonic()
    assert executor.execute("ASK { ?s a sse:Initiative }").body.endswith(b"true}")
    assert time.monotonic() - started < 1
    # and the pool heals back to full size
    deadline = time.monotonic() + 30
    while len(executor.worker_pids()) < executor.size and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(executor.worker_pids()) == executor.size


def test_memory_cap_stops_a_query_that_would_take_the_machine(disk_store: EmbeddedStore) -> None:
    hog = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d LIMIT 1"
    with SparqlExecutor(disk_store, timeout=20, workers=1, memory_limit=1024**3) as running:
        assert running.wait_ready()
        started = time.monotonic()
        with pytest.raises(QueryFailed, match="more than 1024 MiB of memory"):
            running.execute(hog)
        assert time.monotonic() - started < 20
        assert running.execute("ASK { ?s a sse:Initiative }").body.endswith(b"true}")


def test_executor_refuses_in_the_worker(executor: SparqlExecutor) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        executor.execute("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="LOAD"):
        executor.execute("LOAD <http://127.0.0.1:9/data.ttl>")
    with pytest.raises(QueryRefused, match="nested too deeply"):
        executor.execute(nested(300))
    with pytest.raises(QueryTooLarge):
        executor.execute("ASK {}" + " " * 200_000)
    with pytest.raises(QuerySyntaxError):
        executor.execute("SELECT ?x WHERE {")
    with pytest.raises(NotAcceptable):
        executor.execute("ASK {}", accept="image/png")
    with pytest.raises(QueryRefused, match="graph IRI"):
        executor.execute("ASK {}", default_graphs=["not an iri"])
    assert executor.execute("ASK {}").body.endswith(b"true}")


def test_executor_caps_rows(executor: SparqlExecutor) -> None:
    result = executor.execute("SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
    assert result.truncated and result.count == 1000
    assert len(result.body.decode().strip().splitlines()) == 1001


def test_executor_sees_store_changes(disk_store: EmbeddedStore, executor: SparqlExecutor) -> None:
    query = "SELECT ?o WHERE { GRAPH <http://example.org/fresh> { ?s ?p ?o } }"
    assert executor.execute(query).count == 0
    disk_store.replace_graph(
        "http://example.org/fresh", b'<http://e/s> <http://e/p> "v1" .', "ntriples"
    )
    assert b'"v1"' in executor.execute(query).body
    disk_store.replace_graph(
        "http://example.org/fresh", b'<http://e/s> <http://e/p> "v2" .', "ntriples"
    )
    for _ in range(executor.size):  # every worker moves to the new snapshot
        assert b'"v2"' in executor.execute(query).body


def test_executor_on_a_memory_store_sees_changes() -> None:
    store = EmbeddedStore(None)
    with SparqlExecutor(store, timeout=10, workers=1) as running:
        assert running.execute("ASK { ?s ?p ?o }").body.endswith(b"false}")
        store.replace_graph(
            "http://example.org/g", b"<http://a> <http://b> <http://c> .", "ntriples"
        )
        assert running.execute("ASK { ?s ?p ?o }").body.endswith(b"true}")


def test_executor_says_busy_when_every_worker_is_taken(disk_store: EmbeddedStore) -> None:
    # (also: snapshot folders left by a dead server are removed, a live one's are kept)
    stale = disk_store.path.parent / f".{disk_store.path.name}.sparql-snapshots-999999999-x"
    stale.mkdir()
    with SparqlExecutor(disk_store, timeout=3, workers=1, queue_timeout=0.5) as running:
        assert not stale.exists()
        assert list(disk_store.path.parent.glob(f".*sparql-snapshots-{os.getpid()}-*"))
        assert running.wait_ready()
        outcome: list[BaseException] = []

        def run_away() -> None:
            try:
                running.execute(CROSS_JOIN)
            except SparqlError as error:
                outcome.append(error)

        runaway = threading.Thread(target=run_away)
        runaway.start()
        time.sleep(0.3)
        with pytest.raises(EndpointBusy) as busy:
            running.execute("ASK {}")
        assert busy.value.status == 503
        runaway.join()
        assert isinstance(outcome[0], QueryTimeout)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                assert running.execute("ASK {}").body.endswith(b"true}")
                break
            except EndpointBusy:
                continue


def test_workers_have_no_network_where_the_kernel_allows(executor: SparqlExecutor) -> None:
    assert executor.network_isolated in (True, False)
    if not executor.network_isolated:
        pytest.skip("this kernel does not let the workers leave the network namespace")


# ------------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def client():
    settings = Settings(store_path=None, query_timeout=TIMEOUT, query_max_rows=50)
    app = create_app(settings, routers=["sparql"])
    with TestClient(app) as test_client:
        test_client.get("/sparql", params={"query": "ASK {}"})
        yield test_client


def error_of(response) -> str:
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["access-control-allow-origin"] == "*"
    return response.json()["error"]


def test_http_select_in_every_format(client: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s a sse:Network } ORDER BY ?s"
    for output in RESULT_FORMATS:
        response = client.get(
            "/sparql", params={"query": query}, headers={"accept": output.aliases[0]}
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == output.media_type
        assert response.headers["vary"] == "Accept"
        if output.key != "csv":
            assert len(solutions(response.content, output)) == 3


def test_http_construct_in_every_format(client: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?s a sse:Network ; schema:name ?n }"
    for output in GRAPH_FORMATS:
        response = client.post(
            "/sparql", data={"query": query}, headers={"accept": output.aliases[0]}
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == output.media_type
        graph = rdflib.Graph().parse(data=response.content, format=output.aliases[0])
        assert len(set(graph.subjects())) == 3


def test_http_refuses_service_and_load_with_the_reason(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
    )
    assert response.status_code == 400
    assert "SERVICE is not allowed" in error_of(response)
    response = client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"})
    assert response.status_code == 400 and "read-only" in error_of(response)
    response = client.post(
        "/sparql",
        content=b"LOAD <http://127.0.0.1:9/x.ttl>",
        headers={"content-type": "application/sparql-update"},
    )
    assert response.status_code == 400 and "read-only" in error_of(response)
    # an update sent as a query is named for what it is
    response = client.post(
        "/sparql",
        content=b"LOAD <http://127.0.0.1:9/x.ttl>",
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 400 and "LOAD is not allowed" in error_of(response)


def test_http_cartesian_product_hits_the_time_limit_then_the_next_query_works(
    client: TestClient,
) -> None:
    started = time.monotonic()
    response = client.get("/sparql", params={"query": CROSS_JOIN})
    assert response.status_code == 504
    assert "did not finish within" in error_of(response)
    assert time.monotonic() - started < TIMEOUT + 2
    response = client.get("/sparql", params={"query": "ASK { ?s a sse:Initiative }"})
    assert response.status_code == 200 and response.json()["boolean"] is True


@pytest.mark.parametrize(
    "query",
    [
        "ASK {",
        "SELECT",
        nested(300),
        "SELECT * WHERE { ?s unknown:p ?o }",
        "\x00",
        "SELECT * WHERE { <http://a b> ?p ?o }",
        "SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }",
    ],
)
def test_http_bad_queries_are_400_never_500(client: TestClient, query: str) -> None:
    response = client.post(
        "/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 400, response.text
    assert error_of(response)


def test_http_row_cap_is_announced(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["sparql-truncated"] == "true"
    assert response.headers["sparql-max-rows"] == "50"
    assert len(response.json()["results"]["bindings"]) == 50


def test_http_size_caps(client: TestClient) -> None:
    big = "ASK {}" + " " * 200_000
    response = client.post(
        "/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 413 and "at most" in error_of(response)
    response = client.post(
        "/sparql",
        content=b"query=" + b"%20" * 200_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_http_methods_and_cors(client: TestClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = client.request(method, "/sparql", params={"query": "ASK {}"})
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, POST, OPTIONS"
        assert "not allowed" in error_of(response)
    response = client.options(
        "/sparql",
        headers={
            "origin": "https://yasgui.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, accept",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-allow-headers"] == "content-type, accept"
    response = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"origin": "https://x.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_http_service_description(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert rdflib.URIRef("http://testserver/sparql") in set(graph.objects(None, SD.endpoint))
    response = client.get("/sparql", headers={"accept": "application/rdf+xml"})
    assert response.headers["content-type"] == "application/rdf+xml"
    rdflib.Graph().parse(data=response.text, format="xml")


def test_http_browser_without_a_query_is_sent_to_the_sparql_page(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"accept": browser}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/query"
    assert response.headers["vary"] == "Accept"
    # a client that prefers RDF still gets the description
    response = client.get("/sparql", headers={"accept": "application/rdf+xml"})
    assert response.headers["content-type"] == "application/rdf+xml"
    # a query is always answered as data
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": browser})
    assert response.headers["content-type"] == "application/sparql-results+xml"


def test_http_sparqlwrapper_parameters(client: TestClient) -> None:
    query = "SELECT ?s WHERE { ?s a sse:Network }"
    response = client.get(
        "/sparql",
        params=[("query", query), ("format", "json"), ("output", "json"), ("results", "json")],
        headers={"accept": "application/sparql-results+xml"},
    )
    assert response.headers["content-type"] == "application/sparql-results+json"
    response = client.post(
        "/sparql",
        data={"query": query, "format": ["tsv", "text/tab-separated-values"]},
        headers={"accept": "text/tab-separated-values"},
    )
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    response = client.get(
        "/sparql",
        params=[("query", "DESCRIBE <https://directory.example/>"), ("output", "rdf+xml")],
    )
    assert response.headers["content-type"] == "application/rdf+xml"


def test_http_dataset_parameters(client: TestClient) -> None:
    query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a sse:Initiative }"
    response = client.get(
        "/sparql", params={"query": query, "default-graph-uri": "https://w3id.org/sse/vocab/"}
    )
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
    response = client.get("/sparql", params={"query": query, "default-graph-uri": EXAMPLES_GRAPH})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "30"
    # named-graph-uri alone: the default graph is empty, the named graphs are the ones listed
    response = client.get("/sparql", params={"query": query, "named-graph-uri": EXAMPLES_GRAPH})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
    in_graphs = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a sse:Initiative } }"
    response = client.get("/sparql", params={"query": in_graphs, "named-graph-uri": EXAMPLES_GRAPH})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "30"
    response = client.get("/sparql", params={"query": query, "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and "graph IRI" in error_of(response)
