"""Harvest throughput: generated sources of 1,000 to 100,000 records, served on 127.0.0.1.

Each source is the directory of ``benchmarks/generate.py`` as Turtle (cached in ``var/bench/``)
or, for ``--csv-sizes``, the same kind of organisations as an SEA standard CSV; both carry one
error in every 50 records, so the records accepted and rejected are known in advance. A loopback
HTTP server publishes each one with an ETag, and a fresh process harvests it three times into
the embedded store (on disk): the first harvest (wall, records/s, peak RSS of the process), a
second one answered 304, and one after 1 % of the records changed. For ``--remote-sizes`` the
first harvest (and the 304) also goes into a fresh ``oxigraph serve``. The reference runs in the
same session: the same work done naively with rdflib and pySHACL (parse the dump, validate,
load the accepted and the rejected records into pyoxigraph), for ``--baseline-sizes``.
Matching is off (``match = false``): it is not part of a harvest's throughput. A spreadsheet
above 1 MiB is harvested as a stream (:mod:`ssevalidate.harvest.pipeline`).

    make bench-harvest
    python benchmarks/harvest.py --sizes 1000,10000 --remote-sizes 10000 --baseline-sizes 1000

writes its table into BENCHMARKS.md between its markers.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import http.server
import io
import itertools
import json
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import directory
from generate import PLACES, STREETS, TRADES, plan_errors
from service_load import machine, replace_section

from ssevalidate.importers import sea_csv

ROOT = Path(__file__).resolve().parent.parent
MARKERS = ("<!-- bench-harvest:start -->", "<!-- bench-harvest:end -->")
DEFAULTS = {
    "sizes": "1000,10000,100000",
    "csv_sizes": "1000,10000",
    "remote_sizes": "10000,100000",
    "baseline_sizes": "1000,10000",
}
ERROR_EVERY = 50  # as in bench.py, whose cached directories are reused
CHANGE_EVERY = 100  # the 1 % change: every 100th organisation gets a new description
CHANGED = re.compile(rb"organisation (\d+)\.")
"""The end of every organisation's description, in both formats (never a network's)."""
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
SOURCE_GRAPH = "https://bench.example/aggregator/sources/bench"
STDERR_TAIL = 8

# SEA standard CSV with the columns of the ICA export; labels the reconciler places.
SEA_COLUMNS = (*sea_csv.V1, "Qualifiers", "Membership Type")
STRUCTURES = ("Co-operative", "Mutual", "Social enterprise", "Company (Other)", "National apex")
ACTIVITIES = ("Agriculture", "Financial Services", "Housing", "Retail", "Education", "Health")
MEMBERSHIPS = ("Consumer/Users", "Producers", "Workers", "Multi-stakeholders", "Residents")
CSV_KINDS = (
    "missing_name",
    "email_without_at",
    "latitude_out_of_range",
    "url_without_scheme",
    "unknown_activity",
    "duplicate_identifier",
)
"""The errors of the CSV, in turn; each rejects its record (a duplicate identifier rejects the
record it copies too)."""
IDENTIFIER_EVERY = 3  # one record in three has a Companies House number


# --- the sources ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """One source as published, then with 1 % of its records changed, and what harvesting it
    must report."""

    kind: str  # "turtle" or "sea-csv"
    count: int
    versions: tuple[bytes, bytes]
    accepted: int
    rejected: int
    updated: int
    """Accepted records the second version changes."""

    @property
    def path(self) -> str:
        return f"/directory-{self.count}." + ("ttl" if self.kind == "turtle" else "csv")

    @property
    def dialect(self) -> str:
        return "rdf" if self.kind == "turtle" else "sea-csv"

    @property
    def media_type(self) -> str:
        return "text/turtle" if self.kind == "turtle" else "text/csv"

    @property
    def megabytes(self) -> str:
        return f"{len(self.versions[0]) / 1e6:,.1f}"

    @property
    def label(self) -> str:
        return f"{'Turtle' if self.kind == 'turtle' else 'SEA CSV'} {self.count:,}"


def turtle_dataset(cache: Path, count: int) -> Dataset:
    """The Turtle directory of ``count`` organisations: every erroneous organisation is
    rejected, and so is each one whose identifier a ``duplicate_identifier`` error copies."""
    path, _ = directory(cache, count)
    plan = plan_errors(count, ERROR_EVERY)
    rejected = set(plan) | {
        other for kind, other in plan.values() if kind == "duplicate_identifier"
    }
    data = path.read_bytes()
    return _dataset("turtle", count, data, rejected)


def sea_csv_dataset(count: int, *, seed: int = 0) -> Dataset:
    """``count`` organisations as an SEA standard CSV (v3), one error in every ``ERROR_EVERY``
    rows taken in turn from :data:`CSV_KINDS`. The same arguments always give the same bytes."""
    rng = random.Random(seed)
    errors = {
        index: CSV_KINDS[number % len(CSV_KINDS)]
        for number, index in enumerate(range(ERROR_EVERY - 1, count, ERROR_EVERY))
    }
    copies = {}
    for index, kind in errors.items():
        if kind == "duplicate_identifier":
            other = index - 1 - (index - 1) % IDENTIFIER_EVERY
            while other in errors:
                other -= IDENTIFIER_EVERY
            copies[index] = other
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEA_COLUMNS)
    for index in range(count):
        writer.writerow(_sea_row(index, rng, errors.get(index), copies.get(index)))
    rejected = set(errors) | set(copies.values())
    return _dataset("sea-csv", count, out.getvalue().encode("utf-8"), rejected)


def _sea_row(index: int, rng: random.Random, error: str | None, copied: int | None) -> list[str]:
    _, country, _, city, region, postcode, lat, long = PLACES[index % len(PLACES)]
    # Draw every random value first, so that an injected error never shifts later rows.
    latitude = f"{lat + (rng.random() - 0.5) * 0.2:.4f}"
    longitude = f"{long + (rng.random() - 0.5) * 0.2:.4f}"
    trade = TRADES[index % len(TRADES)]
    cells = dict.fromkeys(SEA_COLUMNS, "")
    cells.update(
        {
            "Identifier": str(index),
            "Name": f"{trade} {city} {index}",
            "Description": f"{trade} in {city}, organisation {index}.",
            "Organisational Structure": STRUCTURES[index % len(STRUCTURES)],
            "Primary Activity": ACTIVITIES[index % len(ACTIVITIES)],
            "Activities": ACTIVITIES[(index // len(ACTIVITIES)) % len(ACTIVITIES)],
            "Street Address": f"{index % 200 + 1} {STREETS[index % len(STREETS)]}",
            "Locality": city,
            "Region": region,
            "Postcode": postcode,
            "Country Name": country,
            "Website": f"https://org{index}.bench.example/",
            "Phone": f"+{10 + index % 89} {index % 1000:03d} {index % 9973:04d}",
            "Email": f"contact@org{index}.bench.example",
            "Membership Type": MEMBERSHIPS[index % len(MEMBERSHIPS)],
            "Latitude": latitude,
            "Longitude": longitude,
        }
    )
    if index % IDENTIFIER_EVERY == 0:
        cells["Companies House Number"] = f"{index:08d}"
    if error == "missing_name":
        cells["Name"] = ""
    elif error == "email_without_at":
        cells["Email"] = f"contact.org{index}.bench.example"
    elif error == "latitude_out_of_range":
        cells["Latitude"] = "123.4"
    elif error == "url_without_scheme":
        cells["Website"] = f"org{index}.bench.example"
    elif error == "unknown_activity":
        cells["Primary Activity"] = "Basket weaving"
    elif error == "duplicate_identifier":
        cells["Companies House Number"] = f"{copied:08d}"
    return list(cells.values())


def _dataset(kind: str, count: int, data: bytes, rejected: set[int]) -> Dataset:
    changed = {index for index in range(0, count, CHANGE_EVERY)}

    def edit(match: re.Match) -> bytes:
        index = int(match.group(1))
        return b"organisation %d, renamed." % index if index in changed else match.group(0)

    return Dataset(
        kind,
        count,
        (data, CHANGED.sub(edit, data)),
        accepted=count - len(rejected),
        rejected=len(rejected),
        updated=len(changed - rejected),
    )


# --- the loopback server ----------------------------------------------------------------------


class Site:
    """What the server publishes: per path, its versions. A path serves its first version until
    it has answered a 304, then the next one (the change arrives after the 304 harvest)."""

    def __init__(self) -> None:
        self.versions: dict[str, list[tuple[bytes, str, str]]] = {}
        self.lock = threading.Lock()

    def publish(self, path: str, versions: tuple[bytes, ...], content_type: str) -> None:
        with self.lock:
            self.versions[path] = [
                (body, content_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
                for body in versions
            ]

    def current(self, path: str) -> tuple[bytes, str, str] | None:
        with self.lock:
            versions = self.versions.get(path)
            return versions[0] if versions else None

    def answered_304(self, path: str) -> None:
        with self.lock:
            if len(self.versions.get(path, ())) > 1:
                self.versions[path].pop(0)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        site: Site = self.server.site
        found = site.current(self.path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, content_type, etag = found
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            site.answered_304(self.path)
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def serve(site: Site) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.site = site
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the measured processes -------------------------------------------------------------------


@dataclass
class Run:
    """What one child process reported, or why it failed."""

    ok: bool
    output: dict = field(default_factory=dict)
    error: str = ""
    server_peak_mb: float | None = None  # ``oxigraph serve``'s peak RSS (remote store)


def measure(arguments: list[str]) -> Run:
    """Run ``harvest.py --child ARGUMENTS OUT`` in a fresh interpreter: its progress lines go to
    our output, its JSON to OUT."""
    with tempfile.TemporaryDirectory() as scratch:
        out, errors = Path(scratch) / "out.json", Path(scratch) / "stderr"
        with errors.open("wb") as stderr:
            child = subprocess.run(
                [sys.executable, __file__, "--child", *arguments, str(out)], stderr=stderr
            )
        if child.returncode == 0 and out.exists():
            return Run(True, json.loads(out.read_text(encoding="utf-8")))
        lines = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        tail = "\n".join(lines[-STDERR_TAIL:]) or f"exit status {child.returncode}, no output"
        print(f"child {' '.join(arguments)} failed:\n{tail}", file=sys.stderr, flush=True)
        return Run(False, error=lines[-1] if lines else tail)


def child(arguments: list[str]) -> None:
    """What a measured process does: ``harvest STORE CONFIG STEPS OUT`` or ``baseline URL OUT``."""
    mode, *rest = arguments
    if mode == "harvest":
        child_harvest(rest[0], rest[1], rest[2], Path(rest[3]))
    else:
        child_baseline(rest[0], Path(rest[1]))


def config_text(url: str, kind: str) -> str:
    return (
        'base = "https://bench.example/aggregator/"\nmatch = false\n'
        "[fetch]\nmax_bytes = 2147483648\ntimeout = 900\n"
        f'[[source]]\nid = "bench"\ntitle = "Generated directory"\nurl = "{url}"\n'
        f'kind = "{kind}"\nlicence = "{LICENCE}"\n'
    )


def child_harvest(store_spec: str, config: str, steps: str, out: Path) -> None:
    """Harvest the configured source once per step (``first``, ``again``, ``changed``), each
    timed, with the stage times and, after the first, the peak RSS of this process."""
    from ssevalidate.harvest import harvest, load_config
    from ssevalidate.store import EmbeddedStore, RemoteStore

    kind, _, where = store_spec.partition(":")
    if kind == "embedded":
        store = EmbeddedStore(where)
    else:
        store = RemoteStore(f"{where}/query", f"{where}/update", f"{where}/store", timeout=900)
    settings = load_config(config)
    harvests = []
    for step in steps.split(","):
        stages: dict[str, float] = {}
        started = time.perf_counter()

        def progress(_source: str, stage: str, step=step, started=started, stages=stages) -> None:
            stages[stage] = time.perf_counter() - started
            print(f"      {step}: {stage} at {stages[stage]:.1f} s", flush=True)

        [result] = harvest(settings, store, allow=["127.0.0.1"], progress=progress)
        seconds = time.perf_counter() - started
        harvests.append(
            {
                "step": step,
                "seconds": seconds,
                "stages": stages,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "outcome": result.outcome,
                "error": result.error,
                "read": result.records_read,
                "accepted": result.accepted,
                "rejected": result.rejected,
                "created": len(result.changes.created),
                "updated": len(result.changes.updated),
                "deleted": len(result.changes.deleted),
            }
        )
    out.write_text(json.dumps(harvests), encoding="utf-8")


def child_baseline(url: str, out: Path) -> None:
    """The naive way: download, parse with rdflib, validate with pySHACL (the taxonomies added
    to the data), split off the rejected records, load both parts into pyoxigraph."""
    import pyoxigraph as ox
    import pyshacl
    from rdflib import BNode, Graph
    from rdflib.namespace import RDF, SH

    from ssevalidate.namespaces import SSE

    started = time.perf_counter()
    data = httpx.get(url, timeout=900).content
    graph = Graph().parse(data=data, format="turtle")
    print(f"      baseline: parsed at {time.perf_counter() - started:.1f} s", flush=True)
    shapes = Graph().parse(ROOT / "shapes" / "core.ttl")
    # The shapes check a concept's scheme on the concept's own triples: the taxonomies must be
    # in the data graph (pySHACL's ont_graph only lends the data its class and property axioms).
    taxonomies = Graph()
    for path in sorted((ROOT / "ontology" / "taxonomies").glob("*.ttl")):
        taxonomies.parse(path)
    _conforms, report, _text = pyshacl.validate(
        graph + taxonomies,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    print(f"      baseline: validated at {time.perf_counter() - started:.1f} s", flush=True)
    owner = {
        value: subject for subject, value in graph.subject_objects() if isinstance(value, BNode)
    }
    rejected = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) == SH.Violation:
            focus = report.value(result, SH.focusNode)
            while isinstance(focus, BNode) and focus in owner:
                focus = owner[focus]
            rejected.add(focus)
    quarantine = Graph()
    pending = list(rejected)
    while pending:
        for triple in graph.triples((pending.pop(), None, None)):
            quarantine.add(triple)
            if isinstance(triple[2], BNode):
                pending.append(triple[2])
    accepted = graph - quarantine
    store = ox.Store(tempfile.mkdtemp(prefix="bench-baseline-"))
    for name, part in (("accepted", accepted), ("quarantine", quarantine + report)):
        store.load(
            part.serialize(format="nt", encoding="utf-8"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(f"https://bench.example/baseline/{name}"),
        )
    store.flush()
    initiatives = set(graph.subjects(RDF.type, SSE.Initiative))
    out.write_text(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "accepted": len(initiatives - rejected),
                "rejected": len(rejected),
            }
        ),
        encoding="utf-8",
    )


# --- a fresh oxigraph server per remote run ---------------------------------------------------


class OxigraphServer:
    """``oxigraph serve`` (the ``oxigraph`` package) on a free port over a temporary store."""

    def __enter__(self) -> OxigraphServer:
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.location = tempfile.mkdtemp(prefix="bench-oxigraph-")
        self.process = subprocess.Popen(
            [binary, "serve", "--location", self.location, "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.base}/query", params={"query": "ASK {}"}, timeout=1)
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)

    def peak_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return next(int(line.split()[1]) for line in status.splitlines() if "VmHWM" in line) / 1024

    def __exit__(self, *_exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.location, ignore_errors=True)


# --- the table --------------------------------------------------------------------------------


def harvested(run: Run) -> bool:
    """Whether the process ended well and its first harvest stored the source."""
    return run.ok and run.output[0]["outcome"] == "harvested"


def check(good: bool) -> str:
    return "✔" if good else "✘"


def failed(run: Run) -> str:
    return "failed: " + run.error.replace("|", "\\|")[:120]


def harvest_cells(dataset: Dataset, run: Run, remote: bool) -> list[str]:
    """first harvest, records/s, peak, stages, read / accepted / rejected, 304, 1 % change."""
    if not run.ok:
        return [failed(run), *["—"] * 6]
    steps = {harvest["step"]: harvest for harvest in run.output}
    first = steps["first"]
    if first["outcome"] != "harvested":
        return [f"{first['outcome']}: {first['error']}"[:120], *["—"] * 6]
    stages = first["stages"]
    # Each stage is timed from the harvest's start to the next stage's.
    marks = [stages.get(name) for name in ("convert", "validate", "store", "harvested")]
    spans = [
        f"{end - start:.1f}" if None not in (start, end) else "?"
        for start, end in itertools.pairwise(marks)
    ]
    peak = f"{first['peak_mb']:,.0f} MB"
    if remote and run.server_peak_mb is not None:
        peak += f" (server {run.server_peak_mb:,.0f} MB)"
    counts = first["accepted"] == dataset.accepted and first["rejected"] == dataset.rejected
    counted = (
        f"{first['read']:,} / {first['accepted']:,} / {first['rejected']:,} {check(counts)}"
        + ("" if counts else f" (expected {dataset.accepted:,} / {dataset.rejected:,})")
    )
    again = steps.get("again")
    not_modified = (
        f"{again['seconds']:.2f} s {check(again['outcome'] == 'not-modified')}" if again else "—"
    )
    changed = steps.get("changed")
    change = "—"
    if changed:
        right = (changed["updated"], changed["created"], changed["deleted"]) == (
            dataset.updated,
            0,
            0,
        )
        change = (
            f"{changed['seconds']:.1f} s / {changed['updated']:,} updated, "
            f"{changed['created']} created, {changed['deleted']} deleted {check(right)}"
        )
    return [
        f"{first['seconds']:.1f} s",
        f"{first['read'] / first['seconds']:,.0f}",
        peak,
        " / ".join(spans),
        counted,
        not_modified,
        change,
    ]


def baseline_cells(dataset: Dataset, run: Run | None, first: Run) -> list[str]:
    """The naive run, and its wall time over the first harvest's."""
    if run is None:
        return ["—", "—"]
    if not run.ok:
        return [failed(run), "—"]
    counts = (run.output["accepted"], run.output["rejected"]) == (
        dataset.accepted,
        dataset.rejected,
    )
    cell = (
        f"{run.output['seconds']:.1f} s / {run.output['peak_mb']:,.0f} MB / "
        f"{run.output['accepted']:,} + {run.output['rejected']:,} {check(counts)}"
    )
    ratio = "—"
    if harvested(first):
        ratio = f"{run.output['seconds'] / first.output[0]['seconds']:.1f}×"
    return [cell, ratio]


