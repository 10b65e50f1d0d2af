"""Outlook MSG e-mails through the real parser, on messages written by :mod:`msg_writer`.

Each MSG is compared with the same mail as EML where the parser promises the same result.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from email.message import EmailMessage

import olefile
import pytest
from oxmsg import Message

from ingest.pipeline.elements import ParsedDocument
from ingest.pipeline.parsing import detect_format
from search.core.errors import CorruptDocument, EmptyDocument
from tests.ingest.pipeline.msg_writer import SECTOR, msg_file
from tests.ingest.pipeline.test_parsing import docx_file, parse, text_pdf

SUBJECT = "Hundesteuer: Anfrage zur Ermäßigung für Blindenführhunde"
SENDER = ("Jürgen Weiß", "juergen.weiss@example.org")
TO = [
    ("Steueramt", "steueramt@linsengericht.example"),
    ("Kämmerei Süd", "kaemmerei@linsengericht.example"),
]
CC = [("Bürgermeister", "buergermeister@linsengericht.example")]
SENT = datetime(2025, 3, 4, 9, 15, tzinfo=UTC)  # 10:15 in Linsengericht
PARAGRAPHS = [
    "Sehr geehrte Damen und Herren,",
    "ich bitte um Ermäßigung der Hundesteuer für meinen Blindenführhund (Straße: Am Mühlbach 3).",
    "Mit freundlichen Grüßen",
    "Jürgen Weiß",
]
BODY = "\r\n\r\n".join(PARAGRAPHS)  # Outlook's line ends


def anfrage_msg(
    *,
    subject: str | None = SUBJECT,
    body: str | None = BODY,
    attachments: list[tuple[str, bytes]] | None = None,
    sent: datetime | None = SENT,
    cc: list[tuple[str, str]] | None = None,
) -> bytes:
    return msg_file(
        subject=subject,
        sender=SENDER,
        to=TO,
        cc=cc,
        sent=sent,
        body=body,
        attachments=attachments,
    )


def anfrage_eml(
    *,
    subject: str | None = SUBJECT,
    body: str | None = BODY,
    attachments: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """The same mail as :func:`anfrage_msg`, as a mail client would save it as EML."""
    message = EmailMessage()
    if subject is not None:
        message["Subject"] = subject
    message["From"] = f"{SENDER[0]} <{SENDER[1]}>"
    message["To"] = ", ".join(f"{name} <{address}>" for name, address in TO)
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0100"
    if body is not None:
        message.set_content(body.replace("\r\n", "\n"))
    for name, data in attachments or []:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def blocks(parsed: ParsedDocument) -> list[tuple[str | None, str, int | None, str]]:
    return [(e.attachment, e.text, e.page, e.kind) for e in parsed.elements]


# -- the writer -------------------------------------------------------------------------------


def test_written_file_is_a_clean_compound_file_that_oxmsg_reads() -> None:
    large = bytes(range(256)) * 400  # > 4096 bytes: in normal sectors, and the FAT needs two
    content = anfrage_msg(
        cc=CC, attachments=[("notiz.txt", b"kurz"), ("tabelle.bin", large), ("leer.txt", b"")]
    )
    # raise_defects=DEFECT_UNSURE: olefile raises on anything it finds odd, not just fatal
    with olefile.OleFileIO(content, raise_defects=olefile.DEFECT_UNSURE) as ole:
        assert ole.parsing_issues == []
        assert ole.exists("__nameid_version1.0/__substg1.0_00020102")
        assert ole.openstream("__substg1.0_1000001F").read() == BODY.encode("utf-16-le")
        assert ole.openstream("__attach_version1.0_#00000001/__substg1.0_37010102").read() == large
    assert len(content) % SECTOR == 0

    message = Message.load(io.BytesIO(content))
    assert message.message_class == "IPM.Note"
    assert message.subject == SUBJECT
    assert message.body == BODY
    assert message.sender == '"Jürgen Weiß" <juergen.weiss@example.org>'
    assert message.sent_date == SENT
    assert [(r.name, r.email_address) for r in message.recipients] == [
        *TO,
        ("Bürgermeister", "buergermeister@linsengericht.example"),
    ]
    assert message.attachment_count == 3
    assert [(a.file_name, a.file_bytes, a.attached_by_value) for a in message.attachments] == [
        ("notiz.txt", b"kurz", True),
        ("tabelle.bin", large, True),
        ("leer.txt", b"", True),
    ]


# -- what the parser makes of it --------------------------------------------------------------


def test_msg_subject_sender_recipients_date_and_body() -> None:
    parsed = parse("anfrage.msg", anfrage_msg(cc=CC))
    assert parsed.title == SUBJECT
    assert parsed.metadata == {
        "subject": SUBJECT,
        "from": "Jürgen Weiß <juergen.weiss@example.org>",
        "to": "Steueramt <steueramt@linsengericht.example>, "
        "Kämmerei Süd <kaemmerei@linsengericht.example>",  # not the Cc
        "date": "2025-03-04",
    }
    # the same metadata as the same mail saved as EML
    assert parsed.metadata == parse("anfrage.eml", anfrage_eml()).metadata
    assert [e.text for e in parsed.elements] == PARAGRAPHS
    assert all(e.attachment is None and e.page is None for e in parsed.elements)
    assert parsed.warnings == []
    # the body as an EML gives the same blocks
    assert blocks(parsed) == blocks(parse("anfrage.eml", anfrage_eml()))


def test_msg_without_extension_is_recognised_by_its_bytes() -> None:
    content = anfrage_msg()
    assert detect_format("weitergeleitet", content) == "msg"
    assert parse("weitergeleitet", content).title == SUBJECT


def test_msg_date_is_the_day_in_the_city_not_in_utc() -> None:
    # sent 00:30 on 5 March in Germany: 23:30 UTC on the 4th as the MSG stores it
    late = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)
    assert parse("spaet.msg", anfrage_msg(sent=late)).metadata["date"] == "2025-03-05"


def test_unsent_msg_has_no_date() -> None:
    parsed = parse("entwurf.msg", anfrage_msg(sent=None))
    assert "date" not in parsed.metadata
    assert parsed.metadata["subject"] == SUBJECT


def test_msg_with_only_an_html_body() -> None:
    html = (
        "<html><body><h1>Sperrmüll</h1>"
        "<p>Die Abholung in der Goethestraße ist am Dienstag.</p></body></html>"
    )
    content = msg_file(subject="Sperrmüll", sender=SENDER, to=TO, sent=SENT, html=html)
    parsed = parse("sperrmuell.msg", content)
    texts = [e.text for e in parsed.elements]
    assert "Die Abholung in der Goethestraße ist am Dienstag." in texts
    assert not any("<" in text for text in texts)


def test_msg_attachments_are_handled_like_eml_attachments() -> None:
    attachments = [
        ("satzung.pdf", text_pdf()),
        ("anweisung.docx", docx_file(page_break=False)),
        ("kaputt.pdf", b"%PDF-1.4 truncated"),
    ]
    parsed = parse("anfrage.msg", anfrage_msg(attachments=attachments))
    assert [e.text for e in parsed.elements if e.attachment is None] == PARAGRAPHS
    pdf_part = [e for e in parsed.elements if e.attachment == "satzung.pdf"]
    assert any(e.text.startswith("§ 2 Steuersatz") and e.page == 2 for e in pdf_part)
    assert any(
        "Aufbewahrung" in e.text for e in parsed.elements if e.attachment == "anweisung.docx"
    )
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("Attachment kaputt.pdf was not indexed:")

    as_eml = parse("anfrage.eml", anfrage_eml(attachments=attachments))
    assert blocks(parsed) == blocks(as_eml)
    assert parsed.warnings == as_eml.warnings


@pytest.mark.parametrize("body", [None, "", "\r\n \r\n"], ids=["no-body", "empty", "blank"])
def test_msg_without_body_falls_back_to_the_subject_like_eml(body: str | None) -> None:
    parsed = parse("kurz.msg", anfrage_msg(body=body))
    assert [e.text for e in parsed.elements] == [SUBJECT]
    assert parsed.title == SUBJECT
    assert blocks(parsed) == blocks(parse("kurz.eml", anfrage_eml(body=body)))


@pytest.mark.parametrize("body", [None, ""], ids=["no-body", "empty"])
def test_msg_without_subject_body_and_attachments_is_empty_like_eml(body: str | None) -> None:
    with pytest.raises(EmptyDocument, match="contains no text"):
        parse("leer.msg", anfrage_msg(subject=None, body=body))
    with pytest.raises(EmptyDocument, match="contains no text"):
        parse("leer.eml", anfrage_eml(subject=None, body=body))


def test_msg_with_only_an_attachment_is_indexed_by_it() -> None:
    notiz = "Vermerk: Die Ermäßigung wurde gewährt.".encode()
    parsed = parse(
        "nur_anhang.msg", anfrage_msg(subject=None, body=None, attachments=[("vermerk.txt", notiz)])
    )
    assert blocks(parsed) == [
        ("vermerk.txt", "Vermerk: Die Ermäßigung wurde gewährt.", None, "text")
    ]
    assert parsed.title is None


def test_truncated_msg_is_corrupt() -> None:
    content = anfrage_msg(
        attachments=[("vermerk.txt", "Vermerk über die Prüfung. ".encode() * 200)]
    )
    # a sector only exists for data it holds, so every cut before the last sector loses data;
    # it must never pass as a shorter mail (olefile only logs missing sectors)
    for cut in range(1, len(content) - SECTOR + 1, 97):
        with pytest.raises(CorruptDocument, match="Outlook message"):
            parse("anfrage.msg", content[:cut])
    with pytest.raises(
        CorruptDocument, match=r"Outlook message is truncated \(.+ has \d+ of \d+ bytes\)"
    ):
        parse("anfrage.msg", content[: len(content) // 2])
