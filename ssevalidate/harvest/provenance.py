"""Each harvest as a ``prov:Activity`` in the provenance graph, failed ones included.

The activity is written in two steps: when the harvest starts (so a harvest killed midway
stays visible: an activity without ``prov:endedAtTime``) and when it ends, with what was
fetched, read, accepted, rejected and changed, or the error. The IRIs of the records created,
updated and deleted are listed up to :data:`LISTED_CHANGES` of each (the counts are always
complete; the change feed has every change): a first harvest of a million records would
otherwise add a million statements to the provenance graph, in one transaction.

>>> from ssevalidate.harvest import harvest
>>> [result] = harvest("sources.toml", store, source_id="ica")       # doctest: +SKIP
>>> select(store, f'''SELECT ?outcome ?accepted WHERE {{ GRAPH ?g {{
...     <{result.activity}> harvest:outcome ?outcome ; harvest:recordsAccepted ?accepted }} }}''')
... # doctest: +SKIP
[{'outcome': 'harvested', 'accepted': '312'}]
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SH, XSD

from ssevalidate.harvest.config import Source
from ssevalidate.harvest.records import Changes
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.report import Report

LISTED_CHANGES = 1_000
"""At most so many record IRIs per kind of change (created, updated, deleted) on an activity."""


@dataclass
class HarvestResult:
    """What one harvest of one source did.

    ``outcome``: ``"harvested"`` (new graphs swapped in), ``"not-modified"`` (HTTP 304),
    ``"unchanged"`` (the same bytes) or ``"failed"`` (``error`` says why; the previous graphs
    are untouched). ``records_read`` counts what the importer read, ``accepted`` the records
    published, ``rejected`` the records (or other described nodes) held back in quarantine.
    """

    source: str
    activity: str
    started: datetime
    url: str
    outcome: str = "failed"
    ended: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    bytes: int = 0
    bytes_hash: str | None = None
    records_read: int = 0
    accepted: int = 0
    rejected: int = 0
    changes: Changes = field(default_factory=Changes)
    report: Report | None = field(default=None, repr=False)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome != "failed"


def started(result: HarvestResult, source: Source) -> bytes:
    """The triples of an activity that has begun."""
    graph = Graph()
    activity = URIRef(result.activity)
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDF.type, HARVEST.Harvest))
    graph.add((activity, HARVEST.sourceId, Literal(source.id)))
    graph.add((activity, PROV.used, URIRef(source.graph)))
    graph.add((activity, PROV.startedAtTime, _time(result.started)))
    return graph.serialize(format="nt", encoding="utf-8")


def ended(result: HarvestResult, source: Source) -> bytes:
    """The triples that complete the activity: outcome, what was fetched, counts, changes."""
    graph = Graph()
    activity = URIRef(result.activity)
    graph.add((activity, PROV.endedAtTime, _time(result.ended)))
    graph.add((activity, HARVEST.outcome, Literal(result.outcome)))
    # Server-controlled text (a redirect target, validators) stays literal: never an IRI to trust.
    graph.add((activity, HARVEST.fetchedUrl, Literal(result.url, datatype=XSD.anyURI)))
    for term, value in (
        (HARVEST.etag, result.etag),
        (HARVEST.lastModified, result.last_modified),
        (HARVEST.bytesHash, result.bytes_hash),
        (HARVEST.error, result.error),
    ):
        if value is not None:
            graph.add((activity, term, Literal(value)))
    counts = {
        HARVEST.bytes: result.bytes,
        HARVEST.recordsRead: result.records_read,
        HARVEST.recordsAccepted: result.accepted,
        HARVEST.recordsRejected: result.rejected,
        HARVEST.recordsCreated: len(result.changes.created),
        HARVEST.recordsUpdated: len(result.changes.updated),
        HARVEST.recordsDeleted: len(result.changes.deleted),
    }
    for term, count in counts.items():
        graph.add((activity, term, Literal(count, datatype=XSD.integer)))
    for term, records in (
        (HARVEST.created, result.changes.created),
        (HARVEST.updated, result.changes.updated),
        (HARVEST.deleted, result.changes.deleted),
    ):
        for record in records[:LISTED_CHANGES]:
            graph.add((activity, term, URIRef(record)))
    if result.outcome == "harvested":
        graph.add((activity, PROV.generated, URIRef(source.graph)))
        graph.add((activity, PROV.generated, URIRef(source.quarantine)))
    if result.report is not None:
        _summary(graph, activity, result.report)
    return graph.serialize(format="nt", encoding="utf-8")


def _summary(graph: Graph, activity: URIRef, report: Report) -> None:
    """Results per severity, and per shape: what conformance over time is computed from."""
    for term, count in (
        (HARVEST.violations, report.violations),
        (HARVEST.warnings, report.warnings),
        (HARVEST.infos, report.infos),
    ):
        graph.add((activity, term, Literal(count, datatype=XSD.integer)))
    per_shape = Counter(
        (result.finding.shape, result.finding.component, result.finding.severity)
        for result in report.results
    )
    for (shape, component, severity), count in sorted(per_shape.items(), key=str):
        node = BNode()
        graph.add((activity, HARVEST.shapeResults, node))
        if isinstance(shape, URIRef):
            graph.add((node, SH.sourceShape, shape))
        else:
            graph.add((node, SH.sourceConstraintComponent, component))
        graph.add((node, SH.resultSeverity, severity))
        graph.add((node, HARVEST.resultCount, Literal(count, datatype=XSD.integer)))


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


__all__ = ["LISTED_CHANGES", "HarvestResult", "ended", "started"]
