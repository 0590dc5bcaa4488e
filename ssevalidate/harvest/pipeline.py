"""One harvest of one source: fetch → convert → validate → split → swap.

The order of the writes is what keeps the store consistent if the process dies at any point:

1. the activity's start is appended to the provenance graph;
2. nothing is written while fetching, converting and validating: any failure (network error,
   HTTP error, timeout, garbage, truncated gzip, any exception) ends here, the graphs in use
   untouched;
3. the quarantine graph is swapped in; a large one (over :data:`SWAPPED_WHOLE`) is
   reloaded instead, without a transaction but with its previous version kept on disk until
   the new one is in (:meth:`Store.reload_graph`: a failure puts it back at once, a death
   when the store is next opened);
4. the source's graph (accepted records *and* the fetch state) is swapped in: this is the
   commit, one transaction. Dying in 3 or between 3 and 4 leaves the old data with the old
   state, so the next harvest fetches again and rebuilds both graphs (the quarantine may be
   one harvest ahead meanwhile; ``prov:wasGeneratedBy`` on each graph tells). When the
   records own their blank nodes, the transaction replaces only the records that changed.
   Two cases are loaded without a transaction (``_commit``). A large graph that must be
   replaced whole (new settings, records sharing blank nodes) is reloaded as a large
   quarantine is, its previous version kept. A first harvest (into an empty graph) has no
   previous version: cut short, it leaves records without their fetch state (written last),
   which the next harvest replaces whole;
5. the activity's end is appended.

The source's graph also holds what the change feed serves (``feed_state`` in
:mod:`ssevalidate.harvest.feed`): when each record was created and last changed, and the
tombstones of the records deleted within the retention; the feed changes with the data, in the
same swap.

Memory: a large spreadsheet, GeoJSON collection, Murmurations profile list or Turtle /
N-Triples dump (from :data:`~ssevalidate.importers.streaming.STREAM_THRESHOLD`) is never a
graph in memory, nor bytes: it is written to a temporary file as it arrives (every download
is), converted a chunk of rows (or subjects) at a time into N-Triples (each record's hash taken
from its chunk), validated by the fast engine from that file in parts, split line by line into
the accepted and quarantined files, and those are bulk-loaded by the store: what is kept whole
is a hash per record and the report. Other sources are converted, validated and split in memory, and written to the same two
files.

Per kind, the reading differs and the rest is the same: most sources are one document
(:func:`~ssevalidate.harvest.fetcher.download`), a Murmurations index query several pages
converted one by one, a ``feed`` is read from where the last harvest stopped
(:mod:`~ssevalidate.harvest.sources_feed`). A ``dcat`` catalogue is not one graph: each of its
datasets is harvested as a source of its own (:mod:`~ssevalidate.harvest.sources_dcat`), with
its own activity, and a dataset gone from the catalogue is retired (:func:`retire_source`: an
activity that deletes its records; its graph keeps only their tombstones).

>>> from ssevalidate.harvest.pipeline import harvest_source
>>> result = harvest_source(config.source("ica"), store, config, allow=["127.0.0.1"])
... # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH

from ssevalidate.fetch import FetchError
from ssevalidate.harvest import feed, provenance, sources_dcat, sources_feed
from ssevalidate.harvest.config import Config, Source
from ssevalidate.harvest.fetcher import Document, download
from ssevalidate.harvest.provenance import HarvestResult
from ssevalidate.harvest.records import (
    Changes,
    Layout,
    Records,
    compare,
    select_ntriples,
    split_ntriples,
)
from ssevalidate.harvest.state import (
    TREE,
    FetchState,
    description,
    read_record_hashes,
    read_state,
)
from ssevalidate.harvest.storeio import Triple, append, ntriples, storable, write_ntriples
from ssevalidate.harvest.terms import HARVEST
from ssevalidate.importers import convert, gunzip_head
from ssevalidate.importers.conversion import Conversion
from ssevalidate.importers.streaming import (
    RDF_STREAMED,
    STREAM_THRESHOLD,
    spool,
    stream_export,
    stream_rdf,
    streamed_dialect,
)
from ssevalidate.parsegate import InputError, detect_format
from ssevalidate.render.rdf import report_graph
from ssevalidate.report import Report, Result, term_text
from ssevalidate.store import Store, StoreError
from ssevalidate.validation import validate

Progress = Callable[[str, str], None]
"""``progress(source_id, stage)``; stages: ``"fetch"``, ``"convert"``, ``"validate"``,
``"store"``, then the outcome (``"harvested"``, ``"not-modified"``, ``"unchanged"``,
``"failed"``, ``"retired"``). A DCAT catalogue reports its datasets' stages under their own
ids (``<catalogue id>/<dataset key>``)."""

log = logging.getLogger(__name__)
_LONGEST = 300

SWAPPED_WHOLE = 8 << 20
"""Up to this size (bytes of N-Triples, about 60,000 statements) a graph replaced whole is
swapped in one transaction; a larger one is reloaded without (:meth:`Store.reload_graph`,
which keeps the previous version on disk until the new one is in). A
transaction is the size of what it writes: in pyoxigraph a ``MOVE`` of the 850,000 statements of
a million-record source's quarantine took 4 GB and 240 s (a reload: 1.5 GB, 40 s), one of 2.4
million statements 7.8 GB; the 24 million of a million records could not be swapped at all."""


def harvest_source(
    source: Source,
    store: Store,
    config: Config,
    *,
    allow: Iterable[str] = (),
    progress: Progress | None = None,
) -> HarvestResult:
    """Harvest one source into ``store``; never raises for a failure of the source or the
    store (the result says ``failed`` and why), and never damages the graphs in use."""
    if source.kind == "dcat":
        harvest = functools.partial(harvest_source, allow=allow, progress=progress)
        retire = functools.partial(retire_source, progress=progress)

        def run(result: HarvestResult, stage: Callable[[str], None]) -> None:
            sources_dcat.harvest_catalogue(
                source, store, config, result, stage, allow=allow, harvest=harvest, retire=retire
            )

    else:

        def run(result: HarvestResult, stage: Callable[[str], None]) -> None:
            _run(source, store, config, allow, result, stage)

    return _activity(source, store, config, run, progress)


def retire_source(
    source: Source, store: Store, config: Config, *, progress: Progress | None = None
) -> HarvestResult:
    """Empty ``source``'s graphs (a source removed, a dataset gone from its catalogue) but for
    the tombstones of its records, whose deletion an activity records (outcome ``retired``);
    a catalogue's datasets are retired first (if one fails, the catalogue stays listing it, to
    be retired again). Never raises."""

    def run(result: HarvestResult, stage: Callable[[str], None]) -> None:
        if source.kind == "dcat":
            for dataset in sources_dcat.known_datasets(store, source).values():
                retired = retire_source(dataset, store, config, progress=progress)
                if not retired.ok:
                    raise StoreError(f"dataset {dataset.id} not retired: {retired.error}")
        previous = read_record_hashes(store, source.graph)
        result.changes = Changes(deleted=sorted(previous))
        stage("store")
        graph = URIRef(source.graph)
        # Only the tombstones stay, so the feed tells followers the records are gone.
        kept = list(
            feed.feed_state(store, source.graph, [], result.changes, _now(), config.feed.retention)
        )
        kept.append((graph, DCTERMS.identifier, Literal(source.id)))
        kept.append((graph, PROV.wasGeneratedBy, URIRef(result.activity)))
        store.replace_graph(source.quarantine, b"", "ntriples")
        store.replace_graph(source.graph, ntriples(kept), "ntriples")
        result.outcome = "retired"

    return _activity(source, store, config, run, progress)


def _activity(
    source: Source,
    store: Store,
    config: Config,
    run: Callable[[HarvestResult, Callable[[str], None]], None],
    progress: Progress | None,
) -> HarvestResult:
    """``run`` inside an activity: its start and end recorded, any failure caught."""

    def stage(name: str) -> None:
        if progress:
            progress(source.id, name)

    result = HarvestResult(
        source=source.id,
        activity=f"{config.base}harvests/{uuid.uuid4()}",
        started=_now(),
        url=source.url,
    )
    try:
        append(store, config.provenance_graph, provenance.started(result, source))
        run(result, stage)
    except Exception as error:  # a failure of this source must not stop the others
        result.outcome = "failed"
        result.error = _message(error, source)
    result.ended = _now()
    try:
        append(store, config.provenance_graph, provenance.ended(result, source))
    except StoreError as error:
        result.error = "; ".join(filter(None, [result.error, f"provenance not recorded: {error}"]))
    stage(result.outcome)
    return result


def _run(
    source: Source,
    store: Store,
    config: Config,
    allow: Iterable[str],
    result: HarvestResult,
    stage: Callable[[str], None],
) -> None:
    previous = read_state(store, source.graph)
    stage("fetch")
    with tempfile.TemporaryDirectory(prefix="ssevalidate-harvest-") as scratch:
        folder = Path(scratch)
        conversion, more_state = None, []
        if source.kind == "feed":
            reading = sources_feed.read(source, store, previous, config.fetch, allow)
            got, conversion, more_state = reading.download, reading.conversion, reading.state
        else:
            got = download(source, previous, config.fetch, allow, folder=folder)
        result.url, result.bytes = got.url, got.size
        result.etag, result.last_modified, result.bytes_hash = (
            got.etag,
            got.last_modified,
            got.bytes_hash,
        )
        if got.outcome != "modified":
            result.outcome = got.outcome
            return
        stage("convert")
        table = None if conversion else _streamable(source, got.documents)
        if table:
            checked = _check_streamed(source, got.documents[0], table, folder, stage)
        else:
            conversion = conversion or _convert(source, got.documents)
            del got  # the bytes are no longer needed: the graph is
            checked = _check_in_memory(source, conversion, folder, stage)
            del conversion
        _commit(source, store, config, result, previous, checked, more_state, stage)


@dataclasses.dataclass
class _Checked:
    """A source converted and validated, its records split into two N-Triples files."""

    report: Report
    records_read: int
    hashes: dict[str, str]
    """Content hash of each accepted record (by IRI)."""
    rejected: set[str]
    """The rejected records (IRI or ``_:label``, as the report names them)."""
    unstorable: list[Triple]
    accepted: Path
    quarantined: Path
    layout: Layout = dataclasses.field(default_factory=Layout)
    """Of the accepted records: whether each one's blank nodes are its own."""


