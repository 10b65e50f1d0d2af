"""Statutes, amendments and the dates they are in force, read from real statute text.

The sentences are quoted from the Linsengericht archive (``../shared/data/corpora/
linsengericht``, as its text layer and OCR give them, misreadings included), the sample
corpus and the Bad Boll and Landkreis Göppingen statutes of the ragsource evaluation
set; the few made up for a case none of them has say so.
"""

from __future__ import annotations

import pytest

from ingest.relations.validity import (
    ENTERS,
    LEAVES,
    DocumentValidity,
    Enactment,
    analyse,
    dates_in,
    same_statute,
    statute_name,
    statute_references,
)
from ingest.relations.versions import DocumentRecord, Part, in_force_on, link_versions


def read(*pages: str, title: str = "", doc_type: str = "statute") -> DocumentValidity:
    """A document of numbered pages, analysed."""
    return analyse([(n, text) for n, text in enumerate(pages, 1)], title=title, doc_type=doc_type)


def only(*pages: str, title: str = "", doc_type: str = "statute") -> Enactment:
    (enactment,) = read(*pages, title=title, doc_type=doc_type).enactments
    return enactment


# ------------------------------------------------------------------------ dates, names


def test_dates_in_every_spelling_and_as_ocr_reads_them() -> None:
    text = (
        "vom 21. März 2017, zum 01.01.2017, am 1. Jan. 2025, am 01. 01.1993 (OCR), "
        "Linsengericht, 04,06.2009, vom 07. Dezember. 1987, nicht am 31.02.2020, 5,00 – 15,00 €"
    )
    assert [iso for _s, _e, iso in dates_in(text)] == [
        "2017-03-21", "2017-01-01", "2025-01-01", "1993-01-01", "2009-06-04", "1987-12-07",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "title",
    [
        "Satzung über die Erhebung der Hundesteuer in der Stadt Lindenbrück (Hundesteuersatzung)",
        "Hundesteuersatzung",
        "Satzung über die Erhebung einer Hundesteuer im Gebiet der Gemeinde Linsengericht",
        "1. Satzung zur Änderung der Hundesteuersatzung",
    ],
)
def test_a_statute_has_one_name_however_titled(title: str) -> None:
    assert statute_name(title) == "hundesteuersatzung"


def test_names_that_differ_only_by_inflection_match_and_others_do_not() -> None:
    long = statute_name("Satzung über Sondernutzungen an öffentlichen Straßen (ohne Kurztitel)")
    assert same_statute(long, statute_name("Sondernutzungssatzung"))
    assert not same_statute(statute_name("Abfallsatzung"), statute_name("Abfallgebührensatzung"))
    assert statute_name("Anlage zur Verordnung (Gebührenverordnung) vom 1. März 2025") == ""
    assert statute_name("Hessische Gemeindeordnung") == ""


def test_references_by_title_and_date() -> None:
    text = (
        "Der Stadtrat beschließt die 1. Satzung zur Änderung der Hundesteuersatzung vom "
        "21. März 2017. Nach § 11 der Entwässerungssatzung vom 21.03.2017 und der Satzung über "
        "die Erhebung der Hundesteuer in der Stadt Lindenbrück (Hundesteuersatzung) vom "
        "21. März 2017 gilt:"
    )
    found = statute_references(text)
    assert [(r.name, r.date) for r in found] == [
        ("hundesteuersatzung", "2017-03-21"),
        ("entwaesserungsatzung", "2017-03-21"),
        ("hundesteuersatzung", "2017-03-21"),
    ]
    assert found[0].key == found[2].key == "hundesteuersatzung@2017-03-21"
    assert text[found[1].start : found[1].end] == "Entwässerungssatzung vom 21.03.2017"
    assert found[2].text.startswith("Satzung über die Erhebung der Hundesteuer")


def test_references_keep_the_version_they_cite() -> None:
    (hauptsatzung,) = statute_references(
        "gemäß § 6 der Hauptsatzung der Gemeinde Linsengericht vom 23.10.2018 2018 i. d. F. der "
        "1. Anderung vom 22.04.2021 in der „Gelnhäuser Neue Zeitung“, Ausgabe Nr. 294, am "
        "18.12.2023 veröffentlicht."
    )
    assert (hauptsatzung.date, hauptsatzung.version) == ("2018-10-23", "2021-04-22")
    (abfall,) = statute_references(
        "1. Satzung zur Änderung der Abfallsatzung der Gemeinde Linsengericht in der Fassung "
        "vom 12.12.2024"
    )
    assert (abfall.name, abfall.date, abfall.version) == ("abfallsatzung", None, "2024-12-12")
    (merkblatt,) = statute_references(
        "nach § 6 Abs. 1 der Hundesteuersatzung der Stadt Lindenbrück in der Fassung der "
        "1. Änderungssatzung vom 18. November 2024 auf Antrag"
    )
    assert (merkblatt.name, merkblatt.version) == ("hundesteuersatzung", "2024-11-18")


