"""The Murmurations importer and exporter: organizations_schema-v1.0.0 profiles, lists of them
and index pages written here after the schema (FIELD-NOTES 1.7), the example directory, and the
ICA export of ../shared/anchors taken through Murmurations and back."""

from __future__ import annotations

import hashlib
import json
import random
from decimal import Decimal

import jsonschema
import pytest
from conftest import EXAMPLES, FIXTURES, anchor
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

import ssevalidate
from ssevalidate.importers import sea_csv
from ssevalidate.importers.murmurations import SCHEMA_NAME, convert, export
from ssevalidate.namespaces import GEO, SCHEMA, SSE, TAXONOMY, VCARD
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import reconciler

HERE = FIXTURES / "importers"
STATUS = TAXONOMY + "status/"
COUNTRY = TAXONOMY + "countries/"
# A plain namespace: rdflib's XSD warns when pytest looks its module attributes over.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")


def _url_field() -> dict:
    return {"type": "string", "maxLength": 2000, "pattern": "^https?://"}


def _links_field(name_length: int | None) -> dict:
    name = {"type": "string", **({"maxLength": name_length} if name_length else {})}
    item = {
        "type": "object",
        "properties": {"name": name, "url": _url_field()},
        "required": ["url"],
        "additionalProperties": False,
    }
    return {"type": "array", "items": item, "uniqueItems": True}


def _countries() -> list[str]:
    codes = sorted(c.code for c in reconciler().concepts.values() if c.scheme == "countries")
    # Murmurations' enum is the 249 codes of ISO 3166-1 alpha-2, as is the countries taxonomy.
    assert len(codes) == 249
    return codes


ORGANIZATIONS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["linked_schemas", "name"],
    "additionalProperties": False,
    "properties": {
        "linked_schemas": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*-v\d+\.\d+\.\d+$"},
        },
        "name": {"type": "string", "maxLength": 200},
        "nickname": {"type": "string"},
        "primary_url": _url_field(),
        "unique_id": {"type": "string"},
        "tags": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "uniqueItems": True,
            "items": {"type": "string", "maxLength": 100},
        },
        "urls": _links_field(None),
        "description": {"type": "string"},
        "mission": {"type": "string"},
        "status": {"enum": ["active", "completed", "cancelled", "on_hold", "in_planning"]},
        "full_address": {"type": "string"},
        "country_iso_3166": {"enum": _countries()},
        "geolocation": {
            "type": "object",
            "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lon": {"type": "number", "minimum": -180, "maximum": 180},
            },
            "required": ["lat", "lon"],
            "additionalProperties": False,
        },
        "image": _url_field(),
        "header_image": _url_field(),
        "images": _links_field(100),
        "rss": _url_field(),
        "starts_at": {"type": "number"},
        "ends_at": {"type": "number"},
        "contact_details": {
            "type": "object",
            "properties": {"email": {"type": "string"}, "contact_form": _url_field()},
            "additionalProperties": False,
        },
        "telephone": {"type": "string", "minLength": 1, "maxLength": 100},
    },
}
"""organizations_schema-v1.0.0 with its fields' definitions resolved, written from the
MurmurationsLibrary field files; ``additionalProperties`` is stricter than the schema, so that
an exported profile holds nothing but its fields."""


def _fixture(name: str) -> bytes:
    return (HERE / f"murmurations-{name}.json").read_bytes()


def _convert(name: str, **options):
    return convert(_fixture(name), name=f"murmurations-{name}.json", **options)


def _core(graph: Graph):
    return ssevalidate.validate(graph.serialize(format="nt").encode(), format="nt", profile="core")


def _valid_profiles(profiles: list[dict]) -> None:
    validator = jsonschema.Draft7Validator(ORGANIZATIONS_SCHEMA)
    for profile in profiles:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(profile)]
        assert errors == [], profile["name"]


def _problems(conversion) -> dict[str, str]:
    return {p.origin["pointer"]: p.message for p in conversion.problems}


# --- Murmurations → SSE -------------------------------------------------------------------------


