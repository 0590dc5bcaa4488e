"""The admin token that guards every change (sources, harvests on demand, match decisions).

A request is an administrator's when it carries ``Settings.admin_token``: as
``Authorization: Bearer <token>``, or, from a page, in the posted form's ``token`` field (a
browser form cannot set the header). Without a token configured nobody is one.

The check is a FastAPI dependency that reports rather than raises: each router answers a
refusal its own way (a page again with the reason, or JSON, in the reader's language), which
an exception raised before the endpoint runs would not let it do::

    @router.post("/things")
    async def change(request: Request, admin: AdminCheck) -> Response:
        if admin is not None:  # an AdminRefusal: status, reason, headers
            ...

Tokens are compared in constant time (:func:`secrets.compare_digest` on their digests: it is
constant-time only for inputs of equal length, and a digest hides the token's length).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
"""The bodies a browser form posts: their ``token`` field may carry the token."""
UNCONFIGURED = "unconfigured"
"""The reason of a refusal when the service has no admin token: nobody may change anything."""
INVALID = "invalid"
"""The reason of a refusal when the token is missing or wrong."""
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="admin"'}
"""One realm for the whole service: the same token guards every change."""


@dataclass(frozen=True)
class AdminRefusal:
    """Why a request may not change anything: ``status`` 403 (:data:`UNCONFIGURED`) or 401
    (:data:`INVALID`, with the ``WWW-Authenticate`` challenge in ``headers``)."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)


def admin_refusal(expected: str | None, given: str) -> AdminRefusal | None:
    """None when ``given`` is the admin token ``expected``, else why not."""
    if not expected:
        return AdminRefusal(403, UNCONFIGURED)
    if not secrets.compare_digest(_digest(given), _digest(expected)):
        return AdminRefusal(401, INVALID, dict(CHALLENGE))
    return None


async def check_admin(request: Request) -> AdminRefusal | None:
    """The dependency: None for an administrator's request, else the refusal to answer.

    The token is the ``Authorization: Bearer`` one, else, for a form post, the form's
    ``token`` field (the form is parsed once: the endpoint reads the same parsed form)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        given = credentials.strip()
    elif _content_type(request) in FORM_TYPES:
        given = str((await request.form()).get("token") or "")
    else:
        given = ""
    return admin_refusal(request.app.state.settings.admin_token, given)


AdminCheck = Annotated[AdminRefusal | None, Depends(check_admin)]
"""An endpoint parameter of this type receives :func:`check_admin`'s answer."""


def is_form(request: Request) -> bool:
    """Whether the request's body is a browser form (whose refusals are answered as pages)."""
    return _content_type(request) in FORM_TYPES


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


__all__ = [
    "CHALLENGE",
    "FORM_TYPES",
    "INVALID",
    "UNCONFIGURED",
    "AdminCheck",
    "AdminRefusal",
    "admin_refusal",
    "check_admin",
    "is_form",
]
