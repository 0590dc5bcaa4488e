"""A safe, read-only SPARQL query service over the store: gate, executor, formats, description.

Three parts, no web framework:

* **The gate** (:func:`check_query`) parses a query with rdflib's SPARQL parser and refuses what a
  public endpoint must not run: any update (``LOAD`` included), ``SERVICE`` anywhere (nested in
  sub-queries or ``EXISTS``, or hidden behind ``\\u0053ERVICE`` escapes, which the parser decodes),
  and queries over the size cap. Every parser failure, ``RecursionError`` included, becomes a
  :class:`QuerySyntaxError` or :class:`QueryRefused` with a readable message (HTTP 400).
* **The executor** (:class:`SparqlExecutor`) runs checked queries on pyoxigraph in a small pool of
  warm child processes, and kills a child whose query (gate included) outruns the time limit:
  pyoxigraph releases the GIL and cannot be interrupted, so a thread could not be stopped.
  Results are capped at ``max_rows`` rows (or triples).
* **Formats** (:func:`choose_format`) pick the serialisation from ``Accept`` or from the extra
  ``format=``/``output=``/``results=`` parameters SPARQLWrapper sends; pyoxigraph's own serialisers
  write every format. :func:`service_description` describes the endpoint in RDF.

>>> from ssevalidate.sparql import check_query, QueryRefused
>>> check_query("SELECT * WHERE { ?s ?p ?o }").form
'SELECT'
>>> try:
...     check_query("SELECT * WHERE { SERVICE <http://evil.example/> { ?s ?p ?o } }")
... except QueryRefused as refusal:
...     print(refusal)
SERVICE is not allowed: this endpoint does not query other services

Running a query (``store`` is an :class:`ssevalidate.store.EmbeddedStore`)::

    executor = SparqlExecutor(store, timeout=30, max_rows=10_000)
    result = executor.execute("SELECT ?s WHERE { ?s a sse:Initiative }",
                              accept="application/sparql-results+json")
    result.media_type, result.body      # 'application/sparql-results+json', b'{"head":...'
    executor.close()

**The default graph is the union of all named graphs** (Oxigraph's ``--union-default-graph``), so
``SELECT * WHERE { ?s ?p ?o }`` sees the data, unless the request names its dataset
(``default-graph-uri``/``named-graph-uri``, which win) or the query has ``FROM``/``FROM NAMED``
clauses. ``FROM`` never dereferences anything: it selects named graphs of the store. The
project's usual prefixes (``sse:``, ``schema:``, ``skos:`` ... see
:data:`ssevalidate.namespaces.PREFIXES`) are predeclared; a query's own ``PREFIX`` wins.

**How workers see the data.** Oxigraph forbids opening a database read-only while another
process writes it, so workers never open the live store: an on-disk store is copied into a
RocksDB checkpoint (``Store.backup``: hard links, milliseconds) in a sibling directory, which the
workers open with ``Store.read_only``. An in-memory store cannot be shared between processes, so
it is dumped once as N-Quads and each worker loads that copy (fine for the test-sized stores that
live in memory). Before each query the executor compares a cheap fingerprint of the store (the
database's file names, sizes and times; for an in-memory store its quad count and graph names)
with the one of the current snapshot and takes a new snapshot when it changed. Limitation: an
in-memory change that keeps both the quad count and the graph names is only seen after
:meth:`SparqlExecutor.refresh`.

**Defence in depth.** Each worker tries to move itself into a new network namespace with no
interfaces (``unshare(CLONE_NEWNET)``, with a user namespace when not privileged), so even a
``SERVICE`` the gate missed could not reach the network; where the kernel forbids it the worker
runs normally and :attr:`SparqlExecutor.network_isolated` says so. Each worker's address space
is capped (``memory_limit``, 2 GiB by default), so a query sorting a huge cross product ends its
own worker instead of the machine's memory. Workers exit when the server process goes away and
ignore Ctrl-C (the server stops them).

**Known limits of the gate.** rdflib's parser recurses deeply: about 25 nested parentheses, or a
few thousand triple patterns in one group, exceed Python's recursion limit and are refused as
"nested too deeply" although they are valid SPARQL. It also accepts a few invalid queries
(a variable bound twice by ``BIND``, an ungrouped variable beside an aggregate); pyoxigraph's
stricter parser then refuses them, still as a :class:`QuerySyntaxError`.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import os
import queue
import re
import resource
import shutil
import signal
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ssevalidate.mediatypes import negotiate, quality
from ssevalidate.namespaces import PREFIXES

log = logging.getLogger("ssevalidate.sparql")

# ---------------------------------------------------------------------------------------- errors


class SparqlError(Exception):
    """Base of every refusal or failure; ``status`` is the HTTP status that fits it."""

    status = 500


class QueryRefused(SparqlError):
    """The query is well-formed but not allowed here (update, ``SERVICE``, nesting depth ...)."""

    status = 400


class QuerySyntaxError(SparqlError):
    """The query does not parse."""

    status = 400


class QueryTooLarge(QueryRefused):
    """The query text is over the size cap."""

    status = 413


class NotAcceptable(SparqlError):
    """No result format the client accepts fits this kind of query."""

    status = 406


class QueryTimeout(SparqlError):
    """The query ran out of time; its worker was killed."""

    status = 504


class EndpointBusy(SparqlError):
    """Every worker is busy; retry after ``retry_after`` seconds."""

    status = 503
    retry_after = 5


class QueryFailed(SparqlError):
    """The engine failed on an accepted query, or the worker died running it."""

    status = 500


_ERRORS: dict[str, type[SparqlError]] = {
    cls.__name__: cls
    for cls in (QueryRefused, QuerySyntaxError, QueryTooLarge, NotAcceptable, QueryFailed)
}

# ------------------------------------------------------------------------------------------ gate

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

_FORM_OF = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

# The first keyword of every SPARQL Update operation; used to name an update the parser could not
# even read ("CLEAR XYZ") as an update rather than as a syntax error.
_UPDATE_START = re.compile(
    r"^\s*(?:(?:BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)

# Lexical second check for SERVICE: strings, IRIs and comments removed, then the bare keyword.
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_SERVICE_KEYWORD = re.compile(r"(?<![\w?$:.\-])SERVICE(?![\w:\-])", re.IGNORECASE)
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the gate.

    ``form`` is ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; ``has_dataset`` tells whether
    the query names its own dataset with ``FROM``/``FROM NAMED``.
    """

    text: str
    form: str
    has_dataset: bool


