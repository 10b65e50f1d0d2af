"""``auskunft queue …`` (ingestion workers on a shared job queue) and ``auskunft migrate``."""

from __future__ import annotations

import logging

import click

from search.core.errors import AuskunftError
from ui.cli_common import echo_json, settings_of


def _fail(exc: AuskunftError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(name="queue")
def queue_group() -> None:
    """Ingestion on a shared job queue (PostgreSQL at queue.url) for several workers.

    'auskunft queue sync SOURCE' puts a sync of a registered source on the queue; any
    number of 'auskunft queue worker' processes, on this machine or others, take the jobs:
    one job per document, retried when a store is down, and taken over from a worker that
    died. Without queue.url, use 'auskunft ingest' or 'auskunft sync' instead.
    """


@queue_group.command(name="worker")
@click.option("--name", help="Worker name in logs (default: host and process id).")
@click.option(
    "--until-empty", is_flag=True, help="Stop when the queue is empty instead of waiting."
)
@click.pass_context
def queue_worker(ctx: click.Context, name: str | None, until_empty: bool) -> None:
    """Take ingestion jobs from the queue until stopped (Ctrl+C, SIGTERM).

    Run one worker per core, on as many machines as you like. With the embedded stores
    the workers of one machine take turns writing (they share the data directory's write
    lock); with Elasticsearch and Qdrant they write in parallel.
    """
    from ingest.sync.queue import JobQueue
    from ingest.sync.worker import QueueWorker, default_worker_name

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = settings_of(ctx)
    worker_name = name or default_worker_name()
    try:
        queue = JobQueue(settings)
        worker = QueueWorker(settings, queue, name=worker_name)
        try:
            click.echo(f"Worker {worker_name} takes jobs from queue {queue.queue_name!r}", err=True)
            queue.run_worker(
                worker.sync_source,
                worker.ingest_document,
                wait=not until_empty,
                name=worker_name,
            )
        finally:
            worker.close()
    except AuskunftError as exc:
        raise _fail(exc) from exc


@queue_group.command(name="sync")
@click.argument("sources", nargs=-1)
@click.option("--all", "all_sources", is_flag=True, help="Every registered source.")
@click.pass_context
def queue_sync(ctx: click.Context, sources: tuple[str, ...], all_sources: bool) -> None:
    """Put a sync of SOURCES (registered names) on the queue; the workers do the rest."""
    from ingest.sync.queue import JobQueue
    from ingest.sync.sources import open_registry

    settings = settings_of(ctx)
    if not sources and not all_sources:
        msg = "Name one or more sources, or use --all"
        raise click.UsageError(msg)
    try:
        with open_registry(settings) as registry:
            names = [s.name for s in registry.list()] if all_sources else list(sources)
            for source in names:
                registry.require(source)
        queue = JobQueue(settings)
        with queue.opened():
            for source in names:
                added = queue.enqueue_sync(source)
                click.echo(f"{source}: {'queued' if added else 'already queued'}")
    except AuskunftError as exc:
        raise _fail(exc) from exc


@queue_group.command(name="status")
@click.option(
    "--requeue-stalled", is_flag=True, help="Put jobs of dead workers back on the queue now."
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_context
def queue_status(ctx: click.Context, requeue_stalled: bool, as_json: bool) -> None:
    """Show the jobs on the queue by kind and status, and the latest failed ones."""
    from ingest.sync.queue import JobQueue

    settings = settings_of(ctx)
    try:
        queue = JobQueue(settings)
        requeued = queue.requeue_stalled_now() if requeue_stalled else None
        counts = queue.counts()
        failed = queue.failed_jobs()
    except AuskunftError as exc:
        raise _fail(exc) from exc
    if as_json:
        echo_json({"queue": queue.queue_name, "jobs": counts, "failed": failed})
        return
    if requeued is not None:
        click.echo(f"Jobs of dead workers queued again: {requeued}")
    click.echo(f"Queue {queue.queue_name!r}:")
    if not counts:
        click.echo("  no jobs")
    for task, by_status in sorted(counts.items()):
        click.echo(f"  {task}: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    for job in failed:
        click.echo(f"  failed #{job['id']} {job['task']} {job['args']} ({job['attempts']} tries)")


@click.command()
@click.option("--batch-size", default=500, show_default=True, help="Chunks per write.")
@click.pass_context
def migrate(ctx: click.Context, batch_size: int) -> None:
    """Move an embedded installation to the servers.

    Copies the embedded index (tantivy + qdrant-edge) into Elasticsearch and Qdrant when
    stores.elasticsearch_url and stores.qdrant_url are set, and the catalog, source
    registry, audit log and embedding cache into PostgreSQL when database.url (or
    queue.url) is set. Run it again to complete an interrupted copy.
    """
    from ingest.sync.migrate import migrate_index
    from ingest.sync.migrate_state import migrate_state
    from search.sql import state_url

    settings = settings_of(ctx)
    servers = settings.stores.servers
    shared_state = state_url(settings) is not None
    if not servers and not shared_state:
        msg = (
            "Nothing to migrate to: set stores.elasticsearch_url and stores.qdrant_url "
            "for the index, database.url for the catalog, audit log and cache"
        )
        raise click.ClickException(msg)
    try:
        if shared_state:
            state = migrate_state(settings)
            click.echo(
                f"Copied {state.documents} documents, {state.sources} sources, "
                f"{state.audit_records} audit records and {state.embeddings} cached "
                f"embeddings to {state.target}"
            )
        if servers:
            report = migrate_index(settings, batch_size=batch_size)
            click.echo(
                f"Copied {report.keyword_chunks} chunks to {report.keyword_target} and "
                f"{report.vector_chunks} vectors to {report.vector_target}"
            )
    except AuskunftError as exc:
        raise _fail(exc) from exc
