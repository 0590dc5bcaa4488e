"""Values every importer meets: taxonomy values, Companies House numbers, web addresses and
coordinates, each turned into its SSE form, or kept as the source wrote it (so that the
validator reports it) when it is not what it says.

>>> from rdflib import URIRef
>>> from ssevalidate.importers.conversion import Conversion, table_origin
>>> from ssevalidate.importers.values import add_concept, coordinate, web_address
>>> from ssevalidate.namespaces import SSE
>>> from ssevalidate.reconcile import reconciler
>>> conversion = Conversion("sea-csv")
>>> record, origin = URIRef("urn:x:1"), table_origin("export.csv", 2, "Qualifiers")
>>> add_concept(conversion, reconciler(), record, SSE.qualifier, "Organik", origin,
...             field="Qualifiers")
>>> conversion.problems[0].message
"Qualifiers 'Organik' is no known concept of the qualifiers taxonomy (did you mean: Organic?): kept as text"
>>> web_address("https://coop.example/"), web_address("coop.example")
(rdflib.term.URIRef('https://coop.example/'), rdflib.term.Literal('coop.example'))
>>> print(coordinate(-0.12750).n3(), coordinate("north").n3())
"-0.1275"^^<http://www.w3.org/2001/XMLSchema#decimal> "north"
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ssevalidate.importers.conversion import Conversion
from ssevalidate.namespaces import SSE, TAXONOMY, concept_iri
from ssevalidate.reconcile import CONFIDENT, Candidate, Concept, Reconciler, normalise
from ssevalidate.resources import vocabulary

COMPANIES_HOUSE = URIRef(concept_iri("identifier-schemes", "companies-house"))
"""The identifier scheme of the UK's register of companies."""

_SUGGESTIONS = 3
_HTTP = re.compile(r"https?://[^\s/?#]\S*", re.IGNORECASE)
_COMPANY_IRI = re.compile(r"https?://business\.data\.gov\.uk/id/company/([A-Za-z0-9]+)/?")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_MAX_EXPONENT = 100
"""A number further from 1 than 10 to this power is no coordinate, and written in full it
could fill the memory (``1e999999999``)."""

# --- taxonomy values ---------------------------------------------------------------------------


@functools.cache
def concept_schemes(predicate: URIRef) -> tuple[str, ...]:
    """The taxonomies the SSE vocabulary gives (``rdfs:seeAlso``) for a concept-valued property,
    e.g. ``("base-membership-type",)``; empty for any other property."""
    graph = vocabulary()
    if (predicate, RDFS.range, SKOS.Concept) not in graph:
        return ()
    schemes = (str(s) for s in graph.objects(predicate, RDFS.seeAlso))
    return tuple(sorted(s[len(TAXONOMY) :] for s in schemes if s.startswith(TAXONOMY)))


def add_concept(
    conversion: Conversion,
    matcher: Reconciler,
    subject: Node,
    predicate: URIRef,
    value: str,
    origin: dict,
    *,
    field: str,
    schemes: Iterable[str] | None = None,
    lookup: str | None = None,
) -> Concept | None:
    """``subject predicate concept`` for the concept ``value`` names (an IRI under any base, a
    code or a label) in ``schemes`` (by default those the vocabulary gives ``predicate``), and
    the concept; ``lookup``, when given, is what to look up instead of ``value`` (the source's
    own word translated). Below the reconciler's confidence ``value`` is kept as text, so that
    the validator reports it, a problem with suggestions names ``field`` at ``origin``, and the
    result is None. Counts the value as reconciled or unresolved."""
    schemes = concept_schemes(predicate) if schemes is None else tuple(schemes)
    best = _best(matcher, lookup or value, schemes)
    if best is not None and best.confidence >= CONFIDENT:
        conversion.graph.add((subject, predicate, URIRef(best.concept.iri)))
        conversion.cells_reconciled += 1
        return best.concept
    conversion.graph.add((subject, predicate, Literal(value)))
    conversion.cells_unresolved += 1
    close = matcher.candidates(value, schemes)[:_SUGGESTIONS]
    hint = f" (did you mean: {', '.join(_named(c.concept) for c in close)}?)" if close else ""
    conversion.problem(
        f"{field} {value!r} is no known concept of {_taxonomies(schemes)}{hint}: kept as text",
        origin,
    )
    return None


@functools.lru_cache(maxsize=4096)
def _best(matcher: Reconciler, value: str, schemes: tuple[str, ...]) -> Candidate | None:
    # Exports repeat the same few dozen values (concept IRIs, labels) on every record.
    return matcher.best(value, schemes)


