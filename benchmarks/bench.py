"""Validation engines at scale: generated directories of 1,000 to 1,000,000 organisations.

For each size, a directory from ``benchmarks/generate.py`` (cached in ``var/bench/``) is parsed
once (the parse floor) and validated with profile ``core`` by each engine, every measurement in a
fresh process so that its peak memory is its own. The fast engine's results must equal pySHACL's,
and every engine's result count the generator's. Writes its table into BENCHMARKS.md between its
markers. Run with ``make bench`` (or ``python benchmarks/bench.py --sizes 1000,10000,100000,1000000``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import VERSION, Expected, write_directory

if TYPE_CHECKING:
    from ssevalidate.report import Result

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<!-- bench:start -->", "<!-- bench:end -->")
DEFAULT_SIZES = "1000,10000,100000"
PYSHACL_LIMIT = 10_000
"""Above this size (``--pyshacl-up-to``) pySHACL is only projected: it holds the directory as
rdflib objects, and its SHACL-SPARQL uniqueness check runs one query over all identifiers per
record (quadratic)."""
ERROR_EVERY = 50
STDERR_TAIL = 8


@dataclass
class Run:
    """One measured child process."""

    ok: bool
    wall: float  # seconds, seen from the parent (interpreter start and imports included)
    peak_mb: float  # highest sum of resident memory of the child and its workers (50 ms samples)
    output: dict = field(default_factory=dict)  # what the child wrote (its own timing, results)
    error: str = ""  # the last line of its stderr when it failed


def directory(cache: Path, count: int) -> tuple[Path, Expected]:
    """The generated directory of ``count`` organisations and its expected counts, from the cache
    when a file of the same size and generator version is there."""
    name = f"directory-v{VERSION}-{count}-e{ERROR_EVERY}"
    path, sidecar = cache / f"{name}.ttl", cache / f"{name}.json"
    if path.exists() and sidecar.exists():
        return path, Expected(**json.loads(sidecar.read_text(encoding="utf-8")))
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    started = time.perf_counter()
    expected = write_directory(partial, count, error_every=ERROR_EVERY)
    print(f"generated {count:,} organisations in {time.perf_counter() - started:.1f} s: {path}")
    partial.replace(path)
    sidecar.write_text(json.dumps(asdict(expected), indent=2), encoding="utf-8")
    return path, expected


def measure(arguments: list[str]) -> Run:
    """Run ``bench.py --child ARGUMENTS OUT`` in a fresh interpreter; its wall time and peak RSS."""
    with tempfile.TemporaryDirectory() as scratch:
        out, errors = Path(scratch) / "out.json", Path(scratch) / "stderr"
        with errors.open("wb") as stderr:
            started = time.perf_counter()
            child = subprocess.Popen(
                [sys.executable, __file__, "--child", *arguments, str(out)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            peak_kb = 0
            while True:
                pid, status, _ = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                peak_kb = max(peak_kb, tree_rss_kb(child.pid))
                time.sleep(0.05)
            wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        peak_mb = peak_kb / 1024
        if child.returncode == 0 and out.exists():
            return Run(True, wall, peak_mb, json.loads(out.read_text(encoding="utf-8")))
        lines = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        tail = "\n".join(lines[-STDERR_TAIL:]) or f"exit status {child.returncode}, no output"
        print(f"child {' '.join(arguments)} failed:\n{tail}", file=sys.stderr)
        return Run(False, wall, peak_mb, error=lines[-1] if lines else tail)


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (the fast engine's workers)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def child_parse(path: str, out: Path) -> None:
    """The parse floor: iterate pyoxigraph's Turtle parser over the file, counting triples."""
    import pyoxigraph

    started = time.perf_counter()
    triples = sum(1 for _ in pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE))
    seconds = time.perf_counter() - started
    out.write_text(json.dumps({"seconds": seconds, "triples": triples}), encoding="utf-8")