HEADERS = (
    "source",
    "MB",
    "store",
    "first harvest",
    "records/s",
    "peak RSS",
    "convert / validate + split / store (s)",
    "read / accepted / rejected",
    "304",
    "1 % changed: time / changes",
    "rdflib + pySHACL: wall / peak / accepted + rejected",
    "ratio",
)


def section(command: str, machine: str, rows: list[str]) -> str:
    """The BENCHMARKS.md section, between its markers."""
    return "\n".join(
        [
            MARKERS[0],
            "## Harvest: generated sources over loopback HTTP (`make bench-harvest`)",
            "",
            f"Machine: {machine}. Date: {datetime.date.today().isoformat()}.",
            f"Command: `{command}`.",
            "",
            "Sources: the directories of `benchmarks/generate.py` as Turtle (about 25 triples",
            f"per organisation) and SEA standard CSV v3 rows, one error in every {ERROR_EVERY}",
            "records, served on 127.0.0.1 with an ETag. Each row is one fresh process harvesting",
            "with `ssevalidate.harvest.harvest` (profile `core`): the first harvest (wall, records",
            "read per second, peak RSS of the process, imports included; the stages as the",
            "pipeline reports them), then a harvest answered 304, then one after every",
            f"{CHANGE_EVERY}th record changed its description. ✔: the counts equal those the",
            "generator planted (a duplicated identifier rejects both records). Embedded: the",
            "pyoxigraph store on disk; remote: a fresh `oxigraph serve` on 127.0.0.1 (its own",
            "peak in parentheses). Reference, in the same run: download, parse with rdflib,",
            "validate with pySHACL (taxonomies added to the data), split, load both parts into",
            "pyoxigraph; ratio: its wall over the embedded first harvest.",
            "",
            "| " + " | ".join(HEADERS) + " |",
            "|" + "---|" * len(HEADERS),
            *rows,
            MARKERS[1],
        ]
    )


