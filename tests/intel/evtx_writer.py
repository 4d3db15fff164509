"""A small EVTX writer for tests and the benchmark: no .evtx sample ships in a package we may use, so
the tests make their own Security-log files.

It writes what the format needs and no more (libyal's "Windows XML Event Log (EVTX) format"): a
4096-byte file header, 64 KiB chunks (512-byte header with CRC32 checksums, string and template
tables left empty), and records whose Binary XML is one template instance, its definition inline
at the first use of its shape in a chunk and referred to after that (as Windows writes them), with
the values as substitutions:

    <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
      <System><Provider Name=""/><EventID/><Level/><TimeCreated SystemTime=""/><EventRecordID/>
              <Channel/><Computer/></System>
      <EventData><Data Name="TargetUserName">...</Data>...</EventData>   (or UserData/<Element>/...)
    </Event>
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

CHUNK_SIZE = 65536
CHUNK_HEADER = 512
_EPOCH_FILETIME = 116444736000000000  # 1601-01-01 to 1970-01-01 in 100 ns
_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
# Binary XML tokens and value types used here.
_OPEN, _OPEN_ATTRS, _CLOSE_START, _CLOSE_EMPTY, _END, _ATTR, _ATTR_MORE, _VALUE = (
    0x01, 0x41, 0x02, 0x03, 0x04, 0x06, 0x46, 0x05)
_SUBST, _TEMPLATE, _FRAGMENT, _EOS = 0x0D, 0x0C, 0x0F, 0x00
_STRING, _UINT8, _UINT16, _UINT64, _FILETIME = 0x01, 0x04, 0x06, 0x0A, 0x11


@dataclass
class Record:
    event_id: int
    time: datetime
    data: Mapping[str, str | int] = field(default_factory=dict)
    channel: str = "Security"
    computer: str = "DC01.corp.example"
    provider: str = "Microsoft-Windows-Security-Auditing"
    level: int = 0
    user_data: str | None = None  # the UserData element's name (e.g. LogFileCleared); else EventData


def _filetime(t: datetime) -> int:
    return int(t.astimezone(UTC).timestamp() * 10_000_000) + _EPOCH_FILETIME


def _name_hash(name: str) -> int:
    h = 0
    for unit in struct.unpack(f"<{len(name.encode('utf-16-le')) // 2}H", name.encode("utf-16-le")):
        h = (h * 65599 + unit) & 0xFFFFFFFF
    return h & 0xFFFF


class _Fragment:
    """Binary XML bytes at a known offset in the chunk (names are stored inline, at their offset)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.buf = bytearray()

    def pos(self) -> int:
        return self.base + len(self.buf)

    def name(self, text: str) -> None:
        here = self.pos() + 4
        units = text.encode("utf-16-le")
        self.buf += struct.pack("<IIHH", here, 0, _name_hash(text), len(units) // 2) + units + b"\x00\x00"

    def open(self, tag: str, attrs: list[tuple[str, tuple[str, object]]] | None = None) -> int:
        """Open an element; attrs as (name, ("text", value) | ("sub", (index, type))). Returns where
        its data size goes (patched by `close`)."""
        self.buf.append(_OPEN_ATTRS if attrs else _OPEN)
        self.buf += struct.pack("<H", 0xFFFF)
        size_at = len(self.buf)
        self.buf += b"\x00\x00\x00\x00"
        self.name(tag)
        if attrs:
            list_at = len(self.buf)
            self.buf += b"\x00\x00\x00\x00"
            for k, (aname, (how, value)) in enumerate(attrs):
                self.buf.append(_ATTR_MORE if k + 1 < len(attrs) else _ATTR)
                self.name(aname)
                self._content(how, value)
            struct.pack_into("<I", self.buf, list_at, len(self.buf) - list_at - 4)
        return size_at

    def _content(self, how: str, value: object) -> None:
        if how == "text":
            units = str(value).encode("utf-16-le")
            self.buf += struct.pack("<BBH", _VALUE, _STRING, len(units) // 2) + units
        else:
            index, vtype = value  # type: ignore[misc]
            self.buf += struct.pack("<BHB", _SUBST, index, vtype)

    def element(self, tag: str, attrs: list[tuple[str, tuple[str, object]]] | None = None,
                content: tuple[str, object] | None = None) -> None:
        size_at = self.open(tag, attrs)
        if content is None:
            self.buf.append(_CLOSE_EMPTY)
        else:
            self.buf.append(_CLOSE_START)
            self._content(*content)
            self.buf.append(_END)
        struct.pack_into("<I", self.buf, size_at, len(self.buf) - size_at - 4)

    def start(self, tag: str, attrs: list[tuple[str, tuple[str, object]]] | None = None) -> int:
        size_at = self.open(tag, attrs)
        self.buf.append(_CLOSE_START)
        return size_at

    def end(self, size_at: int) -> None:
        self.buf.append(_END)
        struct.pack_into("<I", self.buf, size_at, len(self.buf) - size_at - 4)


def _value(vtype: int, value: object) -> bytes:
    if vtype == _STRING:
        return str(value).encode("utf-16-le")
    fmt = {_UINT8: "<B", _UINT16: "<H", _UINT64: "<Q", _FILETIME: "<Q"}[vtype]
    return struct.pack(fmt, value)


def _template(rec: Record, def_offset: int) -> tuple[bytes, list[int]]:
    """The template definition (24-byte header and its Binary XML) for records shaped like `rec`, to
    sit at chunk offset `def_offset`, and the value type of each substitution in order."""
    types: list[int] = []

    def sub(vtype: int) -> tuple[str, object]:
        types.append(vtype)
        return ("sub", (len(types) - 1, vtype))

    frag = _Fragment(def_offset + 24)  # after the 24-byte definition header
    frag.buf += struct.pack("<BBBB", _FRAGMENT, 1, 1, 0)
    event = frag.start("Event", [("xmlns", ("text", _NS))])
    system = frag.start("System")
    frag.element("Provider", [("Name", sub(_STRING))])
    for tag, vtype in (("EventID", _UINT16), ("Level", _UINT8)):
        frag.element(tag, content=sub(vtype))
    frag.element("TimeCreated", [("SystemTime", sub(_FILETIME))])
    for tag, vtype in (("EventRecordID", _UINT64), ("Channel", _STRING), ("Computer", _STRING)):
        frag.element(tag, content=sub(vtype))
    frag.end(system)
    if rec.user_data:
        outer = frag.start("UserData")
        inner = frag.start(rec.user_data, [("xmlns", ("text", "http://manifests.microsoft.com/win/2004/08/windows/"
                                                               "eventlog"))])
        for key in rec.data:
            frag.element(key, content=sub(_STRING))
        frag.end(inner)
        frag.end(outer)
    else:
        data = frag.start("EventData")
        for key in rec.data:
            frag.element("Data", [("Name", ("text", key))], content=sub(_STRING))
        frag.end(data)
    frag.end(event)
    frag.buf.append(_EOS)
    template_id = zlib.crc32(bytes(frag.buf)) & 0xFFFFFFFF
    guid = struct.pack("<I", template_id) + b"\x00" * 12
    return struct.pack("<I", 0) + guid + struct.pack("<I", len(frag.buf)) + bytes(frag.buf), types


def _shape(rec: Record) -> tuple[object, ...]:
    return (rec.user_data, tuple(rec.data))


def _record_binxml(rec: Record, record_id: int, base: int, templates: dict[tuple[object, ...], tuple[int, list[int]]]
                   ) -> bytes:
    """The record's Binary XML at chunk offset `base`: a template instance whose definition is
    inline the first time its shape appears in the chunk and referred to by offset after that."""
    out = bytearray(struct.pack("<BBBB", _FRAGMENT, 1, 1, 0))
    here = base + len(out) + 10  # after the template instance's token, byte, id and offset
    known = templates.get(_shape(rec))
    if known is None:
        definition, types = _template(rec, here)
        templates[_shape(rec)] = known = (here, types)
    else:
        definition = b""
    def_offset, types = known
    out += struct.pack("<BBII", _TEMPLATE, 1, def_offset, def_offset) + definition
    values = [rec.provider, rec.event_id, rec.level, _filetime(rec.time), record_id, rec.channel, rec.computer,
              *rec.data.values()]
    raws = [_value(vtype, value) for vtype, value in zip(types, values, strict=True)]
    out += struct.pack("<I", len(raws))
    for vtype, raw in zip(types, raws, strict=True):
        out += struct.pack("<HBB", len(raw), vtype, 0)
    for raw in raws:
        out += raw
    out.append(_EOS)
    return bytes(out)


def _record(rec: Record, record_id: int, offset: int, templates: dict[tuple[object, ...], tuple[int, list[int]]]
            ) -> bytes:
    body = _record_binxml(rec, record_id, offset + 24, templates)
    size = 24 + len(body) + 4
    return struct.pack("<IIQQ", 0x00002A2A, size, record_id, _filetime(rec.time)) + body + struct.pack("<I", size)


def _chunk(records: list[bytes], first_id: int, last_offset: int) -> bytes:
    data = b"".join(records)
    free = CHUNK_HEADER + len(data)
    last_id = first_id + len(records) - 1
    header = bytearray(CHUNK_HEADER)
    struct.pack_into("<8sQQQQIIII", header, 0, b"ElfChnk\x00", first_id, last_id, first_id, last_id, 128,
                     last_offset, free, zlib.crc32(data) & 0xFFFFFFFF)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120]) + bytes(header[128:512])) & 0xFFFFFFFF)
    return bytes(header) + data + b"\x00" * (CHUNK_SIZE - free)


