"""The FastAPI application.

>>> from service.app import create_app
>>> from service.settings import Settings
>>> app = create_app(Settings(store_path=None))   # doctest: +SKIP

Each concern is a router in ``service/routes/``; ``create_app`` wires them to one store and one
set of settings, kept on ``app.state``.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

import ssevalidate
from service.settings import Settings
from ssevalidate.store import open_store

ROUTERS = ("validate", "pages", "linkeddata", "sparql", "query", "sources", "matches", "feed")
"""Modules of ``service.routes``, each exposing ``router``, mounted in this order."""

log = logging.getLogger("ssevalidate.service")


def create_app(settings: Settings | None = None, *, routers: Sequence[str] = ROUTERS) -> FastAPI:
    """A configured application; ``routers`` selects which parts to mount (tests use this)."""
    settings = settings or Settings()
    app = FastAPI(
        title="ssevalidate",
        version=ssevalidate.__version__,
        description="Validate solidarity-economy directory data against the SSE vocabulary; "
        "the vocabulary as linked data; a read-only SPARQL endpoint.",
    )
    app.state.settings = settings
    app.state.store = open_store(settings.store_path, with_examples=settings.load_examples)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for name in routers:
        app.include_router(importlib.import_module(f"service.routes.{name}").router)

    @app.get("/health", tags=["service"])
    def health(request: Request) -> dict:
        """Liveness and what the store holds."""
        store = request.app.state.store
        return {
            "status": "ok",
            "version": ssevalidate.__version__,
            "graphs": len(store.graphs()),
            "triples": store.count(),
        }

    @app.middleware("http")
    async def request_log(request: Request, call_next):
        started = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:12]
        response = await call_next(request)
        log.info(
            json.dumps(
                {
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                }
            )
        )
        response.headers["X-Request-Id"] = request_id
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": error.detail},
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        return JSONResponse({"error": f"invalid request: {problems}"}, status_code=400)

    return app
