"""Importers: the formats directories publish today, turned into SSE data.

Each importer returns a conversion: an rdflib graph in the SSE vocabulary, where each record came
from (row and column, JSON pointer...), and the problems met, none of them dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ssevalidate.importers import sea_csv
from ssevalidate.parsegate import InputError

IMPORTERS: dict[str, Callable[..., sea_csv.Conversion]] = {"sea-csv": sea_csv.convert}
"""Every importer, by the name ``convert --from`` takes."""


def importer_for(path: str) -> str:
    """The importer for a file, from its extension."""
    if Path(path).suffix.lower() == ".csv":
        return "sea-csv"
    raise InputError(f"cannot tell the format; give --from ({', '.join(IMPORTERS)})", name=path)


__all__ = ["IMPORTERS", "importer_for"]
