"""The ``auskunft`` command line. Library errors become ``ClickException`` here only."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from search.citations import format_date
from search.core.fields import DOC_TYPES
from search.core.settings import load_settings
from search.filters import SearchFilters
from search.results import SEARCH_MODES, SearchResponse
from search.retrieval.facets import FACETS, SORT_ORDERS, SortOrder
from ui.cli_answers import answer, audit, eval_answers, record_search
from ui.cli_common import echo_json, errors, print_report, search_options, settings_of
from ui.cli_serve import serve, streamlit_command
from ui.cli_sources import sources, sync, worker
from ui.cli_workers import migrate, queue_group
from ui.client import response_from


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of indexes, catalog and caches (default: $AUSKUNFT_DATA_DIR).",
)
@click.version_option(package_name="auskunft")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Auskunft: cited hybrid search over council decisions, statutes and guidance.

    Settings come from AUSKUNFT_* environment variables and an optional TOML file
    ($AUSKUNFT_CONFIG or ./auskunft.toml).
    """
    with errors():
        ctx.obj = load_settings(**({"data_dir": data_dir} if data_dir else {}))


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--source", help="Source name recorded with the documents (default: folder name).")
@click.option("--include", multiple=True, help="Glob of files to take, e.g. '**/*.pdf'.")
@click.option(
    "--exclude", multiple=True, help="Glob of files to leave out (added to the settings' list)."
)
@click.option(
    "--access-group",
    "access_groups",
    multiple=True,
    help="Group allowed to see these documents (repeatable; default: public).",
)
@click.option(
    "--doc-type", type=click.Choice(DOC_TYPES), help="Document type of all these documents."
)
@click.option("--retry-failed", is_flag=True, help="Parse failed files again even if unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def ingest(
    ctx: click.Context,
    paths: tuple[Path, ...],
    source: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    access_groups: tuple[str, ...],
    doc_type: str | None,
    retry_failed: bool,
    as_json: bool,
) -> None:
    """Index files and folders (PDF, DOCX, ODT, HTML, TXT, MD, EML, MSG).

    Folders are read recursively. Unchanged files are skipped, changed files replaced,
    deleted files removed. Files that cannot be read are recorded as failed with a reason
    (see 'auskunft status'); the batch goes on.
    """
    from ingest.sync.indexer import Indexer
    from ui.cli_remote import remote

    settings = settings_of(ctx)
    with errors():
        client = remote(settings)
    if client is not None:  # the service owns the index: it ingests, we follow
        _ingest_remote(
            client,
            paths,
            as_json,
            source=source,
            include=list(include),
            exclude=list(exclude),
            access_groups=list(access_groups),
            doc_type=doc_type,
            retry_failed=retry_failed,
        )
        return
    reports = []
    with errors(), Indexer(settings) as indexer:
        for path in paths:
            progress, finish = _progress(path, quiet=as_json)
            try:
                report = indexer.ingest_path(
                    path,
                    source=source,
                    include=include or None,
                    exclude=exclude or None,
                    access_groups=access_groups or None,
                    metadata={"doc_type": doc_type} if doc_type else None,
                    retry_failed=retry_failed,
                    progress=progress,
                )
            finally:
                finish()
            reports.append(report)
            if not as_json:
                print_report(report)
    if as_json:
        echo_json([report.to_dict() for report in reports])


def _ingest_remote(client: Any, paths: tuple[Path, ...], as_json: bool, **options: Any) -> None:
    from types import SimpleNamespace

    from ui.cli_remote import wait_for

    reports = []
    with errors(), client:
        for path in paths:
            job = wait_for(client, client.ingest(str(path.resolve()), **options), quiet=as_json)
            if job["state"] != "done":
                msg = f"Ingesting {path} failed: {job.get('error')}"
                raise click.ClickException(msg)
            reports.append(job["report"])
            if not as_json:
                print_report(SimpleNamespace(**job["report"]))
    if as_json:
        echo_json(reports)


