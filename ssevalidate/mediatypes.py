"""HTTP content negotiation (RFC 9110, 12.5.1), one implementation for every endpoint.

>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["application/json", "text/html"])
'text/html'
>>> negotiate("image/png", ["application/json"]) is None
True
>>> quality("text/*;q=0.5, text/csv", "text/plain")
0.5
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

Offer = TypeVar("Offer")


def accept_ranges(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` → ``[(media range, q)]``, ranges lower-cased, q clamped to 0..1 (unreadable q: 0)."""
    ranges = []
    for part in (header or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def match(
    ranges: list[tuple[str, float]], media_types: str | Iterable[str]
) -> tuple[int, float] | None:
    """(specificity, q) of the most specific range covering a representation known by one or
    more media types: 2 exact, 1 ``type/*``, 0 ``*/*``; ``None`` when no range covers it."""
    names = [media_types] if isinstance(media_types, str) else list(media_types)
    found: tuple[int, float] | None = None
    for media, q in ranges:
        if media in names:
            specificity = 2
        elif media.endswith("/*") and any(name.startswith(media[:-1]) for name in names):
            specificity = 1
        elif media in ("*/*", "*"):
            specificity = 0
        else:
            continue
        if found is None or (specificity, q) > found:
            found = (specificity, q)
    return found


def quality(header: str | None, media_types: str | Iterable[str]) -> float:
    """How much ``header`` likes a representation: 1 when there is no header, 0 when nothing covers it."""
    if not header or not header.strip():
        return 1.0
    found = match(accept_ranges(header), media_types)
    return 0.0 if found is None else found[1]


def negotiate(
    header: str | None,
    offers: Sequence[Offer],
    media_types: Callable[[Offer], str | Iterable[str]] = lambda offer: offer,  # type: ignore[assignment,return-value]
) -> Offer | None:
    """The offer ``header`` prefers: highest q, then the most specific range, then the order of
    ``offers``. The first offer when there is no header; ``None`` when none is acceptable."""
    if not offers:
        return None
    if not header or not header.strip():
        return offers[0]
    ranges = accept_ranges(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        found = match(ranges, media_types(offer))
        if found is None or found[1] <= 0:
            continue
        score = (found[1], found[0], -index)
        if best is None or score > best:
            best, chosen = score, offer
    return chosen
