"""``make bench-import`` on a few hundred rows: both conversions run in child processes and
the table lands in BENCHMARKS.md between its markers, beside the other sections."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "import_memory.py"
OTHER_SECTION = "<!-- bench:start -->\nthe engines' table\n<!-- bench:end -->\n"


def run(tmp_path: Path, *options: str) -> str:
    output = tmp_path / "BENCHMARKS.md"
    if not output.exists():
        output.write_text("# Benchmarks\n\n" + OTHER_SECTION, encoding="utf-8")
    command = [sys.executable, str(SCRIPT), "--rows", "300", "--folder", str(tmp_path)]
    subprocess.run([*command, "--output", str(output), *options], check=True, cwd=ROOT)
    return output.read_text(encoding="utf-8")


def row(text: str) -> list[str]:
    section = text.split("<!-- import-memory:start -->")[1].split("<!-- import-memory:end -->")[0]
    [line] = [line for line in section.splitlines() if line.startswith("| 300 ")]
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_table_compares_streamed_and_in_memory_conversions(tmp_path):
    text = run(tmp_path)

    cells = row(text)
    assert cells[0] == "300"
    assert cells[3].endswith("MiB") and cells[4].endswith("MiB")
    assert cells[5].endswith("×")
    assert OTHER_SECTION in text
    assert "Machine: " in text
    assert not list(tmp_path.glob("*.nt")), "the N-Triples outputs are removed"


def test_a_second_run_replaces_its_section(tmp_path):
    run(tmp_path)
    text = run(tmp_path, "--skip-memory")

    assert text.count("<!-- import-memory:start -->") == 1
    assert row(text)[4:] == ["—", "—"]
