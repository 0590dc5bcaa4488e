"""The pyshacl engine returns exactly what pySHACL itself reports (its query preparation is an
optimisation, never a change of results)."""

from __future__ import annotations

import pyshacl
from conftest import EXAMPLES
from rdflib import Graph
from rdflib.namespace import SH

from ssevalidate import load
from ssevalidate.engines import get_engine
from ssevalidate.profiles import get_profile
from ssevalidate.shaclpaths import read_path
from ssevalidate.validation import with_concepts

DUPLICATES = "\n".join(
    ["@prefix sse: <https://w3id.org/sse/vocab/> . @prefix schema: <http://schema.org/> ."]
    + [
        f'<https://e.org/r{i}> a sse:Initiative ; schema:name "R{i}" ; sse:totalMembers 10 ; '
        f"sse:totalWomen {4 + 10 * (i % 3 == 0)} ; sse:totalMen 5 ; sse:identifier [ a sse:Identifier ; "
        f'<http://www.w3.org/2004/02/skos/core#notation> "{i % 5:08d}" ; sse:identifierScheme '
        "<https://w3id.org/sse/taxonomy/identifier-schemes/companies-house> ] ."
        for i in range(12)
    ]
)


def plain_pyshacl(data: Graph, shapes: Graph) -> set:
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    keys = set()
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        keys.add(
            (
                report.value(result, SH.resultSeverity),
                report.value(result, SH.focusNode),
                None if path is None else read_path(report, path),
                report.value(result, SH.value),
                report.value(result, SH.sourceConstraintComponent),
                report.value(result, SH.sourceShape),
            )
        )
    return keys


def test_engine_findings_equal_plain_pyshacl():
    data = with_concepts(load(EXAMPLES / "mistakes.ttl") + load(DUPLICATES))
    for profile in ("core", "full"):
        shapes = get_profile(profile).shapes()
        ours = {finding.key() for finding in get_engine("pyshacl").run(data, shapes)}
        assert ours == plain_pyshacl(data, shapes)
        assert any(key[5].endswith("UniqueIdentifier") for key in ours)
        assert any(key[5].endswith("MemberCounts") for key in ours)


def test_engine_leaves_the_data_unchanged():
    data = with_concepts(load(EXAMPLES / "mistakes.ttl"))
    before = len(data)
    get_engine("pyshacl").run(data, get_profile("core").shapes())
    assert len(data) == before
