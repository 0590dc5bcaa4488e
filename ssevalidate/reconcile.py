"""Reconciliation: any way of naming a taxonomy concept → the concept, with a confidence.

Understands our IRIs, ESSGlobal IRIs under every base it was published under, prefixed names,
bare codes (``OS115``), and labels in any language including altLabels, with case, accents,
punctuation, spacing, plural variants and small typos forgiven.

>>> from ssevalidate.reconcile import reconciler
>>> best = reconciler().best("Co-operative", schemes=["organisational-structure"])
>>> best.concept.code, best.confidence >= 0.9
('OS115', True)
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.namespace import SKOS

from ssevalidate.namespaces import (
    ESSGLOBAL_SCHEME_NAMES,
    ESSGLOBAL_STANDARD_BASES,
    TAXONOMY,
)
from ssevalidate.resources import taxonomy_triples

CONFIDENT = 0.8
"""Below this, a value is kept as it is and reported with suggestions."""

_IN_SCHEME, _NOTATION, _PREF_LABEL, _EXACT_MATCH = (
    str(SKOS.inScheme),
    str(SKOS.notation),
    str(SKOS.prefLabel),
    str(SKOS.exactMatch),
)
_LABELS = (_PREF_LABEL, str(SKOS.altLabel), str(SKOS.hiddenLabel))
_INVERTED = re.compile(r"(.+?),\s*(.+\bof(?: the)?)", re.IGNORECASE)


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str
    code: str
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class Candidate:
    concept: Concept
    confidence: float
    reason: str


def normalise(text: str) -> str:
    """Case, accents, punctuation and spacing removed: ``"Multi - stakeholders"`` → ``"multistakeholders"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[\W_]+", "", stripped)


def _singular(key: str) -> str:
    for ending, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        if key.endswith(ending) and len(key) > len(ending) + 3:
            return key[: -len(ending)] + replacement
    return key


Described = Mapping[str, Mapping[str, Sequence[ox.NamedNode | ox.BlankNode | ox.Literal]]]
"""subject IRI → predicate IRI → objects: the taxonomies as the reconciler reads them."""


