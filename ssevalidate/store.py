"""Where validated data lives: one interface, two implementations.

:class:`EmbeddedStore` is a pyoxigraph database (the default); :class:`RemoteStore` is any SPARQL
1.1 server, through the SPARQL Protocol and the Graph Store Protocol (Oxigraph server in the
tests; Fuseki, QLever or Virtuoso in production). Each source lives in its own named graph. A
new version of a graph is loaded aside and swapped in with one SPARQL ``MOVE`` (a single
transaction), so a failed load never damages the graph in use. The new version is bytes, or
the path of a file, which is read as a stream (a harvested source of a million records).

A transaction costs memory in proportion to what it writes (``MOVE`` of 2.4 million triples:
7.8 GB in pyoxigraph), so the harvester also has two cheaper ways in: ``update_graph`` replaces
some subjects (the records that changed) in one update, and ``load_graph`` bulk-loads a file
in place of a graph without a transaction (for a new graph, or one derived from another that
is swapped atomically, such as a source's quarantine). ``reload_graph`` does the same for a graph
in use: a copy of it is kept on disk (:class:`KeptCopies`) until the new version is in, and put
back if the reload fails, or when the store is next opened if the process died meanwhile.

>>> from ssevalidate.store import EmbeddedStore
>>> store = EmbeddedStore(None)          # in memory; a path gives a database on disk
>>> store.replace_graph("https://example.org/g", b'<https://e.org/a> <https://e.org/p> "x" .', "ntriples")
>>> store.count("https://example.org/g")
1
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import re
import tempfile
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import httpx
import pyoxigraph as ox

from ssevalidate.namespaces import VOCAB, scheme_iri, shapes_iri
from ssevalidate.parsegate import FORMATS
from ssevalidate.profiles import PROFILES
from ssevalidate.resources import examples_dir, ontology_dir, shapes_dir, taxonomy_files

log = logging.getLogger(__name__)

EXAMPLES_GRAPH = "https://directory.example/"
"""The graph of the bundled example directory (the IRI of its DCAT description)."""


SIDE_GRAPHS = "urn:sse:side-graph:"
"""Prefix of the graphs a replacement is built in before it is swapped in."""


class StoreError(RuntimeError):
    """The store refused or could not complete an operation (the previous data is intact)."""


class Store(Protocol):
    """What the service and the harvester need from a triple store."""

    def graphs(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int: ...

    def replace_graph(self, graph: str, data: bytes | os.PathLike, format: str) -> None: ...

    def update_graph(self, graph: str, subjects: Iterable[str], added: os.PathLike) -> None: ...

    def load_graph(self, graph: str, data: os.PathLike) -> None: ...

    def reload_graph(self, graph: str, data: os.PathLike) -> None: ...

    def dump_graph(self, graph: str, path: os.PathLike) -> None: ...

    def is_empty(self) -> bool: ...


class EmbeddedStore:
    """A pyoxigraph database on disk (or in memory when ``path`` is ``None``). The copies of
    graphs being reloaded are kept beside it, in ``<path>.kept`` (:class:`KeptCopies`)."""

    def __init__(self, path: str | Path | None) -> None:
        if path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
        self.path = None if path is None else Path(path)
        self.oxigraph = ox.Store(None if path is None else str(path))
        self._drop_side_graphs()
        self.kept = KeptCopies(None if path is None else Path(f"{path}.kept"))
        self.kept.restore(self)

    def graphs(self) -> list[str]:
        """Names of the named graphs, sorted."""
        return sorted(graph.value for graph in self.oxigraph.named_graphs())

    def count(self, graph: str | None = None) -> int:
        """Triples in ``graph``, or in the whole store."""
        if graph is None:
            return len(self.oxigraph)
        return sum(
            1 for _ in self.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        )

    def replace_graph(self, graph: str, data: bytes | os.PathLike, format: str) -> None:
        """Parse ``data`` (bytes or a file; trusted or already gated) into a side graph, then
        swap it in atomically. A file is bulk-loaded: read as a stream, not in one transaction
        (the side graph is not in use; one left by a killed process is dropped at opening)."""
        side = f"{SIDE_GRAPHS}{uuid.uuid4()}"
        to_graph = ox.NamedNode(side)
        try:
            if isinstance(data, bytes):
                self.oxigraph.load(data, format=FORMATS[format], to_graph=to_graph)
            else:
                self.oxigraph.bulk_load(path=data, format=FORMATS[format], to_graph=to_graph)
            self.oxigraph.update(f"MOVE SILENT GRAPH <{side}> TO GRAPH <{_iri(graph)}>")
        except (SyntaxError, ValueError, OSError) as error:
            raise StoreError(f"graph {graph} not replaced: {type(error).__name__}") from None
        finally:
            self.oxigraph.update(f"DROP SILENT GRAPH <{side}>")
        self.oxigraph.flush()

    def update_graph(self, graph: str, subjects: Iterable[str], added: os.PathLike) -> None:
        """In one transaction, delete from ``graph`` the statements of ``subjects`` (IRIs) and
        of the blank nodes under them (:data:`BLANK_DEPTH` levels), and add the N-Triples file
        ``added``: replaces records without rewriting the others (:func:`subjects_update`)."""
        try:
            self.oxigraph.update(subjects_update(graph, subjects, added))
        except (SyntaxError, ValueError, OSError) as error:
            raise StoreError(f"graph {graph} not updated: {type(error).__name__}") from None
        self.oxigraph.flush()

    def load_graph(self, graph: str, data: os.PathLike) -> None:
        """Bulk-load the N-Triples file ``data`` into ``graph`` in place of what it holds: not
        atomic (readers may see it empty or part loaded), for a graph that is new or derived;
        the memory of a chunk, not of the file. (A transaction of a million statements,
        as :meth:`replace_graph`'s ``MOVE`` is, needs gigabytes in pyoxigraph.)"""
        target = ox.NamedNode(_iri(graph))
        try:
            self._clear(target)
            loaded = load_in_pieces(
                data,
                lambda piece, _first: self.oxigraph.bulk_load(
                    piece, format=ox.RdfFormat.N_TRIPLES, to_graph=target
                ),
            )
            if not loaded:
                self.oxigraph.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        except (SyntaxError, ValueError, OSError) as error:
            raise StoreError(f"graph {graph} not loaded: {type(error).__name__}") from None
        self.oxigraph.flush()

    def reload_graph(self, graph: str, data: os.PathLike) -> None:
        """:meth:`load_graph` for a graph in use, its current version kept on disk until the
        new one is in (:meth:`KeptCopies.keeping`): a failure puts it back."""
        with self.kept.keeping(self, graph):
            self.load_graph(graph, data)

    def dump_graph(self, graph: str, path: os.PathLike) -> None:
        """Write ``graph`` to the N-Triples file ``path``, as a stream."""
        try:
            self.oxigraph.dump(
                str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(_iri(graph))
            )
        except (ValueError, OSError) as error:
            raise StoreError(f"graph {graph} not written: {type(error).__name__}") from None

    def is_empty(self) -> bool:
        return len(self.oxigraph) == 0

    def _clear(self, graph: ox.NamedNode) -> None:
        """Empty ``graph`` a batch of statements at a time: ``clear_graph`` is one transaction
        (2.4 million statements: 79 s and 2.2 GB more; removed in batches: 49 s, 370 MB)."""
        while batch := list(
            itertools.islice(self.oxigraph.quads_for_pattern(None, None, None, graph), _BATCH)
        ):
            for quad in batch:
                self.oxigraph.remove(quad)

    def _drop_side_graphs(self) -> None:
        """A process killed inside :meth:`replace_graph` leaves its side graph behind; the
        store has one writer (RocksDB locks it), so at opening none is in use."""
        for graph in self.oxigraph.named_graphs():
            if graph.value.startswith(SIDE_GRAPHS):
                self.oxigraph.remove_graph(graph)


_MEDIA_TYPES = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}


