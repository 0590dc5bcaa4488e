"""Every term of the harvest vocabulary the code writes or reads is documented in
:mod:`ssevalidate.harvest.terms`: the code is scanned for the term in each of its spellings
(``HARVEST.x``, ``HARVEST["x"]``, ``{HARVEST}x`` in a query, ``harvest:x`` with the prefix, the
full IRI), the documentation is the module docstring's list."""

from __future__ import annotations

import re
from pathlib import Path

import ssevalidate.harvest.terms
from ssevalidate.harvest.terms import HARVEST

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("ssevalidate", "service")
SUFFIXES = {".py", ".html", ".rq", ".ttl", ".jsonld", ".json"}

_USES = re.compile(
    r"\bHARVEST\.(?P<attribute>[A-Za-z_]\w*)"
    r"|\bHARVEST\[\s*[\"'](?P<item>[^\"']+)[\"']\s*\]"
    r"|\{HARVEST\}(?P<appended>[A-Za-z_]\w*)"
    # Not urn:sse:harvest:..., the default base of the graphs' names.
    r"|(?<![\w:])harvest:(?P<prefixed>[A-Za-z_]\w*)"
    rf"|{re.escape(str(HARVEST))}(?P<iri>[A-Za-z_]\w*)"
)
_DOCUMENTED = re.compile(r"``([A-Za-z_]\w*)``")


def used_terms(text: str) -> set[str]:
    """The harvest terms ``text`` names, in any spelling."""
    return {next(name for name in match.groups() if name) for match in _USES.finditer(text)}


def documented_terms() -> set[str]:
    """The terms the module docstring lists (its part from "``HARVEST`` terms" on)."""
    doc = ssevalidate.harvest.terms.__doc__ or ""
    _, found, listing = doc.partition("``HARVEST`` terms")
    assert found, "the docstring of ssevalidate.harvest.terms lost its list of terms"
    return set(_DOCUMENTED.findall(listing))


def uses_in_code() -> dict[str, set[str]]:
    """Each term used in the package and the service → the files using it."""
    uses: dict[str, set[str]] = {}
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            for term in used_terms(path.read_text(encoding="utf-8")):
                uses.setdefault(term, set()).add(str(path.relative_to(ROOT)))
    return uses


def test_every_term_used_is_documented():
    uses = uses_in_code()
    # The scan must see the terms at all: a broken pattern would find nothing to complain about.
    assert {"Harvest", "sourceId", "recordHash", "tombstone", "retainedSince"} <= set(uses)
    documented = documented_terms()
    undocumented = {term: sorted(files) for term, files in uses.items() if term not in documented}
    assert not undocumented, f"document these in ssevalidate/harvest/terms.py: {undocumented}"


def test_every_spelling_of_a_term_is_found_and_graph_names_are_not_terms():
    text = f"""
        graph.add((node, HARVEST.alpha, value))
        HARVEST["beta"]
        query = f"SELECT ?x WHERE {{ ?x <{{HARVEST}}gamma> ?y }}"
        PREFIX harvest: <{HARVEST}> SELECT ?x WHERE {{ ?x harvest:delta ?y }}
        "epsilon": {{"@id": "{HARVEST}epsilon"}}
        base = "urn:sse:harvest:sources/ica"
        def run(harvest: Harvest) -> None: ...
    """
    assert used_terms(text) == {"alpha", "beta", "gamma", "delta", "epsilon"}
    assert "alpha" not in documented_terms()
