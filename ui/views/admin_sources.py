"""Admin: the sources — list, add (folder, OParl, website, law XML), edit, remove, test the
connection, sync now (with progress)."""

from __future__ import annotations

import html
import json
from types import SimpleNamespace
from typing import Any

import streamlit as st
from pydantic import ValidationError

from search.core.errors import AuskunftError, ConfigurationError
from search.core.fields import DOC_TYPES
from search.core.settings import SourceEntry
from search.core.source_options import OptionSyntaxError, parse_options
from ui.auth import split_groups
from ui.i18n import check_text, local_time, reason_text, t
from ui.session import client, language, require_admin, service_errors, settings
from ui.views.admin_status import follow

Source = SimpleNamespace
"""A source as the service describes it (attributes of ``GET /api/v1/sources``)."""


def _kinds() -> dict[str, dict[str, Any]]:
    """:returns: the kinds of source the service knows (asked once per session)."""
    if "_source_kinds" not in st.session_state:
        with service_errors():
            st.session_state["_source_kinds"] = client().source_kinds()
    kinds: dict[str, dict[str, Any]] = st.session_state["_source_kinds"]
    return kinds


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _sync(name: str) -> None:
    lang = language()
    try:
        with service_errors():
            job = follow(client().sync(name), t(lang, "sync_starting", name=name))
    except AuskunftError as exc:
        st.error(t(lang, "error", error=exc))
        return
    if job["state"] != "done":
        st.error(t(lang, "error", error=job.get("error") or ""))
        return
    report = job.get("report") or {}
    # drawn again from the start, so that the card shows the new counts and last sync
    st.session_state[f"_sync_report_{name}"] = t(
        lang, "sync_report", seconds=report.get("seconds", 0), **_counts(report)
    )
    st.rerun()


def _remove(name: str) -> None:
    lang = language()
    with service_errors():
        job = follow(client().remove_source(name), t(lang, "removing"))
    if job["state"] != "done":
        st.error(t(lang, "error", error=job.get("error") or ""))
        return
    removed = (job.get("report") or {}).get("deleted", 0)
    st.session_state["_sources_message"] = t(lang, "removed", name=name, n=removed)
    st.rerun()


def _counts(report: dict[str, Any]) -> dict[str, int]:
    """:returns: a sync report's counts, zero where the kind of sync has none (a sync on
    the queue indexes nothing itself, a direct one queues nothing)."""
    keys = ("seen", "queued", "indexed", "unchanged", "failed", "deleted")
    return {key: int(report.get(key, 0)) for key in keys}


def _patterns(patterns: list[str]) -> str:
    """:returns: glob patterns as typed (``**/*`` is no Markdown emphasis)."""
    return ", ".join(f"`{pattern}`" for pattern in patterns)


def _last_sync(source: Source, lang: str) -> str:
    last = source.last_sync
    if not last:
        return t(lang, "never_synced")
    at = local_time(last.get("at"))
    if not last.get("ok"):
        return t(lang, "last_sync_failed", at=at, error=last.get("error", ""))
    report = last.get("report") or {}
    # a sync on the queue lists and queues; its documents are ingested by the workers
    key = "last_sync_queued" if "queued" in report else "last_sync_ok"
    return t(lang, key, at=at, **_counts(report))


def _options_text(options: dict[str, Any]) -> str:
    return "\n".join(
        f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in options.items()
    )


def _parse_options(text: str, lang: str) -> dict[str, Any]:
    try:
        return parse_options(_lines(text))
    except OptionSyntaxError as exc:
        raise ConfigurationError(t(lang, "bad_option", line=exc.line)) from exc


