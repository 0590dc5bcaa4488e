"""ESSGlobal RDF read as a stream (parsed into a scratch database, then a chunk of records at a
time, each with the nodes it reaches): the same statements and problems as the whole file
converted in memory; only large files take this way, since a stream gives records no line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import shapes
from rdflib import Graph

from ssevalidate import cli
from ssevalidate.importers import convert, streaming
from ssevalidate.importers.streaming import (
    ESSGLOBAL_STREAMED,
    stream_export,
    streamed_dialect,
)
from ssevalidate.parsegate import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
SAMPLE = FIXTURES / "essglobal-dev-2.1.ttl"


def message(problem) -> str:
    """A problem without its place: a stream points at the file, not at lines."""
    return problem.message


def same_as_in_memory(path: Path, chunk_rows: int) -> list:
    """Stream ``path`` as ESSGlobal and check it against :func:`convert` of the whole file."""
    whole = convert(path.read_bytes(), name=str(path), dialect="essglobal")
    chunks = list(stream_export(path, dialect="essglobal", chunk_rows=chunk_rows))
    union = Graph()
    for chunk in chunks:
        union += chunk.graph
    assert all(chunk.dialect == "essglobal" for chunk in chunks)
    assert shapes(union) == shapes(canonical(whole.graph))
    assert sorted(message(p) for c in chunks for p in c.problems) == sorted(
        message(p) for p in whole.problems
    )
    assert {r for c in chunks for r in c.origins} == set(whole.origins)
    assert all(o == {"file": str(path)} for c in chunks for o in c.origins.values())
    assert sum(chunk.records for chunk in chunks) == whole.records
    assert sum(c.cells_reconciled for c in chunks) == whole.cells_reconciled
    assert sum(c.cells_unresolved for c in chunks) == whole.cells_unresolved
    return chunks


def many(path: Path, copies: int) -> Path:
    """The sample's three initiatives, then ``copies`` times again under other IRIs (the geo
    containers they share once)."""
    text = SAMPLE.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    records = [block for block in blocks[1:] if "/sample/R" in block.split(" ", 1)[0]]
    copied = [
        block.replace("/sample/R", f"/sample/c{n}-R") for n in range(copies) for block in records
    ]
    path.write_text("\n\n".join([*blocks, *copied]) + "\n", encoding="utf-8")
    return path


def canonical(graph: Graph) -> Graph:
    """``graph`` with its numbers written as a store keeps them (``51.7520`` → ``51.752``): a
    stream goes through a scratch database."""
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return Graph().parse(data=text, format="nt")


@pytest.mark.parametrize(
    "fixture", ["essglobal-dev-2.1.ttl", "essglobal-experimental.ttl", "essglobal-defects.ttl"]
)
def test_every_fixture_streams_record_by_record_as_it_converts(fixture):
    same_as_in_memory(FIXTURES / fixture, chunk_rows=1)


def test_a_long_file_streams_in_chunks_with_shared_containers_counted_once(tmp_path):
    path = many(tmp_path / "many.ttl", 400)

    chunks = same_as_in_memory(path, chunk_rows=500)

    assert [chunk.records for chunk in chunks] == [500, 500, 203]
    containers = [p for c in chunks for p in c.problems if "geo container" in p.message]
    assert len(containers) == 1 and "(802 times)" in containers[0].message


def test_a_gzip_compressed_file_streams_too(tmp_path):
    plain = many(tmp_path / "many.ttl", 20)
    path = tmp_path / "many.ttl.gz"
    path.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    chunks = list(stream_export(path, dialect="essglobal", chunk_rows=25))
    assert sum(chunk.records for chunk in chunks) == 63


def test_a_syntax_error_is_refused_at_its_line_before_anything_is_converted(tmp_path):
    path = many(tmp_path / "broken.ttl", 5)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[120] = "<https://e.org/unterminated " + lines[120]
    path.write_text("\n".join(lines), encoding="utf-8")
    given = []
    with pytest.raises(InputError) as refused:
        for chunk in stream_export(path, dialect="essglobal"):
            given.append(chunk)
    assert refused.value.line == 121 and given == []


def test_only_large_essglobal_files_in_turtle_or_ntriples_are_streamed():
    head = SAMPLE.read_bytes()
    assert streamed_dialect(head, "dir.ttl") == "essglobal"  # its vocabulary's base tells
    assert streamed_dialect(head, "dir.ttl", "essglobal", ESSGLOBAL_STREAMED) == "essglobal"
    assert streamed_dialect(head, "dir.ttl", None, ESSGLOBAL_STREAMED - 1) is None
    rdfxml = (FIXTURES / "essglobal-lod-2.1.rdf").read_bytes()
    assert streamed_dialect(rdfxml, "dir.rdf", "essglobal") is None
    assert streamed_dialect(b"@prefix s: <https://schema.org/> .", "dir.ttl") is None


def test_the_convert_command_streams_a_large_essglobal_file(tmp_path, monkeypatch, capsys):
    path = many(tmp_path / "many.ttl", 40)
    monkeypatch.setattr(streaming, "ESSGLOBAL_STREAMED", 1)
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 1)
    converted = []
    essglobal_stream = streaming.essglobal.stream
    monkeypatch.setattr(
        streaming.essglobal,
        "stream",
        lambda *args, **kwargs: converted.append(1) or essglobal_stream(*args, **kwargs),
    )
    output = tmp_path / "out.nt"

    assert cli.main(["convert", str(path), "--to", "nt", "-o", str(output)]) == 0

    assert converted, "the file was not streamed"
    streamed = Graph().parse(output, format="nt")
    whole = convert(path.read_bytes(), name=str(path), dialect="essglobal")
    assert shapes(streamed) == shapes(canonical(whole.graph))
    assert f"{path}: 123 records read (essglobal), 123 converted" in capsys.readouterr().err
