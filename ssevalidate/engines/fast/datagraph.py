"""The data of one part, indexed for the questions shapes ask, over pyoxigraph terms.

pyoxigraph terms hash and compare in Rust, so a dictionary from subject to predicate to objects
is the cheapest structure Python can walk. Incoming edges are indexed only when a shape reads
them (inverse paths).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_NONE: tuple = ()


class DataGraph:
    """A set of triples: ``out[subject][predicate]`` lists each object once.

    ``having[predicate]`` lists the subjects of each predicate given at construction (those
    targets and SPARQL constraints look for, and the ones below), kept as triples are added:
    :meth:`subjects_of`, :meth:`objects_of` and :meth:`instances` read it instead of scanning
    the whole data once per target of every shape.
    """

    def __init__(self, indexed: Iterable[ox.NamedNode] = ()) -> None:
        self.out: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
        self.having: dict[ox.NamedNode, list[Term]] = {
            predicate: [] for predicate in (RDF_TYPE, RDFS_SUBCLASS_OF, *indexed)
        }
        self._incoming: dict[Term, dict[ox.NamedNode, list[Term]]] | None = None
        self._superclasses: dict[Term, set[Term]] | None = None
        self._by_type: dict[Term, list[Term]] | None = None
        self.watched: tuple[set[Term], set[ox.NamedNode]] | None = None
        """(the part's own subjects, IRIs read beyond them) when the data is one part of many."""

    def note_read(self, node: Term) -> None:
        """Focus nodes and the nodes paths pass through report themselves: an IRI not described
        here may be described in another part."""
        if self.watched is not None and type(node) is ox.NamedNode:
            subjects, foreign = self.watched
            if node not in subjects:
                foreign.add(node)

    def note_reads(self, nodes: Iterable[Term]) -> None:
        for node in nodes:
            self.note_read(node)

    def add(self, subject: Term, predicate: ox.NamedNode, obj: Term) -> None:
        properties = self.out.get(subject)
        if properties is None:
            self.out[subject] = {predicate: [obj]}
        else:
            objects = properties.get(predicate)
            if objects is not None:
                if obj not in objects:
                    objects.append(obj)
                return
            properties[predicate] = [obj]
        having = self.having.get(predicate)
        if having is not None:
            having.append(subject)
            self._by_type = None

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term] | tuple:
        properties = self.out.get(subject)
        if properties is None:
            return _NONE
        return properties.get(predicate, _NONE)

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> list[Term] | tuple:
        if self._incoming is None:
            incoming: dict[Term, dict[ox.NamedNode, list[Term]]] = {}
            for subject, properties in self.out.items():
                for pred, objects in properties.items():
                    for value in objects:
                        incoming.setdefault(value, {}).setdefault(pred, []).append(subject)
            self._incoming = incoming
        properties = self._incoming.get(obj)
        if properties is None:
            return _NONE
        return properties.get(predicate, _NONE)

    def subjects_of(self, predicate: ox.NamedNode) -> list[Term]:
        indexed = self.having.get(predicate)
        if indexed is not None:
            return indexed
        return [subject for subject, properties in self.out.items() if predicate in properties]

    def objects_of(self, predicate: ox.NamedNode) -> list[Term]:
        found: dict[Term, None] = {}
        out = self.out
        for subject in self.subjects_of(predicate):
            for value in out[subject][predicate]:
                found[value] = None
        return list(found)

    def has_subclasses(self) -> bool:
        return bool(self.having[RDFS_SUBCLASS_OF])

    def superclasses(self, cls: Term) -> set[Term]:
        """``cls`` and every class it is a subclass of, following ``rdfs:subClassOf*``."""
        if self._superclasses is None:
            self._superclasses = {}
        found = self._superclasses.get(cls)
        if found is None:
            found = {cls}
            pending = [cls]
            while pending:
                for parent in self.objects(pending.pop(), RDFS_SUBCLASS_OF):
                    if parent not in found:
                        found.add(parent)
                        pending.append(parent)
            self._superclasses[cls] = found
        return found

    def is_instance(self, node: Term, cls: Term) -> bool:
        for declared in self.objects(node, RDF_TYPE):
            if declared == cls or cls in self.superclasses(declared):
                return True
        return False

    def typed(self, cls: Term) -> list[Term]:
        """The subjects that declare ``cls`` as one of their types (no subclass inference)."""
        return self._types().get(cls, [])

    def _types(self) -> dict[Term, list[Term]]:
        """Each declared type and its subjects (built once the data is read)."""
        if self._by_type is None:
            by_type: dict[Term, list[Term]] = {}
            out = self.out
            for subject in self.subjects_of(RDF_TYPE):
                for declared in out[subject][RDF_TYPE]:
                    by_type.setdefault(declared, []).append(subject)
            self._by_type = by_type
        return self._by_type

    def instances(self, cls: Term) -> list[Term]:
        matching = [
            subjects
            for declared, subjects in self._types().items()
            if declared == cls or cls in self.superclasses(declared)
        ]
        if len(matching) == 1:
            return matching[0]
        return list(dict.fromkeys(subject for subjects in matching for subject in subjects))
