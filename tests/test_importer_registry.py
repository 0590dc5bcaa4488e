"""The importer registry: which dialect a file is, gzip at the gate, and where results point."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import FIXTURES, anchor
from fastapi.testclient import TestClient
from rdflib import Graph

import ssevalidate
from service.app import create_app
from service.settings import Settings
from ssevalidate.importers import dialect_of, gunzip, importer_name, importer_of_file
from ssevalidate.importers.conversion import Conversion, describe, json_origin, table_origin
from ssevalidate.parsegate import InputError
from ssevalidate.render.text import render_text
from ssevalidate.report import Report, Result, place, sort_key

SEA_HEADER = b"Identifier,Name,Description,Organisational Structure\n17,Coop,,\n"
COOPS_UK_HEADER = b'"CUK Organisation ID","Registered Number","Registrar"\n"R1","1","FCA"\n'


@pytest.mark.parametrize(
    ("data", "name", "hint", "expected"),
    [
        (SEA_HEADER, "export.csv", None, "sea-csv"),
        (SEA_HEADER.replace(b",", b";"), "export.txt", None, "sea-csv"),
        (COOPS_UK_HEADER, "open_data.csv", None, "coops-uk"),
        (b"id,name,description\nx,Coop,\n", "mine.csv", None, "sse-csv"),
        (b"id,name,description\nx,Coop,\n", "<input>", "text/csv", "sse-csv"),
        (b'{"type": "FeatureCollection", "features": []}', "x.json", None, "geojson"),
        (b'{"linked_schemas": ["organizations_schema-v1.0.0"]}', "p.json", None, "murmurations"),
        (
            b'{"data": [{"profile_url": "https://a.example/p.json"}]}',
            "<input>",
            None,
            "murmurations",
        ),
        (
            b'{"status": "success", "data": [{"uri": "https://x.example/1"}]}',
            "c.json",
            None,
            "mykomap",
        ),
        (b'{"@context": {"type": "@type"}, "type": "Feature"}', "x.json", None, None),
        (b'[{"@id": "https://x.example/1"}]', "x.json", None, None),
        (b"@prefix sse: <https://w3id.org/sse/vocab/> .\n", "<input>", None, None),
        (b'<a> <b> "1, 2, 3" .\n', "<input>", None, None),
        (b'ex:a ex:b "1, 2, 3" .\n', "data.ttl", None, None),
        (b"anything", "x.geojson", None, "geojson"),
        (b"anything", "x.ttl", "murmurations", "murmurations"),
        (gzip.compress(SEA_HEADER), "export.csv.gz", None, "sea-csv"),
    ],
)
def test_dialect_is_told_from_name_hint_and_first_bytes(data, name, hint, expected):
    assert dialect_of(data, name, hint) == expected


def test_format_names_and_extensions():
    assert importer_name("text/csv; charset=utf-8") == "csv"
    assert importer_name("application/geo+json") == "geojson"
    assert importer_name("SEA-CSV") == "sea-csv"
    assert importer_name("turtle") is None
    assert importer_of_file("Data.GeoJSON.gz") == "geojson"
    assert importer_of_file("data.ttl") is None


def test_gzip_is_expanded_and_damage_is_named():
    assert gunzip(gzip.compress(b"hello"), "x.gz") == b"hello"
    assert gunzip(b"plain", "x") == b"plain"
    with pytest.raises(InputError, match=r"x\.gz: truncated gzip"):
        gunzip(gzip.compress(b"hello" * 1000)[:-12], "x.gz")
    with pytest.raises(InputError, match=r"x\.gz: damaged gzip"):
        gunzip(b"\x1f\x8b" + b"\x00" * 30, "x.gz")


def test_a_small_gzip_that_expands_past_the_limit_is_refused():
    bomb = gzip.compress(b"\0" * (1 << 20))
    assert len(bomb) < 2000
    with pytest.raises(InputError, match="expands to more than"):
        gunzip(bomb, "bomb.gz", limit=1 << 16)


def test_a_result_points_at_its_own_cell_or_json_member():
    table = Conversion("sea-csv", fields={"http://schema.org/name": "Name"})
    table.add_record("urn:x:1", table_origin("e.csv", 5, "Identifier"))
    assert table.origin_of("urn:x:1", "http://schema.org/name") == table_origin("e.csv", 5, "Name")
    assert table.origin_of("urn:x:1", "http://schema.org/url") == table_origin(
        "e.csv", 5, "Identifier"
    )
    assert table.origin_of("urn:x:2") is None
    feed = Conversion("geojson", fields={"http://schema.org/name": "properties/name"})
    feed.add_record("urn:y:1", json_origin("f.json", "/features/3"))
    assert feed.origin_of("urn:y:1", "http://schema.org/name") == json_origin(
        "f.json", "/features/3/properties/name"
    )
    assert describe(json_origin("f.json", "/features/3")) == "f.json#/features/3"
    assert describe(table_origin("e.csv", 5, "Name")) == "e.csv:5:Name"
    assert table.records == feed.records == 1


def _result(origin: dict | None, record: str = "urn:r") -> Result:
    return Result(
        severity="Violation",
        focus=record,
        focus_label="Coop",
        record=record,
        path="schema:name",
        field="Name",
        value=None,
        component="sh:MinCountConstraintComponent",
        shape="urn:shape",
        message="missing",
        hint=None,
        origin=origin,
        finding=None,
    )


def test_results_sort_in_source_order_whatever_the_kind_of_place():
    pointers = [json_origin("f.json", f"/features/{n}") for n in (10, 9, 100)]
    ordered = sorted((_result(o, f"urn:{i}") for i, o in enumerate(pointers)), key=sort_key)
    assert [r.origin["pointer"] for r in ordered] == [
        "/features/9",
        "/features/10",
        "/features/100",
    ]
    mixed = [_result(None, "urn:a"), _result({"file": "f.json", "line": 3}, "urn:b")]
    assert [r.record for r in sorted(mixed, key=sort_key)] == ["urn:a", "urn:b"]
    assert place({"file": "f", "row": 4, "column": "Name"}) == ("row", 4)
    assert place(None) is None


def test_the_text_report_names_the_json_pointer():
    report = Report(
        profile="core",
        engine="fast",
        lang="en",
        records=1,
        results=[_result(json_origin("f.json", "/features/3"))],
        shapes=None,
    )
    assert "(f.json, /features/3)" in render_text(report)


# --- end to end: the command line and the service read every dialect -------------------------


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ssevalidate.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_convert_tells_the_dialect_and_writes_murmurations_profiles(tmp_path):
    out = tmp_path / "profiles.json"
    run = _run(
        "convert",
        str(anchor("data", "sea-ica-standard-v3-2021.csv")),
        "--to",
        "murmurations",
        "-o",
        str(out),
    )
    assert run.returncode == 0, run.stderr
    assert "316 records read (sea-csv), 316 converted" in run.stderr
    profiles = json.loads(out.read_text(encoding="utf-8"))
    assert len(profiles) == 316
    assert all(p["linked_schemas"] == ["organizations_schema-v1.0.0"] for p in profiles)


def test_convert_reads_gzip_geojson_and_refuses_what_it_cannot_tell(tmp_path):
    run = _run(
        "convert",
        str(anchor("data", "susy-transformap-ssedas-data.geojson.gz")),
        "--to",
        "nt",
        "-o",
        str(tmp_path / "susy.nt"),
    )
    assert run.returncode == 0, run.stderr
    assert "1794 records read (geojson), 1794 converted" in run.stderr
    assert Graph().parse(tmp_path / "susy.nt", format="nt")
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just words\n", encoding="utf-8")
    refused = _run("convert", str(unknown))
    assert refused.returncode == 2
    assert f"{unknown}: cannot tell the format" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_validate_points_into_json_exports():
    report = ssevalidate.validate(str(FIXTURES / "importers" / "murmurations-broken.json"))
    assert report.violations > 0
    pointers = [r.origin["pointer"] for r in report.results if r.origin]
    assert pointers and all(p.startswith("/") for p in pointers)
    schema = json.loads(
        (Path(ssevalidate.__file__).parent / "report.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(report.to_dict(), schema)


@pytest.fixture(scope="module")
def service():
    app = create_app(Settings(store_path=None, load_examples=False), routers=["validate"])
    with TestClient(app) as client:
        yield client


def test_the_service_takes_geojson_and_murmurations_bodies(service):
    geojson = (FIXTURES / "importers" / "geojson-keys.geojson").read_bytes()
    response = service.post(
        "/validate", content=geojson, headers={"Content-Type": "application/geo+json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["records"] >= 1
    profile = (FIXTURES / "importers" / "murmurations-broken.json").read_bytes()
    answer = service.post(
        "/validate", content=profile, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 200, answer.text
    origins = [r["origin"] for r in answer.json()["results"] if r["origin"]]
    assert origins and all("pointer" in o for o in origins)


def test_the_service_reads_an_uploaded_json_export_by_its_keys(service):
    data = (FIXTURES / "importers" / "murmurations-profile.json").read_bytes()
    response = service.post("/validate", files={"file": ("profile.json", data, "application/json")})
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["records"] == 1
