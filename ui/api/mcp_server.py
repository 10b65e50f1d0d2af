"""Auskunft as a Model Context Protocol server, for a city's own LLM client.

Two tools, the same search and document fetch as the REST API, with the same callers and
access groups (the MCP client sends an API key, ``Authorization: Bearer ak_…``):

- ``search``: cited hits (document, page, section) for a question;
- ``fetch_document``: a document's metadata and text, section by section with pages.

Served over streamable HTTP at ``/mcp``, stateless, so any replica can answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio.to_thread
from mcp.server.mcpserver import Context, MCPServer

from ingest.application import Application
from search.core.errors import AuskunftError
from search.filters import SearchFilters
from search.results import SearchMode

INSTRUCTIONS = (
    "Auskunft durchsucht Ratsbeschlüsse, Satzungen, Gesetze und Dienstanweisungen einer "
    "Stadtverwaltung. Zitiere jede Aussage mit Dokument, Seite und Abschnitt aus den "
    "Treffern; was die Treffer nicht belegen, kennzeichne als unbelegt."
)


class ToolError(Exception):
    """A tool call that cannot be answered (shown to the model as an error result)."""


def _application(ctx: Context) -> tuple[Application, Any]:
    request = ctx.request_context.request
    if request is None:
        msg = "Kein HTTP-Aufruf: Auskunft spricht MCP nur über HTTP"
        raise ToolError(msg)
    app: Application = request.app.state.application
    caller = request.app.state.resolver(request.headers)
    return app, caller


def build_mcp() -> MCPServer:
    """:returns: the MCP server with Auskunft's tools."""
    server: MCPServer = MCPServer(name="Auskunft", instructions=INSTRUCTIONS, version="1")

    @server.tool(description="Suche mit Belegen (Dokument, Seite, Abschnitt) in der Verwaltung.")
    async def search(
        query: str,
        ctx: Context,
        mode: SearchMode = "hybrid",
        top_k: int = 5,
        sources: list[str] | None = None,
        doc_types: list[str] | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
    ) -> dict[str, Any]:
        """Search; every hit names its document, pages, section and citation."""
        app, caller = _application(ctx)
        if not query.strip() or len(query) > app.settings.service.max_query_chars:
            msg = "Die Suchanfrage ist leer oder zu lang"
            raise ToolError(msg)
        filters = SearchFilters(
            sources=sources, doc_types=doc_types, date_from=date_from, date_to=date_to
        )
        try:
            response = await anyio.to_thread.run_sync(
                lambda: app.search(
                    query, caller=caller, mode=mode, filters=filters, top_k=max(1, min(top_k, 20))
                )
            )
        except AuskunftError as exc:
            raise ToolError(str(exc)) from exc
        return {
            "query": response.query,
            "results": [
                {
                    "doc_id": hit.doc_id,
                    "title": hit.title,
                    "doc_type": hit.doc_type,
                    "date": hit.date,
                    "reference": hit.reference,
                    "citation": hit.citation,
                    "passages": [
                        {
                            "text": passage.text,
                            "citation": passage.citation,
                            "page_start": passage.page_start,
                            "page_end": passage.page_end,
                            "section": passage.section,
                        }
                        for passage in hit.passages
                    ],
                }
                for hit in response.results
            ],
        }

    @server.tool(description="Ein Dokument mit Metadaten und Text, abschnittsweise mit Seiten.")
    async def fetch_document(doc_id: str, ctx: Context) -> dict[str, Any]:
        """A document the caller may see: metadata and its text by section and page."""
        app, caller = _application(ctx)
        try:
            entry, parts = await anyio.to_thread.run_sync(
                lambda: app.document_text(doc_id, caller=caller)
            )
        except AuskunftError as exc:
            raise ToolError(str(exc)) from exc
        return {
            "doc_id": entry.doc_id,
            "title": entry.title or entry.filename,
            "doc_type": entry.doc_type,
            "date": entry.date,
            "reference": entry.reference,
            "source": entry.source,
            "uri": entry.uri,
            "pages": entry.page_count,
            "parts": parts,
        }

    return server
