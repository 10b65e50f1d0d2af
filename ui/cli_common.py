"""What every ``auskunft`` command module shares: settings, JSON output, errors.

Kept apart from :mod:`ui.cli` so the command modules (answers, sources, workers) import
it without importing the command group that registers them.
"""

from __future__ import annotations

import functools
import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import click

from search.core.errors import AuskunftError
from search.core.fields import DOC_TYPES
from search.core.settings import Settings
from search.results import SEARCH_MODES


@contextmanager
def errors() -> Iterator[None]:
    """Turn our library errors into one clear line for the person at the terminal."""
    try:
        yield
    except AuskunftError as exc:
        raise click.ClickException(str(exc)) from exc


def os_user() -> str:
    """:returns: the user at the terminal (the CLI has no login of its own)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (e.g. in a container)
        return "unknown"


def settings_of(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_report(report: Any) -> None:
    click.echo(
        f"{report.source}: {report.seen} files seen, {report.indexed} indexed, "
        f"{report.unchanged} unchanged, {report.failed} failed, {report.deleted} deleted; "
        f"{report.chunks} chunks, {report.pages} pages ({report.ocr_pages} by OCR), "
        f"{report.embedded} passages embedded, {report.seconds:.1f} s"
    )
    for failure in report.failures:
        click.echo(f"  failed [{failure['reason']}] {failure['uri']}: {failure['error']}")


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        msg = "use YYYY-MM-DD"
        raise click.BadParameter(msg) from exc


def search_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a command that searches: ``--mode`` and ``--group`` as they are,
    ``--source``, ``--type``, ``--from``, ``--to`` as one ``filters`` argument."""
    from search.filters import SearchFilters

    @functools.wraps(func)
    def command(
        *args: Any,
        sources: tuple[str, ...],
        doc_types: tuple[str, ...],
        date_from: date | None,
        date_to: date | None,
        as_of: date | None,
        in_force_only: bool,
        **kwargs: Any,
    ) -> Any:
        kwargs["filters"] = SearchFilters(
            sources=sources or None,
            doc_types=doc_types or None,
            date_from=date_from,
            date_to=date_to,
            as_of=as_of,
            in_force_only=in_force_only,
        )
        return func(*args, **kwargs)

    options = [
        click.option(
            "--mode", type=click.Choice(SEARCH_MODES), default="hybrid", show_default=True
        ),
        click.option("--source", "sources", multiple=True, help="Only this source (repeatable)."),
        click.option(
            "--type",
            "doc_types",
            multiple=True,
            type=click.Choice(DOC_TYPES),
            help="Document type.",
        ),
        click.option(
            "--from", "date_from", callback=parse_date, help="Dated on or after YYYY-MM-DD."
        ),
        click.option("--to", "date_to", callback=parse_date, help="Dated on or before YYYY-MM-DD."),
        click.option(
            "--as-of",
            "as_of",
            callback=parse_date,
            help="Rechtsstand YYYY-MM-DD: rules in force that day first (default: today).",
        ),
        click.option(
            "--in-force-only", is_flag=True, help="Leave out rules not in force on --as-of."
        ),
        click.option(
            "--group", "groups", multiple=True, help="Your access groups (default: public)."
        ),
    ]
    wrapped: Callable[..., Any] = command
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped
