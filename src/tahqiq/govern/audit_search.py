"""Finding entries in the audit log the way an overseer asks: who searched this name (in any script,
any spelling search accepts), this phone (in any format), this CNIC or plate; what a user did; what
was read under a case; who read a record; within dates, a page at a time.

The log never holds a searched value, only a keyed digest of it (`Gate.digest`), so a look-up
computes the digests exactly as search does and matches them in both shapes the log holds:

* one search, one entry: action ``read.search`` whose detail lists ``"queried": ["<kind>#<digest>",
  ...]``, the digest of the normalised value under its *type* (``cnic``, ``phone``, ``name`` with
  `name_key`);
* older entries: one ``read.find`` per property searched, target ``"<property>#<digest>"``
  (``subscriberCnic#...``), and ``read.find_name`` with target ``"name#<digest>"``.

Speed on a long log (a million entries) comes from indexed columns only: a date range becomes a
range of sequence numbers (entries are appended in time order, so a binary search over the primary
key finds the bounds in ~20 look-ups); a value look-up reads the search actions through the
`action` index; user and case use theirs. Counting stops at `COUNT_CAP` ("more than 10,000").
Every look-up is itself an audit entry, as `Gate.access_log`'s are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, and_, false, func, or_, select

from tahqiq.govern import audit_index
from tahqiq.govern.audit_records import AuditRecord, iso_utc
from tahqiq.govern.base import AUDITOR, SUPERVISOR, GovernError, Principal
from tahqiq.govern.entries import deny, record
from tahqiq.govern.tables import AuditEntry, Case, User
from tahqiq.model.schema import model
from tahqiq.model.types import InvalidValue, normalise
from tahqiq.names import canonical_tokens, name_key

if TYPE_CHECKING:
    from tahqiq.govern.gate import Gate

SEARCH_ACTIONS = ("read.search", "read.find", "read.find_name")
NAME = "name"
ANY = "any"
COUNT_CAP = 10_000
EXPORT_CAP = 100_000
MAX_PAGE = 1_000
OVERSEERS = (AUDITOR, SUPERVISOR)
REFUSAL = "only auditors and supervisors may read the audit log"

_e = AuditEntry.__table__.c


class BadLookup(GovernError):
    """A searched value that cannot be looked up. `code` says why for the web layer to phrase:
    ``not_a_<kind>`` (the value does not parse as that type), ``no_letters`` (a name without letters),
    ``unknown_kind``, ``nothing`` (a value no search would accept)."""

    def __init__(self, code: str, kind: str) -> None:
        super().__init__(f"{code} ({kind})")
        self.code, self.kind = code, kind


@dataclass(frozen=True)
class Lookup:
    """What a searched value looks like in the log: the kinds it was taken for, the keys one search
    entry lists under `queried`, and the targets older per-property entries carry."""

    kinds: tuple[str, ...]
    keys: tuple[str, ...]
    targets: tuple[str, ...]


def lookup_kinds() -> tuple[str, ...]:
    """The kinds a look-up accepts: the model's searchable types, then names."""
    return (*model().search_types, NAME)


def lookup(gate: Gate, kind: str, value: str) -> Lookup:
    """The log's keys for `value` searched as `kind` (``any``: every kind it parses as, as the search
    box takes it). Normalised exactly as search normalises: 0300-1234567, +92 300 1234567 and
    923001234567 are one phone; "محمد اسلم" and "Muhammad Aslam" one name key."""
    value = (value or "").strip()
    kinds = lookup_kinds()
    if kind == ANY:
        found = [k for k in model().search_types if _parses(k, value)]
        if not found and canonical_tokens(value):
            found = [NAME]
        if not found:
            raise BadLookup("nothing", ANY)
        parts = [lookup(gate, k, value) for k in found]
        return Lookup(tuple(found), tuple(k for p in parts for k in p.keys),
                      tuple(t for p in parts for t in p.targets))
    if kind not in kinds:
        raise BadLookup("unknown_kind", kind)
    if kind == NAME:
        key = name_key(value)
        if not key:
            raise BadLookup("no_letters", kind)
        digest = f"{NAME}#{gate.digest(NAME, key)}"
        return Lookup((NAME,), (digest,), (digest,))
    try:
        norm = normalise(kind, value)
    except InvalidValue:
        raise BadLookup(f"not_a_{kind}", kind) from None
    key = f"{kind}#{gate.digest(kind, norm)}"
    # Older entries name the property searched (the type's own name among them: `cnic`, `phone`).
    targets = dict.fromkeys([key, *(f"{p}#{gate.digest(p, norm)}" for p in model().props_of_type(kind))])
    return Lookup((kind,), (key,), tuple(targets))