class Reconciler:
    """An index over concept schemes; build it once (see :func:`reconciler`)."""

    def __init__(self, described: Described) -> None:
        self.concepts: dict[str, Concept] = {}
        self._by_code: dict[str, set[str]] = defaultdict(set)
        self._by_label: dict[str, set[str]] = defaultdict(set)
        self._by_singular: dict[str, set[str]] = defaultdict(set)
        self._aliases: dict[str, str] = {}
        for iri, properties in described.items():
            schemes = properties.get(_IN_SCHEME)
            if not schemes or not schemes[0].value.startswith(TAXONOMY):
                continue
            scheme = schemes[0].value[len(TAXONOMY) :]
            notations = properties.get(_NOTATION)
            code = notations[0].value if notations else iri.rsplit("/", 1)[-1]
            labels = {
                label.language: label.value
                for label in properties.get(_PREF_LABEL, ())
                if type(label) is ox.Literal and label.language
            }
            self.concepts[iri] = Concept(iri, scheme, code, labels)
            self._by_code[code.casefold()].add(iri)
            for predicate in _LABELS:
                for label in properties.get(predicate, ()):
                    key = normalise(label.value)
                    if key:
                        self._by_label[key].add(iri)
                        self._by_singular[_singular(key)].add(iri)
            for match in properties.get(_EXACT_MATCH, ()):
                for variant in _essglobal_variants(match.value):
                    self._aliases[variant] = iri

    def concept(self, iri: str) -> Concept | None:
        """Our concept for one of our IRIs or an ESSGlobal IRI under any base."""
        found = self.concepts.get(iri)
        if found is None and iri in self._aliases:
            found = self.concepts[self._aliases[iri]]
        return found

    def candidates(self, value: str, schemes: Iterable[str] | None = None) -> list[Candidate]:
        """Every plausible concept for ``value``, best first; restricted to ``schemes`` if given."""
        wanted = set(schemes) if schemes else None
        found: dict[str, Candidate] = {}

        def offer(iris: Iterable[str], confidence: float, reason: str) -> None:
            for iri in iris:
                concept = self.concepts[iri]
                if wanted is not None and concept.scheme not in wanted:
                    continue
                if iri not in found or found[iri].confidence < confidence:
                    found[iri] = Candidate(concept, confidence, reason)

        text = value.strip()
        direct = self.concept(text)
        if direct is not None:
            offer([direct.iri], 1.0, "iri" if direct.iri == text else "essglobal-iri")
        code, scheme_hint = _code_of(text)
        if code:
            iris = self._by_code.get(code.casefold(), set())
            if scheme_hint:
                iris = {iri for iri in iris if self.concepts[iri].scheme == scheme_hint} or iris
            offer(iris, 0.95 if code == text else 0.9, "code")
        key = normalise(text)
        if key:
            offer(self._by_label.get(key, ()), 0.95, "label")
            offer(self._by_singular.get(_singular(key), ()), 0.9, "plural")
            if not found:
                self._inverted(text, offer)
            if not found and len(key) >= 4:
                self._fuzzy(key, offer)
        return sorted(found.values(), key=lambda c: (-c.confidence, c.concept.iri))

    def best(self, value: str, schemes: Iterable[str] | None = None) -> Candidate | None:
        """The best candidate, or ``None``."""
        candidates = self.candidates(value, schemes)
        return candidates[0] if candidates else None

    def _inverted(self, text: str, offer) -> None:
        """ISO 3166 and registries write long names inverted ("Tanzania, United Republic of"):
        the name put back in order, else its head alone."""
        match = _INVERTED.fullmatch(text)
        if match:
            head, qualifier = match.groups()
            offer(self._by_label.get(normalise(f"{qualifier} {head}"), ()), 0.9, "inverted")
            offer(self._by_label.get(normalise(head), ()), 0.85, "inverted-head")

    def _fuzzy(self, key: str, offer) -> None:
        pool = self._by_label.keys()
        for close in difflib.get_close_matches(key, pool, n=5, cutoff=0.8):
            ratio = difflib.SequenceMatcher(None, key, close).ratio()
            offer(self._by_label[close], round(0.85 * ratio, 3), "typo")


def _code_of(text: str) -> tuple[str | None, str | None]:
    """The code in an IRI, a prefixed name or a bare code, and the scheme the IRI names."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}", text):
        return text, None
    match = re.search(r"(?:standard|taxonomy)/([a-z-]+)/([^/#?\s]+)$", text)
    if match:
        scheme = ESSGLOBAL_SCHEME_NAMES.get(match.group(1), match.group(1))
        return match.group(2), scheme
    match = re.fullmatch(r"[A-Za-z][\w.-]*:([A-Za-z0-9][\w.-]*)", text)
    if match:
        return match.group(1), None
    return None, None


def _essglobal_variants(iri: str) -> list[str]:
    """An ESSGlobal concept IRI as it appears under every base (and the old scheme names)."""
    for base in ESSGLOBAL_STANDARD_BASES:
        if iri.startswith(base):
            rest = iri[len(base) :]
            break
    else:
        return [iri]
    scheme, _, code = rest.partition("/")
    schemes = {scheme, *(old for old, new in ESSGLOBAL_SCHEME_NAMES.items() if new == scheme)}
    return [f"{base}{name}/{code}" for base in ESSGLOBAL_STANDARD_BASES for name in schemes]


@functools.cache
def reconciler() -> Reconciler:
    """The reconciler over our taxonomies, built once per process (read with pyoxigraph: an
    rdflib graph of them took three times as long)."""
    described: dict[str, dict[str, list]] = {}
    for subject, predicate, obj, _ in taxonomy_triples():
        if type(subject) is ox.NamedNode:
            properties = described.setdefault(subject.value, {})
            properties.setdefault(predicate.value, []).append(obj)
    return Reconciler(described)
