"""Documents from a folder tree (or a single file) on a local or mounted file system."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from connectors.base import Connector, Listing, Skipped, SourceDocument, SourceRef


def _matches(relative: PurePosixPath, patterns: Sequence[str]) -> bool:
    """Glob match where ``**/`` also matches zero folders (``**/*.pdf`` matches ``a.pdf``)."""
    text = relative.as_posix()
    for pattern in patterns:
        if fnmatch.fnmatchcase(text, pattern):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatchcase(text, pattern[3:]):
            return True
    return False


class FilesystemConnector(Connector):
    """Lists and reads files under ``root``, recursively, in a stable order.

    :param root: a folder, or a single file.
    :param name: the source name recorded with every document.
    :param include: glob patterns (relative to ``root``, ``**`` for any folders) a file
        must match.
    :param exclude: glob patterns that remove a file even when it is included.
    :raises FileNotFoundError: when ``root`` does not exist.
    """

    def __init__(
        self,
        root: str | Path,
        name: str,
        include: Sequence[str] = ("**/*",),
        exclude: Sequence[str] = (),
    ) -> None:
        self.root = Path(root).expanduser().resolve()
        if not self.root.exists():
            msg = f"{root} does not exist"
            raise FileNotFoundError(msg)
        self.name = name
        self.include = tuple(include)
        self.exclude = tuple(exclude)
        self._skipped: list[Skipped] = []

    @property
    def scope(self) -> str:
        """:returns: the URI prefix of every document this connector lists.

        A document of the source under this prefix that is no longer listed was deleted.
        """
        uri = self.root.as_uri()
        return uri if self.root.is_file() else uri.rstrip("/") + "/"

    def listing(self) -> Listing:
        """:returns: a complete listing of :attr:`scope`, unless a folder could not be
        read (then nothing is deleted for being unlisted, and the folder is reported)."""
        return Listing(
            scope=self.scope if not self._skipped else None, skipped=tuple(self._skipped)
        )

    def _unreadable(self, error: OSError) -> None:
        folder = Path(error.filename or self.root)
        reason = "unreadable-folder"
        self._skipped.append({"uri": folder.as_uri(), "reason": reason, "error": str(error)})

    def _paths(self) -> Iterator[Path]:
        self._skipped = []
        if self.root.is_file():
            yield self.root
            return
        walk = os.walk(self.root, onerror=self._unreadable, followlinks=False)
        for folder, dirnames, filenames in walk:
            dirnames.sort()
            for filename in sorted(filenames):
                path = Path(folder) / filename
                relative = PurePosixPath(path.relative_to(self.root).as_posix())
                if not _matches(relative, self.include) or _matches(relative, self.exclude):
                    continue
                if path.is_file():
                    yield path

    def list(self) -> Iterator[SourceRef]:
        """:returns: a reference per file, with its size and modification time."""
        for path in self._paths():
            try:
                stat = path.stat()
            except OSError:
                continue  # vanished between listing and stat
            yield SourceRef(uri=path.as_uri(), size=stat.st_size, version=str(stat.st_mtime_ns))

    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the file's bytes.

        :raises FileNotFoundError: when the file was deleted.
        :raises OSError: when it cannot be read (or the folder is not reachable).
        """
        path = _path_from_uri(ref.uri)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            if not self.root.exists():  # the share is gone, not the file
                msg = f"{self.root} is not reachable (unmounted?)"
                raise OSError(msg) from None
            raise
        return SourceDocument(
            uri=ref.uri, filename=path.name, content=content, metadata={"path": str(path)}
        )


def _path_from_uri(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path))
