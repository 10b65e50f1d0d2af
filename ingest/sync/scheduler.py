"""The ingestion worker's schedule: sync every source whose interval has passed.

``auskunft worker`` runs :meth:`SyncScheduler.run_forever`. Each round opens the index
for writing, applies the sources of the settings file, and syncs the sources that are
due, one after the other. With a shared job queue (``queue.url``) a round only puts the
due syncs on the queue, and ``auskunft queue worker`` processes do the work.

A failing source is recorded (its last sync says why) and tried again after
``worker.retry_minutes``; the others go on. A worker that is killed leaves
nothing half-done: the next run of the ingestion repairs an interrupted batch (see
:meth:`ingest.sync.runner.IngestRunner.recover`), and an incremental source's cursor only moves
after a successful sync, so its changes are listed again.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.sync.indexer import Indexer
from ingest.sync.sources import SourceConfig, SourceRegistry, open_registry
from search.core.errors import AuskunftError, ConfigurationError, IndexLocked
from search.core.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class SyncOutcome:
    """What a scheduled sync of one source did."""

    source: str
    ok: bool
    report: dict[str, Any] | None = None
    error: str | None = None


def _parse(at: str) -> datetime:
    moment = datetime.fromisoformat(at)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_due(source: SourceConfig, now: datetime, retry_after: timedelta) -> bool:
    """:returns: whether the scheduled source should be synced at ``now``.

    :param source: a registered source.
    :param now: the current time (aware).
    :param retry_after: how long to wait after a failed sync.
    """
    if source.interval_minutes is None:
        return False
    if source.needs_reindex or not source.last_sync:
        return True
    last = _parse(str(source.last_sync["at"]))
    wait = timedelta(minutes=source.interval_minutes)
    if not source.last_sync.get("ok"):
        wait = min(wait, retry_after)
    return now - last >= wait


class SyncScheduler:
    """Syncs scheduled sources when they are due.

    :param settings: the settings (``sources``, ``worker``).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def run_once(self, now: datetime | None = None) -> list[SyncOutcome]:
        """One round: apply the settings file's sources, sync those that are due.

        :param now: the time to judge by (default: now).
        :returns: one outcome per source synced.
        :raises IndexLocked: when another process holds the index for writing.
        """
        moment = now or datetime.now(UTC)
        if self.settings.queue.url:
            return self._enqueue_due(moment)
        retry_after = timedelta(minutes=self.settings.worker.retry_minutes)
        outcomes: list[SyncOutcome] = []
        with Indexer(self.settings) as indexer:
            registry = SourceRegistry(indexer.catalog)
            try:
                registry.apply_config(self.settings.sources, indexer)
            except ConfigurationError as exc:  # the valid ones were applied: go on
                logger.warning("%s", exc)
            for source in registry.list():
                if not is_due(source, moment, retry_after):
                    continue
                logger.info("Syncing %s", source.name)
                try:
                    report = registry.sync(source.name, indexer)
                except AuskunftError as exc:  # recorded as the last sync
                    logger.warning("Sync of %s failed: %s", source.name, exc)
                    outcomes.append(SyncOutcome(source.name, ok=False, error=str(exc)))
                    continue
                outcomes.append(SyncOutcome(source.name, ok=True, report=report.to_dict()))
        return outcomes

    def _enqueue_due(self, moment: datetime) -> list[SyncOutcome]:
        """With a shared queue the scheduler only puts due syncs on it; the queue workers
        list, ingest and record them. A sync already waiting is not queued twice, so a
        source still due at the next round costs nothing.

        Sources dropped from the settings file are removed by ``auskunft sync`` (it needs
        the write lock), not here.
        """
        from ingest.sync.queue import JobQueue

        retry_after = timedelta(minutes=self.settings.worker.retry_minutes)
        with open_registry(self.settings) as registry:
            due = [s.name for s in registry.list() if is_due(s, moment, retry_after)]
        outcomes: list[SyncOutcome] = []
        if not due:
            return outcomes
        queue = JobQueue(self.settings)
        with queue.opened():
            for name in due:
                added = queue.enqueue_sync(name)
                report = {"queued": added}
                outcomes.append(SyncOutcome(name, ok=True, report=report))
        return outcomes

    def run_forever(self, stop: threading.Event | None = None) -> None:
        """Run rounds every ``worker.poll_seconds`` until ``stop`` is set.

        A round that finds the index locked by another writer (an admin's sync, an
        ``auskunft ingest``) is skipped; the next one tries again.

        :param stop: set it to end the loop after the current round.
        """
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                self.run_once()
            except IndexLocked as exc:
                logger.info("Index busy, next round: %s", exc)
            stop.wait(self.settings.worker.poll_seconds)
