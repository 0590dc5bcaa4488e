"""Quality over time: per source and harvest, the conformance rate and the violations per shape,
read back from the provenance graph; the trend as an SVG chart; the latest rejected results.

The conformance rate of a harvest is ``accepted / read``: the share of the records read that
passed validation. Only a harvest that read records measures it (a 304, the same bytes again,
or a failure before the data was read measure nothing).

>>> from ssevalidate.harvest.quality import ChartLabels, conformance_chart, history
>>> harvests = history(store, config.provenance_graph, "ica")           # doctest: +SKIP
>>> [(h.started.date().isoformat(), h.conformance) for h in harvests]   # doctest: +SKIP
[('2025-05-01', 0.968), ('2025-05-02', None), ('2025-05-03', 0.975)]
>>> svg = conformance_chart(harvests, ChartLabels("ICA", "…", "Harvest", "Conforming",
...                                               "{date}: {rate}"))    # doctest: +SKIP

The chart is plain SVG (no script): a ``<title>`` and a ``<desc>`` for assistive technology,
labelled axes, one ``<circle>`` per measured harvest with its own ``<title>``; pages show the
same values in a table next to it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from rdflib.namespace import PROV, SH

from ssevalidate.harvest.storeio import select
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.namespaces import SCHEMA
from ssevalidate.store import Store


@dataclass(frozen=True)
class ShapeCount:
    """How many results one shape (or, when the shape has no IRI, one constraint component)
    gave in a harvest, at one severity (``Violation``, ``Warning``, ``Info``)."""

    shape: str
    severity: str
    count: int


@dataclass(frozen=True)
class HarvestQuality:
    """One harvest of one source, as its activity recorded it. ``outcome`` is None while it
    runs (or when the process died during it)."""

    activity: str
    source: str
    started: datetime
    ended: datetime | None = None
    outcome: str | None = None
    error: str | None = None
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    violations: int = 0
    warnings: int = 0
    shapes: tuple[ShapeCount, ...] = ()

    @property
    def conformance(self) -> float | None:
        """``accepted / read``, or None when the harvest read no records."""
        return self.accepted / self.read if self.read else None

    def violations_per_shape(self) -> dict[str, int]:
        return {s.shape: s.count for s in self.shapes if s.severity == "Violation"}


@dataclass(frozen=True)
class Latest:
    """A source's latest finished harvest, the latest that measured conformance, and the
    latest that swapped new graphs in (outcome ``harvested``: the data in use)."""

    finished: HarvestQuality | None = None
    measured: HarvestQuality | None = None
    harvested: HarvestQuality | None = None


@dataclass(frozen=True)
class QuarantinedResult:
    """One SHACL result of a rejected record, in the quarantine graph."""

    record: str
    """The record's IRI (the focus node, or the record owning a blank focus node)."""
    name: str | None
    path: str | None
    value: str | None
    severity: str
    message: str | None


_COUNTS = {
    "read": HARVEST.recordsRead,
    "accepted": HARVEST.recordsAccepted,
    "rejected": HARVEST.recordsRejected,
    "violations": HARVEST.violations,
    "warnings": HARVEST.warnings,
}


def history(store: Store, provenance_graph: str, source_id: str) -> list[HarvestQuality]:
    """Every harvest of ``source_id``, oldest first, with its results per shape."""
    harvests = _harvests(store, provenance_graph, source_id)
    shapes: dict[str, list[ShapeCount]] = {}
    rows = select(
        store,
        f"""SELECT ?a ?shape ?component ?severity ?count WHERE {{ GRAPH <{provenance_graph}> {{
            ?a <{HARVEST.sourceId}> {_string(source_id)} ; <{HARVEST.shapeResults}> ?n .
            ?n <{SH.resultSeverity}> ?severity ; <{HARVEST.resultCount}> ?count .
            OPTIONAL {{ ?n <{SH.sourceShape}> ?shape }}
            OPTIONAL {{ ?n <{SH.sourceConstraintComponent}> ?component }} }} }}""",
    )
    for row in rows:
        shape = row.get("shape") or row.get("component", "")
        count = ShapeCount(shape, _local(row["severity"]), int(row["count"]))
        shapes.setdefault(row["a"], []).append(count)
    return [
        dataclasses.replace(h, shapes=tuple(sorted(shapes.get(h.activity, []), key=_by_count)))
        for h in harvests
    ]