def _parses(kind: str, value: str) -> bool:
    try:
        normalise(kind, value)
    except InvalidValue:
        return False
    return True


@dataclass(frozen=True)
class AuditQuery:
    """The filters of a look-up; all optional. `start`/`end` are aware datetimes ([start, end));
    `action` is a code (``read.search``) or a family (``read.*``)."""

    case: str | None = None
    actor: str | None = None
    entity: str | None = None
    action: str | None = None
    decision: str | None = None
    lookup: Lookup | None = None
    start: datetime | None = None
    end: datetime | None = None

    def described(self) -> dict[str, Any]:
        """The filters as the look-up's own audit entry records them (digests, never values)."""
        return {"case": self.case, "actor": self.actor, "entity": self.entity, "action": self.action,
                "decision": self.decision, "value": list(self.lookup.keys) if self.lookup else None,
                "from": iso_utc(self.start) if self.start else None, "to": iso_utc(self.end) if self.end else None}


@dataclass
class AuditPage:
    """One page of matching entries, newest first; `total` is exact unless `more` (then at least)."""

    records: list[AuditRecord]
    total: int
    more: bool
    offset: int
    limit: int
    matched: dict[int, list[str]] = field(default_factory=dict)  # seq -> the look-up's keys it matched


def find_entries(gate: Gate, principal: Principal, query: AuditQuery, *, offset: int = 0, limit: int = 50,
                 since: int = 0, newest_first: bool = True, count: bool = True) -> AuditPage:
    """One page of the entries matching `query` that `principal` may see (auditors: all; supervisors:
    their agency's cases and users), and how many match. Refusals and the look-up itself are logged."""
    _check(gate, principal)
    limit, offset = max(1, min(limit, MAX_PAGE)), max(0, offset)
    if query.entity or query.lookup is not None:
        audit_index.catch_up(gate.engine)
    with gate.engine.connect() as conn:
        where = _where(conn, principal, query, since)
        records: list[AuditRecord] = []
        total, more = 0, False
        if where is not None:
            order = _e.seq.desc() if newest_first else _e.seq
            q = select(_e.entry, _e.leaf_hash).where(where).order_by(order).offset(offset).limit(limit)
            records = [AuditRecord.from_entry(r.entry, r.leaf_hash) for r in conn.execute(q)]
            if count:
                total, more = _count(conn, where)
            else:
                total = offset + len(records)
    record(gate.audit, principal, "audit.read", case=query.case,
           detail={"filters": query.described(), "offset": offset, "count": len(records)})
    return AuditPage(records, max(total, offset + len(records)), more, offset, limit,
                     _matched(records, query.lookup))


def iter_entries(gate: Gate, principal: Principal, query: AuditQuery, *, cap: int = EXPORT_CAP,
                 batch: int = 1000) -> Iterator[AuditRecord]:
    """Every entry matching `query` (at most `cap`), newest first, for a download. Decided and logged
    (``audit.export``, with the filters) before the first entry is read."""
    _check(gate, principal, "audit.export")
    record(gate.audit, principal, "audit.export", case=query.case,
           detail={"filters": query.described(), "cap": cap})
    if query.entity or query.lookup is not None:
        audit_index.catch_up(gate.engine)

    def stream() -> Iterator[AuditRecord]:
        last: int | None = None
        sent = 0
        while sent < cap:
            with gate.engine.connect() as conn:  # one short read per batch: no transaction held open
                where = _where(conn, principal, query, 0)
                if where is None:
                    return
                if last is not None:
                    where = and_(where, _e.seq < last)
                q = select(_e.entry, _e.leaf_hash).where(where).order_by(_e.seq.desc()).limit(min(batch, cap - sent))
                rows = list(conn.execute(q))
            if not rows:
                return
            for r in rows:
                rec = AuditRecord.from_entry(r.entry, r.leaf_hash)
                last = rec.seq
                sent += 1
                yield rec

    return stream()


