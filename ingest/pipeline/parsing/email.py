"""E-mail (EML and Outlook MSG): subject, sender, recipients, date, body and attachments."""

from __future__ import annotations

import email
import email.policy
import email.utils
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

from ingest.pipeline.elements import Element, ParsedDocument
from ingest.pipeline.parsing.office import parse_office
from search.core.errors import CorruptDocument, DocumentError, EmptyDocument

AttachmentParser = Callable[[str, bytes], ParsedDocument]
"""Parses an attachment (file name, bytes); the dispatcher of :mod:`ingest.pipeline.parsing`."""


@dataclass(slots=True)
class _Mail:
    subject: str = ""
    sender: str = ""
    to: str = ""
    date: str | None = None
    text: str = ""
    html: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


LOCAL_TIME = ZoneInfo("Europe/Berlin")
"""A mail's date is the day it was sent in the city's time zone (MSG keeps UTC, EML the
sender's offset: a mail sent at 00:30 must not be dated the day before)."""
_MAPI_TO = 1  # PidTagRecipientType of a To recipient (2 Cc, 3 Bcc)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(LOCAL_TIME)
    return value.date().isoformat()


def _address(name: str, address: str) -> str:
    """``Name <address>`` as an EML header reads (``name`` or ``address`` alone if one is)."""
    name, address = name.strip(), address.strip()
    if not (name and address) or name == address:
        return name or address
    try:
        return str(Address(display_name=name, addr_spec=address))
    except (ValueError, IndexError):  # not an SMTP address (Exchange, X.400)
        return f"{name} <{address}>"


def _addresses(header: str) -> str:
    """A From/To header from Outlook (``"Name" <address>, …``) written as EML's would be."""
    pairs = email.utils.getaddresses([header])
    if not any(address for _, address in pairs):
        return header.strip()
    return ", ".join(_address(name, address) for name, address in pairs)


def _read_eml(content: bytes) -> _Mail:
    message = email.message_from_bytes(content, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not message.keys():
        msg = "E-mail cannot be read: it has no headers"
        raise CorruptDocument(msg)
    date = None
    if message["date"]:
        try:
            date = _iso(email.utils.parsedate_to_datetime(str(message["date"])))
        except (TypeError, ValueError):
            date = None
    mail = _Mail(
        subject=str(message["subject"] or ""),
        sender=str(message["from"] or ""),
        to=str(message["to"] or ""),
        date=date,
    )
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    mail.text = str(plain.get_content()) if plain is not None else ""
    mail.html = str(html.get_content()) if html is not None else ""
    for part in message.iter_attachments():
        name = part.get_filename() or "attachment"
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            mail.attachments.append((name, payload))
    return mail


def _check_complete(content: bytes) -> None:
    """Refuse a compound file in which a stream is shorter than its directory entry says.

    olefile only logs that defect and returns what is there, so a truncated message would
    otherwise be indexed with its body, recipients or attachments silently missing.
    """
    import olefile

    with olefile.OleFileIO(io.BytesIO(content)) as ole:
        for path in ole.listdir():
            with ole.openstream(path) as stream:
                found = len(stream.read())
            declared = ole.get_size(path)
            if found < declared:
                name = "/".join(path)
                msg = f"Outlook message is truncated ({name} has {found} of {declared} bytes)"
                raise CorruptDocument(msg)


def _read_msg(content: bytes) -> _Mail:
    from oxmsg import Message
    from oxmsg.domain.constants import PID_RECIPIENT_TYPE

    try:
        _check_complete(content)
        message = Message.load(io.BytesIO(content))
        to = [  # To only, as an EML's To header (Cc and Bcc are recipients too)
            _address(r.name, r.email_address)
            for r in message.recipients
            if (r.properties.int_prop_value(PID_RECIPIENT_TYPE) or _MAPI_TO) & 0xF == _MAPI_TO
        ]
        mail = _Mail(
            subject=message.subject or "",
            sender=_addresses(message.sender or ""),
            to=", ".join(r for r in to if r),
            date=_iso(message.sent_date),
            text=message.body or "",
            html=str(message.html_body or ""),
        )
        for item in message.attachments:
            if item.file_bytes:
                mail.attachments.append((item.file_name or "attachment", item.file_bytes))
    except CorruptDocument:
        raise
    except Exception as exc:  # a damaged file fails in any way: recorded, the batch goes on
        msg = f"Outlook message cannot be read ({type(exc).__name__}: {exc})"
        raise CorruptDocument(msg) from exc
    return mail


def parse_email(content: bytes, kind: str, parse_attachment: AttachmentParser) -> ParsedDocument:
    """Parse an e-mail and, recursively, its attachments.

    :param content: the file's bytes.
    :param kind: ``eml`` or ``msg``.
    :param parse_attachment: parses one attachment (the format dispatcher).
    :returns: the body's elements, then every attachment's elements marked with its file
        name; an attachment that cannot be parsed becomes a warning.
    :raises CorruptDocument: when the message cannot be read.
    :raises EmptyDocument: when neither body nor attachments contain text.
    """
    mail = _read_eml(content) if kind == "eml" else _read_msg(content)
    elements: list[Element] = []
    if mail.text.strip():
        elements = parse_office(mail.text.encode("utf-8"), "txt").elements
    elif mail.html.strip():
        elements = parse_office(mail.html.encode("utf-8"), "html").elements
    warnings: list[str] = []
    page_count: int | None = None
    for name, data in mail.attachments:
        try:
            attached = parse_attachment(name, data)
        except DocumentError as exc:
            warnings.append(f"Attachment {name} was not indexed: {exc}")
            continue
        for element in attached.elements:
            element.attachment = name
        elements.extend(attached.elements)
        warnings.extend(f"{name}: {warning}" for warning in attached.warnings)
    if not elements and not mail.subject:
        msg = "The e-mail contains no text"
        raise EmptyDocument(msg)
    metadata: dict[str, Any] = {"subject": mail.subject, "from": mail.sender, "to": mail.to}
    if mail.date:
        metadata["date"] = mail.date
    if not elements:
        elements = [Element(text=mail.subject)]
    return ParsedDocument(
        elements=elements,
        page_count=page_count,
        title=mail.subject or None,
        metadata=metadata,
        warnings=warnings,
    )
