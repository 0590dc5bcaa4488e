"""Memory and time of ``ssevalidate convert`` on a large SEA CSV: streamed (chunks of rows) against
the whole file in memory.

``write_sea_csv(path, rows)`` writes a deterministic SEA standard CSV (version 3): taxonomy
cells as labels and codes, some multi-line quoted descriptions, and a few mistakes a validator
reports (no name, a value no taxonomy knows, a broken web address, a latitude out of range).
The command converts it to N-Triples twice, each time in a child process (streamed, then the
whole file in memory, the reference), and writes the wall time and the peak resident memory of
each (``resource.getrusage`` of the child) into BENCHMARKS.md::

    make bench-import
    python benchmarks/import_memory.py --rows 1000000 --skip-memory

The CSV is cached in ``var/bench/`` (git-ignored); the N-Triples outputs are removed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from service_load import machine, replace_section  # noqa: E402

from ssevalidate.importers.sea_csv import V1  # noqa: E402

HEADER = (*V1, "Qualifiers", "Membership Type")
"""SEA standard CSV, version 3."""
STRUCTURES = ("Workers cooperative", "Co-operative", "OS115", "Social Enterprise")
ACTIVITIES = ("Agriculture", "Housing", "Education", "ICA210", "Retail")
PLACES = (
    ("Manchester", "Greater Manchester", "M4 1HN", "United Kingdom", "53.48", "-2.24"),
    ("Lyon", "Auvergne-Rhône-Alpes", "69004", "France", "45.76", "4.83"),
    ("Recife", "Pernambuco", "50030-230", "Brazil", "-8.05", "-34.88"),
)
MISTAKE_EVERY = 97
"""Every so many rows has one mistake, the kinds taken in turn."""


def sea_row(number: int) -> list[str]:
    """Row ``number`` (from 1) of the generated CSV."""
    city, region, postcode, country, lat, long = PLACES[number % len(PLACES)]
    description = f"Co-operative number {number}"
    if number % 50 == 0:
        description += ',\nwith "quotes" and a second line'
    row = [
        f"org{number}",
        f"Coop {number}",
        description,
        STRUCTURES[number % len(STRUCTURES)],
        ACTIVITIES[number % len(ACTIVITIES)],
        ";".join(ACTIVITIES[(number + k) % len(ACTIVITIES)] for k in range(2)),
        f"{number} High Street",
        city,
        region,
        postcode,
        country,
        f"https://coop{number}.example",
        "+44 161 000 0000",
        f"info@coop{number}.example",
        "",
        "",
        f"{number:08d}" if number % 3 == 0 else "",
        lat,
        long,
        "",
        "",
        "",
        "Fairtrade" if number % 4 == 0 else "",
        "Workers" if number % 2 == 0 else "Consumers",
    ]
    if number % MISTAKE_EVERY == 0:
        kind = (number // MISTAKE_EVERY) % 4
        if kind == 0:
            row[1] = ""  # no name
        elif kind == 1:
            row[4] = "Teleportation"  # no taxonomy knows it
        elif kind == 2:
            row[11] = "not a web address"
        else:
            row[17] = "123.4"  # latitude out of range
    return row


def write_sea_csv(path: Path, rows: int) -> Path:
    """A generated SEA CSV of ``rows`` records at ``path`` (the same bytes for the same rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        table = csv.writer(stream, lineterminator="\n")
        table.writerow(HEADER)
        for number in range(1, rows + 1):
            table.writerow(sea_row(number))
    return path


def measure(command: list[str]) -> dict:
    """Wall time and peak resident memory (MiB) of ``command`` in a child process."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    # The child has been waited for: RUSAGE_CHILDREN's maximum is its peak (the largest child
    # so far, hence streamed first, then in memory).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(seconds, 1), "peak_mib": round(peak / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--skip-memory", action="store_true", help="measure streaming only")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    source = args.folder / f"sea-{args.rows}.csv"
    if not source.exists():
        write_sea_csv(source, args.rows)
    output = args.folder / f"sea-{args.rows}.nt"
    convert = [sys.executable, "-m", "ssevalidate.cli", "convert", str(source), "--to", "nt"]
    figures = {"rows": args.rows, "csv_mib": round(os.path.getsize(source) / (1 << 20), 1)}
    figures["streamed"] = measure([*convert, "-o", str(output)])
    figures["nt_mib"] = round(os.path.getsize(output) / (1 << 20), 1)
    if not args.skip_memory:
        # The in-memory path: the same command with the streaming threshold out of reach.
        in_memory = (
            "import sys; from ssevalidate import cli; cli.PROGRESS_THRESHOLD = 1 << 62; "
            "sys.exit(cli.main(sys.argv[1:]))"
        )
        whole = [sys.executable, "-c", in_memory, *convert[3:], "-o", str(output)]
        figures["in_memory"] = measure(whole)
    output.unlink(missing_ok=True)
    text = section(figures, " ".join(["python benchmarks/import_memory.py", *sys.argv[1:]]))
    print(text)
    replace_section(text, MARKERS, args.output)


MARKERS = ("<!-- import-memory:start -->", "<!-- import-memory:end -->")


def section(figures: dict, command: str) -> str:
    """The BENCHMARKS.md section for one run's ``figures``."""
    streamed, whole = figures["streamed"], figures.get("in_memory")
    cells = [
        f"{figures['rows']:,}",
        f"{figures['csv_mib']:,}",
        f"{figures['nt_mib']:,}",
        f"{streamed['seconds']:,} s / {streamed['peak_mib']:,} MiB",
    ]
    if whole:
        cells.append(f"{whole['seconds']:,} s / {whole['peak_mib']:,} MiB")
        cells.append(f"{whole['peak_mib'] / streamed['peak_mib']:.1f}×")
    else:
        cells += ["—", "—"]
    return "\n".join(
        [
            MARKERS[0],
            "## Import: a large SEA CSV to N-Triples (`make bench-import`)",
            "",
            f"Machine: {machine()}. Date: {datetime.date.today().isoformat()}.",
            f"Command: `{command}`.",
            "",
            "`ssevalidate convert FILE --to nt` in a fresh process: streamed (chunks of 5,000",
            "rows) and, as the reference, the whole file converted in memory. Ratio: peak",
            "memory in memory over peak memory streamed.",
            "",
            "| rows | CSV MiB | N-Triples MiB | streamed: wall / peak | in memory: wall / peak "
            "| memory ratio |",
            "|---|---|---|---|---|---|",
            "| " + " | ".join(cells) + " |",
            MARKERS[1],
        ]
    )


if __name__ == "__main__":
    main()
