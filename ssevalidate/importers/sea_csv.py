"""The SEA "standard CSV" (versions 1 to 4) as SSE data.

One row per initiative. The version is recognised from the header: v1 has 22 columns, v2 adds
Qualifiers, v3 Membership Type, v4 replaces Country Name with Country ID and Territory ID.
Taxonomy cells hold labels, codes, prefixed names or IRIs (ESSGlobal under any base), several
separated by ``;``; each goes through the reconciler. A value it cannot place with confidence
is kept as text (so the validator reports it, with suggestions) and listed in the conversion's
problems: nothing is dropped silently. Columns outside the standard are reported once.

>>> from ssevalidate.importers.sea_csv import convert
>>> conversion = convert(open("export.csv", "rb").read(), name="export.csv")  # doctest: +SKIP
>>> conversion.records, conversion.origins["…#17"]                            # doctest: +SKIP
(316, {'file': 'export.csv', 'row': 2, 'column': 'Identifier'})
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from ssevalidate.importers.conversion import (
    Conversion,
    TableReader,
    convert_rows,
    table_origin,
)
from ssevalidate.importers.reading import csv_rows, default_base
from ssevalidate.importers.values import (
    account_page,
    add_companies_house,
    add_concept,
    coordinate,
    web_address,
)
from ssevalidate.namespaces import GEO, SCHEMA, SSE, VCARD
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import Reconciler, reconciler

V1 = (
    "Identifier",
    "Name",
    "Description",
    "Organisational Structure",
    "Primary Activity",
    "Activities",
    "Street Address",
    "Locality",
    "Region",
    "Postcode",
    "Country Name",
    "Website",
    "Phone",
    "Email",
    "Twitter",
    "Facebook",
    "Companies House Number",
    "Latitude",
    "Longitude",
    "Geo Container",
    "Geo Container Latitude",
    "Geo Container Longitude",
)
STANDARD = {*V1, "Qualifiers", "Membership Type", "Country ID", "Territory ID"}
"""Every column of versions 1 to 4."""

# Column → (predicate, schemes the reconciler may choose from).
_CONCEPT_COLUMNS = {
    "Organisational Structure": (SSE.organisationalStructure, ["organisational-structure"]),
    "Primary Activity": (
        SSE.primaryActivity,
        ["activities-ica", "activities", "activities-modified"],
    ),
    "Activities": (SSE.activity, ["activities-ica", "activities", "activities-modified"]),
    "Qualifiers": (SSE.qualifier, ["qualifiers"]),
    "Membership Type": (SSE.baseMembershipType, ["base-membership-type"]),
}
_ADDRESS_COLUMNS = {
    "Street Address": VCARD["street-address"],
    "Locality": VCARD.locality,
    "Region": VCARD.region,
    "Postcode": VCARD["postal-code"],
    "Country Name": VCARD["country-name"],
}
_COLUMNS = {
    **{str(predicate): column for column, (predicate, _) in _CONCEPT_COLUMNS.items()},
    **{str(predicate): column for column, predicate in _ADDRESS_COLUMNS.items()},
    str(SCHEMA.name): "Name",
    str(SCHEMA.description): "Description",
    str(SCHEMA.url): "Website",
    str(SCHEMA.telephone): "Phone",
    str(SCHEMA.email): "Email",
    str(GEO.lat): "Latitude",
    str(GEO.long): "Longitude",
    str(SSE.identifier): "Companies House Number",
}


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert an SEA standard CSV. Record IRIs are ``base`` + the row's Identifier (by default
    the file's URI and ``#``). Raises :class:`InputError` when it is not such a file."""
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
    :class:`InputError` when it is not the header of an SEA standard CSV."""
    return _Reader(header, name, base or default_base(name), matcher or reconciler())


class _Reader(TableReader):
    def __init__(self, header: list[str], name: str, base: str, matcher: Reconciler) -> None:
        version = _version(header, name)
        conversion = Conversion("sea-csv", version=version)
        conversion.fields = {
            **_COLUMNS,
            str(SSE.country): "Country ID" if version == 4 else "Country Name",
        }
        super().__init__(conversion, name, base, matcher)
        self.header = header
        for column in _extra_columns(header):
            message = f"column {column!r} is not in the SEA standard: not converted"
            conversion.problem(message, table_origin(name, 1, column))

    def row(self, number: int, row: list[str]) -> None:
        conversion, matcher, name = self.conversion, self.matcher, self.name
        graph = conversion.graph
        cells = _cells(self.header, row)
        identifier = cells.get("Identifier", "").strip()
        if not identifier:
            conversion.problem(
                "row without an Identifier: skipped", table_origin(name, number, "Identifier")
            )
            return
        record = URIRef(self.base + quote(identifier, safe=""))
        self.add_again(record, table_origin(name, number, "Identifier"))
        graph.add((record, RDF.type, SSE.Initiative))
        _text(graph, record, SCHEMA.name, cells.get("Name"))
        _text(graph, record, SCHEMA.description, cells.get("Description"))
        for predicate, column in ((SCHEMA.telephone, "Phone"), (SCHEMA.email, "Email")):
            for value in _values(cells.get(column)):
                graph.add((record, predicate, Literal(value)))
        for value in _values(cells.get("Website")):
            graph.add((record, SCHEMA.url, web_address(value)))
        for site, column in (
            ("https://twitter.com/", "Twitter"),
            ("https://facebook.com/", "Facebook"),
        ):
            for value in _values(cells.get(column)):
                graph.add((record, SCHEMA.sameAs, account_page(site, value)))
        for column, (predicate, schemes) in _CONCEPT_COLUMNS.items():
            for value in _values(cells.get(column)):
                origin = table_origin(name, number, column)
                add_concept(
                    conversion,
                    matcher,
                    record,
                    predicate,
                    value,
                    origin,
                    field=column,
                    schemes=schemes,
                )
        _address(conversion, matcher, record, cells, name, number)
        _coordinates(graph, record, cells)
        for value in _values(cells.get("Companies House Number")):
            add_companies_house(graph, record, value)


def _version(header: list[str], name: str) -> int:
    columns = [column.strip() for column in header]
    missing = [column for column in ("Identifier", "Name") if column not in columns]
    if missing:
        raise InputError(
            f"not an SEA standard CSV: no {' or '.join(missing)} column "
            f"(the header is: {', '.join(columns[:8])}…)",
            name=name,
            line=1,
        )
    if "Country ID" in columns:
        return 4
    if "Membership Type" in columns:
        return 3
    if "Qualifiers" in columns:
        return 2
    return 1


def _extra_columns(header: list[str]) -> list[str]:
    return list(dict.fromkeys(c.strip() for c in header if c.strip() not in STANDARD))


def _cells(header: list[str], row: list[str]) -> dict[str, str]:
    """Column → cell; a duplicated column keeps its first non-empty cell."""
    cells: dict[str, str] = {}
    for column, cell in zip(header, row, strict=False):
        column = column.strip()
        if cell.strip() and not cells.get(column):
            cells[column] = cell
    return cells


def _values(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def _text(graph: Graph, subject, predicate, cell: str | None) -> None:
    if cell and cell.strip():
        graph.add((subject, predicate, Literal(cell.strip())))


def _address(conversion, matcher, record, cells, name, row) -> None:
    graph = conversion.graph
    address = BNode()
    for column, predicate in _ADDRESS_COLUMNS.items():
        _text(graph, address, predicate, cells.get(column))
    country = (cells.get("Country ID") or cells.get("Country Name") or "").strip()
    if country:
        column = "Country ID" if cells.get("Country ID") else "Country Name"
        origin = table_origin(name, row, column)
        add_concept(
            conversion,
            matcher,
            address,
            SSE.country,
            country,
            origin,
            field=column,
            schemes=["countries"],
        )
    if (address, None, None) in graph:
        graph.add((address, RDF.type, VCARD.Address))
        graph.add((record, VCARD.hasAddress, address))


def _coordinates(graph: Graph, record, cells: dict[str, str]) -> None:
    """Latitude and Longitude, or else the Geo Container's (SEA's approximate location)."""
    for latitude, longitude in (
        ("Latitude", "Longitude"),
        ("Geo Container Latitude", "Geo Container Longitude"),
    ):
        lat, long = cells.get(latitude, "").strip(), cells.get(longitude, "").strip()
        if lat and long:
            graph.add((record, GEO.lat, coordinate(lat)))
            graph.add((record, GEO.long, coordinate(long)))
            return
