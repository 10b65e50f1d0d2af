"""An inquiry split into its questions, a written reply into its answers
(:mod:`search.cases.questions`).

The texts are real: inquiries as Karlsruhe council members wrote them (as their PDFs give
them, wrapped lines, hyphenation and page headers included), inquiries composed from the
questions of the ``karlsruhe_anfragen`` set, and the administration's written replies,
masked (``[Frage n]``) and as written. Short quotes; nothing is read from disk.
"""

from __future__ import annotations

from datetime import date

import pytest

from search.cases.questions import Inquiry, split_inquiry, split_reply, subject_line

# the questions of one Karlsruhe inquiry ("Bonusprogramm energetische Sanierung im
# Altbaubereich", 2013), as queries.jsonl has them
BONUS = (
    "Welche Maßnahmen wurden wie häufig und in welcher Höhe gefördert?",
    "Wie viele Mittel wurden jährlich über das Förderprogramm ausgeschüttet?",
    "Welche Möglichkeiten sieht die Stadtverwaltung, das Bonusprogramm weiter auszubauen "
    "im Hinblick auf - das Förderkonzept?",
    "Werden in einigen Stadtteilen oder Quartieren besonders häufig Anträge gestellt, so "
    "dass sich hieraus Hinweise für weitere städtisch geförderte „Konvoi- Sanierungen“ "
    "ergeben?",
)
TITLE = "Bonusprogramm energetische Sanierung im Altbaubereich"
PREAMBLE = (
    "Seit September 2011 fördert die Stadt mit dem Bonusprogramm energetische Sanierungen "
    "im Altbau (vgl. Drs. 2011/0123), z. B. den Austausch von Fenstern."
)
JUSTIFICATION = (
    "Nach zwei Jahren Laufzeit ist es Zeit für eine erste Bilanz. Die Mittel im Haushalt "
    "sind begrenzt, ca. 500.000 € im Jahr."
)


def texts(inquiry: Inquiry) -> list[str]:
    return [" ".join(question.text.split()) for question in inquiry.questions]


def labels(inquiry: Inquiry) -> list[str]:
    return [question.label for question in inquiry.questions]


def offsets_hold(text: str, inquiry: Inquiry) -> bool:
    spans = [inquiry.title, inquiry.preamble, inquiry.justification, inquiry.closing]
    return all(q.text == text[q.start : q.end] for q in inquiry.questions) and all(
        span.text == text[span.start : span.end] for span in spans if span
    )


# --- layouts ------------------------------------------------------------------------


def test_numbered_inquiry_with_preamble_justification_and_deadline() -> None:
    text = (
        f"{TITLE}\n\n{PREAMBLE} Wir fragen die Verwaltung:\n\n"
        + "\n".join(f"{n}. {q}" for n, q in enumerate(BONUS, 1))
        + f"\n\nBegründung:\n{JUSTIFICATION}\n\n"
        "Um Beantwortung bis zum 15.03.2025 wird gebeten."
    )
    inquiry = split_inquiry(text)
    assert inquiry.title and inquiry.title.text == TITLE
    assert inquiry.preamble and inquiry.preamble.text == f"{PREAMBLE} Wir fragen die Verwaltung:"
    assert texts(inquiry) == list(BONUS)
    assert labels(inquiry) == ["1.", "2.", "3.", "4."]
    assert [q.number for q in inquiry.questions] == [1, 2, 3, 4]
    assert inquiry.justification and inquiry.justification.text.startswith("Nach zwei Jahren")
    assert inquiry.deadline and inquiry.deadline.date == date(2025, 3, 15)
    assert inquiry.deadline.text == "Um Beantwortung bis zum 15.03.2025 wird gebeten."
    assert offsets_hold(text, inquiry)