def _streamable(source: Source, documents: tuple[Document, ...]) -> str | None:
    """How a source that is one large document is read as a stream: its dialect (a table,
    GeoJSON or Murmurations profiles), or ``rdf`` for a Turtle or N-Triples dump; None for
    anything else (read in memory)."""
    if len(documents) != 1 or documents[0].size < STREAM_THRESHOLD:
        return None
    document = documents[0]
    head = document.head()
    if source.dialect == "rdf":
        return (
            "rdf" if detect_format(gunzip_head(head), name=document.name) in RDF_STREAMED else None
        )
    return streamed_dialect(head, document.name, source.dialect, document.size)


def _check_in_memory(
    source: Source, conversion: Conversion, folder: Path, stage: Callable[[str], None]
) -> _Checked:
    stage("validate")
    report = validate(conversion, profile=source.profile)
    records = Records(conversion.graph, conversion.origins)
    rejected = {
        records.owner(node)
        for text, results in report.by_record().items()
        if _violates(results) and (node := records.node(text)) is not None
    }
    rejected |= {records.owner(subject) for subject, _, _ in records.unstorable}
    checked = _Checked(
        report,
        conversion.records,
        {str(iri): records.digest(iri) for iri in records.iris if iri not in rejected},
        {term_text(node) for node in rejected},
        records.unstorable,
        folder / "accepted.nt",
        folder / "quarantine.nt",
    )
    every = folder / "records.nt"
    every.write_bytes(ntriples(records.grouped()))
    checked.layout = split_ntriples(every, checked.rejected, checked.accepted, checked.quarantined)
    every.unlink()
    return checked


