"""ssevalidate: validate solidarity-economy directory data against the SSE vocabulary.

>>> import ssevalidate
>>> report = ssevalidate.validate("examples/directory.ttl", profile="core")  # doctest: +SKIP
>>> report.conforms  # doctest: +SKIP
True

``validate`` accepts a path, bytes, a text or an rdflib graph (or a list of them, read as one
directory), and returns a :class:`Report`; ``load`` parses one source through the parse gate;
``profiles`` lists what can be checked.
"""

from ssevalidate.parsegate import InputError
from ssevalidate.profiles import Profile, profiles
from ssevalidate.report import Report, Result
from ssevalidate.validation import load, validate

__version__ = "0.1.0"

__all__ = ["InputError", "Profile", "Report", "Result", "load", "profiles", "validate"]
