"""The ``auskunft sources``, ``auskunft sync`` and ``auskunft worker`` commands (registered in
:mod:`ui.cli`)."""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType, SimpleNamespace
from typing import Any

import click

from ingest.sync.kinds import KINDS
from ingest.sync.kinds.base import OptionSyntaxError, parse_options
from search.core.errors import AuskunftError, SourceError
from search.core.fields import DOC_TYPES
from search.core.settings import Settings, SourceEntry
from ui.cli_common import echo_json, errors, print_report, settings_of
from ui.cli_remote import remote, wait_for
from ui.client import ServiceClient, running_service_url


def _remote(settings: Settings) -> ServiceClient | None:
    with errors():
        return remote(settings)


def _config_of(body: dict[str, Any]) -> Any:
    """:returns: a source as the service sent it, as the registry's type."""
    from ingest.sync.sources import SourceConfig

    known = set(SourceConfig.model_fields)
    return SourceConfig(**{key: value for key, value in body.items() if key in known})


def _job_ended(job: dict[str, Any]) -> None:
    if job["state"] != "done":
        msg = f"{job['kind']} {job['target']} failed: {job.get('error')}"
        raise click.ClickException(msg)


@contextmanager
def _editing(settings: Settings, client: ServiceClient | None) -> Iterator[Any]:
    """The registry to edit in-process (with the write lock), or nothing when the
    service edits it."""
    if client is not None:
        with client:
            yield None
        return
    from ingest.sync.indexer import Indexer
    from ingest.sync.sources import SourceRegistry

    with Indexer(settings) as indexer:
        yield SourceRegistry(indexer.catalog)


def _options(pairs: tuple[str, ...]) -> dict[str, Any]:
    try:
        return parse_options(pairs)
    except OptionSyntaxError as exc:
        raise click.BadParameter(str(exc), param_hint="--option") from exc


def _describe(source: Any) -> str:
    last = source.last_sync or {}
    if not last:
        result = "never synced"
    elif last.get("ok"):
        report = last.get("report", {})
        result = (
            f"synced {last['at']}: {report.get('indexed', 0)} indexed, "
            f"{report.get('failed', 0)} failed, {report.get('deleted', 0)} deleted"
        )
    else:
        result = f"sync failed {last['at']}: {last.get('error')}"
    every = f", every {source.interval_minutes} min" if source.interval_minutes else ""
    origin = " (settings file)" if source.origin == "config" else ""
    return f"{source.name} [{source.kind}{every}]{origin} {source.location}\n    {result}"


@click.group()
def sources() -> None:
    """List, add, edit, remove and test the sources that 'auskunft sync' ingests.

    Kinds: folder (a folder tree), plus the connectors installed in ingest/kinds
    (OParl council systems, websites, federal law XML). Sources can also be defined in
    the settings file as [[sources]]; those are read-only here.
    """


@sources.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_context
def list_sources(ctx: click.Context, as_json: bool) -> None:
    """List configured sources with their last sync."""
    from ingest.sync.sources import open_registry

    settings = settings_of(ctx)
    client = _remote(settings)
    if client is not None:
        with errors(), client:
            listed = [_config_of(body) for body in client.sources()]
            indexed = set(client.status()["sources"])
        unregistered = sorted(indexed - {source.name for source in listed})
    else:
        with errors(), open_registry(settings) as registry:
            listed = registry.list()
            unregistered = registry.unregistered_sources()
    if as_json:
        echo_json(
            {
                "sources": [source.to_dict() for source in listed],
                "unregistered": unregistered,
            }
        )
        return
    for source in listed:
        click.echo(_describe(source))
    if unregistered:
        click.echo(f"Ingested without a source entry: {', '.join(unregistered)}")
    if not listed and not unregistered:
        click.echo("No sources. Add one with 'auskunft sources add NAME LOCATION'.")


