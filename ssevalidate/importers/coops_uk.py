"""The Co-operatives UK open dataset (the raw "organisations" file) as SSE data.

One row per organisation, recognised by its header (``CUK Organisation ID``, ``Registered
Name``…; spacing and case of column names do not matter). What each column becomes:

* ``CUK Organisation ID``: the record IRI (``base`` + the ID).
* ``Trading Name`` → ``schema:name`` (the Registered Name when there is none);
  ``Registered Name`` → ``schema:legalName``.
* ``Registered Number`` + ``Registrar`` → an ``sse:Identifier`` in the identifier scheme of the
  register (FCA, Companies House, Charity Commission); Companies House numbers are zero-padded
  to 8 characters, as spreadsheets drop leading zeros.
* ``Legal Form``, ``Ownership Classification``, ``Registered Status`` → ``sse:legalForm``,
  ``sse:baseMembershipType``, ``sse:status`` concepts, through the reconciler.
* ``SIC Code`` (UK SIC 2007) → ``sse:primaryActivity``, the concept of its section in the
  ``activities`` taxonomy (one concept per ISIC Rev. 4 / NACE Rev. 2 section, which UK SIC 2007
  shares), and the code itself with its title as an ``rov:orgActivity`` node (there is no SIC
  taxonomy to point at). ``SIC section`` and the level columns follow from the code.
* ``Sector - Simplified, High Level`` (Co-operatives UK's own sectors) → ``gr:category`` text.
* ``Registered Street``/``City``/``State/Province``/``Postcode`` → the address; ``UK Nation``
  → its ``vcard:country-name`` and ``sse:country`` (England… → GB; Jersey → JE).
* ``Incorporation Date``/``Dissolved Date`` (day/month/year) → ``schema:foundingDate`` /
  ``schema:dissolutionDate`` as ``xsd:date``.

A value that cannot be placed with confidence (a taxonomy value, a registrar, a date) is kept as
text, where the validator reports what its shapes check, and listed in the conversion's
problems; so is every cell where an earlier conversion lost a character (U+FFFD). Unknown
columns are reported once.

>>> from ssevalidate.importers.coops_uk import convert
>>> conversion = convert(open("orgs.csv", "rb").read(), name="orgs.csv")  # doctest: +SKIP
>>> conversion.records, conversion.origins["…#R000001"]                  # doctest: +SKIP
(17, {'file': 'orgs.csv', 'row': 2, 'column': 'CUK Organisation ID'})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from ssevalidate.importers.conversion import (
    Conversion,
    TableReader,
    convert_rows,
    table_origin,
)
from ssevalidate.importers.reading import csv_rows, default_base
from ssevalidate.importers.values import COMPANIES_HOUSE, add_concept, companies_house_number
from ssevalidate.namespaces import GR, PREFIXES, SCHEMA, SSE, VCARD
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import Concept, Reconciler, normalise, reconciler

ROV = Namespace(PREFIXES["rov"])

COLUMNS = (
    "CUK Organisation ID",
    "Registered Number",
    "Registrar",
    "Registered Name",
    "Trading Name",
    "Legal Form",
    "Registered Street",
    "Registered City",
    "Registered State/Province",
    "Registered Postcode",
    "UK Nation",
    "SIC Code",
    "SIC section",
    "SIC code - level 2",
    "SIC code - level 2 description",
    "SIC code - level 3",
    "SIC code - level 3 description",
    "SIC code - level 4",
    "SIC code - level 4 description",
    "SIC code - level 5",
    "SIC code - level 5 description",
    "Sector - Simplified, High Level",
    "Ownership Classification",
    "Registered Status",
    "Incorporation Date",
    "Dissolved Date",
)
"""Every column of the export, as this module spells them (the file doubles some spaces)."""
REQUIRED = ("CUK Organisation ID", "Registered Name")

_ADDRESS_COLUMNS = {
    "Registered Street": VCARD["street-address"],
    "Registered City": VCARD.locality,
    "Registered State/Province": VCARD.region,
    "Registered Postcode": VCARD["postal-code"],
    "UK Nation": VCARD["country-name"],
}
_FIELDS = {
    SCHEMA.name: "Trading Name",
    SCHEMA.legalName: "Registered Name",
    SSE.identifier: "Registered Number",
    SKOS.notation: "Registered Number",
    SSE.identifierScheme: "Registrar",
    SSE.legalForm: "Legal Form",
    **{predicate: column for column, predicate in _ADDRESS_COLUMNS.items()},
    SSE.country: "UK Nation",
    SSE.primaryActivity: "SIC Code",
    ROV.orgActivity: "SIC Code",
    GR.category: "Sector - Simplified, High Level",
    SSE.baseMembershipType: "Ownership Classification",
    SSE.status: "Registered Status",
    SCHEMA.foundingDate: "Incorporation Date",
    SCHEMA.dissolutionDate: "Dissolved Date",
}

# The export's words that no label of our taxonomies carries, as the code of the concept they
# mean. A registered society is registered under the UK's co-operative law (Co-operative and
# Community Benefit Societies Act 2014); legal-form L5 names the community interest company; a
# charitable incorporated organisation may not distribute profits (L4); unincorporated means
# registered under no legal form (L1). Self-employed members are independent producers who
# share the co-operative's services (ICA/CICOPA count them as producers: BMT20). A "Live"
# registration is one that is operating. "Community of Interest" has no sound counterpart and
# stays unresolved.
_EXPORT_TERMS = {
    (column, normalise(word)): code
    for (column, word), code in {
        ("Registrar", "FCA"): "fca-mutuals-register",
        ("Registrar", "Companies House"): "companies-house",
        ("Registrar", "Charity Commission"): "charity-register",
        ("Legal Form", "Society"): "L2",
        ("Legal Form", "Community Interest Company"): "L5",
        ("Legal Form", "Charitable Incorporated Organisation"): "L4",
        ("Legal Form", "Unincorporated"): "L1",
        ("Ownership Classification", "Self-employed"): "BMT20",
        ("Registered Status", "Live"): "active",
    }.items()
}

# UK SIC 2007 divisions (the first two digits) by section A to U, as in NACE Rev. 2 and ISIC
# Rev. 4; the activities taxonomy numbers the sections a01 to a21 in the same order.
# fmt: off
_SECTIONS = (
    (1, 3), (5, 9), (10, 33), (35, 35), (36, 39), (41, 43), (45, 47), (49, 53), (55, 56),
    (58, 63), (64, 66), (68, 68), (69, 75), (77, 82), (84, 84), (85, 85), (86, 88), (90, 93),
    (94, 96), (97, 98), (99, 99),
)
# fmt: on
_SIC = re.compile(r"(?:UKSIC07-)?(\d{2})\d{0,3}", re.IGNORECASE)
_SIC_LEVELS = (
    "SIC code - level 5",
    "SIC code - level 4",
    "SIC code - level 3",
    "SIC code - level 2",
)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert a Co-operatives UK organisations export. Record IRIs are ``base`` + the CUK
    Organisation ID (by default the file's URI and ``#``). Raises :class:`InputError` when it
    is not such an export."""
    rows = csv_rows(data, name)
    return convert_rows(rows, reader(rows[0], name=name, base=base, matcher=matcher))


