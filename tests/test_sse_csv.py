"""Our CSV template ("sse-csv"): SSE data written into it and read back without loss, the
blank template and its CSVW description in step with the importer, and messy spreadsheets
read the way stewards save them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES, ROOT, anchor
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

import ssevalidate
from ssevalidate.importers import sea_csv
from ssevalidate.importers.sse_csv import (
    LAYOUT,
    TEMPLATE,
    Group,
    convert,
    export,
    unexported,
)
from ssevalidate.namespaces import GEO, SCHEMA, SSE, VCARD
from ssevalidate.parsegate import InputError, read

CSVW = Namespace("http://www.w3.org/ns/csvw#")
TEMPLATE_FILE = ROOT / "ontology" / "csv" / "sse-initiatives-template.csv"
METADATA_FILE = ROOT / "ontology" / "csv" / "sse-initiatives.csv-metadata.json"
FILLED = FIXTURES / "importers" / "sse-csv-filled.csv"
LABELS = FIXTURES / "importers" / "sse-csv-labels.csv"
MESSY = FIXTURES / "importers" / "sse-csv-messy.csv"
BASE = "https://example.org/dir/"


def initiatives(graph: Graph) -> Graph:
    """The initiatives and networks of ``graph`` and the blank nodes under them."""
    described, pending, seen = Graph(), [], set()
    for kind in (SSE.Initiative, SSE.Network):
        pending += list(graph.subjects(RDF.type, kind))
    while pending:
        node = pending.pop()
        if node not in seen:
            seen.add(node)
            for predicate, value in graph.predicate_objects(node):
                described.add((node, predicate, value))
                if isinstance(value, BNode):
                    pending.append(value)
    return described


def conforming(graph: Graph) -> tuple[int, int]:
    """Records validated under core, and how many of them have no result."""
    report = ssevalidate.validate(
        graph.serialize(format="nt").encode(), format="nt", profile="core"
    )
    return report.records, report.records - len({result.record for result in report.results})


def table(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


# ------------------------------------------------------------------------ round trips


def read_with_rdflib(path: Path) -> Graph:
    return Graph().parse(path)  # literals in canonical form: 2026-10-02T08:15:00+00:00


def read_with_the_parse_gate(path: Path) -> Graph:
    return read(path.read_bytes(), name=path.name).graph  # literals as written: …08:15:00Z


@pytest.mark.parametrize("reader", [read_with_rdflib, read_with_the_parse_gate])
def test_the_example_directory_goes_through_the_template_without_loss(reader):
    graph = reader(EXAMPLES / "directory.ttl")
    data = export(graph)
    conversion = convert(data, name="directory.csv")
    assert conversion.records == len(conversion.origins) == 33
    assert conversion.problems == [] and conversion.cells_unresolved == 0
    assert isomorphic(initiatives(graph), conversion.graph)
    assert len(unexported(graph)) == 0
    assert export(conversion.graph) == data
    assert conforming(conversion.graph) == (33, 33)


def test_a_filled_template_reads_back_into_the_same_bytes():
    data = FILLED.read_bytes()
    conversion = convert(data, name=FILLED.name)
    assert conversion.records == 4 and conversion.problems == []
    assert export(conversion.graph) == data
    assert conforming(conversion.graph) == (4, 4)


def test_labels_codes_and_iris_reconcile_to_the_concepts_export_writes_as_codes():
    stewards = convert(LABELS.read_bytes(), name=LABELS.name, base=BASE)
    assert stewards.problems == [] and stewards.cells_unresolved == 0
    assert stewards.cells_reconciled == 35
    assert isomorphic(stewards.graph, convert(FILLED.read_bytes(), name=FILLED.name).graph)
    rows = {row["id"]: row for row in table(FILLED.read_bytes())}
    fournil = rows[BASE + "fournil-pain-commun"]
    # "Workers cooperative", "Cooperative", "Artisans", ".coop domain name" in the labels file.
    assert (fournil["organisationalStructure"], fournil["legalForm"]) == ("OS60", "L2")
    assert (fournil["primaryActivity"], fournil["identifier1.identifierScheme"]) == (
        "ICA60",
        "coop-domain",
    )
    assert fournil["qualifier"] == "Fairtrade;Organic"
    # A concept outside the column's own taxonomy stays an IRI (the JSON-LD context's rule).
    assert fournil["additionalActivity"].endswith("/activities-modified/AM120")
    recicla = rows[BASE + "recicla-leste"]
    assert recicla["primaryActivity"] == "https://w3id.org/sse/taxonomy/activities/a05"
    assert recicla["organisationalStructure"] == "OS60"  # from an ESSGlobal IRI


def test_several_values_an_escaped_semicolon_and_languages():
    graph = convert(FILLED.read_bytes(), name=FILLED.name).graph
    recicla = URIRef(BASE + "recicla-leste")
    assert set(graph.objects(recicla, SSE.objective)) == {
        Literal("Coleta seletiva; triagem"),
        Literal("Renda digna"),
        Literal("Triagem \\ reciclagem"),
    }
    fournil = URIRef(BASE + "fournil-pain-commun")
    assert len(set(graph.objects(fournil, SCHEMA.email))) == 2
    description = {
        value.language: str(value) for value in graph.objects(fournil, SCHEMA.description)
    }
    assert description["fr"].startswith("Boulangerie en SCOP ; pains")  # one value: ; is text
    assert "\n" in description["fr"]
    network = URIRef(BASE + "reseau-alimentaire")
    languages = {value.language for value in graph.objects(network, SCHEMA.name)}
    assert languages == {"en", "fr", "es", "de"}
    assert "name@de" in next(csv.reader(io.StringIO(FILLED.read_text("utf-8"))))


def test_cells_a_spreadsheet_would_run_as_formulas_are_protected_and_read_back():
    rows = {row["id"]: row for row in table(FILLED.read_bytes())}
    recicla = rows[BASE + "recicla-leste"]
    assert recicla["products2.name@pt"] == "'+50% de renda para catadoras"
    assert recicla["lat"] == "-23.5560"  # a number is not a formula
    hertogenbosch = rows["https://other.example/initiatives/1"]
    assert hertogenbosch["address.locality"] == "'s-Hertogenbosch"  # its own apostrophe
    graph = convert(FILLED.read_bytes(), name=FILLED.name).graph
    names = {str(name) for name in graph.objects(None, SCHEMA.name)}
    assert {"+50% de renda para catadoras", "'s-Hertogenbosch Repair Café"} <= names


def test_numbers_dates_and_booleans_keep_their_datatypes():
    from rdflib.namespace import XSD  # here: pytest warns about namespaces at module level

    graph = convert(FILLED.read_bytes(), name=FILLED.name).graph
    record = URIRef("https://other.example/initiatives/1")
    assert graph.value(record, GEO.lat).datatype == XSD.double  # written 5.17E1
    assert graph.value(record, GEO.long).datatype == XSD.decimal
    assert str(graph.value(record, GEO.long)) == "5.30"  # as written
    assert graph.value(record, SCHEMA.foundingDate).datatype == XSD.gYear
    site = graph.value(URIRef(BASE + "fournil-pain-commun"), SSE.hasSite)
    assert graph.value(site, RDF.type) == SSE.SalePoint
    assert graph.value(site, SSE.isMainSalePoint) == Literal(True)
    assert graph.value(site, SSE.isSSESalePoint) == Literal(False)


def test_what_the_template_cannot_carry_is_listed_not_dropped_silently():
    graph = Graph().parse(EXAMPLES / "directory.ttl")
    record = URIRef("https://directory.example/initiative/kanalufer-wohnen")
    graph.add((record, SCHEMA.alternateName, Literal("Kanalufer")))
    graph.add((record, SCHEMA.name, Literal("Zweiter Name", lang="de")))  # one per language
    lost = unexported(graph)
    assert set(lost) == {
        (record, SCHEMA.alternateName, Literal("Kanalufer")),
        (record, SCHEMA.name, Literal("Zweiter Name", lang="de")),
    }


# ------------------------------------------------------------------------ real exports


@pytest.mark.parametrize(
    ("file", "records", "failing"),
    [
        ("sea-ica-standard-v3-2021.csv", 316, 4),
        ("dcc-workers-coop-2023-06-23_wc_converted.csv", 387, 0),
    ],
)
def test_real_directory_exports_go_through_the_template_without_loss(file, records, failing):
    path = anchor("data", file)
    first = sea_csv.convert(path.read_bytes(), name=path.name, base="https://directory.example/")
    data = export(first.graph)
    conversion = convert(data, name="export.csv")
    assert conversion.records == len(conversion.origins) == records
    assert len(unexported(first.graph)) == 0
    assert len(conversion.graph) == len(initiatives(first.graph))
    assert conversion.cells_unresolved == first.cells_unresolved
    assert export(conversion.graph) == data
    validated, conform = conforming(conversion.graph)
    # The ICA export names 4 countries "International": kept as text, reported by the validator.
    assert (validated, validated - conform) == (records, failing)


# ------------------------------------------------------------------------ template and CSVW


def metadata_columns() -> list[dict]:
    return json.loads(METADATA_FILE.read_text("utf-8"))["tableSchema"]["columns"]


def test_the_blank_template_is_the_header_export_writes_for_no_data():
    assert TEMPLATE_FILE.read_bytes() == export(Graph())
    assert next(csv.reader(io.StringIO(TEMPLATE_FILE.read_text("utf-8")))) == list(TEMPLATE)


def test_the_csvw_metadata_describes_the_template_columns():
    header = next(csv.reader(io.StringIO(TEMPLATE_FILE.read_text("utf-8"))))
    columns = [column for column in metadata_columns() if not column.get("virtual")]
    assert [column["titles"] for column in columns] == header
    metadata = json.loads(METADATA_FILE.read_text("utf-8"))
    assert metadata["url"] == TEMPLATE_FILE.name
    assert metadata["tableSchema"]["aboutUrl"] == "{+id}"


def test_the_csvw_columns_say_what_the_converter_does():
    """Property, language and several-values separator of each column, as the importer has them."""
    fields = {}
    for item in LAYOUT:
        for field in item.fields if isinstance(item, Group) else (item,):
            fields[f"{item.key}1.{field.key}" if isinstance(item, Group) else field.key] = field
    for column in metadata_columns()[1:]:
        key, _, language = column["titles"].partition("@")
        field = fields[key]
        assert column["propertyUrl"] == str(field.predicate), key
        assert column.get("separator") == (";" if field.many else None), key
        assert column.get("lang") == (language or None), key
        assert column["dc:description"], key


def test_the_csvw_metadata_is_json_ld_rdflib_parses():
    document = json.loads(METADATA_FILE.read_text("utf-8"))
    # A CSVW document names the W3C context by its IRI; rdflib would fetch it. Nothing is
    # fetched in tests: a stand-in puts every term in the CSVW namespace, as that context does.
    assert document["@context"][0] == "http://www.w3.org/ns/csvw"
    document["@context"] = [
        {"@vocab": str(CSVW), "dc": "http://purl.org/dc/terms/"},
        *document["@context"][1:],
    ]
    graph = Graph().parse(data=json.dumps(document), format="json-ld", base=METADATA_FILE.as_uri())
    titles = {str(title) for title in graph.objects(None, CSVW.titles)}
    assert titles == set(TEMPLATE)
    assert len(set(graph.subjects(CSVW.propertyUrl, None))) == len(TEMPLATE) - 1  # all but id


# ------------------------------------------------------------------------ messy input


def test_a_semicolon_file_with_a_bom_a_duplicated_header_and_empty_rows():
    conversion = convert(MESSY.read_bytes(), name=MESSY.name, base=BASE)
    assert conversion.records == 3  # the row without an id was read, not converted
    assert conversion.origins == {
        BASE + "a1": {"file": MESSY.name, "row": 2, "column": "id"},
        BASE + "a2": {"file": MESSY.name, "row": 5, "column": "id"},  # rows, not lines
    }
    places = [(p.origin["row"], p.origin["column"]) for p in conversion.problems]
    assert places == [(1, "Website"), (1, "name"), (4, "id"), (5, "qualifier"), (5, "lat")]
    assert "did you mean: Organic" in conversion.problems[3].message
    graph = conversion.graph
    a1, a2 = URIRef(BASE + "a1"), URIRef(BASE + "a2")
    assert str(graph.value(a1, SCHEMA.description)) == "Ligne 1\r\nligne 2"
    assert Literal("Coop Deux Bis") in set(graph.objects(a2, SCHEMA.name))  # first non-empty
    assert graph.value(a2, GEO.lat) == Literal("north")  # kept, for the validator to report
    assert graph.value(a2, SSE.qualifier) == Literal("Organik")
    assert conversion.origin_of(BASE + "a2", SSE.qualifier)["column"] == "qualifier"
    assert conversion.origin_of(BASE + "a2", VCARD["postal-code"])["column"] == (
        "address.postalCode"
    )


def test_a_tab_separated_file_reads_like_a_comma_separated_one():
    comma = convert(b"id,name@es,country\nx1,Cooperativa,ES\n", name="a.csv", base=BASE)
    tab = convert(b"id\tname@es\tcountry\nx1\tCooperativa\tES\n", name="a.tsv", base=BASE)
    assert len(comma.graph) == 3 and isomorphic(comma.graph, tab.graph)


@pytest.mark.parametrize(
    ("data", "line", "column", "words"),
    [
        (b"id,name\nx1,Caf\xe9 Solidaire\n", 2, 7, "not UTF-8"),
        (b"\xff\xfei\x00d\x00", 1, 1, "UTF-16"),
        (b"id|name|url\nx1|Coop|https://coop.example/\n", 1, None, "single column"),
        (b"name,url\nCoop,https://coop.example/\n", 1, None, "no id column"),
        (b"", None, None, "empty file"),
    ],
)
def test_unreadable_input_is_refused_where_it_is(data, line, column, words):
    with pytest.raises(InputError) as error:
        convert(data, name="bad.csv")
    assert (error.value.line, error.value.column) == (line, column)
    assert words in error.value.reason


def test_values_that_are_not_what_their_column_says_are_reported_at_their_cell():
    data = (
        b"id,type,foundingDate,totalMembers,url,site1.type,site1.name,lat@fr,name@fr-\n"
        b"x1,Cooperative,2019-13-45,many,www.coop.example,Shop,Boutique,1,Nom\n"
    )
    conversion = convert(data, name="bad.csv", base=BASE)
    places = {p.origin["column"]: (p.origin["row"], p.message) for p in conversion.problems}
    assert set(places) == {
        "lat@fr",
        "name@fr-",
        "type",
        "foundingDate",
        "totalMembers",
        "url",
        "site1.type",
    }
    assert places["lat@fr"][0] == places["name@fr-"][0] == 1
    assert all(row == 2 for column, (row, _) in places.items() if "@" not in column)
    graph, record = conversion.graph, URIRef(BASE + "x1")
    assert graph.value(record, RDF.type) == SSE.Initiative
    assert graph.value(record, SCHEMA.foundingDate) == Literal("2019-13-45")
    assert graph.value(record, SCHEMA.url) == Literal("www.coop.example")
    site = graph.value(record, SSE.hasSite)
    assert graph.value(site, RDF.type) == SSE.Site
    records, conform = conforming(graph)
    assert (records, conform) == (1, 0)


def test_a_row_without_an_id_and_a_repeated_id_are_reported():
    data = b"id,name\n,Nameless\nx1,One\nx1,Same\n"
    conversion = convert(data, name="ids.csv", base=BASE)
    assert conversion.records == 3 and list(conversion.origins) == [BASE + "x1"]
    assert [(p.origin["row"], p.origin["column"]) for p in conversion.problems] == [
        (2, "id"),
        (4, "id"),
    ]
    assert conversion.origins[BASE + "x1"]["row"] == 3


def test_no_value_of_the_data_is_fetched_or_opened(tmp_path: Path):
    """Ids, memberOf and IRIs are only written into the graph: a path or a URL in a cell is text."""
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    data = f"id,memberOf,sameAs\nx1,{secret.as_uri()},http://127.0.0.1:9/\n".encode()
    conversion = convert(data, name="refs.csv", base=BASE)
    assert "do not read" not in conversion.graph.serialize(format="nt")
    assert URIRef(secret.as_uri()) in set(conversion.graph.objects(None, SSE.memberOf))


def test_a_misspelt_column_names_the_column_meant_and_a_nameless_one_its_position():
    data = b"id,adress.locality,name,,Name\nx1,Lyon,Coop,stray,Coop bis\n"
    conversion = convert(data, name="typo.csv", base=BASE)
    messages = {(p.origin["row"], p.origin["column"]): p.message for p in conversion.problems}
    assert "did you mean 'address.locality'" in messages[1, "adress.locality"]
    assert "more than once" in messages[1, "Name"]
    assert "without a name" in messages[2, "#4"]
    assert len(messages) == 3


def test_the_example_in_the_stewards_guide_converts_and_conforms():
    guide = (ROOT / "docs" / "csv-template.md").read_text("utf-8")
    example = guide.split("```csv\n", 1)[1].split("```", 1)[0]
    conversion = convert(example.encode(), name="example.csv", base=BASE)
    assert conversion.problems == [] and conversion.cells_unresolved == 0
    assert conversion.records == 3
    assert conforming(conversion.graph) == (3, 3)
