"""SHACL property paths compiled into functions from a node to its value nodes."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath

from ssevalidate.engines.fast.datagraph import DataGraph, Term
from ssevalidate.rdfconvert import from_rdflib

Walk = Callable[[DataGraph, Term], list[Term]]


def compile_path(path: URIRef | Path) -> Walk:
    """A function returning the value nodes of ``path`` from a focus node, each once."""
    if isinstance(path, URIRef):
        predicate = from_rdflib(path)
        return lambda data, node: data.objects(node, predicate)
    if isinstance(path, InvPath):
        if isinstance(path.arg, URIRef):
            predicate = from_rdflib(path.arg)
            return lambda data, node: data.subjects(predicate, node)
        inner = compile_path(path.arg)
        return lambda data, node: _inverse_of(inner, data, node)
    if isinstance(path, SequencePath):
        steps = [compile_path(step) for step in path.args]
        return lambda data, node: _sequence(steps, data, node)
    if isinstance(path, AlternativePath):
        branches = [compile_path(branch) for branch in path.args]
        return lambda data, node: _unique(
            value for branch in branches for value in branch(data, node)
        )
    if isinstance(path, MulPath):
        step = compile_path(path.path)
        include_start = path.mod in ("*", "?")
        repeat = path.mod in ("*", "+")
        return lambda data, node: _repeat(step, data, node, include_start, repeat)
    raise ValueError(f"not a SHACL path: {path!r}")


def reads_incoming(path: URIRef | Path) -> bool:
    """Whether ``path`` follows an edge backwards (its subjects may be in any part)."""
    if isinstance(path, URIRef):
        return False
    if isinstance(path, InvPath):
        return True
    if isinstance(path, MulPath):
        return reads_incoming(path.path)
    return any(reads_incoming(item) for item in path.args)


def _unique(values) -> list[Term]:
    return list(dict.fromkeys(values))


def _sequence(steps: list[Walk], data: DataGraph, node: Term) -> list[Term]:
    current = [node]
    for index, step in enumerate(steps):
        if index:
            data.note_reads(current)
        current = _unique(value for item in current for value in step(data, item))
    return current


def _repeat(step: Walk, data: DataGraph, node: Term, include_start: bool, repeat: bool):
    found: dict[Term, None] = {node: None} if include_start else {}
    frontier = [node]
    while frontier:
        following = []
        for item in frontier:
            for value in step(data, item):
                if value not in found:
                    found[value] = None
                    following.append(value)
        if not repeat:
            break
        frontier = following
        data.note_reads(frontier)
    return list(found)


def _inverse_of(inner: Walk, data: DataGraph, node: Term) -> list[Term]:
    """Nodes from which ``inner`` reaches ``node`` (a scan: complex inverse paths are rare)."""
    starts = set(data.out)
    for properties in data.out.values():
        for objects in properties.values():
            starts.update(objects)
    return [start for start in starts if node in inner(data, start)]
