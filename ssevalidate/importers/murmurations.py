"""Murmurations organisation profiles as SSE data, and SSE data as Murmurations profiles.

Murmurations (FIELD-NOTES 1.7) describes each organisation in a JSON profile following
``organizations_schema-v1.0.0``; its index lists the profiles with a summary of each.
:func:`convert` reads one profile, a list of profiles, or a page of the index's node list
(``{"data": [...], "meta": ..., "links": ...}``: each entry becomes a record from what the summary
carries, its ``profile_url`` the record's ``dcterms:source``; it is never fetched). :func:`export`
writes one profile per initiative, valid against the schema.

Each field becomes its SSE counterpart: an SSE term where there is one (``mission``, ``status``
and ``country_iso_3166`` through the reconciler, ``geolocation`` as ``geo:lat``/``geo:long``),
else the schema.org term the field's own Murmurations definition gives as its meaning (``tags``
→ ``schema:keywords``, ``unique_id`` → ``schema:identifier``, ``full_address`` →
``schema:address``, ``urls`` → ``schema:sameAs`` with each link's name on the link). Fields with
no counterpart (``rss``, ``header_image``, ``relationships``, ``geographic_scope``), fields outside
the schema and every breach of its rules (no name, no ``linked_schemas`` naming an
organizations_schema, a latitude out of range...) are reported at their JSON pointer: nothing
is dropped silently. Profiles of other schemas are skipped and reported.

Record IRIs: ``unique_id`` when it is an absolute http(s) IRI, else ``base`` + ``unique_id``;
without one, ``base`` + the SHA-256 of ``primary_url`` (else of ``profile_url``, which is how
the index itself names nodes). Never ``primary_url`` itself: that is the organisation's web site
(``schema:url``), and a record IRI equal to it would make the directory's record and the site
one resource. The hash is stable as long as the site's address is, and is the same whether the
organisation comes from its profile or from an index page.

>>> from ssevalidate.importers.murmurations import convert, export
>>> conversion = convert(open("profile.json", "rb").read(), name="profile.json")  # doctest: +SKIP
>>> conversion.origins                                                           # doctest: +SKIP
{'file:///data/profile.json#coop-42': {'file': 'profile.json', 'pointer': ''}}
>>> export(conversion.graph)[0]["linked_schemas"]                                # doctest: +SKIP
['organizations_schema-v1.0.0']
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from urllib.parse import quote

import ijson
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node

from ssevalidate.importers.conversion import Conversion, json_origin, pointer_token
from ssevalidate.importers.reading import (
    default_base,
    json_document,
    json_stream_errors,
    json_text_start,
)
from ssevalidate.importers.values import add_concept, coordinate, http_iri, web_address
from ssevalidate.namespaces import GEO, SCHEMA, SSE, VCARD, concept_iri
from ssevalidate.parsegate import InputError
from ssevalidate.reconcile import Reconciler, reconciler

SCHEMA_NAME = "organizations_schema-v1.0.0"
"""The schema every exported profile names in ``linked_schemas``."""

_ORGANIZATIONS = re.compile(r"organizations_schema-v\d+\.\d+\.\d+")
_SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]*-v\d+\.\d+\.\d+")
_WEB = re.compile(r"https?://", re.IGNORECASE)
"""What the schema asks of every URL field."""
_MAX_URL, _MAX_NAME, _MAX_TAGS, _MAX_TAG, _MAX_TELEPHONE, _MAX_LINK_NAME = (
    2000,
    200,
    100,
    100,
    100,
    100,
)
_LATITUDE, _LONGITUDE = 90, 180
_DAY = 86400
_DATE = re.compile(r"(\d{4})(?:-(\d\d)-(\d\d))?(?:Z|[+-]\d\d:\d\d)?")
"""An xsd:date or xsd:gYear, with an optional time zone."""

_STATUSES = ("active", "completed", "cancelled", "on_hold", "in_planning")
# The status taxonomy has no word for these two; both mean the initiative has stopped for good.
_STATUS_READ_AS = {"completed": "closed", "cancelled": "closed"}
_STATUS_WRITTEN_AS = {
    "active": "active",
    "dormant": "on_hold",
    "planned": "in_planning",
    "closed": "completed",
}

_TEXTS = {
    "name": SCHEMA.name,
    "nickname": SCHEMA.alternateName,
    "description": SCHEMA.description,
    "mission": SSE.mission,
    "full_address": SCHEMA.address,
    "telephone": SCHEMA.telephone,
}
_LIMITS = {"name": _MAX_NAME, "telephone": _MAX_TELEPHONE}
_DATES = {"starts_at": SCHEMA.foundingDate, "ends_at": SCHEMA.dissolutionDate}
_NO_COUNTERPART = {
    "rss": "rss (a news feed) has no SSE counterpart: not converted",
    "header_image": "header_image (a banner picture) has no SSE counterpart: not converted",
    "relationships": "relationships link web sites, not SSE records (sse:memberOf links "
    "records): not converted",
    "geographic_scope": "geographic_scope (local, regional, national or international) has no "
    "SSE counterpart: not converted",
}
_ADDRESS_PARTS = {"locality": VCARD.locality, "region": VCARD.region}
_INDEX_STATUSES = ("posted", "deleted")

_PROFILE_FIELDS = {
    **{str(predicate): key for key, predicate in {**_TEXTS, **_DATES}.items()},
    str(SCHEMA.identifier): "unique_id",
    str(SCHEMA.url): "primary_url",
    str(SCHEMA.keywords): "tags",
    str(SCHEMA.sameAs): "urls",
    str(SCHEMA.logo): "image",
    str(SCHEMA.image): "images",
    str(SSE.status): "status",
    str(SSE.country): "country_iso_3166",
    str(GEO.lat): "geolocation/lat",
    str(GEO.long): "geolocation/lon",
    str(SCHEMA.email): "contact_details/email",
    str(SCHEMA.contactPoint): "contact_details/contact_form",
}
_INDEX_FIELDS = {
    str(SCHEMA.name): "name",
    str(SCHEMA.url): "primary_url",
    str(SCHEMA.keywords): "tags",
    str(SSE.country): "country",
    str(VCARD.locality): "locality",
    str(VCARD.region): "region",
    str(GEO.lat): "geolocation/lat",
    str(GEO.long): "geolocation/lon",
    str(DCTERMS.source): "profile_url",
    str(DCTERMS.modified): "last_updated",
}
_SCHEMA_FIELDS = frozenset(
    {
        *("linked_schemas", "name", "nickname", "primary_url", "tags", "urls", "description"),
        *("mission", "status", "full_address", "country_iso_3166", "geolocation", "image"),
        *("header_image", "images", "rss", "relationships", "starts_at", "ends_at"),
        *("contact_details", "telephone", "geographic_scope", "unique_id"),
    }
)
"""Every field of organizations_schema-v1.0.0: an object with none of them is no profile."""

# Concept-valued properties Murmurations can only carry as tags (their English labels).
_TAGGED = (
    SSE.organisationalStructure,
    SSE.legalForm,
    SSE.primaryActivity,
    SSE.activity,
    SSE.additionalActivity,
    SSE.baseMembershipType,
    SSE.qualifier,
    SSE.theme,
)

_Json = dict | list | str | int | Decimal | bool | None
_NOT_MURMURATIONS = (
    "not Murmurations data: expected a profile (an object with linked_schemas and name), "
    'a list of profiles, or an index page ({"data": [...]})'
)
_NOT_AN_INDEX = 'not an index page: "data" must be a list of nodes'


def convert(
    data: bytes,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
) -> Conversion:
    """Convert Murmurations JSON: a profile, a list of profiles or an index page. Raises
    :class:`InputError` when it is not such JSON, with the line and column of a syntax error or
    the pointer of what is not as expected."""
    # Decimals keep coordinates exactly as written (51.50740 stays 51.50740).
    document = json_document(data, name, decimals=True)
    kind, items = _items(document, name)
    reader = _Reader(name, base or default_base(name), matcher or reconciler(), kind)
    for pointer, item in items:
        reader.item(pointer, item)
    return reader.conversion


def stream(
    file: BinaryIO,
    *,
    name: str = "<input>",
    base: str | None = None,
    matcher: Reconciler | None = None,
    chunk: int = 5_000,
) -> Iterator[Conversion]:
    """A list of profiles or an index page read from the seekable binary ``file`` as a
    stream: one conversion per ``chunk`` items, together what :func:`convert` gives. The file
    is read twice: once to tell what it holds and find any syntax error (reported at the
    pointer of the item it is in) before an item is converted, then item by item. Memory
    follows the chunk (and an IRI per record, to find the same record twice). A single
    profile is converted whole."""
    start = json_text_start(file, name)
    kind, items = _layout(file, name)
    file.seek(start)
    if items is None:
        yield convert(file.read(), name=name, base=base, matcher=matcher)
        return
    reader = _Reader(name, base or default_base(name), matcher or reconciler(), kind)
    where = "/data" if kind == "index" else ""
    index = -1
    with json_stream_errors(name, lambda: f"{where}/{index + 1}"):
        for index, item in enumerate(ijson.items(file, items)):
            reader.item(f"{where}/{index}", item)
            if (index + 1) % chunk == 0:
                yield reader.handover()
    yield reader.handover()


def export(graph: Graph) -> list[dict]:
    """One ``organizations_schema-v1.0.0`` profile per ``sse:Initiative`` (or ``sse:Network``),
    ordered by name. Murmurations has no languages: each text field takes the value without a
    language tag, else the English one, else the first by language. Concepts Murmurations has
    no field for (organisational structure, legal form, activities, membership type, qualifiers,
    themes) become tags with their English labels. Values the schema would refuse (a web
    address without http(s), a tag over 100 characters, a status outside its list) are left
    out, and a name over 200 characters is shortened, so that every profile validates."""
    concepts = reconciler()
    records = {s for cls in (SSE.Initiative, SSE.Network) for s in graph.subjects(RDF.type, cls)}
    profiles = [_profile(graph, record, concepts) for record in records]
    return sorted(profiles, key=lambda p: (p["name"], json.dumps(p, sort_keys=True)))


# --- reading -----------------------------------------------------------------------------------


def _items(document: _Json, name: str) -> tuple[str, list[tuple[str, _Json]]]:
    """``("index", entries)`` or ``("profile", profiles)``, each with its pointer."""
    if isinstance(document, dict) and "data" in document:
        entries = document["data"]
        if not isinstance(entries, list):
            raise InputError(_NOT_AN_INDEX, name=name, pointer="/data")
        return "index", [(f"/data/{index}", entry) for index, entry in enumerate(entries)]
    if isinstance(document, dict):
        if not _SCHEMA_FIELDS & document.keys():
            raise InputError(_NOT_MURMURATIONS, name=name, pointer="")
        return "profile", [("", document)]
    if isinstance(document, list):
        if document and not any(
            isinstance(i, dict) and _SCHEMA_FIELDS & i.keys() for i in document
        ):
            raise InputError(_NOT_MURMURATIONS, name=name, pointer="")
        return "profile", [(f"/{index}", item) for index, item in enumerate(document)]
    raise InputError(_NOT_MURMURATIONS, name=name, pointer="")


def _layout(file: BinaryIO, name: str) -> tuple[str, str | None]:
    """What the JSON text in ``file`` holds, read through once (a syntax error anywhere is
    found here): ``("index", "data.item")`` or ``("profile", "item")`` with the ijson prefix
    of its items, ``("profile", None)`` for a single profile; anything else is refused as
    :func:`convert` refuses it."""
    top, data, items, fields = None, None, 0, False
    with json_stream_errors(
        name, lambda: f"{'/data' if data else ''}/{items - 1}" if items else ""
    ):
        for prefix, event, value in ijson.parse(file):
            if top is None:
                top = event
                if event not in ("start_map", "start_array"):
                    break
            elif top == "start_map" and prefix == "data" and data is None:
                data = event
            elif prefix == ("data.item" if top == "start_map" else "item"):
                if event == "map_key":
                    fields = fields or value in _SCHEMA_FIELDS
                elif event not in ("end_map", "end_array"):
                    items += 1
    if top == "start_map" and data == "start_array":
        return "index", "data.item"
    if top == "start_map" and data is not None:
        raise InputError(_NOT_AN_INDEX, name=name, pointer="/data")
    if top == "start_array" and (fields or not items):
        return "profile", "item"
    if top == "start_map":
        return "profile", None
    raise InputError(_NOT_MURMURATIONS, name=name, pointer="")


class _Reader:
    """Writes SSE data for each profile or index entry and reports what it cannot."""

    def __init__(self, name: str, base: str, matcher: Reconciler, kind: str) -> None:
        self.name, self.base, self.matcher, self.kind = name, base, matcher, kind
        self.conversion = self._conversion()
        self.graph = self.conversion.graph
        self.records: dict[str, str] = {}
        """Record IRI → the pointer of the item it was made for."""

    def _conversion(self) -> Conversion:
        conversion = Conversion("murmurations")
        conversion.fields = dict(_INDEX_FIELDS if self.kind == "index" else _PROFILE_FIELDS)
        return conversion

    def handover(self) -> Conversion:
        """What was converted since the last handover; the next items go to a new one."""
        done, self.conversion = self.conversion, self._conversion()
        self.graph = self.conversion.graph
        return done

    def problem(self, pointer: str, message: str) -> None:
        self.conversion.problem(message, json_origin(self.name, pointer))

    def item(self, pointer: str, item: _Json) -> None:
        """One profile, or one entry of an index page."""
        if not isinstance(item, dict):
            self.problem(pointer, f"a {_kind(item)} where a profile (an object) was expected")
        elif self.kind == "index":
            self.index_entry(pointer, item)
        else:
            self.profile(pointer, item)

    # --- the two kinds of items ---

    def profile(self, pointer: str, profile: dict) -> None:
        if not self._organizations(pointer, profile.get("linked_schemas"), required=True):
            return
        record = self._record(pointer, profile)
        if record is None:
            return
        self._name_required(pointer, profile)
        handlers = {
            "primary_url": lambda v, w: self._url(record, SCHEMA.url, v, w, "primary_url"),
            "image": lambda v, w: self._url(record, SCHEMA.logo, v, w, "image"),
            "tags": lambda v, w: self._tags(record, v, w),
            "urls": lambda v, w: self._links(record, SCHEMA.sameAs, v, w, "urls"),
            "images": lambda v, w: self._links(record, SCHEMA.image, v, w, "images"),
            "status": lambda v, w: self._status(record, v, w),
            "country_iso_3166": lambda v, w: self._country(record, v, w, "country_iso_3166"),
            "geolocation": lambda v, w: self._geolocation(record, v, w),
            "contact_details": lambda v, w: self._contact_details(record, v, w),
            "unique_id": lambda v, w: self._unique_id(record, v, w),
            "linked_schemas": lambda v, w: None,
        }
        for key, value in profile.items():
            where = f"{pointer}/{pointer_token(key)}"
            if key in _TEXTS:
                self._text(record, _TEXTS[key], value, where, key)
            elif key in _DATES:
                self._date(record, _DATES[key], value, where, key)
            elif key in handlers:
                handlers[key](value, where)
            elif key in _NO_COUNTERPART:
                self.problem(where, _NO_COUNTERPART[key])
            else:
                self.problem(where, f"{key!r} is not a field of {SCHEMA_NAME}: not converted")

    def index_entry(self, pointer: str, entry: dict) -> None:
        status = entry.get("status")
        if status == "deleted":
            self.problem(
                f"{pointer}/status", "deleted from the index (its profile is gone): not converted"
            )
            return
        if status is not None and status not in _INDEX_STATUSES:
            self.problem(f"{pointer}/status", f"index status {status!r} is not posted or deleted")
        if not self._organizations(pointer, entry.get("linked_schemas"), required=False):
            return
        record = self._record(pointer, entry)
        if record is None:
            return
        self._name_required(pointer, entry)
        if not entry.get("profile_url"):
            self.problem(pointer, "an index entry without a profile_url")
        address = BNode()
        handlers = {
            "name": lambda v, w: self._text(record, SCHEMA.name, v, w, "name"),
            "profile_url": lambda v, w: self._url(record, DCTERMS.source, v, w, "profile_url"),
            "primary_url": lambda v, w: self._url(record, SCHEMA.url, v, w, "primary_url"),
            "tags": lambda v, w: self._tags(record, v, w),
            "country": lambda v, w: self._country(record, v, w, "country"),
            "geolocation": lambda v, w: self._geolocation(record, v, w),
            "last_updated": lambda v, w: self._modified(record, v, w),
            "status": lambda v, w: None,
            "linked_schemas": lambda v, w: None,
        }
        for key, value in entry.items():
            where = f"{pointer}/{pointer_token(key)}"
            if key in _ADDRESS_PARTS:
                self._text(address, _ADDRESS_PARTS[key], value, where, key)
            elif key in handlers:
                handlers[key](value, where)
            else:
                self.problem(
                    where, f"{key!r} is not a field of the index's node list: not converted"
                )
        if (address, None, None) in self.graph:
            self.graph.add((address, RDF.type, VCARD.Address))
            self.graph.add((record, VCARD.hasAddress, address))

    # --- identity and the schema's hard rules ---

    def _organizations(self, pointer: str, schemas: _Json, *, required: bool) -> bool:
        """Whether the item follows an organizations_schema; breaches of linked_schemas'
        rules are reported."""
        where = f"{pointer}/linked_schemas"
        if schemas is None:
            if required:
                self.problem(
                    pointer,
                    f'no linked_schemas: a profile must name its schemas, e.g. ["{SCHEMA_NAME}"]',
                )
            return True
        if not isinstance(schemas, list) or not schemas:
            self.problem(where, "linked_schemas must be a non-empty list of schema names")
            return True
        names: list[str] = []
        for index, schema in enumerate(schemas):
            if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
                self.problem(
                    f"{where}/{index}",
                    f"{schema!r} is no schema name (name-vX.Y.Z, e.g. {SCHEMA_NAME})",
                )
            elif schema in names:
                self.problem(f"{where}/{index}", f"{schema!r} is listed twice")
            else:
                names.append(schema)
        if names and not any(_ORGANIZATIONS.fullmatch(schema) for schema in names):
            self.problem(
                where,
                f"not an organisation profile (it follows {', '.join(names)}, "
                f"not {SCHEMA_NAME}): skipped",
            )
            return False
        return True

    def _record(self, pointer: str, item: dict) -> URIRef | None:
        """The record's IRI (see the module's docstring), or None for a duplicate."""
        unique_id = item.get("unique_id")
        unique_id = unique_id.strip() if isinstance(unique_id, str) else ""
        if unique_id and http_iri(unique_id) and unique_id != _text_of(item.get("primary_url")):
            record, key = unique_id, "unique_id"
        elif unique_id and not http_iri(unique_id):
            record, key = self.base + quote(unique_id, safe=""), "unique_id"
        else:
            key = next((k for k in ("primary_url", "profile_url") if _text_of(item.get(k))), None)
            if key is None:
                record = f"{self.base}profile-{pointer.rsplit('/', 1)[-1] or 0}"
                self.problem(
                    pointer,
                    "no unique_id, primary_url or profile_url: the record IRI is made from the "
                    "profile's place in the file and changes when the file does",
                )
            else:
                digest = hashlib.sha256(_text_of(item[key]).encode("utf-8")).hexdigest()
                record = self.base + digest
        if record in self.records:
            self.problem(
                pointer,
                f"the same record as {self.records[record] or 'the document'} "
                f"(same {key or 'place'}): skipped",
            )
            return None
        self.records[record] = pointer
        self.conversion.add_record(record, json_origin(self.name, pointer))
        self.graph.add((URIRef(record), RDF.type, SSE.Initiative))
        return URIRef(record)

    def _name_required(self, pointer: str, item: dict) -> None:
        if not _text_of(item.get("name")):
            self.problem(pointer, "no name: Murmurations requires one")

    def _unique_id(self, record: URIRef, value: _Json, where: str) -> None:
        text = self._string(value, where, "unique_id")
        # An IRI given as unique_id is the record's own IRI: nothing more to keep.
        if text and str(record) != text:
            self.graph.add((record, SCHEMA.identifier, Literal(text)))

    # --- fields ---

    def _string(self, value: _Json, where: str, key: str) -> str | None:
        """The text of a field, None when there is none (null or empty) or it is not text."""
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            self.problem(where, f"{key} holds a {_kind(value)} where a text was expected")
            return None
        return value.strip() or None

    def _text(self, subject: Node, predicate: URIRef, value: _Json, where: str, key: str) -> None:
        text = self._string(value, where, key)
        if text is None:
            return
        limit = _LIMITS.get(key)
        if limit and len(text) > limit:
            self.problem(where, f"{key} is longer than the {limit} characters Murmurations allows")
        self.graph.add((subject, predicate, Literal(text)))

    def _url(self, subject: Node, predicate: URIRef, value: _Json, where: str, key: str) -> None:
        text = self._string(value, where, key)
        if text is not None:
            self._check_url(text, where, key)
            self.graph.add((subject, predicate, web_address(text)))

    def _check_url(self, text: str, where: str, key: str) -> None:
        if not _WEB.match(text):
            self.problem(where, f"{key} {text!r} must start with http:// or https://")
        elif len(text) > _MAX_URL:
            self.problem(
                where, f"{key} is longer than the {_MAX_URL} characters Murmurations allows"
            )

    def _tags(self, record: URIRef, value: _Json, where: str) -> None:
        if not isinstance(value, list):
            self.problem(where, f"tags holds a {_kind(value)} where a list of texts was expected")
            return
        if not 1 <= len(value) <= _MAX_TAGS:
            self.problem(where, f"tags must hold 1 to {_MAX_TAGS} keywords, not {len(value)}")
        seen: set[str] = set()
        for index, tag in enumerate(value):
            here = f"{where}/{index}"
            if not isinstance(tag, str):
                self.problem(here, f"a tag holds a {_kind(tag)} where a text was expected")
                continue
            if not tag.strip():
                self.problem(here, "an empty tag")
                continue
            if tag in seen:
                self.problem(here, f"tag {tag!r} is repeated (tags must be unique)")
                continue
            if len(tag) > _MAX_TAG:
                self.problem(here, f"a tag is longer than the {_MAX_TAG} characters allowed")
            seen.add(tag)
            self.graph.add((record, SCHEMA.keywords, Literal(tag.strip())))

    def _links(self, record: URIRef, predicate: URIRef, value: _Json, where: str, key: str) -> None:
        """``urls`` or ``images``: each url on the record, each name on its url."""
        if not isinstance(value, list):
            self.problem(where, f"{key} holds a {_kind(value)} where a list was expected")
            return
        for index, link in enumerate(value):
            here = f"{where}/{index}"
            if not isinstance(link, dict):
                self.problem(here, f"a {_kind(link)} where an object with a url was expected")
                continue
            if link.get("url") in (None, ""):
                self.problem(here, f"an entry of {key} without a url: not converted")
                continue
            url = self._string(link["url"], f"{here}/url", "url")
            if url is None:
                continue
            self._check_url(url, f"{here}/url", "url")
            address = web_address(url)
            self.graph.add((record, predicate, address))
            name = self._string(link.get("name"), f"{here}/name", "name")
            if name and isinstance(address, URIRef):
                if key == "images" and len(name) > _MAX_LINK_NAME:
                    self.problem(f"{here}/name", "an image name is longer than 100 characters")
                self.graph.add((address, SCHEMA.name, Literal(name)))
            elif name:
                self.problem(
                    f"{here}/name", "the name of something that is not a web address: not kept"
                )
            for extra in link.keys() - {"url", "name"}:
                self.problem(f"{here}/{pointer_token(extra)}", f"{extra!r} is not a field of {key}")

    def _status(self, record: URIRef, value: _Json, where: str) -> None:
        text = self._string(value, where, "status")
        if text is None:
            return
        concept = add_concept(
            self.conversion,
            self.matcher,
            record,
            SSE.status,
            text,
            json_origin(self.name, where),
            field="status",
            schemes=["status"],
            lookup=_STATUS_READ_AS.get(text),
        )
        if concept is None:
            return
        if text not in _STATUSES:
            self.problem(
                where,
                f"status {text!r} is not one of {', '.join(_STATUSES)}: read as {concept.code}",
            )
        elif text == "cancelled":
            self.problem(
                where, "status 'cancelled' is read as closed: SSE does not tell them apart"
            )

    def _country(self, record: URIRef, value: _Json, where: str, key: str) -> None:
        text = self._string(value, where, key)
        if text is None:
            return
        concept = add_concept(
            self.conversion,
            self.matcher,
            record,
            SSE.country,
            text,
            json_origin(self.name, where),
            field=key,
            schemes=["countries"],
        )
        if concept is not None and concept_iri("countries", text) != concept.iri:
            self.problem(
                where,
                f"{key} {text!r} is not an upper-case ISO 3166-1 alpha-2 code: read as "
                f"{concept.code}",
            )

    def _geolocation(self, record: URIRef, value: _Json, where: str) -> None:
        if not isinstance(value, dict):
            self.problem(where, f"geolocation holds a {_kind(value)}, not {{lat, lon}}")
            return
        missing = [key for key in ("lat", "lon") if value.get(key) is None]
        if missing:
            self.problem(where, f"geolocation needs lat and lon (no {' or '.join(missing)})")
            return
        for key, predicate, limit in (("lat", GEO.lat, _LATITUDE), ("lon", GEO.long, _LONGITUDE)):
            number, here = value[key], f"{where}/{key}"
            if not _is_number(number):
                self.problem(here, f"{key} holds a {_kind(number)} where a number was expected")
                self.graph.add((record, predicate, Literal(str(number))))
                continue
            if not -limit <= number <= limit:
                self.problem(here, f"{key} {number} is not between -{limit} and {limit}")
            self.graph.add((record, predicate, coordinate(number)))
        for extra in value.keys() - {"lat", "lon"}:
            self.problem(
                f"{where}/{pointer_token(extra)}", f"{extra!r} is not a field of geolocation"
            )

    def _date(self, record: URIRef, predicate: URIRef, value: _Json, where: str, key: str) -> None:
        moment = self._moment(value, where, key)
        if moment is None:
            return
        if value % _DAY:
            self.problem(
                where,
                f"{key} is {moment:%Y-%m-%d %H:%M:%S} UTC: SSE keeps the date only",
            )
        self.graph.add((record, predicate, Literal(moment.date().isoformat(), datatype=XSD.date)))

    def _modified(self, record: URIRef, value: _Json, where: str) -> None:
        moment = self._moment(value, where, "last_updated")
        if moment is not None:
            stamp = f"{moment:%Y-%m-%dT%H:%M:%S}Z"
            self.graph.add((record, DCTERMS.modified, Literal(stamp, datatype=XSD.dateTime)))

    def _moment(self, value: _Json, where: str, key: str) -> datetime | None:
        """A Unix timestamp (seconds) as a UTC date and time."""
        if value is None:
            return None
        if not _is_number(value):
            self.problem(where, f"{key} holds a {_kind(value)} where a Unix timestamp was expected")
            return None
        try:
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(value))
        except OverflowError:
            self.problem(where, f"{key} {value} is no date (out of range)")
            return None

    def _contact_details(self, record: URIRef, value: _Json, where: str) -> None:
        if not isinstance(value, dict):
            self.problem(
                where, f"contact_details holds a {_kind(value)} where an object was expected"
            )
            return
        for key, detail in value.items():
            here = f"{where}/{pointer_token(key)}"
            if key == "email":
                self._text(record, SCHEMA.email, detail, here, "email")
            elif key == "contact_form":
                form = self._string(detail, here, "contact_form")
                if form is not None:
                    self._check_url(form, here, "contact_form")
                    point = BNode()
                    self.graph.add((record, SCHEMA.contactPoint, point))
                    self.graph.add((point, RDF.type, SCHEMA.ContactPoint))
                    self.graph.add((point, SCHEMA.url, web_address(form)))
            else:
                self.problem(here, f"{key!r} is not a field of contact_details: not converted")


def _kind(value: _Json) -> str:
    """The JSON type of a value, in the words of messages."""
    if isinstance(value, bool):
        return "true/false"
    if _is_number(value):
        return "number"
    return {str: "text", list: "list", dict: "object"}.get(type(value), "null")


def _is_number(value: _Json) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _text_of(value: _Json) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- writing -----------------------------------------------------------------------------------


def _profile(graph: Graph, record: Node, concepts: Reconciler) -> dict:
    """One profile, its fields in the schema's order, empty ones left out."""
    sites = _web_addresses(graph, [record], SCHEMA.url)
    contact_forms = _web_addresses(graph, graph.objects(record, SCHEMA.contactPoint), SCHEMA.url)
    emails = [_strip(e, "mailto:") for e in _texts(graph, record, SCHEMA.email)]
    telephones = [_strip(t, "tel:") for t in _texts(graph, record, SCHEMA.telephone)]
    profile = {
        "linked_schemas": [SCHEMA_NAME],
        "name": _shorten(_text(graph, record, SCHEMA.name) or _own_name(record), _MAX_NAME),
        "nickname": _text(graph, record, SCHEMA.alternateName),
        "primary_url": _first(sites),
        "tags": _tags(graph, record, concepts),
        "urls": _links(graph, [*sites[1:], *_web_addresses(graph, [record], SCHEMA.sameAs)]),
        "description": _text(graph, record, SCHEMA.description),
        "mission": _text(graph, record, SSE.mission),
        "status": _status(graph, record, concepts),
        "full_address": _text(graph, record, SCHEMA.address) or _full_address(graph, record),
        "country_iso_3166": _country(graph, record, concepts),
        "geolocation": _geolocation(graph, record),
        "image": _first(_web_addresses(graph, [record], SCHEMA.logo)),
        "images": _links(graph, _web_addresses(graph, [record], SCHEMA.image), _MAX_LINK_NAME),
        "starts_at": _timestamp(graph, record, SCHEMA.foundingDate),
        "ends_at": _timestamp(graph, record, SCHEMA.dissolutionDate),
        "contact_details": {
            key: value
            for key, value in (("email", _first(emails)), ("contact_form", _first(contact_forms)))
            if value
        },
        "telephone": _first([t for t in telephones if len(t) <= _MAX_TELEPHONE]),
        "unique_id": _first(_texts(graph, record, SCHEMA.identifier)) or _own_iri(record),
    }
    return {key: value for key, value in profile.items() if value not in (None, "", [], {})}


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    """Every non-empty literal, without a language tag first, then English, then the others."""
    literals = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
    literals.sort(key=lambda o: (bool(o.language), o.language != "en", o.language or "", str(o)))
    return [str(o).strip() for o in literals if str(o).strip()]


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    return _first(_texts(graph, subject, predicate))


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _strip(text: str, prefix: str) -> str:
    return text[len(prefix) :] if text.lower().startswith(prefix) else text


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _web_addresses(graph: Graph, subjects, predicate: URIRef) -> list[str]:
    """The http(s) addresses the schema accepts, in order."""
    found = {str(o).strip() for s in subjects for o in graph.objects(s, predicate)}
    return sorted(url for url in found if http_iri(url) and len(url) <= _MAX_URL)


