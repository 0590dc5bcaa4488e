"""The command line: exit codes, outputs, one-line errors, help with examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES
from rdflib import Graph

from ssevalidate.cli import main

DIRECTORY = str(EXAMPLES / "directory.ttl")
MISTAKES = str(EXAMPLES / "mistakes.ttl")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_conforming_directory_exits_0(capsys):
    code, out, _ = run(capsys, "validate", DIRECTORY)
    assert code == 0
    assert "conforms" in out


def test_mistakes_exit_1_with_a_readable_report(capsys):
    code, out, _ = run(capsys, "validate", MISTAKES)
    assert code == 1
    assert "Violation" in out and "Hint:" in out


def test_mistakes_in_french(capsys):
    code, out, _ = run(capsys, "validate", MISTAKES, "--lang", "fr")
    assert code == 1
    assert "non conforme" in out and "Erreur" in out


@pytest.mark.parametrize("output", ["json", "turtle", "jsonld", "csv"])
def test_machine_outputs(capsys, output):
    code, out, _ = run(capsys, "validate", MISTAKES, "--output", output)
    assert code == 1
    if output == "json":
        assert json.loads(out)["conforms"] is False
    elif output == "csv":
        assert out.splitlines()[0].startswith("record,")
    else:
        assert (
            len(Graph().parse(data=out, format="turtle" if output == "turtle" else "json-ld")) > 0
        )


def test_fail_on_warning(capsys):
    code, out, _ = run(capsys, "validate", DIRECTORY, "--profile", "full", "--output", "json")
    report = json.loads(out)
    assert code == (1 if report["summary"]["violations"] else 0)
    if report["summary"]["warnings"]:
        assert (
            run(capsys, "validate", DIRECTORY, "--profile", "full", "--fail-on", "warning")[0] == 1
        )


def test_several_files_are_one_directory(capsys, tmp_path):
    network = tmp_path / "network.ttl"
    member = tmp_path / "member.ttl"
    network.write_text(
        "@prefix sse: <https://w3id.org/sse/vocab/> . @prefix schema: <http://schema.org/> .\n"
        '<https://e.org/n> a sse:Network ; schema:name "N" .\n'
    )
    member.write_text(
        "@prefix sse: <https://w3id.org/sse/vocab/> . @prefix schema: <http://schema.org/> .\n"
        '<https://e.org/m> a sse:Initiative ; schema:name "M" ; sse:memberOf <https://e.org/n> .\n'
    )
    assert run(capsys, "validate", str(member))[0] == 1
    assert run(capsys, "validate", str(member), str(network))[0] == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"@prefix s: <http://schema.org/> .\n<https://e.org/a> s:name .\n", "bad.ttl:2:"),
        (b'{"@context": "file:///etc/passwd", "@id": "https://e.org/a"}', "refused"),
    ],
)
def test_input_errors_exit_2_with_one_line(capsys, tmp_path, content, needle):
    path = tmp_path / ("bad.ttl" if content.startswith(b"@") else "bad.jsonld")
    path.write_bytes(content)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert out == ""


def test_remote_context_exits_2_and_no_request_arrives(capsys, tmp_path, context_server):
    url, requests = context_server
    path = tmp_path / "remote.jsonld"
    path.write_text(json.dumps({"@context": url, "@id": "https://e.org/a", "name": "A"}))
    code, out, err = run(capsys, "validate", str(path))
    assert (code, out) == (2, "")
    assert "refused" in err and "remote.jsonld" in err
    assert requests == []


def test_missing_file_and_usage_errors_exit_2(capsys):
    assert run(capsys, "validate", "/nonexistent/file.ttl")[0] == 2
    with pytest.raises(SystemExit) as caught:
        main(["validate", DIRECTORY, "--profile", "nope"])
    assert caught.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_profiles_lists_every_profile(capsys):
    code, out, _ = run(capsys, "profiles", "--verbose")
    assert code == 0
    for name in ("core", "full", "essglobal", "taxonomy", "dataset"):
        assert f"{name} —" in out


def test_console_script_help_shows_examples_and_errors_have_no_traceback(tmp_path):
    script = Path(sys.executable).parent / "ssevalidate"
    help_text = subprocess.run(
        [script, "validate", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "examples:" in help_text
        and "ssevalidate validate examples/mistakes.ttl --lang fr" in help_text
    )
    bad = tmp_path / "bad.rdf"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><rdf:RDF/>')
    done = subprocess.run([script, "validate", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "DOCTYPE" in done.stderr