def test_laws_of_the_preamble_are_no_references() -> None:
    assert not statute_references(
        "Aufgrund der §§ 5, 19 und 51 der Gemeindeordnung (GemO) in der Fassung der "
        "Bekanntmachung vom 7. März 2005, zuletzt geändert durch Gesetz vom 15. Dezember 2016, "
        "hat der Stadtrat der Stadt Lindenbrück in seiner Sitzung am 16. März 2017 folgende "
        "Satzung beschlossen:"
    )


# ---------------------------------------------------------------------------- in force

HUNDESTEUER_2017 = (
    "Satzung über die Erhebung der Hundesteuer in der Stadt Lindenbrück\n"
    "(Hundesteuersatzung)\nvom 21. März 2017\n"
    "Aufgrund der §§ 5, 19 und 51 der Gemeindeordnung (GemO) … hat der Stadtrat der Stadt "
    "Lindenbrück in seiner Sitzung am 16. März 2017 folgende Satzung beschlossen:\n"
    "§ 3 Steuersatz\n(1) Die Steuer beträgt jährlich\na) für den ersten Hund 96 Euro,",
    "§ 12 Inkrafttreten\nDiese Satzung tritt am 1. Januar 2018 in Kraft. Gleichzeitig tritt "
    "die Hundesteuersatzung vom 12. Dezember 2001 außer Kraft.\nLindenbrück, den 21. März 2017",
)


def test_a_statute_enters_into_force_and_repeals_its_predecessor() -> None:
    statute = only(*HUNDESTEUER_2017, title="Hundesteuersatzung vom 21. März 2017")
    assert statute.entry is not None
    assert (statute.entry.date, statute.entry.evidence.page) == ("2018-01-01", 2)
    assert statute.entry.evidence.sentence == "Diese Satzung tritt am 1. Januar 2018 in Kraft."
    (repeal,) = statute.repeals
    assert repeal.effect == LEAVES and repeal.date == "2018-01-01"
    assert [(r.name, r.date) for r in repeal.statutes] == [("hundesteuersatzung", "2001-12-12")]
    # the predecessor's end is not this statute's
    assert statute.expiry is None
    assert (statute.name, statute.date) == ("hundesteuersatzung", "2017-03-21")


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        # Linsengericht, Entwässerungssatzung 2017
        ("Diese Satzung tritt zum 01.01.2017 rückwirkend in Kraft.", "2017-01-01"),
        # Linsengericht, Richtlinie zur Unterstützung der Vereine
        ("Die Richtlinien treten rückwirkend zum 1. Januar 2022 in Kraft.", "2022-01-01"),
    ],
)
def test_retroactive_entry_into_force(sentence: str, date: str) -> None:
    entry = only(f"§ 39 In-Kraft-Treten\n{sentence}", title="Entwässerungssatzung").entry
    assert entry is not None
    assert (entry.date, entry.retroactive) == (date, True)


def test_entry_on_the_day_after_publication_is_resolved_from_the_certificate() -> None:
    statute = only(
        "Aufgrund der §§ 5 und 51 Nr. 6 der Hessischen Gemeindeordnung (HGO) … hat die "
        "Gemeindevertretung der Gemeinde Linsengericht am 12.02.2020\nfolgende\nSATZUNG "
        "(Feuerwehrsatzung)\nbeschlossen:",
        "§ 20 INKRAFTTRETEN\nDiese Satzung tritt am Tage nach der Vollendung ihrer Bekanntmachung "
        "in Kraft.\nGleichzeitig treten außer Kraft die bisherige Satzung vom 16.12.2011 und die "
        "1. Satzung zur\nAnderung der Satzung für die Freiwillige Feuerwehr der Gemeinde "
        "Linsengericht vom 10.04.2017",
        "Bescheinigung\nVorstehende Bekanntmachung wurde gemäß § 6 der Hauptsatzung der Gemeinde "
        "Linsengericht vom\n23.10.2018 in der „Gelnhäuser Neue Zeitung“, Ausgabe Nr. 45, am "
        "22.02.2020 veröffentlicht.",
        title="Satzung für die Freiwillige Feuerwehr der Gemeinde Linsengericht",
    )
    entry = statute.entry
    assert entry is not None
    assert (entry.date, entry.relative, entry.evidence.page) == (
        "2020-02-23", "day_after_publication", 2,
    )  # fmt: skip
    assert entry.published is not None and entry.published.page == 3
    assert statute.published is not None and statute.published.date == "2020-02-22"
    (repeal,) = statute.repeals  # on the same day, by "Gleichzeitig"
    assert repeal.date == "2020-02-23"
    assert [r.date for r in repeal.statutes] == ["2011-12-16", "2017-04-10"]


