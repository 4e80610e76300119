"""The FastAPI application: create_app(settings) loads the model and index once, in lifespan."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.drafting import router as drafting_router
from api.routes import router
from rag.config import Settings, get_settings
from rag.retrieve import Retriever

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("vraagbaak.api")


def _readable(errors: list[dict[str, Any]]) -> str:
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
        parts.append(f"{loc or 'body'}: {e.get('msg')}")
    return "; ".join(parts)


def create_app(settings: Settings | None = None, retriever: Retriever | None = None) -> FastAPI:
    """Build the app; pass a ready retriever to share one between apps (tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        t0 = time.perf_counter()
        app.state.retriever = retriever or Retriever.load(settings)
        app.state.load_seconds = time.perf_counter() - t0
        log.info("loaded model and index in %.1f s", app.state.load_seconds)
        yield

    app = FastAPI(
        title="Vraagbaak",
        description="Search earlier government answers to Kamervragen, with citations.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.dependency_overrides[get_settings] = lambda: settings

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [dict(e) for e in exc.errors()]
        return JSONResponse(
            status_code=422,
            content={
                "detail": _readable(errors),
                "errors": [{"loc": e.get("loc"), "msg": e.get("msg")} for e in errors],
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail})

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(status_code=500, content={"detail": "internal error; see the server log"})

    app.include_router(router)
    app.include_router(drafting_router)
    if STATIC.exists():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

        @app.get("/", include_in_schema=False)
        async def page() -> FileResponse:
            return FileResponse(STATIC / "index.html")

    return app
