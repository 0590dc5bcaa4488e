"""The SPARQL page for researchers: every example query runs and shows rows; errors are shown."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.routes.query import EXAMPLES
from service.settings import Settings


@pytest.fixture(scope="module")
def client():
    with TestClient(
        create_app(Settings(store_path=None), routers=["sparql", "query"])
    ) as test_client:
        yield test_client


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_runs_and_shows_a_table(client, name):
    form = client.get("/query", params={"example": name})
    assert form.status_code == 200
    assert "<textarea" in form.text and "SELECT" in form.text
    answer = client.get("/query", params={"query": EXAMPLES[name]})
    assert answer.status_code == 200
    assert '<table class="results">' in answer.text


def test_counting_examples_return_rows(client):
    for name in ("per-country-activity", "per-source-licence"):
        answer = client.get("/query", params={"query": EXAMPLES[name]})
        assert answer.text.count("<tr>") >= 2, f"{name} returned no rows"


def test_networks_example_lists_the_three_networks(client):
    answer = client.get("/query", params={"query": EXAMPLES["networks"]})
    assert answer.text.count("<tr>") == 4  # header and three networks
    assert "https://directory.example/initiative/rede-atlantica" in answer.text


def test_refused_and_broken_queries_are_explained(client):
    refused = client.get(
        "/query", params={"query": "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }"}
    )
    assert refused.status_code == 400 and "SERVICE" in refused.text
    broken = client.get("/query", params={"query": "SELECT WHERE {"})
    assert broken.status_code == 400 and 'role="alert"' in broken.text


def test_page_speaks_french(client):
    assert "Exemples de requêtes" in client.get("/query", params={"lang": "fr"}).text
