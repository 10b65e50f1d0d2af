"""A date field staff type into: ``dd.mm.yyyy``, applied on Enter (or when the field is
left), with a German hint when the text is no date.

Streamlit's ``st.date_input`` applies a typed date only when the field loses focus, not
on Enter, and names its parts in English ("dd/mm/yyyy", "day", "Choose date"); a text
field does neither.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from ui.i18n import t

FORMATS = ("%d.%m.%Y", "%Y-%m-%d")


def parse_date(text: str) -> date | None:
    """:returns: the date in ``text`` (``15.03.2024``, ``1.3.2024`` or ``2024-03-15``);
    ``None`` for an empty text.

    :raises ValueError: when the text is not a date.
    """
    text = text.strip()
    if not text:
        return None
    for pattern in FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    msg = f"not a date: {text!r}"
    raise ValueError(msg)


def format_date(value: date | None) -> str:
    """:returns: the date as staff write it, ``15.03.2024``; empty for none."""
    return value.strftime("%d.%m.%Y") if value else ""


def _apply(key: str) -> None:
    text = str(st.session_state.get(f"_{key}-text") or "")
    try:
        st.session_state[key] = parse_date(text)
        st.session_state[f"_{key}-invalid"] = False
    except ValueError:
        st.session_state[key] = None
        st.session_state[f"_{key}-invalid"] = True


def date_field(label: str, key: str, lang: str, help_text: str | None = None) -> date | None:
    """Render a date field.

    :param label: its label.
    :param key: where the date is kept in the session (``st.session_state[key]``, a
        :class:`~datetime.date` or ``None``; set it before the field to preset it).
    :param lang: the interface language.
    :param help_text: its tooltip (default: how to type a date).
    :returns: the date, or ``None`` when the field is empty or holds no date.
    """
    text_key = f"_{key}-text"
    value = st.session_state.get(key)
    value = value if isinstance(value, date) else None
    invalid = st.session_state.get(f"_{key}-invalid", False)
    if not invalid and st.session_state.get(text_key) != format_date(value):
        # set elsewhere (from the URL, a reset) or typed as 1.3.2024: shown as 01.03.2024
        st.session_state[text_key] = format_date(value)
    st.text_input(
        label,
        key=text_key,
        placeholder=t(lang, "date_placeholder"),
        help=help_text or t(lang, "date_help"),
        on_change=_apply,
        args=(key,),
    )
    if invalid:
        st.error(t(lang, "date_invalid"), icon=":material/event_busy:")
    return value
