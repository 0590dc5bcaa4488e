"""The ``ssevalidate`` command. Every command calls the library; nothing is decided here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from pathlib import Path

from rdflib import Graph
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ssevalidate.engines import DEFAULT_ENGINE, ENGINES
from ssevalidate.harvest import ConfigError, harvest, load_config
from ssevalidate.i18n import supported
from ssevalidate.importers import EXPORTERS, IMPORTERS, convert, export
from ssevalidate.importers.conversion import Conversion, Tally, summary
from ssevalidate.importers.streaming import (
    stream_export,
    streamed_dialect,
    write_ntriples,
    write_turtle,
)
from ssevalidate.namespaces import LANGUAGES, PREFIXES
from ssevalidate.parsegate import FORMATS, InputError
from ssevalidate.profiles import PROFILES, profiles
from ssevalidate.render import OUTPUTS, render
from ssevalidate.render.text import report_renderable
from ssevalidate.store import open_store
from ssevalidate.validation import validate

EXAMPLES = """\
examples:
  ssevalidate validate examples/directory.ttl
  ssevalidate validate examples/mistakes.ttl --lang fr
  ssevalidate validate export.jsonld --profile full --output json > report.json
  ssevalidate validate part1.ttl part2.ttl --output csv > problems.csv
  ssevalidate validate legacy.rdf --profile essglobal --fail-on warning
  ssevalidate validate world.ttl --workers 8                 # a large file, on 8 cores
  ssevalidate validate world.ttl --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
  ssevalidate validate export.ttl --engine pyshacl           # the reference engine
  ssevalidate profiles