def _check_streamed(
    source: Source, document: Document, dialect: str, folder: Path, stage: Callable[[str], None]
) -> _Checked:
    """A large spreadsheet or GeoJSON collection (a chunk of rows or features at a time) or RDF
    dump (a chunk of subjects at a time, from a scratch database) converted into an N-Triples
    file (:mod:`~ssevalidate.importers.streaming`), validated by the fast engine from that file
    in parts, and split line by line: only the record hashes and the report are kept whole. The
    records, hashes and report are those :func:`_check_in_memory` gives."""
    hashes: dict[str, str] = {}
    unstorable: list[Triple] = []
    rejected: set[str] = set()

    def each_chunk(chunk: Conversion) -> None:
        records = Records(chunk.graph, chunk.origins)
        for triple in records.unstorable:
            chunk.graph.remove(triple)
            rejected.add(term_text(records.owner(triple[0])))
        unstorable.extend(records.unstorable)
        hashes.update((str(iri), records.digest(iri)) for iri in records.iris)

    read, name = document.path, document.name
    if dialect == "rdf":
        chunks = stream_rdf(read, name=name, base=source.record_base)
    else:
        chunks = stream_export(read, dialect=dialect, name=name, base=source.record_base)
    spooled = spool(chunks, folder / "records.nt", each_chunk=each_chunk)
    read.unlink()
    stage("validate")
    report = validate(spooled, profile=source.profile)
    rejected |= {text for text, results in report.by_record().items() if _violates(results)}
    for text in rejected:
        hashes.pop(text, None)  # in place: a copy would be a second hash a record
    checked = _Checked(
        report,
        spooled.records,
        hashes,
        rejected,
        unstorable,
        folder / "accepted.nt",
        folder / "quarantine.nt",
    )
    checked.layout = split_ntriples(spooled.path, rejected, checked.accepted, checked.quarantined)
    spooled.path.unlink()
    return checked


