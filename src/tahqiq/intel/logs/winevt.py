"""Windows event logs as `WindowsEvent` fields: .evtx files through the `evtx` package (the Rust
parser, one thread: the budget is one core) and XML exported with `wevtutil qe LOG /f:xml` (or
Event Viewer's "Save as XML").

Every EventData `<Data Name="X">` and every child of UserData's element becomes a field under its
Windows name; the System part gives `EventID` (int), `Channel`, `Computer`, `Provider_Name`, `Level`
(int) and `EventRecordID`. Aliases that rules share with Linux logs: `host`, `user`, `target_user`,
`group`, `src_ip`, `action`, `outcome` (see `aliases`).

XML is read with the standard library's expat parser, which resolves no external entities and (with
expat 2.4.1 or later) refuses entity expansion bombs.
"""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["ADMIN_GROUP_EVENTS", "aliases", "evtx_records", "flatten_json", "xml_records"]

_loads: Callable[[str], Any]
try:  # orjson, when installed, parses the rendered records about three times as fast
    import orjson

    _loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads

LOGON_EVENTS = frozenset((4624, 4625, 4648))
ACCOUNT_EVENTS = frozenset((4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4767, 4768, 4769, 4771, 4776, 4634,
                            4647, 4672))
ADMIN_GROUP_EVENTS = frozenset((4728, 4732, 4756))  # a member added to a global / local / universal group
_ACTIONS = {4624: "login", 4625: "login", 4648: "login", 4720: "user_added", 4726: "user_deleted",
            4728: "group_member_added", 4732: "group_member_added", 4756: "group_member_added",
            4727: "group_added", 4731: "group_added", 4754: "group_added", 4723: "password_changed",
            4724: "password_changed", 4672: "special_logon", 4634: "session_closed", 4647: "session_closed"}
_OUTCOMES = {4624: "success", 4625: "failure"}
_CN = re.compile(r"CN=((?:[^,\\]|\\.)+)", re.IGNORECASE)
_ADDRESS = re.compile(r"[0-9A-Fa-f:.]+")
_NS = "{http://schemas.microsoft.com/win/2004/08/events/event}"


def aliases(f: dict[str, Any]) -> None:
    """Add the shared field names to a WindowsEvent's fields (in place)."""
    eid = f.get("EventID")
    if "Computer" in f:
        f["host"] = f["Computer"]
    if eid == 1102 or eid == 104:
        f["action"] = "log_cleared" if "eventlog" in str(f.get("Provider_Name", "")).lower() else "other"
    else:
        f["action"] = _ACTIONS.get(eid, "other")  # type: ignore[arg-type]
    outcome = _OUTCOMES.get(eid)  # type: ignore[arg-type]
    if outcome:
        f["outcome"] = outcome
    if eid in ADMIN_GROUP_EVENTS:
        if f.get("TargetUserName"):
            f["group"] = f["TargetUserName"]
        member = str(f.get("MemberName") or "")
        cn = _CN.match(member)
        name = cn.group(1).replace("\\", "") if cn else (member if member not in ("", "-") else f.get("MemberSid"))
        if name:
            f["user"] = f["target_user"] = name
    elif (eid in LOGON_EVENTS or eid in ACCOUNT_EVENTS) and f.get("TargetUserName") not in (None, "", "-"):
        f["user"] = f["TargetUserName"]
        if eid not in LOGON_EVENTS:
            f["target_user"] = f["TargetUserName"]
    ip = f.get("IpAddress")
    if isinstance(ip, str) and ip not in ("-", "") and _ADDRESS.fullmatch(ip):
        f["src_ip"] = ip[7:] if ip.startswith("::ffff:") and "." in ip else ip


def _system(system: dict[str, Any], f: dict[str, Any]) -> str | None:
    """Fill the System fields; return the SystemTime text."""
    provider = system.get("Provider")
    if isinstance(provider, dict):
        name = (provider.get("#attributes") or {}).get("Name")
        if name:
            f["Provider_Name"] = name
    eid = system.get("EventID")
    if isinstance(eid, dict):
        eid = eid.get("#text")
    if eid is not None:
        f["EventID"] = int(eid)
    for key in ("Level", "EventRecordID"):
        v = system.get(key)
        if v is not None:
            f[key] = int(v)
    for key in ("Channel", "Computer"):
        v = system.get(key)
        if v:
            f[key] = v
    created = system.get("TimeCreated")
    return (created.get("#attributes") or {}).get("SystemTime") if isinstance(created, dict) else None


def _data(section: Any, f: dict[str, Any]) -> None:
    """EventData's named values, or the children of UserData's one element, as fields."""
    if not isinstance(section, dict):
        return
    for key, value in section.items():
        kind = value.__class__
        if kind is str or kind is int:  # nearly every value: the fast path
            if key not in f:
                f[key] = value
            continue
        if key == "#attributes" or value is None:
            continue
        if isinstance(value, dict):
            if "#text" in value:
                value = value["#text"]
            elif key != "Data":  # UserData: <LogFileCleared><SubjectUserName>...</></>
                _data(value, f)
                continue
            else:
                continue
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value if v is not None)
        if key not in f:
            f[key] = value


