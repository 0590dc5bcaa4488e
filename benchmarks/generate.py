"""A deterministic, large SSE directory in Turtle, with known errors, for the engine benchmark.

``write_directory(path, count)`` writes ``count`` organisations (``sse:Initiative``) and one
``sse:Network`` per 1,000 of them, one block per record, and returns what profile ``core`` must
report: every ``error_every``-th organisation carries exactly one error, the kinds taken in turn
from :data:`KINDS`. The same arguments always give the same bytes.

    python benchmarks/generate.py 100000 var/bench/directory.ttl [--error-every 50] [--seed 0]

prints the expected counts as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

VERSION = 1
"""Bumped whenever the bytes written for the same arguments change (benchmark file cache)."""

ORG = "https://bench.example/org/"
NETWORK = "https://bench.example/network/"
TAXONOMY = "https://w3id.org/sse/taxonomy/"
ORGANISATIONS_PER_NETWORK = 1000
BUFFER_RECORDS = 10_000

PREFIXES = """\
@prefix sse: <https://w3id.org/sse/vocab/> .
@prefix schema: <http://schema.org/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

"""

# Country code, name, language of the names, city, region, postal code, latitude, longitude.
PLACES = (
    ("FR", "France", "fr", "Lyon", "Auvergne-Rhône-Alpes", "69004", 45.76, 4.83),
    ("ES", "España", "es", "Zaragoza", "Aragón", "50001", 41.65, -0.88),
    ("PT", "Portugal", "pt", "Porto", "Norte", "4000-322", 41.15, -8.61),
    ("BR", "Brasil", "pt", "Recife", "Pernambuco", "50030-230", -8.05, -34.88),
    ("CA", "Canada", "fr", "Montréal", "Québec", "H2X 3K2", 45.51, -73.56),
    ("GB", "United Kingdom", "en", "Manchester", "Greater Manchester", "M4 1HN", 53.48, -2.24),
    ("KE", "Kenya", "en", "Nairobi", "Nairobi", "00100", -1.29, 36.82),
    ("IN", "India", "en", "Pune", "Maharashtra", "411001", 18.52, 73.86),
    ("AR", "Argentina", "es", "Rosario", "Santa Fe", "S2000", -32.95, -60.64),
    ("SN", "Sénégal", "fr", "Thiès", "Thiès", "21000", 14.79, -16.93),
    ("DE", "Deutschland", "de", "Leipzig", "Sachsen", "04109", 51.34, 12.37),
    ("IT", "Italia", "it", "Bologna", "Emilia-Romagna", "40126", 44.49, 11.34),
)
STRUCTURES = ("OS60", "OS70", "OS80", "OS90", "OS100", "OS115", "OS20", "OS30", "OS40")
STATUSES = ("active", "active", "active", "active", "planned", "dormant")
LEGAL_FORMS = ("L1", "L2", "L3", "L4", "L5")
ACTIVITIES = tuple(f"ICA{10 * n}" for n in range(1, 30))
ID_SCHEMES = ("national-cooperative-register", "companies-house", "lei", "charity-register")
TRADES = ("Bakery", "Food Co-op", "Energy", "Housing", "Credit Union", "Repair Café", "Farm")
STREETS = ("rue des Tisserands", "Calle Mayor", "Rua das Flores", "High Street", "Hauptstraße")

KINDS = (
    "missing_name",
    "invalid_date",
    "untyped_date",
    "latitude_out_of_range",
    "activity_wrong_scheme",
    "email_without_at",
    "language_tagged_count",
    "member_of_initiative",
    "duplicate_identifier",
    "member_counts_exceed",
    "duplicate_status",
    "url_as_literal",
)
"""The error kinds, injected in this order, one per erroneous organisation."""

KIND_RESULTS: dict[str, tuple[tuple[str, str], ...]] = {
    "missing_name": (("sh:MinCountConstraintComponent", "Initiative-name"),),
    # "2019-13-45"^^xsd:date: ill-typed, so neither member of the sh:or (date, year) holds.
    "invalid_date": (("sh:OrConstraintComponent", "Initiative-foundingDate"),),
    "untyped_date": (("sh:OrConstraintComponent", "Initiative-foundingDate"),),
    # On the address blank node: :Address targets the objects of vcard:hasAddress.
    "latitude_out_of_range": (("sh:MaxInclusiveConstraintComponent", "Address-lat"),),
    "activity_wrong_scheme": (("sh:NodeConstraintComponent", "Initiative-primaryActivity"),),
    "email_without_at": (("sh:PatternConstraintComponent", "Initiative-email"),),
    # "12"@en is not an xsd:integer, and a language-tagged string is not comparable with 0,
    # which sh:minInclusive reports too (SHACL 4.4: "not comparable" is a result).
    "language_tagged_count": (
        ("sh:DatatypeConstraintComponent", "Initiative-totalMembers"),
        ("sh:MinInclusiveConstraintComponent", "Initiative-totalMembers"),
    ),
    "member_of_initiative": (("sh:ClassConstraintComponent", "Initiative-memberOf"),),
    # The uniqueness constraint reports both records that share the identifier.
    "duplicate_identifier": (
        ("sh:SPARQLConstraintComponent", "UniqueIdentifier"),
        ("sh:SPARQLConstraintComponent", "UniqueIdentifier"),
    ),
    "member_counts_exceed": (("sh:SPARQLConstraintComponent", "MemberCounts"),),
    "duplicate_status": (("sh:MaxCountConstraintComponent", "Initiative-status"),),
    "url_as_literal": (("sh:NodeKindConstraintComponent", "Initiative-url"),),
}
"""The SHACL results each error causes, as (component, local name of the core shape)."""


@dataclass
class Expected:
    """What validating the written file with profile ``core`` must report."""

    organisations: int
    networks: int
    triples: int
    errors_by_kind: dict[str, int]
    results_by_kind: dict[str, int]
    results: int


def org_iri(index: int) -> str:
    """The IRI of organisation ``index``."""
    return f"{ORG}{index}"


def plan_errors(count: int, error_every: int) -> dict[int, tuple[str, int | None]]:
    """Organisation index → (kind, other organisation) for every injected error.

    ``other`` is the far-away initiative a ``member_of_initiative`` error points at, or the
    error-free record whose identifier a ``duplicate_identifier`` error copies (each such record
    is used once); ``None`` for the other kinds. ``error_every`` 0 injects no error.
    """
    if error_every == 0:
        return {}
    if error_every < 2:
        raise ValueError("error_every must be 0 (no errors) or at least 2")
    erroneous = range(error_every - 1, count, error_every)
    plan: dict[int, tuple[str, int | None]] = {}
    copied: set[int] = set()
    for number, index in enumerate(erroneous):
        kind = KINDS[number % len(KINDS)]
        far = (index + count // 2) % count
        other: int | None = None
        if kind == "member_of_initiative":
            other = far
        elif kind == "duplicate_identifier":
            while (far + 1) % error_every == 0 or far in copied:
                far = (far + 1) % count
            copied.add(far)
            other = far
        plan[index] = (kind, other)
    return plan


def _identifier(index: int) -> str:
    scheme = ID_SCHEMES[index % len(ID_SCHEMES)]
    return (
        f'sse:identifier [ a sse:Identifier ; skos:notation "B{index:07d}" ; '
        f"sse:identifierScheme <{TAXONOMY}identifier-schemes/{scheme}> ]"
    )


def _address(index: int, place: tuple, lat: float, long: float) -> str:
    code, country, _, city, region, postcode, _, _ = place
    street = STREETS[index % len(STREETS)]
    return (
        "vcard:hasAddress [\n"
        "        a vcard:Address ;\n"
        f'        vcard:street-address "{index % 200 + 1} {street}" ;\n'
        f'        vcard:locality "{city}" ;\n'
        f'        vcard:region "{region}" ;\n'
        f'        vcard:postal-code "{postcode}" ;\n'
        f'        vcard:country-name "{country}" ;\n'
        f"        sse:country <{TAXONOMY}countries/{code}> ;\n"
        f"        geo:lat {lat:.4f} ;\n"
        f"        geo:long {long:.4f}\n"
        "    ]"
    )


ADDRESS_TRIPLES = 10  # vcard:hasAddress and the nine triples of the blank node
IDENTIFIER_TRIPLES = 4  # sse:identifier and the three triples of the blank node


def _organisation(
    index: int,
    rng: random.Random,
    error: tuple[str, int | None] | None,
    with_identifier: bool,
) -> tuple[str, int]:
    """The Turtle block of organisation ``index`` and its number of triples."""
    # Draw every random value first, so that an injected error never shifts later records.
    place = PLACES[index % len(PLACES)]
    lat = place[6] + (rng.random() - 0.5) * 0.2
    long = place[7] + (rng.random() - 0.5) * 0.2
    year = 1950 + int(rng.random() * 75)
    month = 1 + int(rng.random() * 12)
    day = 1 + int(rng.random() * 28)
    counts = rng.random()
    members = 5 + int(rng.random() * 500)
    women = int(members * rng.random() * 0.6)
    men = int((members - women) * rng.random())
    with_identifier = rng.random() < 0.3 or with_identifier

    lang = place[2]
    trade = TRADES[index % len(TRADES)]
    founding = (
        f'"{year}"^^xsd:gYear' if index % 5 == 4 else f'"{year}-{month:02d}-{day:02d}"^^xsd:date'
    )
    fields = {
        "name": f'schema:name "{trade} {place[3]} {index}"@{lang}',
        "description": f'schema:description "{trade} in {place[3]}, organisation {index}."@en',
        "url": f"schema:url <https://org{index}.bench.example/>",
        "email": f'schema:email "contact@org{index}.bench.example"',
        "telephone": f'schema:telephone "+{10 + index % 89} {index % 1000:03d} {index % 9973:04d}"',
        "foundingDate": f"schema:foundingDate {founding}",
        "status": f"sse:status <{TAXONOMY}status/{STATUSES[index % len(STATUSES)]}>",
        "structure": f"sse:organisationalStructure <{TAXONOMY}organisational-structure/"
        f"{STRUCTURES[index % len(STRUCTURES)]}>",
        "legalForm": f"sse:legalForm <{TAXONOMY}legal-form/{LEGAL_FORMS[index % len(LEGAL_FORMS)]}>",
        "primaryActivity": f"sse:primaryActivity <{TAXONOMY}activities-ica/"
        f"{ACTIVITIES[index % len(ACTIVITIES)]}>",
        "modified": f'dcterms:modified "2026-{month:02d}-{day:02d}T09:{index % 60:02d}:00Z"'
        "^^xsd:dateTime",
    }
    if index % 2 == 0:
        fields["memberOf"] = f"sse:memberOf <{NETWORK}{index // ORGANISATIONS_PER_NETWORK}>"
    if counts < 0.25:
        fields["totalMembers"] = f"sse:totalMembers {members}"
        fields["totalWomen"] = f"sse:totalWomen {women}"
        fields["totalMen"] = f"sse:totalMen {men}"
    elif counts < 0.5:
        fields["totalMembers"] = f"sse:totalMembers {members}"
    identifier = _identifier(index) if with_identifier else None

    if error is not None:
        kind, other = error
        if kind == "missing_name":
            del fields["name"]
        elif kind == "invalid_date":
            fields["foundingDate"] = 'schema:foundingDate "2019-13-45"^^xsd:date'
        elif kind == "untyped_date":
            fields["foundingDate"] = f'schema:foundingDate "{year}-{month:02d}-{day:02d}"'
        elif kind == "latitude_out_of_range":
            lat = 123.4
        elif kind == "activity_wrong_scheme":
            fields["primaryActivity"] = f"sse:primaryActivity <{TAXONOMY}themes/T{index % 19 + 1}>"
        elif kind == "email_without_at":
            fields["email"] = f'schema:email "contact.org{index}.bench.example"'
        elif kind == "language_tagged_count":
            for name in ("totalWomen", "totalMen"):
                fields.pop(name, None)
            fields["totalMembers"] = f'sse:totalMembers "{members}"@en'
        elif kind == "member_of_initiative":
            fields["memberOf"] = f"sse:memberOf <{org_iri(other)}>"
        elif kind == "duplicate_identifier":
            identifier = _identifier(other)
        elif kind == "member_counts_exceed":
            fields["totalMembers"] = f"sse:totalMembers {members}"
            fields["totalWomen"] = f"sse:totalWomen {members // 2 + 1}"
            fields["totalMen"] = f"sse:totalMen {members - members // 2}"
        elif kind == "duplicate_status":
            fields["status2"] = f"sse:status <{TAXONOMY}status/closed>"
        elif kind == "url_as_literal":
            fields["url"] = f'schema:url "https://org{index}.bench.example/"'

    lines = list(fields.values())
    lines.append(_address(index, place, lat, long))
    triples = 1 + len(fields) + ADDRESS_TRIPLES
    if identifier is not None:
        lines.append(identifier)
        triples += IDENTIFIER_TRIPLES
    block = f"<{org_iri(index)}> a sse:Initiative ;\n    " + " ;\n    ".join(lines) + " .\n\n"
    return block, triples


def _network(number: int) -> tuple[str, int]:
    """The Turtle block of network ``number`` and its number of triples."""
    lines = (
        f'schema:name "Bench network {number}"@en',
        f'schema:description "Network of the organisations around number '
        f'{number * ORGANISATIONS_PER_NETWORK}."@en',
        f"schema:url <https://network{number}.bench.example/>",
        f'schema:email "secretariat@network{number}.bench.example"',
        f"sse:status <{TAXONOMY}status/active>",
        f"sse:organisationalStructure <{TAXONOMY}organisational-structure/OS200>",
        f"sse:totalMembers {ORGANISATIONS_PER_NETWORK // 2}",
    )
    block = f"<{NETWORK}{number}> a sse:Network ;\n    " + " ;\n    ".join(lines) + " .\n\n"
    return block, 1 + len(lines)


def write_directory(path: Path, count: int, *, error_every: int = 50, seed: int = 0) -> Expected:
    """Write ``count`` organisations and their networks to ``path``; return what core reports.

    Network ``k`` groups organisations ``1000k`` to ``1000k + 999`` (the even ones are members)
    and is written in the middle of them, so memberships point both backwards and forwards.
    """
    rng = random.Random(seed)
    plan = plan_errors(count, error_every)
    copied = {other for kind, other in plan.values() if kind == "duplicate_identifier"}
    networks = -(-count // ORGANISATIONS_PER_NETWORK)
    triples = 0
    buffer: list[str] = [PREFIXES]
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for index in range(count):
            start = index - index % ORGANISATIONS_PER_NETWORK
            middle = start + (min(count, start + ORGANISATIONS_PER_NETWORK) - start) // 2
            if index == middle:
                block, written = _network(index // ORGANISATIONS_PER_NETWORK)
                buffer.append(block)
                triples += written
            block, written = _organisation(index, rng, plan.get(index), index in copied)
            buffer.append(block)
            triples += written
            if len(buffer) >= BUFFER_RECORDS:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))

    errors_by_kind = {kind: 0 for kind in KINDS}
    for kind, _ in plan.values():
        errors_by_kind[kind] += 1
    results_by_kind = {kind: n * len(KIND_RESULTS[kind]) for kind, n in errors_by_kind.items()}
    return Expected(
        organisations=count,
        networks=networks,
        triples=triples,
        errors_by_kind=errors_by_kind,
        results_by_kind=results_by_kind,
        results=sum(results_by_kind.values()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of organisations")
    parser.add_argument("out", type=Path, help="the Turtle file to write")
    parser.add_argument("--error-every", type=int, default=50, help="one error per K (0: none)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    expected = write_directory(args.out, args.count, error_every=args.error_every, seed=args.seed)
    print(json.dumps(asdict(expected), indent=2))


if __name__ == "__main__":
    main()
