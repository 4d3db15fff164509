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
from datetime import UTC, datetime

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from tahqiq.govern import CaseView, Gate, Principal
from tahqiq.names import name_similarity, parse_name, skeleton_key
from tahqiq.screen.blocking import KEY_WEIGHTS, IndexState, dob_number, key_hash, name_keys, with_mirrors
from tahqiq.screen.evidence import explain_name_match, weigh_evidence
from tahqiq.screen.hits import KEY_KINDS, WatchHit
from tahqiq.screen.keys import normalise_birth_date, normalise_key
from tahqiq.screen.watchlists import EntryInfo, active_entries, list_entries

SCAN_BUDGET = 4000  # postings read per query; longer key lists are only filtered by birth date / father
DEFAULT_THRESHOLD = 0.8
EVIDENCE_BONUS = 10.0  # rank weight of an agreeing birth date / father: more than any one name key
# A query word used by fewer entries than RARE_WORD is checked for a spelling slip; a correction
# must be used by SLIP_RATIO times as many entries (slips also occur in the list's own aliases).
RARE_WORD, SLIP_RATIO = 50, 10


def _epoch(at: datetime | float | None, clock: Callable[[], float]) -> float:
    if at is None:
        return clock()
    if isinstance(at, datetime):
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()
    return float(at)


class WatchlistIndex:
    """Exact-key and name lookups over active watchlist entries (satisfies screen.hits.KeyLookup)."""

    def __init__(self, entries: Iterable = (), *, clock: Callable[[], float] = time.time,
                 loader: Callable[[], Iterable] | None = None) -> None:
        self.clock = clock
        self._loader = loader
        self._state = self._build(entries)
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
        self._state = self._build(self._loader())
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

    def hits(self, kind: str, value: str, *, at: datetime | float | None = None) -> list[WatchHit]:
        """Active entries carrying exactly this normalised key (see screen.keys.normalise_key)."""
        st = self._state
        bucket = st.exact.get(kind)
        if bucket is None:
            raise ValueError(f"unknown key kind {kind!r}; known: {', '.join(KEY_KINDS)} (names: match_name)")
        found = bucket.get(value)
        if found is None:
            return []
        now = _epoch(at, self.clock)
        out = []
        for pos in (found if isinstance(found, tuple) else (found,)):
            if st.expires[pos] > now:
                out.append(self._hit(st, pos, kind, value, 1.0, {"match": "exact", "key": kind}))
        return out

    def screen_key(self, kind: str, raw: str, *, at: datetime | float | None = None) -> list[WatchHit]:
        """Normalise `raw` as `kind` (InvalidValue if it is not one) and look it up."""
        return self.hits(kind, normalise_key(kind, raw), at=at)

    def _hit(self, st: IndexState, pos: int, kind: str, value: str, score: float, explanation: dict) -> WatchHit:
        case_i, _entry_kind, label, _dob, _father = st.meta[pos]
        case, basis = st.cases[case_i]
        explanation["expires_at"] = datetime.fromtimestamp(st.expires[pos], UTC).isoformat()
        return WatchHit(st.ids[pos], kind, value, case, basis, label, round(score, 4), explanation)

    # --- names ------------------------------------------------------------------------------

    def match_name(self, name: str, *, birth_date: str | None = None, father_name: str | None = None,
                   limit: int = 10, threshold: float = DEFAULT_THRESHOLD, at: datetime | float | None = None,
                   rescore: int = 20) -> list[WatchHit]:
        """Person entries whose name (or alias) can be this name, best first, with an explanation.

        Names in any script; titles, "s/o" parentage (used as the father's name when `father_name`
        is not given) and spelling variants are handled by the canonicaliser. `rescore` bounds how
        many blocked candidates are scored with the full similarity."""
        st = self._state
        parsed = parse_name(name)
        if not parsed.given:
            raise ValueError("the name has no name words after removing titles and parentage")
        dob = normalise_birth_date(birth_date) if birth_date else None
        father = father_name or (" ".join(parsed.relative) if parsed.relative else None)
        now = _epoch(at, self.clock)
        keys, corrected = self._query_keys(st, parsed)
        recs, candidates, truncated = self._candidates(st, keys, dob, father, now, max(rescore, limit))
        sims: dict[str, float] = {}  # namesakes share a spelling: score each spelling once
        scored = []
        for rec in recs:
            written = st.rec_name[rec]
            sim = sims.get(written)
            if sim is None:
                sim = sims[written] = name_similarity(name, written)
            scored.append((sim, st.rec_entry[rec], rec))
        scored.sort(key=lambda x: -x[0])
        father_sims: dict[str, float] = {}
        hits = []
        seen_entries: set[int] = set()
        for sim, pos, rec in scored:
            if pos in seen_entries:  # an entry's best-matching alias only
                continue
            seen_entries.add(pos)
            _case, _kind, _label, entry_dob, entry_father = st.meta[pos]
            score, detail = weigh_evidence(sim, dob, entry_dob, father, entry_father, father_sims)
            if score >= threshold:
                hits.append((score, st.ids[pos], pos, rec, detail))
        hits.sort(key=lambda h: (-h[0], h[1]))
        out = []
        for score, _id, pos, rec, detail in hits[:limit]:
            explanation = explain_name_match(parsed, st.rec_name[rec], corrected, candidates, truncated)
            explanation.update(detail)
            out.append(self._hit(st, pos, "name", st.rec_name[rec], score, explanation))
        return out

    def score_entry(self, name: str, entry_id: int, *, birth_date: str | None = None,
                    father_name: str | None = None) -> WatchHit | None:
        """How this one entry scores against the name, bypassing blocking and the threshold: for
        "why did entry N not match?" (and for measuring what blocking loses). None if not indexed."""
        st = self._state
        where = np.flatnonzero(np.frombuffer(st.ids, dtype=np.int64) == entry_id)
        if not len(where):
            return None
        pos = int(where[0])
        parsed = parse_name(name)
        dob = normalise_birth_date(birth_date) if birth_date else None
        father = father_name or (" ".join(parsed.relative) if parsed.relative else None)
        recs = np.flatnonzero(st.np_rec_entry == pos).tolist()
        if not recs or not parsed.given:
            return None
        sim, rec = max((name_similarity(name, st.rec_name[r]), r) for r in recs)
        _case, _kind, _label, entry_dob, entry_father = st.meta[pos]
        score, detail = weigh_evidence(sim, dob, entry_dob, father, entry_father, {})
        explanation = explain_name_match(parsed, st.rec_name[rec], {}, 1, False)
        return self._hit(st, pos, "name", st.rec_name[rec], score, {**explanation, **detail})

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
    def _candidates(st: IndexState, keys: list[tuple[str, str]], dob: str | None, father: str | None, now: float,
                    keep: int) -> tuple[list[int], int, bool]:
        """The `keep` most promising unexpired name records: (records best first, how many
        candidates there were, whether a very common key's list was cut at the scan budget).

        Keys are read rarest first until SCAN_BUDGET postings (longer lists only for candidates
        whose date of birth or father agrees); a candidate scores the weights of the keys it
        shares, plus EVIDENCE_BONUS each when its date of birth and its father's name (consonant
        skeleton) agree: among the namesakes of a common name, those are scored first."""
        lists = []
        for tag, text in dict.fromkeys(keys):
            found = st.blocks.get(key_hash(tag, text))
            if found is not None:
                lists.append((1 if isinstance(found, int) else len(found), KEY_WEIGHTS[tag], found))
        if not lists:
            return [], 0, False
        lists.sort(key=lambda x: x[0] / x[1])  # rarest first, exact-name keys before looser ones
        single_recs, single_w, arrays, weights = [], [], [], []
        scanned, truncated = 0, False
        dob_n = dob_number(dob) if dob else -1
        father_k = key_hash("p", skeleton_key(father)) if father else -1
        for size, w, found in lists:
            if isinstance(found, int):  # a key of one record (size 1); longer lists are arrays
                single_recs.append(found)
                single_w.append(w)
                scanned += 1
                continue
            arr = np.frombuffer(found, dtype=np.uint32)
            if scanned + size > SCAN_BUDGET:
                if dob or father:
                    # A common name's many namesakes: keep those whose date of birth or father agrees
                    # (a vectorised filter, cheap even for long lists).
                    pos = st.np_rec_entry[arr]
                    arr = arr[(st.np_dobs[pos] == dob_n) | (st.np_fathers[pos] == father_k)]
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
        if not arrays and not single_recs:
            return [], 0, False
        if single_recs:
            arrays.append(np.array(single_recs, dtype=np.uint32))
            weights.append(np.array(single_w, dtype=np.float64))
        recs, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
        score = np.bincount(inverse, weights=np.concatenate(weights))
        pos = st.np_rec_entry[recs]
        if dob:
            score += EVIDENCE_BONUS * (st.np_dobs[pos] == dob_n)
        if father:
            score += EVIDENCE_BONUS * (st.np_fathers[pos] == father_k)
        score[st.np_expires[pos] <= now] = -1.0  # expired: checked now, not at the last refresh
        alive = int((score >= 0).sum())
        if alive > keep:
            top = np.argpartition(-score, keep)[:keep]
        else:
            top = np.flatnonzero(score >= 0)
        top = top[np.argsort(-score[top], kind="stable")]
        return recs[top].tolist(), alive, truncated


__all__ = ["WatchlistIndex", "DEFAULT_THRESHOLD"]
