"""Server-rendered pages: Jinja2 templates with the request's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from service.i18n import request_lang, translator
from ssevalidate.namespaces import LANGUAGES

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language; a ``?lang=`` choice is remembered in a cookie."""
    lang = context.pop("lang", None) or request_lang(request)
    response = templates.TemplateResponse(
        request,
        template,
        {"lang": lang, "languages": LANGUAGES, "t": translator(lang), **context},
        status_code=status_code,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, samesite="lax")
    return response