def test_entry_on_the_day_after_publication_stays_open_without_a_certificate() -> None:
    entry = only(
        "§ 13 Inkrafttreten\nDiese Satzung tritt am Tage nach ihrer Bekanntmachung in Kraft.\n"
        "Linsengericht, 19.08.1993 Der Vorstand der Gemeinde Linsengericht",
        title="Satzung über die Benutzung der gemeindlichen Feld- und Waldwege (Feldwegeordnung)",
    ).entry
    assert entry is not None
    assert (entry.date, entry.relative) == (None, "day_after_publication")
    assert (
        entry.evidence.sentence == "Diese Satzung tritt am Tage nach ihrer Bekanntmachung in Kraft."
    )


@pytest.mark.parametrize(
    ("pages", "date"),
    [
        # Kostenbeitragssatzung 2025: on the day of publication, the certificate on the next page
        (("§ 8 Inkrafttreten\nDie Satzung tritt mit dem Tage ihrer Bekanntmachung in Kraft.",
          "Vorstehende Bekanntmachung wurde gemäß § 6 der Hauptsatzung … Ausgabe Nr. 159, am\n"
          "12.07.2025 veröffentlicht."), "2025-07-12"),
        # Benutzungsordnung Bürgersaal Eidengesäß: the publication named in the clause
        (("Diese Benutzungsordnung tritt am Tage nach ihrer Bekanntmachung im 28.03.2017 in "
          "Kraft.",), "2017-03-29"),
        # Archivordnung: "nach der … Bekanntmachung" with a date is that date
        (("Diese Archivordnung tritt nach der öffentlichen Bekanntmachung am 01.01.2018 in "
          "Kraft.",), "2018-01-01"),
        # Landkreis Göppingen, Archivordnung: a note after the clause
        (("Diese Archivordnung tritt am Tage nach der öffentlichen Bekanntmachung in Kraft. *)"
          "\n\n**\\*) Anmerkung:** Die Bekanntmachung erfolgte am 19.7.1989; somit trat die "
          "Archivordnung am 20.7.1989 in Kraft.",), "1989-07-20"),
        # wiederkehrende Straßenbeiträge, OCR: a full stop after the date
        (("Diese Satzung tritt am 01.01.2025. In Kraft. Gleichzeitig tritt damit die bisherige "
          "Satzung vom 01.07.2017 außer Kraft.",), "2025-01-01"),
        # Taxiverordnung, its amendment of 2003: a date, and a condition on the publication
        (("Änderung der\nVerordnung für die Beförderungsentgelte … wie folgt geändert:\n"
          "§ 8 In-Kraft-Treten\nDie Änderung tritt am 10. Juni 2003 in Kraft, jedoch frühestens "
          "6 Wochen nach der Veröffentlichung.",), "2003-06-10"),
    ],
)  # fmt: skip
def test_entry_into_force_as_statutes_state_it(pages: tuple[str, ...], date: str) -> None:
    amending = pages[0].startswith("Änderung")
    title = "Änderung der Verordnung für die Beförderungsentgelte" if amending else "Archivordnung"
    entry = only(*pages, title=title).entry
    assert entry is not None and entry.date == date


def test_entry_with_immediate_effect_and_a_sunset_clause() -> None:
    rule = only(
        "Dieses Förderprogramm ist bis zum 31.12.2026 befristet.\n"
        "Diese Richtlinie tritt mit sofortiger Wirkung in Kraft.\nLinsengericht, 02.02.2026",
        title="Förderrichtlinie für die Bezuschussung der Installation von privaten "
        "Photovoltaik- und Balkonanlagen",
        doc_type="guidance",
    )
    assert rule.entry is not None and (rule.entry.date, rule.entry.relative) == (
        None, "immediately",
    )  # fmt: skip
    assert rule.expiry is not None and rule.expiry.date == "2027-01-01"  # first day out of force


def test_parts_entering_and_leaving_force() -> None:
    statute = only(
        # Verbandssatzung Raum Bad Boll
        "Die Satzung tritt am 18. Januar 1988 in Kraft.\n"
        "Die Änderung der Satzung vom 25. November 2020 tritt am 01.01.2021 in Kraft. Abweichend "
        "hiervon tritt § 10 rückwirkend zum 01.01.2019 in Kraft.\n"
        # made up: no statute of the corpora ends a part of itself
        "§ 2 Abs. 3 tritt mit Ablauf des 31. Dezember 2025 außer Kraft.",
        title="Verbandssatzung des Gemeindeverwaltungsverbandes Raum Bad Boll",
    )
    assert [(c.effect, c.date, c.provisions, c.retroactive) for c in statute.in_force] == [
        (ENTERS, "1988-01-18", (), False),
        (ENTERS, "2019-01-01", ("§ 10",), True),
        (LEAVES, "2026-01-01", ("§ 2 Abs. 3",), False),
    ]
    assert statute.expiry is None  # a part leaving force does not end the statute


