"""Content negotiation shared by the validation API, the linked-data routes and /sparql."""

from __future__ import annotations

import pytest

from ssevalidate.mediatypes import accept_ranges, negotiate, quality

OFFERS = ["application/json", "text/html", "text/csv"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/*", "text/html"),
        ("text/*;q=0.5, text/csv", "text/csv"),
        ("application/json;q=0.2, text/csv;q=0.9", "text/csv"),
        ("*/*;q=1, text/csv;q=1", "text/csv"),  # equal q: the more specific range wins
        ("image/png", None),
        ("text/csv;q=0", None),
    ],
)
def test_negotiate(header, expected):
    assert negotiate(header, OFFERS) == expected


def test_offers_known_by_several_media_types():
    offers = [
        ("json", ("application/sparql-results+json", "application/json")),
        ("xml", ("application/sparql-results+xml",)),
    ]
    assert negotiate("application/json", offers, lambda offer: offer[1])[0] == "json"


def test_ranges_and_quality():
    assert accept_ranges("Text/HTML;q=0.5, */*;q=oops, a/b;q=7") == [
        ("text/html", 0.5),
        ("*/*", 0.0),
        ("a/b", 1.0),
    ]
    assert quality(None, "text/html") == 1.0
    assert quality("image/png", "text/html") == 0.0
