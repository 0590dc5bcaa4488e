"""Federated harvesting: pull directories, keep what validates, never lose the last good copy.

>>> from ssevalidate.harvest import harvest, load_config
>>> from ssevalidate.store import open_store
>>> store = open_store("data/store")                                  # doctest: +SKIP
>>> for result in harvest("sources.toml", store):                     # doctest: +SKIP
...     print(result.source, result.outcome, result.accepted, result.rejected, result.error)
ica harvested 312 4 None
kvm failed 0 0 the server answered HTTP 500 Internal Server Error

Per source (see ``sources.toml`` in :mod:`ssevalidate.harvest.config`), in the store:

- ``<base>sources/<id>``: the accepted records, each with ``dcterms:source`` (this graph, also a
  ``dcat:Dataset`` with title, licence and URL) and ``dcterms:license``, plus the fetch state;
- ``<base>sources/<id>/quarantine``: the rejected records (any SHACL violation) with their
  SHACL results;
- ``<base>harvests``: one ``prov:Activity`` per harvest (start, end, URL, ETag, bytes, records
  read / accepted / rejected, created / updated / deleted record IRIs, results per shape,
  outcome, error), failed and interrupted harvests included.

A 304 or the same bytes as last time re-parses nothing; a failure anywhere leaves the previous
graphs in use (:mod:`ssevalidate.harvest.pipeline` explains the order of the writes).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ssevalidate.harvest.config import (
    KNOWN_LICENCES,
    Config,
    ConfigError,
    FetchSettings,
    Source,
    load_config,
    parse_config,
)
from ssevalidate.harvest.pipeline import Progress, harvest_source
from ssevalidate.harvest.provenance import HarvestResult
from ssevalidate.harvest.records import Changes
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.store import Store


def harvest(
    config: Config | str | os.PathLike,
    store: Store,
    *,
    source_id: str | None = None,
    allow: Iterable[str] = (),
    progress: Progress | None = None,
) -> list[HarvestResult]:
    """Harvest every source of ``config`` (a :class:`Config` or the path of its TOML file), or
    only ``source_id``, one after the other. ``allow`` admits addresses or networks the SSRF
    rules refuse (added to the file's ``[fetch] allow``).

    Raises :class:`ConfigError` for a bad file or an unknown ``source_id``; a failing source
    does not raise: its result says ``failed``.
    """
    if not isinstance(config, Config):
        config = load_config(config)
    sources = [config.source(source_id)] if source_id is not None else list(config.sources)
    allow = tuple(allow)
    return [
        harvest_source(source, store, config, allow=allow, progress=progress) for source in sources
    ]


__all__ = [
    "HARVEST",
    "KNOWN_LICENCES",
    "Changes",
    "Config",
    "ConfigError",
    "FetchSettings",
    "HarvestResult",
    "Progress",
    "Source",
    "harvest",
    "load_config",
    "parse_config",
]
