"""Matches as a reviewer sees them: by status and source, a page at a time, with both records.

Statuses: ``open`` (proposed by the last run, no decision yet), ``confirmed`` and ``rejected``
(the decision in force). Open matches come best score first, decided ones latest decision
first; a decided match no rule proposes any more is ``stale``.

>>> page = matches(store, "urn:sse:harvest:", "open", 1, source="ica-csv")  # doctest: +SKIP
>>> page.total, page.pages, page.matches[0].score, page.matches[0].rules   # doctest: +SKIP
(297, 12, 0.97, ['name-and-distance', 'website-domain'])
>>> [(r.source, r.name) for r in page.matches[0].records]                  # doctest: +SKIP
[('ica-map', 'Cooperativa de Trabajos Portuarios Limitada de San Martin (Coop Portuaria)'),
 ('ica-csv', 'Cooperativa de Trabajos Portuarios Limitada de San Martin (Coop Portuaria)')]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from ssevalidate.harvest.storeio import select
from ssevalidate.matching.decisions import DECISIONS, in_force
from ssevalidate.matching.graphs import KEY, decisions_graph, key_of, matches_graph
from ssevalidate.matching.records import PREFIXES, RecordView, describe, iri_values, source_graph
from ssevalidate.matching.rules import RULES, haversine_m
from ssevalidate.store import Store

OPEN = "open"
STATUSES = (OPEN, *DECISIONS)
"""``open``, ``confirmed``, ``rejected``."""
PER_PAGE = 25


@dataclass
class MatchView:
    """One match: its records side by side, what proposed it, what was decided."""

    iri: str
    key: str
    status: str
    records: list[RecordView] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    """Codes of the rules proposing it in the last run; empty when none does any more."""
    score: float | None = None
    found: str | None = None
    """When the last run's proposal was first made."""
    decided_by: str | None = None
    decided_at: str | None = None
    stale: bool = False
    """Decided, but no rule proposes the pair any more."""
    distance_m: float | None = None


@dataclass
class MatchPage:
    """One page of matches of one status."""

    status: str
    source: str | None
    page: int
    per_page: int
    total: int
    matches: list[MatchView]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def matches(
    store: Store,
    base: str,
    status: str = OPEN,
    page: int = 1,
    *,
    source: str | None = None,
    per_page: int = PER_PAGE,
) -> MatchPage:
    """Page ``page`` (from 1) of the matches with ``status``, only those touching the source
    ``source`` (its id) if given. ValueError for an unknown status or a malformed source id."""
    if status not in STATUSES:
        raise ValueError(f"a status is one of {', '.join(STATUSES)}, not {status!r}")
    page = max(1, page)
    graph = source_graph(base, source) if source else None
    if status == OPEN:
        touching = f"?match dcterms:source <{graph}> ." if graph else ""
        where = f"""GRAPH <{matches_graph(base)}> {{
    ?match a sse:Match ; sse:matchScore ?score . {touching} }}
  FILTER NOT EXISTS {{ GRAPH <{decisions_graph(base)}> {{ ?any prov:specializationOf ?match }} }}"""
        order = "DESC(?score) STR(?match)"
    else:
        touching = (
            f"GRAPH <{decisions_graph(base)}> {{ ?decided dcterms:source <{graph}> }}"
            if graph
            else ""
        )
        where = f"{in_force(base)}\n  FILTER(?concept = <{DECISIONS[status]}>)\n  {touching}"
        order = "DESC(?decidedAt) STR(?match)"
    counted = select(store, PREFIXES + f"SELECT (COUNT(DISTINCT ?match) AS ?n) WHERE {{ {where} }}")
    rows = select(
        store,
        PREFIXES + f"SELECT ?match WHERE {{ {where} }} ORDER BY {order} "
        f"LIMIT {per_page} OFFSET {(page - 1) * per_page}",
    )
    views = _views(store, base, [row["match"] for row in rows])
    return MatchPage(
        status=status,
        source=source,
        page=page,
        per_page=per_page,
        total=int(counted[0]["n"]),
        matches=[views[row["match"]] for row in rows if row["match"] in views],
    )


def match_view(store: Store, base: str, iri: str) -> MatchView | None:
    """The match ``iri`` (a valid match IRI), or None when no run proposed it and nobody
    decided on it."""
    if not (iri.startswith(matches_graph(base) + "/") and KEY.fullmatch(key_of(iri))):
        return None
    return _views(store, base, [iri]).get(iri)


_CODES = {concept: code for code, concept in RULES.items()}
_DECISION_CODES = {concept: code for code, concept in DECISIONS.items()}


def _views(store: Store, base: str, iris: Iterable[str]) -> dict[str, MatchView]:
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    values = f"VALUES ?match {{ {iri_values(iris)} }}"
    views: dict[str, MatchView] = {}
    records: dict[str, set[str]] = {}
    computed = select(
        store,
        PREFIXES
        + f"""SELECT ?match ?record ?rule ?score ?at WHERE {{ {values}
  GRAPH <{matches_graph(base)}> {{ ?match sse:matchedRecord ?record ; sse:matchRule ?rule ;
      sse:matchScore ?score ; prov:generatedAtTime ?at }} }}""",
    )
    for row in computed:
        view = views.setdefault(row["match"], MatchView(row["match"], key_of(row["match"]), OPEN))
        records.setdefault(view.iri, set()).add(row["record"])
        code = _CODES.get(row["rule"], row["rule"])
        if code not in view.rules:
            view.rules.append(code)
        view.score, view.found = float(row["score"]), row["at"]
    decided = select(
        store,
        PREFIXES
        + f"""SELECT ?match ?concept ?decidedAt ?agent ?label ?record WHERE {{ {values}
  {in_force(base)}
  GRAPH <{decisions_graph(base)}> {{
    ?decided sse:matchedRecord ?record .
    OPTIONAL {{ ?decided prov:wasAttributedTo ?agent . OPTIONAL {{ ?agent rdfs:label ?label }} }}
  }} }}""",
    )
    for row in decided:
        view = views.setdefault(row["match"], MatchView(row["match"], key_of(row["match"]), OPEN))
        view.stale = not view.rules
        view.status = _DECISION_CODES.get(row["concept"], OPEN)
        view.decided_at = row["decidedAt"]
        view.decided_by = row.get("label") or row.get("agent")
        records.setdefault(view.iri, set()).add(row["record"])
    described = describe(store, base, {iri for pair in records.values() for iri in pair})
    for iri, view in views.items():
        view.rules.sort()
        view.records = [described[record] for record in sorted(records[iri])]
        points = [(r.lat, r.long) for r in view.records if r.lat is not None]
        if len(points) == 2:
            view.distance_m = round(haversine_m(*points[0], *points[1]), 1)
    return views


__all__ = ["OPEN", "PER_PAGE", "STATUSES", "MatchPage", "MatchView", "match_view", "matches"]