@pytest.mark.parametrize(
    ("items", "expected_labels"),
    [
        ([f"{n}) {q}" for n, q in enumerate(BONUS, 1)], ["1)", "2)", "3)", "4)"]),
        ([f"({n}) {q}" for n, q in enumerate(BONUS, 1)], ["(1)", "(2)", "(3)", "(4)"]),
        ([f"{c}) {q}" for c, q in zip("abcd", BONUS, strict=True)], ["a)", "b)", "c)", "d)"]),
        ([f"{c}. {q}" for c, q in zip("abcd", BONUS, strict=True)], ["a.", "b.", "c.", "d."]),
        ([f"{c}. {q}" for c, q in zip("ABCD", BONUS, strict=True)], ["A.", "B.", "C.", "D."]),
        ([f"Frage {n}: {q}" for n, q in enumerate(BONUS, 1)], [f"Frage {n}" for n in range(1, 5)]),
        (
            [f"Frage {n}\n{q}\n" for n, q in enumerate(BONUS, 1)],
            [f"Frage {n}" for n in range(1, 5)],
        ),
        ([f"- {q}" for q in BONUS], ["-"] * 4),
        ([f"• {q}" for q in BONUS], ["•"] * 4),
    ],
)
def test_every_list_layout_gives_the_same_questions(
    items: list[str], expected_labels: list[str]
) -> None:
    text = f"{TITLE}\n\n" + "\n".join(items) + f"\n\nSachverhalt:\n{JUSTIFICATION}"
    inquiry = split_inquiry(text)
    assert texts(inquiry) == list(BONUS)
    assert labels(inquiry) == expected_labels
    assert inquiry.justification and inquiry.justification.text == JUSTIFICATION
    assert offsets_hold(text, inquiry)


def test_questions_run_on_in_one_paragraph() -> None:
    text = f"{TITLE}\n\n{PREAMBLE}\n\n" + " ".join(BONUS)
    inquiry = split_inquiry(text)
    assert texts(inquiry) == list(BONUS)
    assert labels(inquiry) == ["", "", "", ""]
    assert inquiry.preamble and inquiry.preamble.text == PREAMBLE


def test_run_on_questions_after_an_intro_in_the_same_paragraph() -> None:
    inquiry = split_inquiry(f"{TITLE}\n\n{PREAMBLE} Wir fragen die Verwaltung: " + " ".join(BONUS))
    assert texts(inquiry) == list(BONUS)
    assert inquiry.preamble and inquiry.preamble.text.endswith("Wir fragen die Verwaltung:")


def test_a_list_flattened_into_one_line_keeps_its_labels() -> None:
    body = " ".join(f"{n}. {q}" for n, q in enumerate(BONUS, 1))
    inquiry = split_inquiry(f"{TITLE}\n\n{PREAMBLE} Vor diesem Hintergrund fragen wir: {body}")
    assert texts(inquiry) == list(BONUS)
    assert labels(inquiry) == ["1.", "2.", "3.", "4."]


def test_abbreviations_and_ordinals_end_no_sentence() -> None:
    questions = [
        "Welche Kosten würden dagegen für die Einrichtung einer Ballspielwiese gemäß "
        "Bebauungsplan Nr. 732 entstehen?",
        "Ist der Verkauf von Stiftungseigentum nach § 2 Abs. 1 der Satzung überhaupt "
        "satzungsgemäß?",
        "Wie hoch ist die in den BNN mit ca. 300.000 € bezifferte Summe tatsächlich?",
        "Werden für die Dauer von beliebten Veranstaltungen, wie z. B. dem Weihnachtsmarkt, "
        "zusätzliche Busparkplätze geschaffen?",
        "In welcher Form wurden bzw. werden Bürgerbeteiligungsmaßnahmen durchgeführt?",
    ]
    preamble = (
        "Der Gemeinderat hat am 1. März 2016 (Drs. 2016/0056) die Planung beschlossen. "
        "Sie betrifft u. a. den 2. Bauabschnitt."
    )
    inquiry = split_inquiry(f"Ballspielwiese\n\n{preamble} " + " ".join(questions))
    assert texts(inquiry) == questions
    assert inquiry.preamble and inquiry.preamble.text == preamble


# --- sub-lists, follow-ups, requests ---------------------------------------------------


def test_a_question_spanning_a_lettered_sub_list_stays_one_question() -> None:
    one = (
        "Wie hoch wären die Kosten für den a) Austausch im Bestandsgebäude b) Einbau von "
        "Kupferelementen im Neubau?"
    )
    stem_and_items = (
        "Wie viele Gas- oder Stromsperren gab es a) bei Kunden der Stadtwerke? b) bei Kunden "
        "anderer Versorger?"
    )
    inquiry = split_inquiry(f"Kosten\n\n{one} {stem_and_items} Wann wird entschieden?")
    assert texts(inquiry) == [one, stem_and_items, "Wann wird entschieden?"]


def test_labelled_run_on_questions_are_separate() -> None:
    text = (
        "Tunnelhaltestellen\n\nA) Wann wurde der Wettbewerb zur Gestaltung der "
        "Tunnelhaltestellen ausgelobt und wer ging als Sieger hervor? B) Wann wurde das "
        "Wettbewerbsergebnis in der Öffentlichkeit diskutiert?"
    )
    inquiry = split_inquiry(text)
    assert labels(inquiry) == ["A)", "B)"]
    assert (
        texts(inquiry)[1] == "Wann wurde das Wettbewerbsergebnis in der Öffentlichkeit diskutiert?"
    )


