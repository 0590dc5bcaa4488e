"""The reconciler: every way stewards name a concept leads to the concept."""

from __future__ import annotations

import pytest

from ssevalidate.namespaces import ESSGLOBAL_STANDARD_BASES, concept_iri
from ssevalidate.reconcile import CONFIDENT, normalise, reconciler


@pytest.mark.parametrize(
    ("value", "schemes", "code"),
    [
        ("Co-operative", ["organisational-structure"], "OS115"),
        ("cooperative", ["organisational-structure"], "OS115"),
        ("Coopérative", ["organisational-structure"], "OS115"),
        ("COOPERATIVES", ["organisational-structure"], "OS115"),
        ("Cooperatve", ["organisational-structure"], "OS115"),
        ("OS115", None, "OS115"),
        ("os115", None, "OS115"),
        ("essglobal:OS115", None, "OS115"),
        ("Multi - stakeholders", ["base-membership-type"], "BMT40"),
        ("All", ["activities-ica"], "ICA290"),
        ("Other services", ["activities-ica"], "ICA280"),
        ("UK", ["countries"], "GB"),
        ("Deutschland", ["countries"], "DE"),
        ("France", ["countries"], "FR"),
    ],
)
def test_labels_codes_and_variants_reach_the_concept(value, schemes, code):
    best = reconciler().best(value, schemes)
    assert best is not None, value
    assert best.concept.code == code
    assert best.confidence >= CONFIDENT


@pytest.mark.parametrize("base", ESSGLOBAL_STANDARD_BASES)
def test_essglobal_iris_under_every_base(base):
    best = reconciler().best(f"{base}organisational-structure/OS115")
    assert best.concept.iri == concept_iri("organisational-structure", "OS115")
    assert best.confidence == 1.0
    country = reconciler().best(f"{base}countries-iso/FR")
    assert country.concept.iri == concept_iri("countries", "FR")


def test_our_own_iri_is_exact():
    iri = concept_iri("legal-form", "L2")
    best = reconciler().best(iri)
    assert (best.concept.iri, best.confidence, best.reason) == (iri, 1.0, "iri")


def test_scheme_restriction_excludes_other_schemes():
    assert all(
        c.concept.scheme == "legal-form"
        for c in reconciler().candidates("Cooperative", ["legal-form"])
    )


def test_nonsense_finds_nothing():
    assert reconciler().best("zzqx flux capacitor", ["organisational-structure"]) is None


def test_normalise_drops_case_accents_punctuation_and_spaces():
    assert normalise("  Multi - Stakeholders ") == normalise("multistakeholders")
    assert normalise("Coopérative") == "cooperative"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Tanzania, United Republic of", "TZ"),
        ("Moldova, Republic of", "MD"),
        ("Venezuela, Bolivarian Republic of", "VE"),
    ],
)
def test_iso_long_names_written_inverted_find_their_country(value, code):
    best = reconciler().best(value, ["countries"])
    assert best.concept.code == code and best.confidence >= CONFIDENT


def test_an_inverted_name_is_not_guessed_from_a_comma_alone():
    assert reconciler().best("International, all of", ["countries"]) is None
    assert reconciler().best("International", ["countries"]) is None
