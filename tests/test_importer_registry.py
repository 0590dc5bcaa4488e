"""The importer registry: which dialect a file is, gzip at the gate, and where results point."""

from __future__ import annotations

import gzip

import pytest

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