def _source_form(
    lang: str, key: str, kind: str, source: Source | None = None
) -> dict[str, Any] | None:
    """The fields of a source of ``kind``; :returns: the values when submitted.

    A "test connection" press shows the result and returns nothing.
    """
    spec = SimpleNamespace(**_kinds()[kind])
    with st.form(key):
        name = st.text_input(
            t(lang, "source_name"), value=source.name if source else "", disabled=bool(source)
        )
        location = st.text_input(
            t(lang, "source_location", label=spec.location_label)
            if kind != "folder"
            else t(lang, "source_path"),
            value=source.location if source else "",
        )
        if kind in ("folder", "lawxml"):
            include = st.text_area(
                t(lang, "source_include"),
                value="\n".join(source.include) if source else "",
                help=t(lang, "source_globs_help"),
            )
            exclude = st.text_area(
                t(lang, "source_exclude"), value="\n".join(source.exclude) if source else ""
            )
        else:
            include = exclude = ""
        options = st.text_area(
            t(lang, "source_options"),
            value=_options_text(source.options) if source else "",
            help=t(
                lang,
                "source_options_help",
                known="; ".join(f"{k}: {v}" for k, v in spec.options.items()) or "–",
            ),
            disabled=not spec.options,
        )
        groups = st.text_input(
            t(lang, "source_groups"),
            value=", ".join(source.access_groups) if source else "",
            help=t(lang, "source_groups_help"),
        )
        types = [None, *DOC_TYPES]
        doc_type = st.selectbox(
            t(lang, "source_doc_type"),
            types,
            index=types.index(source.doc_type) if source else 0,
            format_func=lambda v: t(lang, v) if v else t(lang, "infer"),
        )
        interval = st.number_input(
            t(lang, "source_interval"),
            min_value=0,
            max_value=60 * 24 * 31,
            value=(source.interval_minutes or 0) if source else 0,
            step=15,
        )
        test, submit = st.columns(2)
        tested = test.form_submit_button(t(lang, "test_connection"), icon=":material/lan:")
        submitted = submit.form_submit_button(
            t(lang, "save" if source else "add_source"), type="primary"
        )
        if not (tested or submitted):
            return None
        try:
            values = SourceEntry(  # the one source model, as in the settings file and CLI
                name=source.name if source else name,
                kind=kind,
                location=location,
                include=_lines(include),
                exclude=_lines(exclude),
                access_groups=list(split_groups(groups)),
                doc_type=doc_type,
                options=_parse_options(options, lang),
                interval_minutes=int(interval) or None,
            ).model_dump()
            if tested:
                with st.spinner(t(lang, "test_connection")):
                    result = client().test_source(entry=values)
                st.success(t(lang, "test_ok", result=check_text(lang, result)))
                return None
        except (AuskunftError, ValidationError) as exc:
            st.error(t(lang, "error", error=exc))
            return None
    return values


def _failures(failures: list[dict[str, Any]], lang: str) -> None:
    """The source's documents that failed and still do: a sync that finds them unchanged
    counts them as unchanged, so the card lists them until they are fixed or removed."""
    if not failures:
        return
    with st.expander(
        t(lang, "source_failures", n=len(failures)),
        expanded=len(failures) <= 5,
        icon=":material/error:",
    ):
        for failure in failures:
            name = str(failure["uri"]).rsplit("/", 1)[-1]
            st.markdown(f"**{html.escape(name)}** · {reason_text(lang, failure.get('reason'))}")
            if failure.get("error"):
                st.caption(t(lang, "technical", error=failure["error"]))


