"""Long spreadsheets (an SEA CSV, the SSE template, a Co-operatives UK export of a gigabyte)
converted as a stream: the file is read from its path a row at a time and turned into one
:class:`~ssevalidate.importers.conversion.Conversion` per chunk of rows, each with its own
graph, origins, counts and problems, so that memory follows the chunk, not the file. The rows
are read and converted by the same code as :func:`ssevalidate.importers.convert` (the
importer's :class:`~ssevalidate.importers.conversion.TableReader`), with the same errors, at
the same row and column; the chunks together hold the same statements. A GeoJSON
FeatureCollection, a list of Murmurations profiles and a large ESSGlobal file go the same way a
chunk of features, profiles or initiatives at a time (:func:`stream_export`), an RDF dump a
chunk of subjects at a time (:func:`stream_rdf`); gzip-compressed files are expanded as they
are read.

>>> from ssevalidate.importers.streaming import RecordRows, stream_table, write_ntriples
>>> with open("export.nt", "wb") as out:                              # doctest: +SKIP
...     for chunk in stream_table("export.csv", progress=print):
...         write_ntriples(chunk, out)
read 1572864 314572800
...
>>> origins = RecordRows()                                            # doctest: +SKIP
>>> for chunk in stream_table("export.csv"):                          # doctest: +SKIP
...     origins.add(chunk)
>>> origins.origin_of("file:///…/export.csv#17", SCHEMA.name)         # doctest: +SKIP
{'file': 'export.csv', 'row': 2, 'column': 'Name'}
"""

from __future__ import annotations

import contextlib
import gzip
import importlib
import io
import itertools
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import RDF, BNode, URIRef
from rdflib.plugins.serializers.nt import _nt_row

from ssevalidate.gcpause import each_item_paused
from ssevalidate.importers import (
    DECOMPRESSED_LIMIT,
    GZIP_MAGIC,
    IMPORTERS,
    TABLES,
    dialect_of,
    essglobal,
    geojson,
    gunzip_head,
    importer_name,
    importer_of_file,
    murmurations,
)
from ssevalidate.importers.conversion import Conversion, field_origin
from ssevalidate.importers.reading import ExpansionError, csv_stream, file_iri
from ssevalidate.namespaces import ESSGLOBAL_VOCAB_BASES, PREFIXES, SSE
from ssevalidate.parsegate import InputError, Quads, detect_format
from ssevalidate.rdfconvert import to_rdflib
from ssevalidate.reconcile import Reconciler

CHUNK_ROWS = 5_000
"""Rows per chunk: a few megabytes of graph, and few enough chunks for a gigabyte."""
STREAM_THRESHOLD = 1 << 20
"""Tables larger than this (bytes) are streamed by ``ssevalidate validate``; smaller ones are
converted in memory, which costs less than writing a temporary file."""

Progress = Callable[[str, int, int], None]
"""``progress("read", bytes_read, file_size)``, as :func:`ssevalidate.validate` reports."""


STREAMED = (*TABLES, "geojson", "murmurations", "essglobal")
"""The dialects read as a stream: the spreadsheets, GeoJSON FeatureCollections, Murmurations
profile lists and index pages, and ESSGlobal RDF (from :data:`ESSGLOBAL_STREAMED`)."""
ESSGLOBAL_STREAMED = 64 << 20
"""ESSGlobal RDF is streamed from this size (bytes) only: a stream gives its records no line
(the file is parsed into a scratch database first), and below it memory is not at stake."""
_JSON_STREAMS = {"geojson": geojson.stream, "murmurations": murmurations.stream}


