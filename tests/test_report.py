"""The report: its JSON schema, languages, grouping by record, fix hints, and every renderer."""

from __future__ import annotations

import csv
import io
import json
from importlib.resources import files

import jsonschema
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from ssevalidate import validate
from ssevalidate.i18n import keys
from ssevalidate.namespaces import LANGUAGES
from ssevalidate.render import OUTPUTS, render

PREFIXES = """
@prefix sse: <https://w3id.org/sse/vocab/> .
@prefix schema: <http://schema.org/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix os: <https://w3id.org/sse/taxonomy/organisational-structure/> .
@prefix ica: <https://w3id.org/sse/taxonomy/activities-ica/> .
"""


def check(body: str, profile: str = "core", lang: str = "en"):
    return validate((PREFIXES + body).encode(), profile, format="turtle", lang=lang)


def only(report, component: str):
    found = [result for result in report.results if result.component == component]
    assert found, [(r.component, r.message) for r in report.results]
    return found[0]


SCHEMA = json.loads(files("ssevalidate").joinpath("report.schema.json").read_text(encoding="utf-8"))


def test_json_output_follows_the_published_schema():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:foundingDate "2019-13-45"^^xsd:date .'
    )
    document = json.loads(render(report, "json"))
    jsonschema.validate(document, SCHEMA)
    assert document["conforms"] is False
    assert document["summary"]["records"] == 1
    assert document["summary"]["violations"] == len(document["results"]) >= 2
    assert document["engine"] == "fast"


def test_missing_name_is_a_violation_on_the_record():
    report = check("<https://e.org/a> a sse:Initiative .")
    result = only(report, "sh:MinCountConstraintComponent")
    assert (result.severity, result.focus, result.record, result.path) == (
        "Violation",
        "https://e.org/a",
        "https://e.org/a",
        "schema:name",
    )
    assert result.origin == {"file": "<input>", "line": 9, "column": 1}


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_results_point_at_the_line_of_their_record_in_each_file(tmp_path, engine):
    first, second = tmp_path / "first.ttl", tmp_path / "second.ttl"
    nameless = "<https://e.org/{0}> a sse:Initiative .\n"
    named = '<https://e.org/{0}> a sse:Initiative ; schema:name "{0}" .\n'
    first.write_text(PREFIXES + named.format("a") + nameless.format("b"), encoding="utf-8")
    second.write_text(PREFIXES + "\n" + nameless.format("c") + named.format("d"), encoding="utf-8")

    report = validate([str(first), str(second)], engine=engine)

    missing = {r.record: r.origin for r in report.results if r.path == "schema:name"}
    lines = PREFIXES.count("\n")
    assert missing == {
        "https://e.org/b": {"file": str(first), "line": lines + 2, "column": 1},
        "https://e.org/c": {"file": str(second), "line": lines + 2, "column": 1},
    }


def test_messages_follow_the_requested_language_with_english_fallback():
    body = "<https://e.org/a> a sse:Initiative ."
    messages = {
        lang: only(check(body, lang=lang), "sh:MinCountConstraintComponent").message
        for lang in LANGUAGES
    }
    assert len(set(messages.values())) == 4
    assert check(body, lang="de").results[0].message == messages["en"]


def test_taxonomy_label_gets_a_did_you_mean_hint():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; sse:organisationalStructure "Co-operative" .'
    )
    hints = [r.hint for r in report.results if r.path == "sse:organisationalStructure" and r.hint]
    assert hints and "OS115" in hints[0] and "organisational-structure/OS115" in hints[0]
    french = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; sse:organisationalStructure "Co-operative" .',
        lang="fr",
    )
    assert any("Vouliez-vous dire" in (r.hint or "") for r in french.results)


@pytest.mark.parametrize(
    "value",
    [
        "<https://lod.coop/essglobal/2.1/standard/organisational-structure/OS115>",
        '"OS115"',
        '"Cooperatve"',
    ],
)
def test_codes_typos_and_essglobal_iris_get_hints(value):
    report = check(
        f'<https://e.org/a> a sse:Initiative ; schema:name "A" ; sse:organisationalStructure {value} .'
    )
    assert any("OS115" in (r.hint or "") for r in report.results)


def test_concept_of_the_wrong_scheme_is_explained():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; sse:primaryActivity os:OS115 .'
    )
    hint = next(r.hint for r in report.results if r.path == "sse:primaryActivity" and r.hint)
    assert "organisational-structure" in hint


def test_ill_typed_date_says_the_expected_form():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; schema:foundingDate "2019-13-45"^^xsd:date .'
    )
    result = next(r for r in report.results if r.path == "schema:foundingDate")
    assert "YYYY-MM-DD" in result.hint
    slashed = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; schema:foundingDate "14/03/2009" .'
    )
    assert "2009-03-14" in next(r.hint for r in slashed.results if r.path == "schema:foundingDate")


def test_swapped_coordinates_are_spotted():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; geo:lat 120.5 ; geo:long 40.1 .'
    )
    assert "swapped" in next(r.hint for r in report.results if r.path == "geo:lat")


def test_problems_in_a_blank_node_belong_to_their_record():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "Alpha" ; '
        'vcard:hasAddress [ vcard:locality "X", "Y" ] .'
    )
    assert report.results
    assert {r.record for r in report.results} == {"https://e.org/a"}
    assert {r.focus_label for r in report.results} == {"Alpha"}


def test_conforming_data_has_no_results_and_counts_records():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" .\n<https://e.org/b> a sse:Network ; schema:name "B" .'
    )
    assert report.conforms and report.records == 2 and report.results == []


def test_rdf_renderers_give_a_standard_shacl_report():
    report = check('<https://e.org/a> a sse:Initiative ; schema:foundingDate "x"^^xsd:date .')
    for output, fmt in (("turtle", "turtle"), ("jsonld", "json-ld")):
        graph = Graph().parse(data=render(report, output), format=fmt)
        node = graph.value(None, RDF.type, SH.ValidationReport) or next(
            graph.subjects(RDF.type, SH.ValidationReport)
        )
        assert graph.value(node, SH.conforms) == Literal(False)
        assert len(list(graph.objects(node, SH.result))) == len(report.results)


def test_csv_has_one_row_per_result_and_defuses_formulas():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "A" ; schema:email "=HYPERLINK(1)" .'
    )
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert len(rows) == len(report.results) >= 1
    assert all(not row["value"].startswith("=") for row in rows)


def test_text_report_groups_by_record_and_shows_hints():
    report = check(
        '<https://e.org/a> a sse:Initiative ; schema:name "Alpha" ; sse:organisationalStructure "Co-operative" .'
    )
    text = render(report, "text")
    assert "Alpha" in text and "<https://e.org/a>" in text and "Hint:" in text


def test_every_output_renders():
    report = check("<https://e.org/a> a sse:Initiative .")
    for output in OUTPUTS:
        assert render(report, output)


def test_every_language_has_every_text():
    assert all(keys(lang) == keys("en") for lang in LANGUAGES)
