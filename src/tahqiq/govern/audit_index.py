"""The audit log's key index: which entries name a searched value or a record.

Oversight asks "who searched this phone?" and "who read this record?". The answers are in the
entries (a search lists the keyed digests of what it looked for under `detail.queried`; a read
lists the ids it disclosed), but finding them by scanning every entry's JSON takes seconds on a
million entries. This index keeps one row per (key, seq), filled from the entries themselves and
brought up to date before each look-up, so appending to the log costs nothing more and the index
can be dropped and rebuilt at any time: it is derived, never evidence.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, Engine, Select, false, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from tahqiq.govern.tables import AuditEntry, AuditIndexState, AuditKey

BATCH = 5000
MAX_KEY = 96
_ENTITY_ID = re.compile(r"[0-9a-f]{32}")
_k = AuditKey.__table__.c
_e = AuditEntry.__table__.c
_lock = threading.Lock()


def keys_of(target: str | None, detail: dict[str, object]) -> set[str]:
    """The keys one entry is found by: the searched values' keyed digests and the record ids."""
    keys: set[str] = set()
    queried = detail.get("queried")
    if isinstance(queried, list):
        keys.update(k for k in queried if isinstance(k, str) and "#" in k)
    # Record ids: the disclosed `ids`, and any other detail field holding one (a note's entity...).
    for value in detail.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and _ENTITY_ID.fullmatch(item):
                keys.add(item)
    if target:
        if "#" in target:
            keys.add(target)
        keys.update(t for t in target.split(",") if _ENTITY_ID.fullmatch(t))
    return {k for k in keys if len(k) <= MAX_KEY}


def catch_up(engine: Engine) -> int:
    """Index the entries appended since the last call; returns how many entries were read."""
    read = 0
    with _lock:
        while True:
            with engine.begin() as conn:
                upto = _indexed_upto(conn)
                rows = conn.execute(select(_e.seq, _e.target, _e.entry).where(_e.seq >= upto)
                                    .order_by(_e.seq).limit(BATCH)).all()
                if not rows:
                    return read
                pairs = [{"key": key, "seq": r.seq} for r in rows
                         for key in keys_of(r.target, json.loads(r.entry).get("detail") or {})]
                if pairs:
                    _insert_ignoring_duplicates(conn, pairs)
                conn.execute(update(AuditIndexState).where(AuditIndexState.id == 1)
                             .values(indexed_upto=rows[-1].seq + 1))
                read += len(rows)
            if len(rows) < BATCH:
                return read


def seqs_naming(keys: Iterable[str]) -> Select[tuple[int]]:
    """A sub-select of the sequence numbers of entries that name any of `keys` (call `catch_up` first)."""
    return select(_k.seq).where(_k.key.in_(sorted(set(keys))))


def names_any(conn: Connection, keys: Iterable[str], cap: int = 20_000) -> ColumnElement[bool]:
    """A condition on audit entries: the entry names one of `keys`. The matching sequence numbers
    are fetched first (an index range scan), so the planner cannot choose to walk a broad index
    such as the action's and test every entry against the sub-select."""
    seqs = list(conn.execute(seqs_naming(keys).limit(cap + 1)).scalars())
    if len(seqs) > cap:
        return _e.seq.in_(seqs_naming(keys))
    return _e.seq.in_(seqs) if seqs else false()


def _indexed_upto(conn: Connection) -> int:
    upto = conn.execute(select(AuditIndexState.indexed_upto).where(AuditIndexState.id == 1)).scalar()
    if upto is None:
        conn.execute(insert(AuditIndexState).values(id=1, indexed_upto=0))
        return 0
    return int(upto)


def _insert_ignoring_duplicates(conn: Connection, pairs: list[dict[str, object]]) -> None:
    # Another process may have indexed the same entries a moment earlier: the rows are identical.
    table = AuditKey
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(table).on_conflict_do_nothing(), pairs)
    else:
        conn.execute(insert(table).prefix_with("OR IGNORE"), pairs)


__all__ = ["catch_up", "keys_of", "names_any", "seqs_naming"]