def _source_card(
    source: Source, counts: dict[str, int], failures: list[dict[str, Any]] | None = None
) -> None:
    lang = language()
    with st.container(border=True, key=f"source-{source.name}"):
        every = (
            f" · {t(lang, 'every_minutes', n=source.interval_minutes)}"
            if source.interval_minutes
            else ""
        )
        st.markdown(
            f"**{source.name}** · {t(lang, 'kind_' + source.kind)}{every} · `{source.location}`"
        )
        groups = ", ".join(source.access_groups) or ", ".join(
            settings().ingest.default_access_groups
        )
        st.caption(
            t(
                lang,
                "source_facts",
                indexed=counts.get("indexed", 0),
                failed=counts.get("failed", 0),
                groups=groups,
                include=_patterns(source.include) or "`**/*`",
                exclude=_patterns(source.exclude) or "–",
            )
        )
        st.caption(_last_sync(source, lang))
        _failures(failures or [], lang)
        skipped = ((source.last_sync or {}).get("report") or {}).get("skipped") or []
        if skipped:
            with st.expander(t(lang, "skipped_objects", n=len(skipped))):
                for item in skipped:
                    reason = reason_text(lang, item.get("reason"))
                    detail = f" ({item['error']})" if item.get("error") else ""
                    st.markdown(f"- `{item.get('uri')}` — {reason}{detail}")
        if source.needs_reindex:
            st.info(t(lang, "needs_reindex"))
        if source.origin == "config":
            st.caption(t(lang, "from_config"))
        report = st.session_state.pop(f"_sync_report_{source.name}", None)
        if report:
            st.success(report)
        sync, test, edit, remove = st.columns([1, 1, 1, 1])
        if sync.button(
            t(lang, "sync_now"), key=f"sync-{source.name}", type="primary", icon=":material/sync:"
        ):
            _sync(source.name)
        if test.button(
            t(lang, "test_connection"), key=f"test-{source.name}", icon=":material/lan:"
        ):
            try:
                with st.spinner(t(lang, "test_connection")):
                    result = client().test_source(source.name)
            except AuskunftError as exc:
                st.error(t(lang, "error", error=exc))
            else:
                st.success(t(lang, "test_ok", result=check_text(lang, result)))
        if source.origin == "config":
            return
        with edit.popover(t(lang, "edit"), icon=":material/edit:"):
            changed = _source_form(lang, f"edit-{source.name}", source.kind, source)
            if changed is not None:
                edits = {k: v for k, v in changed.items() if k not in ("name", "kind")}
                try:
                    client().update_source(source.name, edits)
                except AuskunftError as exc:
                    st.error(t(lang, "error", error=exc))
                else:
                    st.session_state["_sources_message"] = t(lang, "saved", name=source.name)
                    st.rerun()
        with remove.popover(t(lang, "remove"), icon=":material/delete:"):
            st.warning(t(lang, "remove_confirm", name=source.name))
            if st.button(t(lang, "remove"), key=f"remove-{source.name}", type="primary"):
                _remove(source.name)


def render() -> None:
    """Render the sources page (admins only)."""
    require_admin()
    lang = language()
    st.title(t(lang, "nav_sources"))
    message = st.session_state.pop("_sources_message", None)
    if message:
        st.success(message)
    service = client()
    with service_errors():
        sources = [Source(**body) for body in service.sources()]
        status = service.status()
    counts = status["sources"]
    failures: dict[str, list[dict[str, Any]]] = {}
    for failure in status.get("failures", []):
        failures.setdefault(failure["source"], []).append(failure)
    unregistered = sorted(set(counts) - {source.name for source in sources})
    for source in sources:
        _source_card(source, counts.get(source.name, {}), failures.get(source.name))
    if not sources:
        st.info(t(lang, "no_sources"))
    with st.expander(t(lang, "add_new_source"), expanded=not sources, icon=":material/add:"):
        kind = st.selectbox(
            t(lang, "source_kind"),
            list(_kinds()),
            format_func=lambda k: t(lang, f"kind_{k}"),
            key="new-source-kind",
        )
        new = _source_form(lang, "add-source", kind)
        if new is not None:
            try:
                service.add_source(new)
            except AuskunftError as exc:
                st.error(t(lang, "error", error=exc))
            else:
                st.session_state["_sources_message"] = t(lang, "added", name=new["name"])
                st.rerun()
    if unregistered:
        st.subheader(t(lang, "unregistered"))
        st.caption(t(lang, "unregistered_help"))
        for name in unregistered:
            by_status = counts.get(name, {})
            left, right = st.columns([3, 1])
            left.markdown(f"**{name}** · {by_status.get('indexed', 0)} {t(lang, 'status_indexed')}")
            with right.popover(t(lang, "remove"), icon=":material/delete:"):
                st.warning(t(lang, "remove_confirm", name=name))
                if st.button(t(lang, "remove"), key=f"remove-{name}", type="primary"):
                    _remove(name)