def _unescape(text: str) -> str:
    """SPARQL's ``\\uXXXX``/``\\UXXXXXXXX`` escapes, decoded before parsing as the grammar says."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _UNICODE_ESCAPE.sub(decode, text)


def _walk_names(node: Any, seen: set[int] | None = None) -> Iterable[str]:
    """Names of every rdflib ``CompValue`` in a parse tree or algebra, however deeply nested."""
    from rdflib.plugins.sparql.parserutils import CompValue

    seen = set() if seen is None else seen
    stack = [node]
    while stack:  # iterative: a deep algebra must not hit the recursion limit here
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, CompValue):
            yield item.name
            stack.extend(dict.values(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif (
            isinstance(item, (list, tuple, set, frozenset)) or type(item).__name__ == "ParseResults"
        ):
            stack.extend(item)


def check_query(text: str, *, max_bytes: int | None = 100_000) -> CheckedQuery:
    """Parse ``text`` as a SPARQL 1.1 query and refuse anything this endpoint must not run.

    Raises :class:`QueryTooLarge` over ``max_bytes`` (UTF-8), :class:`QueryRefused` for updates,
    ``LOAD``, ``SERVICE`` and queries nested too deeply to check, :class:`QuerySyntaxError` when
    the text does not parse. Never anything else.

    >>> check_query("ASK {}").form
    'ASK'
    >>> try:
    ...     check_query("CLEAR ALL")
    ... except QueryRefused as refusal:
    ...     print(refusal)
    updates are not allowed: this endpoint is read-only (CLEAR)
    """
    if not isinstance(text, str):
        raise QuerySyntaxError("the query must be text")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if max_bytes is not None and size > max_bytes:
        raise QueryTooLarge(f"the query is {size} bytes; this endpoint accepts at most {max_bytes}")
    if not text.strip():
        raise QuerySyntaxError("the query is empty")
    try:
        return _check(text)
    except SparqlError:
        raise
    except RecursionError:
        raise QueryRefused(
            "the query is nested too deeply for the query checker "
            "(too many nested parentheses, brackets or groups)"
        ) from None
    except MemoryError:
        raise QueryRefused("the query is too complex for the query checker") from None
    except Exception as error:  # the parser raises many kinds; all are the query's fault
        raise QuerySyntaxError(f"syntax error: {_clean(error)}") from None


def _check(text: str) -> CheckedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import algebra, parser

    try:
        parsed = parser.parseQuery(text)
    except ParseException as error:
        failure: ParseException | None = error
    else:
        failure = None
    if failure is not None:  # outside the handler, so no chained traceback
        _refuse_if_update(text)
        raise QuerySyntaxError(f"syntax error: {_clean(failure)}")
    query = algebra.translateQuery(parsed, initNs=PREFIXES)
    names = set(_walk_names(parsed)) | set(_walk_names(query.algebra))
    if "ServiceGraphPattern" in names or _SERVICE_KEYWORD.search(
        _LEXEMES.sub(" ", _unescape(text))
    ):
        raise QueryRefused("SERVICE is not allowed: this endpoint does not query other services")
    form = _FORM_OF.get(query.algebra.name)
    if form is None:
        raise QueryRefused(f"unsupported query form {query.algebra.name}")
    return CheckedQuery(
        text=text, form=form, has_dataset=bool(dict.get(parsed[1], "datasetClause"))
    )


def _refuse_if_update(text: str) -> None:
    """Name an update as such, whether or not it parses as one (``LOAD`` gets its own words)."""
    from rdflib.plugins.sparql import parser

    keyword = None
    with contextlib.suppress(Exception):
        update = parser.parseUpdate(text)
        requests = dict.get(update, "request") or []
        keyword = requests[0].name.upper() if requests else "update"
    if keyword is None:
        match = _UPDATE_START.match(_LEXEMES.sub(" ", _unescape(text)))
        keyword = match.group(1).upper() if match else None
    if keyword is None:
        return
    keyword = {"INSERTDATA": "INSERT DATA", "DELETEDATA": "DELETE DATA"}.get(keyword, keyword)
    keyword = {"DELETEWHERE": "DELETE WHERE", "MODIFY": "DELETE/INSERT"}.get(keyword, keyword)
    if keyword == "LOAD":
        raise QueryRefused(
            "LOAD is not allowed: updates are not allowed, this endpoint is read-only "
            "and never fetches data"
        )
    raise QueryRefused(f"updates are not allowed: this endpoint is read-only ({keyword})")


def _clean(error: BaseException) -> str:
    message = " ".join(str(error).split()) or type(error).__name__
    return message if len(message) <= 300 else message[:297] + "..."


# --------------------------------------------------------------------------------------- formats


@dataclass(frozen=True)
class ResultFormat:
    """One serialisation: ``key`` (``json``, ``turtle`` ...), the ``media_type`` sent back, the
    media types it answers to (``aliases``, first = canonical) and the pyoxigraph format."""

    key: str
    media_type: str
    aliases: tuple[str, ...]
    format: Any
    iri: str

    @property
    def is_graph(self) -> bool:
        return isinstance(self.format, ox.RdfFormat)


_F = "http://www.w3.org/ns/formats/"
RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "json",
        "application/sparql-results+json",
        ("application/sparql-results+json", "application/json"),
        ox.QueryResultsFormat.JSON,
        _F + "SPARQL_Results_JSON",
    ),
    ResultFormat(
        "xml",
        "application/sparql-results+xml",
        ("application/sparql-results+xml", "application/xml"),
        ox.QueryResultsFormat.XML,
        _F + "SPARQL_Results_XML",
    ),
    ResultFormat(
        "csv",
        "text/csv; charset=utf-8",
        ("text/csv",),
        ox.QueryResultsFormat.CSV,
        _F + "SPARQL_Results_CSV",
    ),
    ResultFormat(
        "tsv",
        "text/tab-separated-values; charset=utf-8",
        ("text/tab-separated-values",),
        ox.QueryResultsFormat.TSV,
        _F + "SPARQL_Results_TSV",
    ),
)
"""Formats for SELECT and ASK results, in order of preference (JSON first)."""

GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat(
        "turtle",
        "text/turtle; charset=utf-8",
        ("text/turtle", "application/x-turtle", "application/turtle"),
        ox.RdfFormat.TURTLE,
        _F + "Turtle",
    ),
    ResultFormat(
        "ntriples",
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        ox.RdfFormat.N_TRIPLES,
        _F + "N-Triples",
    ),
    ResultFormat(
        "jsonld",
        "application/ld+json",
        ("application/ld+json", "application/json", "application/x-json+ld"),
        ox.RdfFormat.JSON_LD,
        _F + "JSON-LD",
    ),
    ResultFormat(
        "rdfxml",
        "application/rdf+xml",
        ("application/rdf+xml", "application/xml"),
        ox.RdfFormat.RDF_XML,
        _F + "RDF_XML",
    ),
    ResultFormat(
        "n3",
        "text/n3; charset=utf-8",
        ("text/n3", "text/rdf+n3", "application/n3"),
        ox.RdfFormat.N3,
        _F + "N3",
    ),
)
"""Formats for CONSTRUCT and DESCRIBE results and the Service Description (Turtle first)."""

# SPARQLWrapper's return-format names (``format=``/``output=``/``results=``), per result kind.
_KEYWORDS: dict[str, dict[str, str]] = {
    "json": {"results": "json", "graph": "jsonld"},
    "srj": {"results": "json"},
    "xml": {"results": "xml", "graph": "rdfxml"},
    "srx": {"results": "xml"},
    "csv": {"results": "csv"},
    "tsv": {"results": "tsv"},
    "turtle": {"graph": "turtle"},
    "ttl": {"graph": "turtle"},
    "n3": {"graph": "n3"},
    "nt": {"graph": "ntriples"},
    "ntriples": {"graph": "ntriples"},
    "n-triples": {"graph": "ntriples"},
    "rdf": {"graph": "rdfxml"},
    "rdf+xml": {"graph": "rdfxml"},
    "rdfxml": {"graph": "rdfxml"},
    "json-ld": {"graph": "jsonld"},
    "jsonld": {"graph": "jsonld"},
}


def formats_for(form: str) -> tuple[ResultFormat, ...]:
    """The formats a query form can be answered in."""
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS


def accept_q(accept: str | None, output: ResultFormat) -> float:
    """How much ``accept`` likes ``output`` (0 to 1; the most specific matching range counts).

    >>> accept_q("text/html,application/xml;q=0.9,*/*;q=0.8", GRAPH_FORMATS[0])
    0.8
    """
    return quality(accept, output.aliases)


def choose_format(
    form: str, accept: str | None = None, overrides: Sequence[str] = ()
) -> ResultFormat:
    """The serialisation for a ``form`` query, from the extra parameters first, then ``Accept``.

    ``overrides`` are the values of ``format=``, ``output=`` and ``results=`` (SPARQLWrapper
    sends its return format in all three): a name such as ``json``, ``xml``, ``turtle`` or a
    media type. Names that do not fit the query form are ignored. With no ``Accept`` or
    ``*/*`` the first format of :func:`formats_for` wins (JSON results, Turtle graphs).

    >>> choose_format("SELECT", "text/csv").key
    'csv'
    >>> choose_format("CONSTRUCT", "*/*", overrides=["json-ld"]).media_type
    'application/ld+json'
    """
    candidates = formats_for(form)
    kind = "graph" if candidates is GRAPH_FORMATS else "results"
    for value in overrides:
        value = value.strip().lower()
        key = _KEYWORDS.get(value, {}).get(kind)
        if key is None and "/" in value:
            media = value.split(";")[0].strip()
            key = next((c.key for c in candidates if media in c.aliases), None)
        if key is not None:
            return next(c for c in candidates if c.key == key)
    if not accept or not accept.strip():
        return candidates[0]
    chosen = negotiate(accept, candidates, lambda candidate: candidate.aliases)
    if chosen is None:
        offered = ", ".join(c.aliases[0] for c in candidates)
        raise NotAcceptable(
            f"none of the requested media types ({accept}) fits a {form} query; offered: {offered}"
        )
    return chosen


# ------------------------------------------------------------------------------- in-process run


@dataclass(frozen=True)
class QueryResult:
    """A serialised answer: ``body`` in ``media_type``; ``count`` rows or triples (``None`` for
    ASK); ``truncated`` when the row cap cut the answer."""

    body: bytes
    media_type: str
    form: str
    count: int | None
    truncated: bool


class _RowCapWriter:
    """A binary sink that keeps the first ``lines`` lines and then stops the serialiser.

    pyoxigraph serialises a whole result iterator; raising from ``write`` is the one way to make
    it stop early. TSV writes one solution per line (newlines in literals are escaped).
    """

    def __init__(self, lines: int) -> None:
        self.limit = lines
        self.buffer = bytearray()
        self.newlines = 0
        self.stopped = False

    def write(self, data: bytes) -> int:
        if self.stopped:  # pyoxigraph retries its buffered bytes once after an error
            raise _Stop
        self.buffer += data
        self.newlines += data.count(b"\n")
        if self.newlines > self.limit:
            self.stopped = True
            raise _Stop
        return len(data)

    def flush(self) -> None:
        return None

    def lines(self) -> bytes:
        """The first ``limit`` complete lines."""
        data, end = bytes(self.buffer), 0
        for _ in range(self.limit):
            newline = data.find(b"\n", end)
            if newline < 0:
                break
            end = newline + 1
        return data[:end]


class _Stop(Exception):
    pass


def run_checked(
    store: ox.Store,
    checked: CheckedQuery,
    output: ResultFormat,
    *,
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
    max_rows: int = 10_000,
    base_iri: str | None = None,
) -> QueryResult:
    """Run a gated query in this process, with no time limit, and serialise the answer.

    The executor's workers call this; call it directly only where a runaway query is acceptable.
    ``default_graphs``/``named_graphs`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri``; when both are ``None`` the query's own ``FROM`` clauses apply, or,
    without them, the union of all graphs.
    """
    options: dict[str, Any] = {"prefixes": PREFIXES, "base_iri": base_iri}
    if default_graphs is not None or named_graphs is not None:
        try:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        except ValueError as error:
            raise QueryRefused(f"invalid graph IRI in the dataset: {_clean(error)}") from None
    elif not checked.has_dataset:
        options["use_default_graph_as_union"] = True
    try:
        answer = store.query(checked.text, **options)
        if isinstance(answer, ox.QueryBoolean):
            body = answer.serialize(format=output.format)
            return QueryResult(body, output.media_type, checked.form, None, False)
        if isinstance(answer, ox.QuerySolutions):
            return _solutions(answer, output, checked.form, max_rows)
        triples = list(itertools.islice(answer, max_rows + 1))
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        body = ox.serialize(
            triples, format=output.format, prefixes=_graph_prefixes(output, triples)
        )
        return QueryResult(body, output.media_type, checked.form, len(triples), truncated)
    except SyntaxError as error:  # pyoxigraph is stricter than rdflib on a few points
        raise QuerySyntaxError(f"syntax error: {_clean(error)}") from None
    except SparqlError:
        raise
    except Exception as error:
        raise QueryFailed(f"the query failed: {_clean(error)}") from None


def _graph_prefixes(output: ResultFormat, triples: Sequence[ox.Triple]) -> dict[str, str] | None:
    """The project prefixes the triples use: they make Turtle and RDF/XML readable."""
    if output.key not in ("turtle", "rdfxml", "n3"):
        return None
    iris = {
        term.value
        for triple in triples
        for term in (triple.subject, triple.predicate, triple.object)
        if isinstance(term, ox.NamedNode)
    }
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)}


def _solutions(
    answer: ox.QuerySolutions, output: ResultFormat, form: str, max_rows: int
) -> QueryResult:
    # pyoxigraph cannot serialise part of a result, so the solutions are written as TSV (one
    # line each) until the cap, parsed back by pyoxigraph and written in the asked format.
    sink = _RowCapWriter(max_rows + 1)
    try:
        answer.serialize(sink, ox.QueryResultsFormat.TSV)
    except Exception:
        if not sink.stopped:
            raise
    tsv = sink.lines()
    count = max(tsv.count(b"\n") - 1, 0)
    if output.key == "tsv" and not sink.stopped:
        body = bytes(sink.buffer)
    else:
        capped = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
        body = capped.serialize(format=output.format)
    return QueryResult(body, output.media_type, form, count, sink.stopped)


# --------------------------------------------------------------------------------------- workers


def _isolate_network() -> bool:
    """Move this (single-threaded, just started) process into an empty network namespace."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    if libc.unshare(clone_newnet) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(clone_newuser | clone_newnet) != 0:
        return False
    # Map our own ids so files keep their owner (else everything would belong to "nobody").
    with contextlib.suppress(OSError):
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    return True


def _die_with_parent() -> None:
    """Exit as soon as the parent is gone, even in the middle of a query.

    ``PR_SET_PDEATHSIG`` would fire when the parent *thread* that started us ends, and workers
    are started from short-lived threads; so a watchdog thread polls the parent id instead.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _open_snapshot(ref: tuple[str, str]) -> ox.Store:
    kind, location = ref
    if kind == "disk":
        return ox.Store.read_only(location)
    store = ox.Store()
    store.load(path=location, format=ox.RdfFormat.N_QUADS)
    return store


def _worker_main(conn: Any, isolate: bool, memory_limit: int | None = None) -> None:
    """Body of a worker process: answer jobs from ``conn`` until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolated = _isolate_network() if isolate else False  # first: unshare needs a single thread
    _die_with_parent()
    with contextlib.suppress(SparqlError):  # warm the parser: its first use costs ~100 ms
        check_query("PREFIX x: <http://x/> SELECT ?a WHERE { ?a x:b ?c FILTER(?c > 1) } LIMIT 1")
    if memory_limit:
        # A query that sorts or groups a huge intermediate result would otherwise take the
        # machine's memory before the time limit; over the cap the engine aborts this process.
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, resource.RLIM_INFINITY))
    conn.send(("ready", isolated))
    store: ox.Store | None = None
    loaded: tuple[str, str] | None = None
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            checked = check_query(job["query"], max_bytes=job["max_bytes"])
            output = choose_format(checked.form, job["accept"], job["overrides"])
            if job["snapshot"] != loaded:
                store, loaded = None, None
                store, loaded = _open_snapshot(job["snapshot"]), job["snapshot"]
            assert store is not None
            result = run_checked(
                store,
                checked,
                output,
                default_graphs=job["default_graphs"],
                named_graphs=job["named_graphs"],
                max_rows=job["max_rows"],
                base_iri=job["base_iri"],
            )
            reply: tuple = ("ok", result)
        except SparqlError as error:
            reply = ("error", type(error).__name__, str(error))
        except Exception as error:
            reply = ("error", "QueryFailed", f"the query failed: {_clean(error)}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Snapshots:
    """Read-only copies of the store for the workers, renewed when the store changes."""

    def __init__(self, store: ox.Store, path: Path | None, keep_seconds: float) -> None:
        self.store = store
        self.path = path
        self.keep_seconds = keep_seconds
        where = None if path is None else path.resolve().parent  # same disk: backups hard-link
        stem = ".sparql-snapshots" if path is None else f".{path.name}.sparql-snapshots"
        if where is not None:
            _remove_stale(where, stem)
        self.directory = Path(tempfile.mkdtemp(prefix=f"{stem}-{os.getpid()}-", dir=where))
        self.lock = threading.Lock()
        self.generation = 0
        self.fingerprint: object = None
        self.current: tuple[str, str] | None = None
        self.retired: list[tuple[tuple[str, str], float]] = []

    def _fingerprint(self) -> object:
        if self.path is None:
            return (len(self.store), tuple(sorted(g.value for g in self.store.named_graphs())))
        entries = []
        for entry in os.scandir(self.path):
            if entry.name == "LOCK" or entry.name.startswith("LOG"):
                continue  # the lock and RocksDB's own diary change without any data change
            with contextlib.suppress(FileNotFoundError):
                info = entry.stat()
                entries.append((entry.name, info.st_size, info.st_mtime_ns))
        return tuple(sorted(entries))

    def get(self, force: bool = False) -> tuple[str, str]:
        with self.lock:
            fingerprint = self._fingerprint()
            if force or self.current is None or fingerprint != self.fingerprint:
                self.generation += 1
                target = self.directory / f"g{self.generation}"
                if self.path is None:
                    target = target.with_suffix(".nq")
                    self.store.dump(str(target), ox.RdfFormat.N_QUADS)
                    ref = ("nquads", str(target))
                else:
                    self.store.flush()
                    self.store.backup(str(target))
                    ref = ("disk", str(target))
                if self.current is not None:
                    self.retired.append((self.current, time.monotonic()))
                self.current, self.fingerprint = ref, fingerprint
            self._drop_retired()
            return self.current

    def _drop_retired(self) -> None:
        # A worker may still be reading a superseded copy until its query ends or is killed.
        now = time.monotonic()
        keep = []
        for ref, since in self.retired:
            if now - since > self.keep_seconds:
                _remove(ref[1])
            else:
                keep.append((ref, since))
        self.retired = keep

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _remove_stale(where: Path, stem: str) -> None:
    """Remove snapshot folders left by processes that died without cleaning up."""
    for folder in where.glob(f"{stem}-*-*"):
        try:
            pid = int(folder.name[len(stem) + 1 :].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError):
            continue


def _remove(location: str) -> None:
    if os.path.isdir(location):
        shutil.rmtree(location, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(location)


class _Worker:
    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class SparqlExecutor:
    """Runs gated queries in a pool of warm worker processes with a hard time limit.

    ``store`` is an :class:`ssevalidate.store.EmbeddedStore` (or anything with ``.oxigraph`` and
    ``.path``) or a bare ``pyoxigraph.Store`` (then ``path`` says where it lives, ``None`` for
    memory). ``timeout`` covers checking, evaluating and serialising; a worker over it is killed
    and replaced and the call raises :class:`QueryTimeout`. Each worker's address space is
    capped at ``memory_limit`` bytes (``None``: no cap); a query over it ends its worker and the
    call raises :class:`QueryFailed` saying so. When all ``workers`` are busy a call
    waits up to ``queue_timeout`` seconds, then raises :class:`EndpointBusy`.

    The pool starts at construction; :meth:`close` stops it (workers also die with the parent).
    """

    def __init__(
        self,
        store: Any,
        *,
        path: str | Path | None = None,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        max_bytes: int = 100_000,
        workers: int = 2,
        queue_timeout: float = 10.0,
        isolate_network: bool = True,
        memory_limit: int | None = 2 * 1024**3,
        start_method: str = "spawn",
    ) -> None:
        oxstore = getattr(store, "oxigraph", store)
        path = getattr(store, "path", path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.size = max(1, workers)
        self.queue_timeout = queue_timeout
        self.isolate = isolate_network
        self.memory_limit = memory_limit
        self.network_isolated: bool | None = None
        """Whether the workers run without network access (``None`` until one has started)."""
        self._context = multiprocessing.get_context(start_method)
        self._snapshots = _Snapshots(oxstore, None if path is None else Path(path), timeout + 30)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._finalizer = weakref.finalize(
            self, SparqlExecutor._shutdown, self._all, self._snapshots
        )
        for _ in range(self.size):
            self._spawn_async()

    # -- pool

    def _spawn_async(self) -> None:
        threading.Thread(target=self._spawn, name="sparql-worker-start", daemon=True).start()

    def _spawn(self) -> None:
        if self._closed:
            return
        parent, child = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_worker_main,
            args=(child, self.isolate, self.memory_limit),
            name="sparql-worker",
            daemon=True,
        )
        try:
            process.start()
        except Exception:
            log.exception("could not start a SPARQL worker")
            return
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        try:
            if not parent.poll(120):
                raise TimeoutError("worker did not start within 120 s")
            message = parent.recv()
            self.network_isolated = bool(message[1])
        except Exception:
            if not self._closed:  # a worker killed by close() while starting is no news
                log.exception("a SPARQL worker failed to start")
            self._discard(worker)
            return
        if self._closed:
            self._discard(worker)
            return
        self._idle.put(worker)

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        self._spawn_async()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until every worker has started and is idle; ``False`` if ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (for monitoring and tests)."""
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid is not None]

    # -- queries

    def refresh(self) -> None:
        """Take a new snapshot of the store now (changes are otherwise noticed by fingerprint)."""
        self._snapshots.get(force=True)

    def execute(
        self,
        query: str,
        *,
        accept: str | None = None,
        overrides: Sequence[str] = (),
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Check and run ``query``; return the serialised answer or raise a :class:`SparqlError`.

        ``accept`` and ``overrides`` choose the format (see :func:`choose_format`);
        ``default_graphs``/``named_graphs`` are the protocol dataset; ``base_iri`` resolves
        relative IRIs in the query (the endpoint's URL is a good choice).
        """
        if self._closed:
            raise EndpointBusy("the SPARQL service is shutting down")
        size = len(query.encode("utf-8", errors="surrogatepass"))
        if size > self.max_bytes:  # refused before it costs a worker
            raise QueryTooLarge(
                f"the query is {size} bytes; this endpoint accepts at most {self.max_bytes}"
            )
        job = {
            "query": query,
            "accept": accept,
            "overrides": list(overrides),
            "default_graphs": None if default_graphs is None else list(default_graphs),
            "named_graphs": None if named_graphs is None else list(named_graphs),
            "base_iri": base_iri,
            "max_rows": self.max_rows,
            "max_bytes": self.max_bytes,
            "snapshot": self._snapshots.get(),
        }
        try:
            worker = self._idle.get(timeout=self.queue_timeout)
        except queue.Empty:
            raise EndpointBusy(
                f"all {self.size} query workers are busy; retry in a few seconds"
            ) from None
        started = time.monotonic()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                raise QueryTimeout(
                    f"the query did not finish within {self.timeout:g} s and was stopped; "
                    "add LIMIT, narrow the patterns, or avoid unbounded property paths"
                )
            reply = worker.conn.recv()
        except SparqlError:
            raise
        except Exception:
            with contextlib.suppress(Exception):
                worker.process.join(2)  # let it finish dying, to learn how it died
            exitcode = worker.process.exitcode
            self._replace(worker)
            if exitcode in (-signal.SIGABRT, 134) and self.memory_limit:
                raise QueryFailed(
                    f"the query needed more than {self.memory_limit // 1024**2} MiB of memory "
                    "and was stopped; add LIMIT, narrow the patterns, or avoid sorting or "
                    "grouping very large intermediate results"
                ) from None
            raise QueryFailed("the query stopped its worker unexpectedly") from None
        self._idle.put(worker)
        log.debug("query answered in %.1f ms", (time.monotonic() - started) * 1000)
        if reply[0] == "ok":
            return reply[1]
        raise _ERRORS.get(reply[1], QueryFailed)(reply[2])

    def close(self) -> None:
        """Stop every worker and remove the snapshots."""
        self._closed = True
        self._finalizer()

    @staticmethod
    def _shutdown(workers: set[_Worker], snapshots: _Snapshots) -> None:
        for worker in list(workers):
            worker.kill()
        workers.clear()
        snapshots.close()

    def __enter__(self) -> SparqlExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- service description

SD = "http://www.w3.org/ns/sparql-service-description#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
_DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")


def service_description(
    endpoint: str,
    *,
    graphs: Iterable[str] = (),
    output: ResultFormat | None = None,
    timeout: float | None = None,
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> bytes:
    """The SPARQL 1.1 Service Description of this endpoint, serialised as ``output`` (Turtle).

    It names the endpoint, the language (SPARQL 1.1 Query only: read-only), every result format,
    the ``sd:UnionDefaultGraph`` feature and the named graphs of the default dataset; the limits
    are stated in a comment.

    >>> b"sd:UnionDefaultGraph" in service_description("http://localhost/sparql")
    True
    """
    output = output or GRAPH_FORMATS[0]

    def sd(local: str) -> ox.NamedNode:
        return ox.NamedNode(SD + local)

    service, dataset, default = (
        ox.BlankNode("service"),
        ox.BlankNode("dataset"),
        ox.BlankNode("default"),
    )
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(
            service, _DCTERMS_TITLE, ox.Literal("ssevalidate SPARQL endpoint", language="en")
        ),
    ]
    seen = set()
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        if fmt.iri not in seen:
            seen.add(fmt.iri)
            triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(fmt.iri)))
    limits = ["Read-only: updates, LOAD and SERVICE are refused."]
    limits.append(
        "The default graph is the union of all named graphs unless the request gives "
        "default-graph-uri or named-graph-uri, or the query has FROM or FROM NAMED."
    )
    if timeout is not None:
        limits.append(f"Queries are stopped after {timeout:g} seconds.")
    if max_rows is not None:
        limits.append(f"Answers are cut at {max_rows} rows or triples.")
    if max_bytes is not None:
        limits.append(f"Queries may be at most {max_bytes} bytes.")
    triples.append(ox.Triple(service, _RDFS_COMMENT, ox.Literal(" ".join(limits), language="en")))
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
    ]
    for index, name in enumerate(sorted(graphs)):
        node = ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, _RDF_TYPE, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(name)),
        ]
    prefixes = {"sd": SD, "dcterms": "http://purl.org/dc/terms/", "rdfs": PREFIXES["rdfs"]}
    use = prefixes if output.key in ("turtle", "rdfxml", "n3") else None
    return ox.serialize(triples, format=output.format, prefixes=use)
