"""The reference engine: pySHACL, called only with parsed graphs (security rule 5)."""

from __future__ import annotations

import pyshacl
from rdflib import BNode, Graph
from rdflib.namespace import SH

from ssevalidate.engines.base import Finding
from ssevalidate.shaclpaths import read_path


class PyshaclEngine:
    """SHACL Core and SHACL-SPARQL through pySHACL, without inference or imports."""

    name = "pyshacl"

    def run(self, data: Graph, shapes: Graph) -> list[Finding]:
        _conforms, report, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            do_owl_imports=False,
            meta_shacl=False,
            inplace=True,
        )
        return [_finding(report, result) for result in report.objects(None, SH.result)]


def _finding(report: Graph, result: BNode) -> Finding:
    path = report.value(result, SH.resultPath)
    return Finding(
        severity=report.value(result, SH.resultSeverity),
        focus=report.value(result, SH.focusNode),
        path=None if path is None else read_path(report, path),
        value=report.value(result, SH.value),
        component=report.value(result, SH.sourceConstraintComponent),
        shape=report.value(result, SH.sourceShape),
        messages=tuple(report.objects(result, SH.resultMessage)),
    )
