"""The benchmark's directory generator: deterministic, parseable, and its expected results are
exactly what the reference engine (pySHACL) reports with profile core."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pyoxigraph
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import KIND_RESULTS, KINDS, org_iri, plan_errors, write_directory

import ssevalidate

GENERATOR = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
CORE = "https://w3id.org/sse/shapes/core/"


def test_same_arguments_same_bytes_and_the_triple_count(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.ttl", tmp_path / "b.ttl", tmp_path / "c.ttl"
    expected = write_directory(first, 2500, error_every=7)
    assert write_directory(second, 2500, error_every=7) == expected
    assert first.read_bytes() == second.read_bytes()
    write_directory(other, 2500, error_every=7, seed=1)
    assert other.read_bytes() != first.read_bytes()

    quads = pyoxigraph.parse(path=str(first), format=pyoxigraph.RdfFormat.TURTLE)
    assert sum(1 for _ in quads) == expected.triples
    assert expected.organisations == 2500 and expected.networks == 3
    assert 23 <= expected.triples / 2500 <= 27


def test_blocks_are_contiguous_records(tmp_path: Path) -> None:
    path = tmp_path / "d.ttl"
    write_directory(path, 1200)
    body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
    blocks = body.rstrip("\n").split("\n\n")
    assert len(blocks) == 1200 + 2
    for block in blocks:
        first, *rest = block.split("\n")
        assert first.startswith("<https://bench.example/") and first.endswith(" ;")
        assert all(line.startswith("    ") for line in rest)
        assert block.endswith(" .")


def test_command_line_prints_the_expected_counts(tmp_path: Path) -> None:
    out = tmp_path / "cli.ttl"
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "300", str(out), "--error-every", "10"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == asdict(
        write_directory(tmp_path / "lib.ttl", 300, error_every=10)
    )
    assert out.read_bytes() == (tmp_path / "lib.ttl").read_bytes()


def test_error_every_must_leave_error_free_records() -> None:
    assert plan_errors(100, 0) == {}
    with pytest.raises(ValueError):
        plan_errors(100, 1)


def test_pyshacl_reports_exactly_the_expected_results(tmp_path: Path) -> None:
    path = tmp_path / "errors.ttl"
    expected = write_directory(path, 240, error_every=5)
    assert min(expected.errors_by_kind.values()) >= 2
    assert set(expected.errors_by_kind) == set(KINDS)

    report = ssevalidate.validate(str(path), profile="core", engine="pyshacl")
    assert len(report.results) == expected.results

    # Every result belongs to an erroneous record, or to the record whose identifier it copies.
    kind_of: dict[str, str] = {}
    for index, (kind, other) in plan_errors(240, 5).items():
        kind_of[org_iri(index)] = kind
        if kind == "duplicate_identifier":
            kind_of[org_iri(other)] = kind
    found = Counter()
    for result in report.results:
        assert result.record in kind_of, f"a result on an error-free record: {result}"
        assert result.severity == "Violation"
        found[(kind_of[result.record], result.component, result.shape)] += 1

    wanted = Counter()
    for kind, errors in expected.errors_by_kind.items():
        for component, shape in KIND_RESULTS[kind]:
            wanted[(kind, component, CORE + shape)] += errors
    assert found == wanted
    assert {result.record for result in report.results} == set(kind_of)
    assert {
        kind: sum(n for (k, _, _), n in found.items() if k == kind) for kind in KINDS
    } == expected.results_by_kind
