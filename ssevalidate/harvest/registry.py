"""The sources an instance harvests: those of its TOML file, and those added through the API.

API sources are given as the table a ``[[source]]`` of the file would hold (JSON's data model is
TOML's here), pass the very same checks (:func:`ssevalidate.harvest.config.parse_document`, with
the file's ``base``, ``[fetch]`` and ``[licences]``), and are kept in the store, in the graph
``<base>sources``, so they survive restarts. The file's sources are read-only here: edit the file
(a service's file may list no source at all, and only give ``base``, ``[fetch]``, ``[licences]``).

>>> from ssevalidate.harvest.registry import SourceRegistry
>>> registry = SourceRegistry(store, "sources.toml")                        # doctest: +SKIP
>>> registry.add({"id": "kvm", "title": "KVM", "url": "https://kvm.example/all.csv",
...               "kind": "csv", "licence": "https://creativecommons.org/licenses/by/4.0/",
...               "schedule": "P1D"})                                      # doctest: +SKIP
>>> [source.id for source in registry.config().sources]                    # doctest: +SKIP
['ica', 'kvm']
>>> registry.add({"id": "bad", "url": "ftp://x"})                          # doctest: +SKIP
Traceback (most recent call last):
InvalidSource: {'title': ['missing'], 'url': ['only http and https URLs are harvested'], ...}

In the store, each API source is ``<base>sources/<id>`` (the IRI of its dataset) with
``dcterms:identifier``, ``dcterms:created``, ``dcterms:modified`` and, as ``rdf:value``, its
table as an ``rdf:JSON`` literal: stored as given, checked again at every start. A stored source
the checks refuse since (the file dropped a licence, or took its id) is left out of the harvest
and listed in :attr:`SourceRegistry.unusable` until it is changed or removed. Removing a source
only forgets it: :meth:`SourceRegistry.remove` returns it, for its graphs to be retired
(:func:`ssevalidate.harvest.pipeline.retire_source`, which the service's scheduler runs).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ssevalidate.harvest.config import (
    Config,
    ConfigError,
    Source,
    parse_document,
)
from ssevalidate.harvest.storeio import Triple, ntriples, select
from ssevalidate.store import Store

FILE = "file"
API = "api"
"""Where a source is defined: :data:`FILE` (the TOML file) or :data:`API`."""

_API_NAME = "<sources API>"
log = logging.getLogger(__name__)


class InvalidSource(ValueError):
    """A table the checks refuse; ``problems`` maps each key to what is wrong with it."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {m}" for k, ms in problems.items() for m in ms))
        self.problems = problems


class UnknownSource(LookupError):
    """No source has this id."""


class SourceConflict(ValueError):
    """The change cannot be made: the id is taken, or the source is defined by the file."""


@dataclass(frozen=True)
class Registered:
    """A source and where it is defined."""

    source: Source
    origin: str
    table: dict | None = None
    """The table given through the API (None for the file's sources)."""


