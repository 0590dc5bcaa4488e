"""The rules that propose a match between two records, and the score each one gives.

=====================  =========================================================  ============
rule (match-rules)     fires when                                                 score
=====================  =========================================================  ============
shared-identifier      both carry an ``sse:identifier`` with the same scheme and  0.95
                       notation (a register number, an LEI, a Wikidata item)
website-domain         their websites are on the same host, shared platforms      0.70
                       excepted (``shared-hosts.txt``): DCC's ``.coop`` matching
name-and-distance      similar names at most 100 m apart (Karte von Morgen)       0.50 to 0.90
=====================  =========================================================  ============

The name-and-distance score grows with the likeness of the names and the nearness of the
places: ``0.5 + 0.3 * (1 - edits / longer length) + 0.1 * (1 - metres / 100)``. A pair
several rules propose scores ``1 - product(1 - score)``: identifier and website give 0.985.
Identifiers are the strongest evidence (a register assigns one number to one organisation);
a website host is weaker (one site can serve a federation and its members, FIELD-NOTES 1.10:
"only approximately true"); names and places are weakest (two co-ops in one building).

What is compared, after normalising:

- notations: spaces removed, case folded, and leading zeros of an all-digit notation dropped
  (Companies House numbers are written ``04711097`` and ``4711097``);
- websites: the host only, lower case, without ``www.``, with or without a scheme
  (``www.x.coop/about`` and ``HTTPS://X.coop/`` are ``x.coop``). Subdomains are different
  hosts: without the public suffix list, ``a.example.co.uk`` and ``b.example.co.uk`` cannot be
  told apart from ``a.co.uk`` and ``b.co.uk``;
- names: accents removed, case folded, every run of characters other than letters and digits
  made one space. Two names are similar (FIELD-NOTES 1.9, ``find_duplicates.rs`` of Karte von
  Morgen) when their Levenshtein distance is at most ``ceil(0.3 * shorter length)``, or
  when they are equal except for at most 2 words: at most two words of the name with more
  words are missing from the other. Unlike Karte von Morgen, that second test also asks for
  one word in common ("Bakery" and "Town Hall" differ by two words, and share none);
- places: great-circle distance (haversine, mean Earth radius) between the records'
  ``geo:lat``/``geo:long``, taken from the address when the record has none.

>>> from ssevalidate.matching.records import Record
>>> a = Record("https://a.example/1", names=("Bäckerei Sonne eG",), lat=52.52, long=13.405)
>>> b = Record("https://b.example/9", names=("Baeckerei Sonne",), lat=52.5205, long=13.405)
>>> round(distance_m(a, b)), name_and_distance(a, b)
(56, 0.774)
>>> website_domain("HTTPS://www.Example.coop/about/"), website_domain("facebook.com/acoop")
('example.coop', None)
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from rapidfuzz.distance import Levenshtein

from ssevalidate.matching.records import Record
from ssevalidate.namespaces import concept_iri

SHARED_IDENTIFIER = "shared-identifier"
WEBSITE_DOMAIN = "website-domain"
NAME_AND_DISTANCE = "name-and-distance"
RULES: dict[str, str] = {
    code: concept_iri("match-rules", code)
    for code in (SHARED_IDENTIFIER, WEBSITE_DOMAIN, NAME_AND_DISTANCE)
}
"""Each rule's code → its concept in the match-rules taxonomy."""

SCORES = {SHARED_IDENTIFIER: 0.95, WEBSITE_DOMAIN: 0.70}
"""The fixed scores; name-and-distance computes its own (see the module's text)."""

RADIUS_M = 100.0
"""The farthest two records named alike may be, in metres (Karte von Morgen's radius)."""
EARTH_RADIUS_M = 6_371_008.8
"""The mean Earth radius (IUGG), in metres."""
EDIT_RATIO = 0.3
"""Edits allowed per character of the shorter name."""
DIFFERENT_WORDS = 2
"""Words the longer name may have that the other lacks."""

SHARED_HOSTS_FILE = Path(__file__).with_name("shared-hosts.txt")


def shared_identifier(a: Record, b: Record) -> float | None:
    """The score of the shared-identifier rule for ``a`` and ``b``, or None if it does not fire."""
    return SCORES[SHARED_IDENTIFIER] if identifier_keys(a) & identifier_keys(b) else None


def same_website(a: Record, b: Record) -> float | None:
    """The score of the website-domain rule for ``a`` and ``b``, or None if it does not fire."""
    return SCORES[WEBSITE_DOMAIN] if website_domains(a) & website_domains(b) else None


def name_and_distance(a: Record, b: Record) -> float | None:
    """The score of the name-and-distance rule for ``a`` and ``b``, or None if it does not fire."""
    metres = distance_m(a, b)
    if metres is None or metres > RADIUS_M:
        return None
    likeness = max(
        (
            name_likeness(x, y)
            for x in filter(None, map(normalise_name, a.names))
            for y in filter(None, map(normalise_name, b.names))
            if similar_names(x, y)
        ),
        default=None,
    )
    if likeness is None:
        return None
    return round(0.5 + 0.3 * likeness + 0.1 * (1 - metres / RADIUS_M), 3)