def streamed_dialect(
    head: bytes, name: str, hint: str | None = None, size: int | None = None
) -> str | None:
    """The dialect (one of :data:`STREAMED`) of the file whose first bytes are ``head``
    (gzip-compressed or not), when it can be streamed; None for anything else. ``hint`` is a
    format the user named; ``size`` the file's, when it decides (ESSGlobal RDF)."""
    hint = hint or importer_of_file(name)
    if hint and importer_name(hint) is None:
        return None
    dialect = dialect_of(head, name, hint)
    expanded = gunzip_head(head)
    if dialect is None and not hint and any(b.encode() in expanded for b in ESSGLOBAL_VOCAB_BASES):
        dialect = "essglobal"
    if dialect == "essglobal" and (
        (size is not None and size < ESSGLOBAL_STREAMED)
        or _rdf_format(expanded, name) not in RDF_STREAMED
    ):
        return None
    return dialect if dialect in STREAMED else None


def _rdf_format(head: bytes, name: str) -> str | None:
    try:
        return detect_format(head, name=name)
    except InputError:
        return None


@each_item_paused
def stream_export(
    path: str | os.PathLike,
    *,
    dialect: str | None = None,
    name: str | None = None,
    base: str | None = None,
    matcher: Reconciler | None = None,
    chunk_rows: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Conversion]:
    """The conversions of the export at ``path``, a chunk at a time: a spreadsheet
    (:func:`stream_table`), a GeoJSON FeatureCollection
    (:func:`ssevalidate.importers.geojson.stream`: one conversion per ``chunk_rows``
    features), Murmurations profiles (:func:`ssevalidate.importers.murmurations.stream`,
    ``chunk_rows`` profiles) or ESSGlobal Turtle or N-Triples
    (:func:`ssevalidate.importers.essglobal.stream`, ``chunk_rows`` records). The arguments
    are :func:`stream_table`'s."""
    name = name or str(path)
    with open(path, "rb") as stream:
        chosen = streamed_dialect(stream.read(1 << 16), name, dialect)
    if chosen == "essglobal":
        with _scratch_store(path, name, None, base or file_iri(name)) as store:
            if progress:
                size = os.path.getsize(path)
                progress("read", size, size)
            yield from essglobal.stream(
                store, name=name, matcher=matcher, chunk=chunk_rows or CHUNK_ROWS
            )
            del store
        return
    if chosen not in _JSON_STREAMS:
        yield from stream_table(
            path,
            dialect=dialect,
            name=name,
            base=base,
            matcher=matcher,
            chunk_rows=chunk_rows,
            progress=progress,
        )
        return
    with _opened(path, name) as (stream, text, size):
        chunks = _JSON_STREAMS[chosen](
            text, name=name, base=base, matcher=matcher, chunk=chunk_rows or CHUNK_ROWS
        )
        for chunk in chunks:
            yield chunk
            if progress:
                progress("read", stream.tell(), size)


@each_item_paused
def stream_table(
    path: str | os.PathLike,
    *,
    dialect: str | None = None,
    name: str | None = None,
    base: str | None = None,
    matcher: Reconciler | None = None,
    chunk_rows: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Conversion]:
    """The conversions of the table at ``path``, one per ``chunk_rows`` rows (default
    :data:`CHUNK_ROWS`; the first one also holds the header's problems). ``dialect`` is a table
    dialect or ``csv`` (by default the header tells); ``name`` is the file's name in origins and
    messages (default: ``path``);
    ``base`` and ``matcher`` are those of :func:`ssevalidate.importers.convert`. ``progress``
    hears the bytes read after each chunk. Raises :class:`InputError` where the file stops
    being readable (the chunks before it have been given)."""
    name = name or str(path)
    chunk_rows = chunk_rows or CHUNK_ROWS
    with _opened(path, name) as (stream, text, size):
        chosen = streamed_dialect(stream.read(1 << 16), name, dialect)
        if chosen not in TABLES:
            raise InputError("not a spreadsheet export: cannot be read as a stream", name=name)
        stream.seek(0)
        rows = csv_stream(text, name)
        module = importlib.import_module(f"ssevalidate.importers.{IMPORTERS[chosen]}")
        reader = module.reader(next(rows), name=name, base=base, matcher=matcher)
        pending = True  # the first chunk is given even when empty: it has the header's problems
        for number, cells in enumerate(rows, start=2):
            reader.add_row(number, cells)
            pending = True
            if (number - 1) % chunk_rows == 0:
                yield reader.handover()
                pending = False
                if progress:
                    progress("read", stream.tell(), size)
        if pending:
            yield reader.handover()
        if progress:
            progress("read", size, size)


