"""The fast engine gives pySHACL's results: on every shape fixture, on edge cases of every
datatype, on generated directories, and whether a file is validated whole, in parts on local
processes, or on a Dask cluster.

Results are compared as the multiset of (severity, focus, path, value, component, shape). When
both engines read the same rdflib graph the terms are identical; when each parses a file itself,
anonymous blank nodes get different random labels, so reports are compared with every blank
node label replaced by one placeholder.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph

import ssevalidate
from ssevalidate import load
from ssevalidate.engines import get_engine
from ssevalidate.engines.fast import FastEngine
from ssevalidate.profiles import PROFILES, get_profile
from ssevalidate.validation import with_concepts

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import write_directory  # noqa: E402


def _keys(findings) -> Counter:
    return Counter(finding.key() for finding in findings)


def _blanked(findings) -> Counter:
    """Like :func:`_keys`, every blank node replaced by one placeholder."""
    return Counter(
        tuple("_:b" if isinstance(term, BNode) else term for term in finding.key())
        for finding in findings
    )


def _both(data: Graph, profile: str) -> tuple[Counter, Counter, list[str]]:
    chosen = get_profile(profile)
    if chosen.with_taxonomies:
        data = with_concepts(data)
    fast = FastEngine(workers=1)
    ours = _keys(fast.run(data, chosen.shapes()))
    return _keys(get_engine("pyshacl").run(data, chosen.shapes())), ours, fast.notices


def _normalised(report) -> list[str]:
    """The report's results with blank node labels replaced (see the module docstring)."""
    rows = [json.dumps(result.to_dict(), sort_keys=True) for result in report.results]
    return sorted(re.sub(r"_:[A-Za-z0-9]+", "_:b", row) for row in rows)


def test_every_shape_fixture_gives_pyshacls_results() -> None:
    files = sorted((FIXTURES / "shapes").glob("*/*/*.ttl"))
    assert len(files) > 300
    differing = []
    for path in files:
        reference, ours, notices = _both(load(path), path.parts[-3])
        if reference != ours or notices:
            differing.append(str(path.relative_to(FIXTURES)))
    assert differing == []


@pytest.mark.parametrize("profile", list(PROFILES))
def test_edge_cases_give_pyshacls_results(profile: str) -> None:
    reference, ours, notices = _both(load(FIXTURES / "engine" / "edge-cases.ttl"), profile)
    assert ours == reference
    assert notices == []
    if profile == "core":
        components = {str(key[4]).rsplit("#", 1)[1] for key in reference}
        assert {
            "DatatypeConstraintComponent",
            "MinInclusiveConstraintComponent",
            "MaxInclusiveConstraintComponent",
            "ClassConstraintComponent",
            "NodeKindConstraintComponent",
            "MaxCountConstraintComponent",
            "OrConstraintComponent",
            "SPARQLConstraintComponent",
        } <= components


@pytest.fixture(scope="module")
def directory(tmp_path_factory) -> tuple[Path, object]:
    """3,000 generated organisations, one in five with an error of one of every kind."""
    path = tmp_path_factory.mktemp("generated") / "directory.ttl"
    expected = write_directory(path, 3000, error_every=5)
    return path, expected


def test_generated_directory_gives_pyshacls_results(directory) -> None:
    path, expected = directory
    small = path.parent / "small.ttl"
    write_directory(small, 400, error_every=5)
    reference, ours, notices = _both(load(small), "core")
    assert ours == reference and notices == []
    report = ssevalidate.validate(path, "core", workers=1)
    assert len(report.results) == expected.results
    assert report.engine == "fast"


def test_examples_give_pyshacls_reports() -> None:
    for name in ("mistakes.ttl", "directory.ttl", "directory.jsonld"):
        path = ROOT / "examples" / name
        fast = ssevalidate.validate(path, "core")
        reference = ssevalidate.validate(path, "core", engine="pyshacl")
        assert _normalised(fast) == _normalised(reference)
        assert fast.records == reference.records


