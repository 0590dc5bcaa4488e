"""``make bench-harvest`` in a form CI can run: the same script on a few hundred records (Turtle
and SEA CSV, embedded store and ``oxigraph serve``), without the pySHACL reference."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import harvest as harvest_bench  # noqa: E402
from generate import plan_errors  # noqa: E402

OTHER_SECTION = "<!-- bench:start -->\nthe engines' table\n<!-- bench:end -->\n"


def table(text: str) -> list[list[str]]:
    """The cells of each row of the harvest section's table."""
    section = text.split(harvest_bench.MARKERS[0])[1].split(harvest_bench.MARKERS[1])[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


@pytest.fixture
def in_process(monkeypatch):
    """Each measured child runs in this process: the same code, without paying for an
    interpreter and the imports every time."""

    def measure(arguments: list[str]) -> harvest_bench.Run:
        out = Path(harvest_bench.tempfile.mkdtemp()) / "out.json"
        harvest_bench.child([*arguments, str(out)])
        return harvest_bench.Run(True, json.loads(out.read_text(encoding="utf-8")))

    monkeypatch.setattr(harvest_bench, "measure", measure)


def test_the_table_is_written_and_every_count_agrees(tmp_path, monkeypatch, in_process):
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\n" + OTHER_SECTION, encoding="utf-8")
    arguments = ["--sizes", "100", "--csv-sizes", "300", "--remote-sizes", "100"]
    arguments += ["--baseline-sizes", "", "--cache", str(tmp_path), "--output", str(output)]
    monkeypatch.setattr(sys, "argv", ["harvest.py", *arguments])
    harvest_bench.main()

    text = output.read_text(encoding="utf-8")
    assert OTHER_SECTION in text  # the other sections are left as they were
    rows = {(row[0], row[2]): row for row in table(text)}
    assert set(rows) == {
        ("Turtle 100", "embedded"),
        ("Turtle 100", "oxigraph serve"),
        ("SEA CSV 300", "embedded"),
    }
    # source, MB, store, first, records/s, peak, stages, counts, 304, 1 % changed, reference, ratio
    for row in rows.values():
        assert row[3].endswith(" s") and float(row[4].replace(",", "")) > 0
        assert row[7].endswith("✔"), row[7]
        assert row[8].endswith("✔"), row[8]
    assert rows["Turtle 100", "oxigraph serve"][5].count("MB") == 2  # harvester and server
    assert rows["Turtle 100", "oxigraph serve"][9] == "—"
    for key in (("Turtle 100", "embedded"), ("SEA CSV 300", "embedded")):
        assert rows[key][9].endswith("0 created, 0 deleted ✔"), rows[key][9]
        assert rows[key][10] == "—"


def test_the_expected_counts_are_the_generators(tmp_path):
    """What the table checks against: every planted error rejects its record, a duplicated
    identifier also the record it copies, and the 1 % change touches accepted records only."""
    turtle = harvest_bench.turtle_dataset(tmp_path, 1300)
    plan = plan_errors(1300, harvest_bench.ERROR_EVERY)
    duplicates = sum(kind == "duplicate_identifier" for kind, _ in plan.values())
    assert duplicates == 2
    assert turtle.rejected == len(plan) + duplicates
    assert turtle.accepted == 1300 - turtle.rejected
    assert turtle.updated == 13 - sum(
        other % 100 == 0 for kind, other in plan.values() if kind == "duplicate_identifier"
    )
    first, changed = turtle.versions
    assert changed.count(b", renamed.") == 13 and first.count(b", renamed.") == 0

    sea = harvest_bench.sea_csv_dataset(600)
    assert sea.rejected == 12 + 2  # one error per 50 rows, two of them duplicated identifiers
    assert sea.versions[0] == harvest_bench.sea_csv_dataset(600).versions[0]
