"""The harvest configuration: which directories to pull, under which licence, how often.

A TOML file with one ``[[source]]`` table per directory, and optional settings::

    base = "https://aggregator.example/"     # names of the graphs (default: urn:sse:harvest:)
    match = true                             # propose matches again after a harvest changed
                                             # records (ssevalidate.matching; default: true)

    [fetch]                                  # optional; these are the defaults
    max_bytes = 52428800                     # per request
    timeout = 30
    max_redirects = 5
    max_pages = 10000                        # pages followed in a paged source (feed, index...)
    allow = []                               # addresses or networks admitted despite SSRF rules

    [feed]                                   # optional: the change feed this aggregator serves
    retention = "P30D"                       # deletions are served this long
    page_size = 100

    [licences]                               # optional: licences this aggregator also accepts
    "https://example.org/our-licence" = "Our licence 1.0"

    [[source]]
    id = "ica"                               # letters, digits, . _ -; names the graphs
    title = "ICA members"
    url = "https://example.org/ica.csv"
    kind = "sea-csv"                         # rdf sse-csv sea-csv csv murmurations geojson
                                             # mykomap essglobal sparql (needs query = CONSTRUCT)
                                             # feed dcat (see below)
    licence = "https://creativecommons.org/licenses/by/4.0/"   # required, never guessed
    profile = "core"                         # optional
    schedule = "PT6H"                        # optional, an ISO 8601 duration
    base = "https://ica.coop/members/"       # optional: IRIs of records without one

Three kinds read more than one document:

- ``murmurations``: a profile, a list of profiles, or an index query
  (``https://index.murmurations.network/v2/nodes?schema=organizations_schema-v1.0.0``) whose
  pages are followed (:mod:`ssevalidate.harvest.sources_murmurations`);
- ``feed``: another instance's change feed (its ``/feed``), read incrementally
  (:mod:`ssevalidate.harvest.sources_feed`);
- ``dcat``: a DCAT catalogue; each dataset becomes a source of its own, under the licence its
  distribution, the dataset or the catalogue gives (:mod:`ssevalidate.harvest.sources_dcat`).
  It takes no ``licence`` (a dataset without one is reported, never given the catalogue
  source's) and may take ``max_datasets`` (default 1000).

>>> from ssevalidate.harvest.config import load_config
>>> config = load_config("sources.toml")                        # doctest: +SKIP
>>> config.sources[0].graph                                     # doctest: +SKIP
'https://aggregator.example/sources/ica'

Every problem of the file is reported at once, each naming the file, the source and the key
(:class:`ConfigError`). A missing licence, or one that is not in :data:`KNOWN_LICENCES` nor in the
file's ``[licences]`` table, is an error: data is never published under a guessed licence.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from rdflib.plugins.sparql import prepareQuery

import ssevalidate
from ssevalidate.fetch import parse_allow
from ssevalidate.profiles import PROFILES

KINDS: dict[str, str] = {
    "rdf": "rdf",
    "sse-csv": "sse-csv",
    "sea-csv": "sea-csv",
    "csv": "csv",
    "murmurations": "murmurations",
    "geojson": "geojson",
    "mykomap": "mykomap",
    "essglobal": "essglobal",
    "sparql": "rdf",
    "feed": "feed",
    "dcat": "dcat",
}
"""Each source kind and the importer dialect (``ssevalidate.importers.convert``) that reads it:
a SPARQL endpoint answers its CONSTRUCT query with RDF. A ``feed`` is read by
:mod:`~ssevalidate.harvest.sources_feed`, a ``dcat`` catalogue by
:mod:`~ssevalidate.harvest.sources_dcat` (its datasets by the importer of their format)."""

KNOWN_LICENCES: dict[str, str] = {
    "http://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "https://opendatacommons.org/licenses/odbl/1-0/": "ODbL 1.0",
    "https://opendatacommons.org/licenses/by/1-0/": "ODC-By 1.0",
    "https://opendatacommons.org/licenses/pddl/1-0/": "PDDL 1.0",
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence/": "Etalab Licence Ouverte 2.0",
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/": "OGL 3.0",
    "https://www.govdata.de/dl-de/by-2-0": "Datenlizenz Deutschland 2.0 Namensnennung",
}
"""Licence IRIs accepted without a ``[licences]`` entry, as written on harvested records."""

_SPDX = {
    "CC0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
    "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/",
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "DL-DE-BY-2.0": "https://www.govdata.de/dl-de/by-2-0",
}
"""SPDX identifiers of the known licences: their ``spdx.org/licenses/`` IRIs name the same
licence, and a bare identifier where an IRI belongs gets a precise error."""

DEFAULT_BASE = "urn:sse:harvest:"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)
_SOURCE_KEYS = {
    "id",
    "title",
    "url",
    "kind",
    "licence",
    "profile",
    "schedule",
    "query",
    "base",
    "max_datasets",
}
_FETCH_KEYS = {"max_bytes", "timeout", "max_redirects", "max_pages", "allow"}
_FEED_KEYS = {"retention", "page_size"}
_TOP_KEYS = {"base", "match", "fetch", "feed", "licences", "source"}
DEFAULT_MAX_DATASETS = 1000
_SPELLINGS = {"license": "licence", "sources": "source", "type": "kind", "name": "title"}


class ConfigError(ValueError):
    """The configuration cannot be used; ``problems`` lists every one, each naming the file,
    the source and the key; ``located`` has the same problems as ``(where, key, message)``
    (``where``: ``None`` for the top level, ``"[fetch]"``, ``"[[source]] #2 'ica'"``...)."""

    def __init__(
        self, problems: list[str], located: list[tuple[str | None, str, str]] | None = None
    ) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.located = located or []


@dataclass(frozen=True)
class FetchSettings:
    """Caps of every download, and the addresses admitted despite the SSRF rules."""

    max_bytes: int = 50 * 1024 * 1024
    """Per request."""
    timeout: float = 30.0
    max_redirects: int = 5
    max_pages: int = 10_000
    """Pages followed in one harvest of a paged source."""
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeedSettings:
    """The change feed this aggregator serves (:mod:`ssevalidate.harvest.feed`)."""

    retention: timedelta = timedelta(days=30)
    """Deletions are served this long; a reader asking for changes since an older time must
    read everything again."""
    page_size: int = 100


@dataclass(frozen=True)
class Source:
    """One directory to harvest, and the named graphs it owns in the store."""

    id: str
    title: str
    url: str
    kind: str
    licence: str
    """The IRI records are published under; empty for a ``dcat`` catalogue (each of its
    datasets has its own)."""
    graph: str
    """The accepted records, the dataset's description and its fetch state."""
    quarantine: str
    """The rejected records with their validation results."""
    profile: str = "core"
    schedule: timedelta | None = None
    query: str | None = None
    base: str | None = None
    """Prefix of record IRIs made from a bare id (default: the URL and ``#``)."""
    max_datasets: int = DEFAULT_MAX_DATASETS
    """For a ``dcat`` catalogue: the most datasets harvested (the others are reported)."""

    @property
    def dialect(self) -> str:
        return KINDS[self.kind]

    @property
    def record_base(self) -> str:
        return self.base or f"{self.url}#"

    def fingerprint(self) -> str:
        """Everything that shapes the stored graphs besides the fetched bytes: when it changes
        (or the library does), the next harvest rebuilds the graphs even if the data did not."""
        parts = (
            ssevalidate.__version__,
            self.id,
            self.title,
            self.url,
            self.kind,
            self.licence,
            self.profile,
            self.query or "",
            self.record_base,
            str(self.max_datasets),
        )
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Config:
    """A parsed configuration file."""

    sources: tuple[Source, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)
    base: str = DEFAULT_BASE
    name: str = "<config>"
    licences: dict[str, str] = field(default_factory=lambda: dict(KNOWN_LICENCES))
    """Licences accepted: the known ones and the file's ``[licences]`` (a DCAT dataset's
    licence must be one of them)."""
    feed: FeedSettings = field(default_factory=FeedSettings)
    match: bool = True
    """Whether a harvest that changed records proposes matches again (the file's ``match``)."""

    @property
    def provenance_graph(self) -> str:
        """The graph holding one ``prov:Activity`` per harvest, failed ones included."""
        return f"{self.base}harvests"

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(source.id for source in self.sources) or "none"
        raise ConfigError([f"{self.name}: no source {source_id!r} (sources: {known})"])