def reader(
    header: list[str],
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> TableReader:
    """The reader of the rows under ``header`` (see :class:`TableReader`). Raises
    :class:`InputError` when it is not the header of an organisations export."""
    return _Reader(header, name, base or default_base(name), matcher or reconciler())


def _key(column: str) -> str:
    return " ".join(column.split()).casefold()


_KNOWN = {_key(column): column for column in COLUMNS}


@dataclass
class _Row:
    """One record of the export: its cells by known column, and where each one is."""

    name: str
    number: int
    cells: dict[str, str]
    spelling: dict[str, str]
    """Known column → as the header spells it."""

    @classmethod
    def read(
        cls, name: str, number: int, header: list[str], row: list[str], spelling: dict[str, str]
    ) -> _Row:
        cells: dict[str, str] = {}
        for column, cell in zip(header, row, strict=False):
            known = _KNOWN.get(_key(column))
            # A duplicated column keeps its first non-empty cell.
            if known and not cells.get(known):
                cells[known] = "\n".join(line.strip() for line in cell.strip().splitlines())
        return cls(name, number, cells, spelling)

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    def origin(self, column: str) -> dict:
        return table_origin(self.name, self.number, self.spelling.get(column, column))


def _known_columns(header: list[str], name: str) -> dict[str, str]:
    """Known column → as the header spells it; refuses a header without the required ones."""
    spelling: dict[str, str] = {}
    for column in header:
        known = _KNOWN.get(_key(column))
        if known:
            spelling.setdefault(known, column.strip())
    missing = [column for column in REQUIRED if column not in spelling]
    if missing:
        shown = ", ".join(column.strip() for column in header[:8])
        raise InputError(
            f"not a Co-operatives UK organisations export: no {' or '.join(map(repr, missing))} "
            f"column (the header is: {shown}…)",
            name=name,
            line=1,
        )
    return spelling


def _unknown_columns(header: list[str]) -> list[str]:
    return list(dict.fromkeys(c.strip() for c in header if _key(c) not in _KNOWN))


class _Reader(TableReader):
    def __init__(self, header: list[str], name: str, base: str, matcher: Reconciler) -> None:
        self.spelling = _known_columns(header, name)
        conversion = Conversion("coops-uk")
        conversion.fields = {
            str(predicate): self.spelling[column]
            for predicate, column in _FIELDS.items()
            if column in self.spelling
        }
        super().__init__(conversion, name, base, matcher)
        self.header = header
        for column in _unknown_columns(header):
            message = f"column {column!r} is not in the Co-operatives UK export: not converted"
            conversion.problem(message, table_origin(name, 1, column))

    def row(self, number: int, cells: list[str]) -> None:
        conversion, matcher = self.conversion, self.matcher
        row = _Row.read(self.name, number, self.header, cells, self.spelling)
        identifier = row["CUK Organisation ID"]
        if not identifier:
            conversion.records += 1
            conversion.problem(
                "row without a CUK Organisation ID: skipped", row.origin("CUK Organisation ID")
            )
            return
        record = URIRef(self.base + quote(identifier, safe=""))
        first = self.first_row(record)
        if first is not None:
            conversion.records += 1
            conversion.problem(
                f"CUK Organisation ID {identifier!r} is already used at row {first}: row skipped",
                row.origin("CUK Organisation ID"),
            )
            return
        self.add_first(record, row.origin("CUK Organisation ID"))
        graph = conversion.graph
        graph.add((record, RDF.type, SSE.Initiative))
        name = row["Trading Name"] or row["Registered Name"]
        if name:
            graph.add((record, SCHEMA.name, Literal(name)))
        if row["Registered Name"]:
            graph.add((record, SCHEMA.legalName, Literal(row["Registered Name"])))
        _registration(conversion, matcher, record, row)
        for predicate, column, scheme in (
            (SSE.legalForm, "Legal Form", "legal-form"),
            (SSE.baseMembershipType, "Ownership Classification", "base-membership-type"),
            (SSE.status, "Registered Status", "status"),
        ):
            if row[column]:
                _concept(conversion, matcher, record, predicate, scheme, row, column)
        _activity(conversion, matcher, record, row)
        if row["Sector - Simplified, High Level"]:
            graph.add((record, GR.category, Literal(row["Sector - Simplified, High Level"])))
        _address(conversion, matcher, record, row)
        _date(conversion, record, SCHEMA.foundingDate, row, "Incorporation Date")
        _date(conversion, record, SCHEMA.dissolutionDate, row, "Dissolved Date")
        for column, value in row.cells.items():
            if "\ufffd" in value:
                conversion.problem(
                    f"{column} {value!r} has a character that was lost before this export "
                    "(shown as \ufffd): correct it at the source",
                    row.origin(column),
                )


def _concept(
    conversion: Conversion,
    matcher: Reconciler,
    subject,
    predicate: URIRef,
    scheme: str,
    row: _Row,
    column: str,
    term: str | None = None,
) -> Concept | None:
    """The concept ``term`` (by default the cell, read through the export's own words) names
    in ``scheme``, stated on ``subject``; else the cell kept as text and reported."""
    value = row[column]
    return add_concept(
        conversion,
        matcher,
        subject,
        predicate,
        value,
        row.origin(column),
        field=column,
        schemes=[scheme],
        lookup=term or _EXPORT_TERMS.get((column, normalise(value)), value),
    )


def _registration(conversion: Conversion, matcher: Reconciler, record, row: _Row) -> None:
    """Registered Number and Registrar as an identifier in the register's scheme."""
    number = "".join(row["Registered Number"].split()).upper()
    registrar = row["Registrar"]
    if not number:
        if registrar and _EXPORT_TERMS.get(("Registrar", normalise(registrar))):
            conversion.problem(
                f"registered with {registrar} but no Registered Number: no identifier",
                row.origin("Registered Number"),
            )
        return
    graph = conversion.graph
    identifier = BNode()
    graph.add((record, SSE.identifier, identifier))
    graph.add((identifier, RDF.type, SSE.Identifier))
    scheme = None
    if registrar:
        scheme = _concept(
            conversion,
            matcher,
            identifier,
            SSE.identifierScheme,
            "identifier-schemes",
            row,
            "Registrar",
        )
    else:
        conversion.problem(
            f"Registered Number {number!r} without a Registrar: its register is unknown",
            row.origin("Registrar"),
        )
    if scheme is not None and URIRef(scheme.iri) == COMPANIES_HOUSE:
        number = companies_house_number(number)
    graph.add((identifier, SKOS.notation, Literal(number)))


def _activity(conversion: Conversion, matcher: Reconciler, record, row: _Row) -> None:
    """The SIC code's section as the primary activity, and the code itself with its title."""
    code = row["SIC Code"]
    if not code:
        return
    graph = conversion.graph
    sic = BNode()
    graph.add((record, ROV.orgActivity, sic))
    graph.add((sic, SKOS.notation, Literal(code)))
    title = next((row[f"{level} description"] for level in _SIC_LEVELS if row[level] == code), "")
    if title:
        graph.add((sic, SKOS.prefLabel, Literal(title, lang="en")))
    section = _section(code)
    _concept(
        conversion, matcher, record, SSE.primaryActivity, "activities", row, "SIC Code", section
    )


def _section(code: str) -> str | None:
    """``UKSIC07-4711`` → ``a07`` (section G), or None when it is no UK SIC 2007 code."""
    match = _SIC.fullmatch(code.strip())
    if match is None:
        return None
    division = int(match.group(1))
    for number, (first, last) in enumerate(_SECTIONS, start=1):
        if first <= division <= last:
            return f"a{number:02d}"
    return None


def _address(conversion: Conversion, matcher: Reconciler, record, row: _Row) -> None:
    graph = conversion.graph
    address = BNode()
    for column, predicate in _ADDRESS_COLUMNS.items():
        if row[column]:
            graph.add((address, predicate, Literal(row[column])))
    if row["UK Nation"]:
        _concept(conversion, matcher, address, SSE.country, "countries", row, "UK Nation")
    if (address, None, None) in graph:
        graph.add((address, RDF.type, VCARD.Address))
        graph.add((record, VCARD.hasAddress, address))


def _date(conversion: Conversion, record, predicate: URIRef, row: _Row, column: str) -> None:
    value = row[column]
    if not value:
        return
    day = _parse_date(value)
    if day is None:
        conversion.graph.add((record, predicate, Literal(value)))
        conversion.problem(
            f"{column} {value!r} is not a date written day/month/year: kept as text",
            row.origin(column),
        )
    else:
        conversion.graph.add((record, predicate, Literal(day.isoformat(), datatype=XSD.date)))


def _parse_date(value: str) -> date | None:
    match = _DAY_MONTH_YEAR.fullmatch(value)
    if match is None:
        return None
    day, month, year = map(int, match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


__all__ = ["COLUMNS", "REQUIRED", "convert", "reader"]
