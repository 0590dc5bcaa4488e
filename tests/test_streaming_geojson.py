"""A GeoJSON FeatureCollection read as a stream (a chunk of features at a time, never the
document in memory): the same statements, problems, origins and validation results as the whole
file converted in memory, and clear errors, at the feature's pointer, for what breaks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import anchor, streamed_as_converted, validated_both_ways

from ssevalidate.importers import geojson
from ssevalidate.importers.streaming import stream_export, streamed_dialect
from ssevalidate.parsegate import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def same_as_in_memory(path: Path, chunk_rows: int) -> list:
    return streamed_as_converted(path, chunk_rows, "geojson")


def collection(features: list, **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features, **members}).encode()


def feature(number: int, **properties) -> dict:
    return {
        "type": "Feature",
        "properties": {"_id": f"f{number}", "name": f"Place {number}", **properties},
        "geometry": {"type": "Point", "coordinates": [13.4 + number / 1000, 52.5]},
    }


def test_the_susy_map_streams_as_it_converts(tmp_path):
    path = tmp_path / "susy.geojson"
    path.write_bytes(
        gzip.decompress(anchor("data", "susy-transformap-ssedas-data.geojson.gz").read_bytes())
    )
    chunks = same_as_in_memory(path, chunk_rows=500)
    assert [chunk.records for chunk in chunks] == [500, 500, 500, 294]


def test_a_gzip_compressed_collection_streams_with_progress(tmp_path):
    source = anchor("data", "susy-transformap-ssedas-data.geojson.gz")
    path = tmp_path / "susy.geojson.gz"
    path.write_bytes(source.read_bytes())
    seen = []
    chunks = list(stream_export(path, chunk_rows=500, progress=lambda *call: seen.append(call)))
    assert sum(chunk.records for chunk in chunks) == 1794
    size = path.stat().st_size  # the compressed bytes read
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1] == ("read", size, size)


def test_a_gzip_collection_cut_short_is_refused_at_the_feature_it_stops_in(tmp_path):
    path = tmp_path / "cut.geojson.gz"
    whole = gzip.compress(collection([feature(n) for n in range(2000)]), mtime=0)
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="the gzip-compressed data ends too early") as refused:
        list(stream_export(path))
    assert refused.value.pointer.startswith("/features/")
    assert 0 < int(refused.value.pointer.rsplit("/", 1)[1]) < 2000


@pytest.mark.parametrize("fixture", ["geojson-keys.geojson", "geojson-feature.geojson"])
def test_every_fixture_streams_feature_by_feature_as_it_converts(fixture):
    same_as_in_memory(FIXTURES / fixture, chunk_rows=1)


def test_members_after_the_features_and_a_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "late.geojson"
    text = collection([feature(1), feature(2)], license="CC0", source="ftp://nowhere")
    path.write_bytes(b"\xef\xbb\xbf" + text)  # "features" before "license" and "source"
    chunks = same_as_in_memory(path, chunk_rows=1)
    problems = [str(p) for p in chunks[0].problems]
    assert any("source 'ftp://nowhere' is no http(s) address" in p for p in problems)


def test_a_repeated_feature_is_reported_across_chunks(tmp_path):
    path = tmp_path / "twice.geojson"
    path.write_bytes(collection([feature(1), feature(2), feature(1)]))
    chunks = same_as_in_memory(path, chunk_rows=1)
    problems = [str(p) for c in chunks for p in c.problems]
    assert f"{path}#/features/2: the feature at /features/0 has the same IRI" in problems[0]


def test_a_syntax_error_is_refused_at_the_feature_it_is_in_without_quoting_it(tmp_path):
    features = [feature(n) for n in range(10)]
    text = collection(features).replace(b'"Place 7"', b'"SECRET" "Place 7"')
    path = tmp_path / "broken.geojson"
    path.write_bytes(text)
    given = []
    with pytest.raises(InputError) as refused:
        for chunk in stream_export(path, chunk_rows=3):
            given.append(chunk)
    assert refused.value.pointer == "/features/7"
    assert str(refused.value).startswith(f"{path}#/features/7: JSON syntax error: parse error")
    assert "SECRET" not in str(refused.value)
    assert given == [], "the whole document is read through before any feature is converted"


@pytest.mark.parametrize(
    ("text", "pointer", "message"),
    [
        (b"[1, 2]", "", "expected an object with a type"),
        (b'{"type": "Topology", "features": []}', "/type", "the type is 'Topology'"),
        (b'{"type": "FeatureCollection", "features": {}}', "/features", "must be an array"),
        (collection([{"type": "Point"}]), "/features/0", '"type": "Feature"'),
        (b'{"type": "FeatureCollection", "features": [', "", "premature EOF"),
        (b'{"name": "caf\xe9"}', "", "not UTF-8 text"),
    ],
)
def test_what_is_no_feature_collection_is_refused_as_convert_refuses_it(
    tmp_path, text, pointer, message
):
    path = tmp_path / "map.geojson"
    path.write_bytes(text)
    with pytest.raises(InputError) as refused:
        list(geojson.stream(path.open("rb"), name=str(path)))
    assert refused.value.pointer == pointer and message in str(refused.value)


def test_large_collections_are_streamed_by_convert_validate_and_harvest_alike(tmp_path):
    path = tmp_path / "map.geojson"
    path.write_bytes(collection([feature(1)]))
    assert streamed_dialect(path.read_bytes(), str(path)) == "geojson"
    assert streamed_dialect(gzip.compress(path.read_bytes()), str(path) + ".gz") == "geojson"
    assert streamed_dialect(b"@prefix sse: <https://w3id.org/sse/> .", "d.ttl") is None


def test_validate_streams_a_large_collection_with_the_same_results_and_origins(
    tmp_path, monkeypatch
):
    features = [feature(n) for n in range(30)]
    features[4]["properties"]["contact:website"] = "not a website"
    features[9]["geometry"]["coordinates"] = [200, 95]
    path = tmp_path / "map.geojson"
    path.write_bytes(collection(features))

    in_memory, streamed, key = validated_both_ways(path, monkeypatch)
    assert len(in_memory.results) >= 2
    assert sorted(map(key, streamed.results)) == sorted(map(key, in_memory.results))
    pointers = {result.origin["pointer"] for result in streamed.results}
    assert {
        "/features/4/properties/contact:website",
        "/features/9/geometry/coordinates/1",
    } <= pointers
