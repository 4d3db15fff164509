"""The in-memory watchlist index: exact keys in dictionaries, person names behind blocking keys.

    index = WatchlistIndex.load(gate, SYSTEM, "detection worker: screen checkpoint events")
    index.hits("cnic", "35202-1234567-1")                # exact, already-normalised key
    index.match_name("محمد اسلم ولد غلام رسول", birth_date="1980-02-01")
    index.refresh()                                      # re-read the active entries (audited again)

Loading is a gated, audited read (`watchlists.active_entries`, or `list_entries` for one case's
view). Expiry is checked on every lookup against the index's clock, so an entry stops
matching the moment it expires, whether or not anything refreshes the index; an entry ended early
(`watchlist expire`) stops matching at the next refresh.

Name matching (docs/screening.md): each name and alias is parsed with the resolution canonicaliser
and filed under blocking keys (sorted canonical tokens, their consonant skeletons, skeleton pairs);
a query reads its keys rarest first, ranks candidates by shared keys and by birth-date and father's
name agreement, and scores the best with `name_similarity`. Rare query words are spell-corrected.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from tahqiq.govern import CaseView, Gate, Principal
from tahqiq.model.types import InvalidValue
from tahqiq.names import parse_name, skeleton_key
from tahqiq.screen.blocking import KEY_WEIGHTS, IndexState, dob_number, key_hash, name_keys, with_mirrors
from tahqiq.screen.confusions import NEAR_KINDS, NearKeys
from tahqiq.screen.evidence import describe_evidence, explain_name_match
from tahqiq.screen.hits import KEY_KINDS, WatchHit
from tahqiq.screen.keys import normalise_birth_date, normalise_key
from tahqiq.screen.ranking import FatherCheck, Ranked, rank
from tahqiq.screen.watchlists import EntryInfo, active_entries, list_entries

SCAN_BUDGET = 20000  # postings read per query; longer key lists are only filtered by birth date / father
WORD_LIST = 500  # a one-word key's list longer than this is only filtered by birth date / father
DEFAULT_THRESHOLD = 0.8
# Rank weights of agreeing facts. A father's name (as a consonant skeleton) outweighs every name key
# a record can share, so among thousands of namesakes the one whose father agrees is scored first.
DOB_BONUS, FATHER_BONUS = 5.0, 50.0
# A query word used by fewer entries than RARE_WORD is checked for a spelling slip; a correction
# must be used by SLIP_RATIO times as many entries (slips also occur in the list's own aliases).
RARE_WORD, SLIP_RATIO = 50, 10


def _positions(found: int | tuple[int, ...] | None) -> tuple[int, ...]:
    return () if found is None else found if isinstance(found, tuple) else (found,)


def _near_keys(st: IndexState) -> NearKeys:
    return NearKeys({kind: st.exact[kind].keys() for kind in NEAR_KINDS})


def _epoch(at: datetime | float | None, clock: Callable[[], float]) -> float:
    if at is None:
        return clock()
    if isinstance(at, datetime):
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return float(at)


class WatchlistIndex:
    """Exact-key and name lookups over active watchlist entries (satisfies screen.hits.KeyLookup)."""

    def __init__(self, entries: Iterable = (), *, clock: Callable[[], float] = time.time,
                 loader: Callable[[], Iterable] | None = None, plate_lengths: bool = False) -> None:
        self.clock = clock
        # Plates read with a character missing or extra: off unless asked (screen.confusions).
        self.plate_lengths = plate_lengths
        self._loader = loader
        self._state = self._build(entries)
        self._near = _near_keys(self._state)
        self.built_at = clock()

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def load(cls, gate: Gate, principal: Principal, purpose: str = "screen against active watchlists", *,
             clock: Callable[[], float] = time.time) -> WatchlistIndex:
        """Every active entry `principal` may screen against (SYSTEM: all; a supervisor: the agency's
        cases; others: their cases), read through the gate as one audited bulk read."""

        def loader() -> list[EntryInfo]:
            return active_entries(gate, principal, purpose)

        return cls(loader(), clock=clock, loader=loader)

    @classmethod
    def from_view(cls, view: CaseView, *, clock: Callable[[], float] = time.time) -> WatchlistIndex:
        """The active entries of one case (an audited read through the case's view)."""

        def loader() -> list[EntryInfo]:
            return list_entries(view)

        return cls(loader(), clock=clock, loader=loader)

    def refresh(self) -> int:
        """Re-read the entries (through the gate again) and swap the new build in; returns its size."""
        if self._loader is None:
            raise RuntimeError("this index was built from a fixed list of entries; build a new one")
        state = self._build(self._loader())
        near = _near_keys(state)
        # Near matches name listed keys, which are resolved through the state: a reader between the
        # two assignments only finds a key the new state no longer lists missing, never a wrong entry.
        self._state, self._near = state, near
        self.built_at = self.clock()
        return len(self)

    def _build(self, entries: Iterable) -> IndexState:
        st = IndexState()
        now = self.clock()
        case_pos: dict[tuple[str, str], int] = {}
        grow: dict[int, list[int]] = {}
        for e in entries:
            expires = e.expires_at.timestamp()
            if getattr(e, "removed_at", None) is not None or expires <= now:
                continue
            pos = len(st.ids)
            st.ids.append(e.id)
            st.expires.append(expires)
            ci = case_pos.setdefault((e.case, e.basis), len(case_pos))
            if ci == len(st.cases):
                st.cases.append((e.case, e.basis))
            st.meta.append((ci, e.kind, e.label, e.birth_date, e.father_name))
            st.father_keys.append(key_hash("p", skeleton_key(e.father_name)) if e.father_name else 0)
            st.add_father(e.father_name)
            st.dobs.append(dob_number(e.birth_date) if e.birth_date else 0)
            for kind, value in e.keys:
                if kind == "name":
                    self._add_name(st, grow, pos, value)
                    continue
                bucket = st.exact[kind]
                have = bucket.get(value)
                bucket[value] = pos if have is None else (*(have if isinstance(have, tuple) else (have,)), pos)
        blocks = st.blocks
        for key, recs in grow.items():
            blocks[key] = recs[0] if len(recs) == 1 else array("I", recs)
        st.freeze()
        return st

    @staticmethod
    def _add_name(st: IndexState, grow: dict[int, list[int]], pos: int, name: str) -> None:
        parsed = parse_name(name)
        if not parsed.given:
            return
        rec = len(st.rec_name)
        st.rec_entry.append(pos)
        st.rec_name.append(name)
        st.rec_spell.append(st.spelling_id(name))
        seen: set[int] = set()
        for tokens in (parsed.given, parsed.alias):
            for tok in tokens:
                st.vocab[tok] = st.vocab.get(tok, 0) + 1
            for tag, text in name_keys(tokens):
                key = key_hash(tag, text)
                if key in seen:
                    continue
                seen.add(key)
                have = grow.get(key)
                if have is None:
                    grow[key] = [rec]
                else:
                    have.append(rec)

    # --- exact keys -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._state.ids)

    def stats(self) -> dict[str, int]:
        st = self._state
        return {"entries": len(st.ids), "names": len(st.rec_name), "blocking_keys": len(st.blocks),
                "name_tokens": len(st.vocab), **{f"{k}_keys": len(v) for k, v in st.exact.items()}}

    def hits(self, kind: str, value: str, *, at: datetime | float | None = None, near: bool = True) -> list[WatchHit]:
        """Active entries carrying exactly this normalised key (see screen.keys.normalise_key), score
        1.0; then, for plates, CNICs and phones (unless `near=False`), entries whose key is one
        misread or slip away (screen.confusions), with a lower score and the error explained.
        `value` may also be the raw text of a read that did not normalise (a 12-digit CNIC)."""
        st = self._state
        bucket = st.exact.get(kind)
        if bucket is None:
            raise ValueError(f"unknown key kind {kind!r}; known: {', '.join(KEY_KINDS)} (names: match_name)")
        found = bucket.get(value)
        nearby = (self._near.lookup(kind, value, plate_lengths=self.plate_lengths)
                  if near and kind in NEAR_KINDS else [])
        if found is None and not nearby:
            return []
        now = _epoch(at, self.clock)
        out = []
        for pos in _positions(found):
            if st.expires[pos] > now:
                out.append(self._hit(st, pos, kind, value, 1.0, {"match": "exact", "key": kind}))
        seen = {h.entry_id for h in out}
        for m in nearby:  # best first, so an entry listed under two near keys keeps its best
            for pos in _positions(bucket.get(m.listed)):
                if st.expires[pos] > now and st.ids[pos] not in seen:
                    seen.add(st.ids[pos])
                    out.append(self._hit(st, pos, kind, m.listed, m.score, {
                        "match": "near", "key": kind, "read": value, "listed": m.listed, "error": m.error,
                        "why": m.why}))
        return out

    def screen_key(self, kind: str, raw: str, *, at: datetime | float | None = None) -> list[WatchHit]:
        """Normalise `raw` as `kind` and look it up. A plate, CNIC or phone that does not normalise
        (a digit missing, a letter among a plate's digits) is looked up as read among the keys one
        error away; InvalidValue when it is not a valid key and matches none that way either."""
        try:
            value = normalise_key(kind, raw)
        except InvalidValue:
            near = self.hits(kind, raw.strip(), at=at) if kind in NEAR_KINDS else []
            if near:
                return near
            raise
        return self.hits(kind, value, at=at)

    def _hit(self, st: IndexState, pos: int, kind: str, value: str, score: float, explanation: dict) -> WatchHit:
        case_i, _entry_kind, label, _dob, _father = st.meta[pos]
        case, basis = st.cases[case_i]
        explanation["expires_at"] = datetime.fromtimestamp(st.expires[pos], UTC).isoformat()
        return WatchHit(st.ids[pos], kind, value, case, basis, label, round(score, 4), explanation)

    # --- names ------------------------------------------------------------------------------

    def match_name(self, name: str, *, birth_date: str | None = None, father_name: str | None = None,
                   birth_year: int | None = None, limit: int | None = 10, offset: int = 0,
                   threshold: float = DEFAULT_THRESHOLD, at: datetime | float | None = None) -> list[WatchHit]:
        """Person entries whose name (or alias) can be this name, best first, with an explanation:
        the page `offset`..`offset+limit` of every entry above the threshold (limit None: all of
        them; `match_names` also says how many there are)."""
        return self.match_names(name, birth_date=birth_date, father_name=father_name, birth_year=birth_year,
                                limit=limit, offset=offset, threshold=threshold, at=at).hits

    def match_names(self, name: str, *, birth_date: str | None = None, father_name: str | None = None,
                    birth_year: int | None = None, limit: int | None = None, offset: int = 0,
                    threshold: float = DEFAULT_THRESHOLD, at: datetime | float | None = None) -> NameMatches:
        """All entries whose name can be this name, ranked, and the page `offset`..`offset+limit`
        of them explained (limit None: all).

        Names in any script; titles, "s/o" parentage (used as the father's name when `father_name`
        is not given) and spelling variants are handled by the canonicaliser. The score is the name
        similarity moved by the birth date (or `birth_year`) and father's name; among equal scores
        (namesakes) the entry whose father and birth date agree best comes first."""
        st = self._state
        parsed = parse_name(name)
        if not parsed.given:
            raise ValueError("the name has no name words after removing titles and parentage")
        if offset < 0 or (limit is not None and limit < 0):
            raise ValueError("offset and limit must not be negative")
        dob = normalise_birth_date(birth_date) if birth_date else None
        year = int(dob[:4]) if dob else birth_year
        father = father_name or (" ".join(parsed.relative) if parsed.relative else None)
        now = _epoch(at, self.clock)
        keys, corrected = self._query_keys(st, parsed)
        recs, by_name, by_facts, candidates, truncated = self._candidates(st, keys, dob, year, father, now)
        check = FatherCheck(father, st.father_word_counts, st.fathers) if father else None
        ranked = rank(st, name, recs, by_name, by_facts, dob_number(dob) if dob else 0, year, check, threshold)
        end = len(ranked) if limit is None else offset + limit
        out = [self._name_hit(st, parsed, ranked, i, dob, year, father, corrected, candidates, truncated)
               for i in range(offset, min(end, len(ranked)))]
        return NameMatches(out, len(ranked), tuple(st.np_ids[ranked.pos].tolist()), offset, candidates)

    def _name_hit(self, st: IndexState, parsed, ranked: Ranked, i: int, dob: str | None, year: int | None,
                  father: str | None, corrected: dict[str, str], candidates: int, truncated: bool) -> WatchHit:
        pos, rec = int(ranked.pos[i]), int(ranked.rec[i])
        _case, _kind, _label, entry_dob, entry_father = st.meta[pos]
        explanation = explain_name_match(parsed, st.rec_name[rec], corrected, candidates, truncated)
        explanation.update(describe_evidence(float(ranked.name_score[i]), dob, year, entry_dob, father, entry_father,
                                             float(ranked.father_score[i])))
        return self._hit(st, pos, "name", st.rec_name[rec], float(ranked.score[i]), explanation)

    def blocked_entries(self, name: str, *, birth_date: str | None = None, father_name: str | None = None,
                        birth_year: int | None = None) -> set[int]:
        """Ids of the entries blocking brings up for this name, before any scoring: for measuring
        what blocking alone loses."""
        st = self._state
        parsed = parse_name(name)
        dob = normalise_birth_date(birth_date) if birth_date else None
        father = father_name or (" ".join(parsed.relative) if parsed.relative else None)
        keys, _ = self._query_keys(st, parsed)
        year = int(dob[:4]) if dob else birth_year
        recs, _by_name, _by_facts, _n, _cut = self._candidates(st, keys, dob, year, father, float("-inf"))
        return {st.ids[p] for p in st.np_rec_entry[recs].tolist()}

    def score_entry(self, name: str, entry_id: int, *, birth_date: str | None = None,
                    father_name: str | None = None, birth_year: int | None = None) -> WatchHit | None:
        """How this one entry scores against the name, bypassing blocking and the threshold: for
        "why did entry N not match?" (and for measuring what blocking loses). None if not indexed."""
        st = self._state
        where = np.flatnonzero(st.np_ids == entry_id)
        parsed = parse_name(name)
        if not len(where) or not parsed.given:
            return None
        pos = int(where[0])
        dob = normalise_birth_date(birth_date) if birth_date else None
        year = int(dob[:4]) if dob else birth_year
        father = father_name or (" ".join(parsed.relative) if parsed.relative else None)
        recs = np.flatnonzero(st.np_rec_entry == pos).astype(np.uint32)
        if not len(recs):
            return None
        check = FatherCheck(father, st.father_word_counts, st.fathers) if father else None
        no_rank = np.zeros(len(recs))
        ranked = rank(st, name, recs, no_rank, no_rank, dob_number(dob) if dob else 0, year, check, 0.0)
        if not len(ranked):
            return None
        return self._name_hit(st, parsed, ranked, 0, dob, year, father, {}, 1, False)

    def _query_keys(self, st: IndexState, parsed) -> tuple[list[tuple[str, str]], dict[str, str]]:
        keys = with_mirrors(name_keys(parsed.given) + name_keys(parsed.alias))
        corrected: dict[str, str] = {}
        # A word no (or hardly any) entry uses is probably misspelt: try the closest common words.
        for tok in parsed.given:
            uses = st.vocab.get(tok, 0)
            if len(tok) < 4 or uses >= RARE_WORD or not tok.isascii():
                continue
            for cand, _score, _ in process.extract(tok, st.words(tok[0]), scorer=OSA.normalized_similarity,
                                                   score_cutoff=0.75, limit=3):
                if cand == tok or st.vocab[cand] < SLIP_RATIO * uses:
                    continue
                corrected[cand] = tok
                fixed = tuple(cand if t == tok else t for t in parsed.given)
                keys.extend(with_mirrors(name_keys(fixed)))
        return keys, corrected

    @staticmethod
    def _candidates(st: IndexState, keys: list[tuple[str, str]], dob: str | None, year: int | None,
                    father: str | None, now: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, bool]:
        """Every unexpired name record sharing a blocking key with the query: (records, their rank by
        shared name keys, their rank by agreeing facts, how many, whether a very common key's list
        was cut at the scan budget).

        Keys are read rarest first until SCAN_BUDGET postings; a longer list is read only for the
        records whose birth date, birth year or father agrees (a vectorised filter), or, when the
        rarer keys found nothing, up to the budget. A record's name rank is the weights of the keys it
        shares; its fact rank FATHER_BONUS for an agreeing father and DOB_BONUS each for the birth
        year and date (screen.ranking scores the spellings in both orders)."""
        none = np.zeros(0, np.uint32), np.zeros(0), np.zeros(0), 0, False
        lists = []
        for tag, text in dict.fromkeys(keys):
            key = key_hash(tag, text)
            found = st.blocks.get(key)
            if found is not None:
                lists.append((1 if isinstance(found, int) else len(found), KEY_WEIGHTS[tag], found, tag == "w", key))
        if not lists:
            return none
        lists.sort(key=lambda x: x[0] / x[1])  # rarest first, exact-name keys before looser ones
        single_recs, single_w, arrays, weights = [], [], [], []
        scanned, truncated = 0, False
        dob_n = dob_number(dob) if dob else -1
        year_n = year if year else -1
        father_k = key_hash("p", skeleton_key(father)) if father else -1
        for size, w, found, one_word, key in lists:
            if isinstance(found, int):  # a key of one record (size 1); longer lists are arrays
                single_recs.append(found)
                single_w.append(w)
                scanned += 1
                continue
            arr = np.frombuffer(found, dtype=np.uint32)
            # One word's list ("Yaqoob") is for finding a record that dropped the other words, which
            # only agreeing facts can lift to the threshold: a long one is read for those only.
            if scanned + size > SCAN_BUDGET or (one_word and size > WORD_LIST):
                if one_word and not (year or father):
                    continue
                if year or father:
                    if key in st.facets:
                        arr = st.agreeing(key, year_n, father_k)
                    else:
                        pos = st.np_rec_entry[arr]
                        arr = arr[(st.np_years[pos] == year_n) | (st.np_fathers[pos] == father_k)]
                    if len(arr):
                        arrays.append(arr)
                        weights.append(np.full(len(arr), w, dtype=np.float64))
                    continue
                if scanned:
                    continue  # the rarer keys already gave candidates; this one is common
                arr, truncated = arr[:SCAN_BUDGET], True
            arrays.append(arr)
            weights.append(np.full(len(arr), w, dtype=np.float64))
            scanned += len(arr)
        if single_recs:
            arrays.append(np.array(single_recs, dtype=np.uint32))
            weights.append(np.array(single_w, dtype=np.float64))
        if not arrays:
            return none
        recs, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
        score = np.bincount(inverse, weights=np.concatenate(weights))
        pos = st.np_rec_entry[recs]
        facts = np.zeros(len(recs))
        if dob:
            facts += DOB_BONUS * (st.np_dobs[pos] == dob_n)
        if year:
            facts += DOB_BONUS * (st.np_years[pos] == year_n)
        if father:
            facts += FATHER_BONUS * (st.np_fathers[pos] == father_k)
        alive = st.np_expires[pos] > now  # expiry checked now, not at the last refresh
        return recs[alive], score[alive], facts[alive], int(alive.sum()), truncated


@dataclass(frozen=True)
class NameMatches:
    """One page of a name search, and what it takes to reach every other page."""

    hits: list[WatchHit]  # the page, explained
    total: int  # entries above the threshold
    ranked_ids: tuple[int, ...]  # every such entry's id, best first
    offset: int  # where the page starts in ranked_ids
    candidates: int  # name records blocking brought up


__all__ = ["WatchlistIndex", "NameMatches", "DEFAULT_THRESHOLD"]