class RemoteStore:
    """A SPARQL 1.1 server: queries to ``query_url``, updates to ``update_url``, graph uploads
    to ``graph_store_url`` (the Graph Store Protocol, ``?graph=IRI``).

    >>> store = RemoteStore("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
    ...                     "http://127.0.0.1:7878/store")                 # doctest: +SKIP

    ``kept`` is the folder for the copies of graphs being reloaded (:class:`KeptCopies`); any
    copy left there by a process that died is put back now. Without it, a failed reload is
    undone, but not one cut short by the death of the process.
    """

    def __init__(
        self,
        query_url: str,
        update_url: str,
        graph_store_url: str,
        *,
        timeout: float = 60.0,
        kept: str | Path | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.client = httpx.Client(timeout=timeout)
        self.kept = KeptCopies(None if kept is None else Path(kept))
        self.kept.restore(self)

    def graphs(self) -> list[str]:
        """Names of the named graphs, sorted."""
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"]["value"] for row in rows)

    def count(self, graph: str | None = None) -> int:
        """Triples in ``graph``, or in the whole store (every graph and the default graph)."""
        if graph is None:
            pattern = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
        else:
            pattern = f"GRAPH <{_iri(graph)}> {{ ?s ?p ?o }}"
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        return int(rows[0]["n"]["value"])

    def replace_graph(self, graph: str, data: bytes | os.PathLike, format: str) -> None:
        """Upload ``data`` (bytes or a file, sent as a stream; trusted or already gated) into a
        side graph, then swap it in with one update; if the upload fails, the graph in use is
        untouched."""
        if format not in _MEDIA_TYPES:
            raise StoreError(f"a remote store takes {', '.join(_MEDIA_TYPES)}, not {format}")
        side = f"{SIDE_GRAPHS}{uuid.uuid4()}"
        try:
            self._send(
                "PUT",
                self.graph_store_url,
                params={"graph": side},
                content=data if isinstance(data, bytes) else _file_chunks(data),
                headers={"Content-Type": _MEDIA_TYPES[format]},
            )
            self._update(f"MOVE SILENT GRAPH <{side}> TO GRAPH <{_iri(graph)}>")
        finally:
            with contextlib.suppress(StoreError):
                self._update(f"DROP SILENT GRAPH <{side}>")

    def update_graph(self, graph: str, subjects: Iterable[str], added: os.PathLike) -> None:
        """:meth:`EmbeddedStore.update_graph` as one SPARQL update request (atomic on a server
        that runs each request as a transaction, as Oxigraph and Fuseki do)."""
        self._update(subjects_update(graph, subjects, added))

    def load_graph(self, graph: str, data: os.PathLike) -> None:
        """Upload the N-Triples file ``data`` in place of ``graph``'s content, a piece a request
        (``PUT`` then ``POST``: each request is a transaction on the server, sized by the
        piece), or in one streamed ``PUT`` when a blank node is in two pieces."""

        def upload(piece: bytes | Iterator[bytes], first: bool) -> None:
            self._send(
                "PUT" if first else "POST",
                self.graph_store_url,
                params={"graph": graph},
                content=piece,
                headers={"Content-Type": _MEDIA_TYPES["ntriples"]},
            )

        try:
            if not load_in_pieces(data, upload):
                upload(_file_chunks(data), True)
        except OSError as error:
            raise StoreError(f"graph {graph} not loaded: {type(error).__name__}") from None

    def reload_graph(self, graph: str, data: os.PathLike) -> None:
        """:meth:`EmbeddedStore.reload_graph` on the server."""
        with self.kept.keeping(self, graph):
            self.load_graph(graph, data)

    def dump_graph(self, graph: str, path: os.PathLike) -> None:
        """Write ``graph`` to the N-Triples file ``path`` as the server sends it (a graph the
        server does not have is an empty file)."""
        request = self.client.build_request(
            "GET",
            self.graph_store_url,
            params={"graph": graph},
            headers={"Accept": _MEDIA_TYPES["ntriples"]},
        )
        try:
            with open(path, "wb") as out:
                response = self.client.send(request, stream=True)
                try:
                    if response.status_code == 404:
                        return
                    if response.status_code >= 400:
                        raise StoreError(
                            f"store at {self.graph_store_url} answered HTTP {response.status_code}"
                        )
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                finally:
                    response.close()
        except httpx.HTTPError as error:
            raise StoreError(
                f"store at {self.graph_store_url} unreachable: {type(error).__name__}"
            ) from None

    def is_empty(self) -> bool:
        return not self._select("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", ask=True)

    def close(self) -> None:
        self.client.close()

    def _select(self, query: str, ask: bool = False):
        response = self._send(
            "POST",
            self.query_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        answer = response.json()
        return answer["boolean"] if ask else answer["results"]["bindings"]

    def _update(self, update: str) -> None:
        self._send("POST", self.update_url, data={"update": update})

    def _send(self, method: str, url: str, **options) -> httpx.Response:
        try:
            response = self.client.request(method, url, **options)
        except httpx.HTTPError as error:
            raise StoreError(f"store at {url} unreachable: {type(error).__name__}") from None
        if response.status_code >= 400:
            # The body may quote the data sent (harvested bytes): never repeat it.
            raise StoreError(f"store at {url} answered HTTP {response.status_code}")
        return response


class KeptCopies:
    """Where a graph being reloaded without a transaction is kept until its new version is in.

    :meth:`keeping` writes the graph to ``<folder>/<id>.nt`` (and its name to ``<id>.graph``)
    before the reload starts, deletes both once it has ended, and loads the copy back if the
    reload raised. A process killed meanwhile leaves them: :meth:`restore`, when a store is
    opened, loads each one back (a reload cut short is undone, as a failed transaction would
    be). Without a folder (a store in memory), the copy is in a temporary folder: a failure is
    undone, a death takes the store with it anyway.

    >>> with store.kept.keeping(store, graph):                      # doctest: +SKIP
    ...     store.load_graph(graph, "new.nt")
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @contextlib.contextmanager
    def keeping(self, store: Store, graph: str) -> Iterator[None]:
        """``graph`` of ``store`` written to a copy (made durable) before the block runs, put
        back if the block raises, forgotten once it has ended."""
        with contextlib.ExitStack() as stack:
            folder = self.folder
            if folder is None:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kept-")))
            folder.mkdir(parents=True, exist_ok=True)
            copy = folder / f"{uuid.uuid4().hex}.nt"
            try:
                copy.with_suffix(".graph").write_text(graph, encoding="utf-8")
                partial = copy.with_suffix(".part")
                store.dump_graph(graph, partial)
                _durable(partial)
                os.replace(partial, copy)
                _durable(folder)
            except BaseException:
                self._forget(copy)
                raise
            try:
                yield
            except BaseException:
                self._put_back(store, copy)
                raise
            self._forget(copy)

    def restore(self, store: Store) -> None:
        """Load back every copy a dead process left (a reload it did not finish)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for name in sorted(self.folder.glob("*.graph")):
            copy = name.with_suffix(".nt")
            if copy.exists():
                graph = name.read_text(encoding="utf-8")
                try:
                    self._put_back(store, copy)
                except StoreError as error:
                    raise StoreError(
                        f"{error}: the previous version of {graph}, whose reload was cut short, "
                        f"could not be put back from {copy}; remove {name} to open the store "
                        "with that graph as it is (part loaded: harvest its source again)"
                    ) from None
                log.warning(
                    "graph %s: a reload was interrupted, its previous version is back", graph
                )
            else:  # died while writing the copy: the graph was not touched yet
                self._forget(copy)
        for left in [*self.folder.glob("*.nt"), *self.folder.glob("*.part")]:
            if not left.with_suffix(".graph").exists():  # its name removed by hand
                self._forget(left)

    def _put_back(self, store: Store, copy: Path) -> None:
        store.load_graph(copy.with_suffix(".graph").read_text(encoding="utf-8"), copy)
        self._forget(copy)

    def _forget(self, copy: Path) -> None:
        for suffix in (".nt", ".part", ".graph"):
            copy.with_suffix(suffix).unlink(missing_ok=True)
        if self.folder is not None:
            with contextlib.suppress(OSError):  # not empty: another copy is being kept
                self.folder.rmdir()


def _durable(path: Path) -> None:
    """Flush ``path`` (a file or a folder's entries) to the disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


LOAD_PIECE = 250_000
"""Lines of N-Triples ``load_graph`` loads at a time (a bulk load in pyoxigraph, a request to
a remote store). pyoxigraph's bulk loader holds what it is given in memory: 2.4 million
statements at once took 1.7 GB; in pieces of 250,000, 280 MB and 30 % more time."""

_BATCH = 100_000
"""Statements removed between two reads of what is left, when a graph is emptied."""

_BLANK = re.compile(rb"_:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
"""A blank node label (its ASCII start: the same label is always read the same way)."""


def load_in_pieces(path: os.PathLike, load: Callable[[bytes, bool], None]) -> bool:
    """``load(piece, first)`` for each piece of the N-Triples file at ``path``
    (:data:`LOAD_PIECE` lines, cut between records), unless a blank node is in two pieces
    (each load names its blank nodes afresh): then nothing is loaded and the answer is false,
    the file is to be loaded whole. The file is read twice, first to find that out."""
    labels = [
        array("q", sorted({hash(label) for label in _BLANK.findall(piece)}))
        for piece in _pieces(path, LOAD_PIECE)
    ]
    if any(a == b for a, b in itertools.pairwise(heapq.merge(*labels))):
        return False
    first = True
    for piece in _pieces(path, LOAD_PIECE):
        load(piece, first)
        first = False
    if first:
        load(b"", True)  # an empty file still empties the graph
    return True


def _pieces(path: os.PathLike, lines: int) -> Iterator[bytes]:
    """The N-Triples file at ``path`` in pieces of at least ``lines`` lines, each cut before
    the first statement about another IRI: a file written record by record (a record's
    statements, then its blank nodes') is cut between records."""
    piece: list[bytes] = []
    subject = b""
    with open(path, "rb") as stream:
        for line in stream:
            previous, subject = subject, line[: line.find(b" ")]
            if len(piece) >= lines and subject != previous and subject.startswith(b"<"):
                yield b"".join(piece)
                piece = []
            piece.append(line)
    if piece:
        yield b"".join(piece)


BLANK_DEPTH = 4
"""Levels of blank nodes :func:`subjects_update` deletes under a subject."""


def subjects_update(graph: str, subjects: Iterable[str], added: os.PathLike) -> str:
    """A SPARQL update deleting the statements of ``subjects`` in ``graph`` with those of the
    blank nodes under them (up to :data:`BLANK_DEPTH` levels; the harvester only takes this
    way for records whose blank nodes are their own and no deeper), then inserting the
    N-Triples of the file ``added`` (N-Triples statements are SPARQL triples).

    >>> print(subjects_update("urn:g", ["urn:r"], "new.nt"))          # doctest: +SKIP
    DELETE { GRAPH <urn:g> { ?o0 ?p1 ?o1 . … } } WHERE { VALUES ?o0 { <urn:r> } … } ;
    INSERT DATA { GRAPH <urn:g> { … } }
    """
    target = _iri(graph)
    values = " ".join(f"<{_iri(subject)}>" for subject in subjects)
    template, nested = [], ""
    for level in range(BLANK_DEPTH + 1, 0, -1):
        above, below = f"?o{level - 1}", f"?o{level}"
        template.append(f"{above} ?p{level} {below} .")
        blank = f" FILTER isBlank({above})" if level > 1 else ""
        nested = f"{above} ?p{level} {below} .{blank}{nested}"
        if level > 1:
            nested = f" OPTIONAL {{ {nested} }}"
    inserted = Path(added).read_text(encoding="utf-8")
    return (
        f"DELETE {{ GRAPH <{target}> {{ {' '.join(reversed(template))} }} }}\n"
        f"WHERE {{ VALUES ?o0 {{ {values} }} GRAPH <{target}> {{ {nested} }} }} ;\n"
        f"INSERT DATA {{ GRAPH <{target}> {{\n{inserted}}} }}"
    )


def _file_chunks(path: os.PathLike, size: int = 1 << 20) -> Iterator[bytes]:
    with open(path, "rb") as stream:
        while chunk := stream.read(size):
            yield chunk


def _iri(value: str) -> str:
    """An IRI safe to write between < and > in a query (the names are ours, but still)."""
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise StoreError(f"not a graph IRI: {value!r}")
    return value


def load_bundled(store: Store, with_examples: bool = True) -> None:
    """Load the vocabulary, every taxonomy, every profile's shapes and (optionally) the example
    directory, each into its own graph. Run at first start, when the store is empty."""
    store.replace_graph(VOCAB, (ontology_dir() / "sse.ttl").read_bytes(), "turtle")
    alignment = ontology_dir() / "alignments" / "essglobal.ttl"
    store.replace_graph(VOCAB + "alignments/essglobal", alignment.read_bytes(), "turtle")
    for path in taxonomy_files():
        store.replace_graph(scheme_iri(path.stem), path.read_bytes(), "turtle")
    crosswalks = ontology_dir() / "taxonomies" / "crosswalks.ttl"
    store.replace_graph(scheme_iri("crosswalks"), crosswalks.read_bytes(), "turtle")
    for profile in PROFILES:
        store.replace_graph(
            shapes_iri(profile), (shapes_dir() / f"{profile}.ttl").read_bytes(), "turtle"
        )
    if with_examples:
        store.replace_graph(
            EXAMPLES_GRAPH, (examples_dir() / "directory.ttl").read_bytes(), "turtle"
        )


def open_store(path: str | Path | None, *, with_examples: bool = True) -> EmbeddedStore:
    """Open (creating if needed) the embedded store; an empty one gets the bundled data."""
    store = EmbeddedStore(path)
    if store.is_empty():
        load_bundled(store, with_examples=with_examples)
    return store
