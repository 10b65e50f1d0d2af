"""The HTTP API of ``auskunft serve`` (FastAPI), versioned under ``/api/v1``.

OpenAPI documentation at ``/api/docs`` (schema at ``/api/openapi.json``); the MCP
endpoint for a city's own LLM client at ``/mcp``. Every route resolves its caller from
the request (:mod:`ui.api.auth`) and hands it to the :class:`Application`, which applies
the access groups.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request, Response

from ingest.application import Application
from ingest.case_desk import CaseDesk
from search.api_keys import ApiKeyStore
from search.core.settings import Settings
from ui.api import problems
from ui.api.auth import DEV_MODE_HEADER, CallerResolver
from ui.api.routes_admin import router as admin_router
from ui.api.routes_cases import router as cases_router
from ui.api.routes_search import router as search_router

API_PREFIX = "/api/v1"
VERSION = "1"
logger = logging.getLogger(__name__)


def create_app(settings: Settings, application: Application | None = None) -> FastAPI:
    """Build the API.

    :param settings: the settings.
    :param application: an open application to serve (tests); default: one opened with
        the app's start and closed with its end, with the scheduler running.
    :returns: the ASGI app.
    """
    from ui.api.mcp_server import build_mcp

    mcp = build_mcp()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # searches and answers run in worker threads: as many at once as configured
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = settings.service.search_threads
        own = application is None
        if application is None:
            opened = await anyio.to_thread.run_sync(_open, settings)
        else:
            opened = application
        app.state.application = opened
        app.state.cases = CaseDesk(opened)
        try:
            async with mcp.session_manager.run():
                yield
        finally:
            app.state.cases.close()
            if own:
                await anyio.to_thread.run_sync(opened.close)

    app = FastAPI(
        title="Auskunft",
        version=VERSION,
        summary="Belegte Suche in Ratsbeschlüssen, Satzungen und Dienstanweisungen",
        description="Die Programmierschnittstelle von Auskunft. Fehler kommen als "
        "Problem Details (RFC 9457) mit deutscher Beschreibung.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.resolver = CallerResolver(settings, ApiKeyStore(settings.api_keys_path))
    problems.install(app)
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(search_router)
    api.include_router(admin_router)
    api.include_router(cases_router)

    @api.get("/health", tags=["Betrieb"], summary="Läuft der Dienst?")
    def health(request: Request) -> dict[str, Any]:
        """No login needed: for load balancers and ``make run``."""
        opened: Application | None = getattr(request.app.state, "application", None)
        return {
            "status": "ok",
            "version": VERSION,
            "generation": opened.generation if opened else 0,
        }

    app.include_router(api)
    # stateless: any replica answers any call; the host passed on decides the DNS
    # rebinding protection (on for a loopback service, as the SDK does)
    streamable = mcp.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        host=settings.service.host,
    )
    app.router.routes.extend(streamable.routes)

    if settings.access.mode == "dev":

        @app.middleware("http")
        async def _dev_mode(request: Request, call_next: Any) -> Response:
            response: Response = await call_next(request)
            response.headers[DEV_MODE_HEADER] = "keine Anmeldung"
            return response

    return app


def _open(settings: Settings) -> Application:
    return Application(settings, scheduler=True).open()


def write_service_file(settings: Settings, url: str) -> None:
    """Tell clients on this machine where the service of this data directory listens."""
    path = settings.service_file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    temporary.replace(path)


def remove_service_file(settings: Settings) -> None:
    """Forget the address when the service stops (only our own)."""
    path = settings.service_file_path
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
