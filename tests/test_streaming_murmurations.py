"""Murmurations profile lists and index pages read as a stream (a chunk of items at a time,
never the document in memory): the same statements, problems, origins and validation results
as the whole file converted in memory, and clear errors, at the item's pointer, for what
breaks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import shapes
from rdflib import Graph

import ssevalidate
from ssevalidate import validation
from ssevalidate.importers import convert, murmurations
from ssevalidate.importers.streaming import RecordRows, stream_export, streamed_dialect
from ssevalidate.parsegate import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def same_as_in_memory(path: Path, chunk_rows: int) -> list:
    """Stream ``path`` and check it against :func:`convert` of the whole file; the chunks."""
    whole = convert(path.read_bytes(), name=str(path))
    chunks = list(stream_export(path, chunk_rows=chunk_rows))
    union = Graph()
    for chunk in chunks:
        union += chunk.graph
    assert all(chunk.dialect == "murmurations" for chunk in chunks)
    assert all(chunk.fields == whole.fields for chunk in chunks)
    assert shapes(union) == shapes(whole.graph)
    assert [str(p) for c in chunks for p in c.problems] == [str(p) for p in whole.problems]
    assert {r: o for c in chunks for r, o in c.origins.items()} == whole.origins
    assert sum(chunk.records for chunk in chunks) == whole.records
    return chunks


def profile(number: int, **fields) -> dict:
    return {
        "linked_schemas": ["organizations_schema-v1.0.0"],
        "name": f"Co-op {number}",
        "unique_id": f"coop-{number}",
        "primary_url": f"https://coop-{number}.example",
        "geolocation": {"lat": 51.4 + number / 10_000, "lon": -2.58},
        "tags": ["food", "co-op"],
        **fields,
    }


def profiles_file(path: Path, items: list, index: bool = False) -> Path:
    path.write_text(json.dumps({"data": items, "meta": {"total": len(items)}} if index else items))
    return path


@pytest.mark.parametrize(
    "fixture",
    [
        "murmurations-profile.json",
        "murmurations-profiles.json",
        "murmurations-index-page.json",
        "murmurations-broken.json",
    ],
)
def test_every_fixture_streams_item_by_item_as_it_converts(fixture):
    same_as_in_memory(FIXTURES / fixture, chunk_rows=1)


@pytest.mark.parametrize("index", [False, True], ids=["profiles", "index-page"])
def test_a_long_list_streams_in_chunks_and_finds_a_record_twice_across_them(tmp_path, index):
    items = [profile(n) for n in range(1_200)]
    items[700] = profile(700, unique_id="coop-3")  # the record of item 3 again
    path = profiles_file(tmp_path / "many.json", items, index)

    chunks = same_as_in_memory(path, chunk_rows=500)

    assert [chunk.records for chunk in chunks] == [500, 499, 200]
    where = "/data/700" if index else "/700"
    problems = [str(p) for p in chunks[1].problems]
    assert any(p.startswith(f"{path}#{where}: the same record as") for p in problems)


def test_a_gzip_compressed_list_streams_with_progress(tmp_path):
    plain = profiles_file(tmp_path / "many.json", [profile(n) for n in range(300)])
    path = tmp_path / "many.json.gz"
    path.write_bytes(gzip.compress(plain.read_bytes(), mtime=0))
    seen = []
    chunks = list(stream_export(path, chunk_rows=100, progress=lambda *call: seen.append(call)))
    assert [chunk.records for chunk in chunks] == [100, 100, 100, 0]
    size = path.stat().st_size  # the compressed bytes read
    assert seen[-1] == ("read", size, size)


def test_a_syntax_error_is_refused_at_the_profile_it_is_in_without_quoting_it(tmp_path):
    text = json.dumps([profile(n) for n in range(10)]).replace('"Co-op 7"', '"SECRET" "Co-op 7"')
    path = tmp_path / "broken.json"
    path.write_text(text)
    given = []
    with pytest.raises(InputError) as refused:
        for chunk in stream_export(path, chunk_rows=3):
            given.append(chunk)
    assert refused.value.pointer == "/7"
    assert str(refused.value).startswith(f"{path}#/7: JSON syntax error")
    assert "SECRET" not in str(refused.value)
    assert given == [], "the whole document is read through before any profile is converted"


def test_the_syntax_error_fixture_is_refused_at_its_profile():
    path = FIXTURES / "murmurations-syntax-error.json"
    with pytest.raises(InputError) as refused:
        list(murmurations.stream(path.open("rb"), name=str(path)))
    assert refused.value.pointer == "/0" and "JSON syntax error" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "pointer", "message"),
    [
        (b"[1, 2]", "", "not Murmurations data"),
        (b'[{"title": "x"}]', "", "not Murmurations data"),
        (b'"a profile"', "", "not Murmurations data"),
        (b'{"title": "x"}', "", "not Murmurations data"),
        (b'{"data": {"name": "x"}}', "/data", "not an index page"),
        (b'{"name": "caf\xe9"}', "", "not UTF-8 text"),
        (b"\xff\xfe[", None, "UTF-16 text"),
    ],
)
def test_what_is_no_profile_list_is_refused_as_convert_refuses_it(tmp_path, text, pointer, message):
    path = tmp_path / "profiles.json"
    path.write_bytes(text)
    with pytest.raises(InputError) as refused:
        list(murmurations.stream(path.open("rb"), name=str(path)))
    assert refused.value.pointer == pointer and message in str(refused.value)
    with pytest.raises(InputError) as whole:
        convert(text, name=str(path), dialect="murmurations")
    assert message in str(whole.value)


def test_convert_validate_and_harvest_stream_murmurations_alike(tmp_path):
    path = profiles_file(tmp_path / "profiles.json", [profile(1)])
    assert streamed_dialect(path.read_bytes(), str(path)) == "murmurations"
    assert streamed_dialect(gzip.compress(path.read_bytes()), f"{path}.gz") == "murmurations"


def test_validate_streams_a_large_list_with_the_same_results_and_origins(tmp_path, monkeypatch):
    items = [profile(n) for n in range(30)]
    items[4]["primary_url"] = "not a website"
    items[9]["geolocation"] = {"lat": 95, "lon": -2.58}
    path = profiles_file(tmp_path / "profiles.json", items)

    def key(result):
        origin = tuple(sorted((result.origin or {}).items()))
        return result.severity, result.record, result.path, result.component, origin

    in_memory = ssevalidate.validate(str(path))
    monkeypatch.setattr(validation, "STREAM_THRESHOLD", 100)
    spooled = []
    merge = RecordRows.merge
    monkeypatch.setattr(
        RecordRows, "merge", lambda self, other: spooled.append(other) or merge(self, other)
    )
    streamed = ssevalidate.validate(str(path))
    assert spooled, "the list was not streamed"
    assert len(in_memory.results) >= 1
    assert sorted(map(key, streamed.results)) == sorted(map(key, in_memory.results))
    assert all(result.origin["pointer"].startswith("/") for result in streamed.results)
