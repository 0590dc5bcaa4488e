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
from rdflib import Literal
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import XSDToPython

from ssevalidate.rdfconvert import to_rdflib

_XSD = "http://www.w3.org/2001/XMLSchema#"

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
    _XSD + "string": (str, bytes),
    str(RDF.langString): (str, bytes),
    _XSD + "integer": int,
    _XSD + "float": float,
    _XSD + "decimal": Decimal,
    _XSD + "boolean": bool,
    _XSD + "date": datetime.date,
    _XSD + "time": datetime.time,
    _XSD + "dateTime": datetime.datetime,
}
_CONVERTERS = {str(dt): XSDToPython[dt] for dt in (XSD.date, XSD.dateTime)}
"""rdflib's converters of the datatypes it judges by value alone (no well-formedness check
of its own): a value it returns is what an rdflib literal of the text would hold."""
_RDFS_LITERAL = str(RDFS.Literal)
_RDFS_DATATYPE = str(RDFS.Datatype)
_LANG_STRING = str(RDF.langString)
_FORCE_VALUE_COMPARISON = (datetime.datetime, datetime.time)


@lru_cache(maxsize=65536)
def as_rdflib(literal: ox.Literal) -> Literal:
    return to_rdflib(literal)


def has_datatype(literal: ox.Literal, datatype: str) -> bool:
    """Whether ``literal`` matches ``sh:datatype <datatype>`` (well-typed, same IRI)."""
    if literal.language:
        return datatype in (_LANG_STRING, _RDFS_LITERAL)
    declared = literal.datatype.value
    if declared == _XSD + "string":
        return datatype in (_XSD + "string", _RDFS_LITERAL)
    if datatype in (_RDFS_LITERAL, _RDFS_DATATYPE):
        return True
    if declared != datatype:
        return False
    text = literal.value
    plain = _PLAIN_NUMBERS.get(datatype)
    if plain is not None and plain[0].match(text):
        return True
    if _converts(text, datatype):
        return True
    converted = as_rdflib(literal)
    if converted.ill_typed:
        return False
    expected = _ACTUAL_TYPES.get(datatype)
    return expected is None or isinstance(converted.value, expected)


def _converts(text: str, datatype: str) -> bool:
    """Whether rdflib's own converter for ``datatype`` reads ``text`` as a value of the
    expected type; building an rdflib literal for it costs ten times as much. A refusal is
    decided the long way (rdflib may still accept the form another way)."""
    convert = _CONVERTERS.get(datatype)
    if convert is None:
        return False
    try:
        value = convert(text)
    except Exception:  # rdflib treats any failure of a converter as an ill-typed literal
        return False
    return isinstance(value, _ACTUAL_TYPES[datatype])


_last_number: tuple = (None, None)
"""The last literal :func:`number` read and its value: a property with a lower and an upper
bound compares the same literal object twice in a row."""


def number(literal: ox.Literal) -> Decimal | float | int | None:
    """The Python value of a plainly written numeric literal, else None."""
    global _last_number
    last = _last_number
    if last[0] is literal:
        return last[1]
    found = None
    plain = _PLAIN_NUMBERS.get(literal.datatype.value)
    if plain is not None:
        text = literal.value
        if plain[0].match(text):
            found = plain[1](text)
    _last_number = (literal, found)
    return found


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
