import pytest

from ingest.pipeline.chunker import StructuredChunker, chunk_id
from ingest.pipeline.elements import Element, ParsedDocument
from search.core.settings import IngestSettings

META = {"doc_id": "d1", "title": "Hundesteuersatzung", "source": "amt", "access_groups": ["public"]}


def _statute() -> ParsedDocument:
    s1 = ("§ 1 Steuergegenstand",)
    s3 = ("Abschnitt II", "§ 3 Steuersatz")
    return ParsedDocument(
        elements=[
            Element("Hundesteuersatzung der Stadt Lindenbrück", page=1, kind="heading"),
            Element("§ 1 Steuergegenstand", page=1, kind="heading", section_path=s1),
            Element("Gegenstand der Steuer ist das Halten von Hunden.", page=1, section_path=s1),
            Element("Abschnitt II", page=1, kind="heading", section_path=("Abschnitt II",)),
            Element("§ 3 Steuersatz", page=1, kind="heading", section_path=s3),
            Element("(1) Die Steuer beträgt für den ersten Hund 96 Euro,", page=1, section_path=s3),
            Element("für den zweiten Hund 144 Euro.", page=2, section_path=s3),
        ],
        page_count=2,
    )


def test_each_section_is_one_chunk_with_pages_and_path() -> None:
    chunks = StructuredChunker(IngestSettings()).run(parsed=_statute(), meta=META)["chunks"]
    assert [c.meta["section"] for c in chunks] == [
        "§ 1 Steuergegenstand",
        "Abschnitt II › § 3 Steuersatz",
    ]
    # the document title (a heading without body) opens the first section's chunk
    assert chunks[0].content.startswith("Hundesteuersatzung der Stadt Lindenbrück\n§ 1")
    third = chunks[1]
    # the heading-only "Abschnitt II" group is carried into the § 3 chunk
    assert third.content.startswith("Abschnitt II\n§ 3 Steuersatz\n(1) Die Steuer")
    assert "144 Euro" in third.content
    assert (third.meta["page_start"], third.meta["page_end"]) == (1, 2)
    assert third.meta["section_path"] == ["Abschnitt II", "§ 3 Steuersatz"]
    assert third.id == chunk_id("d1", 1) == third.meta["chunk_id"] == "d1:0001"
    assert third.meta["title"] == "Hundesteuersatzung"
    assert third.meta["access_groups"] == ["public"]


def test_the_document_title_is_not_a_section() -> None:
    path = ("Hundesteuersatzung", "§ 1 Steuergegenstand")
    parsed = ParsedDocument(
        elements=[Element("Gegenstand ist das Halten von Hunden.", section_path=path)]
    )
    (chunk,) = StructuredChunker(IngestSettings()).run(parsed=parsed, meta=META)["chunks"]
    assert chunk.meta["section"] == "§ 1 Steuergegenstand"


def test_chunk_ids_are_stable_across_runs() -> None:
    first = StructuredChunker(IngestSettings()).run(parsed=_statute(), meta=META)["chunks"]
    second = StructuredChunker(IngestSettings()).run(parsed=_statute(), meta=META)["chunks"]
    assert [c.id for c in first] == [c.id for c in second]
    assert [c.content for c in first] == [c.content for c in second]


def test_long_section_is_cut_at_sentences_and_never_exceeds_max() -> None:
    sentence = "Die Gebühr wird mit der Bekanntgabe des Bescheides fällig und ist zu zahlen. "
    body = sentence * 80  # ~6000 characters in one element
    parsed = ParsedDocument(
        elements=[
            Element("§ 5 Fälligkeit", page=3, kind="heading", section_path=("§ 5 Fälligkeit",)),
            Element(body, page=3, section_path=("§ 5 Fälligkeit",)),
            Element("§ 6 Inkrafttreten", page=4, kind="heading", section_path=("§ 6",)),
            Element(
                "Diese Satzung tritt am Tage nach der Bekanntmachung in Kraft.",
                page=4,
                section_path=("§ 6",),
            ),
        ]
    )
    smaller = IngestSettings(chunk_target_chars=1000, chunk_max_chars=1500)
    chunks = StructuredChunker(smaller).run(parsed=parsed, meta=META)["chunks"]
    fifth = [c for c in chunks if c.meta["section"] == "§ 5 Fälligkeit"]
    assert len(fifth) >= 4
    assert all(len(c.content) <= 1500 for c in chunks)
    assert all(c.content.rstrip().endswith(".") for c in fifth)  # cut at sentence ends
    assert chunks[-1].meta["section"] == "§ 6"
    assert "".join(c.content for c in fifth).count("Bekanntgabe") == 80


def test_attachments_get_their_own_chunks_and_section() -> None:
    parsed = ParsedDocument(
        elements=[
            Element("Liebe Kolleginnen und Kollegen, anbei die Dienstanweisung."),
            Element(
                "§ 2 Geltungsbereich",
                kind="heading",
                attachment="DA.pdf",
                page=1,
                section_path=("§ 2 Geltungsbereich",),
            ),
            Element(
                "Sie gilt für alle Ämter.",
                attachment="DA.pdf",
                page=1,
                section_path=("§ 2 Geltungsbereich",),
            ),
        ]
    )
    chunks = StructuredChunker(IngestSettings()).run(parsed=parsed, meta=META)["chunks"]
    assert len(chunks) == 2
    assert chunks[0].meta["attachment"] is None
    assert chunks[0].meta["page_start"] is None
    assert chunks[1].meta["section"] == "Anlage: DA.pdf › § 2 Geltungsbereich"
    assert chunks[1].meta["attachment"] == "DA.pdf"


def test_empty_elements_give_no_chunks_and_bad_sizes_are_rejected() -> None:
    parsed = ParsedDocument(elements=[Element("   "), Element("")])
    assert StructuredChunker(IngestSettings()).run(parsed=parsed, meta=META)["chunks"] == []
    with pytest.raises(ValueError, match="target_chars"):
        StructuredChunker(IngestSettings(chunk_target_chars=3000, chunk_max_chars=1000))
