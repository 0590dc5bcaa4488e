"""Both stores: the embedded one (loaded with the bundled data at first start) and a real
Oxigraph server reached through the SPARQL and Graph Store Protocols. A graph is replaced in one
transaction, and a failed replacement leaves the old graph as it was."""

from __future__ import annotations

import gc
import socket

import pyoxigraph as ox
import pytest

from ssevalidate import store as store_module
from ssevalidate.harvest.storeio import select
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
OTHER = "https://example.org/other"
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


def test_a_loaded_graph_replaces_what_the_graph_held(store, tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "_BATCH", 2)  # the old statements go in several batches
    data = tmp_path / "new.nt"
    data.write_bytes(b'<https://e.org/new> <https://e.org/p> "new" .\n')
    old = "".join(f'<https://e.org/old> <https://e.org/p> "{n}" .\n' for n in range(5))
    store.replace_graph(GRAPH, old.encode(), "ntriples")
    store.replace_graph(OTHER, b'<https://e.org/b> <https://e.org/p> "x" .', "ntriples")

    store.load_graph(GRAPH, data)

    assert subjects(store, GRAPH) == ["https://e.org/new"]
    assert store.count(OTHER) == 1, "other graphs are left alone"


RECORDS = "".join(
    f'<https://e.org/r{n}> <https://e.org/a> _:b{n} .\n<https://e.org/r{n}> <https://e.org/p> "{n}" .\n'
    f'<https://e.org/r{n}> <https://e.org/p2> "{n}" .\n'
    f'_:b{n} <https://e.org/q> _:c{n} .\n_:c{n} <https://e.org/v> "{n}" .\n'
    for n in range(50)
)
"""Records written one after another, each with its own blank nodes (two levels), referred to
before the record's other statements."""
SHARED = (
    "<https://e.org/a> <https://e.org/a> _:same .\n"
    + "".join(f'<https://e.org/m{n}> <https://e.org/p> "m" .\n' for n in range(5))
    + '<https://e.org/b> <https://e.org/a> _:same .\n_:same <https://e.org/v> "s" .\n'
)
"""Two records sharing a blank node, apart in the file."""
BLANK_VALUES = """SELECT ?r ?v WHERE { GRAPH <%s> {
    ?r <https://e.org/a> ?b . OPTIONAL { ?b <https://e.org/q>? ?c . ?c <https://e.org/v> ?v } } }"""


@pytest.mark.parametrize("text", [RECORDS, SHARED], ids=["own-blank-nodes", "shared"])
def test_a_graph_loaded_in_pieces_keeps_every_blank_node_whole(store, tmp_path, monkeypatch, text):
    data = tmp_path / "records.nt"
    data.write_text(text)
    whole = EmbeddedStore(None)
    whole.oxigraph.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
    store.replace_graph(GRAPH, b'<https://e.org/old> <https://e.org/p> "old" .', "ntriples")
    monkeypatch.setattr(store_module, "LOAD_PIECE", 2)
    loaded = []
    original = store_module.load_in_pieces
    monkeypatch.setattr(
        store_module,
        "load_in_pieces",
        lambda *args: loaded.append(original(*args)) or loaded[-1],
    )

    store.load_graph(GRAPH, data)

    # Records in pieces load as they are; a blank node in two pieces makes a whole reload.
    assert loaded == [text is RECORDS]
    assert store.count(GRAPH) == whole.count(GRAPH)
    expected = blank_values(whole)
    assert blank_values(store) == expected
    assert len(expected) == (50 if text is RECORDS else 2)
    assert all(value is not None for _, value in expected), "every blank node keeps its value"


def test_an_empty_file_loaded_empties_the_graph(store, tmp_path):
    store.replace_graph(GRAPH, b'<https://e.org/old> <https://e.org/p> "old" .', "ntriples")
    (tmp_path / "empty.nt").write_bytes(b"")

    store.load_graph(GRAPH, tmp_path / "empty.nt")

    assert store.count(GRAPH) == 0


def blank_values(store) -> list[tuple[str, str | None]]:
    rows = select(store, BLANK_VALUES % GRAPH)
    return sorted((row["r"], row.get("v")) for row in rows)


