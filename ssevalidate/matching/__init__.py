"""The same organisation in several directories: propose matches, record decisions on them.

After the harvests, :func:`match` compares the records of every source graph
(``<base>sources/<id>``), between sources and within one (an organisation listed twice), by
three rules (:mod:`ssevalidate.matching.rules`: shared identifier, website domain, similar
name within 100 m, each with its score), without comparing every record with every other
(:mod:`ssevalidate.matching.candidates`). Each pair becomes an ``sse:Match`` in
``<base>matches`` with an IRI derived from the two records, so re-running updates and never
duplicates (:mod:`ssevalidate.matching.graphs`). Reviewers confirm or reject matches; the
decisions live in their own graph and survive re-harvests and re-runs
(:mod:`ssevalidate.matching.decisions`). :func:`matches` lists them for review, and
:func:`same_as` derives the ``owl:sameAs`` view of the confirmed ones.

>>> from ssevalidate.matching import decide, match, matches, same_as
>>> run = match(store, "urn:sse:harvest:")                               # doctest: +SKIP
>>> run.pairs, run.by_rule                                               # doctest: +SKIP
(321, {'shared-identifier': 0, 'website-domain': 316, 'name-and-distance': 57})
>>> page = matches(store, "urn:sse:harvest:", "open")                    # doctest: +SKIP
>>> decide(store, "urn:sse:harvest:", page.matches[0].iri, "confirmed", by="Ana")
... # doctest: +SKIP
>>> same_as(store, "urn:sse:harvest:")                                   # doctest: +SKIP
[('https://dev.lod.coop/ica/1106', 'https://ica.example/csv/19482')]
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from ssevalidate.matching.candidates import CROWDED, find_candidates
from ssevalidate.matching.decisions import (
    CONFIRMED,
    DECISIONS,
    REJECTED,
    Decision,
    UnknownMatch,
    decide,
    same_as,
    same_as_query,
    same_as_triples,
)
from ssevalidate.matching.graphs import (
    Computed,
    decisions_graph,
    match_iri,
    match_key,
    matches_graph,
    read_computed,
    write_computed,
)
from ssevalidate.matching.records import RecordView, read_records, sources
from ssevalidate.matching.review import (
    OPEN,
    PER_PAGE,
    STATUSES,
    MatchPage,
    MatchView,
    match_view,
    matches,
)
from ssevalidate.matching.rules import RULES, SCORES, combined
from ssevalidate.store import Store


@dataclass
class MatchRun:
    """What one run found: records compared, pairs proposed (in all, and per rule: a pair
    two rules propose counts for both), pairs new since the last run and gone from it, and
    groups skipped as too common (per rule; see :data:`CROWDED`)."""

    records: int = 0
    pairs: int = 0
    by_rule: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    new: int = 0
    gone: int = 0
    crowded: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def match(store: Store, base: str) -> MatchRun:
    """Propose matches between the records of the source graphs under ``base`` and replace
    the graph of computed matches with them (decisions are not touched)."""
    started = time.perf_counter()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    records = read_records(store, base)
    found = find_candidates(records)
    sources_of = {record.iri: record.sources for record in records}
    previous = read_computed(store, base)
    run = MatchRun(records=len(records), pairs=len(found.pairs), crowded=found.crowded)
    computed: dict[str, Computed] = {}
    for (a, b), scores in found.pairs.items():
        iri = match_iri(base, match_key(a, b))
        proposal = Computed(
            records=(a, b),
            rules=frozenset(scores),
            score=Decimal(str(combined(scores.values()))),
            sources=frozenset(sources_of[a]) | frozenset(sources_of[b]),
            generated=now,
        )
        before = previous.get(iri)
        if before is not None and before == dataclasses.replace(
            proposal, generated=before.generated
        ):
            proposal = before  # unchanged: keep the time it was first proposed
        computed[iri] = proposal
        for rule in scores:
            run.by_rule[rule] += 1
    run.new = len(computed.keys() - previous.keys())
    run.gone = len(previous.keys() - computed.keys())
    write_computed(store, base, computed)
    run.seconds = round(time.perf_counter() - started, 3)
    return run


__all__ = [
    "CONFIRMED",
    "CROWDED",
    "DECISIONS",
    "OPEN",
    "PER_PAGE",
    "REJECTED",
    "RULES",
    "SCORES",
    "STATUSES",
    "Decision",
    "MatchPage",
    "MatchRun",
    "MatchView",
    "RecordView",
    "UnknownMatch",
    "decide",
    "decisions_graph",
    "match",
    "match_iri",
    "match_key",
    "match_view",
    "matches",
    "matches_graph",
    "same_as",
    "same_as_query",
    "same_as_triples",
    "sources",
]
