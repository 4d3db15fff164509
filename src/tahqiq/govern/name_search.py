"""Finding entities by a person's name, in any script and any common spelling, through the gate.

Names are stored as written ("Mohd Aslam", "محمد اسلم"); equality cannot find one from the other.
This module keeps an in-memory index from canonical name tokens (tahqiq.resolve: Mohd, Muhammad and
محمد all become "muhammad") to entity ids, built from the store on first use and brought up to date
at most every few seconds from the batches ingested since. The index holds ids and canonical tokens
only and never leaves the process: what a search returns is read through the gate like any other
read (`find_by_name` is decided and audited, with the ids it returns; the log keeps a keyed hash of
the name, never the name).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from functools import cache

from sqlalchemy import Engine, func, select

from tahqiq.govern.base import GovernError
from tahqiq.govern.gate import CaseView
from tahqiq.model.schema import model
from tahqiq.resolve import canonical_tokens, name_key, name_similarity
from tahqiq.store import reads
from tahqiq.store.reads import EntityView
from tahqiq.store.tables import IngestBatch, Statement

REFRESH_SECONDS = 5.0
# Name properties that name the entity (or the person a record is about), not a relative.
_NOT_OWN_NAME = {"fatherName", "spouseName", "firstName", "lastName", "subjectFatherName"}


@cache
def name_props() -> tuple[str, ...]:
    props = {p.name for s in model().schemata.values() for p in s.properties.values() if p.type == "name"}
    return tuple(sorted(props - _NOT_OWN_NAME))


class NameIndex:
    """canonical token -> entity ids, for one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tokens: dict[str, set[str]] = defaultdict(set)
        self.keys: dict[str, set[str]] = defaultdict(set)  # the whole name's key -> ids
        self._ids: dict[str, str] = {}  # interned ids: one string per entity, however many tokens
        self._fingerprint: tuple | None = None
        self._last_batch = 0
        self._checked = 0.0
        self._lock = threading.Lock()

    def _add(self, entity_id: str, text: str) -> None:
        eid = self._ids.setdefault(entity_id, entity_id)
        for tok in canonical_tokens(text):
            self.tokens[tok].add(eid)
        key = name_key(text)
        if key:
            self.keys[key].add(eid)

    def refresh(self, *, force: bool = False) -> None:
        """Index the name statements of batches not seen yet (and of the newest batch again, which
        may still be loading). Deleted entities stay in the index; the gate's read drops them."""
        with self._lock:
            now = time.monotonic()
            if not force and self._fingerprint is not None and now - self._checked < REFRESH_SECONDS:
                return
            self._checked = now
            with self.engine.connect() as conn:
                # Cheap to ask (two index lookups and a small table): the newest batch holding
                # statements, and how far every batch has got. Ingest moves one or the other.
                newest = conn.execute(select(func.max(Statement.batch_id))).scalar()
                progress = tuple(conn.execute(select(func.count(), func.sum(IngestBatch.rows_read),
                                                     func.sum(IngestBatch.statements_added))).one())
                fingerprint = (newest, *progress)
                if fingerprint == self._fingerprint:
                    return
                rows = conn.execute(select(Statement.entity_id, Statement.value, Statement.batch_id)
                                    .where(Statement.prop.in_(name_props()), Statement.batch_id >= self._last_batch))
                for eid, value, batch in rows:
                    self._add(eid, value)
                    self._last_batch = max(self._last_batch, batch)
            self._fingerprint = fingerprint

    def candidates(self, text: str) -> tuple[list[str], list[str]]:
        """(ids whose whole name matches, ids whose names contain every token) for `text`."""
        self.refresh()
        toks = canonical_tokens(text)
        if not toks:
            return [], []
        exact = sorted(self.keys.get(name_key(text), ()))
        sets = sorted((self.tokens.get(t, set()) for t in set(toks)), key=len)
        common = set.intersection(*sets) if sets else set()
        return exact, sorted(common - set(exact))


_INDEXES: "weakref.WeakKeyDictionary[Engine, NameIndex]" = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(engine: Engine) -> NameIndex:
    with _INDEXES_LOCK:
        idx = _INDEXES.get(engine)
        if idx is None:
            idx = _INDEXES[engine] = NameIndex(engine)
        return idx


def _best_name(entity: EntityView, text: str) -> float:
    names = [v for p in name_props() for v in entity.values(p)]
    return max((name_similarity(text, n) for n in names), default=0.0)


def find_by_name(view: CaseView, text: str, limit: int = 50) -> list[EntityView]:
    """Entities named `text` (any script, common spellings), best match first: whole-name matches
    before entities whose name merely contains every token."""
    text = (text or "").strip()
    if not canonical_tokens(text):
        raise GovernError("give a name with at least one letter")
    limit = max(1, min(int(limit), 500))
    target = f"name#{view.gate.digest('name', name_key(text))}"
    view._decide("read.find_name", target=target)
    exact, partial = index_for(view.gate.engine).candidates(text)
    with view._session() as s:
        found = reads.get_entities(s, (exact + partial)[:limit])
    found.sort(key=lambda e: -_best_name(e, text))
    view._grant("read.find_name", target=target,
                detail={"prop": "name", "ids": [e.id for e in found], "count": len(found),
                        "more": max(0, len(exact) + len(partial) - limit)})
    return found
