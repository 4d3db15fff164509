"""Finding entities by a person's name, in any script and any common spelling, through the gate.

Names are stored as written ("Mohd Aslam", "محمد اسلم"); equality cannot find one from the other.
This module keeps an in-memory index from canonical name tokens (tahqiq.names: Mohd, Muhammad and
محمد all become "muhammad") to entity ids. The index is built on first use and brought up to date at
most every few seconds from the batches ingested since, each time through the gate as the system's
audited read ("search.index"). It holds ids and canonical tokens only and never leaves the process:
what a search returns is read through the case's view like any other read (`find_by_name` is
decided and audited, with the ids it returns; the log keeps a keyed hash of the name, never the name).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict

from sqlalchemy import Engine

from tahqiq.govern import SYSTEM, CaseView, Gate, GovernError
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model
from tahqiq.names import canonical_tokens, name_key, name_similarity

REFRESH_SECONDS = 5.0
INDEX_PURPOSE = "keep the name index of case search up to date"


class NameIndex:
    """canonical token -> entity ids, for one store."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.tokens: dict[str, set[str]] = defaultdict(set)
        self.keys: dict[str, set[str]] = defaultdict(set)  # the whole name's key -> ids
        self._ids: dict[str, str] = {}  # interned ids: one string per entity, however many tokens
        self._version: tuple[object, ...] | None = None
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
        """Index the name values of batches not seen yet (and of the newest batch again, which may
        still be loading). Deleted entities stay in the index; the gate's read drops them."""
        with self._lock:
            now = time.monotonic()
            if not force and self._version is not None and now - self._checked < REFRESH_SECONDS:
                return
            self._checked = now
            version = self.gate.store_version()  # cheap, and no personal data
            if version == self._version:
                return
            with self.gate.scope(SYSTEM, INDEX_PURPOSE) as job, job.read("search.index") as r:
                added = 0
                for eid, value, batch in r.values_since(model().own_name_props, self._last_batch):
                    self._add(eid, value)
                    self._last_batch = max(self._last_batch, batch)
                    added += 1
                r.note(values=added, through_batch=self._last_batch)
            self._version = version

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


_INDEXES: weakref.WeakKeyDictionary[Engine, NameIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(gate: Gate) -> NameIndex:
    """The name index of the gate's store (one per store, shared by every request)."""
    with _INDEXES_LOCK:
        idx = _INDEXES.get(gate.engine)
        if idx is None:
            idx = _INDEXES[gate.engine] = NameIndex(gate)
        return idx


def best_name_similarity(entity: EntityView, text: str) -> float:
    names = [v for p in model().own_name_props for v in entity.values(p)]
    return max((name_similarity(text, n) for n in names), default=0.0)


def find_by_name(view: CaseView, text: str, limit: int = 50) -> list[EntityView]:
    """Entities named `text` (any script, common spellings), best match first: whole-name matches
    before entities whose name merely contains every token."""
    text = (text or "").strip()
    if not canonical_tokens(text):
        raise GovernError("give a name with at least one letter")
    limit = max(1, min(int(limit), 500))
    target = f"name#{view.gate.digest('name', name_key(text))}"
    with view.read("read.find_name", target=target, detail={"prop": "name"}) as r:
        exact, partial = index_for(view.gate).candidates(text)
        found = r.entities((exact + partial)[:limit])
        r.note(more=max(0, len(exact) + len(partial) - limit))
    found.sort(key=lambda e: -best_name_similarity(e, text))
    return found


__all__ = ["NameIndex", "best_name_similarity", "find_by_name", "index_for"]