@contextlib.contextmanager
def _opened(path: str | os.PathLike, name: str) -> Iterator[tuple[BinaryIO, BinaryIO, int]]:
    """The file at ``path`` opened: its bytes, its text (expanded when it is gzip-compressed)
    and its size."""
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=name) from None
    with stream:
        compressed = stream.read(2) == GZIP_MAGIC
        stream.seek(0)
        size = os.fstat(stream.fileno()).st_size
        yield stream, _Expanded(stream, name) if compressed else stream, size


def expand(
    path: str | os.PathLike,
    into: str | os.PathLike,
    *,
    name: str | None = None,
    progress: Progress | None = None,
) -> None:
    """The gzip-compressed file at ``path`` expanded into the file ``into`` as it is read, for
    a reader that needs a plain file (the fast engine reads its files in parts). Refused past
    :data:`~ssevalidate.importers.DECOMPRESSED_LIMIT`; cut short or damaged, an
    :class:`InputError` naming the file (``name``, else ``path``)."""
    name = name or str(path)
    with _opened(path, name) as (raw, stream, size), open(into, "wb") as out:
        try:
            while block := stream.read(1 << 20):
                out.write(block)
                if progress:
                    progress("read", raw.tell(), size)
        except ExpansionError as error:
            raise InputError(str(error), name=name) from None


class _Expanded(io.BufferedReader):
    """The expanded bytes of a gzip file, refused past
    :data:`~ssevalidate.importers.DECOMPRESSED_LIMIT` (a few bytes must not become a full disk);
    cut short or damaged, an :class:`~ssevalidate.importers.reading.ExpansionError`, which the
    reader reports where it was (a row, a feature's pointer, or the file)."""

    def __init__(self, compressed: BinaryIO, name: str) -> None:
        super().__init__(_Inflating(compressed, name))


class _Inflating(io.RawIOBase):
    def __init__(self, compressed: BinaryIO, name: str) -> None:
        self.inner = gzip.GzipFile(fileobj=compressed, mode="rb")
        self.name_shown = name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        try:
            count = self.inner.readinto(buffer)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            why = "ends too early" if isinstance(error, EOFError) else "is damaged"
            raise ExpansionError(f"the gzip-compressed data {why}") from None
        if self.inner.tell() > DECOMPRESSED_LIMIT:
            raise InputError(
                f"expands to more than {DECOMPRESSED_LIMIT >> 20} MiB: refused",
                name=self.name_shown,
            )
        return count


def write_ntriples(conversion: Conversion, out: BinaryIO) -> None:
    """The chunk's statements as N-Triples, each record's together and followed by those of its
    blank nodes: the fast engine cuts such a file between records, to validate the parts on
    several processes. Blank node labels are rdflib's, unique across chunks."""
    graph = conversion.graph
    done: set = set()
    lines: list[str] = []
    for start in [*map(URIRef, conversion.origins), *graph.subjects(unique=True)]:
        pending = [start]
        while pending:
            subject = pending.pop()
            if subject in done:
                continue
            done.add(subject)
            for predicate, value in graph.predicate_objects(subject):
                lines.append(_nt_row((subject, predicate, value)))
                if isinstance(value, BNode):
                    pending.append(value)
    out.write("".join(lines).encode("utf-8"))


