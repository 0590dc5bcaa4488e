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

    def split(self, rejected: Iterable[Node]) -> tuple[list[Triple], list[Triple]]:
        """(accepted, quarantined) storable triples: the rejected nodes with all they own, and
        everything else."""
        quarantined = {triple for node in rejected for triple in self.owned(node)}
        accepted = [
            (subject, predicate, value)
            for subject, pairs in self._by_subject.items()
            for predicate, value in pairs
            if (subject, predicate, value) not in quarantined
        ]
        return accepted, list(quarantined)

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


def split_ntriples(
    path: os.PathLike, rejected: set[str], accepted: os.PathLike, quarantined: os.PathLike
) -> None:
    """The N-Triples file ``path``, written record by record (each record's triples followed by
    those of its blank nodes, as :func:`ssevalidate.importers.streaming.write_ntriples` does),
    split line by line into ``accepted`` and ``quarantined`` (the records whose text, an IRI or
    ``_:label``, is in ``rejected``, with their blank nodes): the file is never held whole."""
    with (
        open(path, "rb") as lines,
        open(accepted, "wb") as kept,
        open(quarantined, "wb") as held,
    ):
        owner, reached, target = b"", set(), kept
        for line in lines:
            subject = line[: line.find(b" ")]
            if subject != owner and not (subject.startswith(b"_:") and subject in reached):
                owner, reached = subject, set()  # a new record (or a blank node of its own)
                text = owner.decode("utf-8")
                target = held if (text[1:-1] if text[0] == "<" else text) in rejected else kept
            value = line.rstrip()[:-1].rstrip().rsplit(b" ", 1)[-1]
            if value.startswith(b"_:"):
                reached.add(value)
            target.write(line)


__all__ = ["Changes", "Records", "compare", "split_ntriples"]
