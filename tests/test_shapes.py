"""Every shape of every profile: documented in four languages, and shown to work by one
conforming and one violating fixture (``tests/fixtures/shapes/<profile>/<shape>/``)."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import FIXTURES
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH

from ssevalidate import validate
from ssevalidate.namespaces import LANGUAGES
from ssevalidate.profiles import PROFILES, shapes_graph
from ssevalidate.resources import shapes_file


def named_shapes(profile: str) -> list[URIRef]:
    """Shapes defined in the profile's own file (not the ones it imports)."""
    graph = shapes_file(profile)
    namespace = PROFILES[profile].iri
    found = set()
    for kind in (SH.NodeShape, SH.PropertyShape):
        found.update(graph.subjects(RDF.type, kind))
    found.update(graph.subjects(SH.path, None))
    found.update(graph.objects(None, SH.property))
    return sorted(
        shape for shape in found if isinstance(shape, URIRef) and str(shape).startswith(namespace)
    )


def referrers(graph: Graph, shape) -> set:
    """Shapes that use ``shape`` as a value shape (``sh:node``, ``sh:not``,
    ``sh:qualifiedValueShape``) or in a list (``sh:or``, ``sh:and``, ``sh:xone``)."""
    found = set()
    for predicate in (SH.node, SH["not"], SH.qualifiedValueShape):
        found.update(graph.subjects(predicate, shape))
    for cell in graph.subjects(RDF.first, shape):
        head = cell
        while (previous := next(graph.subjects(RDF.rest, head), None)) is not None:
            head = previous
        for predicate in (SH["or"], SH["and"], SH.xone):
            found.update(graph.subjects(predicate, head))
    return found


def reporters(graph: Graph, shape) -> set:
    """The shapes whose results stand for a failure of ``shape``: itself, its property shapes,
    and the shapes that reach it (or the node shape holding it) as a value shape, transitively."""
    found = {shape, *graph.objects(shape, SH.property)}  # a node shape fails through its parts
    for container in {shape, *graph.subjects(SH.property, shape)}:
        for referrer in referrers(graph, container):
            if referrer not in found:
                found |= reporters(graph, referrer)
    return found


CASES = [(profile, shape) for profile in PROFILES for shape in named_shapes(profile)]


def case_id(case) -> str:
    profile, shape = case
    return f"{profile}/{str(shape)[len(PROFILES[profile].iri) :]}"


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_profile_has_shapes(profile):
    assert named_shapes(profile), f"profile {profile} has no shapes"


@pytest.mark.parametrize("profile", list(PROFILES))
def test_property_shapes_are_named_and_documented_in_four_languages(profile):
    graph = shapes_file(profile)
    problems = []
    for shape in graph.objects(None, SH.property):
        if not isinstance(shape, URIRef):
            problems.append(
                f"blank property shape under {next(graph.subjects(SH.property, shape))}"
            )
    documented = set(graph.objects(None, SH.property)) | set(graph.subjects(SH.sparql, None))
    for shape in documented:
        # A SPARQL constraint may carry the texts itself, or leave them to its shape.
        carriers = [shape, *graph.objects(shape, SH.sparql)]
        for predicate in (SH.name, SH.description, SH.message):
            languages = Counter(
                value.language
                for carrier in carriers
                for value in graph.objects(carrier, predicate)
                if str(value).strip()
            )
            problems += [
                f"{shape} {predicate.n3()}@{lang}" for lang in LANGUAGES if languages[lang] != 1
            ]
        if graph.value(shape, SH.severity) is None:
            problems.append(f"{shape} has no sh:severity")
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef):
            languages = {value.language for value in graph.objects(shape, RDFS.label)}
            problems += [
                f"{shape} rdfs:label@{lang}" for lang in LANGUAGES if lang not in languages
            ]
    assert problems == []


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_shape_has_conforming_and_violating_fixture(case):
    profile, shape = case
    folder = FIXTURES / "shapes" / case_id(case)
    assert (folder / "conforming.ttl").is_file(), f"missing {folder}/conforming.ttl"
    assert (folder / "violating.ttl").is_file(), f"missing {folder}/violating.ttl"

    good = validate(folder / "conforming.ttl", profile)
    assert good.conforms, [(r.shape, r.message) for r in good.results if r.severity == "Violation"]
    assert not [r for r in good.results if r.shape == str(shape)]

    accepted = {str(s) for s in reporters(shapes_graph(profile), shape)}
    bad = validate(folder / "violating.ttl", profile)
    assert any(result.shape in accepted for result in bad.results), (
        f"no result from {shape}: {[(r.shape, r.component) for r in bad.results]}"
    )


def test_no_fixture_folder_without_a_shape():
    known = {case_id(case) for case in CASES}
    folders = {
        f"{folder.parent.name}/{folder.name}"
        for folder in (FIXTURES / "shapes").glob("*/*")
        if folder.is_dir()
    }
    assert folders - known == set()


def test_shapes_readme_lists_every_check():
    readme = (FIXTURES.parent.parent / "shapes" / "README.md").read_text(encoding="utf-8")
    for profile in PROFILES.values():
        for iri, name, severity in profile.checks("en"):
            if iri.startswith(profile.iri):
                assert f"| {name} | {severity} | `{iri[len(profile.iri) :]}` |" in readme, iri
