"""The standard SHACL validation report (``sh:ValidationReport``) as Turtle or JSON-LD."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH, XSD

from ssevalidate.namespaces import PREFIXES
from ssevalidate.report import Report
from ssevalidate.shaclpaths import write_path


def report_graph(report: Report) -> Graph:
    """The report as RDF, with every language's message kept."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    for result in report.results:
        finding = result.finding
        item = BNode()
        graph.add((node, SH.result, item))
        graph.add((item, RDF.type, SH.ValidationResult))
        graph.add((item, SH.resultSeverity, finding.severity))
        graph.add((item, SH.focusNode, finding.focus))
        graph.add((item, SH.sourceConstraintComponent, finding.component))
        graph.add((item, SH.sourceShape, finding.shape))
        if finding.path is not None:
            graph.add((item, SH.resultPath, write_path(graph, finding.path)))
        if finding.value is not None:
            graph.add((item, SH.value, finding.value))
        for message in finding.messages or (Literal(result.message, lang=report.lang),):
            graph.add((item, SH.resultMessage, message))
    return graph


def render_turtle(report: Report) -> str:
    return report_graph(report).serialize(format="turtle")


def render_jsonld(report: Report) -> str:
    return report_graph(report).serialize(format="json-ld", indent=2)
