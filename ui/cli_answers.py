"""The ``auskunft answer`` and ``auskunft audit`` commands (registered in :mod:`ui.cli`)."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from search.answers import Answer
from search.audit import EXPORT_FORMATS, AuditLog
from search.core.settings import Settings
from search.filters import SearchFilters
from search.results import SearchResponse
from ui.cli_common import echo_json, errors, os_user, search_options, settings_of
from ui.i18n import bilingual, flag_text


def audited_filters(
    settings: Settings, filters: SearchFilters, groups: tuple[str, ...]
) -> SearchFilters:
    """:returns: the filters as the search applied them (with the access groups)."""
    return replace(filters, access_groups=list(groups or settings.search.default_access_groups))


def record_search(
    settings: Settings, response: SearchResponse, filters: SearchFilters, groups: tuple[str, ...]
) -> None:
    """Record a CLI search in the audit log."""
    AuditLog.from_settings(settings).record_search(
        os_user(), response, audited_filters(settings, filters, groups)
    )


@click.command()
@click.argument("question")
@search_options
@click.option("--json", "as_json", is_flag=True, help="Print the answer and results as JSON.")
@click.pass_context
def answer(
    ctx: click.Context,
    question: str,
    mode: str,
    filters: SearchFilters,
    groups: tuple[str, ...],
    as_json: bool,
) -> None:
    """Answer a question from the index, with citations [n] and flags.

    With an LLM configured (llm.url) the answer is an AI draft from the retrieved
    passages, verified sentence by sentence; without one, or when it is down, it is an
    extractive summary: the best-matching sentences of the top passages. The search and
    the answer are recorded in the audit log.
    """
    from search.answers.drafting import AnswerDrafter
    from search.service import SearchService
    from ui.cli_remote import remote

    settings = settings_of(ctx)
    with errors():
        client = remote(settings, groups)
        if client is not None:  # the service answers and records it
            with client:
                response, result = client.answer(question, mode=mode, filters=filters)  # type: ignore[arg-type]
            _show(result, response, as_json)
            return
        with SearchService(settings) as service:
            response = service.search(
                question,
                mode=mode,  # type: ignore[arg-type]
                filters=filters,
                user_groups=groups or None,
            )
        audit = AuditLog.from_settings(settings)
        applied = audited_filters(settings, filters, groups)
        audit.record_search(os_user(), response, applied)
        drafter = AnswerDrafter(settings)
        try:
            result = drafter.answer(question, response)
        finally:
            drafter.close()
        audit.record_answer(os_user(), response, applied, result)
    _show(result, response, as_json)


def _show(result: Answer, response: SearchResponse, as_json: bool) -> None:
    if as_json:
        echo_json({"answer": result.to_dict(), **response.to_dict()})
    else:
        _print_answer(result, response)


def _flag_text(flag: str) -> str:
    """:returns: why a sentence is flagged, German / English (an unknown flag as it is)."""
    german, english = flag_text("de", flag), flag_text("en", flag)
    return german if german == english else f"{german} / {english}"


def _print_answer(result: Answer, response: SearchResponse) -> None:
    for notice in response.notices:
        click.echo(f"Hinweis / Notice: {notice}", err=True)
    if result.error:
        click.echo(f"Hinweis / Notice: {bilingual('llm_unavailable')} ({result.error})", err=True)
    click.secho(result.label("de"), bold=True)
    if not result.sentences:
        click.echo(bilingual("not_answered"))
    for sentence in result.sentences:
        marks = "; ".join(_flag_text(flag) for flag in sentence.flags)
        if sentence.unsupported:
            words = ", ".join(f"„{words}“" for words in sentence.unsupported)
            marks += f": {words}"
        click.echo(f"{'⚠ ' if marks else ''}{sentence.text}")
        if marks:
            click.secho(f"    ({marks})", fg="yellow")
    if result.cited:
        click.echo("")
    for source in result.cited:
        click.echo(f"[{source.number}] {source.citation}")
        click.echo(f"    {source.uri}")


@click.group()
def audit() -> None:
    """The audit log of searches and answers: export and purge."""


def _parse_since(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        msg = "use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        raise click.BadParameter(msg) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@audit.command(name="export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl")
@click.option("--since", callback=_parse_since, help="Records from YYYY-MM-DD[THH:MM] (UTC) on.")
@click.option("--user", help="Records of this user only.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.pass_context
def export_command(
    ctx: click.Context, fmt: str, since: datetime | None, user: str | None, output: Path | None
) -> None:
    """Export audit records, oldest first, as JSON lines or CSV."""
    with errors():
        log = AuditLog.from_settings(settings_of(ctx.find_root()))
        if output is None:
            count = log.export(sys.stdout, fmt, since=since, user=user)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = log.export(out, fmt, since=since, user=user)
    click.echo(f"{count} records exported.", err=True)


@audit.command()
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(1),
    help="Days to keep (default: audit.retention_days).",
)
@click.pass_context
def purge(ctx: click.Context, days: int | None) -> None:
    """Delete audit records older than the retention period."""
    settings = settings_of(ctx.find_root())
    keep = days or settings.audit.retention_days
    if keep is None:
        msg = "No retention period: pass --older-than DAYS or set audit.retention_days"
        raise click.UsageError(msg)
    with errors():
        deleted = AuditLog.from_settings(settings).purge(keep)
    click.echo(f"{deleted} records older than {keep} days deleted.")


@click.command(name="eval-answers")
@click.argument(
    "set_path", metavar="SET", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--mode",
    type=click.Choice(["keyword", "semantic", "hybrid"]),
    default="hybrid",
    show_default=True,
    help="Search mode (keyword: the set is indexed without embeddings).",
)
@click.option(
    "--questions",
    type=click.IntRange(1),
    help="Answer this many questions, drawn with --seed (default: all).",
)
@click.option("--seed", default=7, show_default=True, help="Seed of the draw of questions.")
@click.option(
    "--verifier/--no-verifier",
    default=True,
    help="Also measure the verifier on its labelled set (default: yes).",
)
@click.option("--reindex", is_flag=True, help="Rebuild the set's index first.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the report as JSON and Markdown here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def eval_answers(
    ctx: click.Context,
    set_path: Path,
    mode: str,
    questions: int | None,
    seed: int,
    verifier: bool,
    reindex: bool,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Measure answers on a BEIR set with gold documents (and answers.jsonl passages).

    Indexes the set under <data dir>/eval/, searches each question and answers it by the
    extract and, when llm.url is set, by that LLM; verifies every answer and prints per
    way of answering: gold document among the passages and cited, gold passage cited,
    citation precision, sentences flagged, latency; then the verifier's own quality on
    its labelled set.
    """
    from ingest.evaluation import evaluate_answers_of_set
    from search.evaluation.answers import load_answer_cases, save_answer_report
    from search.evaluation.retrieval import load_beir

    settings = settings_of(ctx)
    with errors():
        beir = load_beir(set_path)
        cases = load_answer_cases(beir, sample=questions, seed=seed)
        report = evaluate_answers_of_set(
            settings,
            beir,
            cases,
            mode=mode,  # type: ignore[arg-type]
            verifier_quality=verifier,
            reindex=reindex,
            progress=lambda line: click.echo(line, err=True),
        )
    if report_dir is not None:
        for path in save_answer_report(report, report_dir):
            click.echo(f"Saved {path}", err=True)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.to_markdown())
