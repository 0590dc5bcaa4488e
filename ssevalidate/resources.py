"""The project's own data files (vocabulary, taxonomies, shapes, JSON-LD context).

They live at the top of the checkout (``ontology/``, ``shapes/``) and inside the wheel under
``ssevalidate/_data/``. Each file is parsed once per process; callers get read-only views and
must copy before changing anything.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ssevalidate.rdfconvert import graph_from_quads


def _data_root() -> Path:
    packaged = Path(__file__).parent / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    """The folder holding ``sse.ttl``, ``context.jsonld`` and ``taxonomies/``."""
    return _data_root() / "ontology"


def shapes_dir() -> Path:
    """The folder holding one shapes file per profile."""
    return _data_root() / "shapes"


def examples_dir() -> Path:
    """The bundled example directory and mistakes file."""
    return _data_root() / "examples"


def taxonomy_files() -> list[Path]:
    """The concept-scheme files, one scheme each (crosswalks excluded), sorted by name."""
    return sorted(
        p for p in (ontology_dir() / "taxonomies").glob("*.ttl") if p.stem != "crosswalks"
    )


def _parse_trusted(path: Path) -> Graph:
    with path.open("rb") as stream:
        return graph_from_quads(ox.parse(stream, format=ox.RdfFormat.TURTLE))


@functools.cache
def vocabulary() -> Graph:
    """The SSE vocabulary (``ontology/sse.ttl``)."""
    return _parse_trusted(ontology_dir() / "sse.ttl")


@functools.cache
def taxonomy_triples() -> tuple[ox.Quad, ...]:
    """The statements of every concept scheme, as pyoxigraph parsed them (once per process:
    the rdflib graph, the fast engine's background and the reconciler are built from them)."""
    return tuple(
        quad
        for path in taxonomy_files()
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    )


@functools.cache
def taxonomies() -> Graph:
    """All concept schemes in one graph."""
    return graph_from_quads(taxonomy_triples(), Graph())


@functools.cache
def taxonomy(scheme: str) -> Graph:
    """One concept scheme, by its file name (``activities-ica``)."""
    return _parse_trusted(ontology_dir() / "taxonomies" / f"{scheme}.ttl")


@functools.cache
def crosswalks() -> Graph:
    """SKOS mappings between schemes."""
    return _parse_trusted(ontology_dir() / "taxonomies" / "crosswalks.ttl")


@functools.cache
def shapes_file(name: str) -> Graph:
    """One shapes file (``core``, ``full``, ...), without its imports."""
    return _parse_trusted(shapes_dir() / f"{name}.ttl")


@functools.cache
def jsonld_context() -> dict:
    """The ``@context`` object of ``ontology/context.jsonld``."""
    document = json.loads((ontology_dir() / "context.jsonld").read_text(encoding="utf-8"))
    return document["@context"]