def test_a_nested_sub_list_belongs_to_its_numbered_item() -> None:
    # a real inquiry (KA, "Stadionneubau: Kosten der Gutachten", 2009), as its PDF gives it
    text = """Stadionneubau: Kosten der Gutachten


1. Was hat das neue Gutachten des Planungsbüros Speer und Partner die Stadt
Karlsruhe gekostet, das weitere Planungen, ausgehend von Variante 3.2 des
Funktionalentwurfs entwickelt hat?
2. Wie viel wurde für das erste Gutachten an das Büro Speer und Partner aus-
gegeben?
3. Wie hoch müssen die bisherigen Planungsleistungen der Stadt (Tiefbauamt)
zur Einschätzung des Umbaus der Verkehrsinfrastruktur bei einem Stadi-
onneubau am Gleisdreieck veranschlagt werden?
4. a) Hält die Stadtverwaltung in Anbetracht der angespannten städtischen
Haushaltslage und des aktuell in Arbeit befindlichen Haushaltskonsolidie-
rungskonzeptes die zeitnahe Realisierung eines Stadionneubaus in städti-
scher Hand für ein realistisches Szenario?
b) Macht es vor diesem Hintergrund aus Sicht der Stadtverwaltung Sinn, zu-
sätzliches Geld auszugeben, um verschiedene Stadionneubau-Optionen im
Detail weiter zu prüfen?



Die aktuelle Haushaltslage der Stadt erfordert ein Umdenken auf allen Ebenen.

Sachverhalt / Begründung:

Die GRÜNE-Fraktion hält es für zwingend, dass die Beauftragung zusätzlicher Gut-
achten zum Stadionneubau nur mit Zustimmung der politischen Entscheidungsträger
vorgenommen wird.
"""
    inquiry = split_inquiry(text)
    assert labels(inquiry) == ["1.", "2.", "3.", "4."]
    assert texts(inquiry)[3].startswith("a) Hält die Stadtverwaltung")
    assert "b) Macht es vor diesem Hintergrund" in texts(inquiry)[3]
    assert inquiry.closing and inquiry.closing.text.startswith("Die aktuelle Haushaltslage")
    assert inquiry.justification and inquiry.justification.text.startswith("Die GRÜNE-Fraktion")


def test_follow_up_questions_are_questions_of_their_own() -> None:
    questions = [
        "Hat es in Karlsruhe in den letzten 3 Jahren Gas- oder Stromsperren wegen "
        "Nichtbezahlung von Energierechnungen gegeben?",
        "Wenn ja, wie viele pro Jahr?",
        "Falls ja: auf welcher Grundlage?",
    ]
    assert texts(split_inquiry("Stromsperren\n\n" + " ".join(questions))) == questions


def test_requests_are_questions() -> None:
    requests = [
        "Bitte stellen Sie dar, wie sich die Zahl der Anträge seit 2011 entwickelt hat.",
        "Die Verwaltung wird gebeten, die Verteilung der Mittel auf die Stadtteile darzustellen.",
        "Wie viele Anträge wurden abgelehnt?",
        "Wir bitten um Auskunft, welche Maßnahmen geplant sind.",
    ]
    inquiry = split_inquiry("Bonusprogramm\n\n" + "\n".join(requests))
    assert texts(inquiry) == requests


def test_a_request_that_only_qualifies_goes_with_the_question_before() -> None:
    text = (
        "Abschiebungen\n\nWie viele Abschiebungen wurden seit 2016 veranlasst? Die Anzahl "
        "bitte den jeweiligen Jahren zuordnen. Wie viele Menschen wurden tatsächlich "
        "abgeschoben?"
    )
    assert texts(split_inquiry(text)) == [
        "Wie viele Abschiebungen wurden seit 2016 veranlasst? Die Anzahl bitte den "
        "jeweiligen Jahren zuordnen.",
        "Wie viele Menschen wurden tatsächlich abgeschoben?",
    ]


