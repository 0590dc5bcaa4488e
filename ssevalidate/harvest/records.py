"""The records of a converted source: what each one owns, its content hash, and what changed.

A record is an IRI subject together with the blank nodes it reaches (its address, its
identifiers...). Its content hash does not depend on blank node labels, which every parse
draws anew, so an unchanged record keeps its hash from one harvest to the next.

Triples a store would refuse (an importer kept ``http://a b`` as an IRI, a language tag with a
space) are set apart in ``unstorable``: the record owning one is rejected, not the source.

>>> from rdflib import Graph
>>> graph = Graph().parse(data='''
... <https://e.org/a> <http://schema.org/name> "A" ;
...     <http://www.w3.org/2006/vcard/ns#hasAddress> [ <http://www.w3.org/2006/vcard/ns#locality> "X" ] .
... ''', format="turtle")
>>> records = Records(graph, ["https://e.org/a"])
>>> len(list(records.owned(records.iris[0])))
3
>>> compare({"https://e.org/a": "1", "https://e.org/b": "2"}, {"https://e.org/a": "3"}).deleted
['https://e.org/b']
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ssevalidate.harvest.storeio import storable
from ssevalidate.store import BLANK_DEPTH

Triple = tuple[Node, Node, Node]


@dataclass
class Changes:
    """Record IRIs created, updated (another content hash) and deleted by a harvest, sorted."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (
            f"Changes(created={len(self.created)}, updated={len(self.updated)}, "
            f"deleted={len(self.deleted)})"
        )


def compare(previous: dict[str, str], current: dict[str, str]) -> Changes:
    """What changed from one harvest's record hashes (IRI → hash) to the next one's."""
    return Changes(
        created=sorted(iri for iri in current if iri not in previous),
        updated=sorted(
            iri for iri, digest in current.items() if previous.get(iri, digest) != digest
        ),
        deleted=sorted(iri for iri in previous if iri not in current),
    )


class Records:
    """The records of ``graph``: ``records`` are the IRIs the importer reported (those without
    a triple of their own, or that are blank nodes, are not records)."""

    def __init__(self, graph: Graph, records: Iterable[str]) -> None:
        self.unstorable: list[Triple] = []
        self._by_subject: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        self._owner: dict[BNode, Node] = {}
        for triple in graph:
            subject, predicate, value = triple
            if not storable(triple):
                self.unstorable.append(triple)
                continue
            self._by_subject[subject].append((predicate, value))
            if isinstance(value, BNode):
                self._owner.setdefault(value, subject)
        iris = dict.fromkeys(URIRef(record) for record in records)
        self.iris: list[URIRef] = [iri for iri in iris if iri in self._by_subject]
        self._digests: dict[Node, str] = {}

    def node(self, text: str) -> Node | None:
        """The subject a report names (an IRI, or ``_:label``), if it is one of this graph."""
        node: Node = BNode(text[2:]) if text.startswith("_:") else URIRef(text)
        return node if node in self._by_subject else None

    def owned(self, node: Node) -> Iterator[Triple]:
        """The triples of ``node`` and of every blank node it reaches."""
        seen = {node}
        pending = [node]
        while pending:
            subject = pending.pop()
            for predicate, value in self._by_subject.get(subject, ()):
                yield subject, predicate, value
                if isinstance(value, BNode) and value not in seen:
                    seen.add(value)
                    pending.append(value)

    def digest(self, node: Node) -> str:
        """The content hash of ``node``: its triples, blank nodes replaced by their own hashes
        (a cycle of blank nodes is cut where it closes)."""
        pending: list[tuple[Node, bool]] = [(node, False)]
        open_nodes: set[Node] = set()
        while pending:
            current, children_done = pending.pop()
            if current in self._digests:
                continue
            if children_done:
                open_nodes.discard(current)
                self._digests[current] = self._hash_lines(current)
                continue
            open_nodes.add(current)
            pending.append((current, True))
            for _, value in self._by_subject.get(current, ()):
                if isinstance(value, BNode) and value not in open_nodes:
                    pending.append((value, False))
        return self._digests[node]

    def owner(self, node: Node) -> Node:
        """The IRI (or unowned blank node) that owns ``node`` through blank nodes."""
        seen = set()
        while isinstance(node, BNode) and node in self._owner and node not in seen:
            seen.add(node)
            node = self._owner[node]
        return node

    def grouped(self) -> Iterator[Triple]:
        """Every storable triple, record by record: each subject that is not a blank node some
        subject reaches, followed by the triples of the blank nodes it reaches (the layout
        :func:`split_ntriples` reads)."""
        for subject in self._by_subject:
            if not (isinstance(subject, BNode) and subject in self._owner):
                yield from self.owned(subject)

    def _hash_lines(self, node: Node) -> str:
        lines = []
        for predicate, value in self._by_subject.get(node, ()):
            if isinstance(value, BNode):
                text = f"[{self._digests.get(value, 'cycle')}]"
            else:
                text = value.n3()
            lines.append(f"{predicate.n3()} {text}")
        lines.sort()
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@dataclass
class Layout:
    """Whether the blank nodes of an N-Triples file form trees under their subjects: each one
    reached from one subject only, at most :data:`~ssevalidate.store.BLANK_DEPTH` deep (what a
    store deletes under a record), none on its own. Then a record can be replaced in a store
    without touching any other."""

    tree: bool = True


