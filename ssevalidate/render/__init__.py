"""Renderers: one function per output format, each turning a :class:`Report` into text.

>>> from ssevalidate.render import OUTPUTS
>>> sorted(OUTPUTS)
['csv', 'json', 'jsonld', 'text', 'turtle']
"""

from __future__ import annotations

from collections.abc import Callable

from ssevalidate.render.csv import render_csv
from ssevalidate.render.json import render_json
from ssevalidate.render.rdf import render_jsonld, render_turtle
from ssevalidate.render.text import render_text
from ssevalidate.report import Report

OUTPUTS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "turtle": render_turtle,
    "jsonld": render_jsonld,
    "csv": render_csv,
}

MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "csv": "text/csv; charset=utf-8",
}


def render(report: Report, output: str = "text") -> str:
    """``report`` in the format ``output`` (one of :data:`OUTPUTS`)."""
    return OUTPUTS[output](report)