def child_validate(path: str, engine: str, out: Path) -> None:
    """One validation, end to end (read, parse, validate, report), and its results' keys."""
    import ssevalidate

    started = time.perf_counter()
    report = ssevalidate.validate(path, profile="core", engine=engine)
    seconds = time.perf_counter() - started
    keys = sorted(
        (result_key(result) for result in report.results),
        key=lambda key: tuple("" if part is None else part for part in key),
    )
    out.write_text(
        json.dumps({"seconds": seconds, "results": len(keys), "keys": keys}), encoding="utf-8"
    )


def result_key(result: Result) -> tuple[str | None, ...]:
    """(severity, focus, path, value, component, shape) of a report result. Blank-node labels
    are new at every parse, so a blank-node focus is named by the record that owns it."""
    focus = result.focus
    if focus.startswith("_:"):
        focus = f"_: in <{result.record}>"
    return (result.severity, focus, result.path, result.value, result.component, result.shape)


def differences(first: list[list], second: list[list]) -> int:
    """How many keys are in one list and not the other (as multisets)."""
    a, b = Counter(map(tuple, first)), Counter(map(tuple, second))
    return sum(((a - b) + (b - a)).values())


def engine_cell(run: Run | None, expected: Expected, skipped: str) -> str:
    """An engine's table cell: wall / peak / results, the failure, or ``skipped``."""
    if run is None:
        return skipped
    if not run.ok:
        return "failed: " + run.error.replace("|", "\\|")[:120]
    results = run.output["results"]
    check = "✔" if results == expected.results else "✘"
    return (
        f"{run.output['seconds']:.1f} s ({run.wall:.1f} s) / {run.peak_mb:,.0f} MB / "
        f"{results:,} {check}"
    )


def projected_seconds(measured: dict[int, Run], count: int) -> float | None:
    """pySHACL's time at ``count``, extrapolated linearly (a lower bound, see PYSHACL_LIMIT)."""
    done = sorted(size for size, run in measured.items() if run.ok)
    if not done:
        return None
    points = [(0, 0.0)] + [(size, measured[size].output["seconds"]) for size in done]
    (size0, seconds0), (size1, seconds1) = points[-2:]
    return seconds1 + (seconds1 - seconds0) * (count - size1) / (size1 - size0)


def projection(measured: dict[int, Run], count: int, limit: int) -> str:
    """The note for a pySHACL run left out: peak memory and time extrapolated linearly through
    the two largest measured runs (through zero when only one was measured)."""
    done = sorted(size for size, run in measured.items() if run.ok)
    if not done:
        return f"skipped: above {limit:,}"
    points = [(0, 0.0, 0.0)] + [
        (size, measured[size].peak_mb, measured[size].output["seconds"]) for size in done
    ]
    (size0, memory0, seconds0), (size1, memory1, seconds1) = points[-2:]
    factor = (count - size1) / (size1 - size0)
    memory = memory1 + (memory1 - memory0) * factor
    seconds = seconds1 + (seconds1 - seconds0) * factor
    return f"skipped: ≈{memory / 1024:,.0f} GB, ≈{seconds / 3600:,.1f} h projected"


def row(
    count: int,
    expected: Expected,
    parse: Run,
    runs: dict[str, Run | None],
    pyshacl_runs: dict[int, Run],
    limit: int = PYSHACL_LIMIT,
) -> str:
    """One table row for a size (pySHACL measured up to ``limit`` organisations)."""
    if parse.ok:
        same = "" if parse.output["triples"] == expected.triples else " ✘ triple count"
        floor = f"{parse.output['seconds']:.1f} s / {parse.peak_mb:,.0f} MB{same}"
    else:
        floor = "failed: " + parse.error[:120]
    skipped = projection(pyshacl_runs, count, limit)
    cells = [engine_cell(run, expected, skipped) for run in runs.values()]
    fast, reference = runs.get("fast"), runs.get("pyshacl")
    exact = ratio = "—"
    if fast and reference and fast.ok and reference.ok:
        missing = differences(fast.output["keys"], reference.output["keys"])
        exact = "✔" if missing == 0 else f"✘ {missing:,} differences"
        ratio = f"{reference.output['seconds'] / fast.output['seconds']:.1f}×"
    elif fast and fast.ok and reference is None and "pyshacl" in runs:
        projected = projected_seconds(pyshacl_runs, count)
        if projected:
            ratio = f"≥ {projected / fast.output['seconds']:.0f}× (projected)"
    columns = [f"{count:,}", f"{expected.triples:,}", floor, *cells, exact, f"{expected.results:,}"]
    return "| " + " | ".join([*columns, ratio]) + " |"