def load_config(path: str | os.PathLike) -> Config:
    """Read and check a configuration file; :class:`ConfigError` lists every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot read the file ({error})"]) from None
    return parse_config(text, name=str(path))


def parse_config(text: str, *, name: str = "<config>") -> Config:
    """Check a configuration given as TOML text; ``name`` is the file named in messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{name}: not valid TOML: {error}"]) from None
    return parse_document(document, name=name)


def parse_document(
    document: dict, *, name: str = "<config>", require_sources: bool = True
) -> Config:
    """Check a configuration already read into TOML's data model (the sources API builds one
    from JSON, so its sources pass the same checks as the file's). A service may take a file
    without sources (``require_sources=False``): they come through its API."""
    checker = _Checker(name)
    for key in sorted(set(document) - _TOP_KEYS):
        checker.problem(None, key, _unknown(key))
    base = checker.prefix(None, "base", document.get("base", DEFAULT_BASE))
    licences = dict(KNOWN_LICENCES)
    licences.update(checker.licence_table(document.get("licences", {})))
    fetch = checker.fetch_settings(document.get("fetch", {}))
    feed = checker.feed_settings(document.get("feed", {}))
    match = document.get("match", True)
    if not isinstance(match, bool):
        checker.problem(None, "match", "must be true or false")
        match = True
    tables = document.get("source", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        checker.problem(None, "source", "each source is a [[source]] table")
        tables = []
    if not tables and require_sources:
        checker.problem(None, "source", "no [[source]] table: nothing to harvest")
    sources = [checker.source(i, table, base, licences) for i, table in enumerate(tables, 1)]
    seen: set[str] = set()
    for number, source in enumerate(sources, 1):
        if source is not None and source.id in seen:
            checker.problem(f"[[source]] #{number} {source.id!r}", "id", "used by another source")
        if source is not None:
            seen.add(source.id)
    if checker.problems:
        raise ConfigError(checker.problems, checker.located)
    return Config(
        tuple(s for s in sources if s is not None), fetch, base, name, licences, feed, match
    )


def parse_duration(value: str) -> timedelta:
    """An ISO 8601 duration in weeks, days, hours, minutes and seconds (``PT6H``, ``P1D``) as
    a timedelta; :class:`ValueError` otherwise (years and months have no fixed length)."""
    text = value.strip().upper()
    date_part = text.partition("T")[0]
    if text.startswith("P") and ("Y" in date_part or "M" in date_part):
        raise ValueError(
            f"{value!r}: years and months have no fixed length; give weeks or days (P30D)"
        )
    match = _DURATION.fullmatch(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{value!r} is not an ISO 8601 duration such as PT6H or P1D")
    parts = {key: float(number) for key, number in match.groupdict().items() if number}
    duration = timedelta(**parts)
    if duration <= timedelta(0):
        raise ValueError(f"{value!r} is not longer than zero")
    return duration


def licence_iri(value: str, accepted: dict[str, str]) -> str:
    """The IRI under which ``value`` is written on records (``http``/``https`` and a trailing
    ``/`` do not make another licence; nor does the licence's SPDX IRI); :class:`ValueError`
    when it is not an accepted licence."""
    if not _IRI.fullmatch(value):
        spdx = {key.lower(): iri for key, iri in _SPDX.items()}
        hint = spdx.get(value.strip().lower().replace(" ", "-"))
        known = f"; that licence's IRI is <{hint}>" if hint else ""
        raise ValueError(f"{value!r} is not an IRI: give the IRI of the licence{known}")
    spdx_id = re.fullmatch(r"https?://spdx\.org/licenses/([^/]+?)(?:\.html)?", value)
    if spdx_id and spdx_id.group(1) in _SPDX:
        return _SPDX[spdx_id.group(1)]
    wanted = _comparable(value)
    for iri in accepted:
        if _comparable(iri) == wanted:
            return iri
    raise ValueError(
        f"<{value}> is not a known licence; add it to the [licences] table if the source "
        "really publishes under it"
    )


def _comparable(iri: str) -> str:
    return re.sub(r"^https?://", "", iri).rstrip("/").lower()


def _unknown(key: str) -> str:
    better = _SPELLINGS.get(key)
    return f"unknown key (did you mean {better!r}?)" if better else "unknown key"


class _Checker:
    """Collects the problems of one file, each with where it is."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []
        self.located: list[tuple[str | None, str, str]] = []

    def problem(self, where: str | None, key: str, message: str) -> None:
        place = f"{self.name}: {where}: " if where else f"{self.name}: "
        self.problems.append(f"{place}{key}: {message}")
        self.located.append((where, key, message))

    def prefix(self, where: str | None, key: str, value: object) -> str:
        """An IRI other IRIs are made from by appending: it must end with / # or :."""
        if not isinstance(value, str) or not _IRI.fullmatch(value) or value[-1] not in "/#:":
            self.problem(where, key, "must be an absolute IRI ending with '/', '#' or ':'")
            return DEFAULT_BASE
        return value

    def licence_table(self, table: object) -> dict[str, str]:
        if not isinstance(table, dict):
            self.problem(None, "licences", 'a table of "IRI" = "title"')
            return {}
        accepted = {}
        for iri, title in table.items():
            if not _IRI.fullmatch(iri) or not isinstance(title, str) or not title.strip():
                self.problem("[licences]", iri, 'give "licence IRI" = "its title"')
            else:
                accepted[iri] = title
        return accepted

    def fetch_settings(self, table: object) -> FetchSettings:
        if not isinstance(table, dict):
            self.problem(None, "fetch", "must be a table")
            return FetchSettings()
        for key in sorted(set(table) - _FETCH_KEYS):
            self.problem("[fetch]", key, _unknown(key))
        defaults = FetchSettings()
        numbers = {}
        for key, kind in (
            ("max_bytes", int),
            ("timeout", float),
            ("max_redirects", int),
            ("max_pages", int),
        ):
            value = table.get(key, getattr(defaults, key))
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                self.problem("[fetch]", key, "must be a positive number")
                value = getattr(defaults, key)
            numbers[key] = kind(value)
        allow = table.get("allow", [])
        try:
            if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
                raise ValueError("must be a list of addresses or networks")
            parse_allow(allow)
        except ValueError as error:
            self.problem("[fetch]", "allow", str(error))
            allow = []
        return FetchSettings(allow=tuple(allow), **numbers)

    def feed_settings(self, table: object) -> FeedSettings:
        if not isinstance(table, dict):
            self.problem(None, "feed", "must be a table")
            return FeedSettings()
        for key in sorted(set(table) - _FEED_KEYS):
            self.problem("[feed]", key, _unknown(key))
        defaults = FeedSettings()
        retention = defaults.retention
        if "retention" in table:
            try:
                retention = parse_duration(str(table["retention"]))
            except ValueError as error:
                self.problem("[feed]", "retention", str(error))
        page_size = table.get("page_size", defaults.page_size)
        if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
            self.problem("[feed]", "page_size", "must be a whole number above zero")
            page_size = defaults.page_size
        return FeedSettings(retention, page_size)

    def source(
        self, number: int, table: dict, base: str, licences: dict[str, str]
    ) -> Source | None:
        source_id = table.get("id")
        where = f"[[source]] #{number}" + (f" {source_id!r}" if isinstance(source_id, str) else "")
        before = len(self.problems)
        for key in sorted(set(table) - _SOURCE_KEYS):
            self.problem(where, key, _unknown(key))
        values = {}
        for key in ("id", "title", "url", "kind", "licence"):
            value = table.get(key)
            if key == "licence" and table.get("kind") == "dcat":
                if value is not None:
                    self.problem(where, key, _DCAT_LICENCE)
                continue
            if value is None:
                self.problem(where, key, "missing" + _REQUIRED_HINTS.get(key, ""))
            elif not isinstance(value, str) or not value.strip():
                self.problem(where, key, "must be a non-empty string")
            else:
                values[key] = value.strip()
        if "id" in values and not _ID.fullmatch(values["id"]):
            self.problem(where, "id", "use letters, digits, '.', '_' and '-' (at most 64)")
        if "url" in values:
            self._check_url(where, values["url"])
        kind = values.get("kind")
        if kind is not None and kind not in KINDS:
            self.problem(where, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
        if "licence" in values:
            try:
                values["licence"] = licence_iri(values["licence"], licences)
            except ValueError as error:
                self.problem(where, "licence", str(error))
        profile = table.get("profile", "core")
        if profile not in PROFILES:
            self.problem(where, "profile", f"{profile!r} is not one of {', '.join(PROFILES)}")
        schedule = None
        if "schedule" in table:
            try:
                schedule = parse_duration(str(table["schedule"]))
            except ValueError as error:
                self.problem(where, "schedule", str(error))
        query = table.get("query")
        if kind == "sparql":
            self._check_query(where, query)
        elif query is not None:
            self.problem(where, "query", "only a source of kind 'sparql' takes a query")
        record_base = None
        if "base" in table:
            record_base = self.prefix(where, "base", table["base"])
        max_datasets = table.get("max_datasets", DEFAULT_MAX_DATASETS)
        if kind != "dcat" and "max_datasets" in table:
            self.problem(where, "max_datasets", "only a source of kind 'dcat' takes max_datasets")
        elif (
            isinstance(max_datasets, bool) or not isinstance(max_datasets, int) or max_datasets < 1
        ):
            self.problem(where, "max_datasets", "must be a whole number above zero")
        if len(self.problems) > before:
            return None
        return Source(
            id=values["id"],
            title=values["title"],
            url=values["url"],
            kind=values["kind"],
            licence=values.get("licence", ""),
            graph=f"{base}sources/{values['id']}",
            quarantine=f"{base}sources/{values['id']}/quarantine",
            profile=profile,
            schedule=schedule,
            query=query,
            base=record_base,
            max_datasets=max_datasets,
        )

    def _check_url(self, where: str, url: str) -> None:
        try:
            if not _IRI.fullmatch(url):
                raise httpx.InvalidURL(url)
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            self.problem(where, "url", "not a valid URL")
            return
        if parsed.scheme not in ("http", "https") or not parsed.host:
            self.problem(where, "url", "only http and https URLs are harvested")
        elif parsed.userinfo:
            self.problem(where, "url", "must not contain credentials (user:password@)")

    def _check_query(self, where: str, query: object) -> None:
        if not isinstance(query, str) or not query.strip():
            self.problem(where, "query", "missing (a source of kind 'sparql' needs a CONSTRUCT)")
            return
        try:
            form = prepareQuery(query).algebra.name
        except Exception as error:  # the SPARQL parser raises many types
            self.problem(where, "query", f"not valid SPARQL ({type(error).__name__})")
            return
        if form != "ConstructQuery":
            self.problem(where, "query", "must be a CONSTRUCT query (the result is RDF)")


_DCAT_LICENCE = (
    "a dcat source takes each dataset's licence from its distribution, the dataset or the "
    "catalogue; a dataset without one is reported, never given a licence from this file: "
    "remove the key"
)
_REQUIRED_HINTS = {
    "licence": (
        " (the IRI of the licence the source publishes under, for example "
        "<https://creativecommons.org/licenses/by/4.0/>; it is never guessed)"
    ),
    "kind": f" (one of {', '.join(KINDS)})",
}


__all__ = [
    "KINDS",
    "KNOWN_LICENCES",
    "Config",
    "ConfigError",
    "FeedSettings",
    "FetchSettings",
    "Source",
    "licence_iri",
    "load_config",
    "parse_config",
    "parse_document",
    "parse_duration",
]
