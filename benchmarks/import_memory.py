"""Memory and time of ``ssevalidate convert`` on large exports in each streamed dialect:
streamed (a chunk at a time) against the whole file converted in memory.

``write_sea_csv(path, rows)`` writes a deterministic SEA standard CSV (version 3): taxonomy
cells as labels and codes, some multi-line quoted descriptions, and a few mistakes a validator
reports (no name, a value no taxonomy knows, a broken web address, a latitude out of range).
The same records are written as a GeoJSON FeatureCollection with OpenStreetMap keys, a list of
Murmurations profiles and ESSGlobal Turtle as the SEA pipeline writes it (``EXPORTS``). Each
is converted to N-Triples twice, each time in a child process (streamed, then the whole file
in memory, the reference), and the wall time and peak resident memory of each
(``resource.getrusage`` of the child) go into BENCHMARKS.md::

    make bench-import
    python benchmarks/import_memory.py --rows 1000000 --formats sea-csv --skip-memory

The exports are cached in ``var/bench/`` (git-ignored); the N-Triples outputs are removed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
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


def records(rows: int):
    """The generated records as the SEA CSV's cells, by column name."""
    for number in range(1, rows + 1):
        yield dict(zip(HEADER, sea_row(number), strict=True))


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def write_geojson(path: Path, rows: int) -> Path:
    """The records as a FeatureCollection with OpenStreetMap-style keys."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write('{"type": "FeatureCollection", "features": [\n')
        for index, cells in enumerate(records(rows)):
            properties = {
                "_id": cells["Identifier"],
                "name": cells["Name"],
                "description": cells["Description"],
                "addr:street": cells["Street Address"],
                "addr:city": cells["Locality"],
                "addr:postcode": cells["Postcode"],
                "website": cells["Website"],
                "contact:email": cells["Email"],
            }
            point = [_number(cells["Longitude"]), _number(cells["Latitude"])]
            feature = {
                "type": "Feature",
                "properties": {key: value for key, value in properties.items() if value},
                "geometry": {"type": "Point", "coordinates": point},
            }
            stream.write(("," if index else "") + json.dumps(feature) + "\n")
        stream.write("]}\n")
    return path


def write_murmurations(path: Path, rows: int) -> Path:
    """The records as a list of Murmurations organisation profiles."""
    with path.open("w", encoding="utf-8") as stream:
        stream.write("[\n")
        for index, cells in enumerate(records(rows)):
            profile = {
                "linked_schemas": ["organizations_schema-v1.0.0"],
                "unique_id": cells["Identifier"],
                "name": cells["Name"],
                "description": cells["Description"],
                "primary_url": cells["Website"],
                "tags": cells["Activities"].split(";"),
                "geolocation": {
                    "lat": _number(cells["Latitude"]),
                    "lon": _number(cells["Longitude"]),
                },
            }
            profile = {key: value for key, value in profile.items() if value}
            stream.write(("," if index else "") + json.dumps(profile) + "\n")
        stream.write("]\n")
    return path


ESSGLOBAL_PREFIXES = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix essglobal: <https://dev.lod.coop/essglobal/2.1/vocab/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix gr: <http://purl.org/goodrelations/v1#> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .

"""


def write_essglobal(path: Path, rows: int) -> Path:
    """The records as ESSGlobal Turtle: an initiative and its address node each."""

    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are Turtle's

    with path.open("w", encoding="utf-8") as stream:
        stream.write(ESSGLOBAL_PREFIXES)
        for cells in records(rows):
            iri = f"https://bench.example/essglobal/{cells['Identifier']}"
            stream.write(
                f"<{iri}> a essglobal:SSEInitiative ;\n"
                f"  gr:name {text(cells['Name'])} ;\n"
                f"  dcterms:description {text(cells['Description'])} ;\n"
                f"  foaf:homepage {text(cells['Website'])} ;\n"
                f"  essglobal:organisationalStructure {text(cells['Organisational Structure'])} ;\n"
                f"  essglobal:primarySector {text(cells['Primary Activity'])} ;\n"
                f"  essglobal:hasAddress <{iri}#Address> .\n\n"
                f"<{iri}#Address> a essglobal:Address ;\n"
                f"  vcard:street-address {text(cells['Street Address'])} ;\n"
                f"  vcard:locality {text(cells['Locality'])} ;\n"
                f"  vcard:postal-code {text(cells['Postcode'])} ;\n"
                f"  vcard:country-name {text(cells['Country Name'])} ;\n"
                f"  geo:lat {text(cells['Latitude'])} ;\n"
                f"  geo:long {text(cells['Longitude'])} .\n\n"
            )
    return path