def flatten_json(record: dict[str, Any]) -> tuple[float, dict[str, Any]] | str:
    """(epoch seconds, WindowsEvent fields) of one record as `evtx` renders it to JSON, or why not."""
    event = record.get("Event")
    if not isinstance(event, dict) or not isinstance(event.get("System"), dict):
        return "no Event/System element"
    f: dict[str, Any] = {}
    try:
        stamp = _system(event["System"], f)
    except (TypeError, ValueError):
        return "bad System element"
    if "EventID" not in f:
        return "no EventID"
    _data(event.get("EventData"), f)
    _data(event.get("UserData"), f)
    try:
        t = _iso(stamp)
    except (TypeError, ValueError):
        return "bad TimeCreated"
    aliases(f)
    return t, f


def _iso(stamp: str | None) -> float:
    if not stamp:
        raise ValueError("no time")
    text = stamp.strip().removesuffix(" UTC")
    if text.endswith("Z"):
        text = text[:-1]
    head, dot, frac = text.partition(".")
    return datetime.fromisoformat(f"{head}.{frac[:6]:0<6}+00:00" if dot else f"{head}+00:00").timestamp()


def evtx_records(path: Path) -> Iterator[tuple[int, tuple[float, dict[str, Any]] | str]]:
    """(record number, parsed record or why not) for each record of an .evtx file; a damaged record
    is reported, not fatal. Raises ValueError when the file is not EVTX at all."""
    from evtx import PyEvtxParser

    try:
        parser = PyEvtxParser(str(path), number_of_threads=1, skip_errors=True)
    except (OSError, RuntimeError) as exc:
        raise ValueError(f"not an EVTX file ({exc})") from None
    with warnings.catch_warnings(record=True) as damaged:
        warnings.simplefilter("always", RuntimeWarning)
        n = 0
        rec: Any
        for n, rec in enumerate(parser.records_json(), 1):
            try:
                body = _loads(rec["data"])
            except ValueError:
                yield int(rec.get("event_record_id") or n), "record is not valid JSON"
                continue
            yield int(rec.get("event_record_id") or n), flatten_json(body)
        for k in range(len(damaged)):
            yield n + k + 1, "damaged EVTX record (skipped by the parser)"


def _text(el: ET.Element) -> str | None:
    return el.text.strip() if el.text and el.text.strip() else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def flatten_xml(el: ET.Element) -> tuple[float, dict[str, Any]] | str:
    """(epoch seconds, WindowsEvent fields) of one <Event> element, or why not."""
    f: dict[str, Any] = {}
    system = el.find(f"{_NS}System")
    if system is None:
        system = el.find("System")
    if system is None:
        return "no System element"
    stamp = None
    for child in system:
        name = _local(child.tag)
        if name == "Provider" and child.get("Name"):
            f["Provider_Name"] = child.get("Name")
        elif name == "TimeCreated":
            stamp = child.get("SystemTime")
        elif name in ("EventID", "Level", "EventRecordID"):
            text = _text(child)
            if text is not None:
                try:
                    f[name] = int(text)
                except ValueError:
                    return f"bad {name}"
        elif name in ("Channel", "Computer") and _text(child):
            f[name] = _text(child)
    if "EventID" not in f:
        return "no EventID"
    for section in el:
        name = _local(section.tag)
        if name == "EventData":
            unnamed = []
            for data in section:
                key = data.get("Name")
                if key:
                    f.setdefault(key, _text(data) or "")
                elif _text(data) is not None:
                    unnamed.append(_text(data))
            if unnamed:
                f.setdefault("Data", "\n".join(u for u in unnamed if u))
        elif name == "UserData":
            for inner in section:
                for data in inner:
                    f.setdefault(_local(data.tag), _text(data) or "")
    try:
        t = _iso(stamp)
    except (TypeError, ValueError):
        return "bad TimeCreated"
    for key in ("LogonType", "Status", "SubStatus"):  # numbers in evtx's JSON too: keep them alike
        v = f.get(key)
        if isinstance(v, str) and v.isdigit():
            f[key] = int(v)
    aliases(f)
    return t, f


def xml_records(path: Path) -> Iterator[tuple[int, tuple[float, dict[str, Any]] | str]]:
    """(event number, parsed event or why not) for each <Event> of a wevtutil / Event Viewer XML
    export; the export may have no root element (wevtutil) or an <Events> root. Raises ValueError
    when the XML cannot be read at all."""
    head = path.open("rb").read(4)
    encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    parser: Any = ET.XMLPullParser(events=("end",))  # typeshed's read_events() is a loose union
    parser.feed("<Events>")
    n = 0
    with path.open(encoding=encoding, errors="replace") as fh:
        first = True
        for chunk in iter(lambda: fh.read(1 << 16), ""):
            if first:
                chunk = re.sub(r"^\s*<\?xml[^>]*\?>", "", chunk, count=1)
                first = False
            try:
                parser.feed(chunk)
                events = list(parser.read_events())
            except ET.ParseError as exc:
                raise ValueError(f"not readable XML after event {n} ({exc})") from None
            for _, el in events:
                if _local(el.tag) == "Event":
                    n += 1
                    yield n, flatten_xml(el)
                    el.clear()
