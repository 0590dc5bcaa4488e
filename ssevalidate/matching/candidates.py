"""Candidate pairs without comparing every record with every other one.

Each rule compares only records that already share something (blocking):

- shared-identifier: records grouped by (scheme, notation key); every pair of a group fires;
- website-domain: records grouped by host; every pair of a group fires;
- name-and-distance: records placed in a grid of 100 m cubes over the Earth-centred 3-D
  coordinates of their points; a record is compared with those of its own and the 26
  neighbouring cubes. Two points at most 100 m apart along the surface are less than 100 m
  apart in a straight line, so they are in neighbouring cubes, at any latitude and across the
  antimeridian (a latitude/longitude grid needs special cases near the poles).

A group larger than :data:`CROWDED` is skipped and counted: a host or a number that many
records share (a federation's website for all its members, a placeholder notation such as
``0``) says nothing about any two of them, and its pairs would flood the review.

>>> from ssevalidate.matching.records import Record
>>> found = find_candidates([
...     Record("https://a.example/1", websites=("https://www.x.coop/",)),
...     Record("https://b.example/7", websites=("http://x.coop/about",)),
... ])
>>> found.pairs
{('https://a.example/1', 'https://b.example/7'): {'website-domain': 0.7}}
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from ssevalidate.matching import rules
from ssevalidate.matching.records import Record

CROWDED = 20
"""Records beyond which an identifier or website group is skipped as uninformative."""

Pair = tuple[str, str]
"""Two record IRIs, in order."""


@dataclass
class Candidates:
    """Every pair some rule proposes, with each rule's score; groups skipped, per rule."""

    pairs: dict[Pair, dict[str, float]] = field(default_factory=dict)
    crowded: dict[str, int] = field(default_factory=dict)


def find_candidates(records: Iterable[Record]) -> Candidates:
    """The pairs of ``records`` (distinct IRIs) that at least one rule proposes."""
    records = list(records)
    found = Candidates()

    def propose(a: Record, b: Record, rule: str, score: float) -> None:
        pair = (a.iri, b.iri) if a.iri < b.iri else (b.iri, a.iri)
        found.pairs.setdefault(pair, {})[rule] = score

    for rule, keys in (
        (rules.SHARED_IDENTIFIER, rules.identifier_keys),
        (rules.WEBSITE_DOMAIN, rules.website_domains),
    ):
        for group in _groups(records, keys):
            if len(group) > CROWDED:
                found.crowded[rule] = found.crowded.get(rule, 0) + 1
                continue
            for a, b in itertools.combinations(group, 2):
                propose(a, b, rule, rules.SCORES[rule])
    for a, b in _neighbours(records):
        score = rules.name_and_distance(a, b)
        if score is not None:
            propose(a, b, rules.NAME_AND_DISTANCE, score)
    found.pairs = dict(sorted(found.pairs.items()))
    return found


def _groups(records: list[Record], keys) -> Iterator[list[Record]]:
    """Records sharing a key, each group of two or more once."""
    groups: dict[Hashable, list[Record]] = defaultdict(list)
    for record in records:
        for key in keys(record):
            groups[key].append(record)
    return (group for group in groups.values() if len(group) > 1)


def _cube(lat: float, long: float) -> tuple[int, int, int]:
    phi, lam = math.radians(lat), math.radians(long)
    side = rules.RADIUS_M
    radius = rules.EARTH_RADIUS_M
    return (
        math.floor(radius * math.cos(phi) * math.cos(lam) / side),
        math.floor(radius * math.cos(phi) * math.sin(lam) / side),
        math.floor(radius * math.sin(phi) / side),
    )


_AROUND = list(itertools.product((-1, 0, 1), repeat=3))


def _neighbours(records: list[Record]) -> Iterator[tuple[Record, Record]]:
    """Each pair of named records with coordinates in neighbouring cubes, once."""
    grid: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    placed = [r for r in records if r.names and r.lat is not None and r.long is not None]
    cubes = [_cube(r.lat, r.long) for r in placed]
    for index, cube in enumerate(cubes):
        grid[cube].append(index)
    for index, (x, y, z) in enumerate(cubes):
        for dx, dy, dz in _AROUND:
            for other in grid.get((x + dx, y + dy, z + dz), ()):
                if other > index:
                    yield placed[index], placed[other]


__all__ = ["CROWDED", "Candidates", "Pair", "find_candidates"]
