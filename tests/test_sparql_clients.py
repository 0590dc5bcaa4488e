"""Real SPARQL clients against a real server: SPARQLWrapper and rdflib's SPARQLStore.

The service runs under uvicorn in a thread on a free loopback port; the clients talk HTTP to it
exactly as they would to any public endpoint, with their own defaults (SPARQLWrapper: GET, XML,
plus its ``format``/``output``/``results`` parameters; SPARQLStore: GET with
``application/sparql-results+xml, application/rdf+xml``).
"""

from __future__ import annotations

import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

import pytest
import rdflib
from conftest import live_service
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

from service.app import create_app
from service.routes.sparql import executor_for
from service.settings import Settings

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")

SSE = rdflib.Namespace("https://w3id.org/sse/vocab/")
SCHEMA = rdflib.Namespace("http://schema.org/")
PREFIXES = "PREFIX sse: <https://w3id.org/sse/vocab/>\nPREFIX schema: <http://schema.org/>\n"
NETWORKS = (
    PREFIXES
    + 'SELECT ?s ?name WHERE { ?s a sse:Network ; schema:name ?name FILTER(LANG(?name) = "en") } '
    + "ORDER BY ?s"
)


@pytest.fixture(scope="module")
def endpoint():
    with live_service(
        lambda _base: create_app(Settings(store_path=None, query_timeout=5), routers=["sparql"])
    ) as (base, app):
        executor_for(app).wait_ready()
        yield f"{base}/sparql"


def test_a_simple_query_is_fast_over_http(endpoint: str) -> None:
    query = urllib.parse.urlencode({"query": NETWORKS})
    timings = []
    for _ in range(8):
        started = time.perf_counter()
        with urllib.request.urlopen(f"{endpoint}?{query}") as response:
            assert response.status == 200
            response.read()
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings[1:]) < 0.1, timings


def wrapper(endpoint: str, query: str):
    client = SPARQLWrapper.SPARQLWrapper(endpoint)
    client.setQuery(query)
    return client


def test_sparqlwrapper_default_is_get_with_xml(endpoint: str) -> None:
    client = wrapper(endpoint, NETWORKS)
    assert client.method == SPARQLWrapper.GET
    response = client.query()
    assert response.info()["content-type"] == "application/sparql-results+xml"
    document = response.convert()  # an xml.dom.minidom document
    results = document.getElementsByTagName("result")
    assert len(results) == 3
    names = [
        b.getElementsByTagName("literal")[0].firstChild.data
        for b in document.getElementsByTagName("binding")
        if b.getAttribute("name") == "name"
    ]
    assert "Atlantic Solidarity Economy Network" in names


def test_sparqlwrapper_post_with_json(endpoint: str) -> None:
    client = wrapper(endpoint, NETWORKS)
    client.setMethod(SPARQLWrapper.POST)
    client.setReturnFormat(SPARQLWrapper.JSON)
    results = client.query().convert()
    assert results["head"]["vars"] == ["s", "name"]
    assert len(results["results"]["bindings"]) == 3
    # POST directly (application/sparql-query) as well
    client.setRequestMethod(SPARQLWrapper.POSTDIRECTLY)
    assert len(client.query().convert()["results"]["bindings"]) == 3


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_sparqlwrapper_format_parameters_select(endpoint: str, fmt: str, media_type: str) -> None:
    client = wrapper(endpoint, NETWORKS)
    client.setReturnFormat(fmt)
    response = client.query()
    assert response.info()["content-type"].split(";")[0] == media_type
    body = response.convert()
    if fmt in ("csv", "tsv"):
        assert len(body.decode().strip().splitlines()) == 4


def test_sparqlwrapper_format_parameters_win_over_accept(endpoint: str) -> None:
    # The extra parameters alone (Accept says something else) choose the format, as on
    # Virtuoso, Fuseki and 4store: what SPARQLWrapper relies on when conneg is broken.
    client = wrapper(endpoint, NETWORKS)
    client.setReturnFormat(SPARQLWrapper.JSON)
    client.addCustomHttpHeader("Accept", "application/sparql-results+xml")
    response = client.query()
    assert response.info()["content-type"] == "application/sparql-results+json"
    client.setOnlyConneg(True)
    assert client.query().info()["content-type"] == "application/sparql-results+xml"


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("turtle", "text/turtle"),
        ("xml", "application/rdf+xml"),
        ("rdf+xml", "application/rdf+xml"),
        ("json-ld", "application/ld+json"),
        ("n3", "text/n3"),
    ],
)
def test_sparqlwrapper_construct(endpoint: str, fmt: str, media_type: str) -> None:
    client = wrapper(
        endpoint, PREFIXES + "CONSTRUCT WHERE { ?s a sse:Network ; schema:name ?name }"
    )
    client.setReturnFormat(fmt)
    response = client.query()
    assert response.info()["content-type"].split(";")[0] == media_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = response.convert()
    if not isinstance(graph, rdflib.Graph):  # SPARQLWrapper hands some formats back as bytes
        graph = rdflib.Graph().parse(
            data=graph,
            format={"text/turtle": "turtle", "text/n3": "n3", "application/ld+json": "json-ld"}.get(
                media_type, "xml"
            ),
        )
    assert len(set(graph.subjects(rdflib.RDF.type, SSE.Network))) == 3


def test_sparqlwrapper_ask_and_refusals(endpoint: str) -> None:
    client = wrapper(endpoint, PREFIXES + "ASK { ?s a sse:Initiative }")
    client.setReturnFormat(SPARQLWrapper.JSON)
    assert client.query().convert()["boolean"] is True
    client = wrapper(endpoint, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(
        SPARQLWrapper.SPARQLExceptions.QueryBadFormed, match="SERVICE is not allowed"
    ):
        client.query()
    client = wrapper(endpoint, "INSERT DATA { <http://a> <http://b> <http://c> }")
    client.setMethod(SPARQLWrapper.POST)
    with pytest.raises(SPARQLWrapper.SPARQLExceptions.QueryBadFormed, match="read-only"):
        client.query()


def test_sparqlstore_reads_the_example_data(endpoint: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
    rows = list(graph.query(NETWORKS))
    assert len(rows) == 3
    assert {str(row.name) for row in rows} >= {"Atlantic Solidarity Economy Network"}
    initiatives = set(graph.subjects(rdflib.RDF.type, SSE.Initiative))
    assert len(initiatives) == 30
    some = sorted(initiatives)[0]
    assert graph.value(some, SCHEMA.name) is not None
    assert graph.query(PREFIXES + "ASK { ?s a sse:Network }").askAnswer is True
    described = graph.query(f"DESCRIBE <{some}>").graph
    assert (some, rdflib.RDF.type, SSE.Initiative) in described


def test_sparqlupdatestore_is_refused_with_400(endpoint: str) -> None:
    store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint)
    with pytest.raises(urllib.error.HTTPError) as refused:
        store.update("INSERT DATA { <http://a> <http://b> <http://c> }")
    assert refused.value.code == 400
    assert b"read-only" in refused.value.read()
    graph = rdflib.Graph(store=SPARQLStore(endpoint))
    assert graph.query("ASK { <http://a> ?p ?o }").askAnswer is False
