"""Turn pyoxigraph terms into rdflib terms.

pyoxigraph is the parse gate (strict, linear time); rdflib graphs are only ever built from its
output (DESIGN.md, security rule 1).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node


class _IllTypedLiteralFilter(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal; here they are validation results
    (``sh:datatype`` reports them), not errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralFilter())

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal, bnode_prefix: str = "") -> Node:
    """Convert one pyoxigraph term; blank node labels get ``bnode_prefix`` so that blank nodes
    from different documents never merge by accident."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(bnode_prefix + term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"unsupported term {term!r}")


def graph_from_quads(
    quads: Iterable[ox.Quad | ox.Triple], graph: Graph | None = None, bnode_prefix: str = ""
) -> Graph:
    """Add every triple (graph names dropped: validation reads the union) to ``graph``."""
    graph = Graph() if graph is None else graph
    cache: dict[object, Node] = {}

    def convert(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        node = cache.get(term)
        if node is None:
            node = to_rdflib(term, bnode_prefix)
            cache[term] = node
        return node

    add = graph.add
    for quad in quads:
        add((convert(quad.subject), convert(quad.predicate), convert(quad.object)))
    return graph


@functools.lru_cache(maxsize=1 << 16)
def from_rdflib(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert one rdflib term into pyoxigraph's (the inverse of :func:`to_rdflib`). The
    recent conversions are kept: predicates, classes and concepts recur on every record."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"unsupported term {node!r}")
