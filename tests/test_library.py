"""The public API: sources of every kind, profiles, and input errors."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES
from rdflib import Graph

import ssevalidate
from ssevalidate import InputError, load, profiles, validate

TEXT = (
    "@prefix sse: <https://w3id.org/sse/vocab/> . @prefix schema: <http://schema.org/> .\n"
    '<https://e.org/a> a sse:Initiative ; schema:name "A" .\n'
)


def test_public_surface():
    assert set(ssevalidate.__all__) == {
        "InputError",
        "Profile",
        "Report",
        "Result",
        "load",
        "profiles",
        "validate",
    }


@pytest.mark.parametrize("kind", ["path", "str-path", "text", "bytes", "graph"])
def test_every_kind_of_source(kind, tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text(TEXT)
    source = {
        "path": path,
        "str-path": str(path),
        "text": TEXT,
        "bytes": TEXT.encode(),
        "graph": load(TEXT),
    }[kind]
    graph = load(source)
    assert isinstance(graph, Graph) and len(graph) == 2
    report = validate(source)
    assert report.conforms and report.records == 1


def test_a_list_of_sources_is_one_directory(tmp_path):
    report = validate([EXAMPLES / "directory.ttl", TEXT])
    assert report.records == validate(EXAMPLES / "directory.ttl").records + 1


def test_profiles_are_listed_with_titles_and_checks():
    listed = {profile.name: profile for profile in profiles()}
    assert list(listed) == ["core", "full", "essglobal", "taxonomy", "dataset"]
    for profile in listed.values():
        assert profile.title("en") and profile.title("fr") != profile.title("en")
        assert profile.checks()
    assert listed["full"].files == ("core", "full")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: validate(TEXT, "nope"), "unknown profile"),
        (lambda: validate(TEXT, engine="nope"), "unknown engine"),
        (lambda: validate(TEXT, format="nope"), "unknown format"),
        (lambda: validate("<a> <b> .", format="turtle"), "syntax error"),
    ],
)
def test_input_errors(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError)


def test_progress_is_reported_while_reading_and_validating(tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text(TEXT)
    seen = []
    validate(
        path,
        engine="pyshacl",
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    size = path.stat().st_size
    assert ("read", size, size) in seen
    assert seen[-1] == ("validate", 1, 1)
    seen.clear()
    validate(path, progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen[-1] == ("records", 1, 1)
