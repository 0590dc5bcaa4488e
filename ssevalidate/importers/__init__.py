"""Importers: the formats directories publish today, turned into SSE data.

Each importer returns a conversion: an rdflib graph in the SSE vocabulary, where each record came
from (row and column, JSON pointer...), and the problems met, none of them dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ssevalidate.importers import sea_csv
from ssevalidate.importers.conversion import Conversion
from ssevalidate.parsegate import InputError

IMPORTERS: dict[str, Callable[..., Conversion]] = {"sea-csv": sea_csv.convert}
"""Every importer, by the name ``convert --from`` and ``validate --format`` take."""
_ALIASES = {"csv": "sea-csv", "text/csv": "sea-csv"}
_EXTENSIONS = {".csv": "sea-csv"}


def importer_name(value: str) -> str | None:
    """The importer a format name or media type names (``csv``, ``text/csv``), else None."""
    key = value.strip().lower().split(";")[0].strip()
    key = _ALIASES.get(key, key)
    return key if key in IMPORTERS else None


def importer_of_file(name: str) -> str | None:
    """The importer for a file name's extension, else None (an RDF file, or unknown)."""
    return _EXTENSIONS.get(Path(name).suffix.lower())


def importer_for(path: str) -> str:
    """The importer for a file to convert, from its extension."""
    found = importer_of_file(path)
    if found is None:
        known = ", ".join(IMPORTERS)
        raise InputError(f"cannot tell the format; give --from ({known})", name=path)
    return found


__all__ = ["IMPORTERS", "importer_for", "importer_name", "importer_of_file"]
