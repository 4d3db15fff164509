"""Watchlists through the gate: adding, importing, expiring and reading entries, each decided and audited.

    with gate.session(me, "CASE-2026-0007", "absconder under warrant W-77/2026") as view:
        entry_id = add_entry(view, "person", keys={"name": ["Mohd Aslam", "محمد اسلم"], "cnic": ["35202-1234567-1"]},
                             reason="absconder", expires_at=datetime(2026, 12, 31, tzinfo=timezone.utc))
    entries = active_entries(gate, SYSTEM, "detection worker: screen events")   # one audited bulk read

Rules (docs/screening.md): an entry rests on its case's legal basis; a *person* needs a warrant
(an FIR is not enough); every entry has an expiry, in the future and not after its case's; keys are
normalised (tahqiq.screen.keys) and a bad key refuses the whole request with a reason per field.
The audit log gets keyed hashes of the keys (as for searches), never the values themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, insert, or_, select, update

from tahqiq.govern import CaseView, Gate, GovernError, GrantedCase, Principal, View
from tahqiq.govern.tables import Case, User
from tahqiq.model.types import parse_expiry
from tahqiq.screen.entries import ALLOWED_KEYS, ENTRY_KINDS, Draft, as_list, entity_keys, validate_entry
from tahqiq.screen.tables import WatchlistEntry, WatchlistKey
from tahqiq.store.base import aware, aware_utc, inserted_id, utcnow


class WatchlistInputError(GovernError):
    """Entries that cannot be added as given. `errors` lists (row, field, reason); row is None for a
    single entry. Reasons never repeat the rejected value."""

    def __init__(self, errors: list[tuple[int | None, str, str]]) -> None:
        self.errors = errors
        lines = [f"{'row ' + str(r) + ': ' if r is not None else ''}{f}: {why}" for r, f, why in errors]
        super().__init__("; ".join(lines[:20]) + (f" (and {len(lines) - 20} more)" if len(lines) > 20 else ""))


@dataclass(frozen=True)
class EntryInfo:
    """One watchlist entry with its keys, as the index and listings see it."""

    id: int
    case: str
    basis: str  # "warrant W-77/2026" / "fir 123/2026"
    kind: str
    label: str
    keys: tuple[tuple[str, str], ...]  # (kind, normalised value)
    reason: str
    added_by: str
    added_at: datetime
    expires_at: datetime
    entity_id: str | None = None
    birth_date: str | None = None
    father_name: str | None = None
    indicator_type: str | None = None
    stix_pattern: str | None = None
    removed_at: datetime | None = None

    def is_active(self, at: datetime | None = None) -> bool:
        return self.removed_at is None and (at or utcnow()) < self.expires_at

    def values(self, kind: str) -> list[str]:
        return [v for k, v in self.keys if k == kind]


def _require_basis(view: CaseView, case: GrantedCase, kinds: Iterable[str], action: str, target: str | None) -> None:
    if "person" in set(kinds) and case.basis_kind != "warrant":
        raise view.refuse(action, f"a person can only be put on a watchlist under a warrant; case {view.case}'s "
                                  "legal basis is an FIR", target=target)


def _key_digests(view: CaseView, draft: Draft) -> list[str]:
    return [f"{k}#{view.gate.digest(k, v)}" for k, v, _ in draft.keys]


def _insert(conn: Connection, view: CaseView, case: GrantedCase, draft: Draft) -> int:
    wid = inserted_id(conn.execute(insert(WatchlistEntry).values(
        case_id=case.id, kind=draft.kind, entity_id=draft.entity_id, label=draft.label,
        birth_date=draft.birth_date, father_name=draft.father_name, indicator_type=draft.indicator_type,
        stix_pattern=draft.stix_pattern, reason=draft.reason, added_by=view.principal.user_id,
        added_at=utcnow(), expires_at=draft.expires_at)))
    conn.execute(insert(WatchlistKey),
                 [{"entry_id": wid, "kind": k, "value": v, "original": o} for k, v, o in draft.keys])
    return wid


def _entity_keys(view: CaseView, kind: str, entity_id: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Keys (and birth date / father's name) of a store entity, read through the gate."""
    source = entity_keys(kind)
    if source is None:
        raise GovernError(f"a {kind} entry cannot be made from a store entity; give the indicator itself")
    schema, props = source
    entity = view.entity(entity_id)
    if entity is None or entity.schema != schema:
        raise GovernError(f"{entity_id} is not a {schema} in the store")
    keys: dict[str, list[str]] = defaultdict(list)
    for prop, key_kind in props.items():
        keys[key_kind].extend(entity.values(prop))
    extra = {}
    if kind == "person":
        extra = {"birth_date": entity.first("birthDate"), "father_name": entity.first("fatherName")}
    return keys, {k: v for k, v in extra.items() if v}


