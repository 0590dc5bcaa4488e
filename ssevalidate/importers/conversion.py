"""What every importer returns: SSE data, where each record came from, and what went wrong.

>>> from ssevalidate.importers.conversion import Conversion, table_origin
>>> conversion = Conversion(dialect="sea-csv")
>>> conversion.add_record("urn:x:1", table_origin("export.csv", 2, "Identifier"))
>>> conversion.fields = {"https://schema.org/name": "Name"}
>>> conversion.origin_of("urn:x:1", "https://schema.org/name")
{'file': 'export.csv', 'row': 2, 'column': 'Name'}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import Graph

if TYPE_CHECKING:
    from ssevalidate.reconcile import Reconciler


@dataclass
class Problem:
    """Something in the source that did not become what it says, with where it is."""

    message: str
    origin: dict

    def __str__(self) -> str:
        return f"{describe(self.origin)}: {self.message}"


@dataclass
class Conversion:
    """The result of one importer on one source.

    ``origins`` maps each record IRI to where the record starts: ``{"file", "row", "column"}``
    in a table (row 1 is the header), ``{"file", "pointer"}`` in JSON (an RFC 6901 pointer), or
    ``{"file", "line", "column"}`` in a text format. ``fields`` maps a property IRI to the
    column, or the pointer relative to the record, its values came from, so that a validation
    result on that property points at its own cell.
    """

    dialect: str
    graph: Graph = field(default_factory=lambda: Graph(store="SimpleMemory"))
    """Without the contexts rdflib's default store keeps (a conversion has none): 27 % less
    time converting a spreadsheet."""
    records: int = 0
    """Records read from the source (converted ones are ``len(origins)``)."""
    origins: dict[str, dict] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    cells_reconciled: int = 0
    cells_unresolved: int = 0
    problems: list[Problem] = field(default_factory=list)
    version: int | None = None
    """The dialect's version where it has several (SEA CSV 1 to 4)."""
    converted_before: int = 0
    """Records of this chunk of a long table already converted in an earlier chunk (an SEA CSV
    may give an Identifier several rows): counted once in a :class:`Tally`."""

    def add_record(self, record: str, origin: dict) -> None:
        self.records += 1
        self.origins[str(record)] = origin

    def problem(self, message: str, origin: dict) -> None:
        self.problems.append(Problem(message, origin))

    def origin_of(self, record: str, path=None) -> dict | None:
        """Where a result on ``record`` (and its property ``path``) is in the source."""
        return field_origin(self.origins.get(str(record)), self.fields, path)


def field_origin(origin: dict | None, fields: dict[str, str], path=None) -> dict | None:
    """``origin`` (where a record starts) narrowed to the cell or value that ``fields`` says
    the property ``path`` comes from."""
    if origin is None or path is None:
        return origin
    where = fields.get(str(path))
    if where is None:
        return origin
    if "pointer" in origin:
        return {**origin, "pointer": f"{origin['pointer']}/{where}"}
    return {**origin, "column": where}


@dataclass
class Tally:
    """The counts of conversions read one after another (the chunks of a long table), for
    :func:`summary`, without keeping their graphs. A record in two chunks (an SEA CSV may
    repeat an Identifier) counts once, as it does converted whole."""

    dialect: str
    records: int = 0
    converted: int = 0
    cells_reconciled: int = 0
    cells_unresolved: int = 0
    problems: int = 0

    def add(self, conversion: Conversion) -> None:
        self.records += conversion.records
        self.converted += len(conversion.origins) - conversion.converted_before
        self.cells_reconciled += conversion.cells_reconciled
        self.cells_unresolved += conversion.cells_unresolved
        self.problems += len(conversion.problems)


def summary(conversion: Conversion | Tally) -> str:
    """One line for people: what was read, converted and reconciled, and how many problems."""
    if isinstance(conversion, Conversion):
        tally = Tally(conversion.dialect)
        tally.add(conversion)
    else:
        tally = conversion
    parts = [
        f"{tally.records} records read ({tally.dialect})",
        f"{tally.converted} converted",
    ]
    cells = tally.cells_reconciled + tally.cells_unresolved
    if cells:
        parts.append(
            f"{tally.cells_reconciled} of {cells} taxonomy values reconciled"
            f" ({tally.cells_unresolved} kept as text)"
        )
    parts.append(f"{tally.problems} problems")
    return ", ".join(parts)


