"""The SEA standard CSV importer (versions 1 to 4) on the real exports of ../shared/anchors and
on small files written here, and the ``convert`` command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import anchor
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

import ssevalidate
from ssevalidate.importers.sea_csv import convert
from ssevalidate.namespaces import SSE
from ssevalidate.parsegate import InputError

V1_HEADER = (
    "Identifier,Name,Description,Organisational Structure,Primary Activity,Activities,"
    "Street Address,Locality,Region,Postcode,Country Name,Website,Phone,Email,Twitter,Facebook,"
    "Companies House Number,Latitude,Longitude,Geo Container,Geo Container Latitude,"
    "Geo Container Longitude"
)


def test_the_ica_export_converts_with_its_taxonomy_cells_reconciled():
    path = anchor("data", "sea-ica-standard-v3-2021.csv")
    conversion = convert(path.read_bytes(), name=path.name, base="https://ica.example/")
    assert (conversion.version, conversion.records) == (3, 316)
    taxonomy_problems = [p for p in conversion.problems if "Country" not in p.origin["column"]]
    assert taxonomy_problems == []  # every label: Co-operative, All, Other services...
    total = conversion.cells_reconciled + conversion.cells_unresolved
    assert conversion.cells_reconciled / total >= 0.95
    assert conversion.origins["https://ica.example/17"] == {
        "file": path.name,
        "row": 2,
        "column": "Identifier",
    }
    report = ssevalidate.validate(conversion.graph.serialize(format="nt").encode(), format="nt")
    assert report.records == 316
    failing = {result.record for result in report.results}
    # Only the unresolved countries ("International", no country) are reported.
    assert len(failing) == conversion.cells_unresolved == 4


def test_the_workers_coop_export_with_a_duplicated_header_converts():
    path = anchor("data", "dcc-workers-coop-2023-06-23_wc_converted.csv")
    conversion = convert(path.read_bytes(), name=path.name, base="https://wc.example/")
    assert (conversion.version, conversion.records) == (4, 387)
    assert conversion.cells_unresolved == 0
    extra = {p.origin["column"] for p in conversion.problems}
    assert "Legal Form Subcategory 1" in extra and "SIC Code" in extra
    assert all(p.origin["row"] == 1 for p in conversion.problems)
    notations = {str(n) for n in conversion.graph.objects(None, SKOS.notation)}
    assert "04711097" in notations
    assert all(len(n) == 8 for n in notations)


def test_version_1_with_semicolons_a_bom_a_typo_and_a_short_registry_number():
    text = (
        V1_HEADER.replace(",", ";")
        + "\n"
        + ";".join(
            [
                "a1",
                "Cooperativa Uno",
                "",
                "Workers cooperative",
                "Agriculture",
                "Agricultre",
                "Calle 1",
                "Lima",
                "",
                "",
                "Peru",
                "coop.example",
                "",
                "a@coop.example",
                "@coop",
                "",
                "123",
                "-12.05",
                "-77.04",
                "",
                "",
                "",
            ]
        ).replace("Agriculture, Fishing, Forestry", "Agricultre")
        + "\n"
    )
    conversion = convert(("\ufeff" + text).encode(), name="v1.csv", base="https://v1.example/")
    record = URIRef("https://v1.example/a1")
    graph = conversion.graph
    assert conversion.version == 1
    assert (record, RDF.type, SSE.Initiative) in graph
    assert (record, SSE.organisationalStructure, None) in graph
    assert str(graph.value(record, SSE.organisationalStructure)).endswith("/OS60")
    assert str(graph.value(record, SSE.activity)).startswith("https://w3id.org/sse/taxonomy/")
    assert (record, URIRef("http://schema.org/url"), Literal("coop.example")) in graph
    assert (record, URIRef("http://schema.org/sameAs"), URIRef("https://twitter.com/coop")) in graph
    identifier = graph.value(record, SSE.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal("00000123")


def test_a_value_no_taxonomy_knows_is_kept_and_reported_with_its_cell():
    header = V1_HEADER + ",Qualifiers"
    row = "b2,Coop," + "," * 3 + "Teleportation" + "," * 16 + ",Fairtrade;Nonsense value"
    conversion = convert(f"{header}\n{row}\n".encode(), name="v2.csv", base="https://v2.example/")
    assert conversion.version == 2
    record = URIRef("https://v2.example/b2")
    kept = set(conversion.graph.objects(record, SSE.qualifier))
    assert Literal("Nonsense value") in kept and len(kept) == 2
    where = {(p.origin["row"], p.origin["column"]) for p in conversion.problems}
    assert where == {(2, "Activities"), (2, "Qualifiers")}


def test_a_file_that_is_not_an_sea_csv_is_refused_at_its_header():
    with pytest.raises(InputError) as refused:
        convert(b"name,town\nA,B\n", name="other.csv")
    assert refused.value.line == 1 and "Identifier" in str(refused.value)


def test_convert_command_writes_turtle_and_reports_problems(tmp_path):
    path = anchor("data", "sea-ica-standard-v3-2021.csv")
    output = tmp_path / "ica.ttl"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ssevalidate.cli",
            "convert",
            str(path),
            "-o",
            str(output),
            "--base",
            "https://ica.example/",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert f"{path}:72:Country Name:" in run.stderr
    graph = Graph().parse(output, format="turtle")
    assert len(set(graph.subjects(RDF.type, SSE.Initiative))) == 316


def test_validate_reads_the_csv_and_points_at_row_and_column():
    path = anchor("data", "sea-ica-standard-v3-2021.csv")
    report = ssevalidate.validate(str(path))
    assert report.records == 316 and report.violations == 8
    origins = {(r.origin["row"], r.origin["column"]) for r in report.results}
    assert (72, "Country Name") in origins
    schema = json.loads(
        (Path(ssevalidate.__file__).parent / "report.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(report.to_dict(), schema)
    from_bytes = ssevalidate.validate(path.read_bytes(), format="sea-csv")
    assert len(from_bytes.results) == len(report.results)


def test_a_csv_that_is_not_utf8_is_refused_at_the_byte():
    data = V1_HEADER.encode() + b"\nx1,Caf\xe9 Coop\n"
    with pytest.raises(InputError) as refused:
        convert(data, name="latin1.csv")
    assert (refused.value.line, refused.value.column) == (2, 7)  # x1,Caf then the é byte
    assert "UTF-8" in str(refused.value)
