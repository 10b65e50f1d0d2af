"""Council papers (Drucksachen) from an OParl 1.0/1.1 server, with their council context.

Documents
    Every Paper yields a *paper document* at the paper's ``id``: its own text (type,
    number, subject, originator, consultations with results and resolution texts) as plain
    text, so every Drucksache is findable even when its files are missing, fail to
    download or are scans without text. Each of its files (``mainFile``,
    ``auxiliaryFile``) yields a *file document* at the file's ``accessUrl``. Both carry the
    same metadata: ``reference``, ``title``, ``date``, ``doc_type="decision"``,
    ``department``, ``committee`` and ``council`` (see ``search.core.fields.COUNCIL``).

Versions
    A reference's ``version`` digests the paper's and file's ``modified`` and the council
    context, so an unchanged paper is not downloaded again, and a new result of its
    consultation re-indexes it. Files are downloaded conditionally (``If-None-Match``,
    ``If-Modified-Since``) when a ``cache_dir`` keeps their bytes.

Sync
    The first sync lists everything (``scope`` is set: what is not listed was deleted);
    later ones ask for ``modified_since`` the server time of the last successful start
    (minus a margin), list only what changed, and report ``deleted: true`` papers and
    files, and files no longer attached to a changed paper, through :meth:`removed`.

    A later result is often recorded on the agenda item (and its meeting) without
    touching the paper, so incremental syncs also list the meetings (and, in OParl 1.1,
    the agenda items) changed since the cursor and list again the papers consulted there
    (:mod:`connectors.oparl_consulted` remembers where each paper was consulted). Only
    those whose council context really changed get a new version and are re-indexed.

Cache
    With a ``cache_dir``, downloaded files are kept (:mod:`connectors.oparl_cache`) and the
    state records the URLs each paper's files may be kept under (``accessUrl`` as the
    file's URI in ``papers``, a different ``downloadUrl`` in ``download_urls``). Files that
    no paper references any more (deleted papers, files deleted or detached from a paper
    read again, a changed URL) leave the cache at the end of the first *complete* listing
    that knows it; a listing stopped early (``max_papers``, ``page_limit``, a list that
    failed) removes nothing and passes them on in the state (``unpruned``). When every
    paper's URLs are known and no paper had to be skipped, a complete listing also removes
    every other entry; papers recorded by an older version (no ``download_urls``) are known
    once they are read again. Leftovers of interrupted writes go with any complete listing.

Non-public
    A paper consulted under a non-public agenda item (``public: false``) gets the
    ``restricted_group`` as its only access group, never the source's public groups.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from connectors.base import PLAIN_TEXT, Connector, Listing, SourceDocument, SourceRef
from connectors.oparl_cache import FileCache
from connectors.oparl_client import OParlClient, OParlError
from connectors.oparl_consulted import ConsultedIndex, modified_since
from connectors.oparl_objects import (
    Fixup,
    OParlObject,
    fixups_for,
    normalize,
    paper_text,
    shorten,
)

logger = logging.getLogger(__name__)

DEFAULT_RESTRICTED_GROUP = "rat-nichtoeffentlich"
STATE_VERSION = 2
"""2: where each paper was consulted (``consulted``); an older state lists everything once.
Added to 2 without a new version, as an older one ignores them and drops them from the state
it writes: ``download_urls`` (a paper missing there: where its files are cached is unknown,
so the cache is not swept) and ``unpruned``."""
_TEXT_FIELDS = ("name", "reference", "paperType", "date", "modified", "accessUrl")
_PAPER_LINKS = ("relatedPaper", "superordinatedPaper", "subordinatedPaper")
"""OParl fields linking a paper to others (kept as its references)."""


@dataclass(slots=True)
class _Item:
    """What :meth:`OParlConnector.fetch` needs for one listed reference."""

    paper: OParlObject
    file: OParlObject | None
    metadata: dict[str, Any]
    text: str


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class OParlConnector(Connector):
    """Lists and reads the papers of one body of an OParl system.

    :param system_url: URL of the OParl ``System`` object.
    :param name: the source name.
    :param state: what the last successful sync left (``{}`` the first time).
    :param body: which body, when the system has several: its ``id``, ``shortName``,
        ``name`` or position (``0``); default the first.
    :param restricted_group: the access group of papers consulted non-publicly.
    :param max_papers: stop after this many papers (tests, benchmarks; the listing is
        then partial and the cursor does not advance).
    :param page_limit: follow at most this many pages of the paper list (likewise).
    :param timeout: seconds per request.
    :param retries: retries after a timeout, connection error or 5xx.
    :param backoff: seconds before the first retry, doubled for each further one.
    :param vendor: name of a fix-up in ``VENDOR_FIXUPS`` to apply (else chosen by the
        System's ``vendor``/``product``).
    :param fixups: further fix-ups, applied to every object.
    :param cache_dir: where downloaded files are kept for conditional requests.
    :param safety_margin: subtracted from the server time for the next cursor.
    :param transport: an httpx transport (tests).
    """

    def __init__(
        self,
        system_url: str,
        *,
        name: str,
        state: dict[str, Any] | None = None,
        body: str | int | None = None,
        restricted_group: str = DEFAULT_RESTRICTED_GROUP,
        max_papers: int | None = None,
        page_limit: int | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        vendor: str | None = None,
        fixups: Sequence[Fixup] = (),
        cache_dir: Path | None = None,
        safety_margin: timedelta = timedelta(minutes=5),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        parsed = urlparse(system_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            msg = f"Not an http(s) URL: {system_url!r}"
            raise ValueError(msg)
        if not restricted_group.strip():
            msg = "restricted_group must not be empty"
            raise ValueError(msg)
        self.system_url = system_url
        self.name = name
        self.body = body
        self.restricted_group = restricted_group.strip()
        self.max_papers = max_papers
        self.page_limit = page_limit
        self.vendor = vendor
        self.safety_margin = safety_margin
        self.client = OParlClient(
            timeout=timeout, retries=retries, backoff=backoff, transport=transport
        )
        self.cache = FileCache(cache_dir)
        state = dict(state or {})
        if state.get("version") != STATE_VERSION:
            state = {}
        self.cursor: str | None = state.get("modified_since")
        self._papers: dict[str, dict[str, str]] = dict(state.get("papers") or {})
        """Per paper id: its files, file id → document URI (to remove deleted files)."""
        self._download_urls: dict[str, dict[str, str]] = {
            paper: dict(files)
            for paper, files in (state.get("download_urls") or {}).items()
            if paper in self._papers and isinstance(files, dict)
        }
        """Per paper id: file id → ``downloadUrl`` where it differs from the URI; a paper
        missing here was recorded by an older version (its cache URLs are not known)."""
        self._unpruned: set[str] = {str(url) for url in state.get("unpruned") or []}
        """URLs no paper references any more whose cache entries still have to go."""
        self._unsure = False
        self._emptied = False
        self._consulted = ConsultedIndex(state.get("consulted"))
        self._extra_fixups = list(fixups)
        self._fixups: list[Fixup] | None = None
        self._body_object: OParlObject | None = None
        self._names: dict[str, str] = {}
        self._meetings: dict[str, OParlObject | None] = {}
        self._pending: dict[str, _Item] = {}
        self._removed: list[str] = []
        self._next_cursor: str | None = None
        self.skipped: list[dict[str, str]] = []
        self.downloads = 0
        """Files downloaded with their bytes."""
        self.not_modified = 0
        """Files the server answered ``304 Not Modified`` for (read from the cache)."""
        self.relisted: builtins.list[str] = []
        """Papers listed again because a meeting or agenda item of theirs changed."""
        self.pruned = 0
        """Cache entries removed at the end of the listing (files no paper references any
        more, leftovers of interrupted writes)."""
        self.pruned_bytes = 0
        """Their size on disk."""

    # -- the Connector protocol --------------------------------------------------------

    @property
    def scope(self) -> str | None:
        """:returns: ``""`` (every document of the source) for a complete first listing,
        ``None`` for an incremental or limited one, which deletes only what the server
        reports deleted."""
        if self._emptied:
            return None
        if self.cursor is None and self.max_papers is None and self.page_limit is None:
            return ""  # every document of an OParl source comes from its paper list
        return None

    def list(self) -> Iterator[SourceRef]:
        """:returns: a reference per paper and per file that changed since the cursor
        (all of them on the first sync).

        :raises OParlError: when the system, the body or a page of the paper list cannot
            be read after retries; the sync then fails and keeps its old cursor.
        """
        self.skipped = []
        self._removed = []
        self.relisted = []
        self.pruned = self.pruned_bytes = 0
        self._unsure = False
        self._emptied = False
        body = self._select_body()
        self._load_organizations(body)
        params = {"modified_since": self.cursor} if self.cursor else None
        papers = 0
        complete = True
        listed: set[str] = set()
        for item in self.client.iter_list(
            self._list_url(body, "paper"), params, page_limit=self.page_limit
        ):
            paper = self._object(item, "Paper", str(body.get("paper")))
            if paper is None:
                self._unsure = True  # perhaps a paper with files: the cache is not swept
                continue
            listed.add(paper["id"])
            if paper.get("deleted"):
                self._forget(paper["id"])
                continue
            try:
                refs = self._paper_refs(paper)
            except Exception as exc:  # one bad paper must not stop the others
                logger.warning("Skipping paper %s: %s", paper.get("id"), exc)
                self._skip(paper["id"], "invalid-paper", f"{type(exc).__name__}: {exc}")
                self._unsure = True
                continue
            yield from refs
            papers += 1
            if self.max_papers is not None and papers >= self.max_papers:
                complete = False
                break
        if self.page_limit is not None:
            complete = False
        # a full paper list that is empty where papers were known is a server that lost its
        # list (or answers 404 for it), not a council that deleted everything: keep them
        self._emptied = not listed and bool(self._papers) and self.cursor is None
        if self._emptied:
            self._skip(self._list_url(body, "paper"), "empty-list", "paper list is empty")
            self._unsure = True
            complete = False
        if self.cursor and complete:
            try:
                consulted = self._consulted_papers(body, self.cursor, params)
            except OParlError as exc:  # the cursor stays, so the next sync asks again
                self._skip(exc.url, exc.reason, str(exc))
                complete = False
            else:
                yield from self._relist(sorted(consulted - listed))
        if self.cursor and body.get("file"):
            self._removed_files(self._list_url(body, "file"), params)
        if self.scope == "" and not self._unsure:  # unlisted papers are gone (hard-deleted)
            for paper_id in set(self._papers) - listed:
                self._drop(paper_id)
        if complete and self.client.server_time is not None:
            self._next_cursor = (self.client.server_time - self.safety_margin).isoformat()
        self._prune(complete)

    def fetch(self, ref: SourceRef) -> SourceDocument:
        """:returns: the paper's text or the file's bytes, with the council metadata.

        Works from a bare URI too (a retry): the paper is then read again.

        :raises OSError: when the file cannot be downloaded or the paper is unknown.
        """
        item = self._pending.pop(ref.uri, None) or self._resolve(ref.uri)
        if item.file is None:
            reference = str(item.paper.get("reference") or "").replace("/", "-")
            stem = reference or item.paper["id"].rstrip("/").rsplit("/", 1)[-1]
            return SourceDocument(
                uri=ref.uri,
                filename=f"Drucksache-{stem}.txt",
                content=item.text.encode(),
                metadata={PLAIN_TEXT: True, **item.metadata},
            )
        content = self._download(item.file)
        return SourceDocument(
            uri=ref.uri,
            filename=_filename(item.file),
            content=content,
            metadata=dict(item.metadata),
        )

    def removed(self) -> Iterator[str]:
        """:returns: URIs of papers and files deleted since the last sync."""
        yield from dict.fromkeys(self._removed)

    def listing(self) -> Listing:
        """:returns: the scope (complete first listings only), skipped objects and the
        papers and files the server reported deleted."""
        return Listing(scope=self.scope, skipped=tuple(self.skipped), removed=tuple(self.removed()))

    def state(self) -> dict[str, Any]:
        """:returns: the cursor for the next sync, the files of every paper (and the URLs
        they may be cached under), and cache entries a stopped listing could not remove."""
        return {
            "version": STATE_VERSION,
            "modified_since": self._next_cursor or self.cursor,
            "papers": self._papers,
            "download_urls": self._download_urls,
            "unpruned": sorted(self._unpruned),
            "consulted": self._consulted.state(),
        }

    def check(self) -> str:
        """:returns: e.g. ``OParl 1.1, body Stadt Karlsruhe (1 of 1)``.

        :raises OSError: when the server cannot be reached.
        :raises ValueError: when it is not an OParl system.
        """
        body = self._select_body()
        system = self._system()
        version = str(system.get("oparlVersion") or "").rstrip("/").rsplit("/", 1)[-1]
        return f"OParl {version or '?'}, body {body.get('name') or body['id']}"

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    # -- system and body ---------------------------------------------------------------

    def _system(self) -> OParlObject:
        system = normalize(self.client.get_object(self.system_url))
        if not str(system.get("type", "")).endswith("/System"):
            msg = f"{self.system_url} is not an OParl System (type {system.get('type')!r})"
            raise ValueError(msg)
        if self._fixups is None:
            self._fixups = fixups_for(system, self.vendor) + self._extra_fixups
        return dict(system)

    def _select_body(self) -> OParlObject:
        if self._body_object is not None:
            return self._body_object
        system = self._system()
        bodies_url = system.get("body")
        if not isinstance(bodies_url, str):
            msg = f"{self.system_url}: the System names no body list"
            raise ValueError(msg)  # noqa: TRY004 - a wrong answer, not a wrong argument
        bodies = [
            body
            for item in self.client.iter_list(bodies_url)
            if (body := self._object(item, "Body", bodies_url)) is not None
        ]
        if not bodies:
            msg = f"{bodies_url}: the system has no body"
            raise ValueError(msg)
        chosen = bodies[0]
        if self.body is not None:
            wanted = str(self.body)
            matches = [
                body
                for body in bodies
                if wanted in (body["id"], body.get("shortName"), body.get("name"))
            ]
            if not matches and wanted.isdigit() and int(wanted) < len(bodies):
                matches = [bodies[int(wanted)]]
            if not matches:
                names = ", ".join(str(body.get("name") or body["id"]) for body in bodies)
                msg = f"No body {wanted!r} in {bodies_url}; there are: {names}"
                raise ValueError(msg)
            chosen = matches[0]
        self._body_object = chosen
        return chosen

    @staticmethod
    def _list_url(body: OParlObject, kind: str) -> str:
        url = body.get(kind)
        if not isinstance(url, str):
            msg = f"Body {body['id']} has no {kind} list"
            raise ValueError(msg)  # noqa: TRY004 - a wrong answer, not a wrong argument
        return url

    # -- objects -----------------------------------------------------------------------

    def _skip(self, uri: str, reason: str, error: str) -> None:
        self.skipped.append({"uri": uri, "reason": reason, "error": error})

    def _object(self, item: Any, kind: str, where: str) -> OParlObject | None:
        """:returns: a regular object of ``kind``, or ``None`` (recorded as skipped)."""
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            self._skip(where, "invalid-object", f"not an OParl {kind}: {str(item)[:200]}")
            return None
        obj: OParlObject = normalize(item, kind)
        for fixup in self._fixups or ():
            obj = fixup(obj)
        kind_of = obj.get("type")
        if not isinstance(kind_of, str) or not kind_of.rstrip("/").endswith(f"/{kind}"):
            self._skip(obj["id"], "invalid-object", f"expected an OParl {kind}, got {kind_of!r}")
            return None
        wrong = [key for key in _TEXT_FIELDS if key in obj and not isinstance(obj[key], str)]
        if wrong:
            self._skip(obj["id"], "invalid-object", f"not text: {', '.join(wrong)}")
            return None
        return obj

    def _get(self, url: str, kind: str) -> OParlObject | None:
        """:returns: the object at ``url``, or ``None`` (recorded as skipped)."""
        try:
            item = self.client.get_object(url)
        except OParlError as exc:
            self._skip(url, exc.reason, str(exc))
            return None
        except httpx.InvalidURL as exc:
            self._skip(url, "invalid-url", str(exc))
            return None
        return self._object(item, kind, url)

    def _load_organizations(self, body: OParlObject) -> None:
        url = body.get("organization")
        if not isinstance(url, str) or self._names:
            return
        try:
            for item in self.client.iter_list(url):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self._names[item["id"]] = str(item.get("name") or item.get("shortName") or "")
        except OParlError as exc:  # names are then read one by one
            self._skip(url, exc.reason, str(exc))

    def _name(self, url: Any) -> str:
        """:returns: the name of the organization or person at ``url`` (``""`` if none)."""
        if isinstance(url, dict):  # embedded instead of referenced
            return str(url.get("name") or "")
        if not isinstance(url, str):
            return ""
        if url not in self._names:
            try:
                obj = normalize(self.client.get_object(url))
            except (OParlError, httpx.InvalidURL) as exc:
                self._skip(url, getattr(exc, "reason", "invalid-url"), str(exc))
                obj = {}
            self._names[url] = str(obj.get("name") or obj.get("shortName") or "")
        return self._names[url]

    def _meeting(self, url: Any) -> OParlObject | None:
        if isinstance(url, dict):
            return dict(normalize(url, "Meeting"))
        if not isinstance(url, str):
            return None
        if url not in self._meetings:
            self._meetings[url] = self._get(url, "Meeting")
        return self._meetings[url]

    def _agenda_item(self, url: Any, meeting: OParlObject | None) -> OParlObject | None:
        if isinstance(url, dict):
            return dict(normalize(url, "AgendaItem"))
        if not isinstance(url, str):
            return None
        for item in (meeting or {}).get("agendaItem") or []:
            if isinstance(item, dict) and item.get("id") == url:
                return item
        if url not in self._meetings:  # not embedded: ask for it (cached with meetings)
            self._meetings[url] = self._get(url, "AgendaItem")
        return self._meetings[url]

    # -- papers ------------------------------------------------------------------------

    def _council(
        self, paper: OParlObject
    ) -> tuple[dict[str, Any], builtins.list[str], bool, builtins.list[tuple[dict[str, Any], str]]]:
        """:returns: council context, committees, whether non-public, resolution texts."""
        consultations: list[dict[str, Any]] = []
        consulted: list[str] = []
        committees: list[str] = []
        restricted = False
        resolutions: list[tuple[dict[str, Any], str]] = []
        for raw in paper.get("consultation") or []:
            consultation = self._get(raw, "Consultation") if isinstance(raw, str) else raw
            if not isinstance(consultation, dict) or consultation.get("deleted"):
                continue
            meeting = self._meeting(consultation.get("meeting"))
            item = self._agenda_item(consultation.get("agendaItem"), meeting) or {}
            if meeting is None and isinstance(item.get("meeting"), str):
                meeting = self._meeting(item["meeting"])
            for where in (
                consultation.get("agendaItem"),
                consultation.get("meeting"),
                item,
                meeting,
            ):
                where_id = where.get("id") if isinstance(where, dict) else where
                if isinstance(where_id, str):
                    consulted.append(where_id)
            if (meeting or {}).get("deleted") or item.get("deleted"):
                continue
            orgs = [self._name(url) for url in consultation.get("organization") or []]
            if not any(orgs):
                orgs = [self._name(url) for url in (meeting or {}).get("organization") or []]
            orgs = [org for org in orgs if org]
            committees.extend(org for org in orgs if org not in committees)
            start = (meeting or {}).get("start") or item.get("start") or ""
            entry = {
                "organization": ", ".join(orgs) or None,
                "meeting": (meeting or {}).get("name"),
                "date": str(start)[:10] or None,
                "agenda_item": item.get("number"),
                "result": item.get("result"),
                "resolution": shorten(item["resolutionText"])
                if item.get("resolutionText")
                else None,
            }
            entry = {key: value for key, value in entry.items() if value}
            if item.get("public") is False or (meeting or {}).get("public") is False:
                restricted = True
            if entry:
                consultations.append(entry)
            if item.get("resolutionText"):
                resolutions.append((entry, str(item["resolutionText"])))
        self._consulted.record(paper["id"], consulted)
        consultations.sort(key=lambda entry: entry.get("date") or "")
        council: dict[str, Any] = {"consultations": consultations}
        if paper.get("paperType"):
            council["paper_type"] = paper["paperType"]
        originator = self._originator(paper)
        if originator:
            council["originator"] = originator
        return council, committees, restricted, resolutions

    def _originator(self, paper: OParlObject) -> str:
        for key in ("underDirectionOf", "originatorOrganization", "originatorPerson"):
            names = [name for url in paper.get(key) or [] if (name := self._name(url))]
            if names:
                return ", ".join(names)
        return ""

    def _paper_refs(self, paper: OParlObject) -> builtins.list[SourceRef]:
        council, committees, restricted, resolutions = self._council(paper)
        files: list[OParlObject] = []
        for file in [paper.get("mainFile"), *(paper.get("auxiliaryFile") or [])]:
            if isinstance(file, dict) and isinstance(file.get("id"), str):
                files.append(file)
        current: dict[str, str] = {}
        downloads: dict[str, str] = {}
        for file in files:
            uri = _file_uri(file)
            if file.get("deleted"):
                self._removed.append(uri)
                continue
            current[file["id"]] = uri
            download = file.get("downloadUrl")
            if isinstance(download, str) and download and download != uri:
                downloads[file["id"]] = download
        for file_id, uri in self._papers.get(paper["id"], {}).items():
            if file_id not in current:
                self._removed.append(uri)  # detached from the paper
        before = self._cache_urls(paper["id"])
        self._papers[paper["id"]] = current
        self._download_urls[paper["id"]] = downloads
        self._free(before - self._cache_urls(paper["id"]))  # detached, deleted or moved
        metadata: dict[str, Any] = {
            "title": paper.get("name") or paper.get("reference") or paper["id"],
            "date": paper.get("date"),
            "reference": paper.get("reference"),
            "doc_type": "decision",
            "department": council.get("originator"),
            "committee": committees,
            "council": council,
            "paper": paper["id"],
        }
        metadata = {key: value for key, value in metadata.items() if value}
        if restricted:
            metadata["access_groups"] = [self.restricted_group]
        names = [str(file.get("name") or _filename(file)) for file in files]
        text = paper_text(paper, council, names, resolutions)
        context = _digest(paper.get("modified"), metadata, text)
        refs = [SourceRef(uri=paper["id"], version=context)]
        # the paper's own links to other papers (its files need not repeat them); after
        # the digest: a changed link changes the paper's "modified" anyway
        links = {key: paper[key] for key in _PAPER_LINKS if paper.get(key)}
        paper_meta = metadata | ({"oparl_links": links} if links else {})
        self._pending[paper["id"]] = _Item(paper, None, paper_meta, text)
        main = (paper.get("mainFile") or {}).get("id") if paper.get("mainFile") else None
        for file in files:
            if file.get("deleted"):
                continue
            uri = _file_uri(file)
            file_meta = dict(metadata)
            label = str(file.get("name") or "")
            if file["id"] != main and label and label not in str(metadata["title"]):
                file_meta["title"] = f"{metadata['title']} (Anlage: {label})"
            version = _digest(file.get("modified"), file.get("size"), context)
            size = file.get("size") if isinstance(file.get("size"), int) else None
            refs.append(SourceRef(uri=uri, size=size, version=version))
            self._pending[uri] = _Item(paper, file, file_meta, text)
        return refs

    def _forget(self, paper_id: str) -> None:
        """A paper deleted at the source: it and its files leave the index."""
        self._removed.append(paper_id)
        self._removed.extend(self._papers.get(paper_id, {}).values())
        self._drop(paper_id)

    def _drop(self, paper_id: str) -> None:
        """Forget a paper that is gone; its cached files are freed."""
        self._free(self._cache_urls(paper_id))
        self._papers.pop(paper_id, None)
        self._download_urls.pop(paper_id, None)
        self._consulted.forget(paper_id)

    def _consulted_papers(
        self, body: OParlObject, cursor: str, params: dict[str, str] | None
    ) -> set[str]:
        """:returns: papers consulted in a meeting or agenda item changed since ``cursor``.

        Changed meetings are read fresh for the council context. A meeting whose embedded
        agenda items changed points to their papers only; one where no item changed
        (date, name, cancellation) to all papers consulted there.

        :raises OParlError: when a page of the meeting or agenda item list cannot be read.
        """
        items: list[OParlObject] = []
        meetings: list[str] = []
        url = body.get("meeting")
        if isinstance(url, str):
            for raw in self.client.iter_list(url, params, page_limit=self.page_limit):
                meeting = self._object(raw, "Meeting", url)
                if meeting is None:
                    continue
                self._meetings[meeting["id"]] = meeting
                embedded = [
                    item
                    for item in meeting.get("agendaItem") or []
                    if isinstance(item, dict) and isinstance(item.get("id"), str)
                ]
                changed = [item for item in embedded if modified_since(item, cursor)]
                items.extend(changed)
                if not changed or meeting.get("deleted"):
                    meetings.append(meeting["id"])
        url = body.get("agendaItem")
        if isinstance(url, str):  # OParl 1.1
            for raw in self.client.iter_list(url, params, page_limit=self.page_limit):
                item = self._object(raw, "AgendaItem", url)
                if item is not None:
                    self._meetings[item["id"]] = item
                    items.append(item)
        papers = self._consulted.papers(meetings)
        for item in items:
            found = self._consulted.papers([item["id"]])
            if not found:  # a paper newly on an agenda: ask the item's consultation
                found = self._paper_of(item.get("consultation"))
            papers |= found
        return papers

    def _paper_of(self, consultation: Any) -> set[str]:
        if isinstance(consultation, str):
            consultation = self._get(consultation, "Consultation")
        paper = consultation.get("paper") if isinstance(consultation, dict) else None
        return {paper} if isinstance(paper, str) else set()

    def _relist(self, paper_ids: builtins.list[str]) -> Iterator[SourceRef]:
        """List papers again whose council context may have changed."""
        for paper_id in paper_ids:
            paper = self._get(paper_id, "Paper")
            if paper is None:
                continue
            if paper.get("deleted"):
                self._forget(paper_id)
                continue
            try:
                refs = self._paper_refs(paper)
            except Exception as exc:  # one bad paper must not stop the others
                logger.warning("Skipping paper %s: %s", paper_id, exc)
                self._skip(paper_id, "invalid-paper", f"{type(exc).__name__}: {exc}")
                continue
            self.relisted.append(paper_id)
            yield from refs

    def _removed_files(self, url: str, params: dict[str, str] | None) -> None:
        """Files reported deleted in the body's file list (OParl 1.1)."""
        by_id = {fid: uri for files in self._papers.values() for fid, uri in files.items()}
        deleted: set[str] = set()
        try:
            for item in self.client.iter_list(url, params, page_limit=self.page_limit):
                if isinstance(item, dict) and item.get("deleted") and item.get("id") in by_id:
                    self._removed.append(by_id[item["id"]])
                    deleted.add(item["id"])
        except OParlError as exc:  # deleted files are then found when their paper changes
            self._skip(url, exc.reason, str(exc))
        for paper_id, files in self._papers.items():
            for file_id in deleted & set(files):
                downloads = self._download_urls.get(paper_id, {})
                self._free({files.pop(file_id), downloads.pop(file_id, "")} - {""})

    # -- the file cache ----------------------------------------------------------------

    def _cache_urls(self, paper_id: str) -> set[str]:
        """:returns: the URLs a paper's files may be cached under, as far as known."""
        files = self._papers.get(paper_id, {})
        return {*files.values(), *self._download_urls.get(paper_id, {}).values()}

    def _free(self, urls: set[str]) -> None:
        """Files no longer referenced by a paper: their entries go at the end of the sync."""
        if self.cache.folder is not None:
            self._unpruned |= urls

    def _prune(self, complete: bool) -> None:
        """Remove the cache entries no paper references any more, after a listing.

        A listing that stopped early removes nothing: what it freed waits in the state for
        the next complete one. Entries of URLs some paper still references always stay (a
        file shared by papers, a file attached again). Only when every paper's URLs are
        known, and no paper had to be skipped, is every other entry removed as well.
        Leftovers of interrupted writes go after any complete listing.
        """
        if self.cache.folder is None:
            return
        if not complete:
            if self._unpruned:
                logger.info(
                    "%s: listing incomplete, %d cached files wait for a complete sync",
                    self.name,
                    len(self._unpruned),
                )
            return
        referenced: set[str] = set()
        for paper_id in self._papers:
            referenced |= self._cache_urls(paper_id)
        known = (
            not self._unsure
            and bool(self._papers)  # no paper at all: more likely a broken server than none
            and self._download_urls.keys() >= self._papers.keys()
        )
        pruned = self.cache.prune(self._unpruned - referenced, keep=referenced if known else None)
        self._unpruned = set()
        self.pruned, self.pruned_bytes = pruned.entries, pruned.bytes
        if pruned.entries:
            logger.info(
                "%s: %d cached files removed (%d bytes)", self.name, pruned.entries, pruned.bytes
            )

    def _resolve(self, uri: str) -> _Item:
        """Read the paper of a bare URI again (a retry of one document)."""
        paper_id = uri if uri in self._papers else None
        for candidate, files in self._papers.items():
            if paper_id is None and uri in files.values():
                paper_id = candidate
        if paper_id is None and self.system_url.split("/")[2] == uri.split("/")[2]:
            paper_id = uri  # perhaps a paper this connector has not listed yet
        if paper_id is None:
            msg = f"{uri} is not a paper or file known to this OParl source"
            raise OParlError(msg, uri, "unknown")
        self._select_body()
        paper = self._get(paper_id, "Paper")
        if paper is None or paper.get("deleted"):
            msg = f"{paper_id} cannot be read or was deleted"
            raise OParlError(msg, uri, "not-found")
        self._paper_refs(paper)
        item = self._pending.pop(uri, None)
        if item is None:
            msg = f"{uri} is no longer a file of {paper_id}"
            raise OParlError(msg, uri, "not-found")
        return item

    def _download(self, file: OParlObject) -> bytes:
        urls = [url for url in (file.get("accessUrl"), file.get("downloadUrl")) if url]
        failure: OSError = OParlError(f"{file['id']} has no accessUrl", file["id"], "invalid")
        for url in dict.fromkeys(urls):
            cached = self.cache.get(url)
            try:
                download = self.client.download(
                    url,
                    etag=cached[1] if cached else None,
                    last_modified=cached[2] if cached else None,
                )
                if download.content is None and cached is None:  # 304 to nothing asked
                    download = self.client.download(url)
            except (OParlError, httpx.InvalidURL) as exc:
                failure = exc if isinstance(exc, OSError) else OSError(str(exc))
                continue
            if download.content is None and cached is not None:
                self.not_modified += 1
                return cached[0]
            self.downloads += 1
            self.cache.put(url, download)
            return download.content or b""
        raise failure


def _file_uri(file: OParlObject) -> str:
    return str(file.get("accessUrl") or file.get("downloadUrl") or file["id"])


def _filename(file: OParlObject) -> str:
    name = str(file.get("fileName") or "").strip()
    if not name:
        name = _file_uri(file).rstrip("/").rsplit("/", 1)[-1] or "file"
    if "." not in name and file.get("mimeType") == "application/pdf":
        name += ".pdf"
    return name
