"""Words of the web pages in en/fr/es/pt: ``service/texts/*.json``, one file per page group, merged.

The language of a request: ``?lang=``, else the ``lang`` cookie, else ``Accept-Language``, else
English.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path

from fastapi import Request

from ssevalidate.namespaces import LANGUAGES

TEXTS_DIR = Path(__file__).parent / "texts"


@functools.cache
def _texts() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for path in sorted(TEXTS_DIR.glob("*.json")):
        for lang, entries in json.loads(path.read_text(encoding="utf-8")).items():
            merged.setdefault(lang, {}).update(entries)
    return merged


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)`` in ``lang``, falling back to English, then to the key itself."""
    texts = _texts()

    def t(key: str, **values: object) -> str:
        template = texts.get(lang, {}).get(key) or texts["en"].get(key) or key
        return template.format(**values) if values else template

    return t


def request_lang(request: Request) -> str:
    """The language a request asks for, among the supported ones."""
    wanted = request.query_params.get("lang") or request.cookies.get("lang")
    if wanted in LANGUAGES:
        return wanted
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def missing_keys() -> dict[str, set[str]]:
    """Keys English has that another language lacks (a test keeps this empty)."""
    texts = _texts()
    return {
        lang: set(texts["en"]) - set(texts[lang])
        for lang in LANGUAGES
        if set(texts["en"]) - set(texts[lang])
    }
