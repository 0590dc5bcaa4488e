"""The library's main calls: :func:`load` and :func:`validate`.

>>> import ssevalidate
>>> report = ssevalidate.validate(b'''
... @prefix sse: <https://w3id.org/sse/vocab/> .
... <https://example.org/a> a sse:Initiative .''', format="turtle")
>>> report.conforms, report.results[0].component
(False, 'sh:MinCountConstraintComponent')
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from ssevalidate.engines import DEFAULT_ENGINE, Finding, get_engine
from ssevalidate.engines.fast import FastEngine
from ssevalidate.engines.fast import Source as EngineSource
from ssevalidate.hints import Hinter
from ssevalidate.i18n import supported
from ssevalidate.importers import (
    GZIP_MAGIC,
    convert,
    dialect_of,
    gunzip,
    importer_name,
    importer_of_file,
)
from ssevalidate.importers.conversion import Conversion
from ssevalidate.importers.streaming import (
    STREAM_THRESHOLD,
    RecordRows,
    Spool,
    expand,
    spool,
    stream_export,
    streamed_dialect,
)
from ssevalidate.namespaces import compact
from ssevalidate.parsegate import (
    Document,
    InputError,
    detect_format,
    format_name,
    locate,
    may_be_nquads,
    read,
)
from ssevalidate.profiles import get_profile
from ssevalidate.reconcile import reconciler
from ssevalidate.report import (
    SEVERITIES,
    RecordIndex,
    Report,
    Result,
    ShapeTexts,
    sort_key,
    term_text,
)
from ssevalidate.resources import taxonomies
from ssevalidate.shaclpaths import path_text

Source = str | bytes | os.PathLike | Graph | Spool | Conversion
UNNAMED = "<input>"
"""The name the parse gate gives to bytes without a file name."""
Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stage is ``"read"`` (bytes), ``"validate"`` (the pySHACL
engine: 0 then 1 of 1) or ``"records"`` (the fast engine: records validated so far, and the
expected total, an estimate until the last part is done)."""


def load(source: Source, *, format: str | None = None, base_iri: str | None = None) -> Graph:
    """Parse one source through the parse gate into an rdflib graph.

    ``source`` is a path, bytes, a text (a ``str`` that is not the path of an existing file),
    or a graph (returned as it is).
    """
    if isinstance(source, Graph):
        return source
    return _read_one(source, 0, format, base_iri, None).graph