def split_ntriples(
    path: os.PathLike, rejected: set[str], accepted: os.PathLike, quarantined: os.PathLike
) -> Layout:
    """The N-Triples file ``path``, written record by record (each record's triples followed by
    those of its blank nodes, as :func:`ssevalidate.importers.streaming.write_ntriples` and
    :meth:`Records.grouped` do), split line by line into ``accepted`` and ``quarantined`` (the
    records whose text, an IRI or ``_:label``, is in ``rejected``, with their blank nodes): the
    file is never held whole. Returns the layout of the accepted records."""
    layout, ignored = Layout(), Layout()
    with (
        open(path, "rb") as lines,
        open(accepted, "wb") as kept,
        open(quarantined, "wb") as held,
    ):
        for owner, line in _groups(lines, layout, ignored, rejected):
            (held if owner in rejected else kept).write(line)
    return layout


def select_ntriples(path: os.PathLike, owners: set[str], out: os.PathLike) -> None:
    """The lines of the N-Triples file ``path`` (written record by record) that belong to the
    records ``owners``, written to ``out``."""
    with open(path, "rb") as lines, open(out, "wb") as written:
        for owner, line in _groups(lines, Layout(), Layout(), set()):
            if owner in owners:
                written.write(line)


def _groups(
    lines: Iterable[bytes], layout: Layout, other: Layout, apart: set[str]
) -> Iterator[tuple[str, bytes]]:
    """Each line with the text of the record it belongs to. ``layout`` learns whether the
    blank nodes of the records not in ``apart`` form trees, ``other`` those of the others."""
    owner, text, depths = b"", "", {}
    elsewhere: set[int] = set()  # hashes of the blank nodes of the records already read
    for line in lines:
        subject = line[: line.find(b" ")]
        if subject != owner and subject not in depths:
            elsewhere.update(map(hash, depths))
            owner, depths = subject, {}
            decoded = subject.decode("utf-8")
            text = decoded[1:-1] if decoded.startswith("<") else decoded
            if subject.startswith(b"_:"):
                (other if text in apart else layout).tree = False  # reached by nothing here
        value = line.rstrip()[:-1].rstrip().rsplit(b" ", 1)[-1]
        if value.startswith(b"_:"):
            level = depths.get(subject, 0) + 1
            if value in depths or hash(value) in elsewhere or level > BLANK_DEPTH:
                (other if text in apart else layout).tree = False
            depths[value] = level
        yield text, line


__all__ = [
    "Changes",
    "Layout",
    "Records",
    "compare",
    "select_ntriples",
    "split_ntriples",
]