@dataclass
class Spool:
    """A table or an RDF dump converted into an N-Triples file (:func:`spool`): ``path``, where
    the records of a table came from (``rows``), and how many records were read (``records``).
    :func:`ssevalidate.validate` takes it as a source: the fast engine reads the file in parts,
    and each result points at the record's row and column in the table."""

    path: Path
    rows: RecordRows = field(default_factory=lambda: RecordRows())
    records: int = 0


def spool(
    chunks: Iterable[Conversion],
    out: str | os.PathLike,
    *,
    each_chunk: Callable[[Conversion], None] | None = None,
) -> Spool:
    """The conversions ``chunks`` (:func:`stream_table`, :func:`stream_rdf`) written one after
    the other into the N-Triples file ``out`` (:func:`write_ntriples`). ``each_chunk(chunk)``
    sees every chunk before it is written and may take statements out of its graph.

    >>> spooled = spool(stream_table("export.csv"), "export.nt")      # doctest: +SKIP
    >>> ssevalidate.validate(spooled).conforms                        # doctest: +SKIP
    False
    """
    spooled = Spool(Path(out))
    with open(out, "wb") as written:
        for chunk in chunks:
            if each_chunk:
                each_chunk(chunk)
            write_ntriples(chunk, written)
            spooled.rows.add(chunk)
            spooled.records += chunk.records
    return spooled


_SCRATCH_BATCH = 250_000
"""Statements of a dump added to the scratch database at a time."""

RDF_STREAMED = ("turtle", "ntriples")
"""The RDF syntaxes :func:`stream_rdf` reads: those of large dumps."""


@each_item_paused
def stream_rdf(
    path: str | os.PathLike,
    *,
    format: str | None = None,
    name: str | None = None,
    base: str | None = None,
    chunk_rows: int | None = None,
) -> Iterator[Conversion]:
    """The RDF file at ``path`` (Turtle or N-Triples, :data:`RDF_STREAMED`, gzip-compressed or
    not), taken as it is as the ``rdf`` importer does, one conversion per ``chunk_rows``
    subjects: each subject with the blank nodes it reaches, the ``sse:Initiative`` ones as
    records. The file is parsed by the parse gate (:class:`~ssevalidate.parsegate.Quads`: the
    same errors, at their line and column) into a scratch database on disk, which gives the
    statements back grouped by subject: the order of the file does not matter, and memory
    follows a chunk."""
    name = name or str(path)
    chunk_rows = chunk_rows or CHUNK_ROWS
    with _scratch_store(path, name, format, base) as store:
        chunk, subjects, last = Conversion("rdf"), 0, None
        for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            subject = quad.subject
            if subject == last:
                continue
            last = subject
            if type(subject) is ox.BlankNode and _is_reached(store, subject):
                continue  # written with the subject that reaches it
            for triple in _with_blank_nodes(store, subject):
                chunk.graph.add(tuple(map(to_rdflib, triple)))
            if ox.Quad(subject, _TYPE, _INITIATIVE, ox.DefaultGraph()) in store:
                chunk.add_record(subject.value, {"file": name})
            subjects += 1
            if subjects % chunk_rows == 0:
                yield chunk
                chunk = Conversion("rdf")
        if len(chunk.graph) or subjects == 0:
            yield chunk
        del store


@contextlib.contextmanager
def _scratch_store(
    path: str | os.PathLike, name: str, format: str | None, base: str | None
) -> Iterator[ox.Store]:
    """The RDF file at ``path`` (:data:`RDF_STREAMED`, gzip-compressed or not) parsed by the
    parse gate (the same errors, at their line and column) into a scratch database on disk,
    which gives the statements back grouped by subject, whatever the order of the file."""
    with (
        tempfile.TemporaryDirectory(prefix="ssevalidate-rdf-") as scratch,
        _opened(path, name) as (_, stream, _),
    ):
        try:
            fmt = detect_format(stream.read(1 << 16), name=name, format=format)
            if fmt not in RDF_STREAMED:
                raise InputError(f"{fmt} cannot be read as a stream", name=name)
            stream.seek(0)
            store = ox.Store(scratch)
            quads = iter(Quads(stream, fmt, name=name, base_iri=base))
            # In batches: the bulk loader holds what it is given (2.4 M statements: 1.4 GB).
            while batch := list(itertools.islice(quads, _SCRATCH_BATCH)):
                store.bulk_extend(batch)
        except ExpansionError as error:
            raise InputError(str(error), name=name) from None
        try:
            yield store
        finally:
            del store


