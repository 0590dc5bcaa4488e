"""Reading an export's bytes: the rows of a CSV, the document of a JSON file, the base of
record IRIs. Whatever cannot be read raises :class:`InputError` with where it is, in words for
a data steward.

>>> from ssevalidate.importers.reading import csv_rows, default_base, json_document
>>> csv_rows(b"\\xef\\xbb\\xbfIdentifier;Name\\n1;Coop\\n", "export.csv")
[['Identifier', 'Name'], ['1', 'Coop']]
>>> json_document(b'{"lat": 51.50740}', "map.json", decimals=True)
{'lat': Decimal('51.50740')}
>>> default_base("<input>")
'urn:sse:input:'
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ssevalidate.parsegate import InputError

_DELIMITERS = ",;\t"


def file_iri(name: str) -> str | None:
    """The URI of the file ``name`` names, when it is a file on this machine, else None."""
    path = Path(name)
    return path.resolve().as_uri() if path.is_file() else None


def default_base(name: str) -> str:
    """What record IRIs start with when the caller gives no base: the file's own URI and ``#``
    (record IRIs must be absolute), else ``urn:sse:input:``."""
    uri = file_iri(name)
    return uri + "#" if uri else "urn:sse:input:"


def csv_rows(data: bytes, name: str) -> list[list[str]]:
    """Every row of a CSV, the header first: UTF-8 (a BOM is skipped), cells separated by
    commas, semicolons or tabs, whichever the header has most of. Raises :class:`InputError`
    for other encodings, broken quoting and a file without a header."""
    text = _utf8(data, name, "save the spreadsheet as CSV UTF-8")
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise InputError(f"unreadable CSV: {error}", name=name, line=reader.line_num) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError("empty file: the first row must be the header", name=name)
    return rows


def json_document(data: bytes, name: str, *, decimals: bool = False) -> Any:
    """The JSON document in ``data`` (UTF-8, a BOM skipped). With ``decimals``, numbers with a
    fraction are :class:`~decimal.Decimal`, so that they keep the digits written (``51.50740``).
    Raises :class:`InputError` with the line and column of a syntax error, and for what is no
    JSON number (``NaN``, ``Infinity``) or nests too deeply to read."""

    def refuse(constant: str) -> None:
        raise InputError(f"{constant} is not a JSON number", name=name)

    text = _utf8(data, name, "save the file as UTF-8")
    try:
        return json.loads(text, parse_float=Decimal if decimals else None, parse_constant=refuse)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON syntax error: {error.msg}", name=name, line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to read", name=name) from None


def _utf8(data: bytes, name: str, advice: str) -> str:
    """The text of ``data``, refused with where the first byte that is not UTF-8 is."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"UTF-16 text: {advice}", name=name, line=1, column=1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        # Characters, not bytes: what an editor shows (everything before decoded).
        column = len(data[line_start : error.start].decode("utf-8-sig")) + 1
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"not UTF-8 text: {advice}", name=name, line=line, column=column) from None


__all__ = ["csv_rows", "default_base", "file_iri", "json_document"]
