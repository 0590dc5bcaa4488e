"""Murmurations profile lists and index pages read as a stream (a chunk of items at a time,
never the document in memory): the same statements, problems, origins and validation results
as the whole file converted in memory, and clear errors, at the item's pointer, for what
breaks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import streamed_as_converted, validated_both_ways

from ssevalidate.importers import convert, murmurations
from ssevalidate.importers.streaming import stream_export, streamed_dialect
from ssevalidate.parsegate import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def same_as_in_memory(path: Path, chunk_rows: int) -> list:
    return streamed_as_converted(path, chunk_rows, "murmurations")


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

    in_memory, streamed, key = validated_both_ways(path, monkeypatch)
    assert len(in_memory.results) >= 1
    assert sorted(map(key, streamed.results)) == sorted(map(key, in_memory.results))
    assert all(result.origin["pointer"].startswith("/") for result in streamed.results)