def test_real_requests_without_question_marks() -> None:
    # two real inquiries of Karlsruhe local councils (2009, 2010)
    karlsburgstrasse = """Zustand Karlsburgstraße

Die Stadtverwaltung möge prüfen, inwieweit die Karlsburgstraße im Bereich
zwischen Pfinztalstraße und Prinzessenstraße der Straßenbelag und
Straßenunterbau auf Grund des schlechten Zustandes in die höchste Prioritätenstufe
gesetzt werden kann.

Begründung:
Die massiven Anwohnerbeschwerden haben zu einer Prüfung durch das Fachamt
geführt. Die Beschwerden sind begründet.

gez.
CDU-OR-Fraktion
"""
    lindenplatz = """Gestaltung Lindenplatz


Begründung

Bei der Behandlung des FDP-Antrages zur Gestaltung des Lindenplatzes wurde am
16.06.2009 seitens der Ortsverwaltung Wettersbach zugesagt, dass

1. das Gartenbauamt mit der Überplanung der Bepflanzung beauftragt wird und
2. der Bauhof Wettersbach die Platzfläche in einen ansehnlichen Zustand
versetzt.

Während Punkt 2. im Laufe des Jahres gut umgesetzt wurde, steht zu Punkt 1. eine
Umsetzung noch aus.

Die FDP-Fraktion Wettersbach bittet um die Mitteilung des aktuellen Sachstandes.
"""
    first = split_inquiry(karlsburgstrasse)
    assert texts(first) == [
        "Die Stadtverwaltung möge prüfen, inwieweit die Karlsburgstraße im Bereich zwischen "
        "Pfinztalstraße und Prinzessenstraße der Straßenbelag und Straßenunterbau auf Grund "
        "des schlechten Zustandes in die höchste Prioritätenstufe gesetzt werden kann."
    ]
    assert first.justification and first.justification.text.startswith("Die massiven")
    assert texts(split_inquiry(lindenplatz)) == [
        "Die FDP-Fraktion Wettersbach bittet um die Mitteilung des aktuellen Sachstandes."
    ]


# --- real inquiries as their PDFs give them ------------------------------------------------


def test_real_lettered_inquiry_with_wrapped_lines_and_page_header() -> None:
    text = """AVG - TÜV-Abnahme der Neufahrzeuge



A. Wie viele VG-Neufahrzeuge sind aktuell ausgeliefert worden?

B. Wenn nur an "einem" Fahrzeug vom TÜV Mängel festgestellt worden sind,
warum sind die übrigen Triebwagen nach über einem halben Jahr immer
noch nicht betriebsfähig?

C. Welche der im Lastenheft von der AVG gestellten Forderungen wurden vom
Hersteller nicht eingehalten?

D. Wann wurde die "erste" Prüfung durchgeführt?

E. Welche Prüfbefunde bzw. Forderungen liegen seitens des Eisenbahn- Bun-
desamtes vor?

F. Wurden diese vom EBA gestellten Forderungen im Lastenheft (Punkt Nr. 3)
berücksichtigt?

G. Welche finanzielle Auswirkung hat die verspätete Inbetriebnahme der Neu-
fahrzeuge auf den Alt-Fahrzeugbestand in Bezug auf Nachholung von ver-
schobenen Instandhaltungen?



 Seite 2
__________________________________________________________________________________________

Die "StadtZeitung" vom 11. Mai 2012 berichtete, dass vor Aufnahme des Fahrgastbe-
triebes "die Genehmigungsbehörden für den Straßenbahn- und Eisenbahnbetrieb
die notwendigen Zustimmungen erteilen" müssen.

unterzeichnet von:
Eduardo Mossuto
Jürgen Wenzel
"""
    inquiry = split_inquiry(text)
    assert inquiry.title and inquiry.title.text == "AVG - TÜV-Abnahme der Neufahrzeuge"
    assert labels(inquiry) == ["A.", "B.", "C.", "D.", "E.", "F.", "G."]
    assert texts(inquiry)[1] == (
        'Wenn nur an "einem" Fahrzeug vom TÜV Mängel festgestellt worden sind, warum sind '
        "die übrigen Triebwagen nach über einem halben Jahr immer noch nicht betriebsfähig?"
    )
    assert texts(inquiry)[6].endswith("Nachholung von ver- schobenen Instandhaltungen?")
    assert inquiry.closing and "StadtZeitung" in inquiry.closing.text
    assert offsets_hold(text, inquiry)


