"""What the harvester needs from a store beyond the :class:`~ssevalidate.store.Store` protocol:
reading (a SPARQL SELECT), appending triples to a graph in one step, and N-Triples a store
accepts.

The protocol only swaps whole graphs; provenance grows by one activity per harvest, and the
previous fetch state must be read back. Both stores can do this atomically: pyoxigraph's
``load`` is one transaction, and a Graph Store Protocol ``POST`` is one request.

>>> from ssevalidate.store import EmbeddedStore
>>> store = EmbeddedStore(None)
>>> append(store, "https://example.org/g", b'<https://e.org/a> <https://e.org/p> "x" .\\n')
>>> select(store, "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
[{'o': 'x'}]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import httpx
import pyoxigraph as ox
from rdflib.term import Node

from ssevalidate.rdfconvert import from_rdflib
from ssevalidate.store import EmbeddedStore, RemoteStore, Store, StoreError

Triple = tuple[Node, Node, Node]


def select(store: Store, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT query, each a dict of variable → value (IRI, lexical form, or
    ``_:label``); unbound variables are left out."""
    if isinstance(store, EmbeddedStore):
        solutions = store.oxigraph.query(query)
        names = [variable.value for variable in solutions.variables]
        return [
            {name: _value(term) for name in names if (term := solution[name]) is not None}
            for solution in solutions
        ]
    if isinstance(store, RemoteStore):
        response = _send(
            store,
            store.query_url,
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        rows = response.json()["results"]["bindings"]
        return [
            {
                name: ("_:" if cell["type"] == "bnode" else "") + cell["value"]
                for name, cell in row.items()
            }
            for row in rows
        ]
    raise StoreError(f"cannot harvest into a {type(store).__name__}")


def append(store: Store, graph: str, ntriples: bytes) -> None:
    """Add N-Triples (ours, already well-formed) to ``graph`` in one transaction."""
    if isinstance(store, EmbeddedStore):
        try:
            store.oxigraph.load(
                ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph)
            )
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"graph {graph} not extended: {type(error).__name__}") from None
        store.oxigraph.flush()
        return
    if isinstance(store, RemoteStore):
        _send(
            store,
            store.graph_store_url,
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": "application/n-triples"},
        )
        return
    raise StoreError(f"cannot harvest into a {type(store).__name__}")


def storable(triple: Triple) -> bool:
    """Whether a store accepts ``triple`` (rdflib keeps IRIs and language tags that RDF
    does not allow, such as ``http://a b``)."""
    try:
        ox.Triple(*(from_rdflib(term) for term in triple))
    except (ValueError, TypeError):
        return False
    return True


def ntriples(triples: Iterable[Triple]) -> bytes:
    """N-Triples of ``triples`` (all :func:`storable`), written by pyoxigraph: fast, and what
    it writes it reads back."""
    return ox.serialize(_oxigraph(triples), format=ox.RdfFormat.N_TRIPLES)


def write_ntriples(triples: Iterable[Triple], out: BinaryIO) -> None:
    """:func:`ntriples` written to ``out`` as ``triples`` come (a generator is never held whole)."""
    ox.serialize(_oxigraph(triples), out, format=ox.RdfFormat.N_TRIPLES)


def _oxigraph(triples: Iterable[Triple]) -> Iterator[ox.Triple]:
    return (ox.Triple(*(from_rdflib(term) for term in triple)) for triple in triples)


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return str(term) if isinstance(term, ox.BlankNode) else term.value


def _send(store: RemoteStore, url: str, **options) -> httpx.Response:
    try:
        response = store.client.post(url, **options)
    except httpx.HTTPError as error:
        raise StoreError(f"store at {url} unreachable: {type(error).__name__}") from None
    if response.status_code >= 400:
        raise StoreError(f"store at {url} answered HTTP {response.status_code}")
    return response


__all__ = ["append", "ntriples", "select", "storable", "write_ntriples"]