def latest(store: Store, provenance_graph: str) -> dict[str, Latest]:
    """Source id → its latest harvests (see :class:`Latest`; without results per shape)."""
    found: dict[str, Latest] = {}
    for harvest in _harvests(store, provenance_graph, None):
        before = found.get(harvest.source, Latest())
        found[harvest.source] = Latest(
            finished=harvest if harvest.outcome is not None else before.finished,
            measured=harvest if harvest.conformance is not None else before.measured,
            harvested=harvest if harvest.outcome == "harvested" else before.harvested,
        )
    return found


def quarantined_results(
    store: Store, quarantine_graph: str, lang: str = "en", limit: int = 100
) -> tuple[list[QuarantinedResult], int]:
    """Up to ``limit`` results of the rejected records of the latest harvest, with their
    message in ``lang`` (else English), ordered by record; and how many there are in all."""
    where = f"""GRAPH <{quarantine_graph}> {{
        ?r a <{SH.ValidationResult}> ; <{SH.focusNode}> ?focus ; <{SH.resultSeverity}> ?severity
    }}"""
    [total] = select(store, f"SELECT (COUNT(?r) AS ?n) WHERE {{ {where} }}")
    rows = select(
        store,
        f"""SELECT ?r (SAMPLE(?record_) AS ?record) (SAMPLE(?name_) AS ?name)
                (SAMPLE(?path_) AS ?path) (SAMPLE(?value_) AS ?value)
                (SAMPLE(?severity_) AS ?severity) (SAMPLE(?wanted) AS ?own)
                (SAMPLE(?english) AS ?fallback)
            WHERE {{ GRAPH <{quarantine_graph}> {{
                ?r a <{SH.ValidationResult}> ; <{SH.focusNode}> ?focus ;
                   <{SH.resultSeverity}> ?severity_ .
                OPTIONAL {{ ?owner ?owns ?focus FILTER (isIRI(?owner)) }}
                BIND (IF(isIRI(?focus), ?focus, ?owner) AS ?record_)
                OPTIONAL {{ ?record_ <{SCHEMA.name}> ?name_ }}
                OPTIONAL {{ ?r <{SH.resultPath}> ?path_ FILTER (isIRI(?path_)) }}
                OPTIONAL {{ ?r <{SH.value}> ?value_ }}
                OPTIONAL {{ ?r <{SH.resultMessage}> ?wanted
                            FILTER (langMatches(lang(?wanted), {_string(lang)})) }}
                OPTIONAL {{ ?r <{SH.resultMessage}> ?english
                            FILTER (langMatches(lang(?english), "en")) }}
            }} }} GROUP BY ?r ORDER BY ?record ?path LIMIT {int(limit)}""",
    )
    results = [
        QuarantinedResult(
            record=row.get("record", ""),
            name=row.get("name"),
            path=row.get("path"),
            value=row.get("value"),
            severity=_local(row.get("severity", "")),
            message=row.get("own") or row.get("fallback"),
        )
        for row in rows
    ]
    return results, int(total["n"])


@dataclass(frozen=True)
class ChartLabels:
    """The words of a chart, in the reader's language. ``point`` is a format string with
    ``{date}`` and ``{rate}``: the text of each point."""

    title: str
    description: str
    x_axis: str
    y_axis: str
    point: str


_WIDTH, _HEIGHT = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 24, 20, 64


