"""Importers: the formats directories publish today, turned into SSE data.

Each importer is a module with ``convert(data, *, name, base, matcher) -> Conversion``: an rdflib
graph in the SSE vocabulary, where each record came from (row and column, JSON pointer, line
and column), and the problems met, none of them dropped silently. Some also ``export`` SSE data
back into their dialect. The spreadsheet importers (:data:`TABLES`) also have
``reader(header, *, name, base, matcher)``, the
:class:`~ssevalidate.importers.conversion.TableReader` that converts their rows one at a time:
:mod:`ssevalidate.importers.streaming` reads a long file through it a chunk of rows at a time.

>>> from ssevalidate.importers import convert, dialect_of
>>> data = open("export.csv", "rb").read()                       # doctest: +SKIP
>>> dialect_of(data, "export.csv")                               # doctest: +SKIP
'sea-csv'
>>> convert(data, name="export.csv").records                     # doctest: +SKIP
316
"""

from __future__ import annotations

import importlib
import json
import re
import zlib
from pathlib import Path
from types import ModuleType

from rdflib import RDF, Graph

from ssevalidate.gcpause import gc_paused
from ssevalidate.importers.conversion import Conversion
from ssevalidate.namespaces import ESSGLOBAL_VOCAB_BASES, SSE
from ssevalidate.parsegate import InputError, format_from_name, locate, read

IMPORTERS: dict[str, str] = {
    "sse-csv": "sse_csv",
    "sea-csv": "sea_csv",
    "coops-uk": "coops_uk",
    "essglobal": "essglobal",
    "mykomap": "mykomap",
    "murmurations": "murmurations",
    "geojson": "geojson",
}
"""Every importer, by the name ``convert --from`` and ``validate --format`` take, and the module
of this package that holds its ``convert`` (loaded when first used)."""

EXPORTERS: dict[str, str] = {"csv": "sse_csv", "murmurations": "murmurations"}
"""SSE data written back into a directory dialect, by the name ``convert --to`` takes, and the
module that holds its ``export``."""

TABLES = ("sse-csv", "sea-csv", "coops-uk")
"""The dialects that are spreadsheets: which one a CSV is, its header tells."""

_ALIASES = {
    "csv": "csv",
    "text/csv": "csv",
    "tsv": "csv",
    "text/tab-separated-values": "csv",
    "geo+json": "geojson",
    "application/geo+json": "geojson",
}
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".geojson": "geojson"}
_HEAD = 1 << 16
DECOMPRESSED_LIMIT = 4 << 30
"""The most a gzip file may expand to: a few bytes must not become a full disk."""
GZIP_MAGIC = b"\x1f\x8b"
"""The first bytes of gzip-compressed data."""


def importer_name(value: str) -> str | None:
    """The importer a format name or media type names, else None (an RDF syntax, or unknown).

    ``csv`` names every spreadsheet dialect: :func:`dialect_of` then reads the header.
    """
    key = value.strip().lower().split(";")[0].strip()
    key = _ALIASES.get(key, key)
    return key if key in IMPORTERS or key == "csv" else None


def importer_of_file(name: str) -> str | None:
    """The importer a file name's extension names (``.csv``, ``.geojson``; ``.gz`` looked
    through), else None."""
    path = Path(name.lower())
    if path.suffix == ".gz":
        path = path.with_suffix("")
    return _EXTENSIONS.get(path.suffix)


def dialect_of(data: bytes, name: str = "<input>", hint: str | None = None) -> str | None:
    """Which importer reads ``data`` (its first bytes are enough), or None for RDF to read as
    it is. ``hint`` is a format name given by the user; else the file name's extension counts.
    """
    hint = hint or importer_of_file(name)
    chosen = importer_name(hint) if hint else None
    if chosen and chosen != "csv":
        return chosen
    head = _text_head(gunzip_head(data))
    if chosen == "csv":
        return _table_dialect(head)
    if head.lstrip().startswith(("{", "[")):
        return _json_dialect(head)
    if format_from_name(name) is None and _looks_like_table(head):
        return _table_dialect(head)
    return None


