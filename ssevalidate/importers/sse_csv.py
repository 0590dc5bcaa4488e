"""Our own CSV template ("sse-csv"): one row per initiative, read into SSE data and written back
from it without loss.

Columns are named after the keys of the SSE JSON-LD context (``name``, ``organisationalStructure``,
``totalMembers``); a part of the address is ``address.<key>``; what an initiative may have several
of is a numbered group (``site1.name``, ``site2.name``, ``identifier1.notation``); a text in a
language is its column with the language tag (``name@fr``). A column that takes several values
separates them with ``;`` (``\\;`` is a ``;`` inside a value, ``\\\\`` a backslash). Taxonomy
cells take codes, labels or IRIs (the reconciler places them); export writes the code when the
concept is in the column's own taxonomy, else its IRI (the rule of the JSON-LD context). Export
also puts ``'`` before a cell that a spreadsheet would run as a formula; the reader takes it off.
``docs/csv-template.md`` explains every column; ``TEMPLATE`` is the blank template's header.

>>> from ssevalidate.importers.sse_csv import convert, export, unexported
>>> data = open("initiatives.csv", "rb").read()                        # doctest: +SKIP
>>> conversion = convert(data, name="initiatives.csv")                 # doctest: +SKIP
>>> conversion.origins["https://example.org/dir/coop-42"]              # doctest: +SKIP
{'file': 'initiatives.csv', 'row': 2, 'column': 'id'}
>>> export(conversion.graph) == data, len(unexported(conversion.graph))  # doctest: +SKIP
(True, 0)
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD
from rdflib.term import Node

from ssevalidate.importers.conversion import (
    Conversion,
    TableReader,
    convert_rows,
    table_origin,
)
from ssevalidate.importers.reading import csv_rows, default_base
from ssevalidate.importers.values import add_concept, http_iri
from ssevalidate.namespaces import GEO, LANGUAGES, SCHEMA, SSE, TAXONOMY, VCARD
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import CONFIDENT, Reconciler, normalise, reconciler

# What a cell holds, and so how it is read and written.
TEXT = "text"  # a text, in a language when the column has an @tag
PLAIN = "plain"  # a text without language (e-mail, telephone)
WEB = "web"  # an http(s) address
RECORD = "record"  # another record: its IRI or its id
CONCEPT = "concept"  # a taxonomy concept
CLASS = "class"  # the kind of record or site (rdf:type)
DATE = "date"  # YYYY-MM-DD or YYYY
DATETIME = "datetime"  # YYYY-MM-DDThh:mm:ss (time zone optional), or YYYY-MM-DD
INTEGER = "integer"
DECIMAL = "decimal"
BOOLEAN = "boolean"

ACTIVITY_SCHEMES = ("activities-ica", "activities", "activities-modified")


@dataclass(frozen=True)
class Field:
    """One column (or, in a group, one column of each numbered copy)."""

    key: str
    predicate: URIRef
    kind: str
    many: bool = False
    schemes: tuple[str, ...] = ()
    """For a concept: the taxonomies it may come from; the first is the column's own."""
    classes: tuple[str, ...] = ()
    """For a class: the SSE classes it may name."""
    via: URIRef | None = None
    """The value is on the node this property leads to (the address), not on the row's node."""


@dataclass(frozen=True)
class Group:
    """Something an initiative may have several of: ``<key><n>.<field>`` columns, n from 1."""

    key: str
    predicate: URIRef
    node_type: URIRef
    fields: tuple[Field, ...]


def _address(prefix: str, *, coordinates: bool) -> tuple[Field, ...]:
    """The parts of a postal address, which go on a ``vcard:Address`` node."""
    on = VCARD.hasAddress
    parts = (
        Field(prefix + "streetAddress", VCARD["street-address"], TEXT, via=on),
        Field(prefix + "locality", VCARD.locality, TEXT, via=on),
        Field(prefix + "region", VCARD.region, TEXT, via=on),
        Field(prefix + "postalCode", VCARD["postal-code"], TEXT, via=on),
        Field(prefix + "countryName", VCARD["country-name"], TEXT, via=on),
        Field(prefix + "country", SSE.country, CONCEPT, schemes=("countries",), via=on),
    )
    if coordinates:
        parts += (
            Field(prefix + "lat", GEO.lat, DECIMAL, via=on),
            Field(prefix + "long", GEO.long, DECIMAL, via=on),
        )
    return parts


