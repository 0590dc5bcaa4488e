"""The parse gate: untrusted bytes in, an rdflib graph out, or an :class:`InputError`.

Every RDF input is parsed by pyoxigraph (strict, linear time); rdflib graphs are built from its
output only. XML with a DOCTYPE is refused (entity expansion). JSON-LD may only use inline
contexts or our own context IRI, which is served from the package: nothing is ever fetched and no
file is ever read on behalf of a document.

>>> from ssevalidate.parsegate import read
>>> doc = read(b'<https://example.org/a> <http://schema.org/name> "A" .', name="a.nt")
>>> doc.format, len(doc.graph)
('ntriples', 1)
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph

from ssevalidate.namespaces import CONTEXT_IRI
from ssevalidate.rdfconvert import graph_from_quads
from ssevalidate.resources import jsonld_context


class InputError(ValueError):
    """Input that cannot be read: a syntax error, a refused construct, an unknown format.

    ``str(error)`` is a one-line message naming the file and, where known, line and column
    (or, in JSON read as a directory format rather than as RDF, an RFC 6901 pointer).
    """

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        line: int | None = None,
        column: int | None = None,
        pointer: str | None = None,
    ) -> None:
        self.reason = message
        self.name = name
        self.line = line
        self.column = column
        self.pointer = pointer
        where = name or "<input>"
        if pointer is not None:
            where += f"#{pointer}"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

_ALIASES = {
    "ttl": "turtle",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/trig": "trig",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "application/n-triples": "ntriples",
    "nq": "nquads",
    "n-quads": "nquads",
    "application/n-quads": "nquads",
    "rdf": "rdfxml",
    "xml": "rdfxml",
    "owl": "rdfxml",
    "rdf/xml": "rdfxml",
    "application/rdf+xml": "rdfxml",
    "json-ld": "jsonld",
    "json": "jsonld",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
}

_EXTENSIONS = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
    ".jsonld": "jsonld",
    ".json": "jsonld",
}

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_LINE_START = re.compile(rb"(<[^>\s]*>|[^\s<\"#@;,.\[\]()][^\s;,]*)")
_AFTER_NEWLINE = re.compile(b"\n" + _LINE_START.pattern)
"""A subject at the start of a line: searched from each line break, which the regular
expression engine finds quickly (``(?m)^`` tries every byte of the text)."""
_LOCATION = re.compile(r"(?:at|on) line (\d+)(?: column (\d+))?")


def format_name(value: str) -> str:
    """Normalise a format name, extension or media type (``ttl``, ``text/turtle``) to ours."""
    key = value.strip().lower().split(";")[0].strip()
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        known = ", ".join(FORMATS)
        raise InputError(f"unknown format {value!r} (known: {known})")
    return key


def format_from_name(name: str) -> str | None:
    """The format a file name's extension implies, if any (``.gz`` looked through)."""
    path = Path(name.lower())
    if path.suffix == ".gz":
        path = path.with_suffix("")
    return _EXTENSIONS.get(path.suffix)