def validate(
    source: Source | Sequence[Source],
    profile: str = "core",
    *,
    format: str | None = None,
    lang: str = "en",
    engine: str = DEFAULT_ENGINE,
    base_iri: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Report:
    """Validate one source, or several read as one directory, against a profile.

    With the ``fast`` engine, files are read by the engine itself, on ``workers`` processes
    (default: every core) or on the Dask cluster at ``scheduler`` (``tcp://host:8786``). A
    :class:`~ssevalidate.importers.streaming.Spool` (a spreadsheet already converted into an
    N-Triples file) is read from its file, its results pointing at rows of the spreadsheet; a
    :class:`~ssevalidate.importers.conversion.Conversion` (an export already converted) is its
    graph, its results pointing at rows, features or profiles of the export.
    Raises :class:`InputError` (a ``ValueError``) for unreadable input, an unknown profile,
    format or engine; everything else about the data is in the returned :class:`Report`.
    """
    chosen = get_profile(profile)
    runner = get_engine(engine)
    lang = supported(lang)
    sources = list(source) if isinstance(source, list | tuple) else [source]
    with ExitStack() as cleanup:
        imports = _Imports(cleanup, progress, scheduler, isinstance(runner, FastEngine))
        sources = [imports.imported(item, format) for item in sources]
        format = None if format and importer_name(format) else format
        if isinstance(runner, FastEngine) and not any(isinstance(s, Graph) for s in sources):
            runner.workers = workers or runner.workers
            runner.scheduler = scheduler
            return _validate_fast(
                runner, sources, chosen, format, lang, base_iri, progress, imports
            )
        documents: list[Document] = []
        if len(sources) == 1 and isinstance(sources[0], Graph):
            user = sources[0]  # read, never changed: copying a large graph costs seconds
        else:
            user = Graph()
            for index, item in enumerate(sources):
                if isinstance(item, Graph):
                    user += item
                    continue
                document = _read_one(item, index, format, base_iri, progress)
                documents.append(document)
                user += document.graph

    shapes = chosen.shapes()
    if progress:
        progress("validate", 0, 1)
    if isinstance(runner, FastEngine):
        findings = runner.run(user, shapes, with_taxonomies=chosen.with_taxonomies)
    else:
        findings = runner.run(with_concepts(user) if chosen.with_taxonomies else user, shapes)
    if progress:
        progress("validate", 1, 1)

    index = RecordIndex(user, lang)
    located = _located({index.record(finding.focus) for finding in findings}, documents)
    return _report(
        findings,
        chosen,
        runner,
        lang,
        index,
        lambda record, finding: _origin(record, finding, located, imports),
        _count_records(user, shapes, index),
        getattr(runner, "notices", []),
    )


def _validate_fast(
    runner: FastEngine,
    sources: list,
    chosen,
    format: str | None,
    lang: str,
    base_iri: str | None,
    progress: Progress | None,
    imports: _Imports,
) -> Report:
    """The fast engine reads the documents itself (in parts, on several processes). Records of
    a streamed spreadsheet point at their row and column, never at the temporary file."""

    def origin(record, finding: Finding) -> dict | None:
        if not isinstance(record, URIRef):
            return None
        located = imports.streamed.origin_of(str(record), finding.path)
        if located:
            return located
        found = outcome.origins.get(str(record))
        return None if found and found.get("file") in imports.spooled else found

    documents = [_engine_source(item, i, format, base_iri) for i, item in enumerate(sources)]
    outcome = runner.run_sources(
        documents, chosen.shapes(), with_taxonomies=chosen.with_taxonomies, progress=progress
    )
    return _report(
        outcome.findings,
        chosen,
        runner,
        lang,
        RecordIndex(outcome.context, lang),
        origin,
        outcome.records,
        outcome.notices,
    )


def _engine_source(
    source: str | bytes | os.PathLike, index: int, format: str | None, base_iri: str | None
) -> EngineSource:
    prefix = f"d{index}x"
    name = str(source)
    if isinstance(source, _ExpandedFile):
        name, source = source.name, source.path
    if isinstance(source, str) and not _is_path(source):
        source = source.encode("utf-8")
    if isinstance(source, bytes):
        chosen = detect_format(source, name=UNNAMED, format=format)
        return EngineSource(
            UNNAMED,
            chosen,
            data=source,
            base_iri=base_iri,
            bnode_prefix=prefix,
            nquads_fallback=may_be_nquads(source, name=UNNAMED, format=format, chosen=chosen),
        )
    path = Path(source)
    try:
        with path.open("rb") as stream:
            head = stream.read(1 << 16)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=name) from None
    chosen = detect_format(head, name=name, format=format)
    return EngineSource(
        name,
        chosen,
        path=str(path),
        base_iri=base_iri or Path(name).resolve().as_uri(),
        bnode_prefix=prefix,
        nquads_fallback=may_be_nquads(head, name=name, format=format, chosen=chosen),
    )


def _report(
    findings: list[Finding],
    chosen,
    runner,
    lang: str,
    index: RecordIndex,
    origin: Callable,
    records: int,
    notices: list[str],
) -> Report:
    shapes = chosen.shapes()
    hinter = Hinter(shapes, reconciler, lang)
    texts = ShapeTexts(shapes, lang)
    results = []
    for finding in findings:
        record = index.record(finding.focus)
        results.append(
            Result(
                severity=SEVERITIES.get(finding.severity, "Violation"),
                focus=term_text(finding.focus),
                focus_label=index.label(finding.focus) or index.label(record),
                record=term_text(record),
                path=None if finding.path is None else path_text(finding.path),
                field=texts.name(finding.shape),
                value=term_text(finding.value),
                component=compact(str(finding.component)),
                shape=term_text(finding.shape),
                message=texts.message(finding),
                hint=hinter.hint(finding),
                origin=origin(record, finding),
                finding=finding,
            )
        )
    results.sort(key=sort_key)
    return Report(
        profile=chosen.name,
        engine=runner.name,
        lang=lang,
        records=records,
        results=results,
        shapes=shapes,
        notices=list(notices),
    )