def test_real_list_item_that_lost_its_question_mark() -> None:
    text = """Thema: Brötchentaste

Seit Einführung der Brötchentaste hat sich die Parksituation in Durlach erheblich
entschärft. Die Dauerparkplätze an der Peripherie sowie die
Parkhäuser sind bestens ausgenutzt.

1. Wie ist die Entwicklung der Einnahmen seit Einführung der Brötchentaste in
absoluten Zahlen (ausschließlich für Durlach)
2. Wie stellt sich die derzeitige Einnahmesituation der Automaten mit
Brötchentaste dar?
3. Wie hoch sind die Kosten, die aktuell durch den Missbrauch entstehen?

unterzeichnet von:
Michael Griener
"""
    inquiry = split_inquiry(text)
    assert inquiry.title and inquiry.title.text == "Brötchentaste"
    assert labels(inquiry) == ["1.", "2.", "3."]
    assert texts(inquiry)[0].endswith("in absoluten Zahlen (ausschließlich für Durlach)")
    assert inquiry.closing and inquiry.closing.text.startswith("unterzeichnet von:")


def test_real_run_on_questions_one_a_line_after_an_intro() -> None:
    text = """Historische Industriegebäude Killisfeldstraße


Im Bereich des Gewerbegebietes Killisfeld gibt es einige historische Industriebauten und ein
Wohngebäude. Von außen betrachtet sind diese in gutem Zustand, teilweise aber auch dem
Verfall preisgegeben. Hierzu haben wir folgende Fragen:

Anfrage:
Aus welcher Zeit stammen diese Gebäude, von wem wurden sie errichtet?
Stehen die Gebäude unter Denkmalschutz oder besitzen sie Denkmaleigenschaften?
Eine offensichtlich nicht genutzte Halle (H) auf eingezäumtem Gelände ist von außen
betrachtet nicht in einem guten Zustand. Wem gehört diese Halle, gibt es Pläne für deren
weitere Nutzung?
"""
    assert texts(split_inquiry(text)) == [
        "Aus welcher Zeit stammen diese Gebäude, von wem wurden sie errichtet?",
        "Stehen die Gebäude unter Denkmalschutz oder besitzen sie Denkmaleigenschaften?",
        "Eine offensichtlich nicht genutzte Halle (H) auf eingezäumtem Gelände ist von außen "
        "betrachtet nicht in einem guten Zustand. Wem gehört diese Halle, gibt es Pläne für "
        "deren weitere Nutzung?",
    ]


# --- what is no question -------------------------------------------------------------------


def test_a_motion_has_no_questions() -> None:
    # a real motion (SPD, "WLAN-Offensive für Karlsruhe", 2013), as its PDF gives it
    text = """WLAN in Karlsruhe:
WLAN-Offensive für Karlsruhe


1. Nachdem fast eineinhalb Jahre seit der ersten Befassung des Gemeinderates
mit dem Thema ohne Fortschritte vergangen sind, initiiert die Verwaltung
nunmehr den Aufbau eines kostenlosen WLAN-Netzes in der Karlsruher In-
nenstadt. Sie sucht dazu Partner aus der Wirtschaft und beteiligt sich finanziell
am Aufbau und Betrieb.

2. Die Verwaltung untersucht gemeinsam mit den lokalen Handels- und Gewer-
bevereinen sowie den Bürgervereinen, an welchen zentralen öffentlichen Plät-
zen in den Karlsruher Stadtteilen der Aufbau eines kostenlosen WLAN-Netzes
sinnvoll erscheint, und berichtet dem Gemeinderat.

Begründung:
Immer mehr Städte und Gemeinden in Baden-Württemberg bieten ihren Bürgerinnen
und Bürgern an öffentlichen Plätzen einen kostenlosen Zugang in das Internet über
frei zugängliche WLAN-Netze an.
"""
    inquiry = split_inquiry(text)
    assert inquiry.questions == ()
    assert inquiry.preamble and inquiry.preamble.text.startswith("1. Nachdem")


def test_motion_items_are_no_questions_but_a_request_among_them_is() -> None:
    text = (
        "Radverkehr\n\n1. Der Gemeinderat möge beschließen, die Radroute Nord bis 2026 "
        "auszubauen.\n2. Die Verwaltung wird gebeten, die Kosten der Radroute Nord "
        "darzustellen."
    )
    inquiry = split_inquiry(text)
    assert labels(inquiry) == ["2."]
    assert inquiry.preamble and inquiry.preamble.text.startswith("1. Der Gemeinderat")


def test_closing_formulas_are_no_questions() -> None:
    text = (
        f"{TITLE}\n\n"
        + "\n".join(f"{n}. {q}" for n, q in enumerate(BONUS[:2], 1))
        + "\nWir bitten um schriftliche Beantwortung.\nMit freundlichen Grüßen\n"
        "Stadträtin Bettina Lisbach (GRÜNE)"
    )
    inquiry = split_inquiry(text)
    assert texts(inquiry) == list(BONUS[:2])
    assert inquiry.closing and inquiry.closing.text.startswith("Wir bitten um schriftliche")


