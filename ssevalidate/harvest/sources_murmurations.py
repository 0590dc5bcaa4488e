"""A Murmurations index query as a source: every page of the answer, not only the first.

The index (FIELD-NOTES 1.7) answers ``GET /v2/nodes?schema=organizations_schema-v1.0.0&...`` one
page at a time: ``{"data": [...], "links": {"self", "next", "last", ...}, "meta": {...}}``.
The harvester follows ``links.next`` (:func:`ssevalidate.harvest.fetcher.follow`: same site
only, capped, loops refused) and the importer reads each page's entries
(:mod:`ssevalidate.importers.murmurations`): name, web site, tags, place, coordinates, the
``profile_url`` as the record's ``dcterms:source``. Profiles themselves are not fetched: one
request per organisation to as many servers is another harvest, and the index entry already
carries what the core profile needs; deleted entries are reported by the importer.

>>> next_page(b'{"data": [], "links": {"next": "/v2/nodes?page=2"}}')
'/v2/nodes?page=2'
>>> next_page(b'{"name": "A profile"}') is None
True
"""

from __future__ import annotations

import json


def next_page(data: bytes) -> str | None:
    """The index page's ``links.next``; None for the last page, a profile or a list of
    profiles (and for what is not JSON: the importer says what is wrong with it)."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("links"), dict):
        return None
    links = document["links"]
    link = links.get("next")
    if not isinstance(link, str) or not link.strip() or link == links.get("self"):
        return None  # some indexes name the last page its own next
    return link


__all__ = ["next_page"]