class TableReader:
    """The rows of one table turned into records, for one importer: each importer's subclass
    reads the header when made (refusing a table that is not its dialect, reporting unknown
    columns in :attr:`conversion`) and converts one row in :meth:`row`.

    The same reader serves :func:`convert_rows` (the whole table in one conversion) and
    :func:`ssevalidate.importers.streaming.stream_table` (one conversion per chunk of rows, so
    that memory follows the chunk, not the file): :meth:`handover` gives the conversion away
    and starts an empty one of the same dialect. What must hold across chunks (which row a
    record was first seen at) is kept here, in a few dozen bytes a record.
    """

    def __init__(self, conversion: Conversion, name: str, base: str, matcher: Reconciler) -> None:
        self.conversion = conversion
        self.name = name
        self.base = base
        self.matcher = matcher
        self._first_rows: dict[int, int] = {}
        """Hash of a record IRI (64 bits: a clash is unlikely below billions of rows) → the
        row that record was first converted from."""

    def add_row(self, number: int, cells: list[str]) -> None:
        """Convert the row ``number`` (the header is row 1), unless no cell has a value."""
        if any(cell.strip() for cell in cells):
            self.row(number, cells)

    def row(self, number: int, cells: list[str]) -> None:
        """Convert the row ``number``, which has a value (each importer's own rules)."""
        raise NotImplementedError

    def first_row(self, record: str) -> int | None:
        """The row ``record`` was already converted from, in this chunk or an earlier one."""
        return self._first_rows.get(hash(str(record)))

    def add_again(self, record: str, origin: dict) -> None:
        """Add a record that may have been converted before (importers that merge the rows of
        a repeated record): counted once however many chunks it is in."""
        key = hash(str(record))
        if key not in self._first_rows:
            self._first_rows[key] = origin["row"]
        elif str(record) not in self.conversion.origins:
            self.conversion.converted_before += 1
        self.conversion.add_record(record, origin)

    def add_first(self, record: str, origin: dict) -> None:
        """Add a record that :meth:`first_row` has not seen (importers that refuse a repeated
        record)."""
        self.conversion.add_record(record, origin)
        self._first_rows[hash(str(record))] = origin["row"]

    def handover(self) -> Conversion:
        """The conversion so far; the reader goes on into a new empty one."""
        done = self.conversion
        self.conversion = Conversion(done.dialect, fields=done.fields, version=done.version)
        return done


def convert_rows(rows: list[list[str]], reader: TableReader) -> Conversion:
    """Every row after the header through ``reader``, in one conversion."""
    for number, cells in enumerate(rows[1:], start=2):
        reader.add_row(number, cells)
    return reader.conversion


def table_origin(name: str, row: int, column: str) -> dict:
    """Where a cell is: the file, the row (the header is row 1) and the column's name."""
    return {"file": name, "row": row, "column": column}


def json_origin(name: str, pointer: str) -> dict:
    """Where a JSON value is: the file and an RFC 6901 pointer."""
    return {"file": name, "pointer": pointer}


def pointer_token(key: str | int) -> str:
    """One reference token of a JSON pointer (``~`` and ``/`` escaped)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def describe(origin: dict) -> str:
    """``file:row:column``, ``file#/pointer`` or ``file:line:column``, for messages."""
    name = origin.get("file", "<input>")
    if "pointer" in origin:
        return f"{name}#{origin['pointer']}"
    place = origin.get("row", origin.get("line"))
    parts = [name] + [str(p) for p in (place, origin.get("column")) if p is not None]
    return ":".join(parts)


__all__ = [
    "Conversion",
    "Problem",
    "TableReader",
    "Tally",
    "convert_rows",
    "describe",
    "field_origin",
    "json_origin",
    "pointer_token",
    "summary",
    "table_origin",
]
