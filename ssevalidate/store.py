"""Where validated data lives: one interface, an embedded pyoxigraph database by default.

Each source lives in its own named graph. A new version of a graph is loaded aside and swapped in
with one SPARQL ``MOVE`` (a single transaction), so a failed load never damages the graph in use.

>>> from ssevalidate.store import EmbeddedStore
>>> store = EmbeddedStore(None)          # in memory; a path gives a database on disk
>>> store.replace_graph("https://example.org/g", b'<https://e.org/a> <https://e.org/p> "x" .', "ntriples")
>>> store.count("https://example.org/g")
1
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from ssevalidate.namespaces import VOCAB, scheme_iri, shapes_iri
from ssevalidate.parsegate import FORMATS
from ssevalidate.profiles import PROFILES
from ssevalidate.resources import examples_dir, ontology_dir, shapes_dir, taxonomy_files

EXAMPLES_GRAPH = "https://directory.example/"
"""The graph of the bundled example directory (the IRI of its DCAT description)."""


class Store(Protocol):
    """What the service and the harvester need from a triple store."""

    def graphs(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...

    def replace_graph(self, graph: str, data: bytes, format: str) -> None: ...


class EmbeddedStore:
    """A pyoxigraph database on disk (or in memory when ``path`` is ``None``)."""

    def __init__(self, path: str | Path | None) -> None:
        if path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
        self.path = None if path is None else Path(path)
        self.oxigraph = ox.Store(None if path is None else str(path))

    def graphs(self) -> list[str]:
        """Names of the named graphs, sorted."""
        return sorted(graph.value for graph in self.oxigraph.named_graphs())

    def count(self, graph: str | None = None) -> int:
        """Triples in ``graph``, or in the whole store."""
        if graph is None:
            return len(self.oxigraph)
        return sum(
            1 for _ in self.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        )

    def replace_graph(self, graph: str, data: bytes, format: str) -> None:
        """Parse ``data`` (trusted or already gated) into a side graph, then swap it in atomically."""
        side = f"urn:uuid:{uuid.uuid4()}"
        try:
            self.oxigraph.load(data, format=FORMATS[format], to_graph=ox.NamedNode(side))
            self.oxigraph.update(f"MOVE SILENT GRAPH <{side}> TO GRAPH <{graph}>")
        finally:
            self.oxigraph.update(f"DROP SILENT GRAPH <{side}>")
        self.oxigraph.flush()

    def load_bundled(self, with_examples: bool = True) -> None:
        """Load the vocabulary, every taxonomy, every profile's shapes and (optionally) the example
        directory, each into its own graph. Run at first start, when the store is empty."""
        self.replace_graph(VOCAB, (ontology_dir() / "sse.ttl").read_bytes(), "turtle")
        alignment = ontology_dir() / "alignments" / "essglobal.ttl"
        self.replace_graph(VOCAB + "alignments/essglobal", alignment.read_bytes(), "turtle")
        for path in taxonomy_files():
            self.replace_graph(scheme_iri(path.stem), path.read_bytes(), "turtle")
        crosswalks = ontology_dir() / "taxonomies" / "crosswalks.ttl"
        self.replace_graph(scheme_iri("crosswalks"), crosswalks.read_bytes(), "turtle")
        for profile in PROFILES:
            self.replace_graph(
                shapes_iri(profile), (shapes_dir() / f"{profile}.ttl").read_bytes(), "turtle"
            )
        if with_examples:
            self.replace_graph(
                EXAMPLES_GRAPH, (examples_dir() / "directory.ttl").read_bytes(), "turtle"
            )

    def is_empty(self) -> bool:
        return len(self.oxigraph) == 0


def open_store(path: str | Path | None, *, with_examples: bool = True) -> EmbeddedStore:
    """Open (creating if needed) the embedded store; an empty one gets the bundled data."""
    store = EmbeddedStore(path)
    if store.is_empty():
        store.load_bundled(with_examples=with_examples)
    return store
