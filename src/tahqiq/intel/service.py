"""Threat intelligence in the store, through the gate only: import, read by TLP, mark, attach.

    with gate.scope(SYSTEM, "nightly feed import") as job:
        result = import_paths(job, [Path("feeds/")], source="pk-cert", owner_agency="FIA-CCW")
    with gate.scope(me, "review indicators") as view:
        page = list_indicators(view, kind="domain", limit=50)
        mark_false_positive(view, page.items[0].id, "our own mail relay")
    with gate.session(me, "CASE-2026-0001", "link C2 infrastructure") as case:
        attach_to_case(case, "CASE-2026-0001", [indicator_id])

Every function is one decided, audited act of its view (`view.read` / `view.write`); every read is
filtered by the TLP policy of `tahqiq.govern.markings`, so a row the principal may not read is as
absent as one that does not exist (IndicatorNotFound says no more). Imports, revocations and bulk
reads are a supervisor's or a scheduled job's; any reader may mark a false positive.

Import: files and folders (*.json, recursively); a STIX bundle or a MISP event is told by its
shape. A file already imported from the same source (same sha256) adds nothing. Rows are written in
batches of `CHUNK` with one INSERT ... ON CONFLICT DO UPDATE per batch (PostgreSQL and SQLite): a
later version of an indicator (newer `modified`) replaces the stored one; an older one is ignored.
Analysts' false-positive marks survive re-imports. Kept objects: the last import wins.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, Table, and_, cast, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from tahqiq.govern import SUPERVISOR, GovernError, View, readable_clause
from tahqiq.intel.model import TLP_LEVELS, Indicator, IntelObject
from tahqiq.intel.parse_misp import misp_events, parse_misp
from tahqiq.intel.parse_stix import parse_stix, stix_objects
from tahqiq.intel.parsed import ParsedIntel, Rejected
from tahqiq.intel.tables import IntelBatch, IntelCaseIndicator, IntelIndicator, IntelObjectRow, IntelQuarantine
from tahqiq.store.base import aware, inserted_id, table_of

__all__ = ["CHUNK", "MAX_PAGE", "FileResult", "ImportResult", "IndicatorNotFound", "IndicatorPage", "active_indicators",
           "attach_to_case", "case_indicators", "case_objects", "detect_format", "import_paths", "list_indicators",
           "mark_false_positive", "revoke"]

CHUNK = 2000
MAX_PAGE = 200
_POOL_AT = 5_000  # STIX objects in one file from which parsing uses several processes
_IND = table_of(IntelIndicator)
_OBJ = table_of(IntelObjectRow)
# what a newer version of an indicator replaces (never the analysts' false-positive marks)
_UPDATED = ("kind", "value", "pattern", "name", "description", "valid_from", "valid_until", "revoked", "confidence",
            "tlp", "owner_agency", "recipients", "source", "labels", "created", "modified", "last_batch")


class IndicatorNotFound(GovernError):
    """No indicator with this id that the principal may read (the API answers 404)."""


@dataclass(frozen=True)
class FileResult:
    path: str
    format: str                 # "stix" or "misp"
    batch: int | None           # None: the file was imported before (same source and sha256)
    counts: dict[str, int]
    rejected: list[Rejected] = field(default_factory=list, repr=False)

    @property
    def already_imported(self) -> bool:
        return self.batch is None


@dataclass(frozen=True)
class ImportResult:
    files: list[FileResult]
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for f in self.files:
            for k, v in f.counts.items():
                total[k] = total.get(k, 0) + v
        return total

    @property
    def objects_per_second(self) -> float:
        return self.counts.get("read", 0) / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class IndicatorPage:
    total: int
    offset: int
    limit: int
    items: list[Indicator]


# --- import ------------------------------------------------------------------------------------

def detect_format(data: Any) -> str:
    """"stix" or "misp" by the JSON's shape; raises ValueError for neither."""
    if isinstance(data, dict):
        if data.get("type") == "bundle" or ("type" in data and "--" in str(data.get("id", ""))):
            return "stix"
        if "Event" in data or "response" in data or {"Attribute", "Object", "info"} & data.keys():
            return "misp"
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return "misp" if "Event" in data[0] else "stix"
    raise ValueError("neither a STIX bundle nor a MISP event")


def _files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            out.append(path)
        else:
            raise ValueError(f"{path}: no such file or folder")
    return out


def _utc(at: datetime | None) -> datetime | None:
    return None if at is None else (at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC))


