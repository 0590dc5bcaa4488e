"""The SKOS taxonomies: complete in four languages, one scheme per concept, every ESSGlobal
concept carried over, and the labels real exports use recognised."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict

import pytest
from conftest import anchor
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from ssevalidate import validate
from ssevalidate.namespaces import ESSGLOBAL_SCHEME_NAMES, LANGUAGES, TAXONOMY, concept_iri
from ssevalidate.reconcile import normalise
from ssevalidate.resources import crosswalks, taxonomies, taxonomy_files

ESSGLOBAL_SCHEMES = [
    "activities",
    "activities-modified",
    "activities-ica",
    "organisational-structure",
    "legal-form",
    "base-membership-type",
    "qualifiers",
    "themes",
    "type-of-labour",
    "products-services",
    "countries",
    "regions-ica",
    "super-regions-ica",
]
OWN_SCHEMES = ["status", "identifier-schemes", "match-rules", "match-decisions"]


def concepts(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, SKOS.Concept))


def test_every_scheme_has_its_file():
    names = {path.stem for path in taxonomy_files()}
    assert names == set(ESSGLOBAL_SCHEMES) | set(OWN_SCHEMES)


@pytest.mark.parametrize("path", taxonomy_files(), ids=lambda p: p.stem)
def test_every_concept_is_complete_in_four_languages(path):
    graph = Graph().parse(path)
    found = concepts(graph)
    assert found, f"{path.name} defines no concept"
    problems = []
    for concept in found:
        for predicate in (SKOS.prefLabel, SKOS.definition):
            languages = Counter(value.language for value in graph.objects(concept, predicate))
            for lang in LANGUAGES:
                if languages[lang] != 1:
                    problems.append(f"{concept} has {languages[lang]} {predicate.n3()}@{lang}")
        if len(set(graph.objects(concept, SKOS.notation))) != 1:
            problems.append(f"{concept} needs one skos:notation")
        if not str(concept).startswith(f"{TAXONOMY}{path.stem}/"):
            problems.append(f"{concept} is outside its scheme's namespace")
    empty = [(s, p) for s, p, o in graph if isinstance(o, Literal) and not str(o).strip()]
    assert problems == []
    assert empty == []


def test_each_concept_is_in_exactly_one_scheme():
    graph = taxonomies()
    for concept in concepts(graph):
        schemes = list(graph.objects(concept, SKOS.inScheme))
        assert len(schemes) == 1, f"{concept} is in {len(schemes)} schemes"
        assert (schemes[0], RDF.type, SKOS.ConceptScheme) in graph


def test_labels_per_language_are_reported():
    graph = taxonomies()
    counts = Counter(value.language for value in graph.objects(None, SKOS.prefLabel))
    assert all(
        counts[lang] == len(concepts(graph)) + _schemes_with_labels(graph) for lang in LANGUAGES
    )


def _schemes_with_labels(graph: Graph) -> int:
    return sum(
        1
        for scheme in graph.subjects(RDF.type, SKOS.ConceptScheme)
        if (scheme, SKOS.prefLabel, None) in graph
    )


@pytest.mark.parametrize(
    "scheme_file",
    sorted(anchor("essglobal", "dcc-ica10-2025", "standard").glob("*.ttl")),
    ids=lambda p: p.stem,
)
def test_every_essglobal_concept_has_an_exact_match(scheme_file):
    essglobal = Graph().parse(scheme_file)
    ours = taxonomies()
    matched = set(ours.objects(None, SKOS.exactMatch))
    defined = {
        concept
        for concept in concepts(essglobal)
        if any(str(label).strip() for label in essglobal.objects(concept, SKOS.prefLabel))
        or (concept, SKOS.definition, None) in essglobal
    }
    missing = sorted(str(concept) for concept in defined if concept not in matched)
    assert missing == []
    if defined:
        scheme = ESSGLOBAL_SCHEME_NAMES.get(scheme_file.stem, scheme_file.stem)
        for concept in defined:
            code = str(concept).rstrip("/").rsplit("/", 1)[-1]
            assert (URIRef(concept_iri(scheme, code)), SKOS.exactMatch, concept) in ours


def test_old_labels_from_real_exports_are_altlabels():
    graph = taxonomies()
    expected = {
        ("organisational-structure", "OS115"): "Co-operative",
        ("activities-ica", "ICA290"): "All",
        ("base-membership-type", "BMT40"): "Multi - stakeholders",
    }
    for (scheme, code), label in expected.items():
        assert Literal(label, lang="en") in set(
            graph.objects(URIRef(concept_iri(scheme, code)), SKOS.altLabel)
        )
    assert any(str(label) == "Other services" for label in graph.objects(None, SKOS.altLabel))


def test_every_taxonomy_cell_of_the_ica_export_matches_a_label():
    """The 2021 ICA export writes labels; each one must be a label of the right scheme."""
    path = anchor("data", "sea-ica-standard-v3-2021.csv")
    graph = taxonomies()
    labels: dict[str, set[str]] = defaultdict(set)
    for concept in concepts(graph):
        scheme = str(graph.value(concept, SKOS.inScheme))[len(TAXONOMY) :]
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            labels[scheme].update(
                normalise(str(value)) for value in graph.objects(concept, predicate)
            )
    columns = {
        "Organisational Structure": ["organisational-structure"],
        "Primary Activity": ["activities-ica"],
        "Activities": ["activities-ica"],
        "Membership Type": ["base-membership-type"],
    }
    unmatched = Counter()
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            for column, schemes in columns.items():
                for cell in filter(None, (part.strip() for part in row[column].split(";"))):
                    if not any(normalise(cell) in labels[scheme] for scheme in schemes):
                        unmatched[(column, cell)] += 1
    assert unmatched == Counter()


def test_hierarchies_have_no_cycles_and_state_both_directions():
    graph = taxonomies()
    for concept in concepts(graph):
        for broader in graph.objects(concept, SKOS.broader):
            assert (broader, SKOS.narrower, concept) in graph
        seen, frontier = set(), set(graph.objects(concept, SKOS.broader))
        while frontier:
            assert concept not in frontier, f"{concept} is its own ancestor"
            seen |= frontier
            frontier = {b for node in frontier for b in graph.objects(node, SKOS.broader)} - seen


def test_products_services_have_words_not_codes_as_labels():
    graph = Graph().parse(next(p for p in taxonomy_files() if p.stem == "products-services"))
    numeric = [
        c
        for c in concepts(graph)
        if any(str(label).isdigit() for label in graph.objects(c, SKOS.prefLabel))
    ]
    assert numeric == []


def test_crosswalks_link_existing_concepts_of_different_schemes():
    walks = crosswalks()
    graph = taxonomies()
    mapping = (
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        SKOS.relatedMatch,
    )
    pairs = [(s, o) for p in mapping for s, o in walks.subject_objects(p)]
    assert len(pairs) >= 20
    for subject, target in pairs:
        assert (subject, RDF.type, SKOS.Concept) in graph, subject
        assert (target, RDF.type, SKOS.Concept) in graph, target
        assert graph.value(subject, SKOS.inScheme) != graph.value(target, SKOS.inScheme)
    linked = {
        str(graph.value(node, SKOS.inScheme))[len(TAXONOMY) :] for pair in pairs for node in pair
    }
    assert {
        "activities",
        "activities-modified",
        "activities-ica",
        "legal-form",
        "organisational-structure",
    } <= linked
    assert (None, SKOS.inScheme, None) not in walks


@pytest.mark.parametrize("path", taxonomy_files(), ids=lambda p: p.stem)
def test_our_taxonomy_files_pass_the_taxonomy_profile(path):
    report = validate(path, "taxonomy")
    assert report.conforms, [r.message for r in report.results if r.severity == "Violation"][:5]
    assert report.records > 0


def test_essglobal_products_services_fails_the_taxonomy_profile():
    report = validate(
        anchor("essglobal", "dcc-ica10-2025", "standard", "products-services.ttl"), "taxonomy"
    )
    assert not report.conforms
    components = {result.component for result in report.results if result.severity == "Violation"}
    assert (
        "sh:MinLengthConstraintComponent" in components
        or "sh:QualifiedMinCountConstraintComponent" in components
    )
