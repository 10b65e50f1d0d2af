"""The tantivy keyword store against the contract, plus its own locking and visibility."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import tantivy

from search.core import fields
from search.core.errors import IndexMismatch
from search.stores.tantivy_store import DOCUMENTS_DIR, TantivyKeywordStore
from tests.search.stores.contract import CHUNKS, KeywordStoreContract, without_embeddings


class TestTantivyKeywordStore(KeywordStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[TantivyKeywordStore]:
        store = TantivyKeywordStore(tmp_path / "keyword")
        yield store
        store.close()

    def reopen(self, store: Any, **changes: Any) -> TantivyKeywordStore:
        store.close()
        return TantivyKeywordStore(store.path, **changes)

    def test_writes_are_invisible_until_commit(self, store: TantivyKeywordStore) -> None:
        store.write(without_embeddings())
        assert store.count() == 0
        assert store.search("Hund") == []
        store.commit()
        assert store.count() == len(CHUNKS)
        store.delete_documents(["hundesteuer"])
        assert store.count() == len(CHUNKS)
        store.commit()
        assert store.count() == len(CHUNKS) - 2

    def test_close_discards_uncommitted_writes(self, store: TantivyKeywordStore) -> None:
        store.write(without_embeddings())
        reopened = self.reopen(store)
        try:
            assert reopened.count() == 0
        finally:
            reopened.close()

    def test_german_analyser_is_registered_after_reopen(self, store: TantivyKeywordStore) -> None:
        store.write(without_embeddings())
        store.commit()
        reopened = self.reopen(store)
        try:
            assert "hundesteuer:0" in [hit.chunk_id for hit in reopened.search("Hunde")]
        finally:
            reopened.close()

    def test_constructor_does_no_io(self, tmp_path: Path) -> None:
        store = TantivyKeywordStore(tmp_path / "not-yet")
        assert store.search("Hund") == []
        assert store.count() == 0
        assert not (tmp_path / "not-yet").exists()

    def test_index_with_another_schema(self, tmp_path: Path) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=True)
        (tmp_path / "old").mkdir()
        tantivy.Index(builder.build(), path=str(tmp_path / "old"))
        store = TantivyKeywordStore(tmp_path / "old")
        with pytest.raises(IndexMismatch, match="another schema"):
            store.count()

    def test_index_without_whole_documents_is_refused(self, tmp_path: Path) -> None:
        store = TantivyKeywordStore(tmp_path / "keyword")
        store.write(without_embeddings())
        store.commit()
        store.close()
        shutil.rmtree(tmp_path / "keyword" / DOCUMENTS_DIR)  # as an older version built it
        with pytest.raises(IndexMismatch, match="whole-document records"):
            TantivyKeywordStore(tmp_path / "keyword").search("Hund")

    def test_records_without_facet_fields_are_rebuilt_by_the_first_write(
        self, tmp_path: Path
    ) -> None:
        chunks = without_embeddings()
        store = TantivyKeywordStore(tmp_path / "keyword")
        store.write(chunks[1:])
        store.commit()
        store.close()
        # as the previous version left it: whole-document records without facet fields
        documents = tmp_path / "keyword" / DOCUMENTS_DIR
        documents.rename(tmp_path / "keyword" / "documents-v2")
        reader = TantivyKeywordStore(tmp_path / "keyword")
        before = {hit.doc_id for hit in reader.search_documents("Euro", top_k=50)}
        assert before
        writer = TantivyKeywordStore(tmp_path / "keyword")
        writer.write(chunks[:1])
        writer.commit()
        assert documents.is_dir()
        after = {hit.doc_id: hit.meta for hit in writer.search_documents("Euro", top_k=50)}
        assert before <= set(after)
        assert chunks[0].meta[fields.DOC_ID] in after
        assert all(meta[fields.SOURCE] for meta in after.values())
        writer.close()

    def test_second_writer_process_is_refused_and_readers_are_not(
        self, store: TantivyKeywordStore
    ) -> None:
        store.write(without_embeddings())
        store.commit()  # this process now holds the writer lock
        script = textwrap.dedent(
            f"""
            from pathlib import Path
            from search.core.errors import BackendUnavailable
            from search.stores.tantivy_store import DOCUMENTS_DIR, TantivyKeywordStore
            from tests.search.stores.contract import without_embeddings

            store = TantivyKeywordStore(Path({str(store.path)!r}))
            print("hits", len(store.search("Hunde")))
            try:
                store.write(without_embeddings()[:1])
                store.commit()
                print("written")
            except BackendUnavailable as exc:
                print("refused:", exc)
            """
        )
        result = _run(script)
        assert "hits 2" in result.stdout
        assert "refused: keyword index is locked by another process" in result.stdout
        # once this process closes, the other one may write
        store.close()
        result = _run(script)
        assert "written" in result.stdout


def _run(script: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
        env={"PYTHONPATH": str(Path(__file__).parents[3]), "HAYSTACK_TELEMETRY_ENABLED": "False"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


class TestGermanCompoundsAndSpellings:
    """Compounds, spellings and law abbreviations on real statute sentences."""

    TEXTS: ClassVar[dict[str, tuple[str, str]]] = {
        "satzung": (
            "Hundesteuersatzung der Gemeinde Linsengericht",
            "Nach der Hundesteuersatzung erhebt die Gemeinde eine Abgabe auf das Halten von "
            "Hunden im Gemeindegebiet.",
        ),
        "steuer": (
            "Steuerordnung",
            "Die Hundesteuer beträgt für den ersten Hund jährlich 90 Euro. Diese Satzung "
            "tritt am Tage nach ihrer Bekanntmachung in Kraft.",
        ),
        "plan": (
            "Bekanntmachung",
            "Der Bebauungsplan Nr. 12 wird nach § 10 Abs. 3 BauGB ortsüblich bekannt gemacht. "
            "Die Straßenreinigung obliegt den Anliegern.",
        ),
        "gebuehr": (
            "Verwaltungskosten",
            "Für Amtshandlungen werden Verwaltungsgebuehren nach dem VwVfG erhoben.",
        ),
    }

    @pytest.fixture
    def filled(self, tmp_path: Path) -> Iterator[TantivyKeywordStore]:
        from haystack import Document

        from search.core import fields

        store = TantivyKeywordStore(tmp_path / "keyword")
        store.write(
            [
                Document(
                    id=f"{key}:0",
                    content=text,
                    meta={fields.DOC_ID: key, fields.TITLE: title, fields.ACCESS_GROUPS: ["p"]},
                )
                for key, (title, text) in self.TEXTS.items()
            ]
        )
        store.commit()
        yield store
        store.close()

    def found(self, store: TantivyKeywordStore, query: str) -> list[str]:
        return [hit.document.meta["doc_id"] for hit in store.search(query)]

    def test_a_part_of_a_compound_finds_the_compound(self, filled: TantivyKeywordStore) -> None:
        assert "satzung" in self.found(filled, "Hundesteuer")
        assert "plan" in self.found(filled, "Bebauung")
        assert "gebuehr" in self.found(filled, "Verwaltungsgebühr")

    def test_a_compound_finds_its_parts_apart(self, filled: TantivyKeywordStore) -> None:
        # "Hundesteuer" and "Satzung" in one text, not joined: still found
        assert set(self.found(filled, "Hundesteuersatzung")) == {"satzung", "steuer"}
        # the text naming the compound itself ranks first
        assert self.found(filled, "Hundesteuersatzung")[0] == "satzung"

    def test_spellings(self, filled: TantivyKeywordStore) -> None:
        assert self.found(filled, "Strassenreinigung") == ["plan"]
        assert self.found(filled, "Verwaltungsgebühren") == ["gebuehr"]

    def test_law_abbreviations_and_paragraphs(self, filled: TantivyKeywordStore) -> None:
        assert self.found(filled, "BauGB") == ["plan"]
        assert self.found(filled, "§ 10 BauGB")[0] == "plan"
        assert self.found(filled, "vwvfg") == ["gebuehr"]

    def test_typed_punctuation_and_operators_never_fail(self, filled: TantivyKeywordStore) -> None:
        for query in ('"Hundesteuer', "Hunde) AND (", "§§ 3 ff.", "Steuer -", "NOT", "a/b:c*"):
            filled.search(query)  # no exception
        assert self.found(filled, "Hundesteuer -Satzung") == []


def test_a_misread_year_does_not_reject_the_batch(tmp_path: Path) -> None:
    from haystack import Document

    from search.core import fields

    store = TantivyKeywordStore(tmp_path / "keyword")
    meta = {fields.DOC_ID: "d", fields.DATE: "0222-12-20", fields.ACCESS_GROUPS: ["p"]}
    store.write([Document(id="d:0", content="Stellungnahme zur Anfrage", meta=meta)])
    store.commit()
    assert [hit.chunk_id for hit in store.search("Anfrage")] == ["d:0"]
    store.close()


def test_doc_ids_beyond_one_aggregation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # more documents than one terms aggregation returns (65,000 in production): the
    # term dictionary is read instead, which still lists deleted documents until a merge
    monkeypatch.setattr("search.stores.tantivy_store._MAX_BUCKETS", 2)
    store = TantivyKeywordStore(tmp_path / "keyword")
    store.write(without_embeddings(CHUNKS))
    store.commit()
    every = {str(chunk.meta["doc_id"]) for chunk in CHUNKS}
    assert len(every) > 2
    assert store.doc_ids() == every
    gone = sorted(every)[0]
    store.delete_documents([gone])
    store.commit()
    assert store.doc_ids() == every - {gone}
    store.close()
