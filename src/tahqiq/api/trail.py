"""What the API and the pages share beyond the gate: who read an entity and the audit log's entries
told as facts (who, which records, what was searched; from the log, the records' captions read
through the gate), oversight filters from a query string, and taking an upload into a temporary
file with a size limit.

The facts stay structured (action codes, kinds, captions): the pages phrase them in the reader's
language (tahqiq.web.oversight_pages), the JSON API hands them on as they are.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from fastapi import HTTPException, UploadFile

from tahqiq.api.exports import csv_safe
from tahqiq.config import local_zone
from tahqiq.govern import AUDITOR, SUPERVISOR, AccessDenied, AuditRecord, Gate, Principal
from tahqiq.govern.audit_search import (
    ANY,
    AuditQuery,
    Lookup,
    actor_names,
    find_entries,
    lookup,
    matched_keys,
)
from tahqiq.model.schema import model

MAX_UPLOAD = 512 * 1024 * 1024
READERS_SHOWN = 200


class UploadTooLarge(ValueError):
    pass


def viewers(gate: Gate, who: Principal, entity_id: str) -> tuple[list[AuditRecord] | None, str | None]:
    """Who read this entity (granted reads, newest first), for those who may read the audit log;
    else (None, why not)."""
    if who.role not in (SUPERVISOR, AUDITOR):
        return None, "The audit trail of this record is shown to supervisors and auditors."
    try:
        page = find_entries(gate, who, AuditQuery(entity=entity_id, action="read.*", decision="grant"),
                            limit=READERS_SHOWN, count=False)
    except AccessDenied as exc:
        return None, exc.reason
    return list(reversed(page.records)), None


def safe_name(name: str | None) -> str:
    """An uploaded file's name without any directory part (nothing can be written outside the
    temporary folder)."""
    base = Path((name or "").replace("\\", "/")).name.strip().lstrip(".")
    return base[:200] or "upload.bin"


@contextmanager
def spooled(file: UploadFile, limit: int = MAX_UPLOAD) -> Iterator[Path]:
    """The upload written to a temporary file (removed afterwards); UploadTooLarge past `limit`."""
    with tempfile.TemporaryDirectory(prefix="tahqiq-upload-") as tmp:
        path = Path(tmp) / safe_name(file.filename)
        size = 0
        with open(path, "wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"uploads are limited to {limit >> 20} MiB here; use `tahqiq evidence add` "
                                         "for larger files")
                out.write(chunk)
        yield path


__all__ = ["MAX_UPLOAD", "CSV_COLUMNS", "Described", "EntityRef", "UploadTooLarge", "audit_query", "csv_lines",
           "describe", "local_day_range", "local_iso", "plain_label", "safe_name", "spooled", "viewers"]


# --- the audit log as facts --------------------------------------------------------------------

HEX_ID = re.compile(r"[0-9a-f]{32}")
NAMES_PURPOSE = "oversight: name the records the audit log refers to"
ENTITIES_SHOWN = 3
MAX_DAYS = 366 * 20


@dataclass(frozen=True)
class EntityRef:
    """A record an entry refers to, as the page names it: its caption (None when the record has no
    name of its own: the page says its kind and identifier), kind, source; `present` is False when
    the record is no longer in the store (retention)."""

    id: str
    present: bool
    caption: str | None = None
    schema: str | None = None
    kind: str | None = None  # the schema's label ("Vehicle")
    source: str | None = None
    identifier: str | None = None
    rtl: bool = False


@dataclass
class Described:
    """An audit entry told as facts: who (and their name), what (action code, decision, the records
    it names, the kinds searched, whether it matched the look-up), under which case and purpose."""

    seq: int
    time: str
    actor: str
    actor_name: str | None
    role: str | None
    action: str
    decision: str
    case: str | None
    purpose: str | None
    reason: str | None
    count: int | None
    entities: list[EntityRef] = field(default_factory=list)
    more_entities: int = 0
    searched: list[str] = field(default_factory=list)  # kinds: cnic, phone, name, ...
    matched: bool = False
    filters: dict[str, Any] | None = None  # an audit.read's own filters (no values: digests)
    target: str | None = None  # kept for the CSV and the API; never a label


def referenced_ids(rec: AuditRecord) -> list[str]:
    """The record ids an entry names: the ids it disclosed, else a target made of ids."""
    ids = [i for i in rec.detail.get("ids") or [] if isinstance(i, str) and HEX_ID.fullmatch(i)]
    if not ids and rec.target:
        parts = rec.target.split(",")
        if all(HEX_ID.fullmatch(p) for p in parts):
            ids = parts
    center = rec.detail.get("center")
    if isinstance(center, str) and HEX_ID.fullmatch(center) and center not in ids:
        ids.insert(0, center)
    return list(dict.fromkeys(ids))


def searched_kinds(rec: AuditRecord) -> list[str]:
    """Which kinds of value an entry searched: from `queried` ("cnic#…") or an older target
    ("subscriberCnic#…" is a CNIC: the property's type, from the model)."""
    keys = [k for k in rec.detail.get("queried") or [] if isinstance(k, str)]
    if not keys and rec.target and "#" in rec.target and "," not in rec.target:
        keys = [rec.target]
    kinds: list[str] = []
    types = {p.name: p.type for s in model().schemata.values() for p in s.properties.values()}
    for key in keys:
        prefix = key.split("#", 1)[0]
        kind = prefix if prefix == "name" or prefix in model().types else types.get(prefix)
        if kind and kind not in kinds:
            kinds.append(kind)
    return kinds


def describe(gate: Gate, who: Principal, records: list[AuditRecord], lookup_: Lookup | None = None) -> list[Described]:
    """Entries as facts. The records they name are read (captions, kinds, sources) through the gate
    in one audited read (`audit.names`) under a job view for overseers."""
    refs = {r.seq: referenced_ids(r) for r in records}
    wanted = list(dict.fromkeys(i for ids in refs.values() for i in ids[:ENTITIES_SHOWN]))
    found: dict[str, EntityRef] = {}
    if wanted:
        with gate.scope(who, NAMES_PURPOSE, roles=(AUDITOR, SUPERVISOR)) as job, job.read("audit.names") as r:
            for e in r.entities(wanted):
                found[e.id] = entity_ref(e)
    names = actor_names(gate, {r.actor for r in records})
    out = []
    for rec in records:
        ids = refs[rec.seq]
        count = rec.detail.get("count")
        filters = rec.detail.get("filters") if rec.action.startswith("audit.") else None
        out.append(Described(
            seq=rec.seq, time=rec.time, actor=rec.actor, actor_name=names.get(rec.actor), role=rec.role,
            action=rec.action, decision=rec.decision, case=rec.case, purpose=rec.purpose,
            reason=rec.detail.get("reason") if isinstance(rec.detail.get("reason"), str) else None,
            count=count if isinstance(count, int) else None,
            entities=[found.get(i) or EntityRef(i, False) for i in ids[:ENTITIES_SHOWN]],
            more_entities=max(0, len(ids) - ENTITIES_SHOWN), searched=searched_kinds(rec),
            matched=bool(lookup_ and matched_keys(rec, lookup_)),
            filters=filters if isinstance(filters, dict) else None, target=rec.target))
    return out


def entity_ref(e: Any) -> EntityRef:
    """An EntityView as the page names it; a caption that is only the id counts as no caption."""
    schema = model().schemata.get(e.schema)
    caption = e.caption if e.caption and e.caption != e.id else None
    idents = e.identifiers(1)
    return EntityRef(e.id, True, caption, e.schema, schema.label if schema else e.schema, e.source,
                     idents[0] if idents else None, e.caption_script == "Arab")


def local_day_range(date_from: str | None, date_to: str | None) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the local days `date_from`..`date_to` (YYYY-MM-DD, both included) in the
    deployment's zone; HTTP 400 for a malformed or reversed range."""
    zone = local_zone()

    def day(text: str | None, name: str) -> date | None:
        if not (text or "").strip():
            return None
        try:
            return date.fromisoformat((text or "").strip())
        except ValueError:
            raise HTTPException(400, f"{name} must be a date (YYYY-MM-DD)") from None

    first, last = day(date_from, "date_from"), day(date_to, "date_to")
    if first and last and last < first:
        raise HTTPException(400, "date_to is before date_from")
    start = datetime.combine(first, time.min, zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone) if last else None
    return start, end


def audit_query(gate: Gate, *, case: str | None = None, actor: str | None = None, entity: str | None = None,
                action: str | None = None, decision: str | None = None, prop: str | None = None,
                value: str | None = None, date_from: str | None = None,
                date_to: str | None = None) -> AuditQuery:
    """The filters of the oversight page and API as a query; a value that cannot be looked up is
    BadLookup (its code says why), a bad date HTTP 400."""
    found = lookup(gate, prop or ANY, value) if value and value.strip() else None
    start, end = local_day_range(date_from, date_to)
    return AuditQuery(case=case or None, actor=actor or None, entity=(entity or "").strip().lower() or None,
                      action=action or None, decision=decision or None, lookup=found, start=start, end=end)


CSV_COLUMNS = ("seq", "time", "user", "user_name", "role", "action", "what", "decision", "case", "purpose",
               "records", "searched", "matched_lookup", "reason", "count")


def plain_label(ref: EntityRef) -> str:
    """A record in a CSV cell: caption (kind, source), or kind and identifier; never its id."""
    if not ref.present:
        return "(a record no longer in the store)"
    name = ref.caption or " ".join(x for x in (ref.kind, ref.identifier) if x) or "record"
    return f"{name} ({', '.join(x for x in (ref.kind, (ref.source or '').upper()) if x)})"


def local_iso(stamp: str) -> str:
    """An entry's UTC time as local ISO 8601 with its offset (2026-11-29T14:10:05+05:00)."""
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(local_zone()).isoformat("T", "seconds")
    except ValueError:
        return stamp


def csv_lines(rows: Iterable[Described], what: Callable[[Described], str], when: Callable[[str], str],
              label: Callable[[EntityRef], str], *, what_column: bool = True,
              headers: Iterable[str] = CSV_COLUMNS) -> Iterator[str]:
    """The entries as CSV text, a line at a time; every cell passes `csv_safe` (no formula runs).
    `headers` may name the columns in the reader's language (same order as CSV_COLUMNS)."""
    buf = io.StringIO()
    out = csv.writer(buf)
    keep = [i for i, c in enumerate(CSV_COLUMNS) if what_column or c != "what"]

    def flush() -> str:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    names = list(headers)
    out.writerow([csv_safe(names[i]) for i in keep])
    yield flush()
    for d in rows:
        cells: list[object] = [
            d.seq, when(d.time), d.actor, d.actor_name, d.role, d.action, what(d), d.decision, d.case, d.purpose,
            "; ".join(label(e) for e in d.entities) + (f"; +{d.more_entities}" if d.more_entities else ""),
            " ".join(d.searched), "yes" if d.matched else "", d.reason, d.count]
        out.writerow([csv_safe(cells[i]) for i in keep])
        yield flush()