def _progress(path: Path, quiet: bool) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    # a progress line rewritten with \r is for a terminal, not for a log file
    if quiet or not sys.stderr.isatty():
        return (lambda _e, _u: None), (lambda: None)
    counter = {"n": 0}

    def progress(event: str, uri: str) -> None:
        counter["n"] += 1
        name = uri.rsplit("/", 1)[-1]
        click.echo(f"\r{counter['n']:5d}  {event:8s} {name[:60]:60s}", nl=False, err=True)

    def finish() -> None:
        if counter["n"]:
            click.echo("", err=True)

    click.echo(f"Ingesting {path} …", err=True)
    return progress, finish


@cli.command()
@click.argument("query")
@search_options
@click.option("--top-k", type=click.IntRange(1, 200), help="Number of documents.")
@click.option(
    "--order",
    type=click.Choice(SORT_ORDERS),
    default="relevance",
    show_default=True,
    help="Order of the whole match set.",
)
@click.option("--offset", type=click.IntRange(0, 10_000), default=0, help="Documents to skip.")
@click.option(
    "--facet",
    "facets",
    multiple=True,
    metavar="FACET:VALUE",
    help=f"Keep documents with this facet value (repeatable; facets: {', '.join(FACETS)}).",
)
@click.option("--json", "as_json", is_flag=True, help="Print {'results': [...]} as JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    mode: str,
    filters: SearchFilters,
    groups: tuple[str, ...],
    top_k: int | None,
    order: SortOrder,
    offset: int,
    facets: tuple[str, ...],
    as_json: bool,
) -> None:
    """Search the index and print documents with cited passages.

    QUERY may use "phrases", AND, OR, NOT and -word in keyword and hybrid mode.
    """
    from search.service import SearchService
    from ui.cli_remote import remote

    refinement: dict[str, list[str]] = {}
    for chosen in facets:
        name, separator, value = chosen.partition(":")
        if not separator or not value:
            msg = f"{chosen!r}: expected FACET:VALUE"
            raise click.BadParameter(msg, param_hint="--facet")
        refinement.setdefault(name, []).append(value)
    page = {"top_k": top_k, "offset": offset, "order": order, "refinement": refinement}
    with errors():
        client = remote(settings_of(ctx), groups)
        if client is not None:
            with client:
                body = client.search_raw(query, mode=mode, filters=filters, **page)  # type: ignore[arg-type]
            if as_json:
                echo_json(body)
            else:
                _print_results(response_from(body))
            return
    with errors(), SearchService(settings_of(ctx)) as service:
        response = service.search(
            query,
            mode=mode,  # type: ignore[arg-type]
            filters=filters,
            user_groups=groups or None,
            **page,  # type: ignore[arg-type]
        )
        record_search(settings_of(ctx), response, filters, groups)
    if as_json:
        echo_json(response.to_dict())
    else:
        _print_results(response)