def test_every_field_of_a_profile_becomes_its_sse_counterpart():
    conversion = _convert("profile", base="https://murmurations.example/")
    record = URIRef("https://murmurations.example/LBC-0042")
    assert conversion.origins == {str(record): {"file": "murmurations-profile.json", "pointer": ""}}
    assert conversion.problems == []
    graph = conversion.graph

    def values(predicate, subject=record):
        return set(graph.objects(subject, predicate))

    assert values(RDF.type) == {SSE.Initiative}
    assert values(SCHEMA.name) == {Literal("Leeds Bread Co-operative")}
    assert values(SCHEMA.alternateName) == {Literal("Leeds Bread")}
    assert values(SCHEMA.identifier) == {Literal("LBC-0042")}
    assert values(SCHEMA.url) == {URIRef("https://leedsbread.example")}
    assert values(SCHEMA.keywords) == {
        Literal(t) for t in ("bakery", "co-op", "organic", "workers co-operative")
    }
    mastodon, facebook = (
        URIRef("https://social.coop/@leedsbread"),
        URIRef("https://www.facebook.com/leedsbreadcoop"),
    )
    assert values(SCHEMA.sameAs) == {mastodon, facebook}
    assert values(SCHEMA.name, facebook) == {Literal("Facebook")}
    assert values(SCHEMA.description) == {
        Literal(
            "A worker-owned bakery baking sourdough bread for cafés, shops and food co-ops "
            "across Leeds."
        )
    }
    assert len(values(SSE.mission)) == 1
    assert values(SSE.status) == {URIRef(STATUS + "active")}
    assert values(SCHEMA.address) == {
        Literal("Unit 3, 118 Meanwood Road, Leeds LS7 2AB, United Kingdom")
    }
    assert values(SSE.country) == {URIRef(COUNTRY + "GB")}
    assert values(GEO.lat) == {Literal("53.8136", datatype=XSD.decimal)}
    assert values(GEO.long) == {Literal("-1.5507", datatype=XSD.decimal)}
    assert values(SCHEMA.logo) == {URIRef("https://leedsbread.example/logo.png")}
    picture = URIRef("https://leedsbread.example/img/bakery.jpg")
    assert values(SCHEMA.image) == {picture}
    assert values(SCHEMA.name, picture) == {Literal("The bakers at work")}
    assert values(SCHEMA.foundingDate) == {Literal("2008-01-01", datatype=XSD.date)}
    assert values(SCHEMA.email) == {Literal("hello@leedsbread.example")}
    (point,) = values(SCHEMA.contactPoint)
    assert values(RDF.type, point) == {SCHEMA.ContactPoint}
    assert values(SCHEMA.url, point) == {URIRef("https://leedsbread.example/contact")}
    assert values(SCHEMA.telephone) == {Literal("+44 113 496 0312")}
    # status and country went through the reconciler
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (2, 0)
    assert conversion.origin_of(record, GEO.long) == {
        "file": "murmurations-profile.json",
        "pointer": "/geolocation/lon",
    }
    assert _core(graph).conforms


def test_a_list_of_profiles_converts_and_conforms_under_core():
    conversion = _convert("profiles", base="https://murmurations.example/")
    tierra_viva = "https://red-ess.example/fichas/tierra-viva"
    repair_cafe = (
        "https://murmurations.example/"
        + hashlib.sha256(b"https://repaircafe-kreuzberg.example").hexdigest()
    )
    solar = "https://murmurations.example/proj-7"
    assert conversion.origins == {
        tierra_viva: {"file": "murmurations-profiles.json", "pointer": "/0"},
        repair_cafe: {"file": "murmurations-profiles.json", "pointer": "/1"},
        solar: {"file": "murmurations-profiles.json", "pointer": "/2"},
    }
    assert conversion.problems == []
    graph = conversion.graph
    assert graph.value(URIRef(solar), SCHEMA.dissolutionDate) == Literal(
        "2020-01-01", datatype=XSD.date
    )
    # An IRI given as unique_id is the record's IRI, not an identifier besides it.
    assert graph.value(URIRef(tierra_viva), SCHEMA.identifier) is None
    report = _core(graph)
    assert (report.records, report.conforms) == (3, True)


