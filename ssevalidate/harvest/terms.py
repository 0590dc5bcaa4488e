"""The few terms the harvester writes that no standard vocabulary has.

Everything else is DCAT (the sources as datasets), PROV-O (each harvest an activity), Dublin
Core (source and licence of each record) and SHACL (the results of rejected records).

>>> from ssevalidate.harvest.terms import HARVEST
>>> HARVEST.recordHash
rdflib.term.URIRef('https://w3id.org/sse/harvest#recordHash')

``HARVEST`` terms (every one the harvester, the feed and the service use is listed here;
``tests/test_harvest_terms.py`` fails on one that is not):

- ``Harvest`` (a ``prov:Activity``), ``sourceId``, ``outcome`` (``"harvested"``,
  ``"not-modified"``, ``"unchanged"``, ``"failed"``, ``"retired"``), ``error``, ``fetchedUrl``
  (after redirects), ``bytes``;
- fetch state, on the dataset in its own graph: ``etag``, ``lastModified`` (the values the server
  sent, echoed in the next conditional request), ``bytesHash`` (SHA-256 of the bytes fetched),
  ``fingerprint`` (of the source's settings: a change forces a full harvest), ``recordLayout``
  (``"tree"`` when each stored record owns its blank nodes, so that the next harvest may
  replace only the records that changed); ``query`` (the
  CONSTRUCT sent to a SPARQL endpoint, on the distribution); ``feedPosition`` (for a ``feed``
  source: the time of the newest change read, :mod:`ssevalidate.harvest.sources_feed`);
- ``recordHash`` on each accepted record (SHA-256 of its content, blank nodes included);
- counts on the activity: ``recordsRead``, ``recordsAccepted``, ``recordsRejected``,
  ``violations``, ``warnings``, ``infos``, ``recordsCreated``, ``recordsUpdated``,
  ``recordsDeleted``; and the record IRIs (the first thousand of each): ``created``,
  ``updated``, ``deleted``;
- ``shapeResults`` → a node with ``sh:sourceShape`` (or ``sh:sourceConstraintComponent`` when
  the shape has no IRI), ``sh:resultSeverity`` and ``resultCount``;
- ``Quarantine``: the graph of rejected records, ``prov:wasGeneratedBy`` the harvest;
  ``StorableConstraintComponent``: the component of the results the harvester adds for values
  no store accepts (an IRI with a space...);
- the change feed (:mod:`ssevalidate.harvest.feed`), in each source's graph: ``createdAt`` and
  ``changedAt`` on each record (when a harvest stored it first and last changed it), and
  ``tombstone`` → a node with ``record`` (the deleted record's IRI), ``formerType`` (its
  types) and ``deletedAt``; ``retainedSince`` in the feed served
  (:mod:`ssevalidate.harvest.activitystreams`: the oldest ``since`` it answers);
- ``skipped`` → a node with ``error`` (and ``prov:wasDerivedFrom`` or ``dcterms:identifier``):
  on a DCAT catalogue source's graph, a dataset not harvested and why
  (:mod:`ssevalidate.harvest.sources_dcat`).
"""

from __future__ import annotations

from rdflib import Namespace

HARVEST = Namespace("https://w3id.org/sse/harvest#")

__all__ = ["HARVEST"]