def test_repeal_of_a_part_of_another_statute() -> None:
    instruction = only(
        "Diese Dienstanweisung tritt am 1. Oktober 2020 in Kraft. Gleichzeitig tritt Abschnitt 4 "
        "(Schriftgutverwaltung) der Allgemeinen Dienst- und Geschäftsanweisung vom 1. März 1999 "
        "außer Kraft.",
        title="Dienstanweisung über die Schriftgutverwaltung und die elektronische Aktenführung",
        doc_type="guidance",
    )
    (repeal,) = instruction.repeals
    assert (repeal.date, repeal.provisions) == ("2020-10-01", ("Abschnitt 4",))
    assert [r.date for r in repeal.statutes] == ["1999-03-01"]
    assert instruction.expiry is None


@pytest.mark.parametrize(
    ("text", "title", "doc_type"),
    [
        # council paper: the date the statute entered into force, told in passing
        ("Die Steuersätze der Hundesteuer sind seit dem Inkrafttreten der Hundesteuersatzung am "
         "1. Januar 2018 unverändert.", "Drucksache 2024/0153 – 1. Satzung zur Änderung der "
         "Hundesteuersatzung", "decision"),
        # minutes recording the decision
        ("Beschluss: Der Stadtrat beschließt die 1. Satzung zur Änderung der Hundesteuersatzung "
         "vom 21. März 2017 in der Fassung der Anlage 1 zur Drucksache 2024/0153. Die Satzung "
         "tritt am 1. Januar 2025 in Kraft.", "Niederschrift über die 31. Sitzung des Stadtrates",
         "decision"),
        # circular: another regulation's entry into force
        ("die Lage auf den Energiemärkten und die Verordnung zur Sicherung der Energieversorgung "
         "über kurzfristig wirksame Maßnahmen (EnSikuMaV), die am 1. September 2022 in Kraft "
         "tritt, verpflichten auch die Stadt Lindenbrück", "Rundschreiben 12/2022 Energiesparen",
         "guidance"),
        # consolidated statute: its amendment's date, not its own
        ("§ 16 Inkrafttreten\nDie Änderungssatzung tritt am 1. Januar 2025 in Kraft.",
         "Satzung über die Benutzung von Obdachlosen- und Flüchtlingsunterkünften der Gemeinde "
         "Bad Boll", "statute"),
        # Hauptsatzung: a rule about publications, not this statute's entry
        ("Satzungen, Verordnungen und sonstige öffentliche Bekanntmachungen treten am Tage nach\n"
         "Vollendung der Bekanntmachung in Kraft, sofern sie selbst keinen anderen Zeitpunkt "
         "bestimmen.", "Hauptsatzung der Gemeinde Linsengericht", "statute"),
    ],
)  # fmt: skip
def test_dates_that_are_not_this_documents_entry_into_force(
    text: str, title: str, doc_type: str
) -> None:
    assert all(e.entry is None for e in read(text, title=title, doc_type=doc_type).enactments)


def test_the_old_statutes_date_is_not_the_new_ones() -> None:
    statute = only(
        # Kostenbeitragssatzung 2025
        "Die Satzung tritt mit dem Tage ihrer Bekanntmachung in Kraft.\nDie bisherige Satzung vom "
        "22.05.2013, in Kraft getreten am 01.04.2017, in der Fassung vom 19.02.2019 tritt zum\n"
        "gleichen Zeitpunkt außer Kraft.",
        title="Satzung über die Erhebung von Kostenbeiträgen (Kostenbeitragssatzung)",
    )
    (repeal,) = statute.repeals
    assert (repeal.date, repeal.relative) == (None, "publication_day")
    assert [(r.date, r.predecessor) for r in repeal.statutes] == [("2013-05-22", True)]


def test_the_statute_replaced_may_be_called_die_satzung() -> None:
    statute = only(
        # Landkreis Göppingen, Schülerbeförderungskosten
        "§ 21 Inkrafttreten\nDie Satzung, zuletzt geändert zum 01.03.2023, tritt zum 31.12.2025 "
        "außer Kraft. Diese Satzung tritt zum 01.01.2026 in Kraft.",
        title="Satzung über die Erstattung der notwendigen Schülerbeförderungskosten",
    )
    assert statute.entry is not None and statute.entry.date == "2026-01-01"
    assert statute.expiry is None
    (repeal,) = statute.repeals
    assert repeal.date == "2025-12-31" and repeal.statutes[0].predecessor


# --------------------------------------------------------------------------- amendments