def _indicator_row(ind: Indicator, batch: int) -> dict[str, Any]:
    return {"id": ind.id, "kind": ind.kind, "value": ind.value, "pattern": ind.pattern, "name": ind.name,
            "description": ind.description, "valid_from": _utc(ind.valid_from), "valid_until": _utc(ind.valid_until),
            "revoked": ind.revoked, "confidence": int(ind.confidence), "tlp": ind.tlp,
            "owner_agency": ind.owner_agency, "recipients": list(ind.recipients), "source": ind.source,
            "labels": list(ind.labels), "created": _utc(ind.created), "modified": _utc(ind.modified),
            "first_batch": batch, "last_batch": batch, "false_positive": False}


def _object_row(obj: IntelObject, batch: int) -> dict[str, Any]:
    return {"id": obj.id, "type": obj.type, "name": obj.name, "body": obj.body, "tlp": obj.tlp,
            "owner_agency": obj.owner_agency, "recipients": list(obj.recipients), "source": obj.source,
            "source_ref": obj.source_ref[:128], "target_ref": obj.target_ref[:128], "batch": batch}


def _newest(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per id (the newest `modified`): one statement may not update a row twice."""
    best: dict[str, dict[str, Any]] = {}
    floor = datetime.min.replace(tzinfo=UTC)
    for row in rows:
        old = best.get(row["id"])
        if old is None or (row.get("modified") or floor) >= (old.get("modified") or floor):
            best[row["id"]] = row
    return list(best.values())


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], *, versioned: bool,
            advance: Callable[[int], None]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    if versioned:
        newer = or_(and_(table.c.modified.is_(None), stmt.excluded.modified.isnot(None)),
                    stmt.excluded.modified > table.c.modified)
        stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={c: stmt.excluded[c] for c in _UPDATED},
                                          where=newer)
    else:
        stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={c.name: stmt.excluded[c.name]
                                                                       for c in table.c if c.name != "id"})
    for start in range(0, len(rows), CHUNK):
        part = rows[start:start + CHUNK]
        conn.execute(stmt, part)
        advance(len(part))


@contextmanager
def _progress(show: bool, label: str) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda n: bar.advance(task, n)


def _parse(data: Any, fmt: str, *, source: str, owner: str, tlp: str, recipients: tuple[str, ...]) -> ParsedIntel:
    if fmt == "stix":
        objs = stix_objects(data)
        # several processes only where a core is left for the database and this process
        workers = max(1, min(4, (os.cpu_count() or 1) - 1)) if len(objs) >= _POOL_AT else 1
        return parse_stix(objs, source=source, owner_agency=owner, default_tlp=tlp, recipients=recipients,
                          workers=workers)
    return parse_misp(misp_events(data), source=source, owner_agency=owner, default_tlp=tlp, recipients=recipients)


def import_paths(view: View, paths: Sequence[Path], *, source: str, default_tlp: str = "amber",
                 recipients: Sequence[str] = (), progress: bool = False,
                 owner_agency: str | None = None) -> ImportResult:
    """Import STIX bundles and MISP events from files and folders, each file one audited write.
    The owning agency (what AMBER limits reads to) is the importing user's, or `owner_agency` (which
    a scheduled job must give)."""
    if not view.principal.is_system and view.principal.role != SUPERVISOR:
        raise view.refuse("intel.import", "importing threat intelligence needs a supervisor or the scheduled job")
    if default_tlp not in TLP_LEVELS:
        raise ValueError(f"TLP must be one of {', '.join(TLP_LEVELS)}; got {default_tlp!r}")
    owner = owner_agency or view.principal.agency
    if not owner:
        raise ValueError("name the agency that owns this intelligence (a scheduled import has none of its own)")
    if not source.strip():
        raise ValueError("name the source (the feed or producer) of this intelligence")
    started = time.perf_counter()
    results = [_import_file(view, path, source=source, owner=owner, tlp=default_tlp, recipients=tuple(recipients),
                            progress=progress) for path in _files(paths)]
    return ImportResult(results, time.perf_counter() - started)


def _import_file(view: View, path: Path, *, source: str, owner: str, tlp: str, recipients: tuple[str, ...],
                 progress: bool) -> FileResult:
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    data = json.loads(raw)
    fmt = detect_format(data)
    detail = {"source": source, "file": path.name, "sha256": sha, "format": fmt, "tlp_default": tlp}
    with view.write("intel.import", target=f"{source}:{path.name}", detail=detail) as w:
        seen = w.conn.execute(select(IntelBatch.id).where(IntelBatch.source == source,
                                                          IntelBatch.input_sha256 == sha)).first()
        if seen is not None:
            w.record(already_imported=seen.id)
            return FileResult(str(path), fmt, None, {})
        parsed = _parse(data, fmt, source=source, owner=owner, tlp=tlp, recipients=recipients)
        batch = inserted_id(w.conn.execute(insert(IntelBatch).values(
            source=source, input_name=str(path), input_sha256=sha, counts={}, actor=view.principal.username)))
        total = len(parsed.indicators) + len(parsed.objects)
        with _progress(progress, f"{path.name}: {total:,} rows") as advance:
            _upsert(w.conn, _IND, _newest([_indicator_row(i, batch) for i in parsed.indicators]), versioned=True,
                    advance=advance)
            _upsert(w.conn, _OBJ, _newest([_object_row(o, batch) for o in parsed.objects]), versioned=False,
                    advance=advance)
        if parsed.rejected:
            w.conn.execute(insert(IntelQuarantine), [
                {"batch": batch, "ref": r.ref, "reason": r.reason,
                 "raw": r.raw if isinstance(r.raw, dict) else {"text": r.raw}} for r in parsed.rejected])
        counts = dict(parsed.counts)
        w.conn.execute(update(IntelBatch).where(IntelBatch.id == batch).values(
            counts=counts, finished=datetime.now(UTC)))
        w.record(batch=batch, counts={k: v for k, v in counts.items() if "." not in k})
    return FileResult(str(path), fmt, batch, counts, list(parsed.rejected))


# --- reading -----------------------------------------------------------------------------------

def _indicator(row: Any) -> Indicator:
    return Indicator(
        id=row.id, kind=row.kind, value=row.value, pattern=row.pattern, name=row.name, description=row.description,
        valid_from=aware(row.valid_from), valid_until=aware(row.valid_until), revoked=bool(row.revoked),
        confidence=int(row.confidence), tlp=row.tlp, owner_agency=row.owner_agency,
        recipients=tuple(row.recipients or ()), source=row.source, labels=tuple(row.labels or ()),
        created=aware(row.created), modified=aware(row.modified),
        extra={"false_positive": bool(row.false_positive), "fp_reason": row.fp_reason, "fp_by": row.fp_by,
               "fp_at": aware(row.fp_at), "first_batch": row.first_batch, "last_batch": row.last_batch})


def _object(row: Any) -> IntelObject:
    return IntelObject(id=row.id, type=row.type, name=row.name, body=dict(row.body or {}), tlp=row.tlp,
                       owner_agency=row.owner_agency, recipients=tuple(row.recipients or ()), source=row.source,
                       source_ref=row.source_ref, target_ref=row.target_ref)


def active_indicators(view: View, at: datetime | None = None) -> list[Indicator]:
    """Every indicator the principal may read that is active at `at` (default now): not revoked, not
    a false positive, inside its validity. One audited read (the grant counts them)."""
    when = _utc(at) or datetime.now(UTC)
    t = _IND.c
    query = select(_IND).where(readable_clause(view.principal, _IND), t.revoked.is_(False),
                               t.false_positive.is_(False), or_(t.valid_from.is_(None), t.valid_from <= when),
                               or_(t.valid_until.is_(None), t.valid_until > when)).order_by(t.id)
    with view.read("intel.indicators.active", detail={"at": when.isoformat()}) as r:
        found = [_indicator(row) for row in r.conn.execute(query)]
        r.note(count=len(found))
    return found


def list_indicators(view: View, *, kind: str | None = None, q: str | None = None, offset: int = 0,
                    limit: int = 50) -> IndicatorPage:
    """A page of the indicators the principal may read (newest import first), of one kind and/or
    whose value or name contains `q`."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    t = _IND.c
    where = [readable_clause(view.principal, _IND)]
    if kind:
        where.append(t.kind == kind)
    if q:
        needle = q.strip().lower()
        where.append(or_(func.lower(t.value).contains(needle, autoescape=True),
                         func.lower(t.name).contains(needle, autoescape=True)))
    with view.read("intel.indicators.list", detail={"kind": kind, "q": bool(q), "offset": offset,
                                                    "limit": limit}) as r:
        total = int(r.conn.execute(select(func.count()).select_from(_IND).where(*where)).scalar_one())
        rows = r.conn.execute(select(_IND).where(*where).order_by(t.last_batch.desc(), t.id)
                              .offset(offset).limit(limit))
        items = [_indicator(row) for row in rows]
        r.disclose(i.id for i in items)
    return IndicatorPage(total, offset, limit, items)