def combined(scores: Iterable[float]) -> float:
    """The score of a pair several rules propose: the chance that not all of them are wrong."""
    return round(1 - math.prod(1 - score for score in scores), 3)


# --- identifiers ---------------------------------------------------------------------------------


def notation_key(notation: str) -> str:
    """A notation as compared: no spaces, case folded, no leading zeros if all digits."""
    key = "".join(notation.split()).casefold()
    return (key.lstrip("0") or "0") if key.isdigit() else key


def identifier_keys(record: Record) -> set[tuple[str, str]]:
    """(scheme, notation key) of each identifier of ``record``."""
    return {
        (scheme, key) for scheme, notation in record.identifiers if (key := notation_key(notation))
    }


# --- websites ------------------------------------------------------------------------------------


@functools.cache
def _shared_hosts() -> tuple[frozenset[str], frozenset[str]]:
    """(hosts shared with every host under them, platforms whose subdomains are sites)."""
    whole, platforms = set(), set()
    for line in SHARED_HOSTS_FILE.read_text(encoding="utf-8").splitlines():
        entry = line.strip().lower()
        if not entry or entry.startswith("#"):
            continue
        if entry.startswith("*."):
            platforms.add(entry[2:])
        else:
            whole.add(entry)
    return frozenset(whole), frozenset(platforms)


def is_shared_host(host: str) -> bool:
    """Whether ``host`` (normalised) serves many organisations (``shared-hosts.txt``)."""
    whole, platforms = _shared_hosts()
    labels = host.split(".")
    return host in platforms or any(".".join(labels[i:]) in whole for i in range(len(labels)))


@functools.lru_cache(maxsize=1 << 16)
def website_domain(url: str) -> str | None:
    """The host of ``url`` as compared, or None when it has none or it is a shared host."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text  # directories often leave the scheme out: "www.x.coop"
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    host = (host or "").rstrip(".").removeprefix("www.")
    if "." not in host or is_shared_host(host):
        return None
    return host


def website_domains(record: Record) -> set[str]:
    """The hosts of ``record``'s websites, shared ones left out."""
    return {domain for url in record.websites if (domain := website_domain(url))}


# --- names ---------------------------------------------------------------------------------------

_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


@functools.lru_cache(maxsize=1 << 16)
def normalise_name(name: str) -> str:
    """``name`` as compared: without accents, case folded, one space between words."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", plain).split())


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Single-character insertions, deletions and substitutions turning ``a`` into ``b``; when
    more than ``limit`` are needed, ``limit + 1`` (and the count stops early). Computed by
    rapidfuzz: records geocoded to one town centre are all neighbours, so a run compares
    hundreds of thousands of names."""
    return Levenshtein.distance(a, b, score_cutoff=limit)


def similar_names(a: str, b: str) -> bool:
    """Whether two normalised names are similar: few edits apart, or equal but for few words."""
    if not a or not b:
        return False
    limit = math.ceil(EDIT_RATIO * min(len(a), len(b)))
    return levenshtein(a, b, limit) <= limit or _equal_but_words(a.split(), b.split())


def _equal_but_words(a: list[str], b: list[str]) -> bool:
    if len(a) == 1 and len(b) == 1:
        return False
    fewer, more = sorted((a, b), key=len)
    known = set(fewer)
    if known.isdisjoint(more):
        return False
    return sum(word not in known for word in more) <= DIFFERENT_WORDS


def name_likeness(a: str, b: str) -> float:
    """1 for equal normalised names, down to 0 when every character must change."""
    longer = max(len(a), len(b))
    return 1 - levenshtein(a, b) / longer if longer else 0.0


# --- places --------------------------------------------------------------------------------------


def distance_m(a: Record, b: Record) -> float | None:
    """The great-circle distance between ``a`` and ``b`` in metres, None unless both have
    coordinates."""
    if a.lat is None or a.long is None or b.lat is None or b.long is None:
        return None
    return haversine_m(a.lat, a.long, b.lat, b.long)


def haversine_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """The great-circle distance between two points given in degrees, in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(long2 - long1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


__all__ = [
    "NAME_AND_DISTANCE",
    "RADIUS_M",
    "RULES",
    "SCORES",
    "SHARED_IDENTIFIER",
    "WEBSITE_DOMAIN",
    "combined",
    "distance_m",
    "haversine_m",
    "identifier_keys",
    "is_shared_host",
    "levenshtein",
    "name_and_distance",
    "name_likeness",
    "normalise_name",
    "notation_key",
    "same_website",
    "shared_identifier",
    "similar_names",
    "website_domain",
    "website_domains",
]