@pytest.mark.parametrize(
    ("written", "concept", "written_back"),
    [
        ("active", "active", "active"),
        ("on_hold", "dormant", "on_hold"),
        ("in_planning", "planned", "in_planning"),
        ("completed", "closed", "completed"),
        ("cancelled", "closed", "completed"),
    ],
)
def test_each_status_becomes_a_concept_of_the_status_taxonomy(written, concept, written_back):
    profile = {"linked_schemas": [SCHEMA_NAME], "name": "Coop", "unique_id": "c", "status": written}
    conversion = convert(json.dumps(profile).encode())
    assert set(conversion.graph.objects(None, SSE.status)) == {URIRef(STATUS + concept)}
    # SSE does not tell a cancelled initiative from one that closed: said, not hidden.
    assert [p.origin["pointer"] for p in conversion.problems] == (
        ["/status"] if written == "cancelled" else []
    )
    assert export(conversion.graph)[0]["status"] == written_back


def test_the_record_iri_is_never_the_organisations_web_site():
    site = "https://coop.example"
    profiles = [
        {"linked_schemas": [SCHEMA_NAME], "name": "Same as site", "unique_id": site},
        {"linked_schemas": [SCHEMA_NAME], "name": "No id", "primary_url": site + "/2"},
    ]
    profiles[0]["primary_url"] = site
    conversion = convert(json.dumps(profiles).encode(), base="https://dir.example/m/")
    digest = hashlib.sha256(site.encode()).hexdigest()
    assert set(conversion.origins) == {
        f"https://dir.example/m/{digest}",
        "https://dir.example/m/" + hashlib.sha256(f"{site}/2".encode()).hexdigest(),
    }
    assert (None, SCHEMA.identifier, Literal(site)) in conversion.graph


def test_a_profile_and_its_index_entry_give_the_same_record():
    profiles = _convert("profiles", base="https://murmurations.example/")
    index = _convert("index-page", base="https://murmurations.example/")
    assert set(profiles.origins) & set(index.origins) == {
        "https://murmurations.example/"
        + hashlib.sha256(b"https://repaircafe-kreuzberg.example").hexdigest()
    }


def test_an_index_page_converts_what_its_entries_carry_and_fetches_nothing(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the importer must not open a connection")

    monkeypatch.setattr("socket.socket.connect", no_network)
    conversion = _convert("index-page")
    assert conversion.records == 2
    record = next(
        URIRef(iri) for iri, origin in conversion.origins.items() if origin["pointer"] == "/data/0"
    )
    graph = conversion.graph
    assert graph.value(record, DCTERMS.source) == URIRef(
        "https://profiles.example/repaircafe-kreuzberg.json"
    )
    assert graph.value(record, DCTERMS.modified) == Literal(
        "2024-05-01T10:00:00Z", datatype=XSD.dateTime
    )
    address = graph.value(record, VCARD.hasAddress)
    assert (graph.value(address, VCARD.locality), graph.value(address, VCARD.region)) == (
        Literal("Berlin"),
        Literal("Berlin"),
    )
    assert graph.value(record, SSE.country) == URIRef(COUNTRY + "DE")
    assert graph.value(record, GEO.lat) == Literal("52.4993", datatype=XSD.decimal)
    assert set(graph.objects(record, SCHEMA.keywords)) == {
        Literal("circular economy"),
        Literal("repair"),
    }
    assert conversion.fields["https://w3id.org/sse/vocab/country"] == "country"
    assert _problems(conversion) == {
        "/data/2/status": "deleted from the index (its profile is gone): not converted",
        "/data/3/linked_schemas": "not an organisation profile (it follows "
        "karte_von_morgen-v1.0.0, not organizations_schema-v1.0.0): skipped",
    }
    report = _core(graph)
    assert (report.records, report.conforms) == (2, True)


def test_breaches_of_the_schema_and_fields_without_counterpart_are_reported_at_their_pointers():
    conversion = _convert("broken")
    problems = _problems(conversion)
    expected = {
        "/0": "no name",
        "/0/primary_url": "must start with http:// or https://",
        "/0/tags/1": "repeated",
        "/0/status": "'closed' is not one of active, completed",
        "/0/country_iso_3166": "'uk' is not an upper-case ISO 3166-1 alpha-2 code: read as GB",
        "/0/geolocation/lat": "95.2 is not between -90 and 90",
        "/0/starts_at": "2010-01-01 12:00:00 UTC: SSE keeps the date only",
        "/0/rss": "no SSE counterpart",
        "/0/header_image": "no SSE counterpart",
        "/0/relationships": "not converted",
        "/0/geographic_scope": "no SSE counterpart",
        "/0/email": "not a field of organizations_schema-v1.0.0",
        "/1/linked_schemas": "people_schema-v0.1.0",
        "/2": "no linked_schemas",
        "/2/country_iso_3166": "'Sussex' is no known concept of the countries taxonomy",
        "/3": "a text where a profile (an object) was expected",
        "/4/tags": "a text where a list of texts was expected",
        "/4/geolocation": "needs lat and lon (no lon)",
        "/4/contact_details/phone": "not a field of contact_details",
        "/4/urls/0": "without a url",
        "/5": "the same record as /2 (same unique_id): skipped",
    }
    assert problems.keys() == expected.keys()
    for pointer, words in expected.items():
        assert words in problems[pointer], pointer
    # The person profile, the text and the duplicate are skipped; the rest is converted, what
    # breaks the rules kept so that the validator reports it too.
    assert sorted(conversion.origins) == [
        "urn:sse:input:dairy-9",
        "urn:sse:input:grainstore",
        "urn:sse:input:seeds-1",
    ]
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (2, 1)
    found = {(r.record.rsplit(":", 1)[-1], r.path) for r in _core(conversion.graph).results}
    assert found == {
        ("grainstore", "schema:name"),  # no name
        ("grainstore", "schema:url"),  # a web address without http(s) stays text
        ("grainstore", "geo:lat"),  # 95.2
        ("seeds-1", "sse:country"),  # "Sussex" stays text
    }


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        (_fixture("not-a-profile"), ""),
        (b'"Leeds Bread Co-operative"', ""),
        (b'[1, 2, {"title": "Leeds Bread"}]', ""),
        (b'{"data": {"profile_url": "https://profiles.example/p.json"}}', "/data"),
    ],
)
def test_json_that_is_not_murmurations_names_the_pointer(document, pointer):
    with pytest.raises(InputError) as caught:
        convert(document, name="upload.json")
    assert caught.value.pointer == pointer
    assert "upload.json#" in str(caught.value)