def _print_results(response: SearchResponse) -> None:
    import html
    import re

    if response.suggestion:
        click.echo(f"Meinten Sie: {response.suggestion}", err=True)
    for notice in response.notices:
        click.echo(f"Hinweis / Notice: {notice}", err=True)
    if not response.results:
        click.echo("Keine Treffer. / No results.")
        return
    last = response.offset + len(response.results)
    total = f"mehr als {response.total}" if response.capped else str(response.total)
    click.echo(f"Treffer {response.offset + 1}–{last} von {total} / of {total}")
    if response.as_of:
        click.echo(f"Rechtsstand {format_date(response.as_of)}")
    for number, hit in enumerate(response.results, start=response.offset + 1):
        click.secho(f"{number}. {hit.title}", bold=True)
        click.echo(f"   {hit.citation}")
        click.echo(f"   {hit.uri}")
        for note in hit.validity:
            click.echo(f"   ⚠ {note}")
        for passage in hit.passages[:2]:
            snippet = re.sub(r"</?mark>", "*", passage.highlight)
            click.echo(f"   › {html.unescape(snippet)[:300]}")
            click.echo(f"     [{passage.citation}]")
            if passage.superseded:
                click.echo(f"     ⚠ Frühere Fassung: {passage.superseded}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@click.option("--failures/--no-failures", default=True, help="List failed documents.")
@click.pass_context
def status(ctx: click.Context, as_json: bool, failures: bool) -> None:
    """Show document counts by status (indexed, failed, indexing) and failures."""
    from ingest.sync.indexer import index_status
    from ui.cli_remote import remote

    with errors():
        client = remote(settings_of(ctx))
        if client is not None:
            with client:
                info = client.status()
        else:
            info = index_status(settings_of(ctx))
    if as_json:
        if not failures:
            info.pop("failures")
        echo_json(info)
        return
    click.echo(f"Data directory: {info['data_dir']}")
    click.echo(f"Embedding model: {info['embedding_model'] or '-'}")
    counts = ", ".join(f"{count} {name}" for name, count in info["documents"].items())
    click.echo(f"Documents: {info['total']} ({counts}); chunks: {info['chunks']}")
    for source, by_status in info["sources"].items():
        click.echo(f"  {source}: " + ", ".join(f"{n} {s}" for s, n in by_status.items()))
    if failures:
        for failure in info["failures"]:
            click.echo(f"  failed [{failure['reason']}] {failure['uri']}: {failure['error']}")


@cli.command(name="eval")
@click.argument(
    "set_path", metavar="SET", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(SEARCH_MODES),
    help="Mode to score (repeatable; default: keyword, semantic and hybrid).",
)
@click.option("--limit", type=click.IntRange(1), help="First N queries only (a smoke-test subset).")
@click.option("--query-field", default="text", show_default=True, help="Query field to search.")
@click.option("--reindex", is_flag=True, help="Rebuild the set's indexes first.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <set>.json and <set>.md here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def eval_command(
    ctx: click.Context,
    set_path: Path,
    modes: tuple[str, ...],
    limit: int | None,
    query_field: str,
    reindex: bool,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Score search on a BEIR set (corpus.jsonl[.gz], queries.jsonl, qrels.tsv).

    Indexes the corpus from text under <data dir>/eval/, searches every query and prints
    document-level nDCG@10, Recall@10, Recall@100 and MRR@10 per mode, beside plain BM25.
    """
    from ingest.evaluation import evaluate_set
    from search.evaluation.retrieval import load_beir, save_report

    settings = settings_of(ctx)
    with errors():
        beir = load_beir(set_path, query_field=query_field, limit=limit)
        report = evaluate_set(
            settings,
            beir,
            list(modes) or ["keyword", "semantic", "hybrid"],  # type: ignore[arg-type]
            query_field=query_field,
            reindex=reindex,
            progress=lambda line: click.echo(line, err=True),
        )
    if report_dir is not None:
        for path in save_report(report, report_dir):
            click.echo(f"Saved {path}", err=True)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.to_markdown())


@cli.command()
@click.option("--port", default=8501, show_default=True, help="Port of the web interface.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--headless/--browser", default=True, help="Open no browser (default), or open one.")
@click.pass_context
def ui(ctx: click.Context, port: int, host: str, headless: bool) -> None:
    """Start the Streamlit web interface alone, as a client of a running service
    ('auskunft serve --ui' starts both)."""
    from ui.client import running_service_url

    settings = settings_of(ctx)
    url = running_service_url(settings)
    if url is None:
        msg = (
            f"No Auskunft service runs for {settings.data_dir} and service.url is not set: "
            "start 'auskunft serve --ui' (or 'make run')"
        )
        raise click.ClickException(msg)
    command = streamlit_command(host, port, headless=headless)
    click.echo(f"Auskunft: http://{host}:{port}  (data: {settings.data_dir})", err=True)
    env = {"AUSKUNFT_DATA_DIR": str(settings.data_dir), "AUSKUNFT_SERVICE__URL": url}
    # this process becomes the server: stopping it stops the server, none is left behind
    os.execve(command[0], command, {**_environ(), **env})


def _environ() -> dict[str, str]:
    return dict(os.environ)


for command in (answer, audit, eval_answers, sources, sync, worker, queue_group, migrate, serve):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``auskunft`` script."""
    cli(prog_name="auskunft")


if __name__ == "__main__":  # pragma: no cover
    main()
