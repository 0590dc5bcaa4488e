"""The GeoJSON importer (OSM-style keys, TransforMap type_of_initiative tags) on small files written
here and on the real SUSY map export of ../shared/anchors, and the TransforMap mapping file."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import FIXTURES, ROOT, anchor
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SKOS, XSD

import ssevalidate
from ssevalidate.importers.geojson import convert, initiative_types
from ssevalidate.namespaces import GEO, SCHEMA, SSE, VCARD, concept_iri
from ssevalidate.parsegate import InputError

KEYS = FIXTURES / "importers" / "geojson-keys.geojson"
FEATURE = FIXTURES / "importers" / "geojson-feature.geojson"
MAPPING = ROOT / "ontology" / "mappings" / "transformap.ttl"
TAXONOMIES = ROOT / "ontology" / "taxonomies"
MAPPING_PROPERTIES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)
IMPLIED = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch)
CONCEPT_PROPERTIES = (
    SSE.activity,
    SSE.theme,
    SSE.qualifier,
    SSE.organisationalStructure,
)
LINDENHOF = URIRef("https://maps.example/place/lindenhof")
RIVERSIDE = URIRef("https://maps.example/place/riverside")
MAPPING_IRI = URIRef("https://w3id.org/sse/vocab/mappings/transformap")


@pytest.fixture(scope="module")
def keys():
    return convert(KEYS.read_bytes(), name=KEYS.name, base="https://maps.example/id/")


@pytest.fixture(scope="module")
def mapping() -> Graph:
    return Graph().parse(MAPPING)


def _address(graph: Graph, record: URIRef):
    return graph.value(record, VCARD.hasAddress)


def _implied(mapping: Graph, tag: str) -> set[URIRef]:
    items = set(mapping.subjects(SKOS.notation, Literal(tag)))
    assert items, f"{tag} is in the mapping file"
    return {c for item in items for p in IMPLIED for c in mapping.objects(item, p)}


def _messages(conversion, pointer_part: str) -> list[str]:
    return [p.message for p in conversion.problems if pointer_part in p.origin["pointer"]]


# --- each key ---------------------------------------------------------------------------------


def test_names_and_descriptions_keep_their_language(keys):
    graph = keys.graph
    assert set(graph.objects(LINDENHOF, SCHEMA.name)) == {
        Literal("Reparaturcafé Lindenhof"),
        Literal("Lindenhof Repair Café", lang="en"),
    }
    assert set(graph.objects(LINDENHOF, SCHEMA.description)) == {
        Literal("Wir reparieren gemeinsam."),
        Literal("Reparamos juntos.", lang="es"),
    }
    assert graph.value(LINDENHOF, SCHEMA.openingHours) == Literal("Sa 14:00-18:00")


@pytest.mark.parametrize(
    ("written", "tag", "noted"),
    [("gr", "el", True), ("cz-Latn", "cs-Latn", True), ("hu", "hu", False)],
)
def test_a_country_code_used_as_language_is_read_as_its_language_and_noted(written, tag, noted):
    feature = {
        "type": "Feature",
        "id": "1",
        "geometry": None,
        "properties": {"name": "Coop", f"description:{written}": "text"},
    }
    conversion = convert(
        json.dumps(feature).encode(), name="map.geojson", base="https://d.example/#"
    )
    graph = conversion.graph
    assert graph.value(URIRef("https://d.example/#1"), SCHEMA.description) == Literal(
        "text", lang=tag
    )
    notes = _messages(conversion, f"description:{written}")
    assert bool(notes) is noted
    if noted:
        assert f"read as '{tag}'" in notes[0]


def test_the_address_keeps_the_country_as_written_and_reconciles_it(keys):
    graph = keys.graph
    address = _address(graph, LINDENHOF)
    assert (address, RDF.type, VCARD.Address) in graph
    assert graph.value(address, VCARD["street-address"]) == Literal("Lindenstraße 12a")
    assert graph.value(address, VCARD["postal-code"]) == Literal("10115")
    assert graph.value(address, VCARD.locality) == Literal("Berlin")
    assert graph.value(address, VCARD["country-name"]) == Literal("Deutschland")
    assert graph.value(address, SSE.country) == URIRef(concept_iri("countries", "DE"))
    uk = _address(graph, RIVERSIDE)
    assert graph.value(uk, SSE.country) == URIRef(concept_iri("countries", "GB"))
    # British addresses put the house number first.
    assert graph.value(uk, VCARD["street-address"]) == Literal("7 High Street")


def test_an_unknown_country_is_kept_as_text_and_reported(keys):
    record = URIRef("https://maps.example/id/seed%20library%2F1")
    address = _address(keys.graph, record)
    assert keys.graph.value(address, SSE.country) == Literal("Atlantis")
    assert keys.graph.value(address, VCARD["country-name"]) == Literal("Atlantis")
    assert any("'Atlantis'" in m for m in _messages(keys, "/features/2/properties/addr:country"))


def test_contacts_split_into_values_and_websites_get_a_scheme(keys):
    graph = keys.graph
    assert set(graph.objects(LINDENHOF, SCHEMA.email)) == {
        Literal("info@lindenhof.example"),
        Literal("hallo@lindenhof.example"),
    }
    assert set(graph.objects(RIVERSIDE, SCHEMA.email)) == {
        Literal("food@riverside.example"),
        Literal("orders@riverside.example"),
    }
    assert graph.value(LINDENHOF, SCHEMA.telephone) == Literal("+49 30 1234567")
    assert set(graph.objects(LINDENHOF, SCHEMA.url)) == {
        URIRef("http://www.lindenhof.example/cafe"),
        # "[" may not stand in an IRI: percent-encoded, the address still leads to the page.
        URIRef("https://lindenhof.example/?tx%5Bnews%5D=1"),
    }


def test_an_email_given_as_website_stays_text_and_is_reported(keys):
    assert keys.graph.value(RIVERSIDE, SCHEMA.url) == Literal("info@riverside.example")
    (message,) = _messages(keys, "/features/1/properties/contact:website")
    assert "e-mail address" in message


def test_point_gives_decimal_coordinates_and_other_geometries_are_reported(keys):
    graph = keys.graph
    assert graph.value(LINDENHOF, GEO.lat) == Literal("52.517", datatype=XSD.decimal)
    assert graph.value(LINDENHOF, GEO.long) == Literal("13.3888", datatype=XSD.decimal)
    assert (RIVERSIDE, GEO.lat, None) not in graph
    assert any("LineString" in m for m in _messages(keys, "/features/1/geometry"))
    assert _messages(keys, "/features/2/geometry") == ["feature without geometry: no coordinates"]


def test_flags_osm_link_and_times(keys):
    graph = keys.graph
    assert set(graph.objects(LINDENHOF, SSE.qualifier)) >= {
        URIRef(concept_iri("qualifiers", "Organic")),
        URIRef(concept_iri("qualifiers", "Fairtrade")),
    }
    assert URIRef(concept_iri("qualifiers", "LocalorFromCommunity")) not in set(
        graph.objects(LINDENHOF, SSE.qualifier)
    )
    assert any("organic='limited'" in m for m in _messages(keys, "/features/1/properties/organic"))
    assert graph.value(LINDENHOF, SCHEMA.sameAs) == URIRef("https://www.openstreetmap.org/node/42")
    assert graph.value(LINDENHOF, DCTERMS.created) == Literal(
        "2016-12-06T18:12:40.148Z", datatype=XSD.dateTime
    )
    assert graph.value(LINDENHOF, DCTERMS.modified) == Literal(
        "2017-09-19T15:58:04.470Z", datatype=XSD.dateTime
    )


def test_records_are_named_by_uri_else_by_id_and_point_at_their_feature(keys):
    assert keys.records == 4  # the nameless fourth feature is read, not converted
    assert keys.origins == {
        str(LINDENHOF): {"file": KEYS.name, "pointer": "/features/0"},
        str(RIVERSIDE): {"file": KEYS.name, "pointer": "/features/1"},
        "https://maps.example/id/seed%20library%2F1": {"file": KEYS.name, "pointer": "/features/2"},
    }
    assert _messages(keys, "/features/3") == ["feature without _uri, _id or id: skipped"]
    assert keys.origin_of(str(LINDENHOF), str(SCHEMA.url)) == {
        "file": KEYS.name,
        "pointer": "/features/0/properties/contact:website",
    }
    assert keys.origin_of(str(LINDENHOF), str(SSE.activity)) == {
        "file": KEYS.name,
        "pointer": "/features/0/properties/type_of_initiative",
    }


def test_the_collection_source_and_licence_describe_the_dataset(keys):
    graph = keys.graph
    dataset = URIRef("https://maps.example/place/PARTNERS")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert graph.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/publicdomain/mark/1.0/"
    )
    assert set(graph.subjects(DCTERMS.source, dataset)) == {
        URIRef(record) for record in keys.origins
    }


def test_an_unknown_licence_is_kept_as_text_and_reported():
    data = json.dumps({"type": "FeatureCollection", "license": "ask us", "features": []})
    conversion = convert(data.encode(), name="x.geojson", base="https://d.example/")
    dataset = URIRef("https://d.example/")
    assert conversion.graph.value(dataset, DCTERMS.license) == Literal("ask us")
    assert [p.origin["pointer"] for p in conversion.problems] == ["/license"]


# --- type_of_initiative ---------------------------------------------------------------------------


def test_tags_become_our_concepts_through_the_mapping_file(keys, mapping):
    graph = keys.graph
    given = {c for p in CONCEPT_PROPERTIES for c in graph.objects(LINDENHOF, p)}
    categories = {
        graph.value(offered, SSE.productCategory)
        for offered in graph.objects(LINDENHOF, SSE.hasProductOrService)
    }
    expected = set().union(*(_implied(mapping, t) for t in ("repair_cafe", "community_group")))
    expected |= _implied(mapping, "recycling")
    assert expected, "the mapping gives these tags concepts"
    # The flags add Organic and Fair trade; everything else comes from the tags.
    flags = {URIRef(concept_iri("qualifiers", q)) for q in ("Organic", "Fairtrade")}
    assert given | categories == expected | flags
    assert URIRef(concept_iri("products-services", "76120000")) in categories
    assert graph.value(LINDENHOF, SSE.organisationalStructure) == URIRef(
        concept_iri("organisational-structure", "OS10")
    )
    items = set(graph.objects(LINDENHOF, SCHEMA.additionalType))
    assert items == {
        item
        for tag in ("repair_cafe", "community_group", "recycling")
        for item in mapping.subjects(SKOS.notation, Literal(tag))
    }


def test_tags_are_read_whatever_their_case_and_separator(keys, mapping):
    given = {c for p in CONCEPT_PROPERTIES for c in keys.graph.objects(RIVERSIDE, p)}
    assert given == _implied(mapping, "food_cooperative")


def test_unmapped_and_unknown_tags_are_kept_and_reported(keys):
    graph = keys.graph
    assert URIRef("https://base.transformap.co/entity/Q22001") in set(
        graph.objects(RIVERSIDE, SCHEMA.additionalType)
    )
    assert Literal("othe") in set(graph.objects(RIVERSIDE, SCHEMA.additionalType))
    (unknown,) = [
        m
        for m in _messages(keys, "/features/1/properties/type_of_initiative")
        if "is no TransforMap tag" in m
    ]
    assert "'othe' is no TransforMap tag" in unknown and "did you mean 'other'" in unknown
    # A tag with no counterpart is a fact of the mapping, not an error: reported once, counted.
    (other,) = [p for p in keys.problems if "'other' (Other)" in p.message]
    assert other.message.endswith("(2 features)")
    assert other.origin["pointer"] == "/features/1/properties/type_of_initiative"
    # repair_cafe, community_group, recycling, food_cooperative
    assert keys.cells_reconciled == 4 + 2  # and the two countries found
    assert keys.cells_unresolved == 3 + 1  # other twice, othe; Atlantis


def test_unknown_keys_are_reported_once_each_with_a_count(keys):
    reported = [p for p in keys.problems if "has no SSE counterpart" in p.message]
    assert sorted(p.message for p in reported) == [
        "'POI_TYPE' has no SSE counterpart: not converted (2 features)",
        "'descripiton:de' has no SSE counterpart: not converted"
        " (did you mean 'description:de'?) (1 feature)",
    ]


def test_the_converted_records_conform_where_the_source_is_right(keys):
    report = ssevalidate.validate(
        keys.graph.serialize(format="nt").encode(), format="nt", profile="core"
    )
    assert report.records == 3
    failing = {(r.record, r.path) for r in report.results}
    assert str(LINDENHOF) not in {record for record, _ in failing}
    assert failing == {
        (str(RIVERSIDE), "schema:url"),
        ("https://maps.example/id/seed%20library%2F1", "sse:country"),
    }


def test_a_single_feature_is_one_record_named_by_its_id():
    conversion = convert(FEATURE.read_bytes(), name=FEATURE.name, base="https://d.example/#")
    record = "https://d.example/#7"
    assert conversion.origins == {record: {"file": FEATURE.name, "pointer": ""}}
    graph = conversion.graph
    assert graph.value(URIRef(record), SSE.activity) == URIRef(
        concept_iri("activities-modified", "AM120")
    )
    assert graph.value(URIRef(record), DCTERMS.source) == URIRef("https://d.example/")
    report = ssevalidate.validate(graph.serialize(format="nt").encode(), format="nt")
    assert (report.records, report.results) == (1, [])


# --- input that is not GeoJSON --------------------------------------------------------------------


def test_a_json_syntax_error_names_line_and_column():
    with pytest.raises(InputError) as caught:
        convert(b'{"type": "FeatureCollection",\n "features": [,]}', name="bad.geojson")
    assert (caught.value.line, caught.value.column) == (2, 15)
    assert "JSON syntax error" in str(caught.value)


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ([], ""),
        ({"type": "Polygon", "coordinates": []}, "/type"),
        ({"type": "FeatureCollection", "features": {}}, "/features"),
        ({"type": "FeatureCollection", "features": [{"type": "Feature"}, "x"]}, "/features/1"),
        ({"type": "FeatureCollection", "features": [{"type": "Point"}]}, "/features/0"),
        ({"type": "Feature", "properties": [], "geometry": None}, "/properties"),
    ],
)
def test_what_is_not_geojson_is_refused_with_its_pointer(document, pointer):
    with pytest.raises(InputError) as caught:
        convert(json.dumps(document).encode(), name="x.geojson")
    assert caught.value.pointer == pointer
    assert "not GeoJSON" in str(caught.value)


def test_a_feature_without_geometry_is_converted_and_reported():
    data = {"type": "Feature", "properties": {"name": "No place", "_id": "a"}}
    conversion = convert(json.dumps(data).encode(), name="x.geojson", base="https://d.example/")
    assert list(conversion.origins) == ["https://d.example/a"]
    assert [(p.origin["pointer"], p.message) for p in conversion.problems] == [
        ("", "feature without geometry: no coordinates")
    ]


# --- the mapping file -----------------------------------------------------------------------------


def _taxonomy_items() -> dict[str, dict]:
    path = anchor("data", "transformap-ssedas-taxonomy.json")
    bindings = json.loads(path.read_text(encoding="utf-8"))["results"]["bindings"]
    return {row["item"]["value"]: row for row in bindings}


def _our_concepts() -> set[URIRef]:
    graph = Graph()
    for path in TAXONOMIES.glob("*.ttl"):
        graph.parse(path)
    return set(graph.subjects(SKOS.inScheme, None))


def test_every_subject_of_the_mapping_is_an_item_of_the_transformap_taxonomy(mapping):
    items = _taxonomy_items()
    subjects = set(mapping.subjects()) - {MAPPING_IRI}
    assert {str(s) for s in subjects} == set(items)  # all 130, none invented
    for subject in subjects:
        row = items[str(subject)]
        assert mapping.value(subject, SKOS.prefLabel) == Literal(
            row["itemLabel"]["value"].strip(), lang="en"
        )
        tag = row.get("type_of_initiative_tag", {}).get("value")
        notation = mapping.value(subject, SKOS.notation)
        assert (str(notation) if notation is not None else None) == tag


def test_every_object_of_the_mapping_is_a_concept_of_our_taxonomies(mapping):
    concepts = _our_concepts()
    objects = {o for p in MAPPING_PROPERTIES for o in mapping.objects(None, p)}
    assert objects and objects <= concepts


def test_every_type_has_concepts_or_a_note_saying_why_not(mapping):
    for item in mapping.subjects(SKOS.notation, None):
        implied = any(mapping.value(item, p) for p in IMPLIED)
        note = mapping.value(item, SKOS.editorialNote)
        assert implied != (note is not None), item


def test_the_importer_reads_every_tag_of_the_mapping(mapping):
    tags = {str(tag) for tag in mapping.objects(None, SKOS.notation)}
    assert len(tags) == 102
    assert set(initiative_types()) == tags
    assert initiative_types()["mutual_insurance"].items == (
        "https://base.transformap.co/entity/Q19003",
        "https://base.transformap.co/entity/Q21003",
    )


# --- the real SUSY export -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def susy() -> bytes:
    return gzip.decompress(anchor("data", "susy-transformap-ssedas-data.geojson.gz").read_bytes())


def test_the_susy_export_converts_and_mostly_conforms(susy):
    name = "susy-transformap-ssedas-data.geojson"
    conversion = convert(susy, name=name)
    assert (conversion.records, len(conversion.origins)) == (1794, 1794)
    assert conversion.origins[
        "https://data.transformap.co/place/e98fb9126657fd09e8c7e43217000e20"
    ] == {
        "file": name,
        "pointer": "/features/0",
    }
    # Country cells alone: the same file without its tags.
    document = json.loads(susy)
    for feature in document["features"]:
        feature["properties"].pop("type_of_initiative", None)
    countries = convert(json.dumps(document).encode(), name=name)
    # 1,718 addr:country cells in 64 spellings; Ελλάδα, Latvija, Frace, Portogallo... stay text.
    assert (countries.cells_reconciled, countries.cells_unresolved) == (1701, 17)
    tags = (
        conversion.cells_reconciled - countries.cells_reconciled,
        conversion.cells_unresolved - countries.cells_unresolved,
    )
    # 3,629 tags: 3,140 give concepts; 485 are TransforMap types with no counterpart (other 179,
    # other_participation 78...), reported once per tag; 4 are no TransforMap tag at all.
    assert tags == (3140, 489)
    unknown = [p for p in conversion.problems if "is no TransforMap tag" in p.message]
    assert sorted(p.message.split("'")[1] for p in unknown) == [
        "localcollective_ressource",
        "othe",
        "other_educatio",
        "other_infraressource",
    ]
    dataset = URIRef("https://data.transformap.co/place/SSEDAS_PARTNER")
    assert conversion.graph.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/publicdomain/mark/1.0/"
    )
    report = ssevalidate.validate(
        conversion.graph.serialize(format="nt").encode(), format="nt", profile="core"
    )
    assert report.records == 1794
    failing = {r.record for r in report.results}
    assert 1794 - len(failing) == 1648
    # What fails is what the source wrote wrong: phone numbers and e-mails with words in them,
    # websites that are no web address, countries that are no country.
    assert {r.path for r in report.results} == {
        "schema:telephone",
        "schema:email",
        "schema:url",
        "sse:country",
    }


def test_every_key_of_the_susy_export_is_converted_or_reported_once(susy):
    conversion = convert(susy, name="susy.geojson")
    reported = [p.message for p in conversion.problems if "has no SSE counterpart" in p.message]
    keys = {m.split("'")[1] for m in reported}
    assert len(reported) == len(keys)
    assert {"SSEDAS_PARTNER", "_version", "POI_TYPE", "image", "description_de"} <= keys
    assert not keys & {"name", "addr:country", "contact:website", "description:hu"}