def test_parts_on_local_processes_give_the_whole_files_report(directory) -> None:
    path, expected = directory
    whole = ssevalidate.validate(path, "core", workers=1)
    engine = FastEngine(workers=2, part_size=256 << 10)
    outcome = engine.run_sources(
        [_source(path)], get_profile("core").shapes(), with_taxonomies=True
    )
    assert engine.parts > 8
    assert engine.notices == []
    assert len(outcome.findings) == expected.results == len(whole.results)
    # Each part counts its own lines: records of later parts keep their line in the file, and
    # so do records whose class check was decided after the merge.
    one_part = FastEngine(workers=1).run_sources(
        [_source(path)], get_profile("core").shapes(), with_taxonomies=True
    )
    records = {str(finding.focus) for finding in outcome.findings}
    origins = {iri: origin for iri, origin in outcome.origins.items() if iri in records}
    assert origins == {iri: o for iri, o in one_part.origins.items() if iri in records}
    assert len(origins) > 100
    assert max(origin["line"] for origin in origins.values()) > 10_000
    parted = ssevalidate.validate(path, "core", workers=2)
    assert _normalised(parted) == _normalised(whole)
    # Memberships of records that are no networks point across parts: decided after the merge.
    classes = [r for r in whole.results if r.component == "sh:ClassConstraintComponent"]
    assert classes


def test_a_split_record_makes_the_engine_validate_the_file_whole(directory, tmp_path) -> None:
    path, _ = directory
    text = path.read_text(encoding="utf-8")
    moved = tmp_path / "moved.ttl"
    # One more triple of the first organisation, at the very end of the file.
    first = re.search(r"^(<https://bench\.example/org/\d+>)", text, re.M).group(1)
    moved.write_text(text + f'\n{first} <http://schema.org/name> "Second name" .\n', "utf-8")
    engine = FastEngine(workers=2, part_size=256 << 10)
    outcome = engine.run_sources(
        [_source(moved)], get_profile("core").shapes(), with_taxonomies=True
    )
    assert any("one part" in notice for notice in engine.notices)
    reference = FastEngine(workers=1).run_sources(
        [_source(moved)], get_profile("core").shapes(), with_taxonomies=True
    )
    assert _blanked(outcome.findings) == _blanked(reference.findings)


def test_a_blank_node_label_used_in_two_parts_is_caught(tmp_path) -> None:
    lines = []
    for i in range(1500):
        lines.append(
            f"<https://x.example/o{i}> a <https://w3id.org/sse/vocab/Initiative> ; "
            f'<http://schema.org/name> "O{i}" .'
        )
    lines.insert(10, "<https://x.example/o1> <https://w3id.org/sse/vocab/hasSite> _:shared .")
    lines.append('_:shared a <https://w3id.org/sse/vocab/Site> ; <http://schema.org/name> "S" .')
    path = tmp_path / "shared.ttl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    engine = FastEngine(workers=2, part_size=16 << 10)
    outcome = engine.run_sources(
        [_source(path)], get_profile("core").shapes(), with_taxonomies=True
    )
    assert engine.notices and "one part" in engine.notices[0]
    reference = _keys(
        get_engine("pyshacl").run(with_concepts(load(path)), get_profile("core").shapes())
    )
    assert len(outcome.findings) == sum(reference.values())