def add_entry(view: CaseView, kind: str, *, reason: str, expires_at: datetime | None,
              keys: Mapping[str, Iterable[str] | str] | None = None, birth_date: str | None = None,
              father_name: str | None = None, indicator_type: str | None = None,
              stix_pattern: str | None = None, entity_id: str | None = None) -> int:
    """Add one entry under the view's case; returns its id. With `entity_id`, the entity's own keys
    (read through the gate) are added to those typed, and the entry names it (a subject of the case)."""
    case = view.decide("watchlist.add", target=entity_id)
    assert case is not None
    _require_basis(view, case, [kind], "watchlist.add", entity_id)
    typed = {k: as_list(v) for k, v in (keys or {}).items()}
    if entity_id:
        from_entity, extra = _entity_keys(view, kind, entity_id)
        for k, vals in from_entity.items():
            typed[k] = typed.get(k, []) + vals
        birth_date = birth_date or extra.get("birth_date")
        father_name = father_name or extra.get("father_name")
    draft, errors = validate_entry(
        kind, reason=reason, expires_at=expires_at, keys=typed, case_ref=case.reference, case_expires=case.expires_at,
        now=utcnow(), birth_date=birth_date, father_name=father_name, indicator_type=indicator_type,
        stix_pattern=stix_pattern, entity_id=entity_id)
    if errors:
        raise WatchlistInputError(errors)
    assert draft is not None  # validate_entry gives a draft whenever it finds no error
    with view.write("watchlist.add", target=entity_id) as w:
        assert w.case is not None
        if entity_id:
            w.attach_subject(entity_id, f"watchlist: {draft.reason}")
        wid = _insert(w.conn, view, w.case, draft)
        w.target = entity_id or f"watchlist:{wid}"
        w.record(watchlist_id=wid, kind=kind, reason=draft.reason, keys=_key_digests(view, draft),
                 expires=draft.expires_at.isoformat())
    return wid


IMPORT_COLUMNS = ("kind", "reason", "expires", "name", "cnic", "phone", "plate", "chassis", "iban", "indicator",
                  "indicator_type", "stix_pattern", "birth_date", "father_name")
LIST_SEPARATOR = "|"  # several names (aliases) or numbers in one cell


def import_rows(view: CaseView, rows: Iterable[Mapping[str, str]], *, default_expires: datetime | None = None,
                first_row: int = 2, parse_expiry: Callable[[str], datetime] = parse_expiry) -> list[int]:
    """Add many entries, all or none: every row is checked first; any bad row refuses the whole
    import with a WatchlistInputError listing each (row, field, reason). One audit entry records it.
    `first_row` numbers rows as the file does (2: after a CSV header). `parse_expiry` reads the
    `expires` cell (default: a date means the end of that day, UTC; or ISO 8601)."""
    case = view.decide("watchlist.import")
    assert case is not None
    now = utcnow()
    drafts: list[Draft] = []
    errors: list[tuple[int | None, str, str]] = []
    for n, row in enumerate(rows, start=first_row):
        cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        unknown = sorted(set(cells) - set(IMPORT_COLUMNS) - {"entity_id"})
        if unknown:
            errors.append((n, "columns", f"unknown column(s) {', '.join(unknown)}; known: {', '.join(IMPORT_COLUMNS)}"))
            continue
        expires = default_expires
        if cells.get("expires"):
            try:
                expires = parse_expiry(cells["expires"])
            except ValueError:
                errors.append((n, "expires", "not a date (use 2026-12-31 or ISO 8601)"))
                continue
        keys = {k: cells[k].split(LIST_SEPARATOR)
                for k in ("name", "cnic", "phone", "plate", "chassis", "iban", "indicator") if cells.get(k)}
        draft, errs = validate_entry(
            cells.get("kind", "").lower(), reason=cells.get("reason", ""), expires_at=expires, keys=keys,
            case_ref=case.reference, case_expires=case.expires_at, now=now,
            birth_date=cells.get("birth_date") or None, father_name=cells.get("father_name") or None,
            indicator_type=cells.get("indicator_type") or None, stix_pattern=cells.get("stix_pattern") or None, row=n)
        if cells.get("entity_id"):
            errs.append((n, "entity_id", "imports carry typed keys only; add entity-backed entries one by one"))
        errors.extend(errs)
        if draft is not None:
            drafts.append(draft)
    if errors:
        raise WatchlistInputError(errors)
    if not drafts:
        raise GovernError("the file has no entries")
    _require_basis(view, case, (d.kind for d in drafts), "watchlist.import", None)
    with view.write("watchlist.import") as w:
        assert w.case is not None
        ids = [_insert(w.conn, view, w.case, d) for d in drafts]
        kinds: dict[str, int] = defaultdict(int)
        for d in drafts:
            kinds[d.kind] += 1
        w.target = f"watchlist:{ids[0]}-{ids[-1]}"
        w.record(ids=ids, count=len(ids), kinds=dict(kinds))
    return ids


