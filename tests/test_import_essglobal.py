"""The ESSGlobal importers: RDF as the SEA/DCC pipeline writes it (fixtures written here the way
se-open-data lays out Turtle and RDF/XML, under four vocabulary bases), and the JSON MykoMap is
served (the real ICA file of ../shared/anchors and small documents written here)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES, anchor
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

import ssevalidate
from ssevalidate.importers import essglobal, mykomap
from ssevalidate.namespaces import ESSGLOBAL_VOCAB_BASES, GEO, SCHEMA, SSE, TAXONOMY, VCARD
from ssevalidate.parsegate import InputError, read

IMPORTERS = FIXTURES / "importers"
PIPELINE_FILES = sorted(
    p
    for p in IMPORTERS.glob("essglobal-*")
    if p.suffix in (".ttl", ".rdf") and "defects" not in p.name
)
SAMPLE = "https://dev.lod.coop/sample/"
# Not rdflib's XSD namespace object: pytest's collection trips over its closed namespace.
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def _convert(path: Path):
    return essglobal.convert(path.read_bytes(), name=path.name)


def _concept(scheme: str, code: str) -> URIRef:
    return URIRef(f"{TAXONOMY}{scheme}/{code}")


def _core(graph: Graph):
    return ssevalidate.validate(graph.serialize(format="nt").encode(), format="nt", profile="core")


@pytest.fixture(scope="module")
def bakery() -> tuple[Graph, URIRef]:
    conversion = _convert(IMPORTERS / "essglobal-dev-2.1.ttl")
    return conversion.graph, URIRef(SAMPLE + "R000001")


# --- ESSGlobal RDF --------------------------------------------------------------------------


def test_the_fixtures_cover_four_bases_in_turtle_and_rdfxml():
    bases = []
    for path in PIPELINE_FILES:
        text = path.read_text(encoding="utf-8")
        (base,) = [base for base in ESSGLOBAL_VOCAB_BASES if base in text]
        bases.append(base)
    assert len(set(bases)) == len(PIPELINE_FILES) == 4
    assert {p.suffix for p in PIPELINE_FILES} == {".ttl", ".rdf"}


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        (RDF.type, SSE.Initiative),
        (SCHEMA.name, Literal("Riverside Bakery Co-operative")),
        (
            SCHEMA.description,
            Literal("<p>A worker-owned bakery: organic bread &amp; cakes, baked daily.</p>"),
        ),
        (SCHEMA.url, URIRef("https://riverside-bakery.example")),  # a literal in the source
        (SCHEMA.telephone, Literal("01865 000000")),
        (SCHEMA.email, Literal("hello@riverside-bakery.example")),
        (SCHEMA.sameAs, URIRef("https://twitter.com/riversidebakery")),
        (SCHEMA.sameAs, URIRef("https://facebook.com/RiversideBakeryCoop")),
        (SCHEMA.sameAs, URIRef("https://dev.lod.coop/coops-uk/R000042")),
        (SSE.activity, _concept("activities-ica", "ICA90")),
        (SSE.activity, _concept("activities-ica", "ICA250")),
        (SSE.primaryActivity, _concept("activities-ica", "ICA90")),
        (SSE.organisationalStructure, _concept("organisational-structure", "OS60")),
        (SSE.qualifier, _concept("qualifiers", "Organic")),
        (SSE.baseMembershipType, _concept("base-membership-type", "BMT30")),
        (SSE.legalForm, _concept("legal-form", "L2")),
        # The address's own coordinates, not its postcode unit's (51.7500, -1.2600).
        (GEO.lat, Literal("51.7520", datatype=DECIMAL)),
        (GEO.long, Literal("-1.2577", datatype=DECIMAL)),
    ],
)
def test_each_pipeline_term_becomes_its_sse_counterpart(bakery, predicate, expected):
    graph, record = bakery
    assert expected in set(graph.objects(record, predicate))


def test_the_address_is_a_plain_vcard_node_with_the_country_concept(bakery):
    graph, record = bakery
    (address,) = graph.objects(record, VCARD.hasAddress)
    assert not isinstance(address, URIRef)  # the pipeline's #Address IRI was for OntoWiki only
    assert dict(graph.predicate_objects(address)) == {
        RDF.type: VCARD.Address,
        VCARD["street-address"]: Literal("12 Mill Lane"),
        VCARD.locality: Literal("Oxford"),
        VCARD.region: Literal("Oxfordshire"),
        VCARD["postal-code"]: Literal("OX1 1AA"),
        VCARD["country-name"]: Literal("United Kingdom"),
        SSE.country: _concept("countries", "GB"),
    }
    assert (address, GEO.lat, None) not in graph  # moved to the initiative


def test_the_companies_house_company_becomes_an_identifier(bakery):
    graph, record = bakery
    (identifier,) = graph.objects(record, SSE.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal("00123456")
    assert graph.value(identifier, SSE.identifierScheme) == _concept(
        "identifier-schemes", "companies-house"
    )


def test_the_geo_container_gives_coordinates_only_where_the_address_has_none():
    conversion = _convert(IMPORTERS / "essglobal-dev-2.1.ttl")
    graph = conversion.graph
    peru, ghana = URIRef(SAMPLE + "R000002"), URIRef(SAMPLE + "R000003")
    assert graph.value(peru, GEO.lat).toPython() == Decimal("-13.33")
    assert graph.value(peru, GEO.long).toPython() == Decimal("-72.08")
    assert (ghana, GEO.lat, None) not in graph
    containers = [p for p in conversion.problems if "within" in p.message]
    assert len(containers) == 1 and "2 times" in containers[0].message
    assert not any(
        o for o in graph.objects() if "openstreetmap" in str(o) or "postcodeunit" in str(o)
    )


@pytest.mark.parametrize("path", PIPELINE_FILES, ids=lambda p: p.name)
def test_every_base_and_syntax_gives_the_same_sse_graph_which_conforms(path):
    reference = _convert(IMPORTERS / "essglobal-dev-2.1.ttl")
    conversion = _convert(path)
    assert conversion.records == 3
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (17, 0)
    assert isomorphic(conversion.graph, reference.graph)
    report = _core(conversion.graph)
    assert report.records == 3
    assert report.conforms, [str(r.message) for r in report.results]


@pytest.mark.parametrize("syntax", ["nt", "json-ld"])
def test_any_rdf_syntax_is_read(syntax):
    path = IMPORTERS / "essglobal-w3id-V2a.rdf"
    source = read(path.read_bytes(), name=path.name).graph
    name = "sample.nt" if syntax == "nt" else "sample.jsonld"
    conversion = essglobal.convert(source.serialize(format=syntax).encode(), name=name)
    assert isomorphic(conversion.graph, _convert(path).graph)


@pytest.mark.parametrize("path", PIPELINE_FILES, ids=lambda p: p.name)
def test_origins_point_at_the_line_describing_each_record(path):
    conversion = _convert(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    for number in ("R000001", "R000002", "R000003"):
        iri = SAMPLE + number
        opening = f"<{iri}> a " if path.suffix == ".ttl" else f'rdf:about="{iri}"'
        expected = next(i for i, line in enumerate(lines, start=1) if opening in line)
        origin = conversion.origins[iri]
        assert (origin["file"], origin["line"]) == (path.name, expected)
        assert lines[expected - 1][origin["column"] - 1 :].lstrip('<"').startswith(iri)


@pytest.fixture(scope="module")
def defects():
    path = IMPORTERS / "essglobal-defects.ttl"
    return path, essglobal.convert(path.read_bytes(), name=path.name)


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_what_is_not_understood_is_reported_once_per_predicate_where_it_first_is(defects):
    path, conversion = defects
    by_message = {p.message: p.origin for p in conversion.problems}
    d1 = _line_of(path, "<https://lod.coop/sample/D1> a")
    created = next(m for m in by_message if m.startswith("dcterms:created"))
    assert "2 times" in created  # on D1 and D2, one problem
    assert by_message[created]["line"] == d1
    assert any("foaf:Organization" in m for m in by_message)
    registration = next(m for m in by_message if m.startswith("rov:hasRegisteredOrganization"))
    assert by_message[registration]["line"] == d1
    unattached = next(m for m in by_message if m.startswith("dcterms:title"))
    assert by_message[unattached]["line"] == _line_of(path, "<https://lod.coop/sample/about>")
    assert len(conversion.problems) == 5


def test_an_unresolved_concept_is_kept_as_text_and_reported(defects):
    _, conversion = defects
    record = URIRef("https://lod.coop/sample/D1")
    iri = "https://lod.coop/essglobal/V2a/standard/organisational-structure/OS999"
    assert conversion.graph.value(record, SSE.organisationalStructure) == Literal(iri)
    assert conversion.cells_unresolved == 1
    (problem,) = [p for p in conversion.problems if iri in p.message]
    assert problem.origin == conversion.origins[str(record)]
    failing = {(str(r.record), r.path) for r in _core(conversion.graph).results}
    assert (str(record), "sse:organisationalStructure") in failing


def test_labels_plain_numbers_and_renamed_terms_are_converted(defects):
    _, conversion = defects
    graph, record = conversion.graph, URIRef("https://lod.coop/sample/D1")
    assert graph.value(record, SSE.baseMembershipType) == _concept("base-membership-type", "BMT20")
    assert graph.value(record, SSE.totalMembers) == Literal("42", datatype=INTEGER)
    assert graph.value(record, GEO.lat) == Literal("47.56", datatype=DECIMAL)
    address = graph.value(record, VCARD.hasAddress)
    assert graph.value(address, VCARD.region) == Literal("Bavaria")  # essglobal:state
    # Without a scheme the home page stays text, for the validator to report.
    assert graph.value(record, SCHEMA.url) == Literal("www.mountain-dairy.example")


def test_terms_beyond_the_pipeline_map_as_the_alignment_says():
    data = b"""@prefix ess: <http://purl.org/essglobal/vocab/v1.0/> .