def with_concepts(user: Graph) -> Graph:
    """The data plus the description of every taxonomy concept it uses: shapes check a value's
    scheme by reading the concept's own triples (never more), so copying the whole taxonomies
    into each validation would only cost time."""
    schemes = taxonomies()
    data = Graph()
    data += user
    for value in set(user.objects()):
        if isinstance(value, URIRef):
            for triple in schemes.triples((value, None, None)):
                data.add(triple)
    return data


def _read_one(
    source: str | bytes | os.PathLike,
    index: int,
    format: str | None,
    base_iri: str | None,
    progress: Progress | None,
) -> Document:
    prefix = f"d{index}x"
    if isinstance(source, bytes):
        return read(source, format=format, base_iri=base_iri, bnode_prefix=prefix)
    if isinstance(source, str) and not _is_path(source):
        return read(source.encode("utf-8"), format=format, base_iri=base_iri, bnode_prefix=prefix)
    path = Path(source)
    try:
        size = path.stat().st_size
        data = bytearray()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                data += chunk
                if progress:
                    progress("read", len(data), size)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=str(source)) from None
    return read(
        gunzip(bytes(data), str(source)),
        name=str(source),
        format=format,
        base_iri=base_iri or path.resolve().as_uri(),
        bnode_prefix=prefix,
    )


class _Imports:
    """Directory exports among the sources, converted to SSE data, and where their records came
    from. With the fast engine, a large spreadsheet is converted as a stream into a temporary
    N-Triples file (removed by ``cleanup``) that the engine reads in parts: memory follows a
    chunk of rows, not the file; only each record's row is kept (:class:`RecordRows`)."""

    def __init__(
        self, cleanup: ExitStack, progress: Progress | None, scheduler: str | None, fast: bool
    ) -> None:
        self.cleanup = cleanup
        self.progress = progress
        self.scheduler = scheduler
        self.fast = fast
        self.conversions: dict[str, Conversion] = {}
        self.streamed = RecordRows()
        self.spooled: set[str] = set()
        """The temporary N-Triples files read in place of the sources."""
        self.folder: str | None = None

    def imported(self, source, format: str | None) -> Source:
        """``source`` converted to SSE data when it is a directory export (a spreadsheet,
        GeoJSON, Murmurations...), else ``source`` as it is (a gzip-compressed file expanded,
        for the fast engine); a :class:`Spool` is its file, a :class:`Conversion` its graph."""
        if isinstance(source, Spool):
            self.streamed.merge(source.rows)
            self.spooled.add(str(source.path))
            return str(source.path)
        if isinstance(source, Conversion):
            for record in source.origins:
                self.conversions[record] = source
            return source.graph
        if isinstance(source, Graph):
            return source
        if format and not _may_be_export(format):
            return self._as_it_is(source)
        if isinstance(source, bytes | str) and not _is_path(source):
            name, data = UNNAMED, source.encode("utf-8") if isinstance(source, str) else source
            head = data
        elif _is_path(source):
            name = str(source)
            head = _head(name)
            data = None
        else:
            return source
        hint = format or importer_of_file(name)
        if dialect_of(head, name, hint) is None:
            return self._as_it_is(source, head)
        if data is None and self.fast and os.path.getsize(name) >= STREAM_THRESHOLD:
            streamed = streamed_dialect(head, name, hint, os.path.getsize(name))
            if streamed:
                return self._spool(name, streamed)
        if data is None:
            data = _read_bytes(name)
        conversion = convert(data, name=name, dialect=hint)
        for record in conversion.origins:
            self.conversions[record] = conversion
        return conversion.graph

    def _spool(self, name: str, dialect: str) -> str:
        """The export ``name`` converted chunk by chunk into a temporary N-Triples file."""
        path = self._scratch(name, ".nt")
        spooled = spool(stream_export(name, dialect=dialect, progress=self.progress), path)
        self.streamed.merge(spooled.rows)
        self.spooled.add(path)
        return path

    def _as_it_is(self, source, head: bytes | None = None) -> Source:
        """RDF read as it is; for the fast engine, a gzip-compressed file (``head``: its first
        bytes, when already read) is expanded into a temporary file, which the engine reads in
        parts under the compressed file's name."""
        if not (self.fast and _is_path(source)):
            return source
        if not (_head(str(source)) if head is None else head).startswith(GZIP_MAGIC):
            return source
        name = str(source)
        path = self._scratch(name, "")
        expand(name, path, name=name, progress=self.progress)
        return _ExpandedFile(name, path)

    def _scratch(self, name: str, suffix: str) -> str:
        """A new temporary file's path. For a Dask cluster, the file is next to ``name``, where
        the workers read it."""
        if self.folder is None:
            near = os.path.dirname(os.path.abspath(name)) if self.scheduler else None
            folder = tempfile.TemporaryDirectory(prefix="ssevalidate-", dir=near)
            self.folder = self.cleanup.enter_context(folder)
        return os.path.join(self.folder, f"{len(os.listdir(self.folder))}{suffix}")


