"""``make bench-import`` on a few hundred rows: both conversions of each export run in child
processes and the table lands in BENCHMARKS.md between its markers, beside the other
sections."""

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


def rows(text: str) -> dict[str, list[str]]:
    """The table's rows by export."""
    section = text.split("<!-- import-memory:start -->")[1].split("<!-- import-memory:end -->")[0]
    found = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and cells[1] == "300":
            found[cells[0]] = cells
    return found


def test_the_table_compares_streamed_and_in_memory_conversions_of_each_export(tmp_path):
    text = run(tmp_path)

    table = rows(text)
    assert list(table) == ["SEA CSV", "GeoJSON", "Murmurations", "ESSGlobal Turtle"]
    for cells in table.values():
        statements = int(cells[3].split("(")[1].rstrip(")").replace(",", ""))
        assert statements > 300 * 8, "every record's statements are written"
        assert cells[4].endswith("MiB") and cells[5].endswith("MiB")
        assert cells[6].endswith("×")
    assert OTHER_SECTION in text
    assert "Machine: " in text
    assert not list(tmp_path.glob("*.nt")), "the N-Triples outputs are removed"


def test_a_second_run_replaces_its_section(tmp_path):
    run(tmp_path)
    text = run(tmp_path, "--skip-memory", "--formats", "geojson")

    assert text.count("<!-- import-memory:start -->") == 1
    assert list(rows(text)) == ["GeoJSON"] and rows(text)["GeoJSON"][5:] == ["—", "—"]
