"""Acceptance on real data: every directory export in ``../shared/anchors/data`` converts, and
most of what it holds becomes conforming SSE data.

Figures per file: records read, records converted, records conforming under ``core``, taxonomy
values reconciled and left unresolved. Each file has a floor it must not fall below, so a change
that loses records or stops reconciling values fails here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import anchor

import ssevalidate
from ssevalidate.importers import convert


@dataclass(frozen=True)
class Floor:
    dialect: str
    records: int
    conforming: float
    """Share of converted records without a violation under ``core``."""
    reconciled: float
    """Share of taxonomy values turned into concepts."""


FILES = {
    "sea-ica-standard-v3-2021.csv": Floor("sea-csv", 316, 0.98, 0.99),
    "dcc-workers-coop-2023-06-23_wc_converted.csv": Floor("sea-csv", 387, 0.98, 0.99),
    "coops-uk-2017-open_data_organisations-sample.csv": Floor("coops-uk", 17, 0.8, 0.95),
    "mykomap-ica-cannedData.json": Floor("mykomap", 329, 0.9, 0.95),
    "susy-transformap-ssedas-data.geojson.gz": Floor("geojson", 1794, 0.8, 0.8),
}


def figures(path) -> dict:
    """What the closing notes report for one file."""
    conversion = convert(path.read_bytes(), name=str(path))
    report = ssevalidate.validate(conversion.graph, "core")
    failing = {r.record for r in report.results if r.severity == "Violation"}
    converted = set(conversion.origins)
    cells = conversion.cells_reconciled + conversion.cells_unresolved
    return {
        "dialect": conversion.dialect,
        "read": conversion.records,
        "converted": len(converted),
        "conforming": len(converted - failing),
        "reconciled": conversion.cells_reconciled,
        "unresolved": conversion.cells_unresolved,
        "reconciled_share": conversion.cells_reconciled / cells if cells else 1.0,
    }


def test_every_data_file_is_covered():
    folder = anchor("data")
    exports = {p.name for p in folder.iterdir() if p.name not in ("README.md",)}
    # The TransforMap taxonomy is no directory: tests/test_import_geojson.py reads it.
    assert exports - {"transformap-ssedas-taxonomy.json"} == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_real_export_converts_and_conforms(name):
    floor = FILES[name]
    found = figures(anchor("data", name))
    assert found["dialect"] == floor.dialect
    assert found["read"] >= floor.records
    assert found["converted"] >= floor.records
    assert found["conforming"] >= floor.conforming * found["converted"], found
    assert found["reconciled_share"] >= floor.reconciled, found
