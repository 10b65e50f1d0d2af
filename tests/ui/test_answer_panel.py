"""The answer panel marks the words of a flagged sentence that no source states."""

from __future__ import annotations

from ui.answer_panel import _escaped


def test_unsupported_words_are_bold_but_citations_stay_citations() -> None:
    text = "Nach § 3 Abs. 1 beträgt die Steuer 1 Euro (nicht 150 Euro) [1]."
    shown = _escaped(text, ["1", "150"])
    assert "Abs. **1** beträgt" in shown
    assert "nicht **150** Euro" in shown
    assert shown.endswith("**[1]**.")
    assert _escaped("Der *Ortschaftsrat* beschloss [2].", ["Ortschaftsrat"]) == (
        "Der \\***Ortschaftsrat**\\* beschloss **[2]**."
    )