def subjects(store, graph: str) -> list[str]:
    rows = select(store, f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return sorted(row["s"] for row in rows)


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


def test_a_reload_that_fails_puts_the_previous_graph_back(store, tmp_path, monkeypatch):
    store.replace_graph(GRAPH, RECORDS.encode(), "ntriples")
    before = blank_values(store)
    monkeypatch.setattr(store_module, "LOAD_PIECE", 2)
    pieces = store_module._pieces
    readings = []

    def cut_after_two(path, lines):
        """The new version's pieces, read a second time (to be loaded), fail after the
        second (what a full disk does)."""
        readings.append(path.name)
        if readings.count("new.nt") < 2 or path.name != "new.nt":
            yield from pieces(path, lines)
            return
        yield from list(pieces(path, lines))[:2]
        raise OSError("no space left on device")

    monkeypatch.setattr(store_module, "_pieces", cut_after_two)
    new = tmp_path / "new.nt"
    new.write_text(RECORDS.replace("<https://e.org/r", "<https://e.org/new"))

    with pytest.raises(StoreError, match="not loaded: OSError"):
        store.reload_graph(GRAPH, new)

    assert blank_values(store) == before and store.count(GRAPH) == 250
    assert store.kept.folder is None or not store.kept.folder.exists()


def test_a_reload_that_succeeds_replaces_the_graph_and_keeps_no_copy(store, tmp_path):
    store.replace_graph(GRAPH, b'<https://e.org/old> <https://e.org/p> "old" .', "ntriples")
    store.replace_graph(OTHER, b'<https://e.org/b> <https://e.org/p> "x" .', "ntriples")
    new = tmp_path / "new.nt"
    new.write_text(RECORDS)

    store.reload_graph(GRAPH, new)

    assert store.count(GRAPH) == 250 and subjects(store, GRAPH)[0] != "https://e.org/old"
    assert store.count(OTHER) == 1


@pytest.mark.parametrize("where", ["embedded", "remote"])
def test_a_copy_left_by_a_dead_reload_is_put_back_when_the_store_opens(where, tmp_path, request):
    kept = tmp_path / "store.kept"
    if where == "embedded":
        opened = lambda: EmbeddedStore(tmp_path / "store")  # noqa: E731
    else:
        base = request.getfixturevalue("oxigraph_server")
        RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")._update("DROP SILENT ALL")
        opened = lambda: RemoteStore(  # noqa: E731
            f"{base}/query", f"{base}/update", f"{base}/store", kept=kept
        )
    store = opened()
    store.replace_graph(GRAPH, RECORDS.encode(), "ntriples")
    before = blank_values(store)
    # What a process killed during a reload leaves: the copy, and the graph part loaded.
    copy = tmp_path / "copy.nt"
    store.dump_graph(GRAPH, copy)
    kept.mkdir(exist_ok=True)
    copy.rename(kept / "dead.nt")
    (kept / "dead.graph").write_text(GRAPH)
    (kept / "dying.graph").write_text(OTHER)  # killed while its copy was being written
    (kept / "dying.part").write_text("<https://e.org/half")
    half = tmp_path / "half.nt"
    half.write_text("".join(RECORDS.splitlines(keepends=True)[:7]))
    store.load_graph(GRAPH, half)
    store.replace_graph(OTHER, b'<https://e.org/b> <https://e.org/p> "x" .', "ntriples")
    del store
    gc.collect()

    store = opened()

    assert blank_values(store) == before and store.count(GRAPH) == 250
    assert store.count(OTHER) == 1, "a graph whose copy was not finished was not touched"
    assert not kept.exists()


def test_a_remote_graph_the_server_does_not_have_is_dumped_empty(tmp_path, oxigraph_server):
    remote = RemoteStore(
        f"{oxigraph_server}/query", f"{oxigraph_server}/update", f"{oxigraph_server}/store"
    )
    remote.dump_graph("https://example.org/never-loaded", tmp_path / "none.nt")
    assert (tmp_path / "none.nt").read_bytes() == b""


def test_a_copy_that_cannot_be_put_back_stops_the_opening_and_says_what_to_do(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graph(GRAPH, b'<https://e.org/a> <https://e.org/p> "1" .', "ntriples")
    del store
    gc.collect()
    kept = tmp_path / "store.kept"
    kept.mkdir()
    (kept / "bad.graph").write_text(GRAPH)
    (kept / "bad.nt").write_text("<https://e.org/a> <https://e.org/p> broken .\n")

    with pytest.raises(StoreError, match="could not be put back") as refused:
        EmbeddedStore(tmp_path / "store")
    assert f"remove {kept / 'bad.graph'}" in str(refused.value)
    del refused  # its traceback holds the database open
    gc.collect()

    (kept / "bad.graph").unlink()
    reopened = EmbeddedStore(tmp_path / "store")
    assert reopened.count(GRAPH) == 0 and not kept.exists()
