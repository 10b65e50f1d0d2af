"""The fusion replay (search/evaluation/fusion_replay.py, run by benchmarks/fusion_replay.py)
scores what the search service scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.evaluation import evaluate_set
from search.core.settings import load_settings
from search.evaluation import fusion_replay
from search.evaluation.retrieval import load_beir

TOPICS = [
    ("Radweg", "Ampel", "Kosten"),
    ("Spielplatz", "Sandkasten", "Schaukel"),
    ("Friedhof", "Grabstelle", "Nutzungsgebühr"),
]
FILLER = "Die Verwaltung hat den Sachverhalt geprüft und berichtet dem Gemeinderat."


@pytest.fixture
def multi_chunk_set(tmp_path: Path) -> Path:
    """Per topic an answer with each of the question's three words in another paragraph
    (found as a whole) and notes with two of them in one paragraph (found as chunks)."""
    folder = tmp_path / "anfragen"
    folder.mkdir()
    docs, queries, qrels = [], [], []
    for i, words in enumerate(TOPICS):
        paragraphs = [f"Zum Thema {word}: {FILLER} {FILLER}" for word in words]
        docs.append(
            {"_id": f"antwort{i}", "title": "Stellungnahme", "text": "\n\n".join(paragraphs)}
        )
        for j, (a, b) in enumerate([(0, 1), (1, 2), (0, 2)]):
            text = f"Notiz {j}: {words[a]} und {words[b]} in Straße {j}. " + " ".join([FILLER] * 5)
            docs.append({"_id": f"notiz{i}{j}", "title": "Notiz", "text": text})
        queries.append({"_id": f"q{i}", "text": " ".join(words)})
        qrels.append(f"q{i}\tantwort{i}\t1")
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries) + "\n")
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(qrels) + "\n")
    return folder


def test_replay_reproduces_the_search_service(
    multi_chunk_set: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUSKUNFT_DATA_DIR", str(tmp_path / "data"))
    # small chunks and few candidates: answers found only as a whole, fused lists with
    # chunks missing from one side, the floor and the chunk fetch all come into play
    monkeypatch.setenv("AUSKUNFT_INGEST__CHUNK_TARGET_CHARS", "200")
    monkeypatch.setenv("AUSKUNFT_INGEST__CHUNK_MAX_CHARS", "300")
    monkeypatch.setenv("AUSKUNFT_SEARCH__CANDIDATES", "3")
    settings = load_settings()
    beir = load_beir(multi_chunk_set)
    report = evaluate_set(settings, beir)
    assert report.chunks >= 3 * len(TOPICS) + 3 * len(TOPICS)  # answers have 3 chunks
    path = tmp_path / "replay" / f"{beir.label}.json.gz"
    assert fusion_replay.record(settings, beir, path) == len(TOPICS)
    recorded = fusion_replay.load_recording(path)
    modes = ["keyword", "semantic", "hybrid"]
    replayed = fusion_replay.replay(settings, beir, recorded, {}, modes)
    for mode in modes:
        assert replayed[mode] == pytest.approx(report.scores[mode]["ndcg@10"], abs=1e-4), mode
    # the set depends on whole documents: without them the answers drop, in both
    without = fusion_replay.replay(settings, beir, recorded, {"document_weight": 0.0}, ["keyword"])
    assert without["keyword"] < report.scores["keyword"]["ndcg@10"]
