"""*Fassungen und Verweise*: what a document amends and what amends it, from when to when
it is in force (with the page saying so), the versions of its statute and what it cites
or is cited by, as the service's ``/documents/{id}/relations`` tells it.

Also the pieces a result card shows of the same: its validity notes with a button to the
other document, and the mark of a passage that is an earlier wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import streamlit as st

from search.core.errors import AuskunftError, NotFound
from ui.date_field import format_date
from ui.i18n import t
from ui.reader import document_link
from ui.session import client, language

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~$])")
_LINK_LISTS = (
    ("amended_by", "amended_by_title"),
    ("amends", "amends_title"),
    ("replaced_by", "replaced_by_title"),
    ("replaces", "replaces_title"),
    ("cited_by", "cited_by_title"),
)
_SHORT_TITLE = 70


def escaped(text: str) -> str:
    """:returns: ``text`` as Markdown that shows it as it is (a title is no link, no list)."""
    return _MARKDOWN.sub(r"\\\1", text)


def day(value: str | None) -> str:
    """:returns: an ISO date as staff write it (``01.06.2024``); other text as it is."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value[:10]))
    except ValueError:
        return value


def short_title(title: str) -> str:
    """:returns: a title short enough for a button: a Drucksache's number and subject up to
    the dash, else the first words."""
    head = title.split(" – ", 1)[0] if title.startswith("Drucksache") else title
    if len(head) <= _SHORT_TITLE:
        return head
    return head[: _SHORT_TITLE - 1].rsplit(" ", 1)[0] + " …"


def linked_for(
    note: str, amends: Sequence[dict[str, Any]], amended_by: Sequence[dict[str, Any]]
) -> dict[str, Any] | None:
    """:returns: the document a validity note names (the amendment of a "Geändert durch",
    the statute of an "Ändert"), ``None`` for a note naming none."""
    if note.startswith("Geändert durch"):
        candidates = amended_by
    elif note.startswith("Ändert"):
        candidates = amends
    else:
        return None
    named = [
        link for link in candidates if link.get("doc_id") and str(link.get("title") or "\0") in note
    ]
    if named:
        return named[0]
    return candidates[0] if len(candidates) == 1 and candidates[0].get("doc_id") else None


def validity_notes(
    notes: Sequence[str],
    amends: Sequence[dict[str, Any]],
    amended_by: Sequence[dict[str, Any]],
    *,
    key: str,
    open_document: Callable[[str], None],
) -> None:
    """Show a hit's validity notes, one warning each; a note naming another document gets
    a button that opens it.

    :param notes: the notes (``DocumentHit.validity``).
    :param amends: the documents the hit amends.
    :param amended_by: the documents amending the hit.
    :param key: distinguishes the buttons of several cards.
    :param open_document: called (as a button's callback) with the document to open.
    """
    lang = language()
    for index, note in enumerate(notes):
        icon = ":material/history:" if note.startswith(("Geändert", "Ändert")) else None
        st.warning(escaped(note), icon=icon or ":material/gavel:")
        linked = linked_for(note, amends, amended_by)
        if linked:
            st.button(
                t(lang, "open_related", title=short_title(str(linked.get("title") or ""))),
                key=f"related-{key}-{index}",
                type="tertiary",
                icon=":material/description:",
                on_click=open_document,
                args=(str(linked["doc_id"]),),
            )


def superseded_note(note: str | None) -> None:
    """Mark a passage that is an earlier wording ("Frühere Fassung: § 3 Abs. 1 geändert
    durch …")."""
    if note:
        st.warning(escaped(t(language(), "superseded", note=note)), icon=":material/history:")


def _link(linked: dict[str, Any], current: str, lang: str) -> str:
    title = str(linked.get("title") or linked.get("doc_id") or "")
    doc_id = str(linked.get("doc_id") or "")
    if doc_id == current:
        shown = f"**{escaped(title)}** ({t(lang, 'this_document')})"
    elif doc_id:
        shown = f"[{escaped(title)}]({document_link(doc_id)})"
    else:
        shown = escaped(title)
    facts = []
    if linked.get("date"):
        facts.append(t(lang, "linked_date", date=day(str(linked["date"]))))
    if linked.get("in_force_from"):
        facts.append(t(lang, "linked_in_force", date=day(str(linked["in_force_from"]))))
    if linked.get("changes"):
        facts.append(t(lang, "linked_changes", changes=", ".join(linked["changes"])))
    return shown + (f" – {escaped(', '.join(facts))}" if facts else "")


def _evidence(found: dict[str, Any], current: str, lang: str, key: str, as_of: str) -> str:
    when = str(found.get("date") or "")
    if key == "in_force_until":
        text = t(lang, "in_force_until", date=day(when))
    elif when and as_of and when > as_of:
        text = t(lang, "in_force_from_future", date=day(when))
    else:
        text = t(lang, "in_force_from", date=day(when))
    line = escaped(text)
    page = found.get("page")
    if page:
        where = t(lang, "evidence_page", page=page)
        doc_id = str(found.get("doc_id") or current)
        line += f" ([{escaped(where)}]({document_link(doc_id, int(page))}))"
    if found.get("sentence"):
        line += f": „{escaped(str(found['sentence']))}“"
    return line


def _reference(reference: dict[str, Any], lang: str) -> str:
    text = escaped(str(reference.get("text") or ""))
    if reference.get("doc_id"):
        title = escaped(str(reference.get("title") or reference["doc_id"]))
        section = reference.get("section")
        target = document_link(str(reference["doc_id"]), reference.get("page"))
        text += f" → [{title}]({target})" + (f", {escaped(str(section))}" if section else "")
    return text


def relations_section(doc_id: str) -> None:
    """Show a document's *Fassungen und Verweise* on the *Rechtsstand* chosen on the
    search page (today when none), as a section under its title; nothing when the
    service knows none.

    :param doc_id: the document.
    """
    lang = language()
    as_of = st.session_state.get("as_of")
    try:
        found = client().relations(doc_id, as_of=as_of if isinstance(as_of, date) else None)
    except NotFound:
        return
    except AuskunftError as exc:  # the document is still worth reading without them
        st.caption(t(lang, "error", error=exc))
        return
    lists = [(name, found.get(field) or []) for field, name in _LINK_LISTS]
    lists = [(name, links) for name, links in lists if links]
    history = list(found.get("history") or [])
    references = list(found.get("references") or [])
    spans = [name for name in ("in_force_from", "in_force_until") if found.get(name)]
    if not (lists or len(history) > 1 or references or spans or found.get("notes")):
        return
    with st.expander(t(lang, "relations_title"), expanded=True, icon=":material/account_tree:"):
        st.caption(t(lang, "relations_as_of", date=day(found.get("as_of"))))
        for note in found.get("notes") or []:
            st.warning(escaped(str(note)), icon=":material/history:")
        for name in spans:
            st.markdown(_evidence(found[name], doc_id, lang, name, str(found.get("as_of") or "")))
        for name, links in lists:
            st.markdown(f"**{t(lang, name)}**")
            st.markdown("\n".join(f"- {_link(link, doc_id, lang)}" for link in links))
        if len(history) > 1:
            st.markdown(f"**{t(lang, 'history_title')}**")
            st.markdown(
                "\n".join(f"{n}. {_link(link, doc_id, lang)}" for n, link in enumerate(history, 1))
            )
        if references:
            st.markdown(f"**{t(lang, 'references_title')}**")
            st.markdown("\n".join(f"- {_reference(ref, lang)}" for ref in references))