def _links(graph: Graph, urls: list[str], name_limit: int | None = None) -> list[dict]:
    """Each address once, with the name given to it where there is one that fits."""
    links = []
    for url in dict.fromkeys(urls):
        name = _text(graph, URIRef(url), SCHEMA.name)
        fits = name and (name_limit is None or len(name) <= name_limit)
        links.append({"name": name, "url": url} if fits else {"url": url})
    return links


def _tags(graph: Graph, record: Node, concepts: Reconciler) -> list[str]:
    tags = set(_texts(graph, record, SCHEMA.keywords))
    for predicate in _TAGGED:
        for value in graph.objects(record, predicate):
            concept = concepts.concept(str(value)) if isinstance(value, URIRef) else None
            if concept is not None:
                tags.add(concept.label("en"))
            elif isinstance(value, Literal) and str(value).strip():
                tags.add(str(value).strip())
    fitting = sorted((t for t in tags if len(t) <= _MAX_TAG), key=lambda t: (t.casefold(), t))
    return fitting[:_MAX_TAGS]


def _status(graph: Graph, record: Node, concepts: Reconciler) -> str | None:
    written = []
    for value in graph.objects(record, SSE.status):
        concept = concepts.concept(str(value)) if isinstance(value, URIRef) else None
        if concept is not None and concept.scheme == "status":
            written.append(_STATUS_WRITTEN_AS.get(concept.code))
    return _first(sorted(w for w in written if w))


