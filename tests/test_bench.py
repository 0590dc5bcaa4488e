"""``make bench`` in a form CI can run: the same script on a small directory, both engines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_both_engines_and_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench.py"),
            "--sizes",
            "300",
            "--cache",
            str(tmp_path / "cache"),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    table = output.read_text(encoding="utf-8")
    row = next(line for line in table.splitlines() if line.startswith("| 300 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    # N, triples, parse floor, fast, pyshacl, exact, expected, ratio
    assert cells[5] == "✔"
    assert cells[3].endswith("✔") and cells[4].endswith("✔")
    assert cells[7].endswith("×")
