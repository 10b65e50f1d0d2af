"""What every page gets before its content: the document's language, the few CSS rules
that make Streamlit's look meet WCAG 2.1 AA, and German names for Streamlit's own
controls (the framework's frontend speaks English only).

The script runs once per browser tab: it sets ``<html lang>`` (screen readers pick their
voice by it) and renames Streamlit's English labels, tooltips and hints as Streamlit draws
them, from :data:`ui.i18n.FRAMEWORK_TEXTS`.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from ui.i18n import FRAMEWORK_TEXTS

CSS = """
/* Captions are drawn in the text colour at opacity 0.6: 3.9:1 on white, below the
   4.5:1 of WCAG 1.4.3. At 0.8 they stay lighter than text and read 7:1. */
[data-testid="stCaptionContainer"] { opacity: 0.8; }
/* this frame's own script and style take no room */
.stElementContainer:has(> .stHtml > .auskunft-frame) { display: none; }
"""

_SCRIPT = """
(() => {
  const frame = window.auskunftFrame = window.auskunftFrame || {};
  frame.lang = %(lang)s;
  frame.texts = %(texts)s;
  frame.patterns = %(patterns)s.map(([source, target]) => [new RegExp(source), target]);
  document.documentElement.lang = frame.lang;
  const say = (text) => {
    if (!text || frame.lang !== "de") return null;
    const trimmed = text.trim();
    if (Object.prototype.hasOwnProperty.call(frame.texts, trimmed)) {
      return text.replace(trimmed, frame.texts[trimmed]);
    }
    for (const [pattern, target] of frame.patterns) {
      if (pattern.test(trimmed)) return text.replace(trimmed, trimmed.replace(pattern, target));
    }
    return null;
  };
  const ATTRIBUTES = ["aria-label", "title", "placeholder"];
  const OWN = '[data-testid="stMarkdownContainer"], [data-testid="stCode"], '
    + '[data-testid="stTable"], [data-testid="stText"], .auskunft-passage';
  // Streamlit's own labels it draws as Markdown (the file uploader's "Upload" button)
  const FRAMEWORK = '[data-testid="stFileUploaderDropzone"] button';
  const translate = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      // our own texts and the documents' are left as they are, whatever they say
      const parent = node.parentElement;
      if (parent && parent.closest(OWN) && !parent.closest(FRAMEWORK)) return;
      const said = say(node.nodeValue);
      if (said !== null && said !== node.nodeValue) node.nodeValue = said;
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const name of ATTRIBUTES) {
      const said = say(node.getAttribute(name));
      if (said !== null && said !== node.getAttribute(name)) node.setAttribute(name, said);
    }
    for (const child of node.childNodes) translate(child);
  };
  translate(document.body);
  if (frame.observer) return;
  frame.observer = new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "childList") change.addedNodes.forEach(translate);
      else translate(change.target);
    }
  });
  frame.observer.observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ATTRIBUTES,
  });
})();
"""


def render(lang: str) -> None:
    """Add the frame to the page being drawn.

    :param lang: the interface language (``de`` or ``en``).
    """
    texts = FRAMEWORK_TEXTS
    exact = {english: german for english, german in texts.items() if "{" not in english}
    patterns = [
        ("^" + _pattern(english) + "$", _replacement(german))
        for english, german in texts.items()
        if "{" in english
    ]
    script = _SCRIPT % {
        "lang": json.dumps(lang),
        "texts": json.dumps(exact, ensure_ascii=False),
        "patterns": json.dumps(patterns, ensure_ascii=False),
    }
    st.html(
        f'<div class="auskunft-frame"><style>{CSS}</style><script>{script}</script></div>',
        unsafe_allow_javascript=True,
    )


def _pattern(english: str) -> str:
    """``Help for {label}`` → ``Help for (.+)`` (escaped for a JavaScript RegExp)."""
    parts = re.split(r"\{\w+\}", english)
    return "(.+)".join(re.escape(part) for part in parts)


def _replacement(german: str) -> str:
    """``Hilfe zu {label}`` → ``Hilfe zu $1`` (placeholders in the order they appear)."""
    counter = iter(range(1, 10))
    return re.sub(r"\{\w+\}", lambda _: f"${next(counter)}", german)
