"""The BEIR connector and the plain-text path of ingestion."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from connectors.base import PLAIN_TEXT
from connectors.beir import BeirCorpusConnector, corpus_id_of
from ingest.pipeline.plain_text import parse_plain_text
from ingest.pipeline.structure import annotate

STATUTE = """# Satzung über die Erhebung der Hundesteuer

**Stand: 2020**

§ 1 Steuergegenstand

Gegenstand der Steuer ist das Halten von Hunden im Gemeindegebiet.

§ 2 Steuersatz
Die Steuer beträgt für den ersten Hund 90 Euro.
"""


def _write(folder: Path, *, gz: bool) -> None:
    folder.mkdir()
    lines = [
        json.dumps({"_id": "S-1", "title": "Hundesteuersatzung", "text": STATUTE}),
        json.dumps({"_id": "S-2", "title": "", "text": "Urteil ohne Absätze."}),
    ]
    data = ("\n".join(lines) + "\n").encode()
    if gz:
        (folder / "corpus.jsonl.gz").write_bytes(gzip.compress(data))
    else:
        (folder / "corpus.jsonl").write_bytes(data)


def test_lists_and_fetches_plain_text_documents(tmp_path: Path) -> None:
    _write(tmp_path / "set", gz=True)
    connector = BeirCorpusConnector(tmp_path / "set")
    documents = [connector.fetch(ref) for ref in connector.list()]
    assert [corpus_id_of(d.uri) for d in documents] == ["S-1", "S-2"]
    assert documents[0].metadata == {PLAIN_TEXT: True, "title": "Hundesteuersatzung"}
    assert "title" not in documents[1].metadata
    assert documents[0].content.decode() == STATUTE
    # fetching again, out of order, reads the file
    refs = list(connector.list())
    assert connector.fetch(refs[0]).uri.endswith("/S-1")


def test_only_ids_restricts_the_corpus(tmp_path: Path) -> None:
    _write(tmp_path / "set", gz=False)
    connector = BeirCorpusConnector(tmp_path / "set", name="x", only_ids={"S-2"})
    assert [ref.uri for ref in connector.list()] == ["beir://x/S-2"]


def test_plain_text_becomes_headings_and_paragraphs_with_sections(tmp_path: Path) -> None:
    _write(tmp_path / "set", gz=False)
    document = next(iter(BeirCorpusConnector(tmp_path / "set").list()))
    parsed = annotate(parse_plain_text(BeirCorpusConnector(tmp_path / "set").fetch(document)))
    assert parsed.title == "Hundesteuersatzung"
    heading = parsed.elements[0]
    assert heading.kind == "heading"
    assert heading.text == "Satzung über die Erhebung der Hundesteuer"
    rate = next(e for e in parsed.elements if "90 Euro" in e.text)
    assert rate.section_path[-1] == "§ 2 Steuersatz"
