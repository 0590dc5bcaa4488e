"""The bundled examples: a clean directory (Turtle and JSON-LD, the same graph) and a file of the
mistakes stewards make, each caught with a useful hint."""

from __future__ import annotations

from conftest import EXAMPLES
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from ssevalidate import load, validate
from ssevalidate.engines import get_engine
from ssevalidate.namespaces import SSE
from ssevalidate.profiles import get_profile
from ssevalidate.resources import taxonomies
from ssevalidate.validation import with_concepts


def test_directory_conforms_to_core_and_full():
    core = validate(EXAMPLES / "directory.ttl", "core")
    assert core.conforms and core.results == []
    assert core.records >= 30
    full = validate(EXAMPLES / "directory.ttl", "full")
    assert full.violations == 0


def test_directory_has_networks_members_and_many_countries():
    graph = load(EXAMPLES / "directory.ttl")
    networks = set(graph.subjects(RDF.type, SSE.Network))
    assert len(networks) >= 3
    assert set(graph.objects(None, SSE.memberOf)) <= networks
    assert len(set(graph.objects(None, SSE.country))) >= 10


def test_jsonld_is_the_same_directory():
    turtle = load(EXAMPLES / "directory.ttl")
    jsonld = load(EXAMPLES / "directory.jsonld")
    assert isomorphic(Graph() + turtle, Graph() + jsonld)
    assert validate(EXAMPLES / "directory.jsonld").conforms


def test_every_typical_mistake_is_caught():
    report = validate(EXAMPLES / "mistakes.ttl")
    assert not report.conforms
    components = {r.component for r in report.results}
    assert {
        "sh:MinCountConstraintComponent",
        "sh:MaxCountConstraintComponent",
        "sh:ClassConstraintComponent",
        "sh:SPARQLConstraintComponent",
    } <= components
    values = {r.value for r in report.results}
    assert {"2019-13-45", "Co-operative", "UK"} <= values
    paths = {r.path for r in report.results}
    assert {"geo:lat", "schema:email", "schema:url", "schema:name"} <= paths
    hints = {r.value: r.hint for r in report.results if r.hint}
    assert "OS115" in hints["Co-operative"]
    assert "GB" in hints["UK"]
    assert "YYYY-MM-DD" in hints["2019-13-45"]


def test_mistakes_file_also_has_correct_records():
    report = validate(EXAMPLES / "mistakes.ttl")
    assert len(report.by_record()) < report.records


def test_adding_only_the_used_concepts_equals_adding_every_taxonomy():
    """The validator adds the description of each concept the data uses, not whole taxonomies:
    the findings must be exactly those obtained with every taxonomy in the data graph."""
    data = load(EXAMPLES / "mistakes.ttl")
    engine = get_engine("pyshacl")
    for profile in ("core", "full"):
        shapes = get_profile(profile).shapes()
        sliced = {f.key() for f in engine.run(with_concepts(data), shapes)}
        whole = {f.key() for f in engine.run(data + taxonomies(), shapes)}
        assert sliced == whole and sliced