DRUCKSACHE_2024_0153 = (
    "Beschlussvorlage\nDrucksache 2024/0153\nBeschlussvorschlag\nDer Stadtrat beschließt die als "
    "Anlage 1 beigefügte 1. Satzung zur Änderung der Hundesteuersatzung vom 21. März 2017. Die "
    "Änderung tritt am 1. Januar 2025 in Kraft.",
    "Vorgeschlagen werden folgende neue Steuersätze ab dem 1. Januar 2025:",
    "Anlage 1: 1. Satzung zur Änderung der Hundesteuersatzung (Entwurf)\n"
    "Aufgrund der §§ 5, 19 und 51 der Gemeindeordnung (GemO) und der §§ 1, 2 und 7 des "
    "Kommunalabgabengesetzes (KAG) in der jeweils geltenden Fassung hat der Stadtrat der Stadt "
    "Lindenbrück in seiner Sitzung am 14. November 2024 folgende Satzung beschlossen:\n"
    "Artikel 1\nDie Satzung über die Erhebung der Hundesteuer in der Stadt Lindenbrück "
    "(Hundesteuersatzung) vom 21. März 2017 wird wie folgt geändert:\n"
    "1. § 3 Abs. 1 erhält folgende Fassung:\n„(1) Die Steuer beträgt jährlich\na) für den ersten "
    "Hund 120 Euro,“\n"
    "2. In § 3 Abs. 2 wird die Angabe „720 Euro“ durch die Angabe „900 Euro“ ersetzt.\n"
    "3. § 6 Abs. 1 Nr. 2 erhält folgende Fassung:\n„2. Assistenzhunden im Sinne des § 12e des "
    "Behindertengleichstellungsgesetzes … Merkzeichen „B“, „aG“ oder „H“ besitzen,“\n"
    "Artikel 2 Inkrafttreten\nDiese Satzung tritt am 1. Januar 2025 in Kraft.",
)


def test_council_paper_holds_the_amending_statute_of_its_annex() -> None:
    (statute,) = read(
        *DRUCKSACHE_2024_0153,
        title="Drucksache 2024/0153 – 1. Satzung zur Änderung der Hundesteuersatzung",
        doc_type="decision",
    ).enactments
    assert statute.first_page == 3 and statute.title.startswith("Anlage 1: 1. Satzung")
    amendment = statute.amendment
    assert amendment is not None and amendment.ordinal == 1 and not amendment.repeals_whole
    assert amendment.target is not None
    assert (amendment.target.name, amendment.target.date) == ("hundesteuersatzung", "2017-03-21")
    assert [(c.provision, c.action) for c in amendment.changes] == [
        ("§ 3 Abs. 1", "replaced"),
        ("§ 3 Abs. 2", "amended"),
        ("§ 6 Abs. 1 Nr. 2", "replaced"),
    ]  # the § 12e quoted in the new wording is not a change
    assert statute.entry is not None and (statute.entry.date, statute.entry.evidence.page) == (
        "2025-01-01", 3,
    )  # fmt: skip


def test_amendment_named_by_its_title_with_changes_under_a_heading() -> None:
    statute = only(
        "Erste Satzung zur Änderung der\nEntwässerungssatzung\nder Gemeinde Linsengericht vom "
        "21.03.2017\nIn der Fassung vom 13.12.2023",
        "Aufgrund der §§ 5, 19, 20, 51 und 93 Abs. 1 der Hessischen Gemeindeordnung (HGO) … hat "
        "die Gemeindevertretung der Gemeinde Linsengericht in der Sitzung am 13.12.2023 folgende\n"
        "Entwässerungssatzung beschlossen:\n"
        "Zu § 24 - Gebührenmaßstäbe und -sätze für Niederschlagswasser\n"
        "Es werden zum 01.01.2024 neue Gebühren für die Deckung des Teilhaushaltes festgelegt.\n"
        "1. Absatz 1 wird wie folgt geändert:\n…\nZu § 26 Gebührenmaßstäbe und -sätze für "
        "Schmutzwasser\n1. Absätze 1 und 2 werden wie folgt geändert:\n…\n"
        "Diese erste Satzung zur Änderung der Entwässerungssatzung der Gemeinde Linsengericht vom "
        "21.03.2017\ntritt am 01.01.2024 in Kraft.\nLinsengericht, 13.12.2023",
        title="Erste Satzung zur Änderung der Entwässerungssatzung der Gemeinde Linsengericht vom "
        "21.03.2017",
    )
    amendment = statute.amendment
    assert amendment is not None and amendment.ordinal == 1 and amendment.target is not None
    assert (amendment.target.name, amendment.target.date) == ("entwaesserungsatzung", "2017-03-21")
    assert [c.provision for c in amendment.changes] == ["§ 24 Abs. 1", "§ 26 Abs. 1, 2"]
    # the amended statute's date in the clause is not the amendment's entry
    assert statute.entry is not None and statute.entry.date == "2024-01-01"
    assert statute.date == "2023-12-13" and "2017-03-21" not in statute.dates