def test_a_rhetorical_question_in_the_preamble_stays_there() -> None:
    preamble = (
        "Das Bonusprogramm läuft seit zwei Jahren. Doch was hat es gebracht? Die Zahlen "
        "liegen dem Gemeinderat nicht vor."
    )
    in_own_paragraph = split_inquiry(f"{TITLE}\n\n{preamble}\n\n" + " ".join(BONUS))
    assert texts(in_own_paragraph) == list(BONUS)
    assert in_own_paragraph.preamble and in_own_paragraph.preamble.text == preamble
    # one paragraph: followed by two statements it is preamble as well
    flat = split_inquiry(f"{TITLE}\n\n{preamble} Der Bericht fehlt. " + " ".join(BONUS))
    assert texts(flat) == list(BONUS)
    # with one statement between it and the questions nothing tells it from a question
    # (a statement between questions goes with the question after it): documented
    close = split_inquiry(f"{TITLE}\n\nDoch was hat es gebracht? Die Zahlen fehlen. {BONUS[0]}")
    assert texts(close) == ["Doch was hat es gebracht?", f"Die Zahlen fehlen. {BONUS[0]}"]


def test_no_questions_in_plain_text() -> None:
    inquiry = split_inquiry(JUSTIFICATION)
    assert inquiry.questions == ()
    assert inquiry.title is None
    assert inquiry.preamble and inquiry.preamble.text == JUSTIFICATION
    assert split_inquiry("") == Inquiry(None, None, (), None, None, None)


# --- title and deadline --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (f"{TITLE}\n\n{BONUS[0]}", TITLE),
        (f"{TITLE}\n1. {BONUS[0]}\n2. {BONUS[1]}", TITLE),
        (f"Betreff: {TITLE}\n\n{BONUS[0]}", TITLE),
        ("Auswirkungen der wirtschaftlichen Schieflage der EnBW auf den Haushalt der Stadt\n"
         f"- kurz-, mittel- und langfristig\n\n{BONUS[0]}",
         "Auswirkungen der wirtschaftlichen Schieflage der EnBW auf den Haushalt der Stadt\n"
         "- kurz-, mittel- und langfristig"),
        (f"Zukunft für das Schulschwimmen in Rüppurr?\n\n{BONUS[0]}",
         "Zukunft für das Schulschwimmen in Rüppurr?"),
        (f"Sachstand des Fahrradschutzstreifens Steinkreuzstr.\n\n{BONUS[0]}",
         "Sachstand des Fahrradschutzstreifens Steinkreuzstr."),
        (f"Sehr geehrter Herr Oberbürgermeister,\n\n{BONUS[0]}", None),
        (f"{BONUS[0]}\n{BONUS[1]}", None),
        (f"1. {BONUS[0]}\n\n2. {BONUS[1]}", None),
        (" ".join(BONUS), None),
    ],
)  # fmt: skip
def test_title(text: str, title: str | None) -> None:
    found = split_inquiry(text).title
    assert (found.text if found else None) == title


@pytest.mark.parametrize(
    ("sentence", "when"),
    [
        ("Um Beantwortung bis zum 15.03.2025 wird gebeten.", date(2025, 3, 15)),
        ("Wir bitten um schriftliche Beantwortung bis zum 3. April 2025.", date(2025, 4, 3)),
        ("Um Beantwortung zur Sitzung des Gemeinderats am 22.10.2013 wird gebeten.",
         date(2013, 10, 22)),
        ("Frist für die Antwort: 01.02.26.", date(2026, 2, 1)),
        ("Um Antwort bis spätestens 15.03. wird gebeten.", None),
    ],
)  # fmt: skip
def test_deadline(sentence: str, when: date | None) -> None:
    inquiry = split_inquiry(f"{TITLE}\n\n1. {BONUS[0]}\n2. {BONUS[1]}\n\n{sentence}")
    assert inquiry.deadline is not None
    assert inquiry.deadline.text == sentence
    assert inquiry.deadline.date == when
    assert len(inquiry.questions) == 2


def test_deadline_in_the_sentence_that_announces_the_questions() -> None:
    # the sample city's inquiry (samples/corpus/beschluesse/Drucksache_2025-0042_…)
    asked = (
        "Wir bitten um schriftliche Beantwortung folgender Fragen in der Sitzung des "
        "Stadtrates am 13. März 2025:"
    )
    inquiry = split_inquiry(f"{TITLE}\n\n{asked}\n\n1. {BONUS[0]}\n2. {BONUS[1]}")
    assert inquiry.deadline is not None
    assert inquiry.deadline.date == date(2025, 3, 13)
    assert [q.text for q in inquiry.questions] == list(BONUS[:2])


