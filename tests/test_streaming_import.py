"""Long spreadsheets converted as a stream, a chunk of rows at a time: the same statements,
problems, errors and validation results as the whole file in memory."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest
from conftest import shapes
from rdflib import Graph, URIRef

import ssevalidate
from ssevalidate import cli, validation
from ssevalidate.engines.fast import FastEngine
from ssevalidate.importers import convert, streaming
from ssevalidate.importers.conversion import Tally, summary
from ssevalidate.importers.streaming import RecordRows, stream_table
from ssevalidate.parsegate import InputError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from import_memory import write_sea_csv

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
ROWS = 1_200
CHUNK = 500


@pytest.fixture(scope="module")
def sea_csv(tmp_path_factory) -> Path:
    return write_sea_csv(tmp_path_factory.mktemp("stream") / "sea.csv", ROWS)


@pytest.fixture(scope="module")
def whole(sea_csv):
    return convert(sea_csv.read_bytes(), name=str(sea_csv))


def union(chunks) -> Graph:
    graph = Graph()
    for chunk in chunks:
        graph += chunk.graph
    return graph


def test_chunks_are_bounded_and_hold_what_convert_gives(sea_csv, whole):
    seen = []
    chunks = list(stream_table(sea_csv, chunk_rows=CHUNK, progress=lambda *call: seen.append(call)))
    assert [chunk.records for chunk in chunks] == [500, 500, 200]
    assert all(chunk.dialect == "sea-csv" and chunk.version == 3 for chunk in chunks)
    assert shapes(union(chunks)) == shapes(whole.graph)
    assert [str(p) for c in chunks for p in c.problems] == [str(p) for p in whole.problems]
    origins = {record: origin for chunk in chunks for record, origin in chunk.origins.items()}
    assert origins == whole.origins
    # Progress: bytes read after each chunk, up to the file's size.
    size = sea_csv.stat().st_size
    assert [stage for stage, _, _ in seen] == ["read"] * len(seen)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1] == ("read", size, size) and all(total == size for *_, total in seen)


@pytest.mark.parametrize(
    "fixture", ["coops-uk-edge-cases.csv", "sse-csv-filled.csv", "sse-csv-messy.csv"]
)
def test_every_table_dialect_streams_row_by_row_as_it_converts(fixture):
    path = FIXTURES / fixture
    whole = convert(path.read_bytes(), name=str(path))
    chunks = list(stream_table(path, chunk_rows=1))
    assert len(chunks) > 2
    assert shapes(union(chunks)) == shapes(whole.graph)
    # Header problems once, in the first chunk; repeated records found across chunks.
    assert [str(p) for c in chunks for p in c.problems] == [str(p) for p in whole.problems]
    assert sum(chunk.records for chunk in chunks) == whole.records
    assert {r: o for c in chunks for r, o in c.origins.items()} == whole.origins


def test_a_repeated_record_is_reported_across_chunks(tmp_path):
    path = tmp_path / "repeat.csv"
    path.write_text("id,name\nc1,One\nc2,Two\nc1,Again\n", encoding="utf-8")
    problems = [str(p) for c in stream_table(path, chunk_rows=1) for p in c.problems]
    assert problems == [
        f"{path}:4:id: id 'c1' is also in row 2: both rows describe the same record"
    ]


def test_a_record_repeated_across_chunks_counts_once_as_in_memory(sea_csv, tmp_path):
    lines = sea_csv.read_bytes().splitlines(keepends=True)
    path = tmp_path / "repeat.csv"
    path.write_bytes(b"".join([*lines, lines[1]]))  # the first record's row again, at the end
    whole = convert(path.read_bytes(), name=str(path))
    tally = Tally("sea-csv")
    for chunk in stream_table(path, chunk_rows=CHUNK):
        tally.add(chunk)
    assert summary(tally) == summary(whole)
    assert (tally.records, tally.converted) == (ROWS + 1, ROWS)


def test_multi_line_quoted_cells_stay_one_cell_and_rows_keep_their_numbers(sea_csv, whole):
    chunks = list(stream_table(sea_csv, chunk_rows=CHUNK))
    description = URIRef("http://schema.org/description")
    org50 = URIRef(sea_csv.resolve().as_uri() + "#org50")
    texts = [str(v) for c in chunks for v in c.graph.objects(org50, description)]
    assert texts == ['Co-operative number 50,\nwith "quotes" and a second line']
    org51 = org50[:-2] + "51"
    assert chunks[0].origins[str(org51)]["row"] == 52 == whole.origins[str(org51)]["row"]


def test_text_that_is_not_utf8_is_refused_at_its_row_and_character(sea_csv, tmp_path):
    lines = sea_csv.read_bytes().split(b"\n")
    lines[700] = lines[700].replace(b"Coop ", b"Caf\xe9 ", 1)  # line 701, in the second chunk
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\n".join(lines))
    given = []
    with pytest.raises(InputError) as streamed:
        for chunk in stream_table(path, chunk_rows=CHUNK):
            given.append(chunk)
    with pytest.raises(InputError) as in_memory:
        convert(path.read_bytes(), name=str(path))
    assert (streamed.value.line, streamed.value.column) == (701, 11)
    assert str(streamed.value) == str(in_memory.value)
    assert "not UTF-8 text" in str(streamed.value) and len(given) == 1


def test_broken_quoting_is_refused_at_its_line(tmp_path):
    # An opening quote never closed: the cell runs on until the csv module's field limit.
    rows = [f"org{n},Coop {n},A co-operative of the town" for n in range(5000)]
    rows[300] = rows[300].replace("Coop", '"Coop', 1)
    path = tmp_path / "quote.csv"
    path.write_text("Identifier,Name,Description\n" + "\n".join(rows), encoding="utf-8")
    with pytest.raises(InputError) as streamed:
        list(stream_table(path, chunk_rows=CHUNK))
    with pytest.raises(InputError) as in_memory:
        convert(path.read_bytes(), name=str(path))
    assert "unreadable CSV: field larger than field limit" in str(streamed.value)
    assert streamed.value.line == in_memory.value.line > 302
    assert str(streamed.value).startswith(f"{path}:{streamed.value.line}: ")


@pytest.fixture(scope="module")
def sea_csv_gz(sea_csv, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gzip") / "sea.csv.gz"
    path.write_bytes(gzip.compress(sea_csv.read_bytes()))
    return path


def test_a_gzip_compressed_csv_streams_as_it_converts(sea_csv_gz):
    whole = convert(sea_csv_gz.read_bytes(), name=str(sea_csv_gz))
    seen = []
    chunks = list(
        stream_table(sea_csv_gz, chunk_rows=CHUNK, progress=lambda *call: seen.append(call))
    )
    assert [chunk.records for chunk in chunks] == [500, 500, 200]
    assert shapes(union(chunks)) == shapes(whole.graph)
    assert {r: o for c in chunks for r, o in c.origins.items()} == whole.origins
    size = sea_csv_gz.stat().st_size  # progress counts the compressed bytes read
    assert seen[-1] == ("read", size, size) and seen[0][1] < size


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "the gzip-compressed data ends too early"),
        (
            lambda data: data[: len(data) // 2] + bytes(64) + data[len(data) // 2 + 64 :],
            "the gzip-compressed data is damaged",
        ),
    ],
    ids=["cut-short", "damaged"],
)
def test_a_broken_gzip_csv_is_refused_at_the_row_it_stops(sea_csv_gz, tmp_path, damage, message):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(damage(sea_csv_gz.read_bytes()))
    given = []
    with pytest.raises(InputError) as refused:
        for chunk in stream_table(path, chunk_rows=CHUNK):
            given.append(chunk)
    assert message in str(refused.value)
    assert str(refused.value).startswith(f"{path}:")
    # Rows before the break are given (damaged data may read as more lines before it shows).
    assert refused.value.line > 2 and len(given) <= (refused.value.line - 2) // CHUNK


def test_a_gzip_csv_that_expands_too_far_is_refused(sea_csv_gz, monkeypatch):
    monkeypatch.setattr(streaming, "DECOMPRESSED_LIMIT", 100_000)
    with pytest.raises(InputError, match="expands to more than 0 MiB: refused"):
        list(stream_table(sea_csv_gz, chunk_rows=CHUNK))


def test_record_rows_give_the_origins_of_the_whole_conversion(sea_csv, whole):
    rows = RecordRows()
    for chunk in stream_table(sea_csv, chunk_rows=CHUNK):
        rows.add(chunk)
    name = URIRef("http://schema.org/name")
    for record in list(whole.origins)[::97]:
        assert rows.origin_of(record) == whole.origin_of(record)
        assert rows.origin_of(record, name) == whole.origin_of(record, name)
    assert rows.origin_of("https://elsewhere.example/x") is None


@pytest.mark.parametrize("to", ["nt", "turtle"])
def test_convert_command_streams_a_large_csv_with_a_progress_bar(
    sea_csv, whole, tmp_path, monkeypatch, capsys, to
):
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 1000)
    terminal = to == "nt"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal)
    output = tmp_path / f"out.{to}"
    assert cli.main(["convert", str(sea_csv), "--to", to, "-o", str(output)]) == 0
    err = capsys.readouterr().err
    assert ("converting" in err) == terminal  # the bar, on stderr when it is a terminal
    summary = f"{sea_csv}: 1200 records read (sea-csv), 1200 converted"
    # Above the bar, the terminal's width wraps lines.
    assert "".join(summary.split()) in "".join(err.split())
    assert not output.with_name(output.name + ".part").exists()
    written = Graph().parse(output, format=to)
    assert shapes(written) == shapes(whole.graph)
    if to == "turtle":
        text = output.read_text(encoding="utf-8")
        assert text.count("@prefix sse:") == 1


def test_convert_command_leaves_no_output_when_the_csv_breaks(sea_csv, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 1000)
    path = tmp_path / "broken.csv"
    path.write_bytes(sea_csv.read_bytes() + b"org9999,Caf\xe9\n")
    output = tmp_path / "out.nt"
    assert cli.main(["convert", str(path), "--to", "nt", "-o", str(output)]) == 2
    assert list(tmp_path.iterdir()) == [path]


def test_validate_streams_a_large_csv_with_the_same_results_and_origins(sea_csv, monkeypatch):
    def key(result):
        return (
            result.severity,
            result.record,
            result.path,
            result.component,
            result.value if result.focus == result.record else None,
            result.message,
            tuple(sorted((result.origin or {}).items())),
        )

    in_memory = ssevalidate.validate(str(sea_csv))
    parts = []
    run_sources = FastEngine.run_sources

    def spy(self, sources, *args, **kwargs):
        outcome = run_sources(self, sources, *args, **kwargs)
        parts.append((self.parts, [source.format for source in sources]))
        return outcome

    monkeypatch.setattr(FastEngine, "run_sources", spy)
    monkeypatch.setattr("ssevalidate.engines.fast.PART_SIZES", (200_000, 200_000))
    monkeypatch.setattr(validation, "STREAM_THRESHOLD", 1000)
    streamed = ssevalidate.validate(str(sea_csv), workers=2)
    assert parts and parts[0][0] > 1 and parts[0][1] == ["ntriples"]  # cut into parts
    assert streamed.notices == in_memory.notices == []
    assert streamed.records == in_memory.records == ROWS
    assert len(in_memory.results) >= 12
    assert sorted(map(key, streamed.results)) == sorted(map(key, in_memory.results))
    origins = {result.origin["file"] for result in streamed.results}
    assert origins == {str(sea_csv)}  # the CSV's rows, not the temporary file


MISTAKES = Path(__file__).resolve().parent.parent / "examples" / "mistakes.ttl"


def result_keys(report) -> list[tuple]:
    return sorted(
        (r.severity, r.record, r.path, r.component, r.value, r.origin.get("line"))
        for r in report.results
    )


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_gzip_rdf_file_validates_as_the_plain_one_with_its_lines(engine, tmp_path, monkeypatch):
    packed = tmp_path / "mistakes.ttl.gz"
    packed.write_bytes(gzip.compress(MISTAKES.read_bytes()))
    expanded_in_memory = []
    gunzip = validation.gunzip

    def spy(data, name):
        if data.startswith(b"\x1f\x8b"):
            expanded_in_memory.append(name)
        return gunzip(data, name)

    monkeypatch.setattr(validation, "gunzip", spy)

    plain = ssevalidate.validate(str(MISTAKES), engine=engine)
    compressed = ssevalidate.validate(str(packed), engine=engine)
    named = ssevalidate.validate(str(packed), engine=engine, format="turtle")

    assert len(plain.results) > 5 and result_keys(compressed) == result_keys(plain)
    assert result_keys(named) == result_keys(plain), "a format given, the file is expanded too"
    assert {r.origin["file"] for r in compressed.results} == {str(packed)}
    # The fast engine reads a file expanded on disk; pyshacl reads a graph in memory anyway.
    assert expanded_in_memory == ([] if engine == "fast" else [str(packed)] * 2)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "ends too early"),
        (lambda data: data[:40] + bytes(64) + data[104:], "is damaged"),
    ],
    ids=["cut-short", "damaged"],
)
def test_a_broken_gzip_rdf_file_is_refused_naming_it(tmp_path, damage, message):
    packed = tmp_path / "mistakes.ttl.gz"
    packed.write_bytes(damage(gzip.compress(MISTAKES.read_bytes())))
    with pytest.raises(InputError, match=message) as refused:
        ssevalidate.validate(str(packed))
    assert str(refused.value).startswith(str(packed))


def test_a_gzip_rdf_file_that_expands_too_far_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "DECOMPRESSED_LIMIT", 1_000)
    packed = tmp_path / "mistakes.ttl.gz"
    packed.write_bytes(gzip.compress(MISTAKES.read_bytes()))
    with pytest.raises(InputError, match="expands to more than 0 MiB: refused"):
        ssevalidate.validate(str(packed))