exit status: 0 conforms, 1 does not conform, 2 unreadable input or wrong usage
"""

RDF_OUTPUTS = {"turtle": "turtle", "nt": "nt11", "jsonld": "json-ld"}
"""``convert --to`` RDF syntaxes, and rdflib's name for each."""
PROGRESS_THRESHOLD = 1 << 20
"""Inputs larger than this (bytes, all files together) get a progress bar on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ssevalidate",
        description="Validate solidarity-economy directory data against the SSE vocabulary.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser(
        "validate",
        help="validate files and print a report",
        description="Validate one or more files (read together as one directory).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="files to validate")
    check.add_argument(
        "--profile", "-p", default="core", choices=list(PROFILES), help="default: core"
    )
    check.add_argument(
        "--format",
        "-f",
        help=f"input format ({', '.join([*FORMATS, *IMPORTERS, 'csv'])}); default: from the "
        "extension and the first bytes",
    )
    check.add_argument(
        "--output", "-o", default="text", choices=list(OUTPUTS), help="default: text"
    )
    check.add_argument(
        "--lang", "-l", default="en", choices=list(LANGUAGES), help="report language"
    )
    check.add_argument(
        "--fail-on",
        default="violation",
        choices=["violation", "warning"],
        help="exit 1 on violations only (default), or on warnings too",
    )
    check.add_argument(
        "--engine",
        default=DEFAULT_ENGINE,
        choices=list(ENGINES),
        help=f"validation engine (default: {DEFAULT_ENGINE}; pyshacl is the reference)",
    )
    check.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes for large files (fast engine; default: every core)",
    )
    check.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run the parts of large files on this Dask cluster (fast engine; every worker "
        "must read the files at the same paths, see docs/scaling.md)",
    )

    serve = commands.add_parser(
        "serve",
        help="start the HTTP service (validation API and pages, vocabulary, SPARQL)",
        description="Start the HTTP service with the embedded store. At first start the store "
        "is loaded with the vocabulary, the taxonomies, the shapes and the example directory.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve.add_argument("--port", type=int, default=8000, help="default: 8000")
    serve.add_argument("--store", default="var/store", help="store folder (default: var/store)")
    serve.add_argument(
        "--base-url", help="public base URL of the service (default: http://HOST:PORT)"
    )
    serve.add_argument(
        "--query-timeout",
        type=float,
        default=30.0,
        help="SPARQL time limit in seconds (default 30)",
    )
    serve.add_argument(
        "--fetch-allow",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="let URL validation fetch from this private address or network (repeatable); "
        "private, loopback and link-local addresses are refused otherwise",
    )

    conversion = commands.add_parser(
        "convert",
        help="turn a directory export into SSE data",
        description="Convert a directory export into SSE data. Problems (values no taxonomy "
        "knows, columns outside the standard) go to stderr with their row and column.",
    )
    conversion.add_argument("paths", nargs="+", metavar="PATH", help="files to convert")
    conversion.add_argument(
        "--from",
        dest="source_format",
        choices=[*IMPORTERS, "csv", "rdf"],
        help="default: told from the file (csv: any spreadsheet dialect, by its header)",
    )
    conversion.add_argument(
        "--to",
        default="turtle",
        choices=[*RDF_OUTPUTS, *EXPORTERS],
        help="default: turtle",
    )
    conversion.add_argument("--output", "-o", help="file to write (default: standard output)")
    conversion.add_argument(
        "--base", help="IRI prefix of the records (default: the file's URI and #)"
    )

    gathering = commands.add_parser(
        "harvest",
        help="pull the directories of a sources file into the store",
        description="Harvest each source of a TOML sources file: fetch (conditionally), "
        "convert, validate record by record, keep the records that conform and quarantine "
        "the others, then swap the source's graph in one step. A failure leaves the previous "
        "graph in use. Exit status 1 when a source failed.",
    )
    gathering.add_argument(
        "--config", "-c", default="sources.toml", help="sources file (default: sources.toml)"
    )
    gathering.add_argument("--source", "-s", metavar="ID", help="harvest only this source")
    gathering.add_argument("--store", default="var/store", help="store folder (default: var/store)")
    gathering.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="let the fetcher reach this private address or network (repeatable)",
    )
    listing = commands.add_parser("profiles", help="list the profiles and what each checks")
    listing.add_argument("--lang", "-l", default="en", choices=list(LANGUAGES))
    listing.add_argument("--verbose", "-v", action="store_true", help="list every check")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ssevalidate`` console script."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "profiles":
            return _profiles(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "convert":
            return _convert(args)
        if args.command == "harvest":
            return _harvest(args)
        return _validate(args)
    except (InputError, ConfigError) as error:
        print(f"ssevalidate: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


class _ProgressBar:
    """A progress bar on stderr for inputs of ``total`` bytes, when they are large
    (:data:`PROGRESS_THRESHOLD`) and stderr is a terminal; else nothing. Called as the
    ``progress(stage, done, size)`` the library takes: ``read`` (bytes of each file in turn),
    then ``records`` or ``validate``."""

    def __init__(self, total: int, description: str) -> None:
        self.total = total
        self.finished = 0
        self.bar = None
        if total >= PROGRESS_THRESHOLD and sys.stderr.isatty():
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task(description, total=total, count="")

    def __enter__(self) -> _ProgressBar:
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exception) -> None:
        if self.bar:
            self.bar.__exit__(*exception)

    def __call__(self, stage: str, done: int, size: int) -> None:
        bar = self.bar
        if bar is None:
            return
        if stage == "read":
            bar.update(self.task, completed=self.finished + done)
            if done >= size:
                self.finished += size
        elif stage == "records":
            count = f"{done:,} records"
            bar.update(self.task, description="validating", completed=done, total=size, count=count)
        else:
            bar.update(self.task, description="validating", completed=self.total)


def _input_size(paths: Sequence[str]) -> int:
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p))


def _validate(args: argparse.Namespace) -> int:
    with _ProgressBar(_input_size(args.paths), "reading") as progress:
        for path in args.paths:
            if not os.path.isfile(path):
                raise InputError("no such file", name=path)
        report = validate(
            args.paths,
            args.profile,
            format=args.format,
            lang=supported(args.lang),
            engine=args.engine,
            progress=progress,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    if args.output == "text":
        console = Console(highlight=False, soft_wrap=True, emoji=False)
        console.print(report_renderable(report, " ".join(args.paths)))
    else:
        sys.stdout.write(render(report, args.output))
    failed = not report.conforms or (args.fail_on == "warning" and report.warnings > 0)
    return 1 if failed else 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    settings = Settings(
        host=args.host,
        port=args.port,
        store_path=Path(args.store),
        base_url=(args.base_url or f"http://{args.host}:{args.port}").rstrip("/"),
        query_timeout=args.query_timeout,
        fetch_allow=tuple(args.fetch_allow),
    )
    # One JSON line per request (the service's own log replaces uvicorn's access log).
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    requests_log = logging.getLogger("ssevalidate.service")
    requests_log.addHandler(handler)
    requests_log.setLevel(logging.INFO)
    uvicorn.run(
        create_app(settings), host=args.host, port=args.port, log_level="info", access_log=False
    )
    return 0


def _convert(args: argparse.Namespace) -> int:
    total = _input_size(args.paths)
    if total >= PROGRESS_THRESHOLD and args.to in ("nt", "turtle"):
        return _convert_streamed(args, total)
    graph = Graph()
    for path in args.paths:
        data = _read(path)
        conversion = convert(data, name=path, dialect=args.source_format, base=args.base)
        graph += conversion.graph
        for problem in conversion.problems:
            print(problem, file=sys.stderr)
        print(f"{path}: {summary(conversion)}", file=sys.stderr)
    if args.to in EXPORTERS:
        written = export(graph, args.to)
    else:
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        written = graph.serialize(format=RDF_OUTPUTS[args.to], encoding="utf-8")
    if args.output:
        Path(args.output).write_bytes(written)
    else:
        sys.stdout.buffer.write(written)
        sys.stdout.flush()
    return 0


def _convert_streamed(args: argparse.Namespace, total: int) -> int:
    """Large inputs to N-Triples or Turtle, written chunk by chunk: a spreadsheet is read a few
    thousand rows at a time (:mod:`ssevalidate.importers.streaming`), never whole. The output
    file appears complete or not at all."""
    target = Path(args.output) if args.output else None
    partial = target.with_name(target.name + ".part") if target else None
    declared: set[str] = set()
    try:
        with (
            _ProgressBar(total, "converting") as progress,
            open(partial, "wb") if partial else nullcontext(sys.stdout.buffer) as out,
        ):
            for path in args.paths:
                tally = None
                for chunk in _chunks(path, args, progress):
                    if args.to == "nt":
                        write_ntriples(chunk, out)
                    else:
                        write_turtle(chunk, out, declared)
                    for problem in chunk.problems:
                        print(problem, file=sys.stderr)
                    tally = tally or Tally(chunk.dialect)
                    tally.add(chunk)
                print(f"{path}: {summary(tally)}", file=sys.stderr)
    except BaseException:
        if partial:
            partial.unlink(missing_ok=True)
        raise
    if partial:
        partial.replace(target)
    else:
        sys.stdout.flush()
    return 0


def _chunks(path: str, args: argparse.Namespace, progress: _ProgressBar) -> Iterator[Conversion]:
    """The conversions of one input: chunks of rows (or features) for a spreadsheet (or a
    GeoJSON collection), else one."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(1 << 16)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=path) from None
    if streamed_dialect(head, path, args.source_format, os.path.getsize(path)):
        yield from stream_export(
            path, dialect=args.source_format, base=args.base, progress=progress
        )
        return
    data = _read(path)
    yield convert(data, name=path, dialect=args.source_format, base=args.base)
    progress("read", len(data), len(data))


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=path) from None