EXPORTS = {
    "sea-csv": ("SEA CSV", "csv", write_sea_csv),
    "geojson": ("GeoJSON", "geojson", write_geojson),
    "murmurations": ("Murmurations", "json", write_murmurations),
    "essglobal": ("ESSGlobal Turtle", "ttl", write_essglobal),
}
"""Each streamed dialect: its name in the table, its file extension, its writer."""

STREAMED = (
    "import sys; from ssevalidate import cli; from ssevalidate.importers import streaming; "
    "cli.PROGRESS_THRESHOLD = streaming.ESSGLOBAL_STREAMED = 0; sys.exit(cli.main(sys.argv[1:]))"
)
"""The command, streaming every size (it streams from 1 MiB, ESSGlobal from 64 MiB)."""
IN_MEMORY = (
    "import sys; from ssevalidate import cli; cli.PROGRESS_THRESHOLD = 1 << 62; "
    "sys.exit(cli.main(sys.argv[1:]))"
)
"""The same command with the streaming threshold out of reach: the reference."""


def measure(command: list[str]) -> dict:
    """Wall time and peak resident memory (MiB) of ``command`` in a child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        # wait4 gives this child's own peak (RUSAGE_CHILDREN keeps the largest of all children).
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            text = errors.read().decode("utf-8", "replace")[-2000:]
            raise SystemExit(f"{' '.join(command)} failed:\n{text}")
    return {"seconds": round(seconds, 1), "peak_mib": round(usage.ru_maxrss / 1024)}


def _lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(EXPORTS), help="comma-separated")
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--skip-memory", action="store_true", help="measure streaming only")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    table = []
    for dialect in args.formats.split(","):
        label, extension, write = EXPORTS[dialect]
        source = args.folder / f"import-{args.rows}.{extension}"
        if dialect == "sea-csv":
            source = args.folder / f"sea-{args.rows}.csv"
        if not source.exists():
            write(source, args.rows)
        output = args.folder / f"import-{args.rows}-{dialect}.nt"
        convert = ["convert", str(source), "--from", dialect, "--to", "nt", "-o", str(output)]
        figures = {
            "format": label,
            "rows": args.rows,
            "input_mib": round(os.path.getsize(source) / (1 << 20), 1),
            "streamed": measure([sys.executable, "-c", STREAMED, *convert]),
        }
        figures["nt_mib"] = round(os.path.getsize(output) / (1 << 20), 1)
        figures["statements"] = _lines(output)
        if not args.skip_memory:
            figures["in_memory"] = measure([sys.executable, "-c", IN_MEMORY, *convert])
            if _lines(output) != figures["statements"]:
                raise SystemExit(f"{dialect}: streamed and in memory differ")
        output.unlink(missing_ok=True)
        print(figures, flush=True)
        table.append(figures)
    text = section(table, " ".join(["python benchmarks/import_memory.py", *sys.argv[1:]]))
    print(text)
    replace_section(text, MARKERS, args.output)


MARKERS = ("<!-- import-memory:start -->", "<!-- import-memory:end -->")


def section(table: list[dict], command: str) -> str:
    """The BENCHMARKS.md section for one run's rows."""
    lines = []
    for figures in table:
        streamed, whole = figures["streamed"], figures.get("in_memory")
        cells = [
            figures["format"],
            f"{figures['rows']:,}",
            f"{figures['input_mib']:,}",
            f"{figures['nt_mib']:,} ({figures['statements']:,})",
            f"{streamed['seconds']:,} s / {streamed['peak_mib']:,} MiB",
        ]
        if whole:
            cells.append(f"{whole['seconds']:,} s / {whole['peak_mib']:,} MiB")
            cells.append(f"{whole['peak_mib'] / streamed['peak_mib']:.1f}×")
        else:
            cells += ["—", "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(
        [
            MARKERS[0],
            "## Import: large exports to N-Triples, streamed and in memory (`make bench-import`)",
            "",
            f"Machine: {machine()}. Date: {datetime.date.today().isoformat()}.",
            f"Command: `{command}`.",
            "",
            "The same generated records in each streamed dialect (`benchmarks/import_memory.py`;",
            "about one in a hundred with a mistake). `ssevalidate convert FILE --from DIALECT",
            "--to nt` in a fresh process: streamed (chunks of 5,000 rows, features, profiles or",
            "initiatives; ESSGlobal through a scratch database on disk) and, as the reference, the",
            "whole file converted in memory, which must write as many statements. Each peak is",
            "the child's resident memory. Ratio: peak in memory over peak streamed.",
            "",
            "| export | records | input MiB | N-Triples MiB (statements) | streamed: wall / peak "
            "| in memory: wall / peak | memory ratio |",
            "|---|---|---|---|---|---|---|",
            *lines,
            MARKERS[1],
        ]
    )


if __name__ == "__main__":
    main()
