"""Builds small, valid Outlook ``.msg`` files in memory, for tests of the e-mail parser.

No library available offline writes MSG, so this writes one from scratch:

- :func:`compound_file` writes a Compound File Binary ([MS-CFB], version 3: 512-byte
  sectors, one FAT, a directory of 128-byte entries, a mini FAT and mini stream for streams
  shorter than 4096 bytes). The tree is a dict: a ``bytes`` value is a stream, a ``dict``
  value a storage.
- :func:`msg_file` lays out a message in it as [MS-OXMSG] describes: a
  ``__properties_version1.0`` stream per object (fixed-size values inline, the others in
  ``__substg1.0_<id><type>`` streams), one ``__recip_version1.0_#…`` storage per recipient,
  one ``__attach_version1.0_#…`` storage per attachment, and the named-property mapping
  ``__nameid_version1.0`` (empty here, but every message has one).

Only what a minimal message needs is supported: no DIFAT (files up to about 7 MB), no
embedded messages, no multi-valued properties.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

Tree = dict[str, "bytes | Tree"]

# -- MS-CFB -------------------------------------------------------------------------------

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
ENTRIES_PER_SECTOR = SECTOR // 4
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] | None = None
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def _cfb_order(name: str) -> tuple[int, str]:
    # [MS-CFB] 2.6.4: shorter names first, then by upper-cased code units
    return len(name), name.upper()


def _flatten(tree: Tree) -> list[_Entry]:
    """Directory entries, the root first; each storage lists the indexes of its children."""
    entries = [_Entry("Root Entry", ROOT, children=[])]

    def add(storage: _Entry, content: Tree) -> None:
        assert storage.children is not None
        for name in sorted(content, key=_cfb_order):
            if len(name) > 31 or any(c in name for c in "/\\:!"):
                raise ValueError(f"invalid CFB name {name!r}")
            value = content[name]
            storage.children.append(len(entries))
            if isinstance(value, bytes):
                entries.append(_Entry(name, STREAM, data=value))
            else:
                entry = _Entry(name, STORAGE, children=[])
                entries.append(entry)
                add(entry, value)

    add(entries[0], tree)
    return entries


def _balanced(entries: list[_Entry], ids: list[int], depth: int, depths: dict[int, int]) -> int:
    """Link the sorted entries ``ids`` as a balanced binary search tree; returns its root."""
    if not ids:
        return NOSTREAM
    middle = len(ids) // 2
    node = ids[middle]
    depths[node] = depth
    entries[node].left = _balanced(entries, ids[:middle], depth + 1, depths)
    entries[node].right = _balanced(entries, ids[middle + 1 :], depth + 1, depths)
    return node


def _link_children(entries: list[_Entry]) -> None:
    """Make each storage's children a red-black tree ([MS-CFB] 2.6.4).

    Splitting at the middle leaves all empty links on the last two levels, so colouring
    the deepest level red (never the root) keeps every path's black count equal.
    """
    for storage in entries:
        if not storage.children:
            continue
        depths: dict[int, int] = {}
        storage.child = _balanced(entries, storage.children, 0, depths)
        deepest = max(depths.values())
        for node, depth in depths.items():
            entries[node].color = RED if depth == deepest > 0 else BLACK


def _chain(fat: list[int], start: int, count: int) -> None:
    """Link ``count`` consecutive sectors from ``start`` in ``fat`` (a chain of one table)."""
    for index in range(start, start + count):
        fat[index] = index + 1 if index < start + count - 1 else ENDOFCHAIN


def _sectors(data: bytes, size: int) -> int:
    return -(-len(data) // size)


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def _directory_entry(entry: _Entry, size: int) -> bytes:
    name = (entry.name + "\x00").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        b"",  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modification time
        entry.start,
        size,
    )


_UNUSED_ENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, *[NOSTREAM] * 3, b"", 0, 0, 0, 0, 0)


def compound_file(tree: Tree) -> bytes:
    """Write ``tree`` as a Compound File Binary, version 3.

    :param tree: stream and storage names mapped to ``bytes`` (stream) or ``dict`` (storage).
    :returns: the file's bytes: header, FAT, directory, mini FAT, mini stream, large streams.
    :raises ValueError: for a name CFB does not allow, or a file that would need a DIFAT.
    """
    entries = _flatten(tree)
    _link_children(entries)

    # streams below the cutoff go to the mini stream, in 64-byte mini sectors
    mini_stream = b""
    mini_fat: list[int] = []
    large: list[_Entry] = []
    for entry in entries:
        if entry.kind != STREAM or not entry.data:
            continue  # an empty stream has no sectors (start stays ENDOFCHAIN)
        if len(entry.data) >= MINI_CUTOFF:
            large.append(entry)
            continue
        entry.start = len(mini_fat)
        count = _sectors(entry.data, MINI_SECTOR)
        mini_fat.extend([FREESECT] * count)
        _chain(mini_fat, entry.start, count)
        mini_stream += _pad(entry.data, MINI_SECTOR)
    mini_fat += [FREESECT] * (-len(mini_fat) % ENTRIES_PER_SECTOR)

    # sectors in file order: FAT, directory, mini FAT, mini stream, each large stream
    counts = [
        -(-len(entries) // 4),  # four 128-byte entries per sector
        len(mini_fat) // ENTRIES_PER_SECTOR,
        _sectors(mini_stream, SECTOR),
        *(_sectors(e.data, SECTOR) for e in large),
    ]
    fat_sectors = 1
    while fat_sectors * ENTRIES_PER_SECTOR < fat_sectors + sum(counts):
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("file too large for a FAT without DIFAT")
    fat = [FATSECT] * fat_sectors + [FREESECT] * ((ENTRIES_PER_SECTOR - 1) * fat_sectors)
    starts: list[int] = []
    first = fat_sectors
    for count in counts:
        starts.append(first if count else ENDOFCHAIN)
        _chain(fat, first, count)
        first += count
    directory_start, mini_fat_start, entries[0].start, *large_starts = starts
    for entry, start in zip(large, large_starts, strict=True):
        entry.start = start

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        SIGNATURE,
        b"",  # CLSID
        0x003E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # byte order: little-endian
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        b"",  # reserved
        0,  # directory sectors: always 0 in version 3
        fat_sectors,
        directory_start,
        0,  # transaction signature
        MINI_CUTOFF,
        mini_fat_start,
        counts[1],
        ENDOFCHAIN,  # first DIFAT sector
        0,  # DIFAT sectors
        *range(fat_sectors),  # the FAT's own sectors ...
        *[FREESECT] * (109 - fat_sectors),  # ... in the header's 109 DIFAT slots
    )
    directory = b"".join(
        _directory_entry(e, len(mini_stream) if e.kind == ROOT else len(e.data)) for e in entries
    )
    return b"".join(
        [
            header,
            struct.pack(f"<{len(fat)}I", *fat),
            directory + _UNUSED_ENTRY * (-len(entries) % 4),
            struct.pack(f"<{len(mini_fat)}I", *mini_fat),
            _pad(mini_stream, SECTOR),
            *(_pad(e.data, SECTOR) for e in large),
        ]
    )


# -- MS-OXMSG -----------------------------------------------------------------------------

PT_LONG = 0x0003
PT_UNICODE = 0x001F
PT_SYSTIME = 0x0040
PT_BINARY = 0x0102
READABLE_WRITABLE = 0x00000006
STORE_UNICODE_OK = 0x00040000
MAPI_TO, MAPI_CC = 1, 2
ATTACH_BY_VALUE = 1
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)

Value = str | bytes | int | datetime


def _properties(properties: list[tuple[int, int, Value]], header: bytes) -> Tree:
    """An object's storage content: its property stream and one stream per variable value."""
    storage: Tree = {}
    rows = [header]
    for pid, ptyp, value in properties:
        tag = pid << 16 | ptyp
        if ptyp in (PT_UNICODE, PT_BINARY):
            data = value.encode("utf-16-le") if isinstance(value, str) else value
            assert isinstance(data, bytes)
            storage[f"__substg1.0_{tag:08X}"] = data
            # [MS-OXMSG] 2.4.2.2: a string's size counts the terminating NUL, its stream not
            size = len(data) + 2 if ptyp == PT_UNICODE else len(data)
            rows.append(struct.pack("<IIII", tag, READABLE_WRITABLE, size, 0))
        elif ptyp == PT_SYSTIME:
            assert isinstance(value, datetime)
            ticks = (value - _FILETIME_EPOCH) // timedelta(microseconds=1) * 10  # 100 ns
            rows.append(struct.pack("<IIQ", tag, READABLE_WRITABLE, ticks))
        elif ptyp == PT_LONG:
            assert isinstance(value, int)
            rows.append(struct.pack("<IIiI", tag, READABLE_WRITABLE, value, 0))
        else:
            raise ValueError(f"property type {ptyp:04X} is not supported here")
    storage["__properties_version1.0"] = b"".join(rows)
    return storage


