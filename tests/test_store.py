"""The embedded store: loaded with the bundled data at first start; a graph is replaced in one
transaction, and a failed replacement leaves the old graph as it was."""

from __future__ import annotations

import gc

import pytest

from ssevalidate.namespaces import VOCAB, scheme_iri, shapes_iri
from ssevalidate.store import EXAMPLES_GRAPH, EmbeddedStore, open_store

GRAPH = "https://example.org/source"


def test_first_start_loads_vocabulary_taxonomies_shapes_and_examples(tmp_path):
    store = open_store(tmp_path / "store")
    graphs = set(store.graphs())
    assert {VOCAB, scheme_iri("countries"), shapes_iri("core"), EXAMPLES_GRAPH} <= graphs
    assert store.count(EXAMPLES_GRAPH) > 1000
    total = store.count()
    del store
    gc.collect()  # the database is locked while a handle is open
    assert open_store(tmp_path / "store").count() == total


def test_replace_graph_swaps_and_keeps_other_graphs():
    store = EmbeddedStore(None)
    store.replace_graph(GRAPH, b'<https://e.org/a> <https://e.org/p> "1" .', "ntriples")
    store.replace_graph(
        "https://example.org/other", b'<https://e.org/b> <https://e.org/p> "x" .', "ntriples"
    )
    store.replace_graph(
        GRAPH,
        b'<https://e.org/c> <https://e.org/p> "2" .\n<https://e.org/d> <https://e.org/p> "3" .',
        "ntriples",
    )
    assert store.count(GRAPH) == 2
    assert store.count("https://example.org/other") == 1
    assert store.graphs() == ["https://example.org/other", GRAPH]


def test_failed_replacement_keeps_the_previous_graph():
    store = EmbeddedStore(None)
    store.replace_graph(GRAPH, b'<https://e.org/a> <https://e.org/p> "1" .', "ntriples")
    with pytest.raises(SyntaxError):
        store.replace_graph(GRAPH, b'<https://e.org/a> <https://e.org/p> "broken .', "ntriples")
    assert store.count(GRAPH) == 1
    assert store.graphs() == [GRAPH]
