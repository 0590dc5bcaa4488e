"""The parse gate: formats, located syntax errors, and the refusals of DESIGN.md's security rules."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import anchor
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from ssevalidate.parsegate import InputError, read, sniff

TURTLE = b'@prefix schema: <http://schema.org/> .\n<https://example.org/a> schema:name "A" .\n'


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.ttl", TURTLE, "turtle"),
        ("a.nt", b'<https://e.org/a> <http://schema.org/name> "A" .\n', "ntriples"),
        ("a.nq", b'<https://e.org/a> <http://schema.org/name> "A" <https://e.org/g> .\n', "nquads"),
        (
            "a.trig",
            b'<https://e.org/g> { <https://e.org/a> <http://schema.org/name> "A" . }',
            "trig",
        ),
        (
            "a.rdf",
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:s="http://schema.org/"><rdf:Description rdf:about="https://e.org/a">'
            b"<s:name>A</s:name></rdf:Description></rdf:RDF>",
            "rdfxml",
        ),
        ("a.jsonld", b'{"@id": "https://e.org/a", "http://schema.org/name": "A"}', "jsonld"),
    ],
)
def test_every_format_reads_by_extension_and_by_sniffing(name, data, expected):
    by_name = read(data, name=name)
    assert by_name.format == expected
    assert len(by_name.graph) == 1
    sniffed = read(data, name="upload")
    assert set(sniffed.graph) == set(by_name.graph)


def test_sniffing_recognises_json_xml_and_text():
    assert sniff(b"  \n{") == "jsonld"
    assert sniff(b'<?xml version="1.0"?>') == "rdfxml"
    assert sniff(TURTLE) == "trig"


def test_nquads_without_extension_is_detected_after_trig_fails():
    data = b'<https://e.org/a> <http://schema.org/name> "A" <https://e.org/g> .\n'
    assert read(data).format == "nquads"


def test_syntax_error_names_file_line_and_column():
    data = b'@prefix s: <http://schema.org/> .\n<https://e.org/a> s:name "A" ;\n  s:url  .\n'
    with pytest.raises(InputError) as caught:
        read(data, name="bad.ttl")
    error = caught.value
    assert (error.name, error.line) == ("bad.ttl", 3)
    assert error.column is not None
    assert str(error).startswith("bad.ttl:3:")


def test_json_syntax_error_is_located():
    with pytest.raises(InputError) as caught:
        read(b'{\n  "@id": "https://e.org/a",\n  "name": \n}', name="bad.jsonld")
    assert caught.value.line == 4
    assert "bad.jsonld:4:" in str(caught.value)


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="unknown format"):
        read(TURTLE, format="yaml")


def test_doctype_is_refused_before_parsing_and_fast(tmp_path):
    laughs = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    for level in range(1, 10):
        laughs += f'<!ENTITY lol{level} "{("&lol%s;" % (level - 1 if level > 1 else "")) * 10}">\n'.encode()
    laughs += (
        b']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:s="http://schema.org/"><rdf:Description rdf:about="https://e.org/a">'
        b"<s:name>&lol9;</s:name></rdf:Description></rdf:RDF>\n"
    )
    started = time.perf_counter()
    with pytest.raises(InputError, match="DOCTYPE"):
        read(laughs, name="laughs.rdf")
    assert time.perf_counter() - started < 1.0


def test_remote_context_is_refused_and_never_requested(context_server):
    url, requests = context_server
    document = {"@context": url, "@id": "https://e.org/a", "name": "A"}
    with pytest.raises(InputError, match="refused"):
        read(json.dumps(document).encode(), name="remote.jsonld")
    nested = {
        "@context": [{"@version": 1.1}],
        "@graph": [{"@context": context_server, "name": "A"}],
    }
    with pytest.raises(InputError, match="refused"):
        read(json.dumps(nested).encode(), name="nested.jsonld")
    imported = {"@context": {"@import": url}, "@id": "https://e.org/a"}
    with pytest.raises(InputError, match="@import"):
        read(json.dumps(imported).encode(), name="import.jsonld")
    assert requests == []


def test_local_file_context_is_refused_without_reading_it(tmp_path):
    secret = tmp_path / "context.jsonld"
    secret.write_text('{"@context": {"name": "http://schema.org/name"}}')
    for reference in (secret.as_uri(), str(secret), "context.jsonld"):
        document = {"@context": reference, "@id": "https://e.org/a", "name": "A"}
        with pytest.raises(InputError, match="refused"):
            read(json.dumps(document).encode(), name="local.jsonld")


def test_our_context_is_served_from_the_package():
    document = (
        '{\n  "@context": "https://w3id.org/sse/context.jsonld",\n'
        '  "id": "https://e.org/a",\n  "type": "Initiative",\n  "name": "A",\n'
        '  "organisationalStructure": "OS115"\n}\n'
    )
    graph = read(document.encode(), name="ours.jsonld").graph
    assert (
        URIRef("https://e.org/a"),
        URIRef("https://w3id.org/sse/vocab/organisationalStructure"),
        URIRef("https://w3id.org/sse/taxonomy/organisational-structure/OS115"),
    ) in graph
    broken = document.replace('"name": "A"', '"name": {"@id": 5}')
    with pytest.raises(InputError) as caught:
        read(broken.encode(), name="ours.jsonld")
    assert str(caught.value).startswith(
        "ours.jsonld: jsonld syntax error: @id value must be a string"
    )


def test_blank_nodes_of_two_documents_never_merge():
    data = b'_:x <http://schema.org/name> "A" .\n'
    graph = Graph()
    read(data, name="a.nt", graph=graph, bnode_prefix="a")
    read(data, name="b.nt", graph=graph, bnode_prefix="b")
    assert len(set(graph.subjects())) == 2


def test_ill_typed_literals_survive_the_gate_unchanged():
    data = b'<https://e.org/a> <http://schema.org/foundingDate> "2019-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .'
    literal = next(iter(read(data, name="a.nt").graph.objects()))
    assert str(literal) == "2019-13-45"
    assert literal.ill_typed


# --- the W3C RDF 1.1 syntax suites ---------------------------------------------------------

SUITES = {
    "rdf-turtle": "turtle",
    "rdf-n-triples": "ntriples",
    "rdf-n-quads": "nquads",
    "rdf-trig": "trig",
    "rdf-xml": "rdfxml",
}
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"


def _suite_entries(suite: str) -> list[tuple[str, Path]]:
    folder = anchor("w3c-rdf-tests", "rdf", "rdf11", suite)
    manifest = Graph().parse(folder / "manifest.ttl", publicID=folder.as_uri() + "/manifest.ttl")
    head = next(manifest.objects(None, URIRef(MF + "entries")))
    entries = []
    for test in Collection(manifest, head):
        kind = str(manifest.value(test, RDF.type)).rsplit("#", 1)[-1]
        action = str(manifest.value(test, URIRef(MF + "action")))
        entries.append((kind, Path(action.removeprefix("file://"))))
    return entries


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_w3c_syntax_suite(suite):
    fmt = SUITES[suite]
    accepted_bad, refused_good, unlocated = [], [], []
    entries = _suite_entries(suite)
    assert entries
    for kind, path in entries:
        data = path.read_bytes()
        base = (
            "http://www.w3.org/2013/"
            + suite.removeprefix("rdf-").replace("-", "")
            + "Tests/"
            + path.name
        )
        negative = "Negative" in kind
        try:
            read(data, name=path.name, format=fmt, base_iri=base)
        except InputError as error:
            if not negative and b"<!DOCTYPE" not in data:
                refused_good.append(path.name)
            if negative and fmt != "rdfxml" and error.line is None:
                unlocated.append(path.name)
            assert path.name in str(error)
        else:
            if negative:
                accepted_bad.append(path.name)
    assert accepted_bad == [], f"bad input accepted: {accepted_bad}"
    assert refused_good == [], f"good input refused: {refused_good}"
    assert unlocated == [], f"errors without a line: {unlocated}"
