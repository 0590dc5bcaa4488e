"""SHACL property paths as rdflib path objects, which compare, hash and print on their own.

>>> from rdflib import Graph
>>> from ssevalidate.shaclpaths import path_text
>>> from rdflib import URIRef
>>> path_text(URIRef("http://schema.org/name"))
'schema:name'
"""

from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.term import Node

from ssevalidate.namespaces import compact

_REPEATS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def read_path(graph: Graph, node: Node) -> URIRef | Path:
    """The path described at ``node`` in ``graph`` (an IRI, or a structure of blank nodes)."""
    if isinstance(node, URIRef):
        return node
    if (node, RDF.first, None) in graph:
        return SequencePath(*(read_path(graph, item) for item in Collection(graph, node)))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(
            *(read_path(graph, item) for item in Collection(graph, alternatives))
        )
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(read_path(graph, inverse))
    for predicate, modifier in _REPEATS.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            return MulPath(read_path(graph, inner), modifier)
    raise ValueError(f"not a SHACL path: {node!r}")


def write_path(graph: Graph, path: URIRef | Path) -> Node:
    """Add the SHACL description of ``path`` to ``graph`` and return its node."""
    if isinstance(path, URIRef):
        return path
    node = BNode()
    if isinstance(path, SequencePath):
        Collection(graph, node, [write_path(graph, item) for item in path.args])
    elif isinstance(path, AlternativePath):
        items = BNode()
        Collection(graph, items, [write_path(graph, item) for item in path.args])
        graph.add((node, SH.alternativePath, items))
    elif isinstance(path, InvPath):
        graph.add((node, SH.inversePath, write_path(graph, path.arg)))
    elif isinstance(path, MulPath):
        predicate = next(p for p, modifier in _REPEATS.items() if modifier == path.mod)
        graph.add((node, predicate, write_path(graph, path.path)))
    else:
        raise ValueError(f"not a SHACL path: {path!r}")
    return node


def path_text(path: URIRef | Path) -> str:
    """A SPARQL-like rendering with prefixes: ``schema:name``, ``^sse:memberOf``, ``a|b``."""
    if isinstance(path, URIRef):
        return compact(str(path))
    if isinstance(path, SequencePath):
        return "/".join(_grouped(item) for item in path.args)
    if isinstance(path, AlternativePath):
        return "|".join(_grouped(item) for item in path.args)
    if isinstance(path, InvPath):
        return "^" + _grouped(path.arg)
    if isinstance(path, MulPath):
        return _grouped(path.path) + path.mod
    raise ValueError(f"not a path: {path!r}")


def _grouped(path: URIRef | Path) -> str:
    text = path_text(path)
    return text if isinstance(path, URIRef | InvPath | MulPath) else f"({text})"
