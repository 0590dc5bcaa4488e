"""What reviewers decide about matches, kept apart from the computed matches.

A decision is appended to ``<base>matches/decisions`` as a decided match of its own::

    <base>matches/<key>/decisions/<uuid> a sse:Match ;
        prov:specializationOf <base>matches/<key> ;
        sse:matchedRecord <record-a>, <record-b> ;
        sse:matchDecision <https://w3id.org/sse/taxonomy/match-decisions/confirmed> ;
        prov:wasAttributedTo [ a prov:Agent ; rdfs:label "Ana, data steward" ] ;  # or an IRI
        prov:generatedAtTime "2026-11-28T10:00:00.123456Z"^^xsd:dateTime ;
        dcterms:source <base>sources/ica, <base>sources/kvm .

Why a node of its own and not statements on the computed match: the SPARQL endpoint reads all
graphs as one, where the match would then have two times (the run's and the decision's), and
a run that no longer proposes the pair would leave a decision about nothing. The decided match
is a PROV specialization of the proposed one (the same link, plus the decision) and names its
two records itself, so it stands whatever later runs find.

Decisions are only ever appended: on each match the latest one is in force and the earlier ones
are its history. A rejected pair is never open again; a confirmed one stays confirmed, flagged
stale in :mod:`ssevalidate.matching.review` when no rule proposes it any more. The
``owl:sameAs`` view of confirmed matches is derived on demand (:func:`same_as`, or
:func:`same_as_query` on any SPARQL endpoint), never stored.

>>> decide(store, base, match_iri(base, key), "confirmed", by="Ana")  # doctest: +SKIP
Decision(match='urn:sse:harvest:matches/4d71…', decision='confirmed', by='Ana', …)
>>> same_as(store, base)                                             # doctest: +SKIP
[('https://dev.lod.coop/ica/1106', 'https://ica.example/csv/19482')]
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from ssevalidate.harvest.storeio import Triple, append, ntriples, select, storable
from ssevalidate.matching.graphs import KEY, decisions_graph, key_of, matches_graph
from ssevalidate.matching.records import PREFIXES
from ssevalidate.namespaces import SSE, concept_iri
from ssevalidate.store import Store

CONFIRMED = "confirmed"
REJECTED = "rejected"
DECISIONS: dict[str, str] = {
    code: concept_iri("match-decisions", code) for code in (CONFIRMED, REJECTED)
}
"""The decisions a reviewer takes → their concepts in the match-decisions taxonomy."""
_SPELLINGS = {"confirm": CONFIRMED, "reject": REJECTED}

LONGEST_AGENT = 200
"""Characters kept of a reviewer's name."""


class UnknownMatch(LookupError):
    """No match has this IRI: no run proposed it and nobody decided on it."""


@dataclass(frozen=True)
class Decision:
    """A decision as recorded."""

    match: str
    decision: str
    by: str
    at: str
    records: tuple[str, str]


def decision_code(value: str) -> str:
    """``confirmed`` or ``rejected`` (``confirm`` and ``reject`` too); anything else raises
    ValueError."""
    code = value.strip().lower()
    code = _SPELLINGS.get(code, code)
    if code not in DECISIONS:
        raise ValueError(f"a decision is {CONFIRMED} or {REJECTED}, not {value!r}")
    return code


def decide(store: Store, base: str, match_iri: str, decision: str, by: str) -> Decision:
    """Record that ``by`` (a name, or an agent's IRI) took ``decision`` on the match
    ``match_iri``. Raises :class:`UnknownMatch` for a match never proposed nor decided,
    ValueError for another decision or an empty ``by``."""
    code = decision_code(decision)
    by = by.strip()[:LONGEST_AGENT]
    if not by:
        raise ValueError("a decision needs who took it")
    if not (match_iri.startswith(matches_graph(base) + "/") and KEY.fullmatch(key_of(match_iri))):
        raise UnknownMatch(match_iri)
    records, sources = _pair(store, base, match_iri)
    if len(records) != 2:
        raise UnknownMatch(match_iri)
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    node = URIRef(f"{match_iri}/decisions/{uuid.uuid4().hex}")
    agent, about_agent = _agent(by)
    triples: list[Triple] = [
        (node, RDF.type, SSE.Match),
        (node, PROV.specializationOf, URIRef(match_iri)),
        *((node, SSE.matchedRecord, URIRef(record)) for record in records),
        (node, SSE.matchDecision, URIRef(DECISIONS[code])),
        (node, PROV.wasAttributedTo, agent),
        *about_agent,
        (node, PROV.generatedAtTime, Literal(at, datatype=XSD.dateTime)),
        *((node, DCTERMS.source, URIRef(source)) for source in sources),
    ]
    append(store, decisions_graph(base), ntriples(triples))
    return Decision(match_iri, code, by, at, (records[0], records[1]))