def _addresses(graph: Graph, record: Node) -> list[Node]:
    return list(graph.objects(record, VCARD.hasAddress))


def _full_address(graph: Graph, record: Node) -> str | None:
    """The address on one line, as on an envelope: street, locality, region, postcode, country."""
    parts = (
        VCARD["street-address"],
        VCARD.locality,
        VCARD.region,
        VCARD["postal-code"],
        VCARD["country-name"],
    )
    lines = []
    for address in _addresses(graph, record):
        words = [_text(graph, address, part) for part in parts]
        lines.append(", ".join(word for word in words if word))
    return _first(sorted(line for line in lines if line))


def _country(graph: Graph, record: Node, concepts: Reconciler) -> str | None:
    """The record's country, else its address's."""
    for subjects in ([record], _addresses(graph, record)):
        codes = []
        for value in (o for s in subjects for o in graph.objects(s, SSE.country)):
            concept = concepts.concept(str(value)) if isinstance(value, URIRef) else None
            if concept is not None and concept.scheme == "countries":
                codes.append(concept.code)
        if codes:
            return min(codes)
    return None


def _geolocation(graph: Graph, record: Node) -> dict | None:
    """The record's coordinates, else its address's, when both are numbers within range."""
    for subject in [record, *_addresses(graph, record)]:
        lat = _number(graph.value(subject, GEO.lat))
        lon = _number(graph.value(subject, GEO.long))
        if lat is not None and lon is not None and abs(lat) <= _LATITUDE and abs(lon) <= _LONGITUDE:
            return {"lat": lat, "lon": lon}
    return None


def _number(value: Node | None) -> float | None:
    if not isinstance(value, Literal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None


def _timestamp(graph: Graph, record: Node, predicate: URIRef) -> int | None:
    """A date (or a year: its 1 January) as the Unix timestamp of its midnight, UTC."""
    days = []
    for value in graph.objects(record, predicate):
        match = _DATE.fullmatch(str(value).strip())
        if isinstance(value, Literal) and match:
            year, month, day = (int(part or 1) for part in match.groups())
            with contextlib.suppress(ValueError):
                days.append(date(year, month, day))
    return calendar.timegm(min(days).timetuple()) if days else None


def _own_name(record: Node) -> str:
    """A name for a record without one (the schema requires a name): its IRI."""
    return str(record) if isinstance(record, URIRef) else "(no name)"


def _own_iri(record: Node) -> str | None:
    """The record's IRI as ``unique_id``, so that the record keeps it when read back."""
    return str(record) if isinstance(record, URIRef) and http_iri(str(record)) else None


__all__ = ["SCHEMA_NAME", "convert", "export"]
