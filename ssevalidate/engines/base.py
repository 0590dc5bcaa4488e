"""What every engine returns: one :class:`Finding` per SHACL validation result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node


@dataclass(frozen=True)
class Finding:
    """A SHACL validation result as RDF terms; ``messages`` holds every language's message."""

    severity: URIRef
    focus: Node
    path: Node | None
    value: Node | None
    component: URIRef
    shape: Node
    messages: tuple[Literal, ...] = ()

    def key(self) -> tuple:
        """The identity two engines must agree on."""
        return (self.severity, self.focus, self.path, self.value, self.component, self.shape)


class Engine(Protocol):
    name: str

    def run(self, data: Graph, shapes: Graph) -> list[Finding]:
        """Validate ``data`` (never modified) against ``shapes``."""
        ...