def entry_case(gate: Gate, principal: Principal, entry_id: int) -> str:
    """The case reference an entry belongs to (lets `watchlist expire ID` open the right case)."""
    with gate.scope(principal, "find the case of a watchlist entry") as job, \
            job.read("read.watchlist.case", target=f"watchlist:{entry_id}") as r:
        ref = r.conn.execute(select(Case.reference).join(WatchlistEntry, WatchlistEntry.case_id == Case.id)
                             .where(WatchlistEntry.id == entry_id)).scalar()
    if ref is None:
        raise GovernError(f"no watchlist entry {entry_id}")
    return ref


def expire_entry(view: CaseView, entry_id: int, reason: str) -> None:
    """End an entry now (it stops matching at once, and at the next index refresh everywhere)."""
    if not reason or len(reason.strip()) < 3:
        raise GovernError("give the reason for ending the entry")
    with view.write("watchlist.expire", target=f"watchlist:{entry_id}",
                    detail={"watchlist_id": entry_id, "reason": reason.strip()}) as w:
        assert w.case is not None
        row = w.conn.execute(select(WatchlistEntry.case_id, WatchlistEntry.removed_at)
                             .where(WatchlistEntry.id == entry_id)).first()
        if row is None or row.case_id != w.case.id:
            raise GovernError(f"entry {entry_id} is not on case {view.case}'s watchlist")
        if row.removed_at is not None:
            raise GovernError(f"entry {entry_id} was already ended")
        w.conn.execute(update(WatchlistEntry).where(WatchlistEntry.id == entry_id).values(
            removed_at=utcnow(), removed_by=view.principal.user_id, removed_reason=reason.strip()))


def _read_entries(conn: Connection, where: list[ColumnElement[bool]], now: datetime | None) -> list[EntryInfo]:
    """Entries matching `where` with their keys; only active ones at `now` unless now is None."""
    table = WatchlistEntry.__table__
    e = table.c
    q = (select(table, Case.reference, Case.basis_kind, Case.basis_ref, User.username.label("added_by_name"))
         .join(Case, Case.id == e.case_id).join(User, User.id == e.added_by).where(*where).order_by(e.id))
    if now is not None:
        q = q.where(e.removed_at.is_(None), e.expires_at > now)
    rows = [r._mapping for r in conn.execute(q)]
    keys: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ids = [m["id"] for m in rows]
    for start in range(0, len(ids), 1000):
        for k in conn.execute(select(WatchlistKey.entry_id, WatchlistKey.kind, WatchlistKey.value)
                              .where(WatchlistKey.entry_id.in_(ids[start:start + 1000])).order_by(WatchlistKey.id)):
            keys[k.entry_id].append((k.kind, k.value))
    return [EntryInfo(
        id=m["id"], case=m["reference"], basis=f"{m['basis_kind']} {m['basis_ref']}", kind=m["kind"], label=m["label"],
        keys=tuple(keys[m["id"]]), reason=m["reason"], added_by=m["added_by_name"], added_at=aware_utc(m["added_at"]),
        expires_at=aware_utc(m["expires_at"]), entity_id=m["entity_id"], birth_date=m["birth_date"],
        father_name=m["father_name"], indicator_type=m["indicator_type"], stix_pattern=m["stix_pattern"],
        removed_at=aware(m["removed_at"])) for m in rows]