def conformance_chart(harvests: Sequence[HarvestQuality], labels: ChartLabels) -> str:
    """The conformance rate of each measured harvest over time, as an SVG line chart: time
    runs left to right (to scale), the rate from 0 % at the bottom to 100 % at the top."""
    points = [(h.started, h.conformance) for h in harvests if h.conformance is not None]
    inner_width = _WIDTH - _LEFT - _RIGHT
    inner_height = _HEIGHT - _TOP - _BOTTOM
    bottom = _TOP + inner_height
    first = points[0][0] if points else None
    span = (points[-1][0] - first).total_seconds() if points else 0

    def x(moment: datetime) -> float:
        if not span:
            return _LEFT + inner_width / 2
        return _LEFT + inner_width * (moment - first).total_seconds() / span

    def y(rate: float) -> float:
        return bottom - inner_height * rate

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        'class="trend" role="img" aria-labelledby="trend-title trend-desc">',
        f'<title id="trend-title">{escape(labels.title)}</title>',
        f'<desc id="trend-desc">{escape(labels.description)}</desc>',
        '<g class="grid" font-size="12" fill="currentColor">',
    ]
    for step in range(5):
        rate = step / 4
        parts.append(
            f'<line x1="{_LEFT}" x2="{_WIDTH - _RIGHT}" y1="{y(rate):.1f}" y2="{y(rate):.1f}" '
            'stroke="#ccc" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 8}" y="{y(rate) + 4:.1f}" text-anchor="end">{step * 25} %</text>'
        )
    for anchor, moment in _ticks(points):
        parts.append(
            f'<text x="{x(moment):.1f}" y="{bottom + 20}" text-anchor="{anchor}">'
            f"{moment.strftime('%Y-%m-%d %H:%M')}</text>"
        )
    parts += [
        "</g>",
        f'<text class="axis-label" x="{_LEFT + inner_width / 2:.1f}" y="{_HEIGHT - 12}" '
        f'text-anchor="middle" font-size="13" fill="currentColor">{escape(labels.x_axis)}</text>',
        f'<text class="axis-label" transform="translate(16 {_TOP + inner_height / 2:.1f}) '
        'rotate(-90)" text-anchor="middle" font-size="13" fill="currentColor">'
        f"{escape(labels.y_axis)}</text>",
    ]
    if len(points) > 1:
        line = " ".join(f"{x(moment):.1f},{y(rate):.1f}" for moment, rate in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#1a6e4a" stroke-width="2"/>')
    parts.append('<g class="points" fill="#1a6e4a">')
    for moment, rate in points:
        text = labels.point.format(date=moment.strftime("%Y-%m-%d %H:%M"), rate=f"{rate:.1%}")
        parts.append(
            f'<circle cx="{x(moment):.1f}" cy="{y(rate):.1f}" r="4" data-rate="{rate:.6f}">'
            f"<title>{escape(text)}</title></circle>"
        )
    parts += ["</g>", "</svg>"]
    return "\n".join(parts)


def _ticks(points: list[tuple[datetime, float]]) -> list[tuple[str, datetime]]:
    """The dates written under the axis: the first and the last harvest."""
    if not points:
        return []
    if points[0][0] == points[-1][0]:
        return [("middle", points[0][0])]
    return [("start", points[0][0]), ("end", points[-1][0])]


def _harvests(store: Store, graph: str, source_id: str | None) -> list[HarvestQuality]:
    only = f"VALUES ?id {{ {_string(source_id)} }}" if source_id is not None else ""
    optional = "\n".join(
        f"OPTIONAL {{ ?a <{term}> ?{name} }}"
        for name, term in {
            **_COUNTS,
            "end": PROV.endedAtTime,
            "outcome": HARVEST.outcome,
            "error": HARVEST.error,
        }.items()
    )
    rows = select(
        store,
        f"""SELECT * WHERE {{ GRAPH <{graph}> {{ {only}
            ?a <{HARVEST.sourceId}> ?id ; <{PROV.startedAtTime}> ?start .
            {optional} }} }} ORDER BY ?start ?a""",
    )
    return [
        HarvestQuality(
            activity=row["a"],
            source=row["id"],
            started=datetime.fromisoformat(row["start"]),
            ended=datetime.fromisoformat(row["end"]) if "end" in row else None,
            outcome=row.get("outcome"),
            error=row.get("error"),
            **{name: int(row.get(name, 0)) for name in _COUNTS},
        )
        for row in rows
    ]


def _by_count(count: ShapeCount) -> tuple:
    return (-count.count, count.shape)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _string(text: str) -> str:
    """A SPARQL string literal (JSON's escapes are SPARQL's)."""
    return json.dumps(text, ensure_ascii=False)


__all__ = [
    "ChartLabels",
    "HarvestQuality",
    "Latest",
    "QuarantinedResult",
    "ShapeCount",
    "conformance_chart",
    "history",
    "latest",
    "quarantined_results",
]