def _harvest(args: argparse.Namespace) -> int:
    console = Console(stderr=True, highlight=False)
    config = load_config(args.config)
    store = open_store(args.store)
    with console.status("harvesting") as status:

        def progress(source: str, stage: str) -> None:
            status.update(f"{source}: {stage}")

        results = harvest(config, store, source_id=args.source, allow=args.allow, progress=progress)
    for result in results:
        line = f"{result.source}: {result.outcome}"
        if result.outcome == "harvested":
            changes = result.changes
            line += (
                f", {result.records_read} read, {result.accepted} accepted, "
                f"{result.rejected} quarantined ({len(changes.created)} new, "
                f"{len(changes.updated)} updated, {len(changes.deleted)} gone)"
            )
        if result.error:
            line += f": {result.error}"
        console.print(line)
    return 1 if any(r.outcome == "failed" for r in results) else 0


def _profiles(args: argparse.Namespace) -> int:
    console = Console(highlight=False, soft_wrap=True)
    for profile in profiles():
        console.print(f"[bold]{profile.name}[/bold] — {profile.title(args.lang)}")
        console.print(f"  {profile.description(args.lang)}")
        checks = profile.checks(args.lang)
        console.print(f"  [dim]{len(checks)} checks[/dim]")
        if args.verbose:
            for _iri, name, severity in checks:
                console.print(f"    {severity:<9} {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