@pytest.mark.parametrize(
    "text",
    [
        f"{TITLE}\n\nWird die Sanierung bis zum 31.12.2025 abgeschlossen? {BONUS[0]}",
        f"{TITLE}\n\nLaut Stellungnahme der Verwaltung vom 14.03.2014 ist alles geklärt. "
        f"{BONUS[0]}",
        f"{TITLE}\n\n{BONUS[0]}",
    ],
)
def test_no_deadline(text: str) -> None:
    assert split_inquiry(text).deadline is None


# --- replies ---------------------------------------------------------------------------------

# a masked reply of the Karlsruhe set (KA-STN-143767), shortened
MASKED_REPLY = (
    "STADT KARLSRUHE Der Oberbürgermeister STELLUNGNAHME zur Anfrage Stadträtin Bettina "
    "Lisbach (GRÜNE) Bonusprogramm energetische Sanierung im Altbaubereich 1.  [Frage 1] "
    "Die Antrags- und Bewilligungszahlen des Bonusprogramms stellen sich wie folgt dar "
    "(Stand: 25.09.2013): Anträge Energieausweis 187 davon bewilligt 183. 2.  [Frage 2] In "
    "der Mehrzahl der Fälle wurden nicht nur eine, sondern mehrere Maßnahmen durchgeführt. "
    "Seite 2 3.  [Frage 3] Seit Beginn des Programms im September 2011 wurden folgende "
    "Fördermittel zugesagt. 4.  [Frage 4] 5.  [Frage 5] - die eingestellten Fördermittel? - "
    "die begleitende Öffentlichkeitsarbeit? Die Erfahrungen der Stadtverwaltung mit dem "
    "Bonusprogramm sind positiv."
)


def test_masked_reply_is_split_at_its_markers() -> None:
    parts = split_reply(MASKED_REPLY)
    assert [p.numbers for p in parts] == [(1,), (2,), (3,), (4,), (5,)]
    assert [p.label for p in parts] == ["1.", "2.", "3.", "4.", "5."]
    assert parts[0].text.startswith("Die Antrags- und Bewilligungszahlen")
    assert parts[0].text.endswith("davon bewilligt 183.")  # not the "2." of the next
    assert parts[1].text.endswith("Maßnahmen durchgeführt. Seite 2")
    assert parts[3].text == ""  # answered together with 5
    assert parts[4].text.startswith("- die eingestellten Fördermittel?")
    assert all(p.text == MASKED_REPLY[p.start : p.end] for p in parts)


def test_masked_reply_with_headings_before_its_markers() -> None:
    reply = (
        "Entschädigung für Wahlhelferinnen und Wahlhelfer Zu 1:  [Frage 1] Die derzeitige "
        "Aufwandsentschädigung beträgt einheitlich 40 € für Beisitzerinnen/Beisitzer. Zu 2:  "
        "[Frage 2]  [Frage 3] )?  [Frage 4] Städtische Wahlhelferinnen und Wahlhelfer hatten "
        "bisher die Wahlmöglichkeit (siehe Ziffer 1)."
    )
    parts = split_reply(reply)
    assert [p.number for p in parts] == [1, 2, 3, 4]
    assert [p.label for p in parts] == ["Zu 1", "Zu 2", "", ""]
    assert parts[0].text.endswith("40 € für Beisitzerinnen/Beisitzer.")
    assert parts[3].text.startswith("Städtische Wahlhelferinnen")


def test_reply_with_answer_headings() -> None:
    # a real reply of the administration (KA, "Radrouten gemäß dem 20-Punkte-Programm")
    reply = """Stellungnahme des Bürgermeisteramtes

Der Gemeinderat hat zur Umsetzung des 20-Punkte-Programmes 200.000 Euro bereitgestellt.

Zu 1:
Zu den Cityrouten Nord und Süd lagen im Vorfeld der Bewilligung exakte Kostenschätzungen vor.
Die hierfür bereitgestellten Mittel wurden voll ausgeschöpft.

Zu 2. und 3.:
Für die Radroute Knielingen-Innenstadt ist der oben genannte Betrag nicht ausreichend
(vgl. Antwort zu Frage 1). Es werden keine Kosten in andere Haushalte verschoben, siehe
Antwort zu 1.

Zu Frage 4 bis 6:
Die Verwaltung wird auch in Zukunft keinen abschließenden Kostenansatz vorlegen können.
"""
    parts = split_reply(reply)
    assert [p.numbers for p in parts] == [(1,), (2, 3), (4, 5, 6)]
    assert [p.label for p in parts] == ["Zu 1", "Zu 2. und 3.", "Zu Frage 4 bis 6"]
    assert parts[0].text.startswith("Zu den Cityrouten")
    assert parts[1].text.endswith("siehe\nAntwort zu 1.")
    assert all(p.question is None for p in parts)