# --- the run ----------------------------------------------------------------------------------


def measure_dataset(
    dataset: Dataset, site: Site, origin: str, scratch: Path, remote: bool, baseline: bool
) -> tuple[list[tuple[str, list[str]]], int]:
    """(store, table cells) of each run of one source: into the embedded store (and the
    reference after it), then into ``oxigraph serve`` when ``remote``; and how many failed."""
    url = origin + dataset.path
    config = scratch / f"{dataset.kind}-{dataset.count}.toml"
    config.write_text(config_text(url, dataset.dialect), encoding="utf-8")
    site.publish(dataset.path, dataset.versions, dataset.media_type)
    print(f"  {dataset.label} → embedded store (first, 304, 1 % changed)", flush=True)
    store = scratch / f"store-{dataset.kind}-{dataset.count}"
    embedded = measure(["harvest", f"embedded:{store}", str(config), "first,again,changed"])
    shutil.rmtree(store, ignore_errors=True)
    reference = None
    if baseline:
        site.publish(dataset.path, dataset.versions, dataset.media_type)
        print(f"  {dataset.label} → rdflib + pySHACL (reference)", flush=True)
        reference = measure(["baseline", url])
    cells = harvest_cells(dataset, embedded, remote=False)
    runs = [("embedded", cells + baseline_cells(dataset, reference, embedded))]
    failures = (not harvested(embedded)) + (reference is not None and not reference.ok)
    if remote:
        site.publish(dataset.path, dataset.versions, dataset.media_type)
        print(f"  {dataset.label} → oxigraph serve (first, 304)", flush=True)
        with OxigraphServer() as oxigraph:
            run = measure(["harvest", f"remote:{oxigraph.base}", str(config), "first,again"])
            run.server_peak_mb = oxigraph.peak_mb()
        runs.append(("oxigraph serve", [*harvest_cells(dataset, run, remote=True), "—", "—"]))
        failures += not harvested(run)
    return runs, failures


