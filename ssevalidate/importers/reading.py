"""Reading an export's bytes: the rows of a CSV (all at once, or one at a time from a stream),
the document of a JSON file, the base of record IRIs. Whatever cannot be read raises
:class:`InputError` with where it is, in words for a data steward.

>>> import io
>>> from ssevalidate.importers.reading import csv_rows, csv_stream, default_base, json_document
>>> csv_rows(b"\\xef\\xbb\\xbfIdentifier;Name\\n1;Coop\\n", "export.csv")
[['Identifier', 'Name'], ['1', 'Coop']]
>>> next(csv_stream(io.BytesIO(b"Identifier,Name\\n1,Coop\\n"), "export.csv"))
['Identifier', 'Name']
>>> json_document(b'{"lat": 51.50740}', "map.json", decimals=True)
{'lat': Decimal('51.50740')}
>>> default_base("<input>")
'urn:sse:input:'
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from ssevalidate.parsegate import InputError

_DELIMITERS = ",;\t"
_CSV_ADVICE = "save the spreadsheet as CSV UTF-8"


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
    return list(csv_stream(io.BytesIO(data), name))


def csv_stream(stream: BinaryIO, name: str) -> Iterator[list[str]]:
    """The rows of a CSV read from a binary stream, the header first, one at a time: what
    :func:`csv_rows` reads, with the same rules and the same errors, without holding the file
    (a quoted cell over several lines is still one cell). The stream must be seekable: text
    that is not UTF-8 is read again from the start to say at which line and character."""
    start = stream.tell()
    try:
        _refuse_utf16(stream.read(2), name, _CSV_ADVICE)
    except ExpansionError as error:
        raise InputError(str(error), name=name, line=1) from None
    stream.seek(start)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = None
    try:
        first_line = text.readline()
        delimiter = max(_DELIMITERS, key=first_line.count)
        reader = csv.reader(itertools.chain([first_line], text), delimiter=delimiter)
        header = next(reader, [])
        if not any(cell.strip() for cell in header):
            raise InputError("empty file: the first row must be the header", name=name)
        yield header
        yield from reader
    except csv.Error as error:
        line = reader.line_num if reader else 1
        raise InputError(f"unreadable CSV: {error}", name=name, line=line) from None
    except ExpansionError as error:
        line = reader.line_num + 1 if reader else 1
        raise InputError(str(error), name=name, line=line) from None
    except UnicodeDecodeError:
        raise _undecodable(stream, start, name, _CSV_ADVICE) from None
    finally:
        if not stream.closed:
            text.detach()  # the caller's stream stays open (closing the wrapper would close it)


class ExpansionError(Exception):
    """Compressed bytes that stop expanding (cut short or damaged) under a reader; the reader
    says where it was (:func:`csv_stream`: the row)."""


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
    _refuse_utf16(data[:2], name, advice)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _undecodable(io.BytesIO(data), 0, name, advice) from None


def _refuse_utf16(head: bytes, name: str, advice: str) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"UTF-16 text: {advice}", name=name, line=1, column=1)


def _undecodable(stream: BinaryIO, start: int, name: str, advice: str) -> InputError:
    """The error for a stream that is not UTF-8, at the line and character (what an editor
    shows, not the byte) of its first byte that is not, read again from ``start``."""
    stream.seek(start)
    for number, line in enumerate(stream, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            column = len(line[: error.start].decode("utf-8-sig")) + 1
            return InputError(f"not UTF-8 text: {advice}", name=name, line=number, column=column)
    return InputError(f"not UTF-8 text: {advice}", name=name)


def json_text_start(file: BinaryIO, name: str) -> int:
    """Where the JSON text starts (after a UTF-8 byte order mark); UTF-16 is refused."""
    head = file.read(3)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text: save the file as UTF-8", name=name, line=1, column=1)
    start = 3 if head == b"\xef\xbb\xbf" else 0
    file.seek(start)
    return start


@contextlib.contextmanager
def json_stream_errors(name: str, where: Callable[[], str]) -> Iterator[None]:
    """The JSON parser's errors as :class:`InputError`, at ``where()``, without the bytes the
    parser quotes (they are the data's); so are those of gzip data that stops expanding."""
    try:
        yield
    except ExpansionError as error:
        raise InputError(str(error), name=name, pointer=where()) from None
    except ijson.JSONError as error:
        text = error.args[0] if error.args else b""
        first = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        reason = first.split("\n", 1)[0].strip() or "unreadable JSON"
        if "UTF8" in reason:
            reason = "not UTF-8 text: save the file as UTF-8"
        raise InputError(f"JSON syntax error: {reason}", name=name, pointer=where()) from None


__all__ = [
    "ExpansionError",
    "csv_rows",
    "csv_stream",
    "default_base",
    "file_iri",
    "json_document",
    "json_stream_errors",
    "json_text_start",
]