def _pair(store: Store, base: str, match_iri: str) -> tuple[list[str], list[str]]:
    """The records and sources of a match, from the computed graph or earlier decisions."""
    rows = select(
        store,
        PREFIXES
        + f"""SELECT ?record ?source WHERE {{
  {{ GRAPH <{matches_graph(base)}> {{
      <{match_iri}> sse:matchedRecord ?record .
      OPTIONAL {{ <{match_iri}> dcterms:source ?source }} }} }}
  UNION
  {{ GRAPH <{decisions_graph(base)}> {{
      ?decided prov:specializationOf <{match_iri}> ; sse:matchedRecord ?record .
      OPTIONAL {{ ?decided dcterms:source ?source }} }} }}
}}""",
    )
    records = sorted({row["record"] for row in rows})
    sources = sorted({row["source"] for row in rows if "source" in row})
    return records, sources


_IRI = re.compile(r"(https?|urn|mailto):\S+", re.IGNORECASE)


def _agent(by: str) -> tuple[Node, list[Triple]]:
    """An agent given by its IRI is that IRI; one given by name is a node with that label."""
    if _IRI.fullmatch(by) and storable((URIRef(by), RDF.type, PROV.Agent)):
        return URIRef(by), []
    node = BNode()
    return node, [(node, RDF.type, PROV.Agent), (node, RDFS.label, Literal(by))]


def in_force(base: str) -> str:
    """A graph pattern binding, for every decided match ``?match``, the decision in force:
    ``?decided`` (its node), ``?concept`` and ``?decidedAt``."""
    return f"""GRAPH <{decisions_graph(base)}> {{
    ?decided prov:specializationOf ?match ; sse:matchDecision ?concept ;
             prov:generatedAtTime ?decidedAt .
    FILTER NOT EXISTS {{
      ?later prov:specializationOf ?match ; prov:generatedAtTime ?laterAt .
      FILTER(?laterAt > ?decidedAt || (?laterAt = ?decidedAt && STR(?later) > STR(?decided)))
    }}
  }}"""


def _same_as_pattern(base: str) -> str:
    return f"""{in_force(base)}
  FILTER(?concept = <{DECISIONS[CONFIRMED]}>)
  GRAPH <{decisions_graph(base)}> {{ ?decided sse:matchedRecord ?a, ?b }}
  FILTER(STR(?a) < STR(?b))"""


def same_as_query(base: str) -> str:
    """A SPARQL CONSTRUCT of ``owl:sameAs`` between the records of each confirmed match."""
    return PREFIXES + f"CONSTRUCT {{ ?a owl:sameAs ?b }}\nWHERE {{\n  {_same_as_pattern(base)}\n}}"


def same_as(store: Store, base: str) -> list[tuple[str, str]]:
    """The record pairs of the confirmed matches (the ``owl:sameAs`` view), sorted."""
    query = f"SELECT DISTINCT ?a ?b WHERE {{\n  {_same_as_pattern(base)}\n}}"
    return sorted((row["a"], row["b"]) for row in select(store, PREFIXES + query))


def same_as_triples(pairs: list[tuple[str, str]]) -> list[Triple]:
    """``owl:sameAs`` triples for record pairs."""
    return [(URIRef(a), OWL.sameAs, URIRef(b)) for a, b in pairs]


__all__ = [
    "CONFIRMED",
    "DECISIONS",
    "REJECTED",
    "Decision",
    "UnknownMatch",
    "decide",
    "decision_code",
    "in_force",
    "same_as",
    "same_as_query",
    "same_as_triples",
]