def _readable_ids(conn: Connection, view: View, ids: Sequence[str]) -> list[str]:
    t = _IND.c
    return list(conn.execute(select(t.id).where(t.id.in_(list(ids)), readable_clause(view.principal, _IND)))
                .scalars())


def mark_false_positive(view: View, indicator_id: str, reason: str) -> None:
    """An analyst's mark: this indicator fires on something harmless; it stops matching."""
    if len((reason or "").strip()) < 5:
        raise ValueError("say why it is a false positive (a few words)")
    with view.write("intel.indicator.false_positive", target=indicator_id, detail={"reason": reason}) as w:
        if not _readable_ids(w.conn, view, [indicator_id]):
            raise IndicatorNotFound(f"no indicator {indicator_id!r}")
        w.conn.execute(update(IntelIndicator).where(IntelIndicator.id == indicator_id).values(
            false_positive=True, fp_reason=reason.strip(), fp_by=view.principal.username, fp_at=datetime.now(UTC)))


def revoke(view: View, indicator_id: str, reason: str) -> None:
    """Revoke an indicator here (as its producer would in STIX): it stops matching. A supervisor's act."""
    if not view.principal.is_system and view.principal.role != SUPERVISOR:
        raise view.refuse("intel.indicator.revoke", "revoking an indicator needs a supervisor", target=indicator_id)
    if len((reason or "").strip()) < 5:
        raise ValueError("say why it is revoked (a few words)")
    with view.write("intel.indicator.revoke", target=indicator_id, detail={"reason": reason}) as w:
        if not _readable_ids(w.conn, view, [indicator_id]):
            raise IndicatorNotFound(f"no indicator {indicator_id!r}")
        w.conn.execute(update(IntelIndicator).where(IntelIndicator.id == indicator_id).values(revoked=True))