def _commit(
    source: Source,
    store: Store,
    config: Config,
    result: HarvestResult,
    previous: FetchState | None,
    checked: _Checked,
    more_state: list[Triple],
    stage: Callable[[str], None],
) -> None:
    """The state and provenance added to the two files, and the files swapped in.

    The source's graph is swapped in one of three ways. When the last good harvest had the
    same settings and both harvests' records own their blank nodes (:class:`Layout`), one
    update of the store replaces the records that changed and the dataset's description
    (:meth:`~ssevalidate.store.EmbeddedStore.update_graph`): the transaction follows the
    changes, not the source. Into an empty graph, the file is loaded as it is (there is no
    previous version to keep). Otherwise the whole graph is replaced: aside then moved, or when
    large reloaded with its previous version kept on disk until the new one is in."""
    result.records_read = checked.records_read
    result.report = checked.report
    result.accepted, result.rejected = len(checked.hashes), len(checked.rejected)
    hashes = checked.hashes
    result.changes = compare(read_record_hashes(store, source.graph) if previous else {}, hashes)
    state = FetchState(
        result.etag,
        result.last_modified,
        result.bytes_hash,
        source.fingerprint(),
        result.activity,
        TREE if checked.layout.tree else None,
    )
    retention = config.feed.retention
    with open(checked.accepted, "ab") as out:
        write_ntriples(
            feed.feed_state(store, source.graph, hashes, result.changes, _now(), retention), out
        )
        write_ntriples(more_state, out)
        # Last: a graph loaded without a transaction and cut short has no fetch state (or part
        # of it), so the next harvest loads it again.
        write_ntriples(description(source, state, hashes, result.started), out)
    with open(checked.quarantined, "ab") as out:
        write_ntriples(_results(checked.report, checked.rejected, checked.unstorable), out)
        write_ntriples(_about_quarantine(source, result.activity), out)
    stage("store")
    _replace(store, source.quarantine, checked.quarantined)
    same_settings = previous is not None and previous.fingerprint == state.fingerprint
    if same_settings and previous.layout == TREE == state.layout:
        changes = result.changes
        changed = {*changes.created, *changes.updated, source.graph}
        inserted = checked.accepted.with_name("changed.nt")
        select_ntriples(checked.accepted, changed, inserted)
        gone = [*changes.updated, *changes.deleted, source.graph]
        store.update_graph(source.graph, gone, inserted)
    elif previous is None and store.count(source.graph) == 0:
        store.load_graph(source.graph, checked.accepted)
    else:
        _replace(store, source.graph, checked.accepted)
    result.outcome = "harvested"