def test_amendment_repealing_a_provision_and_one_repealing_a_statute() -> None:
    second = only(
        "2. Satzung zur Änderung der\nHauptsatzung der Gemeinde Linsengericht vom 23.10.2018\n"
        "in der Fassung vom 22.04.2021\nAufgrund des § 6 der Hessischen Gemeindeordnung … hat die "
        "Gemeindevertretung in Linsengericht am 24.02.2025 folgende 2. Satzung zur Anderung der\n"
        "Hauptsatzung vom 23.10.2018 in der Fassung vom 22.04.2021 beschlossen:\nArtikel 1 Die "
        "Hauptsatzung der Gemeinde Linsengericht vom 23.10.2018 wird wie folgt geändert:\n"
        "§ 5 Ortsbeirat\nwird aufgehoben.\nArtikel 2 Inkrafttreten\nDie Satzung tritt am "
        "01.03.2025 in Kraft.",
        title="2. Satzung zur Änderung der Hauptsatzung der Gemeinde Linsengericht vom 23.10.2018",
    )
    assert second.amendment is not None and second.amendment.ordinal == 2
    assert not second.amendment.repeals_whole
    assert [(c.provision, c.action) for c in second.amendment.changes] == [("§ 5", "repealed")]
    # made up: none of the corpora holds an Aufhebungssatzung
    repeal = only(
        "Satzung zur Aufhebung der Jagdsteuersatzung\nAufgrund von § 3 der Landkreisordnung hat "
        "der Kreistag am 30.01.2009 folgende Satzung beschlossen:\n§ 1 Die Satzung über die "
        "Erhebung der Jagdsteuer im Landkreis Göppingen vom 28.11.1978 wird aufgehoben.\n"
        "§ 2 Diese Satzung tritt am 1. April 2009 in Kraft.",
        title="Satzung zur Aufhebung der Jagdsteuersatzung",
    )
    assert repeal.amendment is not None and repeal.amendment.repeals_whole
    assert repeal.amendment.target is not None and repeal.amendment.target.date == "1978-11-28"


def test_artikel_gesetz_amending_two_statutes() -> None:
    # made up, in the form of a Landesgesetz: Artikel 1 names the statute it changes
    statute = only(
        "Satzung zur Änderung gebührenrechtlicher Vorschriften\nAufgrund der §§ 5 und 51 HGO hat "
        "die Gemeindevertretung folgende Satzung beschlossen:\nArtikel 1 Änderung der "
        "Hundesteuersatzung\nDie Hundesteuersatzung vom 21.03.2017 wird wie folgt geändert:\n"
        "In § 4 Abs. 1 wird die Angabe „60 Euro“ durch die Angabe „72 Euro“ ersetzt.\n"
        "Artikel 2 Änderung der Verwaltungskostensatzung\nDie Verwaltungskostensatzung vom "
        "28.08.2025 wird wie folgt geändert:\n§ 7 wird aufgehoben.",
        title="Satzung zur Änderung gebührenrechtlicher Vorschriften",
    )
    assert statute.amendment is not None
    assert [(t.name, t.date) for t in statute.amendment.targets] == [
        ("hundesteuersatzung", "2017-03-21"),
        ("verwaltungskostsatzung", "2025-08-28"),
    ]
    assert [(c.provision, c.action) for c in statute.amendment.changes] == [
        ("§ 4 Abs. 1", "amended"),
        ("§ 7", "repealed"),
    ]


def test_naming_an_amended_version_is_no_amendment() -> None:
    leaflet = only(
        "Seit dem 1. Januar 2025 sind nach § 6 Abs. 1 der Hundesteuersatzung der Stadt "
        "Lindenbrück in der Fassung der 1. Änderungssatzung vom 18. November 2024 auf Antrag von "
        "der Hundesteuer befreit:",
        title="Merkblatt – Befreiung von der Hundesteuer für Blindenführhunde und Assistenzhunde",
        doc_type="guidance",
    )
    assert leaflet.amendment is None and leaflet.entry is None


