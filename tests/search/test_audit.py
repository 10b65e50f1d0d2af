"""The audit log in a real SQLite file: records, append-only, retention, export."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from search.answers import Answer, AnswerSentence
from search.answers.context import SourcePassage
from search.audit import AuditLog, AuditRecord
from search.filters import SearchFilters
from search.results import DocumentHit, Passage, SearchResponse


def _response() -> SearchResponse:
    passages = [
        Passage(
            "d1:0003", "Die Steuer beträgt 96 Euro.", "", 2, 2, "§ 3", 0.9, "Satzung, § 3, S. 2"
        ),
        Passage("d1:0004", "Die Steuerpflicht beginnt …", "", 3, 3, "§ 7", 0.5, "Satzung, § 7"),
    ]
    hit = DocumentHit(
        doc_id="d1",
        uri="file:///s.pdf",
        title="Satzung",
        doc_type="statute",
        source="t",
        date=None,
        reference=None,
        score=0.9,
        passages=passages,
        content_hash="abc123",
    )
    return SearchResponse(query="Hundesteuer erster Hund", mode="hybrid", results=[hit])


def _answer() -> Answer:
    source = SourcePassage(
        1, "d1:0003", "d1", "abc123", "Satzung", "Satzung, § 3, S. 2", "§ 3", 2, 2, "u", "t"
    )
    sentence = AnswerSentence("Die Steuer beträgt 96 Euro [1].", [1], 1.0)
    return Answer(
        kind="generated",
        question="Hundesteuer erster Hund",
        sentences=[sentence],
        sources=[source],
        model="smollm2",
        prompt_version="de-test",
        flags=["low_support"],
    )


def test_search_and_answer_are_recorded_with_chunks_and_hashes(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite")
    filters = SearchFilters(date_from=date(2020, 1, 1), access_groups=["public", "amt22"])
    log.record_search("m.schubert", _response(), filters)
    log.record_answer("m.schubert", _response(), filters, _answer())
    answer, search = log.records()
    assert search.kind == "search"
    assert search.user == "m.schubert"
    assert search.query == "Hundesteuer erster Hund"
    assert search.filters == {"date_from": "2020-01-01", "access_groups": ["public", "amt22"]}
    assert search.chunks == [
        {"chunk_id": "d1:0003", "doc_id": "d1", "content_hash": "abc123"},
        {"chunk_id": "d1:0004", "doc_id": "d1", "content_hash": "abc123"},
    ]
    assert answer.kind == "answer"
    assert answer.model == "smollm2"
    assert answer.prompt_version == "de-test"
    assert answer.answer == "Die Steuer beträgt 96 Euro [1]."
    assert answer.flags == ["low_support"]
    assert answer.chunks[0]["number"] == 1
    assert datetime.fromisoformat(answer.time) <= datetime.now(UTC)


def test_records_cannot_be_changed(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite")
    log.record_search("a", _response(), None)
    with sqlite3.connect(tmp_path / "audit.sqlite") as conn, pytest.raises(sqlite3.Error):
        conn.execute("UPDATE records SET user = 'b'")
    assert log.records()[0].user == "a"


def test_retention_purges_old_records_only(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    log = AuditLog(path)
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    log.append(AuditRecord("search", "alt", "alte Suche", "hybrid", {}, [], time=old))
    log.record_search("neu", _response(), None)
    AuditLog(path, retention_days=30)  # purges on open
    assert [record.user for record in log.records()] == ["neu"]


def test_disabled_log_records_nothing(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite", enabled=False)
    assert log.record_search("a", _response(), None) is None
    assert not (tmp_path / "audit.sqlite").exists()


def test_export_jsonl_and_csv_oldest_first(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite")
    log.record_search("a", _response(), None)
    log.record_answer("b", _response(), None, _answer())
    out = io.StringIO()
    assert log.export(out, "jsonl") == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["kind"] for line in lines] == ["search", "answer"]
    assert lines[0]["chunks"][0]["content_hash"] == "abc123"
    out = io.StringIO()
    assert log.export(out, "csv", user="b") == 1
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["kind"] == "answer"
    assert json.loads(row["flags"]) == ["low_support"]
    future = datetime.now(UTC) + timedelta(minutes=5)
    assert log.export(io.StringIO(), "jsonl", since=future) == 0
    with pytest.raises(ValueError, match="format"):
        log.export(io.StringIO(), "xml")
