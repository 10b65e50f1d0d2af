"""The council office's cases, served by the application that owns the index.

:class:`CaseDesk` puts together what a case needs from the service: the inquiry's text
(pasted, an uploaded file parsed like any document, or an indexed document), research
with the caller's search, drafts by the answers feature, the store, the audit log (every
step a ``case`` record with user and time), and access: a case is visible to its
creator, to callers sharing a group with the creator and to admins; every passage it
shows or exports is checked against the viewer's groups (:mod:`search.cases.workflow`,
:mod:`search.cases.letter`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Any

from connectors.base import SourceDocument
from ingest.application import Application, Caller
from ingest.pipeline.parsing import parse_document
from search.cases import workflow
from search.cases.case import (
    Case,
    CaseQuestion,
    OfferedPassage,
    PassageKind,
    Step,
    now,
)
from search.cases.drafts import draft_answer
from search.cases.export import ExportFormat, export
from search.cases.letter import compose
from search.cases.questions import split_inquiry, subject_line
from search.cases.research import research
from search.cases.store import CaseStore, new_case_id
from search.cases.view import by_deadline, case_row, case_view, today
from search.core.errors import Conflict, NotFound, QueryError, Refused
from search.filters import SearchFilters

MAX_UPLOAD_BYTES = 20 * 2**20
"""Largest inquiry file accepted (or ``ingest.max_file_mb``, if smaller)."""
MAX_PINS = 20


class CaseDesk:
    """Cases of one application.

    :param app: the open application (search, documents, drafter, audit log).
    """

    def __init__(self, app: Application) -> None:
        self.app = app
        self._store: CaseStore | None = None
        self._lock = threading.RLock()  # one read-modify-write at a time in this process

    @property
    def store(self) -> CaseStore:
        """:returns: the case store (opened on first use)."""
        with self._lock:
            if self._store is None:
                self._store = CaseStore.open(self.app.settings)
            return self._store

    def close(self) -> None:
        """Close the store."""
        if self._store is not None:
            self._store.close()
            self._store = None

    # -- access ------------------------------------------------------------------------

    def _visible_documents(self, caller: Caller) -> Callable[[str], bool]:
        known: dict[str, bool] = {}

        def visible(doc_id: str) -> bool:
            if doc_id not in known:
                try:
                    self.app.document(doc_id, caller=caller)
                    known[doc_id] = True
                except NotFound:
                    known[doc_id] = False
            return known[doc_id]

        return visible

    def get(self, case_id: str, caller: Caller) -> Case:
        """:returns: a case the caller may see.

        :raises NotFound: when it does not exist or is not visible (the same error).
        """
        case = self.store.get(case_id)
        if not workflow.can_see(case, caller.name, caller.groups, is_admin=caller.is_admin):
            msg = f"There is no case {case_id}"
            raise NotFound(msg)
        return case

    def _record(self, caller: Caller, case: Case, action: str, **values: Any) -> None:
        audit = self.app.audit_log
        if audit is not None:
            audit.record_case(caller.name, case.id, action, **values)

    def _change(
        self,
        case_id: str,
        caller: Caller,
        action: str,
        change: Callable[[Case], dict[str, Any] | None],
    ) -> Case:
        """Load, change, save and record a case; a refusal is recorded too."""
        with self._lock:
            case = self.get(case_id, caller)
            try:
                values = change(case) or {}
            except Refused as exc:
                self._record(caller, case, f"{action}_refused", note=exc.reason)
                raise
            self.store.save(case)
        self._record(caller, case, action, **values)
        return case

    # -- making a case -----------------------------------------------------------------

    def create_from_text(
        self,
        text: str,
        caller: Caller,
        *,
        title: str | None = None,
        origin: dict[str, str] | None = None,
        reference: str | None = None,
        department: str | None = None,
        deadline: date | None = None,
    ) -> Case:
        """A case from an inquiry's text: its questions split out (none is fine: add them).

        :raises QueryError: when the text is empty.
        """
        text = text.replace("\r\n", "\n").strip()
        if not text:
            msg = "The inquiry is empty"
            raise QueryError(msg)
        inquiry = split_inquiry(text)
        # a paper's *Betreff* says more than its heading ("Drucksache 2025/0042")
        found_title = subject_line(text) or (inquiry.title.text if inquiry.title else "")
        first_line = text.split("\n", 1)[0].strip()[:200]
        case = Case(
            id=new_case_id(),
            title=" ".join((title or found_title or first_line).split()),
            preamble=inquiry.preamble.text if inquiry.preamble else "",
            justification=inquiry.justification.text if inquiry.justification else "",
            inquiry_text=text,
            origin=origin or {"kind": "text"},
            created_by=caller.name,
            groups=list(caller.groups),
            created_at=now(),
            reference=reference,
            department=department,
        )
        if deadline is not None:
            case.deadline = deadline.isoformat()
        elif inquiry.deadline is not None and inquiry.deadline.date is not None:
            case.deadline = inquiry.deadline.date.isoformat()
        for question in inquiry.questions:
            case.questions.append(
                CaseQuestion(
                    id=case.take_id(), label=question.label, text=" ".join(question.text.split())
                )
            )
        case.history.append(Step("created", caller.name, case.created_at))
        with self._lock:
            self.store.save(case)
        self._record(
            caller,
            case,
            "create",
            details={"origin": case.origin, "questions": len(case.questions)},
            text=case.title,
        )
        return case

    def create_from_upload(
        self, filename: str, content: bytes, caller: Caller, **options: Any
    ) -> Case:
        """A case from an inquiry file (PDF, scanned too; DOCX, ODT, text).

        :raises DocumentTooLarge: above :data:`MAX_UPLOAD_BYTES` (or the ingest limit).
        :raises EmptyDocument: when it holds no text.
        :raises UnsupportedFormat: for a format that is not read.
        :raises CorruptDocument: when it cannot be read.
        """
        ingest = self.app.settings.ingest
        limit = min(MAX_UPLOAD_BYTES, int(ingest.max_file_mb * 2**20))
        parsed = parse_document(
            SourceDocument(uri=f"upload:{filename}", filename=filename, content=content),
            max_bytes=limit,
            ocr_languages=ingest.ocr_languages,
            ocr_workers=ingest.ocr_workers,
            ocr_dpi=ingest.ocr_dpi,
        )
        text = "\n\n".join(element.text for element in parsed.elements if element.text.strip())
        origin = {"kind": "upload", "filename": filename}
        return self.create_from_text(
            text,
            caller,
            origin=origin,
            reference=parsed.metadata.get("reference"),
            **options,
        )

    def create_from_document(self, doc_id: str, caller: Caller, **options: Any) -> Case:
        """A case from an indexed document (an OParl paper of type *Anfrage*): its text.

        :raises NotFound: when the caller may not see it.
        """
        entry, parts = self.app.document_text(doc_id, caller=caller)
        text = "\n\n".join(part["text"] for part in parts)
        options.setdefault("title", None)
        return self.create_from_text(
            text,
            caller,
            origin={"kind": "document", "doc_id": doc_id},
            reference=entry.reference,
            **options,
        )

    # -- reading -----------------------------------------------------------------------

    def list(self, caller: Caller) -> list[dict[str, Any]]:
        """:returns: the cases the caller may see, by deadline (none last), each with
        ``overdue`` when its deadline passed before its release."""
        day = today()
        return by_deadline(
            [
                case_row(case, day)
                for case in self.store.all()
                if workflow.can_see(case, caller.name, caller.groups, is_admin=caller.is_admin)
            ]
        )

    def view(self, case: Case, caller: Caller) -> dict[str, Any]:
        """:returns: the case as the caller may see it (:func:`search.cases.view.case_view`)."""
        return case_view(case, caller.name, self._visible_documents(caller), today())

    # -- changing ----------------------------------------------------------------------

    def update(self, case_id: str, caller: Caller, changes: dict[str, Any]) -> Case:
        """Assign a department, set the deadline or a new title (the keys given)."""
        deadline = changes.get("deadline")
        values = {
            "department": changes.get("department"),
            "deadline": deadline.isoformat() if isinstance(deadline, date) else deadline,
            "title": changes.get("title"),
        }

        def change(case: Case) -> dict[str, Any]:
            workflow.assign(case, caller.name, changes=list(changes), **values)
            return {"details": {key: values[key] for key in changes}}

        return self._change(case_id, caller, "assign", change)

    def add_question(
        self, case_id: str, caller: Caller, text: str, position: int | None = None
    ) -> Case:
        """Add a question (at ``position``, 0-based; default last)."""

        def change(case: Case) -> dict[str, Any]:
            added = workflow.add_question(case, text, caller.name, position=position)
            return {"details": {"question": added.id}, "text": added.text}

        return self._change(case_id, caller, "question_added", change)

    def edit_question(self, case_id: str, question_id: int, caller: Caller, text: str) -> Case:
        """Change a question's text."""

        def change(case: Case) -> dict[str, Any]:
            edited = workflow.edit_question(case, question_id, text, caller.name)
            return {"details": {"question": question_id}, "text": edited.text}

        return self._change(case_id, caller, "question_edited", change)

    def remove_question(self, case_id: str, question_id: int, caller: Caller) -> Case:
        """Remove a question."""

        def change(case: Case) -> dict[str, Any]:
            workflow.remove_question(case, question_id, caller.name)
            return {"details": {"question": question_id}}

        return self._change(case_id, caller, "question_removed", change)

    def reorder(self, case_id: str, caller: Caller, order: Sequence[int]) -> Case:
        """Put the questions in this order."""

        def change(case: Case) -> dict[str, Any]:
            workflow.reorder(case, order, caller.name)
            return {"details": {"order": list(order)}}

        return self._change(case_id, caller, "questions_reordered", change)

    def research(
        self, case_id: str, question_id: int, caller: Caller, *, as_of: date | None = None
    ) -> Case:
        """Research one question with the caller's search (each search is audited) and
        keep what it offers."""
        case = self.get(case_id, caller)
        workflow.ensure_editable(case)
        asked = workflow.question(case, question_id)
        search = partial(
            self.app.search, caller=caller, filters=SearchFilters(as_of=as_of), mode="hybrid"
        )
        offered = research(search, asked.text, title=case.title, preamble=case.preamble)

        def change(case: Case) -> dict[str, Any]:
            workflow.set_offered(case, question_id, offered)
            return {
                "details": {"question": question_id, "offered": len(offered)},
                "chunks": [item.audit_ref() for item in offered],
            }

        return self._change(case_id, caller, "researched", change)

    def _passage(self, chunk_id: str, caller: Caller) -> OfferedPassage:
        """A passage not offered by the research (found by another search), from the
        index, if the caller may see its document."""
        doc_id = chunk_id.rsplit(":", 1)[0]
        try:
            entry, parts = self.app.document_text(doc_id, caller=caller)
        except NotFound as exc:
            msg = f"There is no passage {chunk_id}"
            raise QueryError(msg) from exc
        part = next((part for part in parts if part["chunk_id"] == chunk_id), None)
        if part is None:
            msg = f"There is no passage {chunk_id}"
            raise QueryError(msg)
        kinds: dict[str, PassageKind] = {
            "decision": "decision",
            "statute": "rule",
            "guidance": "rule",
        }
        kind = kinds.get(entry.doc_type or "", "other")
        return OfferedPassage(
            chunk_id=chunk_id,
            doc_id=doc_id,
            title=entry.title or entry.filename,
            citation="",
            page_start=part["page_start"],
            page_end=part["page_end"],
            section=part["section"],
            kind=kind,
            date=entry.date,
            reference=entry.reference,
            text=part["text"],
            content_hash=entry.content_hash,
            uri=entry.uri,
        )

    def pin(self, case_id: str, question_id: int, caller: Caller, chunk_ids: Sequence[str]) -> Case:
        """Pin these passages (chunk ids, in order) for a question; pins of documents the
        caller may not see stay pinned, after the caller's."""
        if len(chunk_ids) > MAX_PINS:
            msg = f"At most {MAX_PINS} passages can be pinned"
            raise QueryError(msg)
        visible = self._visible_documents(caller)
        current = workflow.question(self.get(case_id, caller), question_id)
        known = {item.chunk_id: item for item in [*current.pinned, *current.offered]}
        chosen = []
        for chunk_id in dict.fromkeys(chunk_ids):
            item = known.get(chunk_id)
            if item is None or not visible(item.doc_id):
                item = self._passage(chunk_id, caller)
            chosen.append(item)
        kept = [item for item in current.pinned if not visible(item.doc_id)]

        def change(case: Case) -> dict[str, Any]:
            workflow.pin(case, question_id, [*chosen, *kept], caller.name)
            return {
                "details": {"question": question_id},
                "chunks": [item.audit_ref() for item in chosen],
            }

        return self._change(case_id, caller, "pinned", change)

    def draft(self, case_id: str, question_id: int, caller: Caller) -> Case:
        """Draft the answer to a question from its pinned passages the caller may see.

        :raises Conflict: when nothing visible to the caller is pinned.
        """
        case = self.get(case_id, caller)
        workflow.ensure_editable(case)
        asked = workflow.question(case, question_id)
        visible = self._visible_documents(caller)
        pinned = [item for item in asked.pinned if visible(item.doc_id)]
        if not pinned:
            msg = f"Question {question_id} has no pinned passage"
            raise Conflict(msg, "nothing_pinned")
        made = draft_answer(asked.text, pinned, self.app.drafter)

        def change(case: Case) -> dict[str, Any]:
            workflow.set_draft(case, question_id, made, caller.name)
            return {
                "details": {"question": question_id, "kind": made.kind},
                "chunks": [item.audit_ref() for item in made.sources],
                "text": made.text,
                "model": made.model,
                "prompt_version": made.prompt_version,
                "flags": made.flags,
            }

        return self._change(case_id, caller, "drafted", change)

    def edit_draft(
        self, case_id: str, question_id: int, caller: Caller, text: str, *, accept: bool
    ) -> Case:
        """A person's text for a question's answer; ``accept`` takes the KI-Entwurf mark
        off.

        :raises Refused: when the answer cites a source the caller may not see.
        """
        visible = self._visible_documents(caller)

        def change(case: Case) -> dict[str, Any]:
            draft = workflow.question(case, question_id).draft
            if draft is not None and not all(visible(item.doc_id) for item in draft.sources):
                msg = f"The answer to question {question_id} cites hidden sources"
                raise Refused(msg, "hidden_sources")
            edited = workflow.edit_draft(case, question_id, text, caller.name, accept=accept)
            return {"details": {"question": question_id, "accepted": accept}, "text": edited.text}

        return self._change(
            case_id, caller, "answer_accepted" if accept else "answer_edited", change
        )

    def comment(
        self, case_id: str, caller: Caller, text: str, question_id: int | None = None
    ) -> Case:
        """Comment on the case or one question."""

        def change(case: Case) -> dict[str, Any]:
            workflow.comment(case, text, caller.name, question_id)
            return {"details": {"question": question_id}, "text": text.strip()}

        return self._change(case_id, caller, "commented", change)

    def submit(self, case_id: str, caller: Caller) -> Case:
        """*Entwurf* → *in Prüfung*."""

        def change(case: Case) -> dict[str, Any]:
            workflow.submit(case, caller.name)
            return {"details": {"status": case.status}}

        return self._change(case_id, caller, "submitted", change)

    def give_back(self, case_id: str, caller: Caller, note: str = "") -> Case:
        """*in Prüfung* → *Entwurf* (zurückgeben)."""

        def change(case: Case) -> dict[str, Any]:
            workflow.give_back(case, caller.name, note)
            return {"details": {"status": case.status}, "note": note}

        return self._change(case_id, caller, "returned", change)

    def release(self, case_id: str, caller: Caller) -> Case:
        """*in Prüfung* → *freigegeben*, by a second person (four-eyes)."""

        def change(case: Case) -> dict[str, Any]:
            workflow.release(case, caller.name)
            return {"details": {"status": case.status}}

        return self._change(case_id, caller, "released", change)

    def export(self, case_id: str, caller: Caller, fmt: ExportFormat) -> tuple[Case, bytes]:
        """:returns: the case and its reply letter as DOCX or ODT, with only the sources
        the caller may see."""
        case = self.get(case_id, caller)
        letter = compose(case, self._visible_documents(caller))
        content = export(letter, fmt)
        self._record(
            caller,
            case,
            "exported",
            details={"format": fmt, "status": case.status, "hidden": letter.hidden},
            chunks=[{"chunk_id": s.chunk_id, "doc_id": s.doc_id} for s in letter.sources],
        )
        return case, content