@gc_paused()
def convert(
    data: bytes, *, name: str = "<input>", dialect: str | None = None, base: str | None = None
) -> Conversion:
    """Convert one export with the importer ``dialect`` names (``csv`` for any spreadsheet,
    ``rdf`` for RDF taken as it is), or the one :func:`dialect_of` finds. Gzip-compressed data is expanded first.

    Raises :class:`InputError` when no importer reads it.
    """
    data = gunzip(data, name)
    if dialect == "rdf":
        return _rdf(data, name, base)
    chosen = dialect_of(data, name, dialect or importer_of_file(name))
    if chosen is None:
        if any(base_iri.encode() in data for base_iri in ESSGLOBAL_VOCAB_BASES):
            chosen = "essglobal"
        else:
            known = ", ".join(IMPORTERS)
            raise InputError(
                f"cannot tell the format of this export: give one of {known}", name=name
            )
    return _module(IMPORTERS[chosen]).convert(data, name=name, base=base)


def export(graph: Graph, to: str) -> bytes:
    """SSE data in the dialect ``to`` names (a key of :data:`EXPORTERS`)."""
    written = _module(EXPORTERS[to]).export(graph)
    if isinstance(written, bytes):
        return written
    return json.dumps(written, ensure_ascii=False, indent=2).encode("utf-8")


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def _rdf(data: bytes, name: str, base: str | None) -> Conversion:
    """RDF in any syntax, taken as it is (already SSE data, or data to look at as it is)."""
    document = read(data, name=name, base_iri=base)
    conversion = Conversion("rdf", graph=document.graph)
    records = {str(r) for r in document.graph.subjects(RDF.type, SSE.Initiative)}
    for record, origin in locate(document.data, records, document.prefixes, name).items():
        conversion.add_record(record, origin)
    return conversion


def gunzip(data: bytes, name: str, limit: int = DECOMPRESSED_LIMIT) -> bytes:
    """``data`` expanded when it is gzip-compressed, else ``data``."""
    if not data.startswith(GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(wbits=31)
    try:
        expanded = inflater.decompress(data, limit + 1)
    except zlib.error as error:
        raise InputError(f"damaged gzip data: {error}", name=name) from None
    if len(expanded) > limit:
        raise InputError(f"expands to more than {limit >> 20} MiB: refused", name=name)
    if not inflater.eof:
        raise InputError("truncated gzip data: the file ends too early", name=name)
    return expanded


def gunzip_head(data: bytes, size: int = _HEAD) -> bytes:
    """The first ``size`` bytes of ``data``, expanded when it is gzip-compressed."""
    if not data.startswith(GZIP_MAGIC):
        return data[:size]
    try:
        return zlib.decompressobj(wbits=31).decompress(data[: size * 4], size)
    except zlib.error:
        return data[:size]


def _text_head(head: bytes) -> str:
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _looks_like_table(head: str) -> bool:
    first = head.split("\n", 1)[0]
    return not head.lstrip().startswith(("<", "@", "#", "_:")) and any(
        first.count(delimiter) >= 2 for delimiter in ",;\t"
    )


def _table_dialect(head: str) -> str:
    header = head.split("\n", 1)[0]
    if "CUK Organisation ID" in header:
        return "coops-uk"
    if re.search(r"(^|[,;\t\"])Identifier([,;\t\"]|$)", header) and "Name" in header:
        return "sea-csv"
    return "sse-csv"


def _json_dialect(head: str) -> str | None:
    """JSON-LD stays RDF; the directory dialects are told apart by their keys."""
    if re.search(r'"@context"\s*:', head):
        return None
    if re.search(r'"type"\s*:\s*"(FeatureCollection|Feature)"', head):
        return "geojson"
    if re.search(r'"(linked_schemas|profile_url)"\s*:', head):
        return "murmurations"
    if re.search(r'"uri"\s*:', head) and re.search(r'"data"\s*:', head):
        return "mykomap"
    return None


__all__ = [
    "EXPORTERS",
    "IMPORTERS",
    "TABLES",
    "convert",
    "dialect_of",
    "export",
    "gunzip",
    "importer_name",
    "importer_of_file",
]