def _named(concept: Concept) -> str:
    """``OS60 (Workers cooperative)``, or the code alone when it is the label: both can be
    written in the source."""
    label = concept.label()
    if normalise(label) == normalise(concept.code):
        return concept.code
    return f"{concept.code} ({label})"


def _taxonomies(schemes: tuple[str, ...]) -> str:
    if not schemes:
        return "any taxonomy"
    if len(schemes) == 1:
        return f"the {schemes[0]} taxonomy"
    return f"the {', '.join(schemes[:-1])} or {schemes[-1]} taxonomies"


# --- Companies House ---------------------------------------------------------------------------


def companies_house_number(text: str) -> str:
    """A Companies House number as the register writes it: 8 characters, upper case, no spaces
    (spreadsheets drop leading zeros: ``123456`` → ``00123456``)."""
    number = "".join(text.split()).upper()
    return number.zfill(8) if number.isascii() and number.isdigit() else number


def company_number(iri: str) -> str | None:
    """The Companies House number in a ``business.data.gov.uk`` company IRI, else None."""
    match = _COMPANY_IRI.fullmatch(iri.strip())
    return companies_house_number(match.group(1)) if match else None


def add_companies_house(graph: Graph, record: Node, number: str) -> None:
    """An ``sse:Identifier`` of ``record`` in the Companies House register."""
    identifier = BNode()
    graph.add((record, SSE.identifier, identifier))
    graph.add((identifier, RDF.type, SSE.Identifier))
    graph.add((identifier, SKOS.notation, Literal(companies_house_number(number))))
    graph.add((identifier, SSE.identifierScheme, COMPANIES_HOUSE))


# --- web addresses -----------------------------------------------------------------------------


def http_iri(text: str) -> str | None:
    """``text`` (trimmed) when it is an absolute http(s) IRI: a host after ``//``, no spaces,
    and nothing RFC 3987 forbids (``[`` in a path, ``|``, a broken ``%`` escape), as the parse
    gate checks; else None."""
    text = text.strip()
    if not _HTTP.fullmatch(text):
        return None
    try:
        return ox.NamedNode(text).value
    except ValueError:
        return None


def web_address(text: str) -> URIRef | Literal:
    """An IRI for a web address, else the text as it is (the validator reports it)."""
    iri = http_iri(text)
    return URIRef(iri) if iri else Literal(text.strip())


def account_page(site: str, account: str) -> URIRef:
    """The page of an account on a social site (``https://twitter.com/``): the account itself
    when it is a web address, else the site's address and the account's name (without ``@``).
    ``site`` must be an http(s) address."""
    own = http_iri(account)
    if own:
        return URIRef(own)
    return URIRef(site.strip().rstrip("/") + "/" + quote(account.strip().lstrip("@/")))


# --- languages ---------------------------------------------------------------------------------

COUNTRY_AS_LANGUAGE = {
    "gr": "el",
    "cz": "cs",
    "dk": "da",
    "ua": "uk",
    "jp": "ja",
    "gb": "en",
    "rs": "sr",
    "al": "sq",
    "at": "de",
}
"""Country codes written where a language code belongs (``description:gr`` for Greek), with
the language of that country. Only codes that are no ISO 639-1 language are listed: ``se``,
``ee`` or ``si`` are languages (Northern Sami, Ewe, Sinhala), so they are taken as written."""


def language_tag(tag: str) -> tuple[str, str | None]:
    """The language tag to write for ``tag`` as a directory wrote it, and a note when it was a
    country code read as its language (``"gr"`` → ``("el", "...")``)."""
    primary, _, rest = tag.partition("-")
    language = COUNTRY_AS_LANGUAGE.get(primary.casefold())
    if language is None:
        return tag, None
    corrected = language + ("-" + rest if rest else "")
    return corrected, (
        f"{tag!r} is a country code, not a language code: read as {corrected!r} (the "
        "language of that country); write the language code to remove this note"
    )


# --- coordinates -------------------------------------------------------------------------------


def coordinate(value: str | int | float | Decimal) -> Literal:
    """A latitude or longitude as ``xsd:decimal``: a number in full (no exponent, which
    xsd:decimal does not allow; a float in its shortest form), or a text that is a decimal
    number. Anything else stays a plain text, for the validator to report."""
    if isinstance(value, str):
        text = value.strip()
        return Literal(text, datatype=XSD.decimal) if _DECIMAL.fullmatch(text) else Literal(text)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return Literal(str(value))
    return Literal(format(number, "f"), datatype=XSD.decimal)


__all__ = [
    "COMPANIES_HOUSE",
    "account_page",
    "add_companies_house",
    "add_concept",
    "companies_house_number",
    "company_number",
    "concept_schemes",
    "coordinate",
    "http_iri",
    "web_address",
]
