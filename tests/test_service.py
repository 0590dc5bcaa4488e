"""The application as a whole: health, structured request logs, OpenAPI, JSON errors."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(store_path=None))) as test_client:
        yield test_client


def test_health_reports_the_store(client):
    answer = client.get("/health").json()
    assert answer["status"] == "ok" and answer["graphs"] >= 20 and answer["triples"] > 10_000


def test_every_request_is_logged_as_one_json_line_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="ssevalidate.service"):
        response = client.get("/health", headers={"X-Request-Id": "abc123"})
    assert response.headers["X-Request-Id"] == "abc123"
    entry = json.loads(caplog.records[-1].getMessage())
    assert entry["request_id"] == "abc123"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/health", 200)
    assert entry["ms"] >= 0


def test_openapi_documents_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/validate", "/sparql", "/health"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_unknown_path_is_a_json_404(client):
    response = client.get("/no/such/thing", headers={"accept": "application/json"})
    assert response.status_code == 404
    assert "error" in response.json()
