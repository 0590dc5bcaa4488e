"""The reference engine: pySHACL, called only with parsed graphs (security rule 5)."""

from __future__ import annotations

import functools
from typing import Any

import pyshacl
from rdflib import BNode, Graph
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery

from ssevalidate.engines.base import Finding
from ssevalidate.shaclpaths import read_path


class PyshaclEngine:
    """SHACL Core and SHACL-SPARQL through pySHACL, without inference or imports."""

    name = "pyshacl"

    def run(self, data: Graph, shapes: Graph) -> list[Finding]:
        _conforms, report, _text = pyshacl.validate(
            _PreparingGraph(store=data.store, identifier=data.identifier),
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            do_owl_imports=False,
            meta_shacl=False,
            inplace=True,
        )
        return [_finding(report, result) for result in report.objects(None, SH.result)]


@functools.lru_cache(maxsize=512)
def _prepared(text: str, namespaces: tuple[tuple[str, Any], ...]) -> Any:
    return prepareQuery(text, initNs=dict(namespaces))


class _PreparingGraph(Graph):
    """A view of a graph (same store, nothing copied) that parses each SPARQL text once.

    pySHACL evaluates a SHACL-SPARQL constraint once per focus node with the same text and new
    bindings; rdflib would parse and translate that text every time (about 0.1 s), which made a
    few hundred records take tens of seconds. Prepared queries are rdflib's way to reuse one.
    Like ``Graph.query``, a query without ``initNs`` may use the graph's own prefixes.
    """

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,
        initBindings=None,
        *args,
        **kwargs,
    ):
        if isinstance(query_object, str):
            namespaces = initNs or dict(self.namespaces())
            query_object = _prepared(query_object, tuple(sorted(namespaces.items())))
        return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)


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
