"""The SEA standard CSV importer (versions 1 to 4) on the real exports of ../shared/anchors and
on small files written here, the ``convert`` command, and what every importer shares: reading
bytes (``importers.reading``) and turning values into SSE terms (``importers.values``)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from conftest import anchor
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

import ssevalidate
from ssevalidate.importers import coops_uk, geojson, murmurations, mykomap, sse_csv
from ssevalidate.importers.conversion import Conversion, table_origin
from ssevalidate.importers.reading import csv_rows, default_base, json_document
from ssevalidate.importers.sea_csv import convert
from ssevalidate.importers.values import (
    COMPANIES_HOUSE,
    account_page,
    add_concept,
    companies_house_number,
    company_number,
    coordinate,
    http_iri,
    web_address,
)
from ssevalidate.namespaces import SSE
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import reconciler

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


# ------------------------------------------------------------------- shared by every importer

CSV_IMPORTERS = [convert, sse_csv.convert, coops_uk.convert]
JSON_IMPORTERS = [mykomap.convert, murmurations.convert, geojson.convert]


@pytest.mark.parametrize("importer", CSV_IMPORTERS + JSON_IMPORTERS)
def test_every_importer_refuses_text_that_is_not_utf8_at_its_character(importer):
    # Line 2: two two-byte characters, a quote or comma, then a Latin-1 byte.
    data = (
        b'{"name":\n"\xc3\xa9\xc3\xa9\xff"}'
        if importer in JSON_IMPORTERS
        else b"a,b\n\xc3\xa9\xc3\xa9,\xff\n"
    )
    with pytest.raises(InputError) as refused:
        importer(data, name="latin1")
    assert (refused.value.line, refused.value.column) == (2, 4)
    assert str(refused.value).startswith("latin1:2:4: not UTF-8 text")


@pytest.mark.parametrize("importer", CSV_IMPORTERS)
def test_every_csv_importer_refuses_utf16_broken_csv_and_a_file_without_header(importer):
    with pytest.raises(InputError, match="UTF-16 text: save the spreadsheet as CSV UTF-8"):
        importer("Identifier,Name\n".encode("utf-16"), name="t.csv")
    with pytest.raises(InputError, match="unreadable CSV: field larger than field limit"):
        importer(b"Identifier,Name\n1," + b"x" * 200_000 + b"\n", name="t.csv")
    for empty in (b"", b" , \n1,Coop\n"):
        with pytest.raises(InputError, match="empty file: the first row must be the header"):
            importer(empty, name="t.csv")


def test_csv_rows_take_the_delimiter_the_header_has_most_of_and_skip_a_bom():
    assert csv_rows("\ufeffa;b,c;d\n1;2,3;4\n".encode(), "t.csv") == [
        ["a", "b,c", "d"],
        ["1", "2,3", "4"],
    ]
    assert csv_rows(b"a\tb\n1\t2", "t.tsv") == [["a", "b"], ["1", "2"]]


@pytest.mark.parametrize("importer", JSON_IMPORTERS)
def test_every_json_importer_refuses_what_is_no_json_with_where_it_is(importer):
    with pytest.raises(InputError) as syntax:
        importer(b'{"data": [\n  1,,2]}', name="t.json")
    assert (syntax.value.line, syntax.value.column) == (2, 5)
    assert "JSON syntax error" in str(syntax.value)
    with pytest.raises(InputError, match="NaN is not a JSON number"):
        importer(b'{"data": [NaN]}', name="t.json")
    with pytest.raises(InputError, match="JSON nested too deeply to read"):
        importer(b"[" * 100_000 + b"]" * 100_000, name="t.json")


def test_json_document_skips_a_bom_and_keeps_the_digits_written_when_asked():
    data = '\ufeff{"lat": 51.50740, "n": 3}'.encode()
    assert json_document(data, "t.json") == {"lat": 51.5074, "n": 3}
    exact = json_document(data, "t.json", decimals=True)
    assert str(exact["lat"]) == "51.50740" and exact["n"] == 3


def test_the_default_base_is_the_file_uri_of_a_real_file_else_a_urn(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"")
    assert default_base(str(path)) == path.resolve().as_uri() + "#"
    assert default_base(str(tmp_path / "absent.csv")) == "urn:sse:input:"
    assert default_base("<input>") == "urn:sse:input:"


@pytest.mark.parametrize(
    ("text", "iri"),
    [
        (" https://coop.example/a?b=1#c ", "https://coop.example/a?b=1#c"),
        ("HTTP://COOP.EXAMPLE", "HTTP://COOP.EXAMPLE"),
        ("https://coopé.example/café", "https://coopé.example/café"),
        ("https://coop.example/a b", None),  # a space
        ("https://coop.example/a|b", None),  # a character IRIs forbid
        ("https://coop.example/%zz", None),  # a broken escape
        ("http:///path", None),  # no host
        ("http://", None),
        ("ftp://coop.example/", None),
        ("coop.example", None),
        ("mailto:info@coop.example", None),
    ],
)
def test_a_web_address_is_an_absolute_http_iri_the_parse_gate_accepts(text, iri):
    assert http_iri(text) == iri
    expected = URIRef(iri) if iri else Literal(text.strip())
    assert web_address(text) == expected


def test_a_social_account_is_its_own_address_or_a_page_on_its_site():
    site = "https://twitter.com/"
    assert account_page(site, "@coop") == URIRef("https://twitter.com/coop")
    assert account_page("https://twitter.com", "la coop") == URIRef("https://twitter.com/la%20coop")
    own = "https://twitter.com/coop"
    assert account_page(site, f" {own} ") == URIRef(own)


def test_companies_house_numbers_have_eight_characters():
    assert companies_house_number(" 123456 ") == "00123456"
    assert companies_house_number("sc 123456") == "SC123456"
    assert companies_house_number("AB12") == "AB12"  # no zeros invented inside letters
    assert company_number("http://business.data.gov.uk/id/company/123456/") == "00123456"
    assert company_number("https://find-and-update.company-information.service.gov.uk/") is None


@pytest.mark.parametrize(
    ("value", "lexical", "datatype"),
    [
        (" 51.50740 ", "51.50740", XSD.decimal),
        ("-.5", "-0.5", XSD.decimal),
        ("north", "north", None),
        ("1e5", "1e5", None),
        (-0.1275, "-0.1275", XSD.decimal),
        (1e-7, "0.0000001", XSD.decimal),  # no exponent: xsd:decimal has none
        (12, "12", XSD.decimal),
        (Decimal("51.50740"), "51.50740", XSD.decimal),
        (Decimal("1e999999999"), "1E+999999999", None),  # written in full it fills the memory
    ],
)
def test_a_coordinate_is_an_xsd_decimal_when_it_is_a_number(value, lexical, datatype):
    term = coordinate(value)
    assert (str(term), term.datatype) == (lexical, datatype)


def test_a_taxonomy_value_becomes_its_concept_or_stays_text_with_suggestions():
    conversion, matcher = Conversion("test"), reconciler()
    record = URIRef("urn:x:1")
    origin = table_origin("t.csv", 2, "Qualifiers")
    found = add_concept(
        conversion, matcher, record, SSE.qualifier, "Organic", origin, field="Qualifiers"
    )
    assert found is not None and (record, SSE.qualifier, URIRef(found.iri)) in conversion.graph
    missing = add_concept(
        conversion, matcher, record, SSE.qualifier, "Organik", origin, field="Qualifiers"
    )
    assert missing is None and (record, SSE.qualifier, Literal("Organik")) in conversion.graph
    (problem,) = conversion.problems
    assert problem.origin == origin
    assert problem.message.startswith(
        "Qualifiers 'Organik' is no known concept of the qualifiers taxonomy (did you mean: "
    )
    assert problem.message.endswith(": kept as text")
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (1, 1)


def test_a_taxonomy_value_may_be_looked_up_as_another_word_but_is_kept_as_written():
    conversion, matcher = Conversion("test"), reconciler()
    identifier = BNode()
    origin = table_origin("t.csv", 2, "Registrar")
    found = add_concept(
        conversion,
        matcher,
        identifier,
        SSE.identifierScheme,
        "Companies House",
        origin,
        field="Registrar",
        lookup="companies-house",
    )
    assert found is not None and URIRef(found.iri) == COMPANIES_HOUSE
    add_concept(
        conversion,
        matcher,
        identifier,
        SSE.identifierScheme,
        "Registry of Atlantis",
        origin,
        field="Registrar",
        lookup="atlantis-register",
    )
    assert Literal("Registry of Atlantis") in set(conversion.graph.objects(identifier, None))
    assert "'Registry of Atlantis' is no known concept of the identifier-schemes" in (
        conversion.problems[0].message
    )