def test_reply_with_headings_that_repeat_the_question() -> None:
    # a real reply (KA, "Karlsruher Lernverbund KLEVER", 2006)
    reply = """Zu 1.
Bietet KLEVER auch in den „kleinen“ Ferien Programme an?

Aktuell bietet KLEVER in den Pfingst- und Sommerferien Programme an.

Zu 2.
Welche Projekte hat KLEVER in den Ferien 2006 wo bisher angenommen? Wurden Ände-
rungen/Erweiterungen gegenüber den Vorjahren vorgenommen?

Pfingsten
Schulverbund Durlach (*) 16 Kinder 2 Betreuerinnen/Betreuer
"""
    parts = split_reply(reply)
    assert [p.number for p in parts] == [1, 2]
    assert parts[0].question and parts[0].question.text == (
        "Bietet KLEVER auch in den „kleinen“ Ferien Programme an?"
    )
    assert parts[0].text == "Aktuell bietet KLEVER in den Pfingst- und Sommerferien Programme an."
    assert parts[1].question and parts[1].question.text.endswith("Vorjahren vorgenommen?")
    assert parts[1].text.startswith("Pfingsten")
    assert parts[1].question.text == reply[parts[1].question.start : parts[1].question.end]


def test_reply_that_repeats_numbered_questions() -> None:
    # a real reply (KA, "Gefahrenträchtige Ampelsituation beim Busbahnhof Zündhütle", 2007):
    # the numbered statements inside the third answer are no questions
    reply = """Gefahrenträchtige Ampelsituation beim Busbahnhof „Zündhütle“

Stellungnahme des Bürgermeisteramtes

1. Wie viele Unfälle haben sich an der schrankengesicherten Überquerung im
Bereich Busbahnhof “Zündhütle” seit Inbetriebnahme der Straßenbahnlinie
2 nach Wolfartsweier ereignet?

Die Polizei hat am Bahnübergang Zündhütle im Zeitraum vom 01.09.2004 -
14.09.2006 10 Verkehrsunfälle aufgenommen.

2. Wie oft musste bereits die Schranke repariert oder erneuert werden?

Seit Inbetriebnahme der Straßenbahnlinie nach Wolfartsweier im Mai 2004 waren
an dem beschrankten Bahnübergang 31 Beschädigungen zu beklagen.

3. Welche Möglichkeiten bestehen, die dortige unklare Verkehrsregelung zu
beseitigen?

Es gibt zwei mögliche Lösungen:

1. Die dreifeldige Signalisierung des Hauptknotens könnte vor den Bahnüber-
gang zurückverlegt werden.

2. Die dreifeldige Signalisierung nach dem Bahnübergang könnte in eine zwei-
feldige Signalisierung geändert werden.
"""
    parts = split_reply(reply)
    assert [p.number for p in parts] == [1, 2, 3]
    assert parts[0].question and parts[0].question.text.endswith("nach Wolfartsweier ereignet?")
    assert parts[0].text.startswith("Die Polizei hat am Bahnübergang")
    assert parts[2].text.startswith("Es gibt zwei mögliche Lösungen:")
    assert parts[2].text.endswith("Signalisierung geändert werden.")


def test_reply_without_structure_is_not_split() -> None:
    assert split_reply(JUSTIFICATION) == []
    assert split_reply("Siehe Antwort zu Frage 3. Die Mittel sind ausgeschöpft.") == []


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Drucksache 2025/0042\n\nAnfrage der GLL\n\nBetreff: Energieverbrauch der "
         "Liegenschaften\n\n1. Wie viel?", "Energieverbrauch der Liegenschaften"),
        ("Betr.:  Hundesteuer  \n1. Wie hoch?", "Hundesteuer"),
        (f"{TITLE}\n\n1. {BONUS[0]}", None),
        # a subject far into the text is a quotation, not the paper's own
        ("x\n" * 1000 + "Betreff: Zitat", None),
    ],
)  # fmt: skip
def test_subject_line(text: str, subject: str | None) -> None:
    assert subject_line(text) == subject
