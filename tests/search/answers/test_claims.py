"""Claims an answer sentence makes — figures, dates, references, negation, bodies — checked
against the passages it cites, on German administrative text; and the benchmark's set."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import answers
from search.answers.claims import BODY, DATE, FIGURE, NEGATION, REFERENCE, PassageClaims, check
from search.answers.context import SourcePassage
from search.answers.verification import AnswerVerifier
from search.core.settings import LLMSettings
from search.evaluation.verifier_cases import KINDS, build_cases

MIN_SUPPORT = LLMSettings().min_support
EVAL_DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eval"

STEUERSATZ = PassageClaims(
    "(1) Die Steuer beträgt jährlich für den ersten Hund 120,00 €, für jeden weiteren Hund "
    "180 Euro. (2) Für einen gefährlichen Hund im Sinne des § 4 Abs. 3 beträgt die Steuer "
    "1.200,50 Euro. (3) Die Steuer wird nicht erstattet, wenn der Hund vor dem 1. Juli "
    "abgemeldet wird. (4) Die Hundesteuer ist zum 15.02.2025 fällig und muss innerhalb von "
    "zwei Wochen gezahlt werden. Ermäßigt wird sie um 50 % für Hunde aus dem Tierheim.",
    "Hundesteuersatzung\n§ 3 Steuersatz\nHundesteuersatzung, § 3 Steuersatz, S. 2",
)
VORLAGE = PassageClaims(
    "Der Gemeinderat hat am 21. März 2017 auf Empfehlung des Planungsausschusses die "
    "Sanierung beschlossen (Drs. 2017/0153). Das Gartenbauamt rechnet mit Kosten von 3 Mio. "
    "Euro im Jahr 2018. Anträge können Anwohner beim Bürgerbüro stellen; Gebühren werden "
    "nicht erhoben. Die Bauzeit beträgt 10 bis 14 Monate.",
    "Sanierung der Günther-Klotz-Anlage",
)


def kinds(sentence: str, passage: PassageClaims) -> list[tuple[str, str]]:
    return [(mismatch.kind, mismatch.words) for mismatch in check(sentence, [passage])]


@pytest.mark.parametrize(
    ("sentence", "passage"),
    [
        ("Für den ersten Hund beträgt die Steuer 120 Euro im Jahr [1].", STEUERSATZ),
        ("Für einen gefährlichen Hund sind es 1200,50 € [1].", STEUERSATZ),
        ("Nach § 3 Abs. 2 beträgt die Steuer für gefährliche Hunde 1.200,50 Euro [1].", STEUERSATZ),
        ("Gefährlich ist ein Hund im Sinne des § 4 Abs. 3 [1].", STEUERSATZ),
        ("Die Hundesteuer ist am 15. Februar 2025 fällig [1].", STEUERSATZ),
        ("Sie muss binnen 2 Wochen gezahlt werden [1].", STEUERSATZ),
        ("Für Hunde aus dem Tierheim wird sie um 50 Prozent ermäßigt [1].", STEUERSATZ),
        (
            "Die Steuer wird nicht erstattet, wenn der Hund vor dem 1. Juli abgemeldet wird [1].",
            STEUERSATZ,
        ),
        ("Der Gemeinderat beschloss die Sanierung im März 2017 [1].", VORLAGE),
        ("Die Sanierung wurde 2017 beschlossen (Drucksache 2017/153) [1].", VORLAGE),
        ("Das Gartenbauamt rechnet 2018 mit 3.000.000 Euro Kosten [1].", VORLAGE),
        ("Anwohner stellen Anträge beim Bürgerbüro; Gebühren werden nicht erhoben [1].", VORLAGE),
        ("Die Bauzeit beträgt zehn bis 14 Monate [1].", VORLAGE),
    ],
)
def test_supported_claims_pass(sentence: str, passage: PassageClaims) -> None:
    assert kinds(sentence, passage) == []


@pytest.mark.parametrize(
    ("sentence", "passage", "expected"),
    [
        ("Die Hundesteuer für den ersten Hund beträgt 150 Euro [1].", STEUERSATZ, (FIGURE, "150")),
        (
            "Für einen gefährlichen Hund sind es 1.200,60 Euro [1].",
            STEUERSATZ,
            (FIGURE, "1.200,60"),
        ),
        ("Für Hunde aus dem Tierheim gibt es 25 % Ermäßigung [1].", STEUERSATZ, (FIGURE, "25")),
        ("Die Bauzeit beträgt 10 bis 16 Monate [1].", VORLAGE, (FIGURE, "16")),
        ("Das Gartenbauamt rechnet mit 3 Mrd. Euro Kosten [1].", VORLAGE, (FIGURE, "3 Mrd.")),
        ("Die Hundesteuer ist zum 15.03.2025 fällig [1].", STEUERSATZ, (DATE, "15.03.2025")),
        ("Der Gemeinderat beschloss am 21. März 2016 [1].", VORLAGE, (DATE, "21. März 2016")),
        ("Erstattet wird bei Abmeldung vor dem 1. Juni [1].", STEUERSATZ, (DATE, "1. Juni")),
        ("Das Gartenbauamt rechnet im Jahr 2019 mit Kosten [1].", VORLAGE, (FIGURE, "2019")),
        (
            "Nach § 5 beträgt die Steuer für den ersten Hund 120 Euro [1].",
            STEUERSATZ,
            (REFERENCE, "§ 5"),
        ),
        (
            "Nach § 3 Abs. 6 gilt für gefährliche Hunde 1.200,50 Euro [1].",
            STEUERSATZ,
            (REFERENCE, "§ 3 Abs. 6"),
        ),
        (
            "Gefährlich ist ein Hund im Sinne des § 4 Abs. 2 [1].",
            STEUERSATZ,
            (REFERENCE, "§ 4 Abs. 2"),
        ),
        (
            "Die Sanierung ist beschlossen (Drs. 2017/0154) [1].",
            VORLAGE,
            (REFERENCE, "Drs. 2017/0154"),
        ),
        (
            "Die Steuer wird erstattet, wenn der Hund vor dem 1. Juli abgemeldet wird [1].",
            STEUERSATZ,
            (NEGATION, "nicht"),
        ),
        (
            "Gebühren werden beim Bürgerbüro erhoben, Anträge können Anwohner nicht stellen [1].",
            VORLAGE,
            (NEGATION, "nicht"),
        ),
        (
            "Die Steuer ist zum 15.02.2025 fällig und kann binnen zwei Wochen gezahlt werden [1].",
            STEUERSATZ,
            (NEGATION, "kann"),
        ),
        ("Der Ortschaftsrat hat die Sanierung beschlossen [1].", VORLAGE, (BODY, "Ortschaftsrat")),
        ("Anträge stellen Anwohner beim Bürgeramt [1].", VORLAGE, (BODY, "Bürgeramt")),
    ],
)
def test_unsupported_claims_are_found_with_their_words(
    sentence: str, passage: PassageClaims, expected: tuple[str, str]
) -> None:
    assert expected in kinds(sentence, passage)


def test_a_negation_elsewhere_in_the_passage_is_not_missed_by_a_short_answer() -> None:
    passage = PassageClaims(
        "In den meisten Fällen wurden nicht nur eine, sondern mehrere Maßnahmen gefördert. "
        "Eine Aufteilung der Förderbeträge ist daher nicht möglich. "
        "Förderungen für sonstige Maßnahmen gab es nur vereinzelt."
    )
    assert kinds("Sonstige Maßnahmen wurden nur vereinzelt gefördert [1].", passage) == []
    assert kinds("Eine Aufteilung der Förderbeträge ist möglich [1].", passage) == [
        (NEGATION, "nicht")
    ]


def test_citation_markers_are_no_figures_and_bodies_match_in_any_inflection() -> None:
    assert kinds("Der Gemeinderat hat die Sanierung beschlossen [1][2].", VORLAGE) == []
    plural = PassageClaims("Die Gemeinderäte und die Bauämter wurden im März 2017 gehört.")
    assert kinds("Der Gemeinderat und das Bauamt wurden gehört [1].", plural) == []


def hundesteuer(number: int, text: str, section: str) -> SourcePassage:
    return SourcePassage(
        number=number,
        chunk_id=f"doc:{number}",
        doc_id="doc",
        content_hash=None,
        title="Hundesteuersatzung",
        citation=f"Hundesteuersatzung, {section}",
        section=section,
        page_start=None,
        page_end=None,
        uri="",
        text=text,
        prompt_text=text,
    )


def test_verifier_flags_a_wrong_amount_and_records_its_words() -> None:
    sources = [
        hundesteuer(
            1, "(1) Die Steuer beträgt für den ersten Hund 120 Euro im Jahr.", "§ 3 Steuersatz"
        ),
        hundesteuer(2, "Die Steuer wird für Assistenzhunde nicht erhoben.", "§ 5 Befreiungen"),
    ]
    answer = AnswerVerifier(MIN_SUPPORT).verify(
        "Die Hundesteuer für den ersten Hund beträgt nach § 3 Abs. 1 jährlich 150 Euro [1]. "
        "Für Assistenzhunde wird die Steuer erhoben [2]. "
        "Assistenzhunde sind nach § 5 befreit [2].",
        "Wie hoch ist die Hundesteuer?",
        sources,
    )
    figure, negation, fine = answer.sentences
    assert figure.flags == [answers.WRONG_FIGURE]
    assert figure.unsupported == ["150"]
    assert negation.flags == [answers.NEGATION]
    assert negation.unsupported == ["nicht"]
    assert fine.flags == []
    assert answer.flags == [answers.WRONG_FIGURE, answers.NEGATION]
    assert answer.to_dict()["sentences"][0]["unsupported"] == ["150"]
    before = AnswerVerifier(MIN_SUPPORT, check_claims=False).verify(figure.text, "?", sources)
    assert before.sentences[0].flags == []  # word overlap alone lets it pass


@pytest.mark.slow
def test_benchmark_set_has_every_kind_and_enough_sentences() -> None:
    data = EVAL_DATA
    if not (data / "karlsruhe_anfragen" / "answers.jsonl").is_file():
        pytest.skip(f"the shared evaluation data is not at {data}")
    cases = build_cases(data)
    assert len(cases) >= 2000
    counts = {kind: sum(case.kind == kind for case in cases) for kind in KINDS}
    assert all(count >= 200 for count in counts.values()), counts
    assert all(case.sentence.endswith(("[1].", "[1]?", "[1]!", "[1]:", "[1];")) for case in cases)
    again = build_cases(data)
    assert [case.sentence for case in again] == [case.sentence for case in cases]