def sniff(data: bytes) -> str:
    """Guess the format from the first bytes: JSON, XML, else TriG (a superset of Turtle and
    N-Triples); N-Quads is tried when TriG fails (see :func:`read`)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "jsonld"
    if head[:1] == b"<" and (head[:5] == b"<?xml" or head[:2] in (b"<!", b"<r") or b":RDF" in head):
        return "rdfxml"
    return "trig"


@dataclass
class Document:
    """One parsed input: where it came from, its bytes (for locating records) and its graph."""

    name: str
    format: str
    data: bytes
    graph: Graph
    prefixes: dict[str, str] = field(default_factory=dict)


def locate(
    text: bytes, iris: set[str], prefixes: dict[str, str], name: str, first_line: int = 1
) -> dict[str, dict[str, Any]]:
    """Where each IRI of ``iris`` is described in ``text``, as written there (``<iri>``, a
    prefixed name, or a JSON string): the first line that starts with it in its first column (a
    Turtle or N-Triples subject), else its first appearance anywhere; only the file when it does not appear.

    One pass over the line starts serves any number of IRIs (a report may have thousands)."""
    needles: dict[bytes, str] = {}
    for iri in iris:
        needles[f"<{iri}>".encode()] = iri
        needles[f'"{iri}"'.encode()] = iri
        for prefix, base in prefixes.items():
            if iri.startswith(base) and len(iri) > len(base):
                needles[f"{prefix}:{iri[len(base) :]}".encode()] = iri
    described: dict[str, int] = {}
    first = _LINE_START.match(text)
    for match in itertools.chain([first] if first else [], _AFTER_NEWLINE.finditer(text)):
        iri = needles.get(match.group(1))
        if iri is not None and iri not in described:
            described[iri] = match.start(1)
    mentioned: dict[str, int] = {}
    for needle, iri in needles.items():
        if iri not in described:
            index = text.find(needle)
            if index >= 0 and (iri not in mentioned or index < mentioned[iri]):
                mentioned[iri] = index
    located: dict[str, dict[str, Any]] = {}
    line, counted = first_line, 0
    offsets = sorted((described.get(iri, mentioned.get(iri, -1)), iri) for iri in iris)
    for offset, iri in offsets:
        if offset < 0:
            located[iri] = {"file": name}
            continue
        line += text.count(b"\n", counted, offset)
        counted = offset
        column = len(text[text.rfind(b"\n", 0, offset) + 1 : offset].decode("utf-8", "replace"))
        located[iri] = {"file": name, "line": line, "column": column + 1}
    return located


def read(
    data: bytes,
    *,
    name: str = "<input>",
    format: str | None = None,
    base_iri: str | None = None,
    graph: Graph | None = None,
    bnode_prefix: str = "",
) -> Document:
    """Parse ``data`` through the gate into ``graph`` (a new one when omitted).

    The format is ``format`` if given, else the file name's extension, else sniffed.
    Raises :class:`InputError` with file, line and column on any syntax error or refused construct.
    """
    chosen, payload = admit(data, name=name, format=format)
    try:
        target, prefixes = _parse_into(payload, chosen, base_iri, graph, bnode_prefix, name)
    except InputError:
        if not may_be_nquads(data, name=name, format=format, chosen=chosen):
            raise
        chosen = "nquads"
        target, prefixes = _parse_into(payload, chosen, base_iri, graph, bnode_prefix, name)
    return Document(name=name, format=chosen, data=data, graph=target, prefixes=prefixes)


def detect_format(head: bytes, *, name: str = "<input>", format: str | None = None) -> str:
    """The format of a document from ``format``, its name's extension, or its first bytes."""
    chosen = format_name(format) if format else format_from_name(name)
    return chosen or sniff(head)


def admit(data: bytes, *, name: str = "<input>", format: str | None = None) -> tuple[str, bytes]:
    """The format of ``data`` and the bytes to hand to the parser, after the gate's refusals
    (XML entity declarations, JSON-LD contexts other than inline ones and ours)."""
    chosen = detect_format(data, name=name, format=format)
    if chosen == "rdfxml" and _DOCTYPE.search(data):
        raise InputError(
            "XML with a DOCTYPE or ENTITY declaration is refused (entity expansion attacks); "
            "remove the DOCTYPE",
            name=name,
        )
    payload = _inline_contexts(data, name) if chosen == "jsonld" else data
    return chosen, payload


def may_be_nquads(data: bytes, *, name: str, format: str | None, chosen: str) -> bool:
    """Whether input sniffed as TriG that failed to parse should be tried as N-Quads."""
    explicit = bool(format) or format_from_name(name) is not None
    return not explicit and chosen == "trig" and _looks_like_nquads(data)


