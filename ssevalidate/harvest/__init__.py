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
  read / accepted / rejected / created / updated / deleted, the first thousand created, updated
  and deleted record IRIs, results per shape, outcome, error), failed and interrupted harvests
  included.

A 304 or the same bytes as last time re-parses nothing; a failure anywhere leaves the previous
graphs in use (:mod:`ssevalidate.harvest.pipeline` explains the order of the writes).

After the harvests, if any changed records, the matches are proposed again
(:func:`match_changes`; the configuration's ``match = false`` turns it off), so the list of
candidate duplicates follows the data without anyone running the matcher. The service's
schedule (:mod:`ssevalidate.harvest.schedule`) does the same after each harvest.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ssevalidate.harvest.config import (
    KNOWN_LICENCES,
    Config,
    ConfigError,
    FetchSettings,
    Source,
    load_config,
    parse_config,
)
from ssevalidate.harvest.pipeline import Progress, harvest_source, retire_source
from ssevalidate.harvest.provenance import HarvestResult
from ssevalidate.harvest.records import Changes
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.store import Store, StoreError

if TYPE_CHECKING:
    from ssevalidate.matching import MatchRun

log = logging.getLogger(__name__)


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

    Once every source is harvested, the matches are proposed again if any harvest changed
    records (:func:`match_changes`: once, however many sources changed).

    Raises :class:`ConfigError` for a bad file or an unknown ``source_id``; a failing source
    does not raise: its result says ``failed``.
    """
    if not isinstance(config, Config):
        config = load_config(config)
    sources = [config.source(source_id)] if source_id is not None else list(config.sources)
    allow = tuple(allow)
    results = [
        harvest_source(source, store, config, allow=allow, progress=progress) for source in sources
    ]
    match_changes(store, config, results)
    return results


def retire(source: Source, store: Store, config: Config) -> HarvestResult:
    """Empty the graphs of ``source``, removed from ``config``, but for the tombstones of its
    records (:func:`~ssevalidate.harvest.pipeline.retire_source`), then propose the matches
    again without its records (:func:`match_changes`). Never raises."""
    result = retire_source(source, store, config)
    match_changes(store, config, [result])
    return result


def match_changes(
    store: Store, config: Config, results: Iterable[HarvestResult]
) -> MatchRun | None:
    """Propose the matches between the sources under ``config.base`` again
    (:func:`ssevalidate.matching.match`) when ``config.match`` is on and one of ``results``
    changed the records in use; the run, or None when none did.

    Reviewers' decisions live in a graph of their own that the run does not touch, so they
    survive it. A store failure is logged, not raised: the harvests stand, and the next
    harvest with changes proposes the matches again.
    """
    if not config.match:
        return None
    kinds = {source.id: source.kind for source in config.sources}
    if not any(_changed(result, kinds) for result in results):
        return None
    # Imported here: ssevalidate.matching reads the store through ssevalidate.harvest.storeio,
    # so importing it while this package initialises would be circular.
    from ssevalidate.matching import match

    try:
        run = match(store, config.base)
    except StoreError as error:
        log.error("the matches were not proposed again: %s", error)
        return None
    log.info("matches proposed again: %d pairs, %d new, %d gone", run.pairs, run.new, run.gone)
    return run


def _changed(result: HarvestResult, kinds: dict[str, str]) -> bool:
    """Whether ``result`` changed the records in use (``kinds``: source id → kind)."""
    if result.outcome == "retired":
        # Whatever it held is gone; a retired catalogue's datasets are not in its own changes.
        return True
    if result.outcome != "harvested":
        return False  # failed, not modified or unchanged: the records in use are the same
    changes = result.changes
    # A catalogue's own result counts no record: its datasets, harvested within it, changed them.
    return bool(changes.created or changes.updated or changes.deleted) or (
        kinds.get(result.source) == "dcat"
    )


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
    "match_changes",
    "parse_config",
    "retire",
]
