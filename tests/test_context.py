"""``context.jsonld`` names every property our importers write, and data written with it reads
back as the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal
from rdflib.compare import isomorphic

from ssevalidate.importers import convert
from ssevalidate.resources import jsonld_context

EXPORTS = sorted(
    path
    for path in (Path(__file__).parent / "fixtures" / "importers").iterdir()
    if "syntax-error" not in path.name and "not-a-profile" not in path.name
)


def term_iris() -> set[str]:
    """The IRI of every term of the context (prefixed names expanded)."""
    entries = jsonld_context()
    prefixes = {
        key: value
        for key, value in entries.items()
        if isinstance(value, str) and value.endswith(("/", "#"))
    }
    iris = set()
    for key, value in entries.items():
        if key.startswith("@") or key in prefixes:
            continue
        name = value["@id"] if isinstance(value, dict) else value
        prefix, _, local = name.partition(":")
        iris.add(prefixes[prefix] + local if prefix in prefixes else name)
    return iris


@pytest.mark.parametrize("export", EXPORTS, ids=lambda path: path.name)
def test_every_property_an_importer_writes_has_a_term(export):
    graph = convert(export.read_bytes(), name=str(export)).graph
    unnamed = {str(p) for p in graph.predicates() if p != RDF.type} - term_iris()
    assert not unnamed, f"add these properties to ontology/context.jsonld: {sorted(unnamed)}"


@pytest.mark.parametrize("export", EXPORTS, ids=lambda path: path.name)
def test_data_written_with_the_context_reads_back_the_same(export):
    graph = convert(export.read_bytes(), name=str(export)).graph
    written = graph.serialize(format="json-ld", context=jsonld_context())
    document = json.loads(written)
    assert "@context" in document
    assert isomorphic(by_value(Graph().parse(data=written, format="json-ld")), by_value(graph))


def by_value(graph: Graph) -> Graph:
    """``graph`` with typed literals in one lexical form: JSON-LD writes ``5.17E1`` as ``51.7``
    and ``Z`` as ``+00:00``, the same values."""
    same = Graph()
    for subject, predicate, value in graph:
        if isinstance(value, Literal) and value.datatype and value.value is not None:
            value = Literal(value.value, datatype=value.datatype)
        same.add((subject, predicate, value))
    return same
