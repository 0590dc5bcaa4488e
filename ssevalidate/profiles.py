"""Validation profiles: which shapes apply, and what each one checks.

>>> from ssevalidate.profiles import get_profile
>>> get_profile("full").files
('core', 'full')
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SH

from ssevalidate.namespaces import LANGUAGES, SHAPES, shapes_iri
from ssevalidate.parsegate import InputError
from ssevalidate.report import ShapeTexts
from ssevalidate.resources import shapes_file


@dataclass(frozen=True)
class Profile:
    """A named set of shapes.

    ``with_taxonomies``: the taxonomy files are added to the data graph so that concept values
    can be checked against their scheme (not for ``taxonomy``, which validates taxonomy files
    themselves, nor ``dataset``).
    """

    name: str
    with_taxonomies: bool

    @property
    def iri(self) -> str:
        return shapes_iri(self.name)

    @property
    def files(self) -> tuple[str, ...]:
        return _import_closure(self.name)

    def shapes(self) -> Graph:
        """The shapes graph: this profile's file and every profile it imports."""
        return shapes_graph(self.name)

    def title(self, lang: str = "en") -> str:
        return (
            _localized(shapes_file(self.name), URIRef(self.iri), DCTERMS.title, lang) or self.name
        )

    def description(self, lang: str = "en") -> str:
        return _localized(shapes_file(self.name), URIRef(self.iri), DCTERMS.description, lang) or ""

    def checks(self, lang: str = "en") -> list[tuple[str, str, str]]:
        """(shape IRI, name, severity) of every named check (SPARQL constraints included)."""
        graph = self.shapes()
        texts = ShapeTexts(graph, lang)
        shapes = {s for s in graph.subjects(SH.name, None) if isinstance(s, URIRef)}
        shapes |= {s for s in graph.subjects(SH.sparql, None) if isinstance(s, URIRef)}
        found = []
        for shape in sorted(shapes):
            severity = graph.value(shape, SH.severity)
            name = texts.name(shape) or str(shape)
            found.append(
                (str(shape), name, str(severity).rsplit("#", 1)[-1] if severity else "Violation")
            )
        return found


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile("core", with_taxonomies=True),
        Profile("full", with_taxonomies=True),
        Profile("essglobal", with_taxonomies=False),
        Profile("taxonomy", with_taxonomies=False),
        Profile("dataset", with_taxonomies=False),
    )
}


def get_profile(name: str) -> Profile:
    """The profile called ``name``; :class:`InputError` for an unknown one."""
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(f"unknown profile {name!r} (known: {', '.join(PROFILES)})") from None


def profiles() -> list[Profile]:
    """Every profile, in the order they are documented."""
    return list(PROFILES.values())


@functools.cache
def _import_closure(name: str) -> tuple[str, ...]:
    """Profiles import each other with ``owl:imports`` of their shapes IRI; only our own shapes
    are ever resolved, and only from the package."""
    order: list[str] = []

    def visit(profile: str) -> None:
        if profile in order:
            return
        graph = shapes_file(profile)
        for imported in graph.objects(URIRef(shapes_iri(profile)), OWL.imports):
            iri = str(imported)
            if not iri.startswith(SHAPES):
                raise ValueError(f"shapes of {profile!r} import a foreign graph {iri}")
            visit(iri[len(SHAPES) :].strip("/"))
        order.append(profile)

    visit(name)
    return tuple(order)


@functools.cache
def shapes_graph(name: str) -> Graph:
    """The shapes of ``name`` with its imports, parsed once per process."""
    graph = Graph()
    for part in _import_closure(name):
        graph += shapes_file(part)
    return graph


def _localized(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> str:
    values = [value for value in graph.objects(subject, predicate) if isinstance(value, Literal)]
    for wanted in (lang, "en", None):
        for value in values:
            if value.language == wanted or (wanted is None and value.language not in LANGUAGES):
                return str(value)
    return str(values[0]) if values else ""