LAYOUT: tuple[Field | Group, ...] = (
    Field("type", RDF.type, CLASS, many=True, classes=("Initiative", "Network")),
    Field("name", SCHEMA.name, TEXT),
    Field("description", SCHEMA.description, TEXT),
    Field("mission", SSE.mission, TEXT),
    Field("objective", SSE.objective, TEXT, many=True),
    Field("url", SCHEMA.url, WEB, many=True),
    Field("email", SCHEMA.email, PLAIN, many=True),
    Field("telephone", SCHEMA.telephone, PLAIN, many=True),
    Field("sameAs", SCHEMA.sameAs, WEB, many=True),
    Field("foundingDate", SCHEMA.foundingDate, DATE),
    Field("status", SSE.status, CONCEPT, schemes=("status",)),
    Field(
        "organisationalStructure",
        SSE.organisationalStructure,
        CONCEPT,
        many=True,
        schemes=("organisational-structure",),
    ),
    Field("legalForm", SSE.legalForm, CONCEPT, schemes=("legal-form",)),
    Field("primaryActivity", SSE.primaryActivity, CONCEPT, schemes=ACTIVITY_SCHEMES),
    Field("activity", SSE.activity, CONCEPT, many=True, schemes=ACTIVITY_SCHEMES),
    Field(
        "additionalActivity", SSE.additionalActivity, CONCEPT, many=True, schemes=ACTIVITY_SCHEMES
    ),
    Field("baseMembershipType", SSE.baseMembershipType, CONCEPT, schemes=("base-membership-type",)),
    Field("qualifier", SSE.qualifier, CONCEPT, many=True, schemes=("qualifiers",)),
    Field("theme", SSE.theme, CONCEPT, many=True, schemes=("themes",)),
    Field("totalMembers", SSE.totalMembers, INTEGER),
    Field("totalWomen", SSE.totalWomen, INTEGER),
    Field("totalMen", SSE.totalMen, INTEGER),
    Field("totalWorkers", SSE.totalWorkers, INTEGER),
    Field("memberOf", SSE.memberOf, RECORD, many=True),
    Field("hasMember", SSE.hasMember, RECORD, many=True),
    *_address("address.", coordinates=True),
    Field("country", SSE.country, CONCEPT, many=True, schemes=("countries",)),
    Field("lat", GEO.lat, DECIMAL),
    Field("long", GEO.long, DECIMAL),
    Group(
        "identifier",
        SSE.identifier,
        SSE.Identifier,
        (
            Field("notation", SKOS.notation, TEXT),
            Field(
                "identifierScheme",
                SSE.identifierScheme,
                CONCEPT,
                schemes=("identifier-schemes",),
            ),
        ),
    ),
    Group(
        "contactPoint",
        SCHEMA.contactPoint,
        SCHEMA.ContactPoint,
        (
            Field("name", SCHEMA.name, TEXT),
            Field("email", SCHEMA.email, PLAIN, many=True),
            Field("telephone", SCHEMA.telephone, PLAIN, many=True),
            Field("contactType", SCHEMA.contactType, TEXT),
        ),
    ),
    Group(
        "site",
        SSE.hasSite,
        SSE.Site,
        (
            Field("type", RDF.type, CLASS, classes=("Site", "SalePoint")),
            Field("name", SCHEMA.name, TEXT),
            Field("isMainSalePoint", SSE.isMainSalePoint, BOOLEAN),
            Field("isSSESalePoint", SSE.isSSESalePoint, BOOLEAN),
            Field("deliveryRange", SSE.deliveryRange, DECIMAL),
            *_address("", coordinates=False),
            Field("lat", GEO.lat, DECIMAL),
            Field("long", GEO.long, DECIMAL),
        ),
    ),
    Group(
        "products",
        SSE.hasProductOrService,
        SSE.ProductOrService,
        (
            Field("name", SCHEMA.name, TEXT),
            Field(
                "productCategory",
                SSE.productCategory,
                CONCEPT,
                many=True,
                schemes=("products-services",),
            ),
            Field("qualifier", SSE.qualifier, CONCEPT, many=True, schemes=("qualifiers",)),
        ),
    ),
    Field("source", DCTERMS.source, WEB, many=True),
    Field("license", DCTERMS.license, WEB, many=True),
    Field("modified", DCTERMS.modified, DATETIME),
)
"""Every column after ``id``, in the template's order."""