def test_taxi_ordinance_with_its_two_amendments_behind_it() -> None:
    document = read(
        "Verordnung\nüber die Beförderungsentgelte und Beförderungsbedingungen für den\n"
        "Verkehr mit Taxen in der. Gemeinde Linsengericht (Main- Kinzig-Kreis)\n"
        "Aufgrund des § 51, Abs. 1 des "
        "Personenbeförderungsgesetzes (PBefG) … wird gemäß Beschluß’ des\nGemeindevorstandes "
        "Linsengericht. vom 3. 11.1992 folgende Rechtsverargnung erlassen:\n§ 1 Geltungsbereich",
        "Inkrafttreten\nDiese Verordnung tritt am 01. 01.1993 in Kraft.\nLinsengericht, 21.12.1992",
        "Hauptamt\n2. Änderung\nder Verordnung\nfür die Beförderungsentgelte und "
        "Beförderungsbedingungen für den Verkehr mit Taxen in der Gemeinde Linsengericht "
        "(Main-Kinzig-Kreis) vom 21. Dezember 1992 in der Fassung der letzten Änderung\nvom 25. "
        "April 2003, gültig ab 10. Juni 2003\nAufgrund des § 51 Absatz 1 des "
        "Personenbeförderungsgesetzes (PBefG) … wird die\nVerordnung\nfür die Beförderungsentgelte "
        "und Beförderungsbedingungen für den Verkehr mit Taxen in der Gemeinde Linsengericht "
        "(Main-Kinzig-Kreis) vom 21. Dezember 1992 in der Fassung der letzten Änderung\nvom 25, "
        "April 2009, gültig ab 10. Juni 2003\nwie folgt geändert:\n$& 2 Absatz 1 erhält folgende "
        "Neufassung:",
        "§ 8 In-Kraft-Treten\nDie Änderung tritt am Tag nach Vollendung der Bekanntmachung in "
        "Kraft.\nLinsengericht, 04,06.2009\nBescheinigung\nVorstehende Bekanntmachung wurde gemäß "
        "§ 8 der Hauptsatzung der Gemeinde Linsengericht vom\n02.05.2001 in der Fassung der 4. "
        'Änderung vom 01.04.2008 in der „Gelnhäuser Neue Zeitung", Ausgabe Nr.\n129, am 06.06.2009 '
        "veröffentlicht.",
        title="Verordnung über die Beförderungsentgelte und Beförderungsbedingungen für den "
        "Verkehr mit Taxen in der. Gemeinde Linsengericht (Main- Kinzig-Kreis)",
    )
    base, amendment = document.enactments
    assert (base.first_page, base.last_page, base.amendment) == (1, 2, None)
    assert base.entry is not None and base.entry.date == "1993-01-01"
    assert amendment.first_page == 3 and amendment.amendment is not None
    assert amendment.amendment.ordinal == 2
    assert (
        amendment.amendment.target is not None and amendment.amendment.target.date == "1992-12-21"
    )
    assert [c.provision for c in amendment.amendment.changes] == ["§ 2 Abs. 1"]
    assert amendment.entry is not None
    assert (amendment.entry.date, amendment.entry.evidence.page) == ("2009-06-07", 4)


# ------------------------------------------------------------------------------ linking


def record(
    doc_id: str, *pages: str, title: str, doc_type: str = "statute", source: str = ""
) -> DocumentRecord:
    validity = read(*pages, title=title, doc_type=doc_type)
    return DocumentRecord(doc_id, title, doc_type, None, validity, source)


def test_the_dog_tax_in_force_in_2025_is_the_amended_statute() -> None:
    statute = record("hundesteuer", *HUNDESTEUER_2017, title="Hundesteuersatzung vom 21. März 2017")
    paper = record(
        "drs-2024-0153", *DRUCKSACHE_2024_0153, doc_type="decision",
        title="Drucksache 2024/0153 – 1. Satzung zur Änderung der Hundesteuersatzung",
    )  # fmt: skip
    minutes = record(
        "niederschrift", "Der Stadtrat beschließt die 1. Satzung zur Änderung der "
        "Hundesteuersatzung vom 21. März 2017 … Die Satzung tritt am 1. Januar 2025 in Kraft.",
        title="Niederschrift über die 31. Sitzung des Stadtrates", doc_type="decision",
    )  # fmt: skip
    versions = link_versions([statute, paper, minutes])
    links = versions.documents
    assert links["drs-2024-0153"].amends == ("hundesteuer",)
    assert links["hundesteuer"].amended_by == ("drs-2024-0153",)
    assert links["niederschrift"].amends == ()  # minutes tell of it; they do not amend
    start = links["hundesteuer"].in_force_from
    assert start is not None and (start.date, start.evidence.page) == ("2018-01-01", 2)
    assert links["hundesteuer"].in_force_until is None  # an amendment does not end it
    (history,) = [h for h in versions.histories if h.name == "hundesteuersatzung"]
    assert [v.part.doc_id for v in in_force_on(history, "2024-06-01")] == ["hundesteuer"]
    assert [v.part.doc_id for v in in_force_on(history, "2025-06-01")] == [
        "hundesteuer", "drs-2024-0153",
    ]  # fmt: skip
    assert in_force_on(history, "2017-06-01") == ()


