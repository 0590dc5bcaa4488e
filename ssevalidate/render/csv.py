"""One CSV row per result, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from ssevalidate.report import Report

COLUMNS = (
    "record",
    "record_label",
    "severity",
    "field",
    "path",
    "value",
    "message",
    "hint",
    "component",
    "shape",
    "file",
    "line",
    "row",
    "column",
    "pointer",
)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading = + - @ makes spreadsheets evaluate the cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for result in report.results:
        origin = result.origin or {}
        writer.writerow(
            _cell(value)
            for value in (
                result.record,
                result.focus_label,
                result.severity,
                result.field,
                result.path,
                result.value,
                result.message,
                result.hint,
                result.component,
                result.shape,
                origin.get("file"),
                origin.get("line"),
                origin.get("row"),
                origin.get("column"),
                origin.get("pointer"),
            )
        )
    return buffer.getvalue()
