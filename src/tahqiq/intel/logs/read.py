"""Log files into events: the kind of each file found from its content, bad lines counted with a
reason and never fatal.

    stats = LogReadStats()
    for event in read_logs(["auth.log", "access.log", "Security.evtx"], stats=stats):
        ...                                   # AuthEvent / WebRequest / WindowsEvent
    stats.bad                                 # {"auth.log": {"not a syslog line": 3}, ...}

Kinds: "syslog" (auth.log, syslog, RFC 3164 and 5424), "web" (common/combined access logs),
"webjson" (JSON lines), "evtx", "winxml" (wevtutil /f:xml), or "auto". Gzip files (.gz) are read as
they are. Event ids are a stable hash of the file's name and the line (or record) number, so
reading the same file again gives the same ids and the same alert dedupe keys.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from tahqiq.intel.logs.syslog import SyslogParser
from tahqiq.intel.logs.weblog import parse_clf, parse_json_line
from tahqiq.intel.logs.winevt import evtx_records, xml_records
from tahqiq.model.types import PAKISTAN_TIME
from tahqiq.stream.events import Event

__all__ = ["KINDS", "SCHEMAS", "LogEvent", "LogReadStats", "detect_kind", "read_logs"]

KINDS = ("auto", "syslog", "web", "webjson", "evtx", "winxml")
SCHEMAS = {"syslog": "AuthEvent", "web": "WebRequest", "webjson": "WebRequest", "evtx": "WindowsEvent",
           "winxml": "WindowsEvent"}
EXAMPLES_KEPT = 5  # bad lines kept per file, with their reason, to show what went wrong
_SYSLOG_START = re.compile(r"<\d{1,3}>|[A-Z][a-z]{2} [ \d]\d |\d{4}-\d\d-\d\dT")


@dataclass(slots=True)
class LogEvent(Event):
    """An event read from a log file: where it came from goes into the evidence."""

    source: str = ""
    line_no: int = 0

    def to_evidence(self) -> dict[str, Any]:
        out = Event.to_evidence(self)
        out["occurred_at"] = datetime.fromtimestamp(self.time, UTC).isoformat()
        out["source"] = {"file": self.source, "line": self.line_no}
        return out


@dataclass
class LogReadStats:
    """What was read: per file its kind, events, lines, and bad lines by reason (with examples)."""

    kinds: dict[str, str] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)
    lines: Counter[str] = field(default_factory=Counter)
    bad: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def add_bad(self, source: str, line_no: int, reason: str) -> None:
        self.bad.setdefault(source, Counter())[reason] += 1
        kept = self.examples.setdefault(source, [])
        if len(kept) < EXAMPLES_KEPT:
            kept.append((line_no, reason))

    @property
    def total_events(self) -> int:
        return sum(self.events.values())

    @property
    def total_bad(self) -> int:
        return sum(sum(c.values()) for c in self.bad.values())


def _open_bytes(path: Path) -> IO[bytes]:
    fh = path.open("rb")
    if fh.read(2) == b"\x1f\x8b":
        fh.close()
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    fh.seek(0)
    return fh


def detect_kind(path: Path) -> str:
    """The kind of a log file from its first bytes and lines."""
    with _open_bytes(path) as fh:
        head = fh.read(8192)
    if head.startswith(b"ElfFile\x00"):
        return "evtx"
    text = head.decode("utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", errors="replace")
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml") or text.startswith("<Event"):
        return "winxml"
    if text.startswith("{"):
        return "webjson"
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    if len(head) == 8192 and len(lines) > 1:
        lines = lines[:-1]  # the last one may be cut
    web = sum(isinstance(parse_clf(ln), tuple) for ln in lines)
    syslog = sum(bool(_SYSLOG_START.match(ln)) for ln in lines)
    return "web" if web > syslog else "syslog"


def event_id(source: str, number: int, part: int = 0) -> str:
    """A stable id: the file's name, the line (record) number, and which of a line's repeats."""
    return _Ids(source)(number, part)


class _Ids:
    """`event_id` for one file, from a hash of its name computed once (half the cost per line)."""

    def __init__(self, source: str) -> None:
        self._base = hashlib.blake2b(f"{source}\x1f".encode(), digest_size=12)

    def __call__(self, number: int, part: int = 0) -> str:
        h = self._base.copy()
        h.update(b"%d" % number if not part else b"%d\x1f%d" % (number, part))
        return h.hexdigest()


def read_logs(paths: Iterable[str | Path], *, kind: str = "auto", year: int | None = None,
              tz: tzinfo = PAKISTAN_TIME, stats: LogReadStats | None = None) -> Iterator[Event]:
    """The events of the files, one file after another, each in its own order. `year`: the year of
    the first line of RFC 3164 files (default: from each file's modification time); `tz`: the zone
    of times written without one. Fills `stats` when given. Raises ValueError for a kind it does
    not know and FileNotFoundError for a missing file (before reading any)."""
    if kind not in KINDS:
        raise ValueError(f"unknown log kind {kind!r} (known: {', '.join(KINDS)})")
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise FileNotFoundError(f"{p}: no such file")
    st = stats if stats is not None else LogReadStats()
    for p in files:
        yield from _read_one(p, kind if kind != "auto" else detect_kind(p), year, tz, st)


def _read_one(path: Path, kind: str, year: int | None, tz: tzinfo, st: LogReadStats) -> Iterator[Event]:
    source = path.name
    ids = _Ids(source)
    st.kinds[source] = kind
    schema = SCHEMAS[kind]
    if kind in ("evtx", "winxml"):
        reader = evtx_records if kind == "evtx" else xml_records
        try:
            for n, got in reader(path):
                st.lines[source] += 1
                if isinstance(got, str):
                    st.add_bad(source, n, got)
                    continue
                st.events[source] += 1
                yield LogEvent(schema, ids(n), got[0], None, got[1], source=source, line_no=n)
        except ValueError as exc:
            st.add_bad(source, 0, str(exc))
        return
    parser = SyslogParser(year=year, reference=path.stat().st_mtime, tz=tz) if kind == "syslog" else None
    lines = st.lines
    with _open_bytes(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=None)
        n = 0
        for n, line in enumerate(text, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if parser is not None:
                got3 = parser.parse(line)
                if isinstance(got3, str):
                    st.add_bad(source, n, got3)
                    continue
                t, f, times = got3
                for k in range(times):  # "message repeated N times" stands for N attempts
                    yield LogEvent(schema, ids(n, k), t, None,
                                   f if k == 0 else dict(f), source=source, line_no=n)
                st.events[source] += times
                continue
            got = parse_clf(line) if kind == "web" else parse_json_line(line, tz)
            if isinstance(got, str):
                st.add_bad(source, n, got)
                continue
            st.events[source] += 1
            yield LogEvent(schema, ids(n), got[0], None, got[1], source=source, line_no=n)
        lines[source] += n
