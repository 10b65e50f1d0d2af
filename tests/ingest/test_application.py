"""The application that owns the index: searches beside writes, jobs, access, first start."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from ingest.application import Application, Caller
from ingest.sync.indexer import Indexer
from ingest.sync.sources import SourceConfig
from search.core.errors import IndexLocked, NotFound
from search.core.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "samples" / "corpus"
PUBLIC = [
    "satzungen/Hundesteuersatzung_2017.pdf",
    "beschluesse/Drucksache_2024-0153_Aenderung_Hundesteuersatzung.pdf",
    "dienstanweisungen/DA_Dienstreisen_2012.pdf",
]
LATER = [
    "satzungen/Abfallgebuehrensatzung_2020.pdf",
    "rundschreiben/Rundschreiben_12-2022_Energiesparen.txt",
    "rundschreiben/Rundschreiben_01-2026_Vorlaeufige_Haushaltsfuehrung.md",
    "beschluesse/Niederschrift_Stadtrat_2024-11-14.pdf",
]
RESTRICTED = "dienstanweisungen/personalamt/DA_Beurteilungen_2023_VERTRAULICH.pdf"
ADMIN = Caller("admin", ("admin",), is_admin=True)
STAFF = Caller("m.schubert", ("amt22",))
PERSONAL = Caller("p.amt", ("personalamt",))


def _copy(names: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(CORPUS / name, folder / Path(name).name)
    return folder


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(data_dir=tmp_path_factory.mktemp("app") / "data")


@pytest.fixture(scope="module")
def app(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Application:
    base = tmp_path_factory.mktemp("sources")
    with Application(settings, ingest_workers=0) as application:
        application.add_source(
            SourceConfig(name="oeffentlich", location=str(_copy(PUBLIC, base / "p")))
        )
        application.add_source(
            SourceConfig(
                name="personal",
                location=str(_copy([RESTRICTED], base / "r")),
                access_groups=["personalamt"],
            )
        )
        for name in ("oeffentlich", "personal"):
            job = application.wait(application.sync(name, caller=ADMIN), timeout=300)
            assert job.state == "done", job.error
        yield application


def test_a_second_owner_of_the_data_directory_is_refused(
    settings: Settings, app: Application
) -> None:
    with pytest.raises(IndexLocked):
        Application(settings, ingest_workers=0).open()


def test_search_applies_the_callers_groups(app: Application) -> None:
    query = "Beurteilung Mitarbeiter vertraulich Personalamt"
    for mode in ("hybrid", "keyword", "semantic"):
        staff = app.search(query, caller=STAFF, mode=mode)  # type: ignore[arg-type]
        assert all("VERTRAULICH" not in hit.uri for hit in staff.results)
        personal = app.search(query, caller=PERSONAL, mode=mode)  # type: ignore[arg-type]
        assert any("VERTRAULICH" in hit.uri for hit in personal.results)


def test_documents_are_not_revealed_to_callers_without_the_group(app: Application) -> None:
    hit = next(
        h for h in app.search("Beurteilung", caller=PERSONAL).results if "VERTRAULICH" in h.uri
    )
    assert app.document(hit.doc_id, caller=PERSONAL).doc_id == hit.doc_id
    readers = (
        lambda d, c: app.document(d, caller=c),
        lambda d, c: app.original(d, caller=c),
        lambda d, c: app.page_image(d, 1, caller=c),
        lambda d, c: app.page_words(d, 1, caller=c),
        lambda d, c: app.document_text(d, caller=c),
    )
    for reader in readers:
        with pytest.raises(NotFound) as forbidden:
            reader(hit.doc_id, STAFF)
        with pytest.raises(NotFound) as unknown:
            reader("0" * 24, STAFF)
        # the same answer as for a document that does not exist, but for the id
        assert str(forbidden.value).replace(hit.doc_id, "ID") == str(unknown.value).replace(
            "0" * 24, "ID"
        )


def test_document_text_in_document_order(app: Application) -> None:
    hit = app.search("Hundesteuer erster Hund", caller=STAFF).results[0]
    entry, parts = app.document_text(hit.doc_id, caller=STAFF)
    assert entry.doc_id == hit.doc_id
    assert len(parts) >= 2
    assert all(part["text"] for part in parts)
    assert [part["chunk_id"] for part in parts] == sorted(part["chunk_id"] for part in parts)
    pages = [part["page_start"] for part in parts if part["page_start"] is not None]
    assert pages == sorted(pages)


def test_searches_go_on_while_a_sync_writes(app: Application, tmp_path: Path) -> None:
    """Searches from several threads finish while the writer is busy with a sync, and a
    document written by it is found afterwards."""
    folder = _copy(LATER, tmp_path / "later")
    app.add_source(SourceConfig(name="spaeter", location=str(folder)))
    job = app.sync("spaeter", caller=ADMIN)
    during: list[str] = []
    errors: list[BaseException] = []

    def search() -> None:
        while not job.finished:
            try:
                response = app.search("Hundesteuer", caller=STAFF, audit=False)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
                return
            assert response.results and not response.notices
            if job.state == "running":
                during.append(response.results[0].doc_id)

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    app.wait(job, timeout=300)
    for thread in threads:
        thread.join()
    assert not errors
    assert job.state == "done", job.error
    assert during, "no search finished while the sync was running"
    found = app.search("Energiesparen Rundschreiben", caller=STAFF, mode="keyword")
    assert any("Energiesparen" in hit.uri for hit in found.results)
    assert app.generation > 0


def test_a_waiting_sync_is_not_queued_twice(app: Application) -> None:
    blocker = app.sync("oeffentlich", caller=ADMIN)
    first = app.sync("personal", caller=ADMIN)
    second = app.sync("personal", caller=ADMIN)
    if first.state == "queued":  # still waiting behind the first job: the same job back
        assert second.id == first.id
    app.wait(blocker, timeout=120)
    app.wait(second, timeout=120)
    assert {job.state for job in (blocker, first, second)} == {"done"}


def test_unknown_targets_are_not_found(app: Application, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        app.sync("no-such-source", caller=ADMIN)
    with pytest.raises(NotFound):
        app.retry("0" * 24, caller=ADMIN)
    with pytest.raises(NotFound):
        app.ingest_path(tmp_path / "missing", caller=ADMIN)
    with pytest.raises(NotFound):
        app.job(10_000)


def test_seed_registers_and_syncs_only_on_the_first_start(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    entry = SourceConfig(name="beispiel", location=str(_copy(PUBLIC[:1], tmp_path / "s")))
    with Application(settings, ingest_workers=0) as first:
        jobs = first.seed([entry], caller=ADMIN)
        assert len(jobs) == 1
        assert first.wait(jobs[0], timeout=120).state == "done"
    with Application(settings, ingest_workers=0) as second:
        assert second.seed([entry], caller=ADMIN) == []
        recover = second.jobs()[-1]
        assert second.wait(recover, timeout=60).report == {"recovered": 0}
        assert [job.kind for job in second.jobs()] == ["recover"]


def test_seed_adopts_its_sources_whose_documents_are_indexed(tmp_path: Path) -> None:
    """Samples ingested before they were sources become sources, without ingesting."""
    settings = load_settings(data_dir=tmp_path / "data")
    folder = _copy(PUBLIC[:1], tmp_path / "s")
    with Indexer(settings) as indexer:
        assert indexer.ingest_path(folder, source="beispiel").indexed == 1
    entries = [
        SourceConfig(name="beispiel", location=str(folder)),
        SourceConfig(name="anderes", location=str(folder)),  # nothing of it is indexed
    ]
    with Application(settings, ingest_workers=0) as app:
        assert app.seed(entries, caller=ADMIN) == []
        assert [source.name for source in app.sources()] == ["beispiel"]
        assert [job.kind for job in app.jobs()] == ["recover"]
