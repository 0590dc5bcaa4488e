"""The fast engine: SHACL Core and SHACL-SPARQL on pyoxigraph terms, in parallel by record.

It gives pySHACL's results (the differential tests compare them on every profile) without
building rdflib graphs of the data: pyoxigraph parses, records are indexed in plain
dictionaries, shapes are compiled once into one object per constraint component. Large Turtle
and N-Triples files are cut at record boundaries and validated on every core, or on a Dask
cluster, then merged exactly (see :mod:`ssevalidate.engines.fast.parts`). Shapes it does not
support are validated by pySHACL, and ``notices`` says which.

>>> from ssevalidate.engines import get_engine
>>> engine = get_engine("fast")
>>> findings = engine.run(data_graph, shapes_graph)  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache, partial

from rdflib import Graph
from rdflib.namespace import SH

from ssevalidate import parsegate
from ssevalidate.engines.base import Finding
from ssevalidate.engines.fast.datagraph import DataGraph
from ssevalidate.engines.fast.parts import (
    Merged,
    Merger,
    Part,
    PartResult,
    Source,
    evaluate_graph,
    merge,
    split,
    validate_unit,
)
from ssevalidate.engines.fast.shapes import Plan, compile_shapes
from ssevalidate.engines.pyshacl_engine import PyshaclEngine
from ssevalidate.gcpause import gc_paused
from ssevalidate.rdfconvert import from_rdflib, graph_from_quads
from ssevalidate.resources import taxonomy_triples

PART_SIZES = (4 << 20, 8 << 20)
"""Smallest and largest part when a file is cut (8 MB: about 7,000 organisations). Larger parts
cost more per record, as measured: 94 µs per organisation in parts of 2 MB, 101 µs in parts of
7 MB and more; 1,000,000 organisations took 58.7 s in parts of at most 8 MB against 60.2 s in
parts of at most 32 MB."""

Progress = Callable[[str, int, int], None]


@dataclass
class Outcome:
    """What :meth:`FastEngine.run_sources` returns besides the findings."""

    findings: list[Finding]
    records: int
    context: Graph
    """Labels of the records with findings and the owners of their blank nodes."""
    origins: dict[str, dict]
    notices: list[str] = field(default_factory=list)


class FastEngine:
    """The default engine. ``workers``: processes for large inputs (default: every core);
    ``scheduler``: the address of a Dask scheduler (``tcp://host:8786``) to run parts on."""

    name = "fast"

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        part_size: int | None = None,
    ) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self.part_size = part_size
        """Bytes per part; by default about eight parts per worker (the workers then finish
        within a small part of each other), within :data:`PART_SIZES`."""
        self.notices: list[str] = []
        self.parts = 0
        """How many parts the last :meth:`run_sources` cut its input into."""

    def run(self, data: Graph, shapes: Graph, *, with_taxonomies: bool = False) -> list[Finding]:
        """Validate an rdflib graph (the interface every engine shares). ``with_taxonomies``
        reads the description of each concept the data uses with it, as
        :func:`~ssevalidate.validation.with_concepts` does, without copying ``data``."""
        self.notices = []
        plan = _plan(shapes)
        background = _background() if with_taxonomies else None
        with gc_paused():
            indexed = _indexed(data, background, plan.indexed)
        if isinstance(indexed, str):
            self.notices.append(f"validated by pySHACL: {indexed} is no valid RDF term")
            return PyshaclEngine().run(_rdflib_whole(data, with_taxonomies), shapes)
        graph, back, ill_typed = indexed
        result = evaluate_graph(graph, plan, known=back, ill_typed=ill_typed)
        merged = merge([result], plan, known=back)
        whole = partial(_rdflib_whole, data, with_taxonomies)
        if merged.unsafe:
            self.notices.append(f"validated by pySHACL: {merged.unsafe}")
            return PyshaclEngine().run(whole(), shapes)
        return merged.findings + self._fallback(plan, whole)

    def run_sources(
        self,
        sources: Sequence[Source],
        shapes: Graph,
        *,
        with_taxonomies: bool = False,
        progress: Progress | None = None,
    ) -> Outcome:
        """Validate documents (files or bytes) read together as one directory."""
        self.notices = []
        plan = _plan(shapes)
        background = _background() if with_taxonomies else None
        whole = [[Part(source) for source in sources]]
        size = self.part_size or self._part_size(sources)
        units = [[part] for source in sources for part in split(source, size)]
        if len(units) == len(sources):
            units = whole
        elif plan.reads_incoming:
            self.notices.append("validated in one part: the shapes follow inverse paths")
            units = whole
        self.parts = len(units)
        merged = self._execute(units, plan, shapes, with_taxonomies, background, progress)
        if merged.unsafe and len(units) > 1:
            self.notices.append(f"validated in one part: {merged.unsafe}")
            merged = self._execute(whole, plan, shapes, with_taxonomies, background, progress)
        if merged.unsafe:
            self.notices.append(f"validated by pySHACL: {merged.unsafe}")
            data = _rdflib_data(sources, with_taxonomies)
            findings = PyshaclEngine().run(data, shapes)
            return Outcome(findings, merged.records, data, {}, self.notices)
        findings = merged.findings + self._fallback(
            plan, lambda: _rdflib_data(sources, with_taxonomies)
        )
        return Outcome(findings, merged.records, merged.context, merged.origins, self.notices)

    def _part_size(self, sources: Sequence[Source]) -> int:
        total = sum(os.path.getsize(s.path) for s in sources if s.path is not None)
        smallest, largest = PART_SIZES
        return max(smallest, min(largest, total // (self.workers * 8)))

    def _fallback(self, plan: Plan, data: Callable[[], Graph]) -> list[Finding]:
        """pySHACL's results for the shapes this engine does not support."""
        if not plan.unsupported:
            return []
        for node, reason in sorted(plan.unsupported.items(), key=lambda item: str(item[0])):
            self.notices.append(f"shape {node} validated by pySHACL: it uses {reason}")
        pruned = Graph()
        supported = {shape.node for shape, _ in plan.targeted}
        targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        for triple in plan.shapes:
            if triple[0] in supported and triple[1] in targets:
                continue
            pruned.add(triple)
        return PyshaclEngine().run(data(), pruned)

    def _execute(self, units, plan, shapes, with_taxonomies, background, progress) -> Merged:
        total = len(units)
        merger = Merger(plan)

        def report(result: PartResult) -> None:
            merger.add(result)
            if progress:
                results = merger.results
                done = sum(r.records for r in results)
                progress("records", done, done * total // len(results))

        if total == 1 or (self.workers == 1 and not self.scheduler) or _in_daemon():
            for unit in units:
                report(validate_unit(unit, plan, background, complete=total == 1))
        elif self.scheduler:
            _on_dask(self.scheduler, units, shapes, with_taxonomies, report)
        else:
            with ProcessPoolExecutor(
                max_workers=min(self.workers, total),
                mp_context=_pool_context(),
                initializer=_init_worker,
                initargs=(shapes, with_taxonomies),
            ) as pool:
                for future in as_completed([pool.submit(_validate_in_worker, u) for u in units]):
                    report(future.result())
        return merger.finish()


def _indexed(
    data: Graph, background: DataGraph | None, predicates: set
) -> tuple[DataGraph, dict, set] | str:
    """``data`` indexed over pyoxigraph terms with the description of each concept it uses
    (from ``background``), each term's rdflib original and the ill-typed literals; or the
    text of a term pyoxigraph refuses (rdflib accepts IRIs without a scheme, with spaces...)."""
    graph = DataGraph(predicates)
    back: dict = {}
    ill_typed = set()
    used = set()
    for triple in data:
        converted = []
        for term in triple:
            try:
                node = from_rdflib(term)
            except ValueError:
                return repr(term)
            back[node] = term
            converted.append(node)
            if getattr(term, "ill_typed", False):
                ill_typed.add(node)
        graph.add(*converted)
        if background is not None and converted[2] in background.out:
            used.add(converted[2])
    for concept in used:
        for predicate, objects in background.out[concept].items():
            for obj in objects:
                graph.add(concept, predicate, obj)
    return graph, back, ill_typed


def _in_daemon() -> bool:
    return multiprocessing.current_process().daemon


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_WORKER: dict = {}


def _init_worker(shapes: Graph, with_taxonomies: bool) -> None:
    _WORKER["plan"] = _plan(shapes)
    _WORKER["background"] = _background() if with_taxonomies else None


def _validate_in_worker(unit: list[Part]) -> PartResult:
    return validate_unit(unit, _WORKER["plan"], _WORKER["background"], complete=False)


def _validate_on_dask(unit: list[Part], shapes: Graph, with_taxonomies: bool) -> PartResult:
    background = _background() if with_taxonomies else None
    return validate_unit(unit, _plan(shapes), background, complete=False)


def _on_dask(address, units, shapes, with_taxonomies, report) -> None:
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(address) as client:
        [shapes_future] = client.scatter([shapes], broadcast=True)
        futures = client.map(
            _validate_on_dask,
            units,
            shapes=shapes_future,
            with_taxonomies=with_taxonomies,
            pure=False,
        )
        for future in dask_completed(futures):
            report(future.result())


_PLANS: dict[int, tuple[Graph, Plan]] = {}


def _plan(shapes: Graph) -> Plan:
    """The compiled plan of ``shapes``, compiled once per graph object and process."""
    known = _PLANS.get(id(shapes))
    if known is None or known[0] is not shapes:
        if len(_PLANS) >= 32:
            _PLANS.clear()
        known = (shapes, compile_shapes(shapes))
        _PLANS[id(shapes)] = known
    return known[1]


@lru_cache(maxsize=1)
def _background() -> DataGraph:
    """The taxonomies (:func:`ssevalidate.resources.taxonomy_triples`): concepts the data uses
    are added to each part."""
    graph = DataGraph()
    for subject, predicate, obj, _ in taxonomy_triples():
        graph.add(subject, predicate, obj)
    return graph


def _rdflib_data(sources: Sequence[Source], with_taxonomies: bool) -> Graph:
    graph = Graph()
    for source in sources:
        part = Part(source)
        fmt, payload = parsegate.admit(part.payload(), name=source.name, format=source.format)
        quads = parsegate.Quads(payload, fmt, name=source.name, base_iri=source.base_iri)
        graph_from_quads(quads, graph, source.bnode_prefix)
    return _rdflib_whole(graph, with_taxonomies)


def _rdflib_whole(data: Graph, with_taxonomies: bool) -> Graph:
    """``data`` as pySHACL must read it: with the concepts it uses when ``with_taxonomies``."""
    from ssevalidate.validation import with_concepts

    return with_concepts(data) if with_taxonomies else data


__all__ = ["FastEngine", "Outcome", "Source"]