class SourceRegistry:
    """The TOML file's sources (read once, at construction) and the API's (kept in ``store``).

    Thread-safe: changes are serialised, and each replaces the sources graph in one swap.
    Raises :class:`ConfigError` at construction when the file is unusable.
    """

    def __init__(self, store: Store, config_path: str | os.PathLike | None = None) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._settings: dict = {}
        """The file's settings (all but its sources), under which API sources are checked."""
        if config_path is None:
            self._file = Config(sources=(), name=_API_NAME)
        else:
            document = _read_toml(Path(config_path))
            # A service may have no source in its file: they come through the API.
            self._file = parse_document(document, name=str(config_path), require_sources=False)
            self._settings = {k: v for k, v in document.items() if k != "source"}
        self.graph = f"{self.base}sources"
        """The graph of the API's sources."""
        self._api: dict[str, tuple[dict, str, str]] = {}
        """id → (table, created, modified), in the order they were added."""
        self.unusable: dict[str, dict[str, list[str]]] = {}
        """Stored API sources the checks refuse since they were added: id → problems."""
        self._usable: dict[str, Source] = {}
        self._load()

    @property
    def base(self) -> str:
        return self._file.base

    def config(self) -> Config:
        """The file's settings with every usable source: the file's first, then the API's."""
        with self._lock:
            sources = (*self._file.sources, *self._usable.values())
        return dataclasses.replace(self._file, sources=sources)

    def entries(self) -> list[Registered]:
        """Every usable source with its origin, in the order of :meth:`config`."""
        with self._lock:
            found = [Registered(source, FILE) for source in self._file.sources]
            found += [Registered(s, API, self._api[s.id][0]) for s in self._usable.values()]
        return found

    def get(self, source_id: str) -> Registered:
        for entry in self.entries():
            if entry.source.id == source_id:
                return entry
        raise UnknownSource(source_id)

    def add(self, table: object) -> Source:
        """Check ``table`` and keep it; :class:`InvalidSource`, or :class:`SourceConflict`
        when the id is taken."""
        source = self.check(table)
        assert isinstance(table, dict)  # check() refuses anything else
        with self._lock:
            if source.id in self._api or self._in_file(source.id):
                raise SourceConflict(f"a source {source.id!r} exists already")
            now = _now()
            self._api[source.id] = (table, now, now)
            self._usable[source.id] = source
            self._save()
        return source

    def replace(self, source_id: str, table: object) -> Source:
        """Change an API source (``id`` may be left out of ``table``; it cannot change)."""
        if isinstance(table, dict) and "id" not in table:
            table = {"id": source_id, **table}
        source = self.check(table)
        assert isinstance(table, dict)
        if source.id != source_id:
            raise InvalidSource({"id": [f"must be {source_id!r}, the id in the address"]})
        with self._lock:
            if self._in_file(source_id):  # a stored source the file took the id of: remove it
                raise self._file_conflict(source_id)
            created = self._stored(source_id)[1]
            self._api[source_id] = (table, created, _now())
            self._usable[source_id] = source
            self.unusable.pop(source_id, None)
            self._save()
        return source

    def remove(self, source_id: str) -> Source | None:
        """Forget an API source: it is no longer harvested. Returns it (None if it was
        unusable) so that its graphs can be retired."""
        with self._lock:
            self._stored(source_id)
            del self._api[source_id]
            removed = self._usable.pop(source_id, None)
            self.unusable.pop(source_id, None)
            self._save()
        return removed

    def check(self, table: object) -> Source:
        """The source ``table`` describes, checked as a ``[[source]]`` of the file would be;
        :class:`InvalidSource` lists the problems by key."""
        if not isinstance(table, dict):
            raise InvalidSource({"source": ["must be an object of keys and values"]})
        try:
            config = parse_document({**self._settings, "source": [table]}, name=_API_NAME)
        except ConfigError as error:
            problems: dict[str, list[str]] = {}
            for _, key, message in error.located:
                problems.setdefault(key, []).append(message)
            raise InvalidSource(problems) from None
        return config.sources[0]

    def _stored(self, source_id: str) -> tuple[dict, str, str]:
        if source_id in self._api:
            return self._api[source_id]
        if self._in_file(source_id):
            raise self._file_conflict(source_id)
        raise UnknownSource(source_id)

    def _file_conflict(self, source_id: str) -> SourceConflict:
        return SourceConflict(
            f"the source {source_id!r} is defined in {self._file.name}: change it there"
        )

    def _in_file(self, source_id: str) -> bool:
        return any(source.id == source_id for source in self._file.sources)

    def _load(self) -> None:
        rows = select(
            self.store,
            f"""SELECT ?id ?table ?created ?modified WHERE {{ GRAPH <{self.graph}> {{
                ?s <{DCTERMS.identifier}> ?id ; <{RDF.value}> ?table ;
                   <{DCTERMS.created}> ?created ; <{DCTERMS.modified}> ?modified }} }}
                ORDER BY ?created ?id""",
        )
        for row in rows:
            table = json.loads(row["table"])
            self._api[row["id"]] = (table, row["created"], row["modified"])
            if self._in_file(row["id"]):
                self.unusable[row["id"]] = {"id": [f"used by a source of {self._file.name}"]}
                continue
            try:
                self._usable[row["id"]] = self.check(table)
            except InvalidSource as refused:
                self.unusable[row["id"]] = refused.problems
        for source_id, problems in self.unusable.items():
            log.warning("source %s is not harvested: %s", source_id, problems)

    def _save(self) -> None:
        self.store.replace_graph(self.graph, ntriples(self._triples()), "ntriples")

    def _triples(self) -> list[Triple]:
        triples: list[Triple] = []
        for source_id, (table, created, modified) in self._api.items():
            node = URIRef(f"{self.base}sources/{source_id}")
            triples += [
                (node, DCTERMS.identifier, Literal(source_id)),
                (node, RDF.value, Literal(json.dumps(table), datatype=RDF.JSON)),
                (node, DCTERMS.created, Literal(created, datatype=XSD.dateTime)),
                (node, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)),
            ]
        return triples


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read the file ({error})"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path}: not valid TOML: {error}"]) from None


def _now() -> str:
    return datetime.now(UTC).isoformat()


__all__ = [
    "API",
    "FILE",
    "InvalidSource",
    "Registered",
    "SourceConflict",
    "SourceRegistry",
    "UnknownSource",
]
