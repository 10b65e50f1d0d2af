"""The ingestion side of incremental connectors: partial listings, deletions reported by the
source, change markers, per-document access groups and council metadata.

The connector here is a small in-memory source (the real ones, OParl and websites, are
tested against HTTP servers in ``tests/connectors``); everything behind it is real.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.base import PLAIN_TEXT, Connector, Listing, SourceDocument, SourceRef
from ingest.catalog import make_doc_id
from ingest.sync.indexer import Indexer
from search.core import fields
from search.core.settings import Settings
from search.service import SearchService

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

_TEXTS = {
    "https://ris.example/paper/1": "Beschlussvorlage Sanierung der Grundschule am Markt. "
    "Der Gemeinderat beschließt die Sanierung der Sporthalle für 2,4 Millionen Euro.",
    "https://ris.example/paper/2": "Anfrage zur Straßenbeleuchtung im Ortsteil Nord. "
    "Die Verwaltung prüft die Umrüstung auf LED-Leuchten.",
    "https://ris.example/paper/3": "Nichtöffentliche Vorlage Grundstücksverkauf an der "
    "Mühlenstraße. Der Kaufpreis beträgt 180 Euro je Quadratmeter.",
}


class MemorySource(Connector):
    """An incremental source: lists what changed since its cursor, reports deletions."""

    def __init__(self, name: str, state: dict[str, Any] | None = None) -> None:
        self.name = name
        self.texts = dict(_TEXTS)
        self.versions = dict.fromkeys(_TEXTS, "v1")
        self.meta: dict[str, dict[str, Any]] = {uri: {} for uri in _TEXTS}
        self.deleted: list[str] = []
        self.changed: list[str] | None = None  # None: list everything
        self.skipped: list[dict[str, str]] = []
        self.fetched: list[str] = []
        self.cursor = (state or {}).get("cursor", 0)

    @property
    def scope(self) -> str | None:
        return "https://ris.example/" if self.changed is None else None

    def list(self) -> Iterator[SourceRef]:
        for uri in self.texts if self.changed is None else self.changed:
            yield SourceRef(uri=uri, version=self.versions[uri])

    def fetch(self, ref: SourceRef) -> SourceDocument:
        self.fetched.append(ref.uri)
        return SourceDocument(
            uri=ref.uri,
            filename=ref.uri.rsplit("/", 1)[-1] + ".txt",
            content=self.texts[ref.uri].encode(),
            metadata={PLAIN_TEXT: True, fields.DOC_TYPE: "decision", **self.meta[ref.uri]},
        )

    def listing(self) -> Listing:
        return Listing(scope=self.scope, skipped=tuple(self.skipped), removed=tuple(self.deleted))

    def state(self) -> dict[str, Any]:
        return {"cursor": self.cursor + 1}


def _run(settings: Settings, source: MemorySource) -> Any:
    with Indexer(settings) as indexer:
        return indexer.runner().run(source)


def _search(settings: Settings, query: str, groups: list[str]) -> list[Any]:
    with SearchService(settings) as service:
        return service.search(query, mode="keyword", user_groups=groups).results


def test_unchanged_version_is_not_fetched_again(settings: Settings) -> None:
    source = MemorySource("ris")
    assert _run(settings, source).indexed == 3
    source.fetched.clear()
    report = _run(settings, source)
    assert report.unchanged == 3
    assert source.fetched == []  # the change marker alone said "unchanged"
    source.versions["https://ris.example/paper/2"] = "v2"  # new marker, same bytes
    report = _run(settings, source)
    assert source.fetched == ["https://ris.example/paper/2"]
    assert report.indexed == 0
    assert report.unchanged == 3


def test_changed_metadata_reindexes_same_bytes(settings: Settings) -> None:
    source = MemorySource("ris")
    _run(settings, source)
    uri = "https://ris.example/paper/1"
    source.versions[uri] = "v2"
    source.meta[uri] = {
        fields.COMMITTEE: ["Gemeinderat"],
        fields.COUNCIL: {
            "consultations": [{"organization": "Gemeinderat", "result": "beschlossen"}]
        },
    }
    report = _run(settings, source)
    assert report.indexed == 1
    hits = _search(settings, "Sporthalle Sanierung", ["public"])
    assert hits[0].doc_id == make_doc_id("ris", uri)
    assert hits[0].committee == ["Gemeinderat"]
    assert hits[0].council is not None
    assert hits[0].council["consultations"][0]["result"] == "beschlossen"
    assert hits[0].to_dict()["committee"] == ["Gemeinderat"]


def test_partial_listing_keeps_unlisted_and_applies_removals(settings: Settings) -> None:
    source = MemorySource("ris")
    _run(settings, source)
    source.changed = ["https://ris.example/paper/2"]
    source.texts["https://ris.example/paper/2"] += " Die Umrüstung beginnt im Frühjahr."
    source.versions["https://ris.example/paper/2"] = "v2"
    source.deleted = ["https://ris.example/paper/3", "https://ris.example/paper/99"]
    report = _run(settings, source)
    assert (report.seen, report.indexed, report.deleted) == (1, 1, 1)
    with Indexer(settings) as indexer:
        remaining = {entry.uri for entry in indexer.catalog.entries(source="ris")}
        assert remaining == {"https://ris.example/paper/1", "https://ris.example/paper/2"}
        assert indexer.runner().keyword_store.doc_ids() == {
            make_doc_id("ris", uri) for uri in remaining
        }
    assert _search(settings, "Grundstücksverkauf Mühlenstraße", ["public"]) == []


def test_document_access_groups_override_the_source(settings: Settings) -> None:
    source = MemorySource("ris")
    source.meta["https://ris.example/paper/3"] = {fields.ACCESS_GROUPS: ["gemeinderat"]}
    _run(settings, source)
    assert _search(settings, "Grundstücksverkauf Mühlenstraße", ["public"]) == []
    hits = _search(settings, "Grundstücksverkauf Mühlenstraße", ["gemeinderat"])
    assert [hit.doc_id for hit in hits] == [make_doc_id("ris", "https://ris.example/paper/3")]
    with Indexer(settings) as indexer:
        entry = indexer.catalog.get(make_doc_id("ris", "https://ris.example/paper/3"))
        assert entry is not None
        assert entry.access_groups == ["gemeinderat"]


def test_skipped_objects_are_reported(settings: Settings) -> None:
    source = MemorySource("ris")
    source.skipped = [{"uri": "https://ris.example/paper/7", "reason": "invalid", "error": "x"}]
    report = _run(settings, source)
    assert report.indexed == 3
    assert report.to_dict()["skipped"] == source.skipped


def test_scope_withdrawn_during_listing_deletes_nothing(settings: Settings) -> None:
    source = MemorySource("ris")
    _run(settings, source)

    class Broken(MemorySource):
        """A full listing that hit an unreadable object: paper 3 was not listed."""

        def list(self) -> Iterator[SourceRef]:
            for ref in super().list():
                if ref.uri.endswith("/3"):
                    self.skipped.append({"uri": ref.uri, "reason": "invalid", "error": "x"})
                    self.changed = []  # scope becomes None
                    continue
                yield ref

    broken = Broken("ris")
    with Indexer(settings) as indexer:
        report = indexer.runner().run(broken)
    assert report.deleted == 0
    assert len(_search(settings, "Grundstücksverkauf Mühlenstraße", ["public"])) == 1


def test_complete_listing_of_nothing_deletes_nothing(settings: Settings) -> None:
    source = MemorySource("ris")
    _run(settings, source)
    source.texts = {}  # a share not mounted, a paper list the server lost
    report = _run(settings, source)
    assert report.deleted == 0
    assert [s["reason"] for s in report.to_dict()["skipped"]] == ["empty-listing"]
    assert len(_search(settings, "Grundstücksverkauf Mühlenstraße", ["public"])) == 1
    # one document listed: the listing is believed, the two others leave
    source.texts = {"https://ris.example/paper/1": _TEXTS["https://ris.example/paper/1"]}
    report = _run(settings, source)
    assert (report.deleted, report.to_dict()["skipped"]) == (2, [])
    assert _search(settings, "Grundstücksverkauf Mühlenstraße", ["public"]) == []