@dataclass(frozen=True)
class _ExpandedFile:
    """A gzip-compressed file (``name``) expanded into a temporary one (``path``)."""

    name: str
    path: str


def _may_be_export(format: str) -> bool:
    """Whether data given as ``format`` may still be a directory export: JSON-LD may be plain
    JSON (GeoJSON, Murmurations...), which only its keys tell apart."""
    if importer_name(format):
        return True
    try:
        return format_name(format) == "jsonld"
    except InputError:
        return False


def _head(name: str) -> bytes:
    try:
        with open(name, "rb") as stream:
            return stream.read(1 << 16)
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=name) from None


def _read_bytes(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", name=name) from None


def _is_path(source) -> bool:
    return isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and os.path.isfile(source)
    )


def _located(records: set, documents: list[Document]) -> dict[str, dict]:
    """Where each record is described: in the first document that describes it, all of a
    document's records found in one pass over its text (a pass per record kept the report of
    2,333 results on a 120 MB file busy for more than ten minutes)."""
    found: dict[str, dict] = {}
    for document in documents:
        iris = {
            str(record)
            for record in records
            if isinstance(record, URIRef)
            and str(record) not in found
            and (record, None, None) in document.graph
        }
        if iris:
            found.update(locate(document.data, iris, document.prefixes, document.name))
    return found


def _origin(record, finding: Finding, located: dict[str, dict], imports: _Imports) -> dict | None:
    if not isinstance(record, URIRef):
        return None
    if str(record) in imports.conversions:
        return imports.conversions[str(record)].origin_of(str(record), finding.path)
    return imports.streamed.origin_of(str(record), finding.path) or located.get(str(record))


def _count_records(data: Graph, shapes: Graph, index: RecordIndex) -> int:
    """How many records of the user's data the profile's shapes look at (a focus node inside a
    record, such as its address, counts as that record)."""
    focus: set = set()
    for target_class in set(shapes.objects(None, SH.targetClass)):
        focus.update(data.subjects(RDF.type, target_class))
    focus.update(node for node in shapes.objects(None, SH.targetNode) if (node, None, None) in data)
    for predicate in set(shapes.objects(None, SH.targetSubjectsOf)):
        focus.update(data.subjects(predicate, None))
    for predicate in set(shapes.objects(None, SH.targetObjectsOf)):
        focus.update(data.objects(None, predicate))
    return len({index.record(node) for node in focus})
