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

from sqlalchemy import Connection, select, update

from tahqiq.govern.base import READER_ROLES, SUPERVISOR, GovernError, Principal, aware, utcnow
from tahqiq.govern.cases import case_access
from tahqiq.govern.gate import MIN_PURPOSE, CaseView, Gate
from tahqiq.govern.identity import deny, still_valid
from tahqiq.govern.tables import Case, User, WatchlistEntry
from tahqiq.screen.entries import (ALLOWED_KEYS, ENTITY_SOURCES, ENTRY_KINDS, Draft, as_list,
                                   parse_expiry, validate_entry)
from tahqiq.screen.tables import WatchlistKey


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


def _require_basis(view: CaseView, case: Case, kinds: Iterable[str], action: str, target: str | None) -> None:
    if "person" in set(kinds) and case.basis_kind != "warrant":
        raise deny(view.gate.audit, view.principal, action,
                   f"a person can only be put on a watchlist under a warrant; case {view.case}'s legal basis is an FIR",
                   target=target, case=view.case, purpose=view.purpose)


def _key_digests(view: CaseView, draft: Draft) -> list[str]:
    return [f"{k}#{view.gate.digest(k, v)}" for k, v, _ in draft.keys]


def _insert(conn: Connection, view: CaseView, case: Case, draft: Draft) -> int:
    wid = conn.execute(WatchlistEntry.__table__.insert().values(
        case_id=case.id, kind=draft.kind, entity_id=draft.entity_id, label=draft.label,
        birth_date=draft.birth_date, father_name=draft.father_name, indicator_type=draft.indicator_type,
        stix_pattern=draft.stix_pattern, reason=draft.reason, added_by=view.principal.user_id,
        added_at=utcnow(), expires_at=draft.expires_at)).inserted_primary_key[0]
    conn.execute(WatchlistKey.__table__.insert(),
                 [{"entry_id": wid, "kind": k, "value": v, "original": o} for k, v, o in draft.keys])
    return wid