# --- cases -------------------------------------------------------------------------------------

def _own_case(view: View, case_ref: str) -> None:
    if view.case_ref != case_ref:
        raise GovernError(f"open a session of case {case_ref} to work on its indicators")


def attach_to_case(view: View, case_ref: str, indicator_ids: Sequence[str]) -> list[str]:
    """Link indicators to the case the view is a session of; returns the ids newly linked."""
    _own_case(view, case_ref)
    ids = list(dict.fromkeys(indicator_ids))
    with view.write("intel.case.attach", target=case_ref, detail={"indicators": ids}) as w:
        readable = set(_readable_ids(w.conn, view, ids))
        missing = [i for i in ids if i not in readable]
        if missing:
            raise IndicatorNotFound(f"no indicator {missing[0]!r}")
        have = set(w.conn.execute(select(IntelCaseIndicator.indicator_id).where(
            IntelCaseIndicator.case_ref == case_ref, IntelCaseIndicator.indicator_id.in_(ids))).scalars())
        new = [i for i in ids if i not in have]
        if new:
            w.conn.execute(insert(IntelCaseIndicator), [
                {"case_ref": case_ref, "indicator_id": i, "added_by": view.principal.username,
                 "added_at": datetime.now(UTC)} for i in new])
        w.record(attached=new)
    return new


def _case_rows(conn: Connection, view: View, case_ref: str) -> list[Any]:
    linked = select(IntelCaseIndicator.indicator_id).where(IntelCaseIndicator.case_ref == case_ref)
    return list(conn.execute(select(_IND).where(_IND.c.id.in_(linked), readable_clause(view.principal, _IND))
                             .order_by(_IND.c.id)))


def case_indicators(view: View, case_ref: str) -> list[Indicator]:
    """The indicators linked to the case (those the principal may read)."""
    _own_case(view, case_ref)
    with view.read("intel.case.indicators", target=case_ref) as r:
        found = [_indicator(row) for row in _case_rows(r.conn, view, case_ref)]
        r.disclose(i.id for i in found)
    return found


def case_objects(view: View, case_ref: str) -> list[IntelObject]:
    """What the intelligence says around the case's indicators: the relationships and sightings that
    name them, the objects at their other ends (malware, threat actors, campaigns...), and the
    reports (STIX reports, MISP events) that list them; only what the principal may read."""
    _own_case(view, case_ref)
    o = _OBJ.c
    readable = readable_clause(view.principal, _OBJ)
    with view.read("intel.case.objects", target=case_ref) as r:
        ids = [row.id for row in _case_rows(r.conn, view, case_ref)]
        if not ids:
            return []
        links = list(r.conn.execute(select(_OBJ).where(or_(o.source_ref.in_(ids), o.target_ref.in_(ids)), readable)))
        ends = {ref for row in links for ref in (row.source_ref, row.target_ref) if ref and ref not in ids}
        others = list(r.conn.execute(select(_OBJ).where(o.id.in_(sorted(ends)), readable))) if ends else []
        text = cast(o.body, String)
        reports = list(r.conn.execute(select(_OBJ).where(
            o.type == "report", readable, or_(*[text.contains(f'"{i}"', autoescape=True) for i in ids]))))
        found = {row.id: _object(row) for row in [*links, *others, *reports]}
        r.disclose(found)
    return sorted(found.values(), key=lambda x: (x.type, x.id))