def write_evtx(path: Path, records: Iterable[Record]) -> int:
    """Write the records to `path` as an EVTX file (as many chunks as they need); returns how many."""
    chunks: list[bytes] = []
    pending: list[bytes] = []
    offset, last_offset, next_id = CHUNK_HEADER, 0, 1
    first_in_chunk = 1
    templates: dict[tuple[object, ...], tuple[int, list[int]]] = {}
    for rec in records:
        raw = _record(rec, next_id, offset, templates)
        if offset + len(raw) > CHUNK_SIZE:  # start a new chunk: offsets and templates are per chunk
            chunks.append(_chunk(pending, first_in_chunk, last_offset))
            pending, offset, first_in_chunk = [], CHUNK_HEADER, next_id
            templates.clear()
            raw = _record(rec, next_id, offset, templates)
        pending.append(raw)
        last_offset = offset
        offset += len(raw)
        next_id += 1
    if pending:
        chunks.append(_chunk(pending, first_in_chunk, last_offset))
    header = bytearray(4096)
    struct.pack_into("<8sQQQIHHHH", header, 0, b"ElfFile\x00", 0, max(len(chunks) - 1, 0), next_id, 128, 2, 3, 4096,
                     len(chunks))
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])) & 0xFFFFFFFF)
    path.write_bytes(bytes(header) + b"".join(chunks))
    return next_id - 1