_TYPE = ox.NamedNode(str(RDF.type))
_INITIATIVE = ox.NamedNode(str(SSE.Initiative))


def _is_reached(store: ox.Store, node: ox.BlankNode) -> bool:
    return (
        next(iter(store.quads_for_pattern(None, None, node, ox.DefaultGraph())), None) is not None
    )


def _with_blank_nodes(store: ox.Store, subject) -> Iterator[tuple]:
    """The statements of ``subject`` and of every blank node it reaches."""
    pending, seen = [subject], {subject}
    while pending:
        for quad in store.quads_for_pattern(pending.pop(), None, None, ox.DefaultGraph()):
            yield quad.subject, quad.predicate, quad.object
            if type(quad.object) is ox.BlankNode and quad.object not in seen:
                seen.add(quad.object)
                pending.append(quad.object)


def write_turtle(conversion: Conversion, out: BinaryIO, declared: set[str]) -> None:
    """The chunk's statements as Turtle, after the ``@prefix`` lines it needs that are not in
    ``declared`` yet (which learns them): chunks written one after the other are one Turtle
    document declaring each prefix once."""
    graph = conversion.graph
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    lines = graph.serialize(format="turtle").splitlines(keepends=True)
    directives = 0
    while directives < len(lines) and lines[directives].startswith("@prefix"):
        directives += 1
    new = [line for line in lines[:directives] if line not in declared]
    declared.update(new)
    out.write("".join(new + lines[directives:]).encode("utf-8"))


class RecordRows:
    """Where the records of streamed exports are, without their conversions: for each table
    (or GeoJSON file) its file, the column of the record IRIs and the column (or member) of
    each property, and for each record the hash of its IRI and its row (or feature's pointer):
    about a hundred bytes a record. Gives the same origins as :meth:`Conversion.origin_of` on
    the whole export (a record in two rows of an SEA CSV: the last)."""

    def __init__(self) -> None:
        self._tables: list[tuple[dict, dict[str, str], dict[int, int | str]]] = []

    def merge(self, other: RecordRows) -> None:
        """The tables of ``other`` too."""
        self._tables.extend(other._tables)

    def add(self, conversion: Conversion) -> None:
        """The records of one chunk (chunks of one table are added in order)."""
        if not conversion.origins:
            return
        first = next(iter(conversion.origins.values()))
        place = next((key for key in ("row", "pointer") if key in first), None)
        if place is None:
            return  # records of RDF: no row or feature to point at
        template = {**first, place: None}
        if not self._tables or self._tables[-1][0] != template:
            self._tables.append((template, conversion.fields, {}))
        places = self._tables[-1][2]
        for record, origin in conversion.origins.items():
            places[hash(str(record))] = origin[place]

    def origin_of(self, record: str, path=None) -> dict | None:
        """Where a result on ``record`` (and its property ``path``) is, or None when ``record``
        is in none of the tables."""
        key = hash(str(record))
        for template, fields, places in self._tables:
            if key in places:
                place = "row" if "row" in template else "pointer"
                return field_origin({**template, place: places[key]}, fields, path)
        return None


__all__ = [
    "CHUNK_ROWS",
    "RDF_STREAMED",
    "STREAMED",
    "STREAM_THRESHOLD",
    "RecordRows",
    "Spool",
    "spool",
    "stream_export",
    "stream_rdf",
    "stream_table",
    "streamed_dialect",
    "write_ntriples",
    "write_turtle",
]