def test_a_successor_ends_its_predecessor_the_day_before_it_takes_effect() -> None:
    old = record(
        "ff-2020",
        "Aufgrund der §§ 5 und 51 Nr. 6 der Hessischen Gemeindeordnung (HGO) … hat die "
        "Gemeindevertretung der Gemeinde Linsengericht am 12.02.2020\nfolgende\nSATZUNG "
        "(Feuerwehrsatzung)\nbeschlossen:\nDiese Satzung tritt am Tage nach der Vollendung ihrer "
        "Bekanntmachung in Kraft.",
        title="Satzung für die Freiwillige Feuerwehr der Gemeinde Linsengericht",
    )
    new = record(
        "ff-2026",
        "(1) Diese Satzung tritt am 01.01.2026 nach der Vollendung ihrer Bekanntmachung in Kraft. "
        "(2) Gleichzeitig tritt außer Kraft die bisherige Satzung vom 12.02.2020 "
        "Ausfertigungsvermerk Es wird bestätigt, dass …",
        title="Satzung Für die Freiwillige Feuerwehr der Gemeinde Linsengericht",
    )
    versions = link_versions([new, old])
    assert versions.documents["ff-2026"].replaces == ("ff-2020",)
    until = versions.documents["ff-2020"].in_force_until
    assert until is not None and (until.date, until.doc_id) == ("2025-12-31", "ff-2026")
    old_version = versions.version(Part("ff-2020", 0))
    assert old_version.replaced_by == Part("ff-2026", 0)
    (history,) = versions.histories
    assert [v.part.doc_id for v in in_force_on(history, "2026-03-01")] == ["ff-2026"]


def test_an_amendment_printed_in_front_of_its_statute() -> None:
    compound = record(
        "hauptsatzung-inkl-1",
        "Linsengericht, 22.04.2021\n1. Satzung zur Änderung der\nHauptsatzung der Gemeinde "
        "Linsengericht vom 23.10.2018\nAufgrund des § 6 der Hessischen Gemeindeordnung … hat die\n"
        "Gemeindevertretung in Linsengericht am 22.04.2021 folgende 1. Satzung zur Änderung der "
        "Hauptsatzung\nbeschlossen:\nArtikel 1 Die Hauptsatzung der Gemeinde Linsengericht vom "
        "23.10.2018 wird wie folgt geändert:\n3. § 4(2) wird wie folgt neu gefasst: „Die Zahl der "
        "Beigeordneten beträgt 5“.\nArtikel 2 Inkrafttreten\nDie Satzung tritt mit dem Tag nach "
        "der Bekanntmachung in Kraft.",
        "GEMEINDE\nTLINSENGERICHT\nHauptsatzung der Gemeinde Linsengericht\nAufgrund des § 6 der "
        "Hessischen Gemeindeordnung … hat die\nGemeindevertretung in Linsengericht am 23.10.2018 "
        "folgende Hauptsatzung beschlossen:\n§ 8 In-Kraft-Treten\nDiese Hauptsatzung tritt am "
        "01.11.2018 in Kraft.",
        title="1. Satzung zur Änderung der Hauptsatzung der Gemeinde Linsengericht vom 23.10.2018",
    )
    second = record(
        "hauptsatzung-2",
        "Artikel 1 Die Hauptsatzung der Gemeinde Linsengericht vom 23.10.2018 wird wie folgt "
        "geändert:\n§ 5 Ortsbeirat\nwird aufgehoben.\nDie Satzung tritt am 01.03.2025 in Kraft.",
        title="2. Satzung zur Änderung der Hauptsatzung der Gemeinde Linsengericht vom 23.10.2018",
    )
    versions = link_versions([compound, second])
    assert versions.version(Part("hauptsatzung-inkl-1", 0)).amends == Part("hauptsatzung-inkl-1", 1)
    assert versions.version(Part("hauptsatzung-2", 0)).amends == Part("hauptsatzung-inkl-1", 1)
    assert versions.documents["hauptsatzung-inkl-1"].amends == ()  # not itself
    assert versions.documents["hauptsatzung-inkl-1"].amended_by == ("hauptsatzung-2",)
    (history,) = versions.histories
    # the first amendment's entry is left to its publication: it counts from its own date
    on = in_force_on(history, "2025-06-01")
    assert [v.part for v in on] == [
        Part("hauptsatzung-inkl-1", 1), Part("hauptsatzung-inkl-1", 0), Part("hauptsatzung-2", 0),
    ]  # fmt: skip


def test_statutes_link_only_within_their_source() -> None:
    statute = record(
        "a/hundesteuer", *HUNDESTEUER_2017, title="Hundesteuersatzung vom 21. März 2017", source="a"
    )
    paper = record(
        "b/drs", *DRUCKSACHE_2024_0153, doc_type="decision", source="b",
        title="Drucksache 2024/0153 – 1. Satzung zur Änderung der Hundesteuersatzung",
    )  # fmt: skip
    assert link_versions([statute, paper]).documents["b/drs"].amends == ()