def test_a_json_syntax_error_names_line_and_column():
    with pytest.raises(InputError) as caught:
        _convert("syntax-error")
    error = caught.value
    assert (error.line, error.column) == (5, 23)
    assert str(error).startswith("murmurations-syntax-error.json:5:23: JSON syntax error")


# --- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["profile", "profiles"])
def test_murmurations_to_sse_to_murmurations_gives_the_profiles_back(name):
    written = json.loads(_fixture(name))
    written = written if isinstance(written, list) else [written]
    back = export(_convert(name).graph)
    _valid_profiles(back)
    # Tags have no order in SSE; the fixtures list them in the order export writes them.
    assert back == sorted(written, key=lambda profile: profile["name"])


def test_the_example_directory_goes_through_murmurations_and_back():
    """Murmurations carries, per initiative: its IRI (as unique_id), name, description and
    mission (one each, without language), web site, one e-mail, one telephone, status, country,
    coordinates, founding date, the address as one line, and concepts as English tags.

    It cannot carry: languages and translations, the network class, member counts, memberOf,
    sites, products, sse:identifier, contact points, licence, source and modified date, the
    address's parts, and concepts as concepts (they come back as keywords)."""
    original = Graph().parse(EXAMPLES / "directory.ttl")
    profiles = export(original)
    _valid_profiles(profiles)
    back = convert(json.dumps(profiles).encode(), name="directory.json").graph
    records = set(original.subjects(RDF.type, SSE.Initiative)) | set(
        original.subjects(RDF.type, SSE.Network)
    )
    assert set(back.subjects(RDF.type, SSE.Initiative)) == records
    assert isomorphic(_carried(original, records), _carried(back, records))
    concepts = reconciler()
    for record in records:
        assert str(back.value(record, SCHEMA.name)) in {
            str(n) for n in original.objects(record, SCHEMA.name)
        }
        english = [n for n in original.objects(record, SCHEMA.name) if n.language == "en"]
        if english:
            assert back.value(record, SCHEMA.name) == Literal(str(english[0]))
        founded = str(original.value(record, SCHEMA.foundingDate))
        expected = founded if len(founded) == 10 else f"{founded}-01-01"
        assert back.value(record, SCHEMA.foundingDate) == Literal(expected, datatype=XSD.date)
        address = original.value(record, VCARD.hasAddress)
        one_line = str(back.value(record, SCHEMA.address))
        for part in (VCARD["street-address"], VCARD.locality, VCARD["postal-code"]):
            assert str(original.value(address, part)) in one_line
        labels = {
            concepts.concept(str(value)).label("en")
            for predicate in (
                SSE.organisationalStructure,
                SSE.legalForm,
                SSE.primaryActivity,
                SSE.activity,
                SSE.additionalActivity,
                SSE.baseMembershipType,
                SSE.qualifier,
                SSE.theme,
            )
            for value in original.objects(record, predicate)
        }
        assert {str(k) for k in back.objects(record, SCHEMA.keywords)} == labels
    assert _core(back).conforms