def sizes(text: str) -> list[int]:
    return sorted(int(size) for size in text.split(",") if size.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULTS["sizes"], help="Turtle sources (records)")
    parser.add_argument("--csv-sizes", default=DEFAULTS["csv_sizes"], help="SEA CSV sources")
    parser.add_argument(
        "--remote-sizes", default=DEFAULTS["remote_sizes"], help="also into oxigraph serve"
    )
    parser.add_argument(
        "--baseline-sizes", default=DEFAULTS["baseline_sizes"], help="also rdflib + pySHACL"
    )
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    remote, baseline = set(sizes(args.remote_sizes)), set(sizes(args.baseline_sizes))
    plan = [("turtle", count) for count in sizes(args.sizes)]
    plan += [("sea-csv", count) for count in sizes(args.csv_sizes)]
    site = Site()
    server = serve(site)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    rows, failures = [], 0
    with tempfile.TemporaryDirectory(prefix="bench-harvest-") as scratch:
        for number, (kind, count) in enumerate(plan, 1):
            print(f"[{number}/{len(plan)}] {kind} {count:,} records: preparing…", flush=True)
            if kind == "turtle":
                dataset = turtle_dataset(args.cache, count)
            else:
                dataset = sea_csv_dataset(count)
            turtle = kind == "turtle"
            runs, failed_runs = measure_dataset(
                dataset,
                site,
                origin,
                Path(scratch),
                turtle and count in remote,
                turtle and count in baseline,
            )
            for store, cells in runs:
                rows.append(
                    "| " + " | ".join([dataset.label, dataset.megabytes, store, *cells]) + " |"
                )
                print(rows[-1], flush=True)
            failures += failed_runs
    server.shutdown()

    command = " ".join(["python benchmarks/harvest.py", *sys.argv[1:]])
    text = section(command, machine(), rows)
    print(text)
    if failures:
        raise SystemExit(f"{failures} run(s) failed (see above); {args.output} not updated")
    replace_section(text, MARKERS, args.output)


if __name__ == "__main__":
    main()
