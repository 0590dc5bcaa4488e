"""The Co-operatives UK open dataset importer on the real sample of ../shared/anchors and on a
small file written here (a multi-line cell, an unknown registrar, a bad date, rows to skip)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import FIXTURES, anchor
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

import ssevalidate
from ssevalidate.importers.coops_uk import COLUMNS, ROV, convert
from ssevalidate.namespaces import GR, SCHEMA, SSE, VCARD, concept_iri
from ssevalidate.parsegate import InputError

EDGE_CASES = FIXTURES / "importers" / "coops-uk-edge-cases.csv"
BASE = "https://coops.example/"
SIC_HIERARCHY = {c for c in COLUMNS if c.startswith("SIC") and c != "SIC Code"}
"""Columns that follow from the SIC Code (its section, its levels and their titles)."""


def _convert(path: Path = EDGE_CASES):
    return convert(path.read_bytes(), name=path.name, base=BASE)


def _validate(conversion):
    data = conversion.graph.serialize(format="nt").encode()
    return ssevalidate.validate(data, format="nt", profile="core")


def _where(conversion) -> set[tuple[int, str]]:
    return {(p.origin["row"], p.origin["column"]) for p in conversion.problems}


def test_each_column_becomes_its_property():
    conversion = _convert()
    graph = conversion.graph
    record = URIRef(BASE + "R1")
    assert (record, RDF.type, SSE.Initiative) in graph
    assert graph.value(record, SCHEMA.name) == Literal("Mill Lane Co-op")
    assert graph.value(record, SCHEMA.legalName) == Literal(
        "Mill Lane Co-operative Society Limited"
    )
    concepts = {
        SSE.legalForm: concept_iri("legal-form", "L2"),
        SSE.baseMembershipType: concept_iri("base-membership-type", "BMT10"),
        SSE.status: concept_iri("status", "active"),
        SSE.primaryActivity: concept_iri("activities", "a07"),  # section G: retail
    }
    for predicate, concept in concepts.items():
        assert graph.value(record, predicate) == URIRef(concept), predicate
    assert graph.value(record, GR.category) == Literal("Retail")
    sic = graph.value(record, ROV.orgActivity)
    assert graph.value(sic, SKOS.notation) == Literal("UKSIC07-4711")
    assert str(graph.value(sic, SKOS.prefLabel)).startswith("Retail sale in non-specialised")
    address = graph.value(record, VCARD.hasAddress)
    assert {str(p): str(o) for p, o in graph.predicate_objects(address) if p != RDF.type} == {
        str(VCARD["street-address"]): "Unit 1\nMill Lane",
        str(VCARD.locality): "Leeds",
        str(VCARD.region): "West Yorkshire",
        str(VCARD["postal-code"]): "LS1 1AA",
        str(VCARD["country-name"]): "England",
        str(SSE.country): concept_iri("countries", "GB"),
    }
    assert graph.value(record, SCHEMA.foundingDate) == Literal(date(1863, 8, 11))
    # Every column but the record's ID and those the SIC code implies points at its own cell.
    assert set(conversion.fields.values()) | SIC_HIERARCHY == set(COLUMNS) - {"CUK Organisation ID"}
    assert conversion.origin_of(str(record), str(SSE.status)) == {
        "file": EDGE_CASES.name,
        "row": 2,
        "column": "Registered Status",
    }


def test_a_multiline_cell_does_not_shift_the_rows_that_follow():
    conversion = _convert()
    rows = {record: origin["row"] for record, origin in conversion.origins.items()}
    assert rows == {BASE + "R1": 2, BASE + "R2": 3, BASE + "R3": 4}


def test_identifiers_are_typed_by_their_register():
    conversion = _convert()
    graph = conversion.graph

    def identifier(record: str):
        node = graph.value(URIRef(BASE + record), SSE.identifier)
        return str(graph.value(node, SKOS.notation)), graph.value(node, SSE.identifierScheme)

    assert identifier("R1") == (
        "12345R",
        URIRef(concept_iri("identifier-schemes", "fca-mutuals-register")),
    )
    # Companies House numbers get back the leading zero a spreadsheet dropped.
    assert identifier("R3") == (
        "01234567",
        URIRef(concept_iri("identifier-schemes", "companies-house")),
    )
    # A register no scheme stands for: the number is kept, the registrar stays text and is reported.
    assert identifier("R2") == ("GY123", Literal("Guernsey Registry"))
    assert (3, "Registrar") in _where(conversion)
    report = _validate(conversion)
    assert {(r.record, r.path) for r in report.results} >= {(BASE + "R2", "sse:identifierScheme")}


def test_dates_are_typed_and_a_bad_date_is_kept_and_reported_at_its_cell():
    conversion = _convert()
    graph = conversion.graph
    closed = URIRef(BASE + "R3")
    assert graph.value(closed, SCHEMA.foundingDate) == Literal(date(2012, 7, 6))
    assert graph.value(closed, SCHEMA.dissolutionDate) == Literal(date(2016, 4, 1))
    assert graph.value(closed, SSE.status) == URIRef(concept_iri("status", "closed"))
    assert graph.value(URIRef(BASE + "R2"), SCHEMA.foundingDate) == Literal("31/2/2010")
    assert (3, "Incorporation Date") in _where(conversion)
    report = _validate(conversion)
    bad_date = [r for r in report.results if r.path == "schema:foundingDate"]
    assert {r.record for r in bad_date} == {BASE + "R2"}
    origin = conversion.origin_of(bad_date[0].record, str(bad_date[0].finding.path))
    assert (origin["row"], origin["column"]) == (3, "Incorporation Date")


def test_rows_to_skip_and_unknown_columns_are_reported_once():
    conversion = _convert()
    assert (conversion.records, len(conversion.origins)) == (5, 3)
    where = _where(conversion)
    assert (1, "Notes") in where
    assert [p.origin["column"] for p in conversion.problems].count("Notes") == 1
    assert {(5, "CUK Organisation ID"), (6, "CUK Organisation ID")} <= where
    # The duplicate row did not merge into the first record.
    names = set(conversion.graph.objects(URIRef(BASE + "R1"), SCHEMA.legalName))
    assert names == {Literal("Mill Lane Co-operative Society Limited")}


def test_export_words_our_taxonomies_lack_are_read_as_the_concepts_they_mean():
    graph = _convert().graph
    tutors, bakers = URIRef(BASE + "R3"), URIRef(BASE + "R2")
    assert graph.value(tutors, SSE.legalForm) == URIRef(concept_iri("legal-form", "L5"))
    assert graph.value(tutors, SSE.baseMembershipType) == URIRef(
        concept_iri("base-membership-type", "BMT20")
    )
    assert graph.value(tutors, SSE.primaryActivity) == URIRef(concept_iri("activities", "a16"))
    assert graph.value(bakers, SSE.primaryActivity) == URIRef(concept_iri("activities", "a09"))
    guernsey = graph.value(graph.value(bakers, VCARD.hasAddress), SSE.country)
    assert guernsey == URIRef(concept_iri("countries", "GG"))


def test_a_code_outside_uk_sic_2007_is_kept_and_reported():
    header = ",".join(f'"{column}"' for column in COLUMNS)
    cells = dict.fromkeys(COLUMNS, "")
    cells.update({"CUK Organisation ID": "X1", "Registered Name": "X", "SIC Code": "UKSIC07-04"})
    data = f"{header}\n" + ",".join(f'"{cells[c]}"' for c in COLUMNS) + "\n"
    conversion = convert(data.encode(), name="x.csv", base=BASE)
    assert conversion.graph.value(URIRef(BASE + "X1"), SSE.primaryActivity) == Literal("UKSIC07-04")
    assert conversion.cells_unresolved == 1 and _where(conversion) == {(2, "SIC Code")}


def test_a_file_that_is_not_the_export_is_refused_at_its_header():
    with pytest.raises(InputError) as refused:
        convert(b"Registered Name,Town\nA,B\n", name="other.csv")
    assert refused.value.line == 1 and "CUK Organisation ID" in str(refused.value)


def test_the_real_sample_converts_and_conforms():
    path = anchor("data", "coops-uk-2017-open_data_organisations-sample.csv")
    conversion = convert(path.read_bytes(), name=path.name, base=BASE)
    assert (conversion.records, len(conversion.origins)) == (17, 17)
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (94, 3)
    # The three unresolved cells are "Community of Interest": no membership type means that.
    unresolved = [p for p in conversion.problems if "no known concept" in p.message]
    assert {p.origin["column"] for p in unresolved} == {"Ownership Classification"}
    assert conversion.origins[BASE + "R000015"] == {
        "file": path.name,
        "row": 5,  # after two multi-line cells
        "column": "CUK Organisation ID",
    }
    graph = conversion.graph
    companies_house = URIRef(concept_iri("identifier-schemes", "companies-house"))
    numbers = {
        str(graph.value(node, SKOS.notation))
        for node in graph.subjects(SSE.identifierScheme, companies_house)
    }
    assert "08133727" in numbers and all(len(n) == 8 for n in numbers)
    # Characters lost before the export (U+FFFD) are pointed out cell by cell.
    assert (18, "Registered Postcode") in _where(conversion)
    report = _validate(conversion)
    failing = {result.record for result in report.results}
    assert report.records == 17
    assert len(failing) == conversion.cells_unresolved == 3  # 14 of 17 records conform