def _entity_keys(view: CaseView, kind: str, entity_id: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Keys (and birth date / father's name) of a store entity, read through the gate."""
    if kind not in ENTITY_SOURCES:
        raise GovernError(f"a {kind} entry cannot be made from a store entity; give the indicator itself")
    schema, props = ENTITY_SOURCES[kind]
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
    case = view._decide("watchlist.add", target=entity_id)
    _require_basis(view, case, [kind], "watchlist.add", entity_id)
    keys = {k: as_list(v) for k, v in (keys or {}).items()}
    if entity_id:
        from_entity, extra = _entity_keys(view, kind, entity_id)
        for k, vals in from_entity.items():
            keys[k] = keys.get(k, []) + vals
        birth_date = birth_date or extra.get("birth_date")
        father_name = father_name or extra.get("father_name")
    draft, errors = validate_entry(
        kind, reason=reason, expires_at=expires_at, keys=keys, case_ref=case.reference, case_expires=case.expires_at,
        now=utcnow(), birth_date=birth_date, father_name=father_name, indicator_type=indicator_type,
        stix_pattern=stix_pattern, entity_id=entity_id)
    if errors:
        raise WatchlistInputError(errors)
    with view.gate.audit.transaction() as conn:
        if entity_id:
            view._attach(conn, case, entity_id, f"watchlist: {draft.reason}")
        wid = _insert(conn, view, case, draft)
        view.gate.audit.append(view.principal.username, "watchlist.add", role=view.principal.role, decision="grant",
                               case=view.case, purpose=view.purpose, target=entity_id or f"watchlist:{wid}", conn=conn,
                               detail={"watchlist_id": wid, "kind": kind, "reason": draft.reason,
                                       "keys": _key_digests(view, draft), "expires": draft.expires_at.isoformat()})
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
    case = view._decide("watchlist.import")
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
    with view.gate.audit.transaction() as conn:
        ids = [_insert(conn, view, case, d) for d in drafts]
        kinds: dict[str, int] = defaultdict(int)
        for d in drafts:
            kinds[d.kind] += 1
        view.gate.audit.append(view.principal.username, "watchlist.import", role=view.principal.role, decision="grant",
                               case=view.case, purpose=view.purpose, target=f"watchlist:{ids[0]}-{ids[-1]}",
                               conn=conn, detail={"ids": ids, "count": len(ids), "kinds": dict(kinds)})
    return ids


def entry_case(gate: Gate, entry_id: int) -> str:
    """The case reference an entry belongs to (not personal data: lets `expire ID` open the right case)."""
    with gate.engine.connect() as conn:
        ref = conn.execute(select(Case.reference).join(WatchlistEntry, WatchlistEntry.case_id == Case.id)
                           .where(WatchlistEntry.id == entry_id)).scalar()
    if ref is None:
        raise GovernError(f"no watchlist entry {entry_id}")
    return ref


def expire_entry(view: CaseView, entry_id: int, reason: str) -> None:
    """End an entry now (it stops matching at once, and at the next index refresh everywhere)."""
    target = f"watchlist:{entry_id}"
    case = view._decide("watchlist.expire", target=target)
    if not reason or len(reason.strip()) < 3:
        raise GovernError("give the reason for ending the entry")
    with view.gate.audit.transaction() as conn:
        row = conn.execute(select(WatchlistEntry.case_id, WatchlistEntry.removed_at)
                           .where(WatchlistEntry.id == entry_id)).first()
        if row is None or row.case_id != case.id:
            raise GovernError(f"entry {entry_id} is not on case {view.case}'s watchlist")
        if row.removed_at is not None:
            raise GovernError(f"entry {entry_id} was already ended")
        conn.execute(update(WatchlistEntry).where(WatchlistEntry.id == entry_id).values(
            removed_at=utcnow(), removed_by=view.principal.user_id, removed_reason=reason.strip()))
        view.gate.audit.append(view.principal.username, "watchlist.expire", role=view.principal.role, decision="grant",
                               case=view.case, purpose=view.purpose, target=target, conn=conn,
                               detail={"watchlist_id": entry_id, "reason": reason.strip()})


def _read_entries(conn: Connection, where: list, now: datetime | None) -> list[EntryInfo]:
    """Entries matching `where` with their keys; only active ones at `now` unless now is None."""
    e = WatchlistEntry.__table__.c
    q = (select(e, Case.reference, Case.basis_kind, Case.basis_ref, User.username.label("added_by_name"))
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
        keys=tuple(keys[m["id"]]), reason=m["reason"], added_by=m["added_by_name"], added_at=aware(m["added_at"]),
        expires_at=aware(m["expires_at"]), entity_id=m["entity_id"], birth_date=m["birth_date"],
        father_name=m["father_name"], indicator_type=m["indicator_type"], stix_pattern=m["stix_pattern"],
        removed_at=aware(m["removed_at"])) for m in rows]


def list_entries(view: CaseView, *, include_inactive: bool = False, now: datetime | None = None) -> list[EntryInfo]:
    """The case's entries (active ones unless `include_inactive`): an audited read."""
    case = view._decide("read.watchlist")
    with view.gate.engine.connect() as conn:
        entries = _read_entries(conn, [WatchlistEntry.case_id == case.id],
                                None if include_inactive else (now or utcnow()))
    view._grant("read.watchlist", target=",".join(str(x.id) for x in entries) or None,
                detail={"count": len(entries), "include_inactive": include_inactive})
    return entries


def _bulk_cases(conn: Connection, principal: Principal, now: datetime) -> tuple[list[int], list[str]]:
    """Open, unexpired cases whose watchlists `principal` may load in bulk: all for SYSTEM (the
    detection worker), the agency's for a supervisor, and for others the cases the gate grants."""
    open_cases = select(Case.id, Case.reference).where(Case.status == "open", Case.expires_at > now)
    if principal.is_system:
        rows = list(conn.execute(open_cases.order_by(Case.reference)))
    elif principal.role == SUPERVISOR:
        rows = list(conn.execute(open_cases.where(Case.agency_id == principal.agency_id).order_by(Case.reference)))
    else:
        rows = [r for r in conn.execute(open_cases.order_by(Case.reference))
                if case_access(conn, principal, r.reference)[1] is None]
    return [r.id for r in rows], [r.reference for r in rows]


def active_entries(gate: Gate, principal: Principal, purpose: str, *, now: datetime | None = None) -> list[EntryInfo]:
    """Every active entry `principal` may screen against, as one audited bulk read (the index's
    source). Auditors and admins are refused (audited), like any read of personal data."""
    action = "read.watchlist.bulk"
    now = now or utcnow()
    with gate.engine.connect() as conn:
        reason = still_valid(conn, principal)
        if reason is None and not principal.is_system and principal.role not in READER_ROLES:
            _, reason = case_access(conn, principal, None)  # the role's refusal, in the gate's words
        if reason is None and len((purpose or "").strip()) < MIN_PURPOSE:
            reason = "state the purpose of this access (at least a few words)"
        if reason is not None:
            raise deny(gate.audit, principal, action, reason, purpose=purpose)
        case_ids, refs = _bulk_cases(conn, principal, now)
        entries = _read_entries(conn, [WatchlistEntry.case_id.in_(case_ids)], now) if case_ids else []
    gate.audit.append(principal.username, action, role=principal.role, purpose=purpose, decision="grant",
                      target=",".join(refs) or None, detail={"cases": refs, "count": len(entries)})
    return entries


def audit_screening(gate: Gate, principal: Principal, *, purpose: str, case: str | None,
                    record: Mapping[str, object], hit_ids: Iterable[int]) -> None:
    """Record a screening query a person made: which fields (as keyed hashes) and which entries hit."""
    fields = sorted(f"{k}#{gate.digest(k, str(v))}" for k, v in record.items() if v not in (None, "", [], ()))
    hits = sorted(set(hit_ids))
    gate.audit.append(principal.username, "screen.query", role=principal.role, case=case, purpose=purpose,
                      decision="grant", target=",".join(f"watchlist:{h}" for h in hits) or None,
                      detail={"fields": fields, "hits": hits, "count": len(hits)})


__all__ = ["ENTRY_KINDS", "ALLOWED_KEYS", "EntryInfo", "WatchlistInputError", "add_entry", "import_rows",
           "expire_entry", "entry_case", "list_entries", "active_entries", "audit_screening"]
