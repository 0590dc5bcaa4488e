"""Fix hints: what a steward should write instead of the value a result complains about.

Hints are derived from the failing shape (the schemes it accepts, the datatypes it wants) and
from the value itself; nothing here knows a particular record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS, XSD
from rdflib.term import Node

from ssevalidate.engines.base import Finding
from ssevalidate.i18n import text
from ssevalidate.namespaces import FOAF, GEO, SCHEMA, SSE, TAXONOMY, VCARD
from ssevalidate.reconcile import Reconciler

_DATE_TYPES = {XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth}
_DECIMAL_TYPES = {XSD.decimal, XSD.double, XSD.float}
_INTEGER_TYPES = {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger}
_EMAIL = {SCHEMA.email, VCARD.hasEmail, VCARD.email}
_URL = {SCHEMA.url, FOAF.homepage}
_TELEPHONE = {SCHEMA.telephone, VCARD.hasTelephone}
_DEV_HOST = "https://dev.lod.coop/"
_DATE_FORMS = (
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})"), ("y", "m", "d")),
)


class Hinter:
    """Computes hints for the findings of one validation."""

    def __init__(
        self, shapes: Graph, reconciler: Reconciler | Callable[[], Reconciler], lang: str
    ) -> None:
        """``reconciler`` may be a function that builds it, called on first need only."""
        self.shapes = shapes
        self._reconciler = reconciler
        self.lang = lang
        self._schemes: dict[Node, list[str]] = {}
        self._shape_datatypes: dict[Node, set[Node]] = {}
        self._concepts: dict[tuple[Node, str], str | None] = {}

    @property
    def reconciler(self) -> Reconciler:
        if not isinstance(self._reconciler, Reconciler):
            self._reconciler = self._reconciler()
        return self._reconciler

    def hint(self, finding: Finding) -> str | None:
        value = finding.value
        schemes = self.schemes(finding.shape)
        if value is not None and schemes:
            key = (finding.shape, str(value))
            if key not in self._concepts:
                # Fuzzy matching costs milliseconds; a directory repeats its wrong values.
                self._concepts[key] = self._concept_hint(finding.shape, str(value), schemes)
            concept_hint = self._concepts[key]
            if concept_hint:
                return concept_hint
        datatypes = self._datatypes(finding.shape)
        if isinstance(value, Literal):
            if datatypes & _DATE_TYPES:
                return self._date_hint(str(value))
            if datatypes & _INTEGER_TYPES and (
                value.ill_typed or value.datatype not in _INTEGER_TYPES
            ):
                return text(self.lang, "integer_form")
            if datatypes & _DECIMAL_TYPES and finding.path not in (GEO.lat, GEO.long):
                return text(self.lang, "number_form")
        return self._field_hint(finding, datatypes)

    def schemes(self, shape: Node) -> list[str]:
        """The concept schemes a shape accepts (from its ``sh:node`` or its IRI pattern)."""
        if shape not in self._schemes:
            self._schemes[shape] = sorted(self._find_schemes(shape))
        return self._schemes[shape]

    def _find_schemes(self, shape: Node) -> set[str]:
        found: set[str] = set()
        for node_shape in self.shapes.objects(shape, SH.node):
            for prop in self.shapes.objects(node_shape, SH.property):
                if self.shapes.value(prop, SH.path) == SKOS.inScheme:
                    for listed in self.shapes.objects(prop, SH["in"]):
                        found.update(
                            str(item)[len(TAXONOMY) :]
                            for item in Collection(self.shapes, listed)
                            if str(item).startswith(TAXONOMY)
                        )
        for pattern in self.shapes.objects(shape, SH.pattern):
            known = {concept.scheme for concept in self.reconciler.concepts.values()}
            found.update(
                name for name in known if re.search(rf"\b{re.escape(name)}/", str(pattern))
            )
            if "countries-iso/" in str(pattern):
                found.add("countries")
        return found

    def _datatypes(self, shape: Node) -> set[Node]:
        found = self._shape_datatypes.get(shape)
        if found is None:
            found = set(self.shapes.objects(shape, SH.datatype))
            for alternatives in self.shapes.objects(shape, SH["or"]):
                for member in Collection(self.shapes, alternatives):
                    found.update(self.shapes.objects(member, SH.datatype))
            self._shape_datatypes[shape] = found
        return found

    def _concept_hint(self, shape: Node, value: str, schemes: list[str]) -> str | None:
        own = self.reconciler.concept(value)
        if own is not None and own.scheme not in schemes and value.startswith(TAXONOMY):
            wrong = text(
                self.lang,
                "wrong_scheme",
                label=own.label(self.lang),
                code=own.code,
                scheme=own.scheme,
                expected=", ".join(schemes),
            )
            better = self.reconciler.best(own.label("en"), schemes)
            return wrong + (" " + self._did_you_mean(better.concept) if better else "")
        best = self.reconciler.best(value, schemes)
        if best is None or best.reason == "iri":
            return None
        if best.reason == "essglobal-iri" and (shape, SH.pattern, None) in self.shapes:
            # The shape wants ESSGlobal IRIs (legacy profile): only the host can be wrong.
            return _dev_host_hint(value, self.lang)
        return self._did_you_mean(best.concept)

    def _did_you_mean(self, concept) -> str:
        return text(
            self.lang,
            "did_you_mean",
            iri=f"<{concept.iri}>",
            label=concept.label(self.lang),
            code=concept.code,
        )

    def _date_hint(self, value: str) -> str:
        for pattern, order in _DATE_FORMS:
            match = pattern.fullmatch(value.strip())
            if match:
                parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
                try:
                    fixed = date(parts["y"], parts["m"], parts["d"]).isoformat()
                except ValueError:
                    break
                return text(self.lang, "date_fix", fixed=fixed) + " " + text(self.lang, "date_form")
        return text(self.lang, "date_form")

    def _field_hint(self, finding: Finding, datatypes: set[Node]) -> str | None:
        path, value = finding.path, finding.value
        component = str(finding.component)
        if path == GEO.lat and _number(value) is not None and 90 < abs(_number(value)) <= 180:
            return text(self.lang, "swapped")
        if (
            path in (GEO.lat, GEO.long)
            and isinstance(value, Literal)
            and datatypes & _DECIMAL_TYPES
        ):
            return text(self.lang, "number_form")
        if path in _EMAIL and value is not None and "@" not in str(value):
            return text(self.lang, "email_at")
        if (
            path in _URL
            and value is not None
            and not str(value).startswith(("http://", "https://"))
        ):
            fixed = "https://" + str(value).strip().removeprefix("//")
            return text(self.lang, "url_scheme", fixed=fixed)
        if path in _TELEPHONE and value is not None:
            return text(self.lang, "telephone_form")
        if (
            component.endswith("ClassConstraintComponent")
            and (finding.shape, SH["class"], SSE.Network) in self.shapes
        ):
            return text(self.lang, "network_needed")
        if isinstance(value, URIRef):
            return _dev_host_hint(str(value), self.lang)
        return None


def _dev_host_hint(value: str, lang: str) -> str | None:
    if not value.startswith(_DEV_HOST):
        return None
    return text(lang, "dev_host", fixed=value.replace(_DEV_HOST, "https://lod.coop/"))


def _number(value: Node | None) -> float | None:
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None