TEMPLATE_LANGUAGES = {"name": LANGUAGES, "description": LANGUAGES}
"""Language columns the blank template has; any other ``<text column>@<tag>`` may be added."""

_FIELDS = {item.key.casefold(): item for item in LAYOUT if isinstance(item, Field)}
_GROUPS = {item.key.casefold(): item for item in LAYOUT if isinstance(item, Group)}
_GROUP_COLUMN = re.compile(r"([A-Za-z]+)([1-9][0-9]*)\.([A-Za-z]+)")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
_ABSOLUTE = re.compile(r"(https?://|urn:|file:|tag:)[^\s<>\"{}|\\^`]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
_ZONE = r"(Z|[+-][0-9]{2}:[0-9]{2})?"
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})" + _ZONE)
_YEAR = re.compile(r"[0-9]{4}" + _ZONE)
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?" + _ZONE)
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXPECTED = {
    WEB: "a web address starting with http:// or https://",
    DATE: "a date written YYYY-MM-DD or a year YYYY",
    DATETIME: "a date and time written YYYY-MM-DDThh:mm:ssZ, or a date YYYY-MM-DD",
    INTEGER: "a whole number",
    DECIMAL: "a number with a dot for decimals",
    BOOLEAN: "true or false",
}


def _template() -> tuple[str, ...]:
    columns = ["id"]
    for item in LAYOUT:
        fields = item.fields if isinstance(item, Group) else (item,)
        prefix = f"{item.key}1." if isinstance(item, Group) else ""
        for field in fields:
            columns.append(prefix + field.key)
            if not isinstance(item, Group):
                columns += [f"{field.key}@{tag}" for tag in TEMPLATE_LANGUAGES.get(field.key, ())]
    return tuple(columns)


