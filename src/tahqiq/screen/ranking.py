"""Weighing the candidates of a name search with the facts the query carries, vectorised.

Namesakes are the cost of screening a large list: "Muhammad Aslam" is one spelling shared by
thousands of entries, each with its own father and birth date. Scoring every namesake's father with
the name similarity would cost tens of milliseconds a query, so the fathers are compared in two
steps: a father who shares no name word with the query's father (by consonant skeleton or by
first three letters, leaving out words so common that they identify nobody) is taken as a
different father at once; only the others are scored, and those born in the query's year when the
father decides whether they are a hit. The
verdict is part of the documented rule (screen.evidence), so the score and its explanation agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tahqiq.names import name_similarity, parse_name, token_skeleton
from tahqiq.screen.evidence import (
    BOTH_AGREE,
    EVIDENCE_HEADROOM,
    FATHER_AGREES,
    FATHER_AGREES_AT,
    FATHER_DIFFERS,
    FATHER_DIFFERS_BELOW,
    OTHER_BIRTH_YEAR,
    SAME_BIRTH_DATE,
    SAME_BIRTH_YEAR,
)

if TYPE_CHECKING:
    from tahqiq.screen.blocking import IndexState

FATHER_WORDS = 8  # hashed words kept per entry's father: a skeleton and a beginning for up to 4 words
# A father's word used by more than this share of the list's fathers (Muhammad, Ghulam, Allah)
# does not make two fathers alike on its own.
COMMON_FATHER_WORD, MIN_COMMON = 0.01, 50
# Distinct spellings scored per query: the best MAX_SPELLINGS by shared name keys, then up to
# MAX_FACT_SPELLINGS more of the records whose father or birth date agrees. Namesakes share
# spellings, so this bounds the work (and the latency) without bounding how many namesakes come back;
# the second order finds the listed person among thousands of namesakes when the record spells the
# name oddly (a dropped family name, a slip).
MAX_SPELLINGS, MAX_FACT_SPELLINGS = 16, 10
TOP_RECORDS = 2000


def father_word_hashes(father: str | None) -> list[int]:
    """Hashes of the words that make two fathers' names alike: each word's consonant skeleton and
    its first three letters (a slip rarely hits a name's beginning)."""
    if not father:
        return []
    out: list[int] = []
    for tok in parse_name(father).given[:4]:
        out.append(hash("fs\x00" + (token_skeleton(tok) or tok)))
        if len(tok) >= 3:
            out.append(hash("fp\x00" + tok[:3]))
    return out


@dataclass(frozen=True)
class Ranked:
    """Every entry above the threshold, best first, as parallel arrays (positions in the index)."""

    pos: np.ndarray  # entry positions
    rec: np.ndarray  # the name record (alias) that matched best
    score: np.ndarray
    name_score: np.ndarray
    father_score: np.ndarray  # NaN: not scored (no name word in common) or not compared

    def __len__(self) -> int:
        return len(self.pos)


EMPTY = Ranked(*(np.zeros(0, t) for t in (np.int64, np.int64, np.float64, np.float64, np.float64)))


class FatherCheck:
    """The query father's rare words and a per-query cache of father similarities."""

    def __init__(self, father: str | None, word_counts: dict[int, int], fathers: int) -> None:
        self.father = father
        words = father_word_hashes(father)
        common = max(COMMON_FATHER_WORD * fathers, MIN_COMMON)
        rare = [w for w in words if 0 < word_counts.get(w, 0) <= common]
        # A father none of whose words is both listed and rare (Muhammad Ali; a slip in every word)
        # is compared by all his words.
        self.words = np.array(rare or words, dtype=np.int64)
        self.cache: dict[str, float] = {}

    def similarity(self, entry_father: str) -> float:
        got = self.cache.get(entry_father)
        if got is None:
            got = self.cache[entry_father] = name_similarity(self.father or "", entry_father)
        return got


def _spellings(spell: np.ndarray, by_name: np.ndarray, by_facts: np.ndarray) -> list[int]:
    """The spellings worth scoring, in the order of the two budgets."""
    picked: dict[int, None] = {}
    facts = bool(by_facts.any())  # without agreeing facts the whole budget goes to the name order
    budgets = (by_name, MAX_SPELLINGS + (0 if facts else MAX_FACT_SPELLINGS)), (by_name + by_facts, MAX_FACT_SPELLINGS)
    for order, budget in budgets:
        if order is by_name or facts:
            top = np.arange(len(order))
            if len(order) > TOP_RECORDS:  # the best spellings are among the best records: sort only those
                top = np.sort(np.argpartition(-order, TOP_RECORDS)[:TOP_RECORDS])
            ranked = spell[top[np.argsort(-order[top], kind="stable")]]
            uniq, first = np.unique(ranked, return_index=True)
            fresh = [sid for sid in uniq[np.argsort(first)][:budget + len(picked)].tolist() if sid not in picked]
            picked.update(dict.fromkeys(fresh[:budget]))
    return list(picked)


def rank(st: IndexState, name: str, recs: np.ndarray, by_name: np.ndarray, by_facts: np.ndarray, dob_n: int,
         year: int | None, check: FatherCheck | None, threshold: float) -> Ranked:
    """Score the candidate name records `recs` (their blocking ranks by name keys and by facts) and
    keep every entry above the threshold, ranked by score, then fact agreement, then name score,
    then entry id."""
    if not len(recs):
        return EMPTY
    spell = st.np_rec_spell[recs]
    floor = threshold - EVIDENCE_HEADROOM  # agreeing facts can lift a name this far
    sids, sims = [], []
    for sid in _spellings(spell, by_name, by_facts):
        sim = name_similarity(name, st.spellings[sid])
        if sim >= floor:
            sids.append(sid)
            sims.append(sim)
    if not sids:
        return EMPTY
    sid_arr = np.array(sids, dtype=np.uint32)
    order = np.argsort(sid_arr)
    sid_sorted, sim_sorted = sid_arr[order], np.array(sims)[order]
    keep = np.isin(spell, sid_sorted)
    recs, spell = recs[keep].astype(np.int64), spell[keep]
    name_sim = sim_sorted[np.searchsorted(sid_sorted, spell)]
    pos = st.np_rec_entry[recs].astype(np.int64)
    # one row per entry: its best-matching alias
    best = np.lexsort((-name_sim, pos))
    pos, recs, name_sim = pos[best], recs[best], name_sim[best]
    lead = np.ones(len(pos), dtype=bool)
    lead[1:] = pos[1:] != pos[:-1]
    pos, recs, name_sim = pos[lead], recs[lead], name_sim[lead]

    score = name_sim.copy()
    fact = np.zeros(len(pos))
    entry_dob = st.np_dobs[pos]
    known = entry_dob > 0
    if dob_n > 0 or year:
        same_year = (entry_dob // 10000) == (dob_n // 10000 if dob_n > 0 else year)
        if dob_n > 0:
            same_day = entry_dob == dob_n
            score += np.where(known & same_day, SAME_BIRTH_DATE, 0.0)
            fact += np.where(known & same_day, 1.0, np.where(known & same_year, 0.5, np.where(known, -1.0, 0.0)))
        else:
            score += np.where(known & same_year, SAME_BIRTH_YEAR, 0.0)
            fact += np.where(known & same_year, 0.5, np.where(known, -1.0, 0.0))
        score += np.where(known & ~same_year, OTHER_BIRTH_YEAR, 0.0)
    else:
        same_year = np.zeros(len(pos), dtype=bool)

    father_sim = np.full(len(pos), np.nan)
    if check is not None and check.father:
        has = st.np_has_father[pos]
        # Entries the father cannot bring to the threshold are not worth comparing.
        reachable = has & (score + FATHER_AGREES + BOTH_AGREE >= threshold)
        alike = np.isin(st.np_father_words[pos], check.words).any(axis=1) if len(check.words) else \
            np.zeros(len(pos), dtype=bool)
        # A father sharing no word is still scored when he decides whether a namesake born in the
        # query's year is a hit (a slip in the father's only name: "Ismai" for "Ismail").
        decides = score + FATHER_DIFFERS < threshold
        compare = reachable & (alike | (same_year & decides))
        for i in np.flatnonzero(compare).tolist():
            father_sim[i] = check.similarity(st.meta[int(pos[i])][4] or "")
        scored = ~np.isnan(father_sim)
        fs = np.where(scored, father_sim, 0.0)
        agrees = scored & (fs >= FATHER_AGREES_AT)
        score += np.where(agrees, FATHER_AGREES, 0.0) + np.where(agrees & known & same_year, BOTH_AGREE, 0.0)
        score += np.where((scored & (fs < FATHER_DIFFERS_BELOW)) | (has & ~scored), FATHER_DIFFERS, 0.0)
        fact += fs
    # Rounded so that sums of the evidence steps (0.6 + 0.05 + 0.10 + 0.05) meet the threshold they equal.
    score = np.round(np.clip(score, 0.0, 1.0), 9)
    above = score >= threshold
    if not above.any():
        return EMPTY
    pos, recs, score, name_sim, father_sim, fact = (a[above] for a in (pos, recs, score, name_sim, father_sim, fact))
    ids = st.np_ids[pos]
    order = np.lexsort((ids, -name_sim, -fact, -score))
    return Ranked(pos[order], recs[order], score[order], name_sim[order], father_sim[order])


__all__ = ["FatherCheck", "Ranked", "rank", "father_word_hashes", "MAX_SPELLINGS", "FATHER_WORDS"]
