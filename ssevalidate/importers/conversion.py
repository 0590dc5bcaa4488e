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

from rdflib import Graph


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
    graph: Graph = field(default_factory=Graph)
    records: int = 0
    """Records read from the source (converted ones are ``len(origins)``)."""
    origins: dict[str, dict] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    cells_reconciled: int = 0
    cells_unresolved: int = 0
    problems: list[Problem] = field(default_factory=list)
    version: int | None = None
    """The dialect's version where it has several (SEA CSV 1 to 4)."""

    def add_record(self, record: str, origin: dict) -> None:
        self.records += 1
        self.origins[str(record)] = origin

    def problem(self, message: str, origin: dict) -> None:
        self.problems.append(Problem(message, origin))

    def origin_of(self, record: str, path=None) -> dict | None:
        """Where a result on ``record`` (and its property ``path``) is in the source."""
        origin = self.origins.get(str(record))
        if origin is None or path is None:
            return origin
        where = self.fields.get(str(path))
        if where is None:
            return origin
        if "pointer" in origin:
            return {**origin, "pointer": f"{origin['pointer']}/{where}"}
        return {**origin, "column": where}


def summary(conversion: Conversion) -> str:
    """One line for people: what was read, converted and reconciled, and how many problems."""
    parts = [
        f"{conversion.records} records read ({conversion.dialect})",
        f"{len(conversion.origins)} converted",
    ]
    cells = conversion.cells_reconciled + conversion.cells_unresolved
    if cells:
        parts.append(
            f"{conversion.cells_reconciled} of {cells} taxonomy values reconciled"
            f" ({conversion.cells_unresolved} kept as text)"
        )
    parts.append(f"{len(conversion.problems)} problems")
    return ", ".join(parts)


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
    "describe",
    "json_origin",
    "pointer_token",
    "summary",
    "table_origin",
]
