"""A BEIR retrieval set as a source: its corpus as pre-extracted plain-text documents.

A BEIR set is a folder with ``corpus.jsonl`` (or ``corpus.jsonl.gz``; one object per line
with ``_id``, ``title``, ``text``), ``queries.jsonl`` and ``qrels.tsv``. This connector
yields the corpus only; :mod:`search.evaluation.retrieval` reads queries and relevance judgements.

Documents are text already, so they carry :data:`PLAIN_TEXT` in their metadata and
ingestion builds elements from their paragraphs instead of running the file parsers.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO, Any, Final

from connectors.base import PLAIN_TEXT, Connector, Listing, SourceDocument, SourceRef

URI_SCHEME: Final = "beir://"


def corpus_path(folder: Path) -> Path:
    """:returns: the corpus file of a BEIR folder (``corpus.jsonl`` or ``.jsonl.gz``).

    :raises FileNotFoundError: when neither exists.
    """
    for name in ("corpus.jsonl", "corpus.jsonl.gz"):
        if (folder / name).is_file():
            return folder / name
    msg = f"{folder} has no corpus.jsonl(.gz)"
    raise FileNotFoundError(msg)


def open_text(path: Path) -> IO[str]:
    """:returns: a text handle on a plain or gzip-compressed UTF-8 file."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def doc_uri(set_name: str, corpus_id: str) -> str:
    """:returns: the URI of a corpus document, ``beir://<set>/<_id>``."""
    return f"{URI_SCHEME}{set_name}/{corpus_id}"


def corpus_id_of(uri: str) -> str:
    """:returns: the BEIR ``_id`` of a URI made by :func:`doc_uri`."""
    return uri.removeprefix(URI_SCHEME).split("/", 1)[-1]


class BeirCorpusConnector(Connector):
    """Yields the documents of a BEIR corpus as plain text.

    :param folder: the set's folder.
    :param name: source name (default: the folder's name).
    :param only_ids: if given, only these ``_id``s (for a documented subset).
    """

    def __init__(
        self, folder: Path, name: str | None = None, only_ids: Collection[str] | None = None
    ) -> None:
        self.folder = Path(folder)
        self.name = name or self.folder.name
        self.only_ids = set(only_ids) if only_ids is not None else None
        self._pending: dict[str, SourceDocument] = {}

    @property
    def scope(self) -> str:
        """:returns: the URI prefix of this set's documents."""
        return f"{URI_SCHEME}{self.name}/"

    def listing(self) -> Listing:
        """:returns: a complete listing of :attr:`scope`."""
        return Listing(scope=self.scope)

    def _records(self) -> Iterator[dict[str, Any]]:
        with open_text(corpus_path(self.folder)) as handle:
            for line in handle:
                if line.strip():
                    record: dict[str, Any] = json.loads(line)
                    if self.only_ids is None or str(record["_id"]) in self.only_ids:
                        yield record

    def _document(self, record: dict[str, Any]) -> SourceDocument:
        corpus_id = str(record["_id"])
        title = str(record.get("title") or "").strip()
        metadata: dict[str, Any] = {PLAIN_TEXT: True}
        if title:
            metadata["title"] = title
        return SourceDocument(
            uri=doc_uri(self.name, corpus_id),
            filename=f"{corpus_id}.txt",
            content=str(record.get("text") or "").encode("utf-8"),
            metadata=metadata,
        )

    def list(self) -> Iterator[SourceRef]:
        """:returns: every document of the corpus, in file order."""
        for record in self._records():
            document = self._document(record)
            # the runner fetches each document right after listing it: keep just that one
            self._pending = {document.uri: document}
            yield SourceRef(uri=document.uri, size=len(document.content))

    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the document's text and title.

        :raises FileNotFoundError: when the corpus has no such document.
        """
        if ref.uri in self._pending:
            return self._pending.pop(ref.uri)
        wanted = corpus_id_of(ref.uri)
        for record in self._records():
            if str(record["_id"]) == wanted:
                return self._document(record)
        msg = f"{ref.uri} is not in {self.folder}"
        raise FileNotFoundError(msg)
