"""Sources from the settings file and the worker's schedule, on real folders and indexes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.catalog import Catalog
from ingest.sync.indexer import Indexer
from ingest.sync.scheduler import SyncScheduler, is_due
from ingest.sync.sources import SourceConfig, SourceRegistry
from search.core.errors import ConfigurationError
from search.core.settings import Settings, SourceEntry

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "rundschreiben"
    root.mkdir()
    (root / "heizung.txt").write_text(
        "Rundschreiben 12/2022 Energiesparen\n\nBüros werden auf höchstens 19 Grad beheizt.\n",
        encoding="utf-8",
    )
    (root / "dienstwagen.txt").write_text(
        "Rundschreiben 4/2023 Dienstwagen\n\nFahrtenbücher sind monatlich abzugeben.\n",
        encoding="utf-8",
    )
    return root


def _settings(tmp_path: Path, entries: list[SourceEntry]) -> Settings:
    return Settings(data_dir=tmp_path / "data", sources=entries)


def _registry_list(settings: Settings) -> list[SourceConfig]:
    catalog = Catalog.open(settings)
    try:
        return SourceRegistry(catalog).list()
    finally:
        catalog.close()


def test_is_due_by_interval_and_failure() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    source = SourceConfig(name="a", location="/", interval_minutes=60)
    retry = timedelta(minutes=15)
    assert is_due(source, now, retry)  # never synced
    source.last_sync = {"at": (now - timedelta(minutes=30)).isoformat(), "ok": True}
    assert not is_due(source, now, retry)
    source.last_sync = {"at": (now - timedelta(minutes=61)).isoformat(), "ok": True}
    assert is_due(source, now, retry)
    source.last_sync = {"at": (now - timedelta(minutes=20)).isoformat(), "ok": False}
    assert is_due(source, now, retry)  # a failure is retried sooner than the interval
    source.interval_minutes = None
    assert not is_due(source, now, retry)  # on demand only


def test_config_sources_are_applied_synced_and_removed(tmp_path: Path, folder: Path) -> None:
    entry = SourceEntry(name="rundschreiben", location=str(folder), interval_minutes=60)
    settings = _settings(tmp_path, [entry])
    outcomes = SyncScheduler(settings).run_once()
    assert [(o.source, o.ok) for o in outcomes] == [("rundschreiben", True)]
    assert outcomes[0].report is not None
    assert outcomes[0].report["indexed"] == 2
    (source,) = _registry_list(settings)
    assert source.origin == "config"

    # nothing is due an hour later minus a minute; a new file waits for the interval
    (folder / "urlaub.txt").write_text("Urlaubsanträge bis 31. Januar.\n", encoding="utf-8")
    assert SyncScheduler(settings).run_once() == []
    later = datetime.now(UTC) + timedelta(minutes=61)
    (outcome,) = SyncScheduler(settings).run_once(now=later)
    assert outcome.report is not None
    assert (outcome.report["indexed"], outcome.report["unchanged"]) == (1, 2)

    # the file's sources are read-only in the registry
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        with pytest.raises(ConfigurationError, match="settings file"):
            registry.update("rundschreiben", exclude=["*.txt"])
        with pytest.raises(ConfigurationError, match="settings file"):
            registry.remove("rundschreiben", indexer)

    # dropped from the file: removed with its documents
    SyncScheduler(_settings(tmp_path, [])).run_once()
    with Indexer(settings) as indexer:
        assert SourceRegistry(indexer.catalog).list() == []
        assert indexer.catalog.entries() == []


def test_config_change_rebuilds_and_invalid_config_changes_nothing(
    tmp_path: Path, folder: Path
) -> None:
    settings = _settings(tmp_path, [SourceEntry(name="rs", location=str(folder))])
    with Indexer(settings) as indexer:
        registry = SourceRegistry(indexer.catalog)
        assert registry.apply_config(settings.sources, indexer) == ["rs"]
        assert registry.apply_config(settings.sources, indexer) == []  # idempotent
        registry.sync("rs", indexer)
        changed = [SourceEntry(name="rs", location=str(folder), access_groups=["hauptamt"])]
        assert registry.apply_config(changed, indexer) == ["rs"]
        assert registry.require("rs").needs_reindex
        report = registry.sync("rs", indexer)
        assert report.indexed == 2
        groups = {tuple(entry.access_groups) for entry in indexer.catalog.entries()}
        assert groups == {("hauptamt",)}
        bad = [
            SourceEntry(name="rs", location=str(tmp_path / "missing")),
            SourceEntry(name="ok", location=str(folder)),
        ]
        with pytest.raises(ConfigurationError, match="does not exist"):
            registry.apply_config(bad, indexer)
        # the valid one is applied, the invalid one keeps its registration and documents
        assert [source.name for source in registry.list()] == ["ok", "rs"]
        assert registry.require("rs").location == str(folder.resolve())
        assert len(indexer.catalog.entries(source="rs")) == 2
        twice = [SourceEntry(name="x", location=str(folder))] * 2
        with pytest.raises(ConfigurationError, match="twice"):
            registry.apply_config(twice, indexer)


def test_failed_source_does_not_stop_the_others(tmp_path: Path, folder: Path) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "a.txt").write_text("Ein Dokument.\n", encoding="utf-8")
    entries = [
        SourceEntry(name="a-gone", location=str(gone), interval_minutes=5),
        SourceEntry(name="b-ok", location=str(folder), interval_minutes=5),
    ]
    settings = _settings(tmp_path, entries)
    with Indexer(settings) as indexer:
        SourceRegistry(indexer.catalog).apply_config(entries, indexer)
    gone.rename(tmp_path / "moved")  # the share went away after it was configured
    outcomes = SyncScheduler(settings).run_once()
    assert [(o.source, o.ok) for o in outcomes] == [("a-gone", False), ("b-ok", True)]
    assert outcomes[0].error is not None
    sources = {source.name: source for source in _registry_list(settings)}
    assert sources["a-gone"].last_sync is not None
    assert sources["a-gone"].last_sync["ok"] is False


def test_worker_process_syncs_and_stops_on_sigterm(tmp_path: Path, folder: Path) -> None:
    config = tmp_path / "auskunft.toml"
    config.write_text(
        f'[[sources]]\nname = "rundschreiben"\nlocation = "{folder}"\ninterval_minutes = 1\n'
        "[worker]\npoll_seconds = 0.5\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "AUSKUNFT_CONFIG": str(config),
        "AUSKUNFT_DATA_DIR": str(tmp_path / "data"),
    }
    auskunft = str(Path(sys.executable).with_name("auskunft"))
    command = [auskunft, "worker"]
    worker = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        indexed = 0
        while time.monotonic() < deadline and indexed < 2:
            time.sleep(1)
            status = subprocess.run(
                [auskunft, "status", "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            indexed = json.loads(status.stdout)["documents"]["indexed"]
        assert indexed == 2
    finally:
        worker.send_signal(signal.SIGTERM)
        _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert "Syncing rundschreiben" in err