def test_a_dask_cluster_gives_the_same_report(directory) -> None:
    distributed = pytest.importorskip("distributed")
    path, _ = directory
    local = ssevalidate.validate(path, "core", workers=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = ssevalidate.validate(path, "core", scheduler=cluster.scheduler_address)
    assert _normalised(remote) == _normalised(local)


def test_an_unsupported_shape_is_validated_by_pyshacl_with_a_notice() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://x.example/> .
        ex:LongName a sh:ConstraintComponent ;
            sh:parameter [ sh:path ex:longerThan ] ;
            sh:validator [ a sh:SPARQLAskValidator ;
                sh:ask "ASK { FILTER (STRLEN(STR($value)) > $longerThan) }" ] .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:name ; ex:longerThan 3 ] ;
            sh:property [ sh:path ex:name ; sh:maxCount 1 ] .
        """,
        format="turtle",
    )
    data = Graph().parse(
        data="""@prefix ex: <https://x.example/> .
        ex:a a ex:Thing ; ex:name "ab", "abcdef" .""",
        format="turtle",
    )
    engine = FastEngine()
    ours = _keys(engine.run(data, shapes))
    assert ours == _keys(get_engine("pyshacl").run(data, shapes))
    assert len(ours) == 2
    assert engine.notices and "pySHACL" in engine.notices[0]


def test_sparql_constraints_follow_sparql_on_ill_typed_numbers() -> None:
    """Oxigraph, like the SPARQL spec, makes a comparison with an ill-typed number an error
    (the FILTER fails); rdflib compares anyway, so pySHACL reports a result here. This is the one
    known divergence; the engine keeps the standard behaviour."""
    data = load(
        b"""@prefix sse: <https://w3id.org/sse/vocab/> .
        <https://x.example/a> a sse:Initiative ; <http://schema.org/name> "A" ;
            sse:totalMembers "1e3"^^<http://www.w3.org/2001/XMLSchema#integer> ;
            sse:totalWomen 3 ; sse:totalMen 2 ."""
    )
    reference, ours, _ = _both(data, "core")
    sparql = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
    assert not [key for key in ours if str(key[4]) == sparql]
    assert [key for key in reference if str(key[4]) == sparql]


def _source(path: Path):
    from ssevalidate.engines.fast import Source

    return Source(str(path), "turtle", path=str(path), bnode_prefix="d0x")


def test_a_prefix_declared_after_the_first_record_makes_the_engine_validate_whole(tmp_path):
    head = "@prefix sse: <https://w3id.org/sse/vocab/> .\n@prefix ex: <https://a.example/> .\n"
    records = [f'ex:o{i} a sse:Initiative ; <http://schema.org/name> "N" .' for i in range(750)]
    # Halfway, ex: comes to mean our vocabulary: parts cut after this line would not know it,
    # and would read the nameless records below as of another class, escaping the shapes.
    records.append("@prefix ex: <https://w3id.org/sse/vocab/> .")
    records += [f"<https://c.example/q{i}> a ex:Initiative ." for i in range(750)]
    path = tmp_path / "prefixes.ttl"
    path.write_text(head + "\n".join(records) + "\n", "utf-8")
    engine = FastEngine(workers=2, part_size=16 << 10)
    outcome = engine.run_sources(
        [_source(path)], get_profile("core").shapes(), with_taxonomies=True
    )
    assert engine.parts > 2
    assert engine.notices and "one part" in engine.notices[0]
    assert len(outcome.findings) == 750


def test_unnamed_nquads_are_read_like_the_parse_gate_reads_them() -> None:
    """Sniffed as TriG, they fail as TriG and are read as N-Quads (the gate's rule)."""
    data = (
        b"<https://x.example/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://w3id.org/sse/vocab/Initiative> <https://x.example/g> .\n"
    )
    fast = ssevalidate.validate(data)
    reference = ssevalidate.validate(data, engine="pyshacl")
    assert _normalised(fast) == _normalised(reference)
    assert [result.component for result in fast.results] == ["sh:MinCountConstraintComponent"]


def _members_of_a_network(tmp_path: Path, network: str) -> Path:
    """1,500 members of ``ex:network``, described by ``network`` on the last line only (in the
    last part when the file is cut in parts of 16 KiB)."""
    lines = ["@prefix ex: <https://x.example/> ."]
    lines += [f"ex:m{i} a ex:Member ; ex:memberOf ex:network ." for i in range(1500)]
    lines.append(network)
    path = tmp_path / "members.ttl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_a_path_through_a_record_of_another_part_is_caught(tmp_path) -> None:
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://x.example/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Member ;
            sh:property [ sh:path ( ex:memberOf ex:name ) ; sh:minCount 1 ] .""",
        format="turtle",
    )
    path = _members_of_a_network(tmp_path, 'ex:network ex:name "The network" .')
    engine = FastEngine(workers=2, part_size=16 << 10)
    outcome = engine.run_sources([_source(path)], shapes)
    assert engine.parts > 2
    assert engine.notices and "one part" in engine.notices[0]
    assert outcome.findings == []


def _sparql_shapes(select: str) -> Graph:
    return Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://x.example/> .
        ex:Shape a sh:NodeShape ; sh:targetNode ex:network ;
            sh:sparql [ sh:select \"\"\"{select}\"\"\" ] .""",
        format="turtle",
    )


