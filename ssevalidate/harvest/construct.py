"""Reading triples back from either store: a SPARQL CONSTRUCT, answered as an rdflib graph.

:func:`~ssevalidate.harvest.storeio.select` gives lexical forms only; what goes back into a
graph (a record served by the change feed, the records a feed harvest starts from) needs its
terms whole: datatypes, language tags, blank nodes (labelled consistently within one answer).

>>> from ssevalidate.store import EmbeddedStore
>>> store = EmbeddedStore(None)
>>> store.replace_graph("https://example.org/g", b'<https://e.org/a> <https://e.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .', "ntriples")
>>> [str(o.datatype) for o in construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }").objects()]
['http://www.w3.org/2001/XMLSchema#integer']
"""

from __future__ import annotations

import httpx
import pyoxigraph as ox
from rdflib import Graph

from ssevalidate.rdfconvert import graph_from_quads
from ssevalidate.store import EmbeddedStore, RemoteStore, Store, StoreError


def construct(store: Store, query: str, *, bnode_prefix: str = "") -> Graph:
    """The triples a CONSTRUCT query (ours, not a user's) builds; blank node labels get
    ``bnode_prefix`` (the labels of two answers may be the same for different nodes)."""
    if isinstance(store, EmbeddedStore):
        return graph_from_quads(store.oxigraph.query(query), bnode_prefix=bnode_prefix)
    if isinstance(store, RemoteStore):
        try:
            response = store.client.post(
                store.query_url,
                data={"query": query},
                headers={"Accept": "application/n-triples"},
            )
        except httpx.HTTPError as error:
            raise StoreError(
                f"store at {store.query_url} unreachable: {type(error).__name__}"
            ) from None
        if response.status_code >= 400:
            raise StoreError(f"store at {store.query_url} answered HTTP {response.status_code}")
        try:
            triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
            return graph_from_quads(triples, bnode_prefix=bnode_prefix)
        except SyntaxError:
            raise StoreError(f"store at {store.query_url} answered unreadable N-Triples") from None
    raise StoreError(f"cannot read triples from a {type(store).__name__}")


__all__ = ["construct"]
