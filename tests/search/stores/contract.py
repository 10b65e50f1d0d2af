"""Contract suites every keyword and vector store passes.

A backend's test class inherits :class:`KeywordStoreContract` or :class:`VectorStoreContract`
and provides two things:

- a ``store`` fixture yielding an empty, open store (and cleaning up afterwards);
- ``reopen(store, **changes)``: close ``store`` and open a new one on the same data
  (``changes`` are constructor arguments to override, e.g. ``dimension=8``).

Visibility semantics tested here, the ones every backend guarantees: after ``commit()``,
writes and deletes are visible to ``search``, ``count`` and ``doc_ids`` and survive
``close()`` and reopening. Before ``commit()`` it depends on the backend (tantivy: not
visible; Qdrant: visible; Elasticsearch: after its refresh interval); backend modules test
their own behaviour.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from haystack import Document

from search.core import fields
from search.core.errors import BackendError, IndexMismatch
from search.filters import SearchFilters
from search.stores.base import KeywordStore, VectorStore

DIMENSION = 6


def _chunk(
    chunk_id: str,
    doc_id: str,
    title: str,
    content: str,
    *,
    source: str,
    doc_type: str,
    day: str | None,
    groups: tuple[str, ...] = (fields.PUBLIC_GROUP,),
    axis: int,
    **extra: Any,
) -> Document:
    meta: dict[str, Any] = {
        fields.DOC_ID: doc_id,
        fields.CHUNK_ID: chunk_id,
        fields.TITLE: title,
        fields.SOURCE: source,
        fields.DOC_TYPE: doc_type,
        fields.ACCESS_GROUPS: list(groups),
        fields.SECTION_PATH: [title],
        **extra,
    }
    if day is not None:
        meta[fields.DATE] = day
    # hand-made embeddings: each chunk points mostly along one axis, a little along the next
    embedding = [0.0] * DIMENSION
    embedding[axis % DIMENSION] = 1.0
    embedding[(axis + 1) % DIMENSION] = 0.1 * (1 + axis // DIMENSION)
    return Document(id=chunk_id, content=content, meta=meta, embedding=embedding)


CHUNKS: tuple[Document, ...] = (
    _chunk(
        "hundesteuer:0",
        "hundesteuer",
        "Hundesteuersatzung § 3 Steuersatz",
        "§ 3 Steuersatz. (1) Die Steuer beträgt jährlich für den ersten Hund 90 Euro, "
        "für den zweiten Hund 120 Euro und für jeden weiteren Hund 150 Euro. "
        "(2) Für gefährliche Hunde im Sinne von § 3 Abs. 2 beträgt sie 600 Euro.",
        source="ortsrecht",
        doc_type="statute",
        day="2023-12-14",
        axis=0,
        page_start=2,
    ),
    _chunk(
        "hundesteuer:1",
        "hundesteuer",
        "Hundesteuersatzung § 5 Steuerbefreiung",
        "§ 5 Steuerbefreiung. Auf Antrag ist Steuerbefreiung zu gewähren für Hunde, die "
        "ausschließlich dem Schutz und der Hilfe blinder oder tauber Menschen dienen.",
        source="ortsrecht",
        doc_type="statute",
        day="2023-12-14",
        axis=1,
    ),
    _chunk(
        "abfall:0",
        "abfallgebuehren",
        "Abfallgebührensatzung § 4 Gebührenmaßstab",
        "Die Gebühr für die Restmülltonne mit 120 Liter beträgt 180 Euro im Jahr "
        "(Restmüll & Bioabfall werden getrennt berechnet). Die Abfallgebühren werden "
        "durch Bescheid festgesetzt.",
        source="ortsrecht",
        doc_type="statute",
        day="2024-01-01",
        axis=2,
    ),
    _chunk(
        "abfall:1",
        "abfallgebuehren",
        "Abfallgebührensatzung § 7 Straßenreinigung",
        "Die Straßenreinigungsgebühr beträgt je Meter Frontlänge 2,40 Euro jährlich.",
        source="ortsrecht",
        doc_type="statute",
        day="2024-01-01",
        axis=3,
    ),
    _chunk(
        "rat-2024-0153:0",
        "rat-2024-0153",
        "Beschluss Sanierung Grundschule am Markt",
        "Der Rat der Stadt beschließt die Sanierung der Grundschule am Markt gemäß "
        "Drucksache Drs. 2024/0153. Die Kosten betragen 2,4 Mio. Euro.",
        source="ratsinfo",
        doc_type="decision",
        day="2024-03-21",
        axis=4,
        reference="Drs. 2024/0153",
        committee=["Rat", "Bauausschuss"],
    ),
    _chunk(
        "bauausschuss-2024-02:0",
        "bauausschuss-2024-02",
        "Niederschrift Bauausschuss 15.02.2024",
        "Der Bauausschuss empfiehlt dem Rat, den Bebauungsplan Nr. 47 „Am Mühlbach“ "
        "nach § 10 Abs. 1 BauGB als Satzung zu beschließen.",
        source="ratsinfo",
        doc_type="decision",
        day="2024-02-15",
        axis=5,
    ),
    _chunk(
        "da-mobil:0",
        "da-mobiles-arbeiten",
        "Dienstanweisung mobiles Arbeiten",
        "Beschäftigte können nach Absprache mit der Vorgesetzten bis zu zwei Tage je Woche "
        "mobil arbeiten. Personalakten dürfen nicht nach Hause mitgenommen werden.",
        source="intranet",
        doc_type="guidance",
        day="2022-06-01",
        groups=("personalamt",),
        axis=6,
    ),
    _chunk(
        "da-daten:0",
        "da-datenschutz",
        "Dienstanweisung Datenschutz",
        "Personenbezogene Daten von Beschäftigten werden nur im Personalamt und in der "
        "IT-Abteilung verarbeitet; Passwörter werden nie per E-Mail versandt.",
        source="intranet",
        doc_type="guidance",
        day="2023-02-01",
        groups=("personalamt", "it"),
        axis=7,
    ),
    _chunk(
        "mail:0",
        "mail-buergerbuero",
        "Anfrage Öffnungszeiten Bürgerbüro",
        "Sehr geehrte Damen und Herren, ist das Bürgerbüro auch am Samstag geöffnet? "
        "Ich möchte meinen Personalausweis abholen.",
        source="postfach",
        doc_type="correspondence",
        day=None,
        axis=8,
    ),
    _chunk(
        "merkblatt:0",
        "merkblatt-strassenausbau",
        "Merkblatt Straßenausbaubeiträge",
        "Für den Ausbau einer Straße können Beiträge von den Eigentümern der anliegenden "
        "Grundstücke erhoben werden. Die Gemeinde informiert vorher.",
        source="ortsrecht",
        doc_type="guidance",
        day="2021-05-10",
        axis=9,
    ),
)
"""Ten chunks of seven documents; one without a date, two internal to the personnel office."""

PUBLIC_CHUNKS = [c for c in CHUNKS if fields.PUBLIC_GROUP in c.meta[fields.ACCESS_GROUPS]]


def without_embeddings(chunks: tuple[Document, ...] = CHUNKS) -> list[Document]:
    return [dataclasses.replace(c, embedding=None) for c in chunks]


def ids(hits: list[Any]) -> list[str]:
    return [hit.chunk_id for hit in hits]


class _StoreContract:
    """What keyword and vector stores share: writes, deletes, counts, filters, persistence."""

    def reopen(self, store: Any, **changes: Any) -> Any:
        raise NotImplementedError

    def chunks(self) -> list[Document]:
        raise NotImplementedError

    def hits(self, store: Any, filters: SearchFilters | None = None, top_k: int = 50) -> list[Any]:
        """:returns: hits of a search that matches every chunk, restricted by filters."""
        raise NotImplementedError

    @pytest.fixture
    def filled(self, store: Any) -> Any:
        store.write(self.chunks())
        store.commit()
        return store

    def test_empty_store(self, store: Any) -> None:
        assert store.count() == 0
        assert store.doc_ids() == set()
        assert self.hits(store) == []

    def test_write_and_count(self, filled: Any) -> None:
        assert filled.count() == len(CHUNKS)
        assert filled.doc_ids() == {c.meta[fields.DOC_ID] for c in CHUNKS}

    def test_hit_rebuilds_the_document(self, filled: Any) -> None:
        hit = next(h for h in self.hits(filled) if h.chunk_id == "hundesteuer:0")
        original = CHUNKS[0]
        assert hit.document.content == original.content
        assert hit.document.meta == original.meta
        assert hit.document.embedding is None

    def test_upsert_replaces_by_id(self, filled: Any) -> None:
        changed = dataclasses.replace(
            self.chunks()[0], content="§ 3 Steuersatz. Der Steuersatz wurde auf 95 Euro erhöht."
        )
        filled.write([changed])
        filled.write([changed])  # idempotent
        filled.commit()
        assert filled.count() == len(CHUNKS)
        hit = next(h for h in self.hits(filled) if h.chunk_id == "hundesteuer:0")
        assert "95 Euro" in (hit.document.content or "")

    def test_duplicate_ids_in_one_batch_keep_the_last(self, store: Any) -> None:
        first = self.chunks()[0]
        second = dataclasses.replace(first, content="Neuer Text zum Hund.")
        store.write([first, second])
        store.commit()
        assert store.count() == 1
        assert self.hits(store)[0].document.content == "Neuer Text zum Hund."

    def test_delete_documents_removes_all_chunks_of_a_doc_and_nothing_else(
        self, filled: Any
    ) -> None:
        filled.delete_documents(["hundesteuer", "no-such-document"])
        filled.commit()
        assert filled.count() == len(CHUNKS) - 2
        assert "hundesteuer" not in filled.doc_ids()
        remaining = set(ids(self.hits(filled)))
        assert remaining == {c.id for c in CHUNKS if c.meta[fields.DOC_ID] != "hundesteuer"}

    def test_delete_then_write_replaces_a_document(self, filled: Any) -> None:
        filled.delete_documents(["hundesteuer"])
        filled.write([self.chunks()[0]])
        filled.commit()
        assert filled.count(SearchFilters(doc_ids=["hundesteuer"])) == 1

    def test_delete_nothing(self, filled: Any) -> None:
        filled.delete_documents([])
        filled.write([])
        filled.commit()
        assert filled.count() == len(CHUNKS)

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (SearchFilters(sources=["ratsinfo"]), {"rat-2024-0153:0", "bauausschuss-2024-02:0"}),
            (SearchFilters(doc_types=["guidance"]), {"da-mobil:0", "da-daten:0", "merkblatt:0"}),
            (
                SearchFilters(doc_types=["guidance"], sources=["ortsrecht"]),
                {"merkblatt:0"},
            ),
            (SearchFilters(access_groups=["personalamt"]), {"da-mobil:0", "da-daten:0"}),
            (SearchFilters(access_groups=["it", "nobody"]), {"da-daten:0"}),
            (
                SearchFilters(access_groups=["public", "it"]),
                {c.id for c in PUBLIC_CHUNKS} | {"da-daten:0"},
            ),
            (
                SearchFilters(doc_ids=["hundesteuer", "mail-buergerbuero"]),
                {"hundesteuer:0", "hundesteuer:1", "mail:0"},
            ),
            # both bounds inclusive
            (
                SearchFilters(date_from=date(2024, 1, 1), date_to=date(2024, 3, 21)),
                {"abfall:0", "abfall:1", "bauausschuss-2024-02:0", "rat-2024-0153:0"},
            ),
            # an open range still excludes the chunk without a date
            (
                SearchFilters(date_to=date(2022, 6, 1)),
                {"da-mobil:0", "merkblatt:0"},
            ),
            (SearchFilters(date_from=date(2024, 2, 16)), {"rat-2024-0153:0"}),
            (
                SearchFilters(
                    sources=["ortsrecht", "ratsinfo"],
                    doc_types=["statute"],
                    date_from=date(2024, 1, 1),
                    access_groups=["public"],
                ),
                {"abfall:0", "abfall:1"},
            ),
            (SearchFilters(access_groups=[]), set()),
            (SearchFilters(sources=[]), set()),
            (SearchFilters(date_from=date(2025, 1, 1), date_to=date(2024, 1, 1)), set()),
            (SearchFilters(), {c.id for c in CHUNKS}),
        ],
    )
    def test_filters(self, filled: Any, filters: SearchFilters, expected: set[str]) -> None:
        assert filled.count(filters) == len(expected)
        assert set(ids(self.hits(filled, filters))) == expected

    def test_top_k(self, filled: Any) -> None:
        assert len(self.hits(filled, top_k=3)) == 3

    def test_persists_after_close_and_reopen(self, filled: Any) -> None:
        reopened = self.reopen(filled)
        try:
            assert reopened.count() == len(CHUNKS)
            assert reopened.doc_ids() == {c.meta[fields.DOC_ID] for c in CHUNKS}
            assert len(self.hits(reopened)) == len(CHUNKS)
        finally:
            reopened.close()

    def test_committed_writes_are_visible_to_a_reopened_store(self, store: Any) -> None:
        store.write(self.chunks()[:2])
        store.commit()
        store.delete_documents(["hundesteuer"])
        store.write(self.chunks()[2:4])
        store.commit()
        reopened = self.reopen(store)
        try:
            assert reopened.doc_ids() == {"abfallgebuehren"}
        finally:
            reopened.close()


class KeywordStoreContract(_StoreContract):
    """The keyword store contract (see :class:`search.stores.base.KeywordStore`)."""

    def chunks(self) -> list[Document]:
        return without_embeddings()

    def hits(self, store: Any, filters: SearchFilters | None = None, top_k: int = 50) -> list[Any]:
        # every fixture chunk contains one of these words, or its title does
        query = "Euro Hunde Beschäftigte Bürgerbüro Bauausschuss Straße Hund Text"
        return store.search(query, filters=filters, top_k=top_k)

    def search_ids(self, store: KeywordStore, query: str, **kwargs: Any) -> list[str]:
        return ids(store.search(query, **kwargs))

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("Hunde", "hundesteuer:0"),  # "Hund" in the text
            ("Gebühren", "abfall:0"),  # "Gebühr"
            ("Gebuehr", "abfall:0"),  # transliterated umlaut
            ("Strasse", "merkblatt:0"),  # "Straße"
            ("beschliesst", "rat-2024-0153:0"),  # "beschließt"
            ("Beschäftigten", "da-mobil:0"),
        ],
    )
    def test_german_stemming_and_folding(
        self, filled: KeywordStore, query: str, expected: str
    ) -> None:
        assert expected in self.search_ids(filled, query)

    def test_chunks_reads_a_document_whole(self, filled: KeywordStore) -> None:
        chunks = filled.chunks("hundesteuer")
        assert [chunk.id for chunk in chunks] == ["hundesteuer:0", "hundesteuer:1"]
        by_id = {chunk.id: chunk for chunk in CHUNKS}
        assert all(chunk.content == by_id[chunk.id].content for chunk in chunks)
        assert chunks[0].meta[fields.DOC_ID] == "hundesteuer"
        assert filled.chunks("no-such-document") == []
        filled.delete_documents(["hundesteuer"])
        filled.commit()
        assert filled.chunks("hundesteuer") == []

    def test_ranking_puts_the_best_chunk_first(self, filled: KeywordStore) -> None:
        assert self.search_ids(filled, "Steuer für den ersten Hund")[0] == "hundesteuer:0"
        assert self.search_ids(filled, "Restmülltonne Gebühr")[0] == "abfall:0"

    def test_title_is_searched(self, filled: KeywordStore) -> None:
        assert self.search_ids(filled, "Gebührenmaßstab") == ["abfall:0"]

    def test_phrase(self, filled: KeywordStore) -> None:
        assert self.search_ids(filled, '"ersten Hund"') == ["hundesteuer:0"]
        # both words are in hundesteuer:0, but not next to each other
        assert self.search_ids(filled, '"Hund Euro"') == []
        # stop words inside a phrase keep their place
        assert self.search_ids(filled, '"für den ersten Hund"') == ["hundesteuer:0"]

    def test_not_and_minus_exclude(self, filled: KeywordStore) -> None:
        assert set(self.search_ids(filled, "Hunde")) == {"hundesteuer:0", "hundesteuer:1"}
        assert self.search_ids(filled, "Hunde -Steuerbefreiung") == ["hundesteuer:0"]
        assert self.search_ids(filled, "Hunde NOT Steuerbefreiung") == ["hundesteuer:0"]
        assert self.search_ids(filled, 'Hunde -"tauber Menschen"') == ["hundesteuer:0"]

    def test_suspended_hyphen_is_a_word_not_an_exclusion(self, filled: KeywordStore) -> None:
        # "blinder oder -tauber": German's Ergänzungsstrich, as in questions from letters
        assert "hundesteuer:1" in self.search_ids(filled, "Hilfe blinder oder -tauber Menschen")
        assert self.search_ids(filled, "Restmülltonne 120 -Liter")[0] == "abfall:0"
        # after any other word, the minus still excludes
        assert "hundesteuer:1" not in self.search_ids(filled, "Hilfe blinder -tauber Menschen")

    def test_misspelt_words_get_a_suggestion_from_the_index(self, filled: KeywordStore) -> None:
        public = SearchFilters(access_groups=["public"])
        assert filled.suggest("Steuerbefreiumg blinder", public) == "Steuerbefreiung blinder"
        assert filled.suggest("Gebühr Restmülltone", public) == "Gebühr Restmülltonne"
        # a misspelt compound, which the index holds only as its parts: the closest word
        # of the chunks the other words find
        assert filled.suggest("Restmüllltonne Bescheid", public) == "Restmülltonne Bescheid"
        # known words, excluded words, numbers: nothing to suggest; nothing close: none
        assert filled.suggest("Hundesteuer Euro", public) is None
        assert filled.suggest("Hund -Katzze", public) is None
        assert filled.suggest("2024/0153", public) is None
        assert filled.suggest("Quantenchromodynamik", public) is None

    def test_suggestions_come_only_from_chunks_the_user_may_see(self, filled: KeywordStore) -> None:
        query = "Personalakten Vorgesetzen"  # both words only in the Personalamt's chunk
        assert filled.suggest(query, SearchFilters(access_groups=["public"])) is None
        staff = SearchFilters(access_groups=["personalamt"])
        assert filled.suggest(query, staff) == "Personalakten Vorgesetzten"

    def test_only_excluded_words_match_every_other_chunk(self, filled: KeywordStore) -> None:
        found = set(self.search_ids(filled, "-Euro", top_k=50))
        assert found == {c.id for c in CHUNKS if "Euro" not in (c.content or "")}

    def test_and_requires_both(self, filled: KeywordStore) -> None:
        assert len(self.search_ids(filled, "Euro Restmülltonne")) > 1
        assert self.search_ids(filled, "Euro AND Restmülltonne") == ["abfall:0"]
        assert self.search_ids(filled, "+Euro +Restmülltonne") == ["abfall:0"]
        assert self.search_ids(filled, "(Hund OR Restmülltonne) AND Bescheid") == ["abfall:0"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("§ 3 Abs. 2", "hundesteuer:0"),
            ("Drs. 2024/0153", "rat-2024-0153:0"),
            ("BauGB", "bauausschuss-2024-02:0"),
            ("BauGB:", "bauausschuss-2024-02:0"),
            ('"Hund', "hundesteuer:0"),
            ("Hund AND", "hundesteuer:0"),
            ("AND Hund OR", "hundesteuer:0"),
            ("(Gebühr", "abfall:0"),
            ("Gebühr)", "abfall:0"),
            ("Bebauungsplan Nr. 47 „Am Mühlbach“", "bauausschuss-2024-02:0"),
            ("Hund^2 ~ * ? [Steuer] {x} \\ / !", "hundesteuer:0"),
            ("Hund +++ --- - +", "hundesteuer:0"),
            ("IT-Abteilung", "da-daten:0"),
            # words typed together, markup pasted along: each word is searched
            ("Steuerbefreiung/Hilfe", "hundesteuer:1"),
            ("Restmülltonne|Hund", "abfall:0"),
            ("<b>Restmülltonne</b>", "abfall:0"),
            ('<span class="x">Steuerbefreiung</span>&nbsp;blinder', "hundesteuer:1"),
        ],
    )
    def test_garbage_queries_are_searched_as_words(
        self, filled: KeywordStore, query: str, expected: str
    ) -> None:
        assert expected in self.search_ids(filled, query)

    @pytest.mark.parametrize(
        "query", ["", "   ", "§", "der die das", "AND OR NOT", '""', "()", ":", "((((("]
    )
    def test_queries_with_nothing_to_search_return_nothing(
        self, filled: KeywordStore, query: str
    ) -> None:
        assert filled.search(query) == []

    def test_highlights_mark_the_original_word(self, filled: KeywordStore) -> None:
        hit = filled.search("Hunde", filters=SearchFilters(doc_ids=["hundesteuer"]))[0]
        assert hit.highlights
        assert "<mark>Hund</mark>" in hit.highlights[0]
        hit = filled.search("Gebühren")[0]
        assert "<mark>Gebühr</mark>" in hit.highlights[0]

    def test_highlights_escape_html(self, filled: KeywordStore) -> None:
        hit = filled.search("Bioabfall")[0]
        assert hit.chunk_id == "abfall:0"
        assert "&amp;" in hit.highlights[0]
        assert "& " not in hit.highlights[0]
        assert "<mark>Bioabfall</mark>" in hit.highlights[0]

    def test_search_without_highlights_finds_the_same_hits(self, filled: KeywordStore) -> None:
        marked = filled.search("Euro Hund Gebühr", top_k=20)
        plain = filled.search("Euro Hund Gebühr", top_k=20, highlight=False)
        assert any(hit.highlights for hit in marked)
        assert [h.chunk_id for h in plain] == [h.chunk_id for h in marked]
        assert [h.score for h in plain] == pytest.approx([h.score for h in marked])
        assert all(hit.highlights == () for hit in plain)
        assert [h.document.content for h in plain] == [h.document.content for h in marked]

    def test_search_filters_apply_to_text_queries(self, filled: KeywordStore) -> None:
        assert (
            self.search_ids(filled, "Beschäftigte", filters=SearchFilters(access_groups=["public"]))
            == []
        )
        assert set(
            self.search_ids(filled, "Beschäftigte", filters=SearchFilters(access_groups=["it"]))
        ) == {"da-daten:0"}

    def test_scores_are_ordered(self, filled: KeywordStore) -> None:
        scores = [hit.score for hit in filled.search("Euro Hund Gebühr")]
        assert scores == sorted(scores, reverse=True)
        assert all(score > 0 for score in scores)

    def test_filters_restrict_without_changing_scores(self, filled: KeywordStore) -> None:
        public = SearchFilters(access_groups=["public"], sources=["ortsrecht"])
        plain = {h.chunk_id: h.score for h in filled.search("Euro Hund Gebühr")}
        for hit in filled.search("Euro Hund Gebühr", filters=public):
            assert hit.score == pytest.approx(plain[hit.chunk_id])
        whole = {d.doc_id: d.score for d in filled.search_documents("Euro Hund")}
        for document in filled.search_documents("Euro Hund", filters=public):
            assert document.score == pytest.approx(whole[document.doc_id])

    def test_whole_documents_match_words_from_several_chunks(self, filled: KeywordStore) -> None:
        # "Steuersatz" is in one chunk of the Hundesteuersatzung, "blinder" in another
        documents = filled.search_documents("Steuersatz blinder Menschen", top_k=10)
        assert documents[0].doc_id == "hundesteuer"
        assert len({d.doc_id for d in documents}) == len(documents)
        scores = [d.score for d in documents]
        assert scores == sorted(scores, reverse=True)
        assert filled.search_documents("Hund", top_k=1)[0].doc_id == "hundesteuer"

    def test_whole_documents_carry_their_facet_fields(self, filled: KeywordStore) -> None:
        # facets and the order by date read them for every match, not only the page shown
        found = {d.doc_id: d.meta for d in filled.search_documents("Euro", top_k=50)}
        assert found["hundesteuer"] == {
            fields.SOURCE: "ortsrecht",
            fields.DOC_TYPE: "statute",
            fields.DATE: "2023-12-14",
        }
        assert found["rat-2024-0153"][fields.COMMITTEE] == ["Rat", "Bauausschuss"]
        for meta in found.values():
            assert fields.TITLE not in meta
            assert fields.ACCESS_GROUPS not in meta

    def test_whole_documents_obey_filters_and_deletes(self, filled: KeywordStore) -> None:
        public = SearchFilters(access_groups=["public"])
        assert filled.search_documents("Beschäftigte", filters=public) == []
        it = SearchFilters(access_groups=["it"])
        assert [d.doc_id for d in filled.search_documents("Beschäftigte", filters=it)] == [
            "da-datenschutz"
        ]
        filled.delete_documents(["hundesteuer"])
        filled.commit()
        assert "hundesteuer" not in {d.doc_id for d in filled.search_documents("Hund Steuer")}
        assert filled.search_documents("") == []


class VectorStoreContract(_StoreContract):
    """The vector store contract (see :class:`search.stores.base.VectorStore`)."""

    def chunks(self) -> list[Document]:
        return list(CHUNKS)

    def hits(self, store: Any, filters: SearchFilters | None = None, top_k: int = 50) -> list[Any]:
        return store.search([1.0] * DIMENSION, filters=filters, top_k=top_k)

    def test_dimension(self, store: VectorStore) -> None:
        assert store.dimension == DIMENSION

    def test_nearest_neighbours(self, filled: VectorStore) -> None:
        for chunk in CHUNKS:
            assert chunk.embedding is not None
            hits = filled.search(chunk.embedding, top_k=3)
            assert hits[0].chunk_id == chunk.id
            assert hits[0].score == pytest.approx(1.0, abs=1e-4)
            assert hits[0].score > hits[1].score >= hits[2].score
            assert hits[0].highlights == ()

    def test_cosine_ignores_length(self, filled: VectorStore) -> None:
        query = [0.0] * DIMENSION
        query[3] = 7.0
        query[4] = 0.7
        assert filled.search(query, top_k=1)[0].chunk_id == "abfall:1"

    def test_nearest_within_filters(self, filled: VectorStore) -> None:
        embedding = CHUNKS[0].embedding
        assert embedding is not None
        hits = filled.search(embedding, filters=SearchFilters(doc_types=["decision"]), top_k=5)
        assert {hit.chunk_id for hit in hits} == {"rat-2024-0153:0", "bauausschuss-2024-02:0"}

    def test_query_with_wrong_dimension(self, filled: VectorStore) -> None:
        with pytest.raises(IndexMismatch):
            filled.search([1.0] * (DIMENSION + 1))

    def test_write_with_wrong_dimension(self, store: VectorStore) -> None:
        chunk = dataclasses.replace(CHUNKS[0], embedding=[1.0, 0.0])
        with pytest.raises(IndexMismatch):
            store.write([chunk])

    def test_write_without_embedding(self, store: VectorStore) -> None:
        with pytest.raises(BackendError, match="no embedding"):
            store.write(without_embeddings(CHUNKS[:1]))

    def test_reopen_with_another_dimension(self, filled: VectorStore) -> None:
        reopened = self.reopen(filled, dimension=DIMENSION + 2)
        try:
            with pytest.raises(IndexMismatch, match=f"{DIMENSION}-dim"):
                reopened.count()
        finally:
            reopened.close()
