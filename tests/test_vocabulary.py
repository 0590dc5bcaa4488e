"""The SSE vocabulary: labelled in four languages, publishable (LOV/FOOPS metadata), aligned with
every ESSGlobal term, and reachable from the JSON-LD context."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import ROOT, anchor
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ssevalidate.namespaces import ESSGLOBAL_VOCAB, LANGUAGES, VOCAB
from ssevalidate.resources import jsonld_context, ontology_dir, vocabulary

VANN = Namespace("http://purl.org/vocab/vann/")
VS = Namespace("http://www.w3.org/2003/06/sw-vocab-status/ns#")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def terms() -> set[URIRef]:
    graph = vocabulary()
    return {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if str(s).startswith(VOCAB)}


def test_vocabulary_covers_the_issue_topics():
    names = {str(term)[len(VOCAB) :] for term in terms()}
    expected = {
        "Initiative", "Network", "Site", "Identifier", "ProductOrService", "Match",
        "memberOf", "hasMember", "hasSite", "identifier", "identifierScheme", "country",
        "hasProductOrService", "totalMembers", "totalWomen", "totalMen", "totalWorkers",
        "status", "legalForm", "organisationalStructure", "primaryActivity", "activity",
        "baseMembershipType", "qualifier", "theme", "matchedRecord", "matchRule", "matchScore",
        "matchDecision",
    }  # fmt: skip
    assert expected <= names


def test_every_term_is_labelled_and_defined_in_four_languages():
    graph = vocabulary()
    problems = []
    for term in terms():
        for predicate in (RDFS.label, SKOS.definition):
            languages = Counter(
                value.language for value in graph.objects(term, predicate) if str(value).strip()
            )
            problems += [
                f"{term} {predicate.n3()}@{lang}" for lang in LANGUAGES if languages[lang] != 1
            ]
        if graph.value(term, RDFS.isDefinedBy) != URIRef(VOCAB):
            problems.append(f"{term} lacks rdfs:isDefinedBy <{VOCAB}>")
        if (term, VS.term_status, None) not in graph:
            problems.append(f"{term} lacks vs:term_status")
    empty = [s for s, p, o in graph if isinstance(o, Literal) and not str(o).strip()]
    assert problems == []
    assert empty == []


def test_ontology_metadata_for_lov_and_fair_checks():
    graph = vocabulary()
    ontology = URIRef(VOCAB)
    assert (ontology, RDF.type, OWL.Ontology) in graph
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert {v.language for v in graph.objects(ontology, predicate)} >= set(LANGUAGES)
    assert graph.value(ontology, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(ontology, OWL.versionIRI) == URIRef(VOCAB + "1.0.0")
    assert str(graph.value(ontology, VANN.preferredNamespacePrefix)) == "sse"
    assert str(graph.value(ontology, VANN.preferredNamespaceUri)) == VOCAB
    for predicate in (
        DCTERMS.creator,
        DCTERMS.publisher,
        DCTERMS.modified,
        OWL.priorVersion,
        OWL.versionInfo,
    ):
        assert graph.value(ontology, predicate) is not None, predicate
    assert graph.value(ontology, DCTERMS.issued) or graph.value(ontology, DCTERMS.created)


def test_concept_valued_properties_are_object_properties_with_skos_range():
    graph = vocabulary()
    for name in (
        "legalForm",
        "organisationalStructure",
        "primaryActivity",
        "qualifier",
        "country",
        "status",
    ):
        term = URIRef(VOCAB + name)
        assert (term, RDF.type, OWL.ObjectProperty) in graph
        assert graph.value(term, RDFS.range) == SKOS.Concept


def test_every_essglobal_term_has_a_counterpart():
    essglobal = Graph().parse(anchor("essglobal", "dcc-ica10-2025", "vocab", "essglobal-vocab.ttl"))
    # The VES classes carry no rdf:type in ESSGlobal: every labelled subject is a term.
    defined = {
        s
        for s in essglobal.subjects(RDFS.label, None)
        if str(s).startswith(ESSGLOBAL_VOCAB) and str(s) != ESSGLOBAL_VOCAB
    }
    assert len(defined) >= 52
    alignment = Graph().parse(ontology_dir() / "alignments" / "essglobal.ttl")
    links = (
        OWL.equivalentClass,
        OWL.equivalentProperty,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        DCTERMS.isReplacedBy,
    )
    ours = terms()
    missing = []
    for term in defined:
        targets = [o for p in links for o in alignment.objects(term, p)]
        if not targets:
            missing.append(str(term))
            continue
        for target in targets:
            if str(target).startswith(VOCAB):
                assert target in ours, f"{term} is aligned with undefined {target}"
    assert missing == []


def test_context_maps_every_key_to_a_defined_or_reused_term():
    context = jsonld_context()
    prefixes = {
        key: value
        for key, value in context.items()
        if isinstance(value, str) and value.endswith(("/", "#"))
    }
    ours = {str(term) for term in terms()}
    for key, value in context.items():
        if key.startswith("@") or key in prefixes:
            continue
        iri = value if isinstance(value, str) else value.get("@id", "")
        if iri.startswith("@"):
            continue
        prefix, _, local = iri.partition(":")
        expanded = prefixes[prefix] + local if prefix in prefixes else iri
        if expanded.startswith(VOCAB):
            assert expanded in ours, f"context key {key!r} names undefined {expanded}"


def test_context_file_is_json_with_a_context_object():
    document = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)
    assert document["@context"]["@version"] == 1.1


@pytest.mark.parametrize("name", ["README.md", "CHANGES.md"])
def test_ontology_documentation_exists(name):
    text = (ROOT / "ontology" / name).read_text(encoding="utf-8")
    assert "essglobal" in text.lower()
    assert len(text) > 2000
