"""Both stores: the embedded one (loaded with the bundled data at first start) and a real
Oxigraph server reached through the SPARQL and Graph Store Protocols. A graph is replaced in one
transaction, and a failed replacement leaves the old graph as it was."""

from __future__ import annotations

import gc
import socket

import pyoxigraph as ox
import pytest

from ssevalidate.namespaces import VOCAB, scheme_iri, shapes_iri
from ssevalidate.store import (
    EXAMPLES_GRAPH,
    SIDE_GRAPHS,
    EmbeddedStore,
    RemoteStore,
    StoreError,
    load_bundled,
    open_store,
)

GRAPH = "https://example.org/source"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_first_start_loads_vocabulary_taxonomies_shapes_and_examples(tmp_path):
    store = open_store(tmp_path / "store")
    graphs = set(store.graphs())
    assert {VOCAB, scheme_iri("countries"), shapes_iri("core"), EXAMPLES_GRAPH} <= graphs
    assert store.count(EXAMPLES_GRAPH) > 1000
    total = store.count()
    del store
    gc.collect()  # the database is locked while a handle is open
    assert open_store(tmp_path / "store").count() == total


def test_both_stores_hold_the_same_bundled_data(store):
    assert store.is_empty()
    load_bundled(store)
    reference = EmbeddedStore(None)
    load_bundled(reference)
    assert store.graphs() == reference.graphs()
    assert store.count() == reference.count()
    assert store.count(EXAMPLES_GRAPH) == reference.count(EXAMPLES_GRAPH)
    assert not store.is_empty()


def test_replace_graph_swaps_and_keeps_other_graphs(store):
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


def test_failed_replacement_keeps_the_previous_graph(store):
    store.replace_graph(GRAPH, b'<https://e.org/a> <https://e.org/p> "1" .', "ntriples")
    with pytest.raises(StoreError) as refused:
        store.replace_graph(GRAPH, b'<https://e.org/a> <https://e.org/p> "broken .', "ntriples")
    assert "broken" not in str(refused.value)
    assert store.count(GRAPH) == 1
    assert store.graphs() == [GRAPH]


def test_an_unreachable_remote_store_is_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    remote = RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store", timeout=2)
    with pytest.raises(StoreError, match="unreachable"):
        remote.count()


def test_a_side_graph_left_by_a_killed_replacement_is_dropped_at_opening(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph("https://e.org/g", b'<https://e.org/a> <https://e.org/p> "1" .', "ntriples")
    left = ox.NamedNode(f"{SIDE_GRAPHS}killed")
    store.oxigraph.add(ox.Quad(ox.NamedNode("https://e.org/a"), RDF_TYPE, RDF_TYPE, left))
    store.oxigraph.flush()
    del store
    gc.collect()
    reopened = EmbeddedStore(tmp_path / "store")
    assert reopened.graphs() == ["https://e.org/g"]