def matched_keys(rec: AuditRecord, lookup_: Lookup) -> list[str]:
    """Which of the look-up's keys this entry records as searched."""
    listed = rec.detail.get("queried")
    listed = set(listed) if isinstance(listed, list) else set()
    return [k for k in dict.fromkeys((*lookup_.keys, *lookup_.targets)) if k in listed or rec.target == k]


def _matched(records: list[AuditRecord], lookup_: Lookup | None) -> dict[int, list[str]]:
    if lookup_ is None:
        return {}
    return {r.seq: m for r in records if (m := matched_keys(r, lookup_))}


def _check(gate: Gate, principal: Principal, action: str = "audit.read") -> None:
    gate.check_active(principal, action)
    if principal.role not in OVERSEERS:
        raise deny(gate.audit, principal, action, REFUSAL)


def _where(conn: Connection, principal: Principal, q: AuditQuery, since: int) -> ColumnElement[bool] | None:
    """The query's condition, or None when no entry can match (an empty date range)."""
    conds: list[ColumnElement[bool]] = []
    lo, hi = since, None
    if q.start is not None:
        lo = max(lo, seq_at(conn, q.start))
    if q.end is not None:
        hi = seq_at(conn, q.end)
    if hi is not None and hi <= lo:
        return None
    if lo:
        conds.append(_e.seq >= lo)
    if hi is not None:
        conds.append(_e.seq < hi)
    if principal.role == SUPERVISOR:
        conds.append(or_(_e.case_ref.in_(select(Case.reference).where(Case.agency_id == principal.agency_id)),
                         _e.actor.in_(select(User.username).where(User.agency_id == principal.agency_id))))
    if q.case:
        conds.append(_e.case_ref == q.case)
    if q.actor:
        conds.append(_e.actor == q.actor)
    if q.decision:
        conds.append(_e.decision == q.decision)
    if q.action:
        if q.action.endswith(".*"):
            conds.append(_e.action.startswith(q.action[:-1], autoescape=True))
        else:
            conds.append(_e.action == q.action)
    if q.entity:
        # A record's id is in the entry's target or among the ids it disclosed (the key index).
        conds.append(audit_index.names_any(conn, [q.entity]))
    if q.lookup is not None:
        keys = [*q.lookup.keys, *q.lookup.targets]
        conds.append(and_(_e.action.in_(SEARCH_ACTIONS), audit_index.names_any(conn, keys)) if keys else false())
    return and_(*conds) if conds else _e.seq >= 0


def _count(conn: Connection, where: ColumnElement[bool]) -> tuple[int, bool]:
    capped = select(_e.seq).where(where).limit(COUNT_CAP + 1).subquery()
    n = int(conn.execute(select(func.count()).select_from(capped)).scalar_one())
    return min(n, COUNT_CAP), n > COUNT_CAP


def actor_names(gate: Gate, usernames: Iterable[str]) -> dict[str, str]:
    """username -> full name of the staff accounts named (what the log calls an actor); staff
    accounts are not personal data of the store."""
    names = sorted(set(usernames))
    if not names:
        return {}
    with gate.engine.connect() as conn:
        rows = conn.execute(select(User.username, User.full_name).where(User.username.in_(names)))
        return {r.username: r.full_name for r in rows if r.full_name}


def seq_at(conn: Connection, when: datetime) -> int:
    """The first sequence number recorded at or after `when` (the log's size if none): a binary
    search over the primary key, since entries are appended in time order."""
    stamp = iso_utc(when)
    lo = int(conn.execute(select(func.min(_e.seq))).scalar() or 0)
    hi = int(conn.execute(select(func.max(_e.seq))).scalar() or -1) + 1
    while lo < hi:
        mid = (lo + hi) // 2
        row = conn.execute(select(_e.seq, _e.recorded_at).where(_e.seq >= mid).order_by(_e.seq).limit(1)).first()
        if row is None or row.recorded_at >= stamp:
            hi = mid
        else:
            lo = int(row.seq) + 1
    return lo


__all__ = ["ANY", "COUNT_CAP", "EXPORT_CAP", "NAME", "OVERSEERS", "SEARCH_ACTIONS", "AuditPage", "AuditQuery",
           "BadLookup", "Lookup", "actor_names", "find_entries", "iter_entries", "lookup", "lookup_kinds",
           "matched_keys", "seq_at"]