TEMPLATE = _template()
"""The header of the blank template (``ontology/csv/sse-initiatives-template.csv``)."""


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert a filled template. A record's IRI is its ``id`` when that is an absolute IRI
    (``https://…``, ``urn:…``), else ``base`` + the id (by default the file's URI and ``#``).
    Raises :class:`InputError` when it is not such a file."""
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
    :class:`InputError` when it is not the header of the template."""
    return _Reader(header, name, base or default_base(name), matcher or reconciler())


def export(graph: Graph, *, matcher: Reconciler | None = None) -> bytes:
    """Every initiative and network of ``graph`` (records with an IRI) as one row of the
    template, in the order of their IRIs: UTF-8 CSV with a header, comma-separated, ``\\n``
    line ends. Columns beyond the template are added where the data needs them (more sites,
    other languages)."""
    writer = _Writer(graph, matcher or reconciler())
    records = sorted(
        {
            record
            for kind in (SSE.Initiative, SSE.Network)
            for record in graph.subjects(RDF.type, kind)
            if isinstance(record, URIRef)
        },
        key=str,
    )
    rows = [writer.row(record) for record in records]
    header = writer.header()
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\n")
    table.writerow(header)
    for cells in rows:
        table.writerow([_guard(cells.get(column, "")) for column in header])
    return out.getvalue().encode("utf-8")


def unexported(graph: Graph, *, matcher: Reconciler | None = None) -> Graph:
    """What of the initiatives in ``graph`` the template does not carry: the statements that a
    round trip through :func:`export` and :func:`convert` does not give back, each with the
    blank nodes it leads to. Empty when the export is without loss."""
    matcher = matcher or reconciler()
    back = convert(export(graph, matcher=matcher), name="<export>", matcher=matcher).graph
    kept = Counter(_shape(back, *_statements(back)))
    lost = Graph()
    for statement in _statements(graph):
        key = _shape(graph, statement)[0]
        if kept[key]:
            kept[key] -= 1
        else:
            _add_tree(lost, graph, statement)
    return lost


# ------------------------------------------------------------------------------------ reading


def _unguard(cell: str) -> str:
    """The value of a cell export protected from spreadsheets (``'=…`` → ``=…``)."""
    if cell[:1] == "'" and cell[1:2] in (*_FORMULA_START, "'"):
        return cell[1:]
    return cell


def _split(cell: str) -> list[str]:
    """The values of a several-values cell: ``;`` between them, ``\\;`` and ``\\\\`` inside."""
    values, current, characters = [], [], iter(cell)
    for character in characters:
        if character == "\\":
            following = next(characters, "")
            current.append(following if following in (";", "\\") else character + following)
        elif character == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(character)
    values.append("".join(current))
    return [value.strip() for value in values if value.strip()]


@dataclass(frozen=True)
class _Column:
    """What a header cell names: a field, in which numbered group copy, in which language."""

    field: Field
    group: Group | None = None
    number: int = 0
    language: str | None = None


def _column(title: str) -> _Column | None:
    base, at, language = title.partition("@")
    if at and not _LANGUAGE_TAG.fullmatch(language):
        return None
    column: _Column | None = None
    field = _FIELDS.get(base.casefold())
    if field is not None:
        column = _Column(field, language=language or None)
    match = _GROUP_COLUMN.fullmatch(base)
    group = _GROUPS.get(match.group(1).casefold()) if match else None
    if match and group is not None:
        fields = {field.key.casefold(): field for field in group.fields}
        field = fields.get(match.group(3).casefold())
        if field is not None:
            column = _Column(field, group, int(match.group(2)), language or None)
    if column is not None and column.language and column.field.kind != TEXT:
        return None
    return column


class _Reader(TableReader):
    """Turns rows into records; remembers the header, the records seen and the problems."""

    def __init__(self, header: list[str], name: str, base: str, matcher: Reconciler) -> None:
        super().__init__(Conversion("sse-csv"), name, base, matcher)
        self.conversion.fields = _fields()
        self.columns: list[tuple[str, _Column | str | None]] = []
        self._header(header)

    def _header(self, header: list[str]) -> None:
        titles = [title.strip() for title in header]
        if "id" not in (title.casefold() for title in titles):
            hint = (
                " (the header has a single column: separate columns with commas, semicolons "
                "or tabs)"
                if len(titles) == 1
                else f" (the header is: {', '.join(titles[:6])}…)"
            )
            raise InputError(
                "not the SSE CSV template: no id column" + hint, name=self.name, line=1
            )
        seen: set[_Column | str] = set()
        for title in titles:
            column: _Column | str | None = "id" if title.casefold() == "id" else _column(title)
            self.columns.append((title, column))
            if not title:
                continue  # reported where a cell under it has a value
            origin = table_origin(self.name, 1, title)
            if column is None:
                self.conversion.problem(
                    f"column {title!r} is not in the SSE template{_did_you_mean(title)}: "
                    "not converted",
                    origin,
                )
            elif column in seen:
                self.conversion.problem(
                    f"column {title!r} appears more than once: in each row its first non-empty "
                    "cell is used",
                    origin,
                )
            seen.add(column)

    def row(self, number: int, row: list[str]) -> None:
        """One row: a record, its address and its numbered group copies."""
        cells: dict[_Column | str, tuple[str, str]] = {}
        for position, cell in enumerate(row):
            title, column = self.columns[position] if position < len(self.columns) else ("", None)
            text = _unguard(cell.strip())
            if not text:
                continue
            where = title or f"#{position + 1}"
            if column is None and not title:
                self.conversion.problem(
                    f"cell {text[:40]!r} is in a column without a name: not converted",
                    table_origin(self.name, number, where),
                )
            if column is not None and column not in cells:
                cells[column] = (text, where)
        text, _ = cells.pop("id", ("", "id"))
        origin = table_origin(self.name, number, "id")
        if not text:
            self.conversion.records += 1
            self.conversion.problem("row without an id: skipped", origin)
            return
        record = URIRef(text if _ABSOLUTE.fullmatch(text) else self.base + quote(text, safe=""))
        first = self.first_row(record)
        if first is not None:
            self.conversion.records += 1
            self.conversion.problem(
                f"id {text!r} is also in row {first}: both rows describe the same record", origin
            )
        else:
            self.add_first(record, origin)
        self._node(record, SSE.Initiative, None, cells, number)
        groups = sorted(
            {(column.group.key, column.number, column.group) for column in cells if column.group},
            key=lambda group: group[:2],
        )
        for _, copy, group in groups:
            node = BNode()
            self.conversion.graph.add((record, group.predicate, node))
            self._node(node, group.node_type, (group, copy), cells, number)

    def _node(
        self,
        node: URIRef | BNode,
        default_type: URIRef,
        copy: tuple[Group, int] | None,
        cells: dict[_Column, tuple[str, str]],
        number: int,
    ) -> None:
        """The values of one node: the record (``copy`` None) or one numbered group copy."""
        graph = self.conversion.graph
        typed = False
        parts: dict[URIRef, BNode] = {}
        for column, (text, where) in cells.items():
            if (column.group, column.number) != (copy or (None, 0)):
                continue
            field = column.field
            subject = node
            if field.via is not None:
                if field.via not in parts:
                    parts[field.via] = BNode()
                    graph.add((node, field.via, parts[field.via]))
                    graph.add((parts[field.via], RDF.type, VCARD.Address))
                subject = parts[field.via]
            values = _split(text) if field.many else [text]
            for value in values:
                if field.kind == CONCEPT:
                    origin = table_origin(self.name, number, where)
                    add_concept(
                        self.conversion,
                        self.matcher,
                        subject,
                        field.predicate,
                        value,
                        origin,
                        field=where,
                        schemes=field.schemes,
                    )
                    continue
                term = self._value(field, column.language, value, number, where)
                if term is not None:
                    graph.add((subject, field.predicate, term))
                    typed = typed or field.kind == CLASS
        if not typed:
            graph.add((node, RDF.type, default_type))

    def _value(
        self, field: Field, language: str | None, value: str, number: int, where: str
    ) -> Node | None:
        origin = table_origin(self.name, number, where)
        if field.kind == TEXT:
            return Literal(value, lang=language)
        if field.kind == PLAIN:
            return Literal(value)
        if field.kind == RECORD:
            return URIRef(
                value if _ABSOLUTE.fullmatch(value) else self.base + quote(value, safe="")
            )
        if field.kind == CLASS:
            names = {normalise(name): name for name in field.classes}
            found = names.get(normalise(re.split(r"[/#:]", value)[-1]))
            if found is None:
                self.conversion.problem(
                    f"{where} {value!r} is not one of {', '.join(field.classes)}: ignored", origin
                )
                return None
            return SSE[found]
        term = _term(field.kind, value)
        if term is None:
            self.conversion.problem(
                f"{where} {value!r} is not {_EXPECTED[field.kind]}: kept as text", origin
            )
            return Literal(value)
        return term


def _did_you_mean(title: str) -> str:
    """`` (did you mean 'address.locality'?)`` for a misspelt column, else nothing."""
    known = {column.casefold(): column for column in TEMPLATE}
    close = difflib.get_close_matches(title.casefold(), known, n=1, cutoff=0.8)
    return f" (did you mean {known[close[0]]!r}?)" if close else ""


def _term(kind: str, value: str) -> Node | None:
    """The IRI or typed literal a cell of this kind stands for, or None when it is not one.
    Literals keep the form written (``+1.50``, ``2026-10-14T09:30:00Z``), as the parse gate
    keeps them, so that data exported from any source reads back as the same terms."""
    datatype = None
    if kind == WEB:
        iri = http_iri(value)
        return URIRef(iri) if iri else None
    if kind == INTEGER and _INTEGER.fullmatch(value):
        datatype = XSD.integer
    elif kind == DECIMAL and _DECIMAL.fullmatch(value):
        datatype = XSD.decimal
    elif kind == DECIMAL and _DOUBLE.fullmatch(value):
        datatype = XSD.double
    elif kind == BOOLEAN and value in ("true", "false", "1", "0"):
        datatype = XSD.boolean
    elif kind == BOOLEAN and value.casefold() in _BOOLEANS:
        return Literal(_BOOLEANS[value.casefold()])
    elif kind == DATETIME and _DATETIME.fullmatch(value) and _real(datetime, value):
        datatype = XSD.dateTime
    elif kind in (DATE, DATETIME) and (match := _DATE.fullmatch(value)) and _real(date, match[1]):
        datatype = XSD.date
    elif kind == DATE and _YEAR.fullmatch(value):
        datatype = XSD.gYear
    return Literal(value, datatype=datatype, normalize=False) if datatype else None


def _real(kind: type[date], value: str) -> bool:
    """Whether a well-formed date (or date and time) exists: not 2019-13-45."""
    try:
        kind.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fields() -> dict[str, str]:
    """Property → the column a result on it points at: the record's own column first, then its
    address's, then the first copy of the group it belongs to."""
    own = [item for item in LAYOUT if isinstance(item, Field) and item.via is None]
    address = [item for item in LAYOUT if isinstance(item, Field) and item.via is not None]
    fields: dict[str, str] = {str(field.predicate): field.key for field in reversed(own)}
    for field in address:
        fields.setdefault(str(field.via), field.key)
        fields.setdefault(str(field.predicate), field.key)
    for group in (item for item in LAYOUT if isinstance(item, Group)):
        fields.setdefault(str(group.predicate), f"{group.key}1.{group.fields[0].key}")
        for field in group.fields:
            fields.setdefault(str(field.predicate), f"{group.key}1.{field.key}")
    fields.pop(str(RDF.type))
    return fields


# ------------------------------------------------------------------------------------ writing


class _Writer:
    """Turns records into rows (column → cell), and remembers which columns the rows need."""

    def __init__(self, graph: Graph, matcher: Reconciler) -> None:
        self.graph = graph
        self.matcher = matcher
        self.languages: dict[tuple[str, str], set[str]] = {}
        self.copies: dict[str, int] = {}

    def row(self, record: URIRef) -> dict[str, str]:
        cells = {"id": str(record)}
        for item in LAYOUT:
            if isinstance(item, Field):
                cells.update(self._cells(record, item, ""))
                continue
            copies = [self._copy(node, item) for node in self.graph.objects(record, item.predicate)]
            copies.sort(key=lambda copy: sorted(copy.items()))
            self.copies[item.key] = max(self.copies.get(item.key, 1), len(copies))
            for number, copy in enumerate(copies, start=1):
                cells.update({f"{item.key}{number}.{key}": cell for key, cell in copy.items()})
        return cells

    def header(self) -> list[str]:
        columns = ["id"]
        for item in LAYOUT:
            if isinstance(item, Field):
                columns += self._columns(item, "", "")
                continue
            for number in range(1, self.copies.get(item.key, 1) + 1):
                for field in item.fields:
                    columns += self._columns(field, item.key, f"{item.key}{number}.")
        return columns

    def _columns(self, field: Field, group: str, prefix: str) -> list[str]:
        template = TEMPLATE_LANGUAGES.get(field.key, ()) if not group else ()
        found = sorted(self.languages.get((group, field.key), set()) - set(template))
        return [prefix + field.key] + [f"{prefix}{field.key}@{tag}" for tag in (*template, *found)]

    def _copy(self, node: Node, group: Group) -> dict[str, str]:
        copy: dict[str, str] = {}
        for field in group.fields:
            copy.update(self._cells(node, field, group.key))
        return copy

    def _cells(self, node: Node, field: Field, group: str) -> dict[str, str]:
        subject = node
        if field.via is not None:
            subject = min(self.graph.objects(node, field.via), key=str, default=None)
            if subject is None:
                return {}
        by_language: dict[str | None, list[str]] = {}
        for value in self.graph.objects(subject, field.predicate):
            written = self._write(field, value)
            if written is not None:
                language = (
                    value.language if field.kind == TEXT and isinstance(value, Literal) else None
                )
                by_language.setdefault(language, []).append(written)
        cells = {}
        for language, values in by_language.items():
            if language:
                self.languages.setdefault((group, field.key), set()).add(language)
            column = field.key + (f"@{language}" if language else "")
            values.sort()
            cells[column] = ";".join(map(_escape, values)) if field.many else values[0]
        return cells

    def _write(self, field: Field, value: Node) -> str | None:
        if isinstance(value, BNode):
            return None
        if field.kind == CLASS:
            names = {SSE[name]: name for name in field.classes}
            return names.get(value)
        if field.kind == CONCEPT and isinstance(value, URIRef):
            return self._code(field, str(value))
        return str(value)

    def _code(self, field: Field, iri: str) -> str:
        """The code when the concept is in the column's own taxonomy and the code reads back
        as the same concept, else the IRI."""
        own = f"{TAXONOMY}{field.schemes[0]}/"
        if iri.startswith(own):
            code = iri[len(own) :]
            best = self.matcher.best(code, field.schemes)
            if best is not None and best.confidence >= CONFIDENT and best.concept.iri == iri:
                return code
        return iri


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;")


def _guard(cell: str) -> str:
    """``'`` before a cell a spreadsheet would run as a formula (numbers are left alone), and
    before a cell that would otherwise lose its own leading ``'`` when read back."""
    if cell.startswith(_FORMULA_START) and not (
        _DECIMAL.fullmatch(cell) or _DOUBLE.fullmatch(cell)
    ):
        return "'" + cell
    if cell[:1] == "'" and cell[1:2] in (*_FORMULA_START, "'"):
        return "'" + cell
    return cell


def _records(graph: Graph) -> set[Node]:
    return {
        record
        for kind in (SSE.Initiative, SSE.Network)
        for record in graph.subjects(RDF.type, kind)
    }


def _statements(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """The statements about the initiatives and networks of ``graph``."""
    return [
        (record, predicate, value)
        for record in _records(graph)
        for predicate, value in graph.predicate_objects(record)
    ]


def _shape(graph: Graph, *statements: tuple[Node, Node, Node]) -> list[str]:
    """Each statement as text, a blank node written as everything under it. The blank nodes of
    SSE records are trees (an address, a site and its address), so two lists with the same
    items, counted, mean the same statements: rdflib's isomorphism test does the same, but
    takes minutes on a few hundred records whose identifiers all look alike."""

    def written(node: Node, above: frozenset) -> str:
        if not isinstance(node, BNode):
            return node.n3()
        if node in above:
            return "[…]"
        parts = sorted(
            f"{predicate.n3()} {written(value, above | {node})}"
            for predicate, value in graph.predicate_objects(node)
        )
        return "[" + " ; ".join(parts) + "]"

    return [
        f"{written(subject, frozenset())} {predicate.n3()} {written(value, frozenset())}"
        for subject, predicate, value in statements
    ]


def _add_tree(target: Graph, graph: Graph, statement: tuple[Node, Node, Node]) -> None:
    """A statement and, when its value is a blank node, every statement under it."""
    pending = [statement]
    while pending:
        subject, predicate, value = pending.pop()
        if (subject, predicate, value) in target:
            continue
        target.add((subject, predicate, value))
        if isinstance(value, BNode):
            pending += [(value, p, o) for p, o in graph.predicate_objects(value)]


__all__ = [
    "LAYOUT",
    "TEMPLATE",
    "TEMPLATE_LANGUAGES",
    "Field",
    "Group",
    "convert",
    "export",
    "reader",
    "unexported",
]