@pytest.mark.parametrize(
    ("select", "local"),
    [
        (
            "SELECT $this ?value WHERE { $this <https://x.example/size> ?value "
            "OPTIONAL { $this <https://x.example/cap> ?cap } FILTER (?value > 10) }",
            True,
        ),
        (
            "SELECT $this WHERE { $this <https://x.example/size> ?v "
            "FILTER NOT EXISTS { $this <https://x.example/cap> ?c } }",
            True,
        ),
        (
            "SELECT $this WHERE { $this <https://x.example/member> ?m . "
            "?m <https://x.example/size> ?v }",
            False,
        ),
        (
            "SELECT $this WHERE { $this <https://x.example/member>/<https://x.example/size> ?v }",
            False,
        ),
        ("SELECT $this WHERE { ?other <https://x.example/member> $this }", False),
        ("SELECT $this WHERE { $this ?p ?v }", False),
        (
            "SELECT $this WHERE { { SELECT $this WHERE { $this <https://x.example/size> ?v } } }",
            False,
        ),
    ],
)
def test_a_sparql_constraint_reading_only_its_focus_node_is_run_in_its_part(select, local):
    from ssevalidate.engines.fast.shapes import compile_shapes

    [component] = compile_shapes(_sparql_shapes(select)).sparql
    assert component.local is local


def test_a_local_sparql_constraint_on_a_node_described_in_another_part_is_caught(tmp_path):
    # Parts that do not hold the network's triples would each report it.
    shapes = _sparql_shapes(
        "SELECT $this WHERE { FILTER NOT EXISTS { $this <https://x.example/size> ?value } }"
    )
    path = _members_of_a_network(tmp_path, "ex:network ex:size 12 .")
    engine = FastEngine(workers=2, part_size=16 << 10)
    outcome = engine.run_sources([_source(path)], shapes)
    assert engine.parts > 2
    assert engine.notices and "one part" in engine.notices[0]
    reference = _keys(get_engine("pyshacl").run(load(path), shapes))
    assert _keys(outcome.findings) == reference
    assert outcome.findings == []


@pytest.mark.parametrize("name", ["date", "dateTime"])
def test_dates_read_without_rdflib_literals_are_judged_as_rdflib_judges_them(name) -> None:
    import datetime

    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    from ssevalidate.engines.fast import literals

    datatype = f"http://www.w3.org/2001/XMLSchema#{name}"
    expected = {"date": datetime.date, "dateTime": datetime.datetime}
    texts = [
        "1971-10-18", "2020-02-29", "2021-02-29", "2020-13-01", "0000-01-01", "20201-01-01",
        "2020-01-01Z", "2020-01-01+02:00", "-0044-03-15", "2020-1-1", "2020/01/01", "",
        "2026-04-15T09:00:00Z", "2026-04-15T09:00:00", "2026-04-15T09:00:00.123+05:30",
        "2026-04-15T24:00:00", "2026-04-15T09:00", "2026-04-15 09:00:00", "2026-04-15T09:00:00+15:00",
        "20260415T090000", "2026-W16-3", "not a date",
    ]  # fmt: skip
    for text in texts:
        rdflib_literal = Literal(text, datatype=URIRef(datatype))
        reference = not rdflib_literal.ill_typed and isinstance(
            rdflib_literal.value, expected[name]
        )
        literal = ox.Literal(text, datatype=ox.NamedNode(datatype))
        assert literals.has_datatype(literal, datatype) is reference, text