def _source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    decorators = [
        click.option("--include", multiple=True, help="Glob of files to take (folder kinds)."),
        click.option("--exclude", multiple=True, help="Glob of files to leave out."),
        click.option(
            "--access-group",
            "access_groups",
            multiple=True,
            help="Group allowed to see the documents (repeatable; default: public).",
        ),
        click.option(
            "--doc-type", type=click.Choice(DOC_TYPES), help="Document type of all documents."
        ),
        click.option(
            "--option",
            "options",
            multiple=True,
            help="KEY=VALUE setting of the kind (repeatable), e.g. max_pages=200.",
        ),
        click.option(
            "--interval",
            "interval_minutes",
            type=click.IntRange(1),
            help="Sync every so many minutes with 'auskunft worker'.",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@sources.command(name="add")
@click.argument("name")
@click.argument("location")
@click.option(
    "--kind",
    type=click.Choice(sorted(KINDS)),
    default="folder",
    show_default=True,
    help="What the location is.",
)
@_source_options
@click.option("--test/--no-test", default=True, help="Test the connection before adding.")
@click.pass_context
def add_source(
    ctx: click.Context,
    name: str,
    location: str,
    kind: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    access_groups: tuple[str, ...],
    doc_type: str | None,
    options: tuple[str, ...],
    interval_minutes: int | None,
    test: bool,
) -> None:
    """Add a source NAME at LOCATION (a folder, or the URL of an OParl system or website).

    Nothing is ingested until 'auskunft sync NAME'.
    """
    from ingest.sync.indexer import Indexer
    from ingest.sync.sources import SourceConfig, SourceRegistry

    settings = settings_of(ctx)
    entry = SourceEntry(
        name=name,
        kind=kind,
        location=location,
        include=list(include),
        exclude=list(exclude),
        access_groups=list(access_groups),
        doc_type=doc_type,
        options=_options(options),
        interval_minutes=interval_minutes,
    )
    source = SourceConfig.of(entry)
    client = _remote(settings)
    if client is not None:
        with errors(), client:
            body = entry.model_dump()
            if test:
                click.echo(f"Connection test: {client.test_source(entry=body)}", err=True)
            added = _config_of(client.add_source(body))
        click.echo(f"Added {added.kind} source {added.name}: {added.location}")
        return
    with errors(), Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        if test:
            click.echo(f"Connection test: {registry.check(source, settings)}", err=True)
        added = registry.add(source)
    click.echo(f"Added {added.kind} source {added.name}: {added.location}")


@sources.command(name="edit")
@click.argument("name")
@click.option("--location", help="New location.")
@_source_options
@click.option("--clear-interval", is_flag=True, help="Sync on demand only.")
@click.pass_context
def edit_source(
    ctx: click.Context,
    name: str,
    location: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    access_groups: tuple[str, ...],
    doc_type: str | None,
    options: tuple[str, ...],
    interval_minutes: int | None,
    clear_interval: bool,
) -> None:
    """Change a source. A new location, access groups or document type rebuilds its
    documents at the next sync. Given lists (--include, --access-group, …) replace the
    old ones; --option values are merged into the old options."""

    settings = settings_of(ctx)
    client = _remote(settings)
    with errors(), _editing(settings, client) as registry:
        current = _config_of(client.source(name)) if client else registry.require(name)
        changes: dict[str, Any] = {}
        for key, value in (
            ("location", location),
            ("include", list(include)),
            ("exclude", list(exclude)),
            ("access_groups", list(access_groups)),
            ("doc_type", doc_type),
            ("interval_minutes", interval_minutes),
        ):
            if value:
                changes[key] = value
        if options:
            changes["options"] = {**current.options, **_options(options)}
        if clear_interval:
            changes["interval_minutes"] = None
        if not changes:
            msg = "Nothing to change; see 'auskunft sources edit --help'"
            raise click.UsageError(msg)
        if client is not None:
            updated = _config_of(client.update_source(name, changes))
        else:
            updated = registry.update(name, **changes)
    rebuild = " (its documents are rebuilt at the next sync)" if updated.needs_reindex else ""
    click.echo(f"Changed source {updated.name}{rebuild}")


@sources.command(name="remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def remove_source(ctx: click.Context, name: str, yes: bool) -> None:
    """Remove a source and all its documents from the indexes."""
    from ingest.sync.indexer import Indexer
    from ingest.sync.sources import SourceRegistry

    settings = settings_of(ctx)
    if not yes:
        click.confirm(f"Remove source {name} and all its documents?", abort=True)
    client = _remote(settings)
    if client is not None:
        with errors(), client:
            job = wait_for(client, client.remove_source(name), quiet=True)
        _job_ended(job)
        click.echo(f"Removed source {name} and {job['report']['deleted']} documents")
        return
    with errors(), Indexer(settings) as indexer:
        removed = SourceRegistry(indexer.catalog).remove(name, indexer)
    click.echo(f"Removed source {name} and {removed} documents")


@sources.command(name="test")
@click.argument("name")
@click.pass_context
def test_source(ctx: click.Context, name: str) -> None:
    """Test the connection of a configured source (nothing is ingested)."""
    from ingest.sync.sources import open_registry

    settings = settings_of(ctx)
    client = _remote(settings)
    if client is not None:
        with errors(), client:
            click.echo(f"{name}: {client.test_source(name)}")
        return
    with errors(), open_registry(settings) as registry:
        click.echo(f"{name}: {registry.check(registry.require(name), settings)}")


@click.command()
@click.argument("names", nargs=-1)
@click.option("--retry-failed", is_flag=True, help="Ingest failed documents again.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_context
def sync(ctx: click.Context, names: tuple[str, ...], retry_failed: bool, as_json: bool) -> None:
    """Sync sources now (all when no NAMES are given): new and changed documents are
    ingested, deleted ones removed. Sources of the settings file are applied first."""
    from ingest.sync.indexer import Indexer
    from ingest.sync.sources import SourceRegistry

    settings = settings_of(ctx)
    reports: list[dict[str, Any]] = []
    failed: list[str] = []
    client = _remote(settings)
    if client is not None:
        with errors(), client:
            selected = list(names) or [source["name"] for source in client.sources()]
            jobs = [client.sync(name, retry_failed=retry_failed) for name in selected]
            for job in jobs:
                job = wait_for(client, job, quiet=as_json)
                if job["state"] != "done":
                    failed.append(job["target"])
                    click.echo(f"{job['target']}: sync failed: {job.get('error')}", err=True)
                    continue
                reports.append(job["report"])
                if not as_json:
                    _print_sync(SimpleNamespace(**job["report"]))
        if as_json:
            echo_json({"reports": reports, "failed": failed})
        if failed:
            raise SystemExit(1)
        return
    with errors(), Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        registry.apply_config(settings.sources, indexer)
        selected = list(names) or [source.name for source in registry.list()]
        if not selected:
            msg = "No sources configured; add one with 'auskunft sources add'"
            raise click.ClickException(msg)
        for name in selected:
            registry.require(name)
        for name in selected:
            count = functools.partial(registry.count_documents, name, indexer)
            progress, finish = _bar(name, count, as_json)
            try:
                report = registry.sync(name, indexer, progress, retry_failed=retry_failed)
            except AuskunftError as exc:  # recorded as the source's last sync; others go on
                finish()
                failed.append(name)
                click.echo(f"{name}: sync failed: {exc}", err=True)
                continue
            finish()
            reports.append(report.to_dict())
            if not as_json:
                _print_sync(report)
    if as_json:
        echo_json({"reports": reports, "failed": failed})
    if failed:
        raise SystemExit(1)


def _print_sync(report: Any) -> None:
    print_report(report)
    for skipped in report.skipped:
        click.echo(f"  skipped [{skipped.get('reason')}] {skipped.get('uri')}")


def _bar(
    name: str, count: Callable[[], int | None], quiet: bool
) -> tuple[Callable[[str, str], None], Callable[[], None]]:
    """A progress bar on a terminal; ``count`` tells its length (the sync reports a
    source that cannot be listed, so here it only leaves the length open)."""
    if quiet or not sys.stderr.isatty():
        return (lambda _e, _u: None), (lambda: None)
    try:
        total = count()
    except SourceError:
        total = None
    bar: Any = click.progressbar(length=total, label=f"Syncing {name}", file=sys.stderr)
    bar.__enter__()

    def progress(_event: str, _uri: str) -> None:
        bar.update(1)

    def finish() -> None:
        bar.__exit__(None, None, None)

    return progress, finish


@click.command()
@click.option("--once", is_flag=True, help="One round, then exit (for cron or systemd timers).")
@click.pass_context
def worker(ctx: click.Context, once: bool) -> None:
    """Sync scheduled sources when their interval has passed (--interval of a source).

    Runs until stopped (SIGTERM or Ctrl-C ends it after the current round). A failed sync
    is retried after worker.retry_minutes; a killed worker's half-written batch is
    repaired by the next run.
    """
    from ingest.sync.scheduler import SyncScheduler

    settings: Settings = settings_of(ctx)
    if running_service_url(settings) is not None and not settings.queue.url:
        msg = (
            "An Auskunft service owns this index and runs the scheduled syncs itself "
            "(with its own ingestion processes); no worker is needed beside it"
        )
        raise click.ClickException(msg)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler = SyncScheduler(settings)
    with errors():
        if once:
            outcomes = scheduler.run_once()
            for outcome in outcomes:
                state = "ok" if outcome.ok else f"failed: {outcome.error}"
                click.echo(f"{outcome.source}: {state}")
            if not outcomes:
                click.echo("No source was due.")
            return
        stop = threading.Event()

        def _stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        click.echo(f"Worker started; polling every {settings.worker.poll_seconds:g} s", err=True)
        scheduler.run_forever(stop)
