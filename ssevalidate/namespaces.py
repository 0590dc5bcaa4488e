"""Every base IRI the project knows, in one place.

>>> from ssevalidate.namespaces import SSE, concept_iri
>>> SSE.Initiative
rdflib.term.URIRef('https://w3id.org/sse/vocab/Initiative')
>>> concept_iri("organisational-structure", "OS115")
'https://w3id.org/sse/taxonomy/organisational-structure/OS115'
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, RDFS, SKOS

SSE_BASE = "https://w3id.org/sse/"
VOCAB = SSE_BASE + "vocab/"
TAXONOMY = SSE_BASE + "taxonomy/"
SHAPES = SSE_BASE + "shapes/"
CONTEXT_IRI = SSE_BASE + "context.jsonld"

SSE = Namespace(VOCAB)
SCHEMA = Namespace("http://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GR = Namespace("http://purl.org/goodrelations/v1#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

# ESSGlobal was published under several bases over the years (FIELD-NOTES 1.1); data in use today
# mixes all of them, so every lookup that accepts ESSGlobal IRIs must try each one.
ESSGLOBAL_VOCAB = "http://purl.org/essglobal/vocab/"
ESSGLOBAL_STANDARD = "http://purl.org/essglobal/standard/"
ESSGLOBAL_VOCAB_BASES: tuple[str, ...] = (
    ESSGLOBAL_VOCAB,
    "http://purl.org/essglobal/vocab/v1.0/",
    "http://purl.org/solidarityeconomics/experimental/essglobal/vocab/",
    "https://w3id.solidarityeconomy.coop/essglobal/V2a/vocab/",
    "https://lod.coop/essglobal/V2a/vocab/",
    "https://lod.coop/essglobal/2.1/vocab/",
    "https://dev.lod.coop/essglobal/V2a/vocab/",
    "https://dev.lod.coop/essglobal/2.1/vocab/",
)
ESSGLOBAL_STANDARD_BASES: tuple[str, ...] = (
    ESSGLOBAL_STANDARD,
    "http://purl.org/solidarityeconomics/experimental/essglobal/standard/",
    "https://w3id.solidarityeconomy.coop/essglobal/V2a/standard/",
    "https://lod.coop/essglobal/V2a/standard/",
    "https://lod.coop/essglobal/2.1/standard/",
    "https://dev.lod.coop/essglobal/V2a/standard/",
    "https://dev.lod.coop/essglobal/2.1/standard/",
)
ESSGLOBAL = Namespace(ESSGLOBAL_VOCAB)

# ESSGlobal's 2025 file calls the country scheme "countries-iso"; ours is "countries".
ESSGLOBAL_SCHEME_NAMES = {"countries-iso": "countries"}

PREFIXES: dict[str, str] = {
    "sse": VOCAB,
    "schema": str(SCHEMA),
    "vcard": str(VCARD),
    "geo": str(GEO),
    "org": "http://www.w3.org/ns/org#",
    "rov": "http://www.w3.org/ns/regorg#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sh": "http://www.w3.org/ns/shacl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "gr": str(GR),
    "foaf": str(FOAF),
    "essglobal": ESSGLOBAL_VOCAB,
}

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "pt")


def scheme_iri(scheme: str) -> str:
    """The IRI of one of our concept schemes (no trailing slash)."""
    return TAXONOMY + scheme


def concept_iri(scheme: str, code: str) -> str:
    """The IRI of a concept of one of our schemes."""
    return f"{TAXONOMY}{scheme}/{code}"


def shapes_iri(profile: str) -> str:
    """The namespace of a profile's shapes."""
    return f"{SHAPES}{profile}/"


def compact(iri: str) -> str:
    """``http://schema.org/name`` → ``schema:name``; unknown namespaces stay as they are."""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and "/" not in iri[len(base) :] and "#" not in iri[len(base) :]:
            return f"{prefix}:{iri[len(base) :]}"
    return iri


LABEL_PROPERTIES = (SCHEMA.name, GR.name, SKOS.prefLabel, DCTERMS.title, RDFS.label)
"""The properties whose value names a record in reports, in order of preference."""
