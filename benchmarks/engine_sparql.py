"""The engine wrapper against plain pySHACL on records with SHACL-SPARQL constraints.

Both validate the same data graph in the same run; results must be identical. Writes its table
into BENCHMARKS.md between its markers. Run with ``make bench-engine``.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path

import pyshacl
from rdflib.namespace import SH

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service_load import machine, replace_section

from ssevalidate import load
from ssevalidate.engines import get_engine
from ssevalidate.profiles import get_profile
from ssevalidate.validation import with_concepts

MARKERS = ("<!-- engine-sparql:start -->", "<!-- engine-sparql:end -->")


def records(count: int) -> bytes:
    """Records with member counts and identifiers (each identifier used twice)."""
    lines = [
        "@prefix sse: <https://w3id.org/sse/vocab/> . @prefix schema: <http://schema.org/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
    ]
    for i in range(count):
        lines.append(
            f'<https://bench.example/r{i}> a sse:Initiative ; schema:name "R{i}" ; sse:totalMembers 10 ; '
            f"sse:totalWomen {4 + 10 * (i % 7 == 0)} ; sse:totalMen 5 ; sse:identifier [ a sse:Identifier ; "
            f'skos:notation "{i % (count // 2):08d}" ; sse:identifierScheme '
            "<https://w3id.org/sse/taxonomy/identifier-schemes/companies-house> ] ."
        )
    return "\n".join(lines).encode()


def main() -> None:
    shapes = get_profile("core").shapes()
    rows = []
    for count in (100, 300):
        data = with_concepts(load(records(count)))
        started = time.perf_counter()
        _, report, _ = pyshacl.validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
        plain = time.perf_counter() - started
        plain_results = len(list(report.objects(None, SH.result)))
        started = time.perf_counter()
        ours = get_engine("pyshacl").run(data, shapes)
        wrapped = time.perf_counter() - started
        assert len(ours) == plain_results, (len(ours), plain_results)
        rows.append(
            f"| {count} | {plain:.1f} s | {wrapped:.1f} s | {plain / wrapped:.1f}× | {plain_results} (equal) |"
        )
    section = "\n".join(
        [
            MARKERS[0],
            "## Engine: SHACL-SPARQL constraints, plain pySHACL vs our pyshacl engine (`make bench-engine`)",
            "",
            f"Machine: {machine()}. Date: {datetime.date.today().isoformat()}.",
            "Profile `core` on records with member counts and identifiers (every identifier used twice,",
            "one record in seven with too many women). Our engine hands pySHACL a graph that prepares",
            "each SPARQL text once; plain pySHACL parses it again for every focus node.",
            "",
            "| records | plain pySHACL | our engine | ratio | results |",
            "|---|---|---|---|---|",
            *rows,
            MARKERS[1],
        ]
    )
    replace_section(section, MARKERS)
    print(section)


if __name__ == "__main__":
    main()
