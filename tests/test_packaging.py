"""The wheel carries the vocabulary, taxonomies and shapes, and works without the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import EXAMPLES, ROOT


def test_installed_wheel_validates_without_the_checkout(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next(wheels.glob("ssevalidate-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "ssevalidate/_data/ontology/sse.ttl",
        "ssevalidate/_data/ontology/context.jsonld",
        "ssevalidate/_data/ontology/taxonomies/organisational-structure.ttl",
        "ssevalidate/_data/shapes/core.ttl",
        "ssevalidate/report.schema.json",
    ):
        assert required in names, required
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    probe = (
        "import ssevalidate, ssevalidate.resources as r, sys;"
        f"report = ssevalidate.validate({str(EXAMPLES / 'directory.ttl')!r});"
        "print(r.ontology_dir()); print(report.conforms)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    location, conforms = done.stdout.split()
    assert location.startswith(str(target))
    assert conforms == "True"
