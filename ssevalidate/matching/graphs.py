"""Where matches live: their IRIs, and the graph of computed matches.

- ``<base>matches``: the matches the rules propose, rewritten whole by each run;
- ``<base>matches/decisions``: what reviewers decided (:mod:`ssevalidate.matching.decisions`),
  never touched by a run, so decisions outlive re-harvests and re-runs.

A match's IRI is ``<base>matches/<key>``, the key the first 32 hex digits of the SHA-256 of
the two record IRIs in order: the same pair always gets the same IRI, so a run replaces a
match instead of adding a second one, and a decision finds its match again after any re-run.

Each computed match, in ``<base>matches``::

    <base>matches/<key> a sse:Match ;
        sse:matchedRecord <record-a>, <record-b> ;
        sse:matchRule <https://w3id.org/sse/taxonomy/match-rules/website-domain> ;  # one per rule
        sse:matchScore 0.7 ;
        dcterms:source <base>sources/ica, <base>sources/kvm ;   # the sources of the two records
        prov:generatedAtTime "2026-11-28T10:00:00Z"^^xsd:dateTime .

The time is that of the run that first proposed the match with these rules, score and sources,
so running again on unchanged data writes the same graph.

>>> match_iri("urn:sse:harvest:", match_key("https://a.example/1", "https://b.example/7"))
'urn:sse:harvest:matches/4d714c854758ba2b3450d17a4ce0d256'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ssevalidate.harvest.storeio import Triple, ntriples, select
from ssevalidate.matching.records import PREFIXES
from ssevalidate.matching.rules import RULES
from ssevalidate.namespaces import SSE
from ssevalidate.store import Store

KEY = re.compile(r"[0-9a-f]{32}")
"""What a match key looks like."""


def matches_graph(base: str) -> str:
    """The graph of computed matches."""
    return f"{base}matches"


def decisions_graph(base: str) -> str:
    """The graph of decisions, apart from the computed matches."""
    return f"{base}matches/decisions"


def match_key(a: str, b: str) -> str:
    """The key of the match between records ``a`` and ``b`` (in either order)."""
    first, second = sorted((a, b))
    return hashlib.sha256(f"{first}\n{second}".encode()).hexdigest()[:32]


def match_iri(base: str, key: str) -> str:
    """The IRI of the match with ``key``; a malformed key raises ValueError."""
    if not KEY.fullmatch(key):
        raise ValueError(f"not a match key: {key!r}")
    return f"{base}matches/{key}"


def key_of(iri: str) -> str:
    """The key at the end of a match IRI."""
    return iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Computed:
    """One computed match, as stored."""

    records: tuple[str, str]
    rules: frozenset[str]
    """Rule codes."""
    score: Decimal
    sources: frozenset[str]
    generated: str
    """``prov:generatedAtTime``, its lexical form."""


_CODES = {concept: code for code, concept in RULES.items()}


def read_computed(store: Store, base: str) -> dict[str, Computed]:
    """The computed matches now stored, by IRI."""
    query = PREFIXES + (
        f"SELECT ?m ?record ?rule ?score ?source ?at WHERE {{ GRAPH <{matches_graph(base)}> {{ "
        "?m a sse:Match ; sse:matchedRecord ?record ; sse:matchRule ?rule ; "
        "sse:matchScore ?score ; dcterms:source ?source ; prov:generatedAtTime ?at } }"
    )
    parts: dict[str, dict] = {}
    for row in select(store, query):
        found = parts.setdefault(
            row["m"],
            {"records": set(), "rules": set(), "sources": set(), "score": row["score"]},
        )
        found["records"].add(row["record"])
        found["rules"].add(_CODES.get(row["rule"], row["rule"]))
        found["sources"].add(row["source"])
        found["at"] = row["at"]
    return {
        iri: Computed(
            records=tuple(sorted(found["records"])),
            rules=frozenset(found["rules"]),
            score=Decimal(found["score"]),
            sources=frozenset(found["sources"]),
            generated=found["at"],
        )
        for iri, found in parts.items()
    }


def write_computed(store: Store, base: str, computed: dict[str, Computed]) -> None:
    """Replace the graph of computed matches with ``computed`` (IRI → match), in one swap."""
    triples: list[Triple] = []
    for iri, found in sorted(computed.items()):
        node = URIRef(iri)
        triples.append((node, RDF.type, SSE.Match))
        triples.extend((node, SSE.matchedRecord, URIRef(record)) for record in found.records)
        triples.extend((node, SSE.matchRule, URIRef(RULES[rule])) for rule in sorted(found.rules))
        triples.append((node, SSE.matchScore, Literal(found.score, datatype=XSD.decimal)))
        triples.extend((node, DCTERMS.source, URIRef(source)) for source in sorted(found.sources))
        triples.append(
            (node, PROV.generatedAtTime, Literal(found.generated, datatype=XSD.dateTime))
        )
    store.replace_graph(matches_graph(base), ntriples(triples), "ntriples")


__all__ = [
    "KEY",
    "Computed",
    "decisions_graph",
    "key_of",
    "match_iri",
    "match_key",
    "matches_graph",
    "read_computed",
    "write_computed",
]
