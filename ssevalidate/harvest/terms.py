"""The few terms the harvester writes that no standard vocabulary has.

Everything else is DCAT (the sources as datasets), PROV-O (each harvest an activity), Dublin
Core (source and licence of each record) and SHACL (the results of rejected records).

>>> from ssevalidate.harvest.terms import HARVEST
>>> HARVEST.recordHash
rdflib.term.URIRef('https://w3id.org/sse/harvest#recordHash')

``HARVEST`` terms:

- ``Harvest`` (a ``prov:Activity``), ``sourceId``, ``outcome`` (``"harvested"``,
  ``"not-modified"``, ``"unchanged"``, ``"failed"``), ``error``, ``fetchedUrl`` (after
  redirects), ``bytes``;
- fetch state, on the dataset in its own graph: ``etag``, ``lastModified`` (the values the server
  sent, echoed in the next conditional request), ``bytesHash`` (SHA-256 of the bytes fetched),
  ``fingerprint`` (of the source's settings: a change forces a full harvest); ``query`` (the
  CONSTRUCT sent to a SPARQL endpoint, on the distribution);
- ``recordHash`` on each accepted record (SHA-256 of its content, blank nodes included);
- counts on the activity: ``recordsRead``, ``recordsAccepted``, ``recordsRejected``,
  ``violations``, ``warnings``, ``infos``, ``recordsCreated``, ``recordsUpdated``,
  ``recordsDeleted``; and the record IRIs: ``created``, ``updated``, ``deleted``;
- ``shapeResults`` → a node with ``sh:sourceShape`` (or ``sh:sourceConstraintComponent`` when
  the shape has no IRI), ``sh:resultSeverity`` and ``resultCount``;
- ``Quarantine``: the graph of rejected records, ``prov:wasGeneratedBy`` the harvest;
  ``StorableConstraintComponent``: the component of the results the harvester adds for values
  no store accepts (an IRI with a space...).
"""

from __future__ import annotations

from rdflib import Namespace

HARVEST = Namespace("https://w3id.org/sse/harvest#")

__all__ = ["HARVEST"]