def _replace(store: Store, graph: str, data: Path) -> None:
    """``graph`` replaced whole by the N-Triples file ``data``: swapped in one transaction, or
    reloaded without (its previous version kept) when larger than :data:`SWAPPED_WHOLE`."""
    if data.stat().st_size <= SWAPPED_WHOLE:
        store.replace_graph(graph, data, "ntriples")
    else:
        store.reload_graph(graph, data)


def _violates(results: list[Result]) -> bool:
    return any(result.severity == "Violation" for result in results)


def _convert(source: Source, documents: tuple[Document, ...]) -> Conversion:
    """Each document converted, and the conversions merged (the pages of one source)."""
    conversions = [
        convert(
            document.read(), name=document.name, dialect=source.dialect, base=source.record_base
        )
        for document in documents
    ]
    if len(conversions) == 1:
        return conversions[0]
    merged = Conversion(dialect=conversions[0].dialect, version=conversions[0].version)
    for conversion in conversions:
        merged.graph += conversion.graph
        merged.records += conversion.records
        merged.origins.update(conversion.origins)
        merged.fields.update(conversion.fields)
        merged.cells_reconciled += conversion.cells_reconciled
        merged.cells_unresolved += conversion.cells_unresolved
        merged.problems.extend(conversion.problems)
    return merged


def _results(report: Report, rejected: set[str], unstorable: list[Triple]) -> Iterator[Triple]:
    """The SHACL results of the ``rejected`` records (as the report names them), and one for
    each triple no store takes."""
    own = dataclasses.replace(report, results=[r for r in report.results if r.record in rejected])
    yield from (triple for triple in report_graph(own) if storable(triple))
    for subject, predicate, value in unstorable:
        item = BNode()
        focus = (item, SH.focusNode, subject)
        if not storable(focus):
            continue  # the record's own IRI is broken: it is counted, it cannot be shown
        yield (item, RDF.type, SH.ValidationResult)
        yield focus
        yield (item, SH.resultSeverity, SH.Violation)
        yield (item, SH.sourceConstraintComponent, HARVEST.StorableConstraintComponent)
        if storable((item, SH.resultPath, predicate)):
            yield (item, SH.resultPath, predicate)
        yield (item, SH.value, Literal(str(value)))
        yield (item, SH.resultMessage, Literal(_UNSTORABLE, lang="en"))


_UNSTORABLE = (
    "This value is not valid RDF (an IRI with a space or a character such as < > | or a "
    "malformed language tag): no store accepts it, so the record is held back."
)


def _about_quarantine(source: Source, activity: str) -> Iterator[Triple]:
    graph = URIRef(source.quarantine)
    yield graph, RDF.type, HARVEST.Quarantine
    yield graph, DCTERMS.source, URIRef(source.graph)
    yield graph, PROV.wasGeneratedBy, URIRef(activity)


def _message(error: Exception, source: Source) -> str:
    """Why a harvest failed, for people: our errors say it without quoting fetched bytes;
    anything else is named by its type only (the details go to the log)."""
    if isinstance(error, FetchError | StoreError):
        return str(error)
    if isinstance(error, InputError):
        # The parser may quote a token of the data to say where it stumbled: keep it short.
        return f"the data is not readable as {source.kind}: {str(error)[:_LONGEST]}"
    log.exception("harvest of %s failed", source.id)
    return f"unexpected {type(error).__name__} (see the log)"


def _now() -> datetime:
    return datetime.now(UTC)


__all__ = ["Progress", "harvest_source", "retire_source"]