<https://net.example/n1> a ess:Network ;
    <http://purl.org/goodrelations/v1#name> "Fair Trade Network" ;
    ess:mission "Fair prices for growers" ;
    ess:hasProductOrService [ a ess:ProductOrService ; ess:qualifier <http://purl.org/essglobal/standard/qualifiers/q04> ] .
"""
    conversion = essglobal.convert(data, name="network.ttl")
    graph, network = conversion.graph, URIRef("https://net.example/n1")
    assert (network, RDF.type, SSE.Network) in graph
    assert graph.value(network, SSE.mission) == Literal("Fair prices for growers")
    product = graph.value(network, SSE.hasProductOrService)
    assert (product, RDF.type, SSE.ProductOrService) in graph
    assert graph.value(product, SSE.qualifier) == _concept("qualifiers", "q04")
    assert conversion.problems == []


def test_an_initiative_without_an_iri_is_converted_and_reported():
    data = (
        b"@prefix essglobal: <http://purl.org/essglobal/vocab/v1.0/> .\n"
        b'[] a essglobal:SSEInitiative ; <http://purl.org/goodrelations/v1#name> "Anon" .\n'
    )
    conversion = essglobal.convert(data, name="anon.ttl")
    assert conversion.records == 1
    assert [p.message for p in conversion.problems] == ["an initiative without an IRI: give it one"]
    assert (None, SCHEMA.name, Literal("Anon")) in conversion.graph


def test_a_syntax_error_is_refused_with_its_line():
    with pytest.raises(InputError) as caught:
        essglobal.convert(b'<https://e.org/a> <https://e.org/p> "x" .\n<oops\n', name="bad.ttl")
    assert caught.value.line == 2


# --- MykoMap JSON ---------------------------------------------------------------------------


def test_the_ica_canned_data_converts_and_conforms():
    path = anchor("data", "mykomap-ica-cannedData.json")
    rows = json.loads(path.read_bytes())["data"]
    conversion = mykomap.convert(path.read_bytes(), name=path.name)
    initiatives = {row["uri"] for row in rows}
    assert (len(rows), conversion.records) == (329, len(initiatives))
    # Every regorg, baseMembershipType, primaryActivity, activity and qualifier is a dev.lod.coop
    # ESSGlobal 2.1 IRI the reconciler knows.
    keys = ("regorg", "baseMembershipType", "primaryActivity", "activity", "qualifier")
    concept_cells = sum(1 for row in rows for key in keys if row.get(key))
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (concept_cells, 0)
    assert conversion.origins["https://dev.lod.coop/ica/10"] == {
        "file": path.name,
        "pointer": "/data/0",
    }
    assert {p.origin["pointer"].rsplit("/", 1)[-1] for p in conversion.problems} == {
        "within",
        "dataset",
    }
    report = _core(conversion.graph)
    assert report.records == len(initiatives)
    failing = {r.record for r in report.results}
    assert 1 - len(failing) / report.records >= 0.98


def _myko(rows, status="success") -> bytes:
    return json.dumps({"status": status, "data": rows}).encode()


def _row(**values) -> dict:
    base = {
        "name": "Tea Growers Co-op",
        "uri": "https://dev.lod.coop/sample/T1",
        "lat": "27.7",
        "lng": "85.3",
        "manLat": "0",
        "manLng": "0",
        "regorg": "https://lod.coop/essglobal/2.1/standard/organisational-structure/OS90",
        "primaryActivity": "https://lod.coop/essglobal/2.1/standard/activities-ica/ICA10",
        "dataset": "sample",
    }
    return {**base, **values}


def test_rows_of_one_initiative_are_merged_by_uri():
    rows = [
        _row(activity="https://lod.coop/essglobal/2.1/standard/activities-ica/ICA10"),
        _row(name="Other Co-op", uri="https://dev.lod.coop/sample/T2", manLat="1.5", manLng="2.5"),
        _row(activity="ICA250", qualifier="Fairtrade", street="1 Hill Road", countryId="NP"),
    ]
    conversion = mykomap.convert(_myko(rows), name="t.json")
    graph, record = conversion.graph, URIRef("https://dev.lod.coop/sample/T1")
    assert conversion.records == 2
    assert conversion.origins[str(record)] == {"file": "t.json", "pointer": "/data/0"}
    assert set(graph.objects(record, SSE.activity)) == {
        _concept("activities-ica", "ICA10"),
        _concept("activities-ica", "ICA250"),
    }
    assert graph.value(record, SSE.qualifier) == _concept("qualifiers", "Fairtrade")
    assert graph.value(record, SSE.organisationalStructure) == _concept(
        "organisational-structure", "OS90"
    )
    assert len(set(graph.objects(record, SCHEMA.name))) == 1
    # "0" means no manual location: lat and lng count; a manual one wins.
    assert graph.value(record, GEO.lat) == Literal("27.7", datatype=DECIMAL)
    other = URIRef("https://dev.lod.coop/sample/T2")
    assert graph.value(other, GEO.long) == Literal("2.5", datatype=DECIMAL)
    address = graph.value(record, VCARD.hasAddress)
    assert graph.value(address, SSE.country) == _concept("countries", "NP")
    assert conversion.origin_of(str(record), str(SSE.activity)) == {
        "file": "t.json",
        "pointer": "/data/0/activity",
    }
    assert _core(graph).conforms


def test_a_companies_house_regorg_an_unknown_key_and_an_unknown_concept():
    rows = [
        _row(regorg="http://business.data.gov.uk/id/company/123456", colour="green"),
        _row(uri="https://dev.lod.coop/sample/T2", colour="blue", qualifier="Telepathic"),
    ]
    conversion = mykomap.convert(_myko(rows), name="t.json")
    graph = conversion.graph
    identifier = graph.value(URIRef("https://dev.lod.coop/sample/T1"), SSE.identifier)
    assert graph.value(identifier, SKOS.notation) == Literal("00123456")
    origins = {p.message.split(" ", 1)[0]: p.origin["pointer"] for p in conversion.problems}
    assert origins["'colour'"] == "/data/0/colour"
    assert origins["qualifier"] == "/data/1/qualifier"
    colour = next(p.message for p in conversion.problems if "colour" in p.message)
    assert "2 times" in colour
    record = URIRef("https://dev.lod.coop/sample/T2")
    assert graph.value(record, SSE.qualifier) == Literal("Telepathic")
    assert conversion.cells_unresolved == 1


def test_a_row_without_a_uri_is_skipped_and_reported():
    conversion = mykomap.convert(_myko([_row(uri=""), _row()]), name="t.json")
    assert conversion.records == 1
    assert conversion.problems[0].origin == {"file": "t.json", "pointer": "/data/0"}


def test_a_json_syntax_error_names_line_and_column():
    with pytest.raises(InputError) as caught:
        mykomap.convert(b'{"status": "success",\n  "data": [,]}', name="bad.json")
    assert (caught.value.line, caught.value.column) == (2, 12)


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ([], ""),
        ({"status": "success"}, "/data"),
        ({"head": {}, "results": {"bindings": []}}, "/data"),
        ({"status": "success", "data": [_row(), "not a row"]}, "/data/1"),
        ({"status": "error", "data": []}, "/status"),
    ],
)
def test_json_that_is_not_mykomap_data_names_the_pointer(document, pointer):
    with pytest.raises(InputError) as caught:
        mykomap.convert(json.dumps(document).encode(), name="other.json")
    assert caught.value.pointer == pointer


def test_a_value_that_is_not_text_is_reported_at_its_cell():
    conversion = mykomap.convert(_myko([_row(desc={"en": "Tea"}, within=None)]), name="t.json")
    assert [(p.origin["pointer"], p.message.split(" ", 1)[0]) for p in conversion.problems] == [
        ("/data/0/desc", "desc"),
        ("/data/0/dataset", "dataset"),
    ]