def section(
    command: str, machine: str, engines: list[str], rows: list[str], limit: int = PYSHACL_LIMIT
) -> str:
    """The BENCHMARKS.md section, between its markers."""
    headers = [f"{engine}: wall / peak / results" for engine in engines]
    return "\n".join(
        [
            MARKERS[0],
            "## Engines at scale: generated directories, profile `core` (`make bench`)",
            "",
            f"Machine: {machine}. Date: {datetime.date.today().isoformat()}.",
            f"Command: `{command}`.",
            "",
            f"Data: `benchmarks/generate.py` (version {VERSION}): N organisations of about 25",
            "triples each, one `sse:Network` per 1,000, and one error in every",
            f"{ERROR_EVERY} organisations, cycling through 12 kinds (see `KINDS` in the generator).",
            "Every measurement is a fresh process. Wall: the `ssevalidate.validate()` call end to end",
            "(read, parse, validate, report), then in parentheses the whole process seen from the",
            "parent (interpreter start and imports included); peak: the highest sum of resident",
            "memory of the child and its worker processes (sampled every 50 ms). ✔/✘ after a",
            "result count: equal to the generator's expected count. Exact: the fast engine's",
            "results equal pySHACL's as (severity, focus, path, value, component, shape),",
            "blank-node foci named by their record. Ratio: pySHACL wall / fast wall; above",
            f"{limit:,} organisations pySHACL is projected linearly from its measured runs,",
            "a lower bound: its SHACL-SPARQL uniqueness check queries every identifier once per",
            "record, so its time grows faster than the directory.",
            "",
            "| N | triples | parse floor | "
            + " | ".join(headers)
            + " | exact vs pyshacl | expected results | ratio |",
            "|" + "---|" * (6 + len(engines)),
            *rows,
            MARKERS[1],
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=DEFAULT_SIZES,
        help=f"organisation counts, comma-separated (default {DEFAULT_SIZES}; add 1000000)",
    )
    parser.add_argument(
        "--engines", default="fast,pyshacl", help="engines, comma-separated (default fast,pyshacl)"
    )
    parser.add_argument(
        "--pyshacl-up-to",
        type=int,
        default=PYSHACL_LIMIT,
        help=f"largest size pySHACL runs at; projected above (default {PYSHACL_LIMIT:,})",
    )
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "BENCHMARKS.md", help="default: BENCHMARKS.md"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "parse":
            child_parse(rest[0], Path(rest[1]))
        else:
            child_validate(rest[0], rest[1], Path(rest[2]))
        return

    sizes = sorted(int(size) for size in args.sizes.split(","))
    engines = [engine.strip() for engine in args.engines.split(",") if engine.strip()]
    rows, failed = [], 0
    pyshacl_runs: dict[int, Run] = {}
    for count in sizes:
        path, expected = directory(args.cache, count)
        parse = measure(["parse", str(path)])
        runs: dict[str, Run | None] = {}
        for engine in engines:
            if engine == "pyshacl" and count > args.pyshacl_up_to:
                runs[engine] = None
                continue
            print(f"{count:,} organisations: {engine}…", flush=True)
            runs[engine] = measure(["validate", str(path), engine])
            if engine == "pyshacl":
                pyshacl_runs[count] = runs[engine]
        failed += sum(not run.ok for run in [parse, *runs.values()] if run is not None)
        rows.append(row(count, expected, parse, runs, pyshacl_runs, args.pyshacl_up_to))
        print(rows[-1], flush=True)

    # Imported only here: service_load loads httpx, which the measured children must not pay for.
    from service_load import machine, replace_section

    command = " ".join(["python benchmarks/bench.py", *sys.argv[1:]])
    text = section(command, machine(), engines, rows, args.pyshacl_up_to)
    print(text)
    if failed:
        raise SystemExit(f"{failed} run(s) failed (see above); {args.output} not updated")
    replace_section(text, MARKERS, args.output)


if __name__ == "__main__":
    main()
