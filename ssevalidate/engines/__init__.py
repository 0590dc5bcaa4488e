"""Validation engines: each turns a data graph and a shapes graph into :class:`Finding` objects.

``fast`` is the default; ``pyshacl`` is the reference it is compared with. Engines are
registered here, by name.

>>> from ssevalidate.engines import get_engine
>>> get_engine("pyshacl").name
'pyshacl'
"""

from __future__ import annotations

from ssevalidate.engines.base import Engine, Finding
from ssevalidate.engines.fast import FastEngine
from ssevalidate.engines.pyshacl_engine import PyshaclEngine
from ssevalidate.parsegate import InputError

ENGINES: dict[str, type[Engine]] = {"fast": FastEngine, "pyshacl": PyshaclEngine}
DEFAULT_ENGINE = "fast"


def get_engine(name: str = DEFAULT_ENGINE) -> Engine:
    """A new engine instance; :class:`InputError` for an unknown name."""
    try:
        return ENGINES[name]()
    except KeyError:
        raise InputError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})") from None


__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "Finding", "get_engine"]
