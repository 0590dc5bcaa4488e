"""Literal semantics exactly as the reference engine sees them.

pySHACL decides whether a literal is ill-typed, and how two literals compare, through rdflib's
conversion of the lexical form to a Python value. To give the same answers we ask rdflib too, but
only for literals a datatype or range check meets, once per distinct literal; the lexical forms
that are unambiguous (a plain decimal number, a string) take a direct route that agrees with it.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from ssevalidate.rdfconvert import to_rdflib

_XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = ox.NamedNode(_XSD + "string")
LANG_STRING = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
# Numeric lexical forms whose Python value rdflib computes with the same function.
_PLAIN_NUMBERS = {
    _XSD + "decimal": (_DECIMAL, Decimal),
    _XSD + "double": (_DOUBLE, float),
    _XSD + "float": (_DOUBLE, float),
    _XSD + "integer": (_INTEGER, int),
}
_ACTUAL_TYPES = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: datetime.date,
    XSD.time: datetime.time,
    XSD.dateTime: datetime.datetime,
}
_RDFS_LITERAL = str(RDFS.Literal)
_RDFS_DATATYPE = str(RDFS.Datatype)
_LANG_STRING = str(RDF.langString)
_FORCE_VALUE_COMPARISON = (datetime.datetime, datetime.time)


@lru_cache(maxsize=65536)
def as_rdflib(literal: ox.Literal) -> Literal:
    return to_rdflib(literal)


def has_datatype(literal: ox.Literal, datatype: str) -> bool:
    """Whether ``literal`` matches ``sh:datatype <datatype>`` (well-typed, same IRI)."""
    if literal.datatype == XSD_STRING:
        return datatype in (_XSD + "string", _RDFS_LITERAL)
    if literal.language:
        return datatype in (_LANG_STRING, _RDFS_LITERAL)
    if datatype in (_RDFS_LITERAL, _RDFS_DATATYPE):
        return True
    if literal.datatype.value != datatype:
        return False
    plain = _PLAIN_NUMBERS.get(literal.datatype.value)
    if plain is not None and plain[0].match(literal.value):
        return True
    converted = as_rdflib(literal)
    if converted.ill_typed:
        return False
    expected = _ACTUAL_TYPES.get(URIRef(datatype))
    return expected is None or isinstance(converted.value, expected)


def number(literal: ox.Literal) -> Decimal | float | int | None:
    """The Python value of a plainly written numeric literal, else None."""
    plain = _PLAIN_NUMBERS.get(literal.datatype.value)
    if plain is not None and plain[0].match(literal.value):
        return plain[1](literal.value)
    return None


def compare(value: ox.Literal, bound: Literal) -> int | None:
    """-1, 0 or 1 as pySHACL orders ``value`` against ``bound``; None when they cannot be
    compared (a string against a number, incompatible types, an ill-typed literal)."""
    bound_value = bound.value
    quick = number(value)
    if quick is not None and type(bound_value) in (int, float, Decimal):
        return (quick > bound_value) - (quick < bound_value)
    converted = as_rdflib(value)
    if isinstance(converted.value, str) != isinstance(bound_value, str):
        return None
    try:
        if converted.eq(bound):
            return 0
        if converted.value.__class__ in _FORCE_VALUE_COMPARISON:
            if converted.value == bound_value:
                return 0
            return 1 if converted.value > bound_value else -1
        return 1 if converted > bound else -1
    except (TypeError, NotImplementedError):
        return None


def order(left: ox.Literal, right: ox.Literal) -> int | None:
    """How two data literals compare (sh:lessThan), None when incomparable."""
    return compare(left, as_rdflib(right))