def _carried(graph: Graph, records: set) -> Graph:
    """What goes through Murmurations unchanged, language tags and decimal zeros aside."""
    carried = Graph()
    for record in records:
        carried.add((record, RDF.type, SSE.Initiative))
        for predicate in (
            SCHEMA.url,
            SCHEMA.email,
            SCHEMA.telephone,
            SCHEMA.description,
            SSE.mission,
            SSE.status,
            SSE.country,
            GEO.lat,
            GEO.long,
        ):
            values = sorted(graph.objects(record, predicate), key=_language_order)
            if values:
                carried.add((record, predicate, _plain(values[0])))
    return carried


def _language_order(value) -> tuple:
    language = getattr(value, "language", None)
    return (bool(language), language != "en", language or "", str(value))


def _plain(value):
    if isinstance(value, Literal) and value.datatype == XSD.decimal:
        return Literal(format(Decimal(str(value)).normalize(), "f"), datatype=XSD.decimal)
    return Literal(str(value)) if isinstance(value, Literal) else value


def test_export_is_deterministic_whatever_the_order_and_blank_node_labels():
    original = Graph().parse(EXAMPLES / "directory.ttl")
    triples = list(original)
    random.Random(7).shuffle(triples)
    relabelled = {node: BNode() for triple in triples for node in triple if isinstance(node, BNode)}
    shuffled = Graph()
    for triple in triples:
        shuffled.add(tuple(relabelled.get(node, node) for node in triple))
    profiles = export(original)
    assert export(shuffled) == profiles
    assert [p["name"] for p in profiles] == sorted(p["name"] for p in profiles)


def test_export_leaves_out_what_the_schema_would_refuse():
    record = URIRef("urn:x:1")
    graph = Graph()
    graph.add((record, RDF.type, SSE.Initiative))
    graph.add((record, SCHEMA.name, Literal("N" * 250)))
    graph.add((record, SCHEMA.url, Literal("www.no-scheme.example")))
    graph.add((record, SCHEMA.keywords, Literal("k" * 101)))
    graph.add((record, SSE.status, Literal("Trading, mostly")))
    graph.add((record, GEO.lat, Literal("95", datatype=XSD.decimal)))
    graph.add((record, GEO.long, Literal("10", datatype=XSD.decimal)))
    (profile,) = export(graph)
    _valid_profiles([profile])
    assert profile == {"linked_schemas": [SCHEMA_NAME], "name": "N" * 199 + "…"}


# --- real data ----------------------------------------------------------------------------------


def test_the_ica_export_goes_through_murmurations_and_conforms():
    path = anchor("data", "sea-ica-standard-v3-2021.csv")
    sse = sea_csv.convert(path.read_bytes(), name=path.name, base="https://ica.example/")
    profiles = export(sse.graph)
    assert len(profiles) == 316
    _valid_profiles(profiles)
    conversion = convert(json.dumps(profiles, ensure_ascii=False).encode(), name="ica.json")
    assert (conversion.records, len(conversion.origins)) == (316, 316)
    # unique_id carries each record's IRI through Murmurations.
    assert set(conversion.origins) == {str(r) for r in sse.graph.subjects(RDF.type, SSE.Initiative)}
    assert conversion.problems == []
    # Every country reconciles; the 4 the CSV could not place have no ISO code to carry.
    assert (conversion.cells_reconciled, conversion.cells_unresolved) == (312, 0)
    report = _core(conversion.graph)
    failing = {result.record for result in report.results}
    assert report.records == 316
    assert 1 - len(failing) / report.records >= 0.98


def test_the_fixtures_are_realistic_profiles():
    profiles = [*json.loads(_fixture("profiles")), json.loads(_fixture("profile"))]
    _valid_profiles(profiles)