def list_entries(view: CaseView, *, include_inactive: bool = False, now: datetime | None = None) -> list[EntryInfo]:
    """The case's entries (active ones unless `include_inactive`): an audited read."""
    with view.read("read.watchlist", detail={"include_inactive": include_inactive}) as r:
        assert r.case is not None
        entries = _read_entries(r.conn, [WatchlistEntry.case_id == r.case.id],
                                None if include_inactive else (now or utcnow()))
        r.disclose(e.id for e in entries)
    return entries


def active_entries(gate: Gate, principal: Principal, purpose: str, *, now: datetime | None = None) -> list[EntryInfo]:
    """Every active entry `principal` may screen against (SYSTEM: every open case's; a supervisor:
    the agency's; others: their cases'), as one audited bulk read: the index's source. Auditors and
    admins are refused (audited), like any read of personal data."""
    now = now or utcnow()
    with gate.scope(principal, purpose) as job, job.read("read.watchlist.bulk") as r:
        cases = job.readable_cases(r.conn, now)
        refs = [ref for _, ref in cases]
        entries = _read_entries(r.conn, [WatchlistEntry.case_id.in_([i for i, _ in cases])], now) if cases else []
        r.target = ",".join(refs) or None
        r.note(cases=refs, count=len(entries))
    return entries


def watch_status(view: CaseView, entity_ids: Iterable[str], keys: Iterable[tuple[str, str]], *,
                 now: datetime | None = None) -> list[EntryInfo]:
    """The active watchlist entries about one person or thing: entries naming one of its records
    (`entity_ids`, e.g. a resolved cluster) or listing one of its identifiers (`keys`: (kind,
    normalised value)), in the cases the reader may use (their own; a supervisor's agency's). One
    audited read under the reader's purpose; what it shows is a person's page's "watchlists" box."""
    ids = sorted(set(entity_ids))
    listable = {k for kinds in ALLOWED_KEYS.values() for k in kinds} - {"name"}  # a name is no identifier
    wanted = sorted({(k, v) for k, v in keys if k in listable})
    if not ids and not wanted:
        return []
    now = now or utcnow()
    with view.gate.scope(view.principal, view.purpose) as job, \
            job.read("read.watchlist.person", detail={"case": view.case, "records": len(ids)}) as r:
        cases = [i for i, _ in job.readable_cases(r.conn, now)]
        if not cases:
            return []
        named: list[ColumnElement[bool]] = [WatchlistEntry.entity_id.in_(ids)] if ids else []
        for kind in sorted({k for k, _ in wanted}):
            values = [v for k, v in wanted if k == kind]
            named.append(WatchlistEntry.id.in_(select(WatchlistKey.entry_id).where(
                WatchlistKey.kind == kind, WatchlistKey.value.in_(values))))
        entries = _read_entries(r.conn, [WatchlistEntry.case_id.in_(cases), or_(*named)], now)
        r.disclose(e.entity_id for e in entries if e.entity_id)
        r.note(entries=[e.id for e in entries])
    return entries


def audit_screening(view: View, *, record: Mapping[str, object], hit_ids: Iterable[int]) -> None:
    """Record a screening query a person made: which fields (as keyed hashes) and which entries hit."""
    gate = view.gate
    fields = sorted(f"{k}#{gate.digest(k, str(v))}" for k, v in record.items() if v not in (None, "", [], ()))
    hits = sorted(set(hit_ids))
    with view.read("screen.query", target=",".join(f"watchlist:{h}" for h in hits) or None,
                   detail={"fields": fields}) as r:
        r.disclose(hits)


__all__ = ["ENTRY_KINDS", "ALLOWED_KEYS", "EntryInfo", "WatchlistInputError", "add_entry", "import_rows",
           "expire_entry", "entry_case", "list_entries", "active_entries", "audit_screening", "watch_status"]