def msg_file(
    *,
    subject: str | None,
    sender: tuple[str, str] | None,
    to: list[tuple[str, str]],
    cc: list[tuple[str, str]] | None = None,
    sent: datetime | None = None,
    body: str | None = None,
    html: str | None = None,
    attachments: list[tuple[str, bytes]] | None = None,
) -> bytes:
    """An Outlook message (``IPM.Note``) as Outlook saves it with "Save as → .msg".

    :param subject: the subject, or ``None`` for none.
    :param sender: display name and SMTP address.
    :param to: display name and SMTP address of each To recipient.
    :param cc: the same for each Cc recipient.
    :param sent: when it was sent (submitted and delivered), timezone-aware.
    :param body: the plain-text body (Outlook separates lines with ``\\r\\n``).
    :param html: the HTML body, stored as UTF-8 bytes like Outlook does (``PidTagHtml``).
    :param attachments: file name and bytes of each attachment, attached by value.
    :returns: the ``.msg`` file's bytes.
    """
    recipients = [(MAPI_TO, *r) for r in to] + [(MAPI_CC, *r) for r in cc or []]
    attachments = attachments or []
    message: list[tuple[int, int, Value]] = [
        (0x001A, PT_UNICODE, "IPM.Note"),  # PidTagMessageClass
        (0x340D, PT_LONG, STORE_UNICODE_OK),  # PidTagStoreSupportMask
        (0x0E04, PT_UNICODE, "; ".join(n for k, n, _ in recipients if k == MAPI_TO)),
        (0x0E03, PT_UNICODE, "; ".join(n for k, n, _ in recipients if k == MAPI_CC)),
    ]
    if subject is not None:
        message.append((0x0037, PT_UNICODE, subject))  # PidTagSubject
    if sender is not None:
        message += [
            (0x0C1A, PT_UNICODE, sender[0]),  # PidTagSenderName
            (0x0C1E, PT_UNICODE, "SMTP"),  # PidTagSenderAddressType
            (0x0C1F, PT_UNICODE, sender[1]),  # PidTagSenderEmailAddress
        ]
    if sent is not None:
        message += [
            (0x0039, PT_SYSTIME, sent),  # PidTagClientSubmitTime
            (0x0E06, PT_SYSTIME, sent),  # PidTagMessageDeliveryTime
        ]
    if body is not None:
        message.append((0x1000, PT_UNICODE, body))  # PidTagBody
    if html is not None:
        message += [
            (0x1013, PT_BINARY, html.encode()),  # PidTagHtml
            (0x3FDE, PT_LONG, 65001),  # PidTagInternetCodepage: UTF-8
        ]
    # [MS-OXMSG] 2.4.1.1: 8 reserved bytes, next recipient and attachment ids, their
    # counts, 8 reserved bytes
    header = struct.pack(
        "<8xIIII8x", len(recipients), len(attachments), len(recipients), len(attachments)
    )
    tree = _properties(message, header)
    tree["__nameid_version1.0"] = {
        "__substg1.0_00020102": b"",  # GUID stream
        "__substg1.0_00030102": b"",  # entry stream
        "__substg1.0_00040102": b"",  # string stream
    }
    for number, (kind, name, address) in enumerate(recipients):
        recipient: list[tuple[int, int, Value]] = [
            (0x0C15, PT_LONG, kind),  # PidTagRecipientType
            (0x3001, PT_UNICODE, name),  # PidTagDisplayName
            (0x3002, PT_UNICODE, "SMTP"),  # PidTagAddressType
            (0x3003, PT_UNICODE, address),  # PidTagEmailAddress
            (0x39FE, PT_UNICODE, address),  # PidTagSmtpAddress
        ]
        tree[f"__recip_version1.0_#{number:08X}"] = _properties(recipient, bytes(8))
    for number, (filename, data) in enumerate(attachments):
        attachment: list[tuple[int, int, Value]] = [
            (0x3705, PT_LONG, ATTACH_BY_VALUE),  # PidTagAttachMethod
            (0x3707, PT_UNICODE, filename),  # PidTagAttachLongFilename
            (0x3701, PT_BINARY, data),  # PidTagAttachDataBinary
        ]
        tree[f"__attach_version1.0_#{number:08X}"] = _properties(attachment, bytes(8))
    return compound_file(tree)