class Quads:
    """The quads of ``payload`` (admitted by :func:`admit`), streamed; syntax errors become
    :class:`InputError` with the line and column. After iteration, ``prefixes`` holds the
    document's prefix declarations."""

    def __init__(
        self, payload: bytes | IO[bytes], fmt: str, *, name: str, base_iri: str | None = None
    ) -> None:
        self.fmt, self.name = fmt, name
        self.parser = ox.parse(payload, format=FORMATS[fmt], base_iri=base_iri)

    def __iter__(self) -> Iterator[ox.Quad]:
        with self.errors():
            yield from self.parser

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turns the parser's errors into :class:`InputError`: a loop over ``parser`` itself
        within it saves a generator step per quad (the fast engine reads millions)."""
        try:
            yield
        except SyntaxError as error:
            raise _syntax_error(error, self.name, self.fmt) from None
        except (ValueError, TypeError) as error:
            raise InputError(f"cannot read {self.fmt}: {error}", name=self.name) from None

    @property
    def prefixes(self) -> dict[str, str]:
        return dict(getattr(self.parser, "prefixes", {}) or {})


def _parse_into(
    payload: bytes,
    fmt: str,
    base_iri: str | None,
    graph: Graph | None,
    bnode_prefix: str,
    name: str,
) -> tuple[Graph, dict[str, str]]:
    """The graph the triples went into, and the prefixes. A caller's ``graph`` receives
    nothing unless the whole document parses (it goes through a scratch graph first); without
    one, the triples go straight into a new graph, dropped with the error."""
    quads = Quads(payload, fmt, name=name, base_iri=base_iri)
    parsed = graph_from_quads(quads, None, bnode_prefix)
    if graph is None:
        return parsed, quads.prefixes
    graph += parsed
    return graph, quads.prefixes


def _syntax_error(error: SyntaxError, name: str, fmt: str) -> InputError:
    message = str(error.msg if error.msg else error)
    line, column = error.lineno, error.offset
    match = _LOCATION.search(message)
    if line is None and match:
        line = int(match.group(1))
        column = int(match.group(2)) if match.group(2) else None
    message = _LOCATION.sub("", message).replace("Parser error", "").strip(" :,")
    return InputError(f"{fmt} syntax error: {message}", name=name, line=line, column=column)


def _looks_like_nquads(data: bytes) -> bool:
    for raw in data.splitlines()[:50]:
        line = raw.strip()
        if line and not line.startswith(b"#"):
            return line.startswith((b"<", b"_:")) and line.endswith(b".")
    return False


# --- JSON-LD contexts -------------------------------------------------------------------------


def _inline_contexts(data: bytes, name: str) -> bytes:
    """Replace references to our context by the packaged context; refuse every other reference."""
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON syntax error: {error.msg}", name=name, line=error.lineno, column=error.colno
        ) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise InputError(f"cannot read JSON: {type(error).__name__}", name=name) from None
    references = _check_contexts(document, name)
    if not references:
        return data
    token = json.dumps(CONTEXT_IRI).encode()
    if data.count(token) == references:
        # Same bytes, same line numbers: positions in later errors still point into the file.
        return data.replace(token, json.dumps(jsonld_context(), ensure_ascii=False).encode())
    return json.dumps(_replace_contexts(document), ensure_ascii=False).encode()


def _check_contexts(node: Any, name: str, inside_context: bool = False) -> int:
    """Count references to our context; raise on any other string context or ``@import``."""
    count = 0
    if isinstance(node, list):
        return sum(_check_contexts(item, name, inside_context) for item in node)
    if not isinstance(node, dict):
        return 0
    for key, value in node.items():
        if key == "@context":
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    if item != CONTEXT_IRI:
                        raise _refused_context(item, name)
                    count += 1
                elif isinstance(item, dict):
                    count += _check_contexts(item, name, inside_context=True)
        elif key == "@import" and inside_context:
            raise InputError(
                f"JSON-LD @import {str(value)[:80]!r} is refused: contexts must be inline "
                f"or {CONTEXT_IRI}",
                name=name,
            )
        else:
            count += _check_contexts(value, name, inside_context)
    return count


def _refused_context(reference: str, name: str) -> InputError:
    return InputError(
        f"JSON-LD @context {reference[:80]!r} is refused: only inline contexts and {CONTEXT_IRI} "
        "are allowed (remote and local contexts are never loaded)",
        name=name,
    )


def _replace_contexts(node: Any) -> Any:
    if isinstance(node, list):
        return [_replace_contexts(item) for item in node]
    if not isinstance(node, dict):
        return node
    replaced = {}
    for key, value in node.items():
        if key == "@context":
            items = value if isinstance(value, list) else [value]
            items = [
                jsonld_context() if item == CONTEXT_IRI else _replace_contexts(item)
                for item in items
            ]
            replaced[key] = items if isinstance(value, list) else items[0]
        else:
            replaced[key] = _replace_contexts(value)
    return replaced
