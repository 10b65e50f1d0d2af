"""References to council papers and laws: found in real sentences of the corpora (Karlsruhe
council texts, Linsengericht statutes, the sample corpus), resolved to documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.relations.law_names import PORTAL_LAWS, canonical_abbreviation, law_for
from ingest.relations.references import (
    AMBIGUOUS,
    LAW,
    LAW_ONLY,
    OPARL,
    PAPER,
    RESOLVED,
    UNRESOLVED,
    LawTarget,
    Reference,
    ReferenceTargets,
    extract_references,
    oparl_references,
    paper_key,
    resolve,
)
from search.core import fields

ROOT = Path(__file__).resolve().parents[3]
BUNDESRECHT = ROOT.parent / "shared" / "data" / "corpora" / "bundesrecht"


def keys(text: str, **options: str) -> list[str]:
    return [ref.key for ref in extract_references(text, **options)]


def laws(text: str) -> list[tuple[str, str | None, str | None]]:
    """(key, Absatz, Nummer) of the law references of ``text``."""
    return [(r.key, r.absatz, r.nummer) for r in extract_references(text) if r.kind == LAW]


# --- papers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Karlsruhe minutes, answers and papers
        ("Punkt 9.1.1 Vorlage: 2020/0461 Mehrheitlich zugestimmt", ["paper:2020/0461"]),
        ("Anlage 1 zu Vorlage Nr.: 2019/0639", ["paper:2019/0639"]),
        ("terungen in der Informationsvorlage Nr. 2023/0334 dargestellt", ["paper:2023/0334"]),
        ("ist der Beschlussvorlage Nr.: 2021/1322 zu entnehmen", ["paper:2021/1322"]),
        (
            "in der Sitzung am 15. Juli 2025 (Vorlage Nr. 2025/0449) beschlossen",
            ["paper:2025/0449"],
        ),
        ("(Vorlagennummer 2022/2120) vorgestellt", ["paper:2022/2120"]),
        ("Vorlagen-Nr. 2023/1123", ["paper:2023/1123"]),
        ("Gartenbauamt hat in der zur Vorlage Nr. 2021/072 genannten", ["paper:2021/0072"]),
        (
            "(KAL/Die PARTEI) Vorlage: DHH/2023/4159 Antrag 1.123 (Seite 226)",
            ["paper:DHH/2023/4159"],
        ),
        ("Änderungsantrag: SPD Vorlage: 2021/1257/1/1", ["paper:2021/1257/1/1"]),
        ("die geänderte Beschlussvorlage (2021/1465) beizubehalten", ["paper:2021/1465"]),
        ("Bezugnehmend auf die Vorlage der Verwaltung Nr. 2022/1029 hat", ["paper:2022/1029"]),
        ("die Stellungnahme zum ursprünglichen Antrag (2022/2086) suggeriert", ["paper:2022/2086"]),
        (
            "Seit Beratung des Antrags 2022/2367 und des Änderungs- / Ergänzungsantrags "
            "2022/2367/1 im März 2023",
            ["paper:2022/2367", "paper:2022/2367/1"],
        ),
        (
            "auf den Inhalt der Vorlagen 2019/0372, 2021/0096, 2021/0726 und 2022/0198 verwiesen",
            ["paper:2019/0372", "paper:2021/0096", "paper:2021/0726", "paper:2022/0198"],
        ),
        # the sample corpus
        (
            "mit Beschluss vom 7. März 2024 (Drucksache 2024/0031, Haushaltssicherungskonzept, "
            "Maßnahme Nr. 14) beauftragt",
            ["paper:2024/0031"],
        ),
        ("Drs. 2024/0153", ["paper:2024/0153"]),
    ],
)
def test_paper_numbers_in_the_forms_council_texts_use(sentence: str, expected: list[str]) -> None:
    assert keys(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Mittelanmeldung für den Doppelhaushalt 2015/2016",
        "Haushaltsantrag 2024 / 2025 – The Justice Project",
        "Vorlage für das Schuljahr (2015/2016)",
        "Landkreises für das Schuljahr 2010/2011",
        "Nr. 2013/0228",  # a number without a word naming a paper
        "Tel. 0721/133-1234, Fax 0721/133-1239",
        "am 22.10.2013 um 17:00 Uhr, Kosten 1.942,00 €",
        "Vorlage an die Mitglieder des Gemeinderats",
        "Antrag 1.122 (Seite 225): NUN Kulturraum e. V.",
    ],
)
def test_no_paper_in_years_phones_dates_and_amounts(sentence: str) -> None:
    assert [r for r in extract_references(sentence) if r.kind == PAPER] == []


def test_a_papers_own_number_is_no_reference() -> None:
    header = "STELLUNGNAHME zur Anfrage Vorlage Nr.: 2016/0135 Verantwortlich: Dez. 4"
    assert keys(header, own_reference="2016/0135") == []
    assert keys(header, own_reference="Drucksache 2016/135") == []
    assert keys(header, own_reference="2016/0136") == ["paper:2016/0135"]


def test_paper_numbers_are_normalised() -> None:
    assert paper_key("2024/153") == paper_key("2024 / 0153") == "2024/0153"
    assert paper_key("Drs. 2024/0153") == "2024/0153"
    assert paper_key("ANF2022/2001") == paper_key("ANF/2022/2001") == "ANF/2022/2001"
    assert paper_key("2021/0167/1") == "2021/0167/1"
    assert paper_key("23/2012") == "23/2012"
    assert paper_key("16057") is None  # Karlsruhe's old papers carry their internal id
    assert paper_key("BauGB") is None


def test_sample_decision_cites_papers_and_laws() -> None:
    text = (ROOT / "samples" / "src" / "beschluss_2024_0153_hundesteuer.md").read_text("utf-8")
    refs = extract_references(text, own_reference="Drucksache 2024/0153")
    # its own number, "§ 3 Abs. 1 und 2 der Satzung" and "§ 6 Abs. 1 Nr. 2" are none
    assert [ref.key for ref in refs] == [
        "paper:2024/0031", "law:BGG/§ 12e",
        "law:GemO/§ 5", "law:GemO/§ 19", "law:GemO/§ 51", "law:KAG/§ 1", "law:KAG/§ 2",
        "law:KAG/§ 7", "law:BGG/§ 12e",
    ]  # fmt: skip
    bgg = next(ref for ref in refs if ref.kind == LAW)
    assert bgg.text == "§ 12e des Behindertengleichstellungsgesetzes (BGG)"
    assert text[bgg.start : bgg.end] == bgg.text
    assert (bgg.law, bgg.section, bgg.number) == ("BGG", "§ 12e", "12e")


# --- laws ---------------------------------------------------------------------------------


def test_a_range_of_lettered_paragraphs_expands() -> None:
    # the Linsengericht statute on Kostenerstattungsbeträge, as its scan reads
    found = extract_references(
        "Satzung zur Erhebung von Kostenerstattungsbeträgen nach §§ 135 a - c BauGB"
    )
    assert [ref.key for ref in found] == [
        "law:BauGB/§ 135a", "law:BauGB/§ 135b", "law:BauGB/§ 135c",
    ]  # fmt: skip
    assert {ref.text for ref in found} == {"§§ 135 a - c BauGB"}
    assert keys("§§ 135a–c BauGB") == keys("§§ 135 a bis c BauGB") == [ref.key for ref in found]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # Linsengericht statutes
        (
            "§ 135 c des Baugesetzbuches (BauGB) i. d. F. der Bekanntmachung vom 27.08.1997 "
            "(BGBl. I S. 2141) sowie § 135 a Abs. 4 BauGB i. V. m. § 11 KAG.",
            [("law:BauGB/§ 135c", None, None), ("law:BauGB/§ 135a", "4", None),
             ("law:KAG/§ 11", None, None)],
        ),
        (
            "entsprechend für Satzungen nach §§ 34 Abs. 4 Satz 1 Nr. 3 und § 12 BauGB.",
            [("law:BauGB/§ 34", "4", "3"), ("law:BauGB/§ 12", None, None)],
        ),
        (
            "Enthält eine Satzung nach § 34 Abs. 4 BauGB Festsetzungen nach "
            "§ 9 Abs. 1, 3 und 4 BauGB",
            [("law:BauGB/§ 34", "4", None), ("law:BauGB/§ 9", "1", None),
             ("law:BauGB/§ 9", "3", None), ("law:BauGB/§ 9", "4", None)],
        ),
        (
            "geahndet werden (§§ 5 Abs. 2 HGO, 17 Abs. 1 OWiG). Zuständige",
            [("law:HGO/§ 5", "2", None), ("law:OWiG/§ 17", "1", None)],
        ),
        (
            "Aufgrund der §§ 5, 51 und 93 Abs. 1 der Hessischen Gemeindeordnung (HGO)",
            [("law:HGO/§ 5", None, None), ("law:HGO/§ 51", None, None),
             ("law:HGO/§ 93", "1", None)],
        ),
        ("nach § 9 Abs. 1 a BauGB zugeordnet", [("law:BauGB/§ 9", "1a", None)]),
        ("Fußwege (§ 127 Abs. 2 Nr. 2 BauGB)bis zu", [("law:BauGB/§ 127", "2", "2")]),
        ("§ 6 Abs. 1 Buchstabe e) KAG", [("law:KAG/§ 6", "1", None)]),
        ("§ 73 Abs. IV HBO genannten Fällen", [("law:HBO/§ 73", "4", None)]),
        ("Verpflichtung ist aktenkundig zu machen (§ 21 (2) HGO).", [("law:HGO/§ 21", "2", None)]),
        ("gem. §34 Abs. 5 S. 2 Infektionsschutzgesetz (IfSG)", [("law:IfSG/§ 34", "5", None)]),
        ("Führungszeugnis gem. § 72 a SGB VIII vorlegen", [("law:SGB VIII/§ 72a", None, None)]),
        ("in Verbindung mit § 90 Abs. 1 Satz 2 der Abgabenordnung", [("law:AO/§ 90", "1", None)]),
        ("Aufgrund des § 51, Abs. 1 des Personenbeförderungsgesetzes (PBefG)",
         [("law:PBefG/§ 51", "1", None)]),
        ("§ 20 Abs. 1 des Kreislaufwirtschaftsgesetzes (Kr WG) vom 24. Februar 2012",
         [("law:KrWG/§ 20", "1", None)]),
        # OCR of scanned statutes: "88" and "$" for "§"
        ("nach Maßgabe der 88 127 ff. BauGB in Verbindung", [("law:BauGB/§ 127", None, None)]),
        ("einer Satzung gemäß $ 34 Abs. 4 BauGB, zum Teil", [("law:BauGB/§ 34", "4", None)]),
        ("des\n8 25 des Grundsteuergesetzes (GrStG) vom 7. August 1973",
         [("law:GrStG/§ 25", None, None)]),
        ("§ 135 a Abs. 4 BauGB", [("law:BauGB/§ 135a", "4", None)]),
        # titles, articles, the sample corpus
        ("§ 35 Baugesetzbuch", [("law:BauGB/§ 35", None, None)]),
        ("nach dem Leistungsgrundsatz (Art. 33 Abs. 2 des Grundgesetzes)",
         [("law:GG/Art. 33", "2", None)]),
        ("Art. 28 Abs. 2 GG", [("law:GG/Art. 28", "2", None)]),
        ("Verantwortlicher im Sinne von Art. 4 Nr. 7 DSGVO", [("law:DSGVO/Art. 4", None, "7")]),
        ("vorläufigen Haushaltsführung nach § 99 GemO", [("law:GemO/§ 99", None, None)]),
        # a law the catalogue does not know, named in parentheses or by its abbreviation
        ("und dem § 19 des Hessisches Archivgesetz (HArchivG) vom 26. November 2012",
         [("law:HArchivG/§ 19", None, None)]),
        ("der §§ 1 und 9 des Gesetzes über Abgaben für das Einleiten von Abwasser in "
         "Gewässer (Abwasserabgabengesetz - AbwAG) in der Fassung",
         [("law:AbwAG/§ 1", None, None), ("law:AbwAG/§ 9", None, None)]),
        ("Gestattung nach § 6 HGastG", [("law:HGastG/§ 6", None, None)]),
    ],
)  # fmt: skip
def test_law_references_in_real_sentences(
    sentence: str, expected: list[tuple[str, str | None, str | None]]
) -> None:
    assert laws(sentence) == expected


def test_a_book_of_the_social_code_by_its_title() -> None:
    sentence = (
        "sowie 88 22, 22a, 74, 85, 86, 90ff des Achten Buchs Sozialgesetzbuch - Kinder- und "
        "Jugendhilfe - (SGB VIII) in der Fassung"
    )
    assert keys(sentence) == [f"law:SGB VIII/§ {n}" for n in ("22", "22a", "74", "85", "86", "90")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Die Steuersätze betragen 720 Euro (§ 3 Abs. 1 und 2 der Satzung).",
        "Darüber hinaus wird § 6 Abs. 1 Nr. 2 neu gefasst:",
        "Gemäß § 14 Abs. 2 der Satzung über die Erhebung wiederkehrender Straßenbeiträge (WStrBS)",
        "zuletzt geändert durch Artikel 2 des Gesetzes vom 16. Februar 2023 (GVBl. S. 90, 93)",
        "Soweit in Fußgängerzonen (Zeichen 242 StVO) Gehwege nicht vorhanden sind",
        "Vorstehende Bekanntmachung wurde gemäß § 7 der Hauptsatzung veröffentlicht.",
        "§ 4 Ort und Zeit der Benutzung",
        "Artikel I",
        "Art, Umfang und Herstellungsmerkmale von Anlagen",
        "Die Gemeinde zahlt 8 25 Euro.",
        "nach § 102 IV genannten",  # an Absatz in roman numbers, no law
    ],
)
def test_no_law_reference_without_a_law(sentence: str) -> None:
    assert laws(sentence) == []


def test_a_state_law_named_after_a_federal_one_is_not_it() -> None:
    sentence = (
        "i.V.m. § 1 Abs. 6 und § 5 des Hessischen Ausführungsgesetzes zum "
        "Kreislaufwirtschaftsgesetz (HAKrWG) vom 6.März 2013"
    )
    assert laws(sentence) == [("law:HAKrWG/§ 1", "6", None), ("law:HAKrWG/§ 5", None, None)]
    assert laws("§ 4 des Hessischen Verwaltungsverfahrensgesetzes") == [
        ("law:HVwVfG/§ 4", None, None)
    ]
    assert laws("§ 4 des Bayerischen Gaststättengesetzes") == []  # not the GastG


def test_abbreviations_are_those_the_law_documents_carry() -> None:
    assert canonical_abbreviation("SGB 8") == "SGB VIII"
    assert canonical_abbreviation("BBauG") == "BauGB"  # the portal's jurabk of the BauGB
    assert canonical_abbreviation("WoEigG") == "WEG"
    assert canonical_abbreviation("HessKAG") == "KAG"
    assert canonical_abbreviation("XYZG") == "XYZG"
    assert law_for("GG") is not None
    assert law_for("HGO") is not None and not law_for("HGO").federal  # type: ignore[union-attr]


@pytest.mark.skipif(not BUNDESRECHT.is_dir(), reason=f"no federal law corpus at {BUNDESRECHT}")
def test_the_catalogue_knows_every_law_of_the_federal_corpus() -> None:
    names = set()
    for meta_file in BUNDESRECHT.glob("BJNR*/meta.json"):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        # as ingest.pipeline.parsing.lawxml names the law: amtabk, else jurabk without its year
        name = meta.get("amtabk") or re.sub(r"\s+\d{4}$", "", meta["jurabk"])
        names.add(canonical_abbreviation(name))
    assert names == {law.abbreviation for law in PORTAL_LAWS}


# --- resolution ---------------------------------------------------------------------------

PAPER_URL = "https://web1.karlsruhe.de/oparl/bodies/0001/papers/vo/41254"
PARENT_URL = "https://web1.karlsruhe.de/oparl/bodies/0001/papers/vo/40846"
FILE_URL = "https://web1.karlsruhe.de/oparl/bodies/0001/downloadfiles/a/00154001.pdf"
BAUGB_PATHS = [
    ["Erstes Kapitel Allgemeines Städtebaurecht", "§ 34 Zulässigkeit von Vorhaben innerhalb "
     "der im Zusammenhang bebauten Ortsteile", "Abs. 1"],
    ["Erstes Kapitel Allgemeines Städtebaurecht", "§ 34 Zulässigkeit von Vorhaben innerhalb "
     "der im Zusammenhang bebauten Ortsteile", "Abs. 4"],
    ["Erstes Kapitel Allgemeines Städtebaurecht", "§ 35 Bauen im Außenbereich", "Abs. 1"],
]  # fmt: skip


def targets() -> ReferenceTargets:
    """What an index with an OParl paper (and its file), a statute and the BauGB knows."""
    return ReferenceTargets.from_documents(
        [
            {fields.DOC_ID: "paper-doc", fields.URI: PARENT_URL, "paper": PARENT_URL,
             fields.REFERENCE: "2021/0167", fields.DOC_TYPE: "decision"},
            {fields.DOC_ID: "file-doc", fields.URI: FILE_URL, "paper": PARENT_URL,
             fields.REFERENCE: "2021/0167", fields.DOC_TYPE: "decision"},
            {fields.DOC_ID: "baugb", fields.URI: "file:///laws/baugb.xml",
             fields.REFERENCE: "BauGB", fields.DOC_TYPE: "statute", "section_paths": BAUGB_PATHS},
            {fields.DOC_ID: "satzung", fields.URI: "file:///hundesteuer.pdf",
             fields.DOC_TYPE: "statute", fields.TITLE: "Hundesteuersatzung"},
        ]
    )  # fmt: skip


def test_a_paper_resolves_to_the_paper_not_its_file() -> None:
    (resolved,) = resolve(extract_references("siehe Vorlage: 2021/0167 Punkt 3"), targets())
    assert (resolved.status, resolved.doc_id) == (RESOLVED, "paper-doc")


def test_a_law_resolves_to_its_section_and_absatz() -> None:
    found = resolve(
        extract_references("§ 34 Abs. 1 BauGB, § 35 Baugesetzbuch, § 300 BauGB, § 5 HGO"),
        targets(),
    )
    assert [(r.status, r.doc_id, r.section) for r in found] == [
        (RESOLVED, "baugb", f"{BAUGB_PATHS[0][1]} › Abs. 1"),
        (RESOLVED, "baugb", "§ 35 Bauen im Außenbereich"),
        (LAW_ONLY, "baugb", None),
        (UNRESOLVED, None, None),
    ]  # fmt: skip
    assert found[3].reference.text == "§ 5 HGO"


def test_stored_references_resolve_when_their_target_arrives() -> None:
    stored = [ref.as_dict() for ref in extract_references("Drucksache 2024/0031 und § 5 HGO")]
    known = targets()
    before = resolve([Reference.from_dict(data) for data in stored], known)
    assert [r.status for r in before] == [UNRESOLVED, UNRESOLVED]
    known.add_paper("2024/0031", "haushalt-doc")
    known.add_law("HGO", LawTarget.from_section_paths("hgo", [["§ 5 Satzungen"]]))
    after = resolve([Reference.from_dict(data) for data in stored], known)
    assert [(r.status, r.doc_id, r.section) for r in after] == [
        (RESOLVED, "haushalt-doc", None), (RESOLVED, "hgo", "§ 5 Satzungen"),
    ]  # fmt: skip
    assert json.loads(json.dumps(stored)) == stored


def test_a_number_two_papers_carry_is_ambiguous() -> None:
    known = ReferenceTargets()
    known.add_paper("2019/1012", "a", paper="https://example.org/papers/ag/394")
    known.add_paper("2019/1012", "b", paper="https://example.org/papers/vo/38195")
    (resolved,) = resolve(extract_references("Vorlage 2019/1012"), known)
    assert (resolved.status, resolved.doc_id) == (AMBIGUOUS, None)


def test_oparl_links_are_references_resolved_by_id() -> None:
    # a Karlsruhe paper: the Ergänzungsantrag 2021/0167/1 to the Beschlussvorlage 2021/0167
    paper = {
        "id": PAPER_URL,
        "reference": "2021/0167/1",
        "paperType": "Änderungs-/Ergänzungsantrag",
        "subordinatedPaper": [PARENT_URL],
        "relatedPaper": [],
    }
    refs = oparl_references(paper)
    assert [(r.kind, r.key, r.origin, r.relation) for r in refs] == [
        (PAPER, f"oparl:{PARENT_URL}", OPARL, "subordinated"),
    ]
    (resolved,) = resolve(refs, targets())
    assert (resolved.status, resolved.doc_id) == (RESOLVED, "paper-doc")
    assert (
        resolve(oparl_references({"superordinatedPaper": "https://x/y"}), targets())[0].status
        == UNRESOLVED
    )
