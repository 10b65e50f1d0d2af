"""The files an OParl source downloaded, kept for conditional requests, and their pruning.

An entry is two files named by the SHA-256 of the URL: ``<key>.bin`` (the bytes) and
``<key>.json`` (URL, ``ETag``, ``Last-Modified``, size). A write goes through temporary
files (``.<key>.<random>.tmp``) renamed into place, the ``.json`` last, so an entry is
either whole or, after a crash, a leftover that is never served: a ``.bin`` without its
``.json`` or a temporary file.

:meth:`FileCache.prune` removes what no paper needs any more. Which entries those are the
connector decides (:mod:`connectors.oparl`); the cache only touches files whose names it
writes itself, and leftovers only once they are older than ``leftover_age``, so a write
under way in another process (a queue worker) is not mistaken for one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from connectors.oparl_client import Download

LEFTOVER_AGE = timedelta(hours=1)
"""How old an incomplete entry or temporary file must be before it counts as left over."""
_NAME = re.compile(r"(?P<key>[0-9a-f]{64})\.(?:bin|json)|\.(?P<tmp>[0-9a-f]{64})\.\w+\.tmp")


def _key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


@dataclass(slots=True)
class Pruned:
    """What :meth:`FileCache.prune` removed.

    :param entries: entries (and leftovers) removed, one per URL.
    :param bytes: their size on disk.
    """

    entries: int = 0
    bytes: int = 0


class FileCache:
    """Bytes and validators (ETag, Last-Modified) of downloaded files, by URL.

    :param folder: where to keep them; ``None`` keeps nothing (no conditional requests).
    :param leftover_age: how old a leftover of an interrupted write must be to be removed.
    """

    def __init__(self, folder: Path | None, *, leftover_age: timedelta = LEFTOVER_AGE) -> None:
        self.folder = folder
        self.leftover_age = leftover_age

    def _paths(self, url: str) -> tuple[Path, Path] | None:
        if self.folder is None:
            return None
        key = _key(url)
        return self.folder / f"{key}.bin", self.folder / f"{key}.json"

    def get(self, url: str) -> tuple[bytes, str | None, str | None] | None:
        """:returns: bytes, ETag and Last-Modified of ``url``, if kept (and whole)."""
        paths = self._paths(url)
        if paths is None or not paths[0].is_file() or not paths[1].is_file():
            return None
        try:
            tags = json.loads(paths[1].read_text())
            content = paths[0].read_bytes()
        except (OSError, ValueError):
            return None
        size = tags.get("size")
        if isinstance(size, int) and size != len(content):  # not the bytes of these tags
            return None
        return content, tags.get("etag"), tags.get("last_modified")

    def put(self, url: str, download: Download) -> None:
        """Keep a download that has bytes and a validator."""
        paths = self._paths(url)
        if paths is None or download.content is None:
            return
        if not (download.etag or download.last_modified):
            return
        binary, tags = paths
        binary.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "url": url,
            "etag": download.etag,
            "last_modified": download.last_modified,
            "size": len(download.content),
        }
        new_binary = self._temporary(binary, download.content)
        try:
            new_tags = self._temporary(tags, json.dumps(meta).encode())
        except BaseException:
            new_binary.unlink(missing_ok=True)
            raise
        # old validators must never describe new bytes: without its .json, an entry is
        # not served while it is replaced (and a crash leaves only a leftover .bin)
        tags.unlink(missing_ok=True)
        new_binary.replace(binary)
        new_tags.replace(tags)

    @staticmethod
    def _temporary(target: Path, data: bytes) -> Path:
        key = target.name.split(".", 1)[0]
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Path(name)

    def prune(self, urls: Iterable[str] = (), *, keep: Collection[str] | None = None) -> Pruned:
        """Remove entries no paper needs any more, and leftovers of interrupted writes.

        :param urls: URLs whose entries are to go (files known deleted or detached).
        :param keep: when given, every URL that is still needed: all other entries go.
            Only pass it when it is known to be complete.
        :returns: what was removed.
        """
        pruned = Pruned()
        if self.folder is None or not self.folder.is_dir():
            return pruned
        keys = {_key(url) for url in urls}
        kept = None if keep is None else {_key(url) for url in keep}
        found: dict[str, list[Path]] = {}
        for path in self.folder.iterdir():
            match = _NAME.fullmatch(path.name)
            if match is not None and path.is_file():  # nothing else here is ours
                found.setdefault(match["key"] or match["tmp"], []).append(path)
        cutoff = time.time() - self.leftover_age.total_seconds()
        for key, paths in found.items():
            entry = sorted(  # the .json first: an entry is never served half removed
                (path for path in paths if not path.name.endswith(".tmp")),
                key=lambda path: not path.name.endswith(".json"),
            )
            gone: list[Path] = []
            if len(entry) < 2:  # a .bin or .json alone: left over once it is old enough
                gone = [path for path in entry if _older(path, cutoff)]
            elif key in keys or (kept is not None and key not in kept):
                gone = entry
            # a temporary file may belong to a write under way (another process)
            gone += [path for path in paths if path not in entry and _older(path, cutoff)]
            freed = sum(_unlink(path) for path in gone)
            if gone:
                pruned.entries += 1
                pruned.bytes += freed
        return pruned


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except OSError:  # gone meanwhile
        return False


def _unlink(path: Path) -> int:
    """:returns: the size of the file removed (0 if it was gone already)."""
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        path.unlink()
        return size
    return 0
