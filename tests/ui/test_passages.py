"""Passages are shown as the document has them: never read as Markdown."""

from __future__ import annotations

from markdown_it import MarkdownIt

from ui.views.search import safe_highlight

# CommonMark with raw HTML allowed, as st.markdown(..., unsafe_allow_html=True) renders
_MARKDOWN = MarkdownIt("commonmark", {"html": True})


def _rendered(snippet: str) -> str:
    return _MARKDOWN.render(safe_highlight(snippet))


def test_a_passage_starting_with_a_number_is_no_list() -> None:
    html = _rendered("4. Die <mark>Hundesteuer</mark> wird fällig.\n\n5. Sie ist zu zahlen.")
    assert "<ol" not in html and "<li" not in html
    assert "4. Die <mark>Hundesteuer</mark> wird fällig.<br><br>5. Sie ist zu zahlen." in html


def test_markdown_and_markup_in_a_document_stay_text() -> None:
    html = _rendered(
        "# Titel\n* Punkt\n**fett** [Link](http://example.org) <script>alert(1)</script>"
    )
    for element in ("<h1", "<ul", "<strong", "<a ", "<script"):
        assert element not in html, element
    assert "&lt;script&gt;" in html and "[Link](http://example.org)" in html


def test_only_the_highlight_is_markup() -> None:
    html = _rendered("Die <mark>Steuer</mark> &amp; <b>Gebühr</b>")
    assert "<mark>Steuer</mark>" in html
    assert "&amp;" in html and "&lt;b&gt;" in html
