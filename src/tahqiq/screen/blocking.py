"""Blocking keys for person names, and the columns one build of the watchlist index keeps.

A name's keys (tag, text): its sorted canonical tokens (f), the same without very common tokens
such as Muhammad or Khan (r), the sorted consonant skeletons (s, and t without the common tokens),
each pair of distinct skeletons (q), and each uncommon word's skeleton alone (w: a record that
drops the family name, "Yaqoob" for "Yaqoob Virk", shares no other key). Keys are stored as
process-local 64-bit hashes; a collision only adds a candidate, which the similarity score then
rejects.
"""

from __future__ import annotations

from array import array
from itertools import combinations

import numpy as np

from tahqiq.names import token_skeleton
from tahqiq.screen.hits import KEY_KINDS
from tahqiq.screen.ranking import FATHER_WORDS, father_word_hashes

# Tokens so many names share that they identify nobody on their own (the canonicaliser weighs them
# down for the same reason): left out of the reduced keys r and t.
COMMON_TOKENS = frozenset({"muhammad", "bibi", "begum", "mai", "mst", "khatoon", "bano", "khan"})
FACET_MIN = 2000  # key lists longer than this are also kept sorted by birth year and father (IndexState.agreeing)
KEY_WEIGHTS = {"f": 8, "r": 5, "s": 4, "t": 3, "q": 1, "w": 1}


def name_keys(tokens: tuple[str, ...]) -> list[tuple[str, str]]:
    """Blocking keys (tag, text) of one name's canonical tokens."""
    if not tokens:
        return []
    skel = [token_skeleton(t) or t for t in tokens]
    reduced = [t for t in tokens if t not in COMMON_TOKENS]
    out = [("f", " ".join(sorted(tokens))), ("s", " ".join(sorted(skel)))]
    if reduced and len(reduced) < len(tokens):
        out.append(("r", " ".join(sorted(reduced))))
        out.append(("t", " ".join(sorted(token_skeleton(t) or t for t in reduced))))
    distinct = sorted(set(skel))
    out.extend(("q", f"{a}|{b}") for a, b in combinations(distinct, 2))
    out.extend(("w", sk) for sk in sorted({token_skeleton(t) or t for t in reduced}))
    return out


_MIRROR = {"f": "r", "r": "f", "s": "t", "t": "s"}


def with_mirrors(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A query's full key may equal an entry's reduced key ("Aslam" / "Muhammad Aslam") and the
    other way round, so a query looks each one up under both tags."""
    return keys + [(_MIRROR[tag], text) for tag, text in keys if tag in _MIRROR]


def key_hash(tag: str, text: str) -> int:
    return hash(tag + "\x00" + text)


def dob_number(dob: str) -> int:
    return int(dob.replace("-", ""))


class IndexState:
    """One immutable build of the index; `refresh` swaps in a new one (safe for concurrent readers)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.expires = array("d")
        self.meta: list[tuple[int, str, str, str | None, str | None]] = []  # case idx, kind, label, dob, father
        self.father_keys = array("q")  # hashed skeleton key of the father's name (0: none), for ranking
        self.father_words = array("q")  # FATHER_WORDS hashed words per entry (screen.ranking), 0-padded
        self.father_word_counts: dict[int, int] = {}  # entries whose father uses each word
        self.dobs = array("i")  # date of birth as YYYYMMDD (0: none), for ranking
        self.cases: list[tuple[str, str]] = []  # (case reference, basis)
        self.exact: dict[str, dict[str, int | tuple[int, ...]]] = {k: {} for k in KEY_KINDS}
        self.rec_entry = array("I")  # name record -> entry position
        self.rec_name: list[str] = []
        # Namesakes write their names alike: each distinct spelling gets an id, so one query scores
        # a spelling once for all the records that share it.
        self.rec_spell = array("I")
        self.spellings: list[str] = []
        self.spell_ids: dict[str, int] = {}
        self.blocks: dict[int, int | array] = {}
        self.vocab: dict[str, int] = {}
        self._words: dict[str, list[str]] | None = None

    def freeze(self) -> None:
        """Numpy views of the per-entry columns, for vectorised candidate ranking (no copies)."""
        self.np_rec_entry = np.frombuffer(self.rec_entry, dtype=np.uint32) if self.rec_entry else np.zeros(0, np.uint32)
        self.np_expires = np.frombuffer(self.expires, dtype=np.float64) if self.expires else np.zeros(0)
        self.np_dobs = np.frombuffer(self.dobs, dtype=np.int32) if self.dobs else np.zeros(0, np.int32)
        self.np_fathers = np.frombuffer(self.father_keys, dtype=np.int64) if self.father_keys else np.zeros(0, np.int64)
        self.np_rec_spell = np.frombuffer(self.rec_spell, dtype=np.uint32) if self.rec_spell else np.zeros(0, np.uint32)
        self.np_years = self.np_dobs // 10000
        self.np_ids = np.frombuffer(self.ids, dtype=np.int64) if self.ids else np.zeros(0, np.int64)
        self.np_has_father = self.np_fathers != 0
        words = np.frombuffer(self.father_words, dtype=np.int64) if self.father_words else np.zeros(0, np.int64)
        self.np_father_words = words.reshape(-1, FATHER_WORDS)
        self.fathers = int(self.np_has_father.sum())
        self._facet_long_lists()

    def _facet_long_lists(self) -> None:
        """A long key list (a common name at 1M entries) is read only for the records whose birth
        year or father agrees; gathering those facts for 100,000 postings took milliseconds a query,
        so each long list is kept sorted by birth year and by father too, and read by binary search."""
        self.facets: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for key, found in self.blocks.items():
            if isinstance(found, int) or len(found) <= FACET_MIN:
                continue
            recs = np.frombuffer(found, dtype=np.uint32)
            pos = self.np_rec_entry[recs]
            years, fathers = self.np_years[pos], self.np_fathers[pos]
            by_year, by_father = np.argsort(years, kind="stable"), np.argsort(fathers, kind="stable")
            self.facets[key] = (years[by_year], recs[by_year], fathers[by_father], recs[by_father])

    def agreeing(self, key: int, year: int, father: int) -> np.ndarray:
        """The records of a long key list born in `year` or with father key `father` (-1: not asked)."""
        years, by_year, fathers, by_father = self.facets[key]
        parts = []
        if year > 0:
            parts.append(by_year[np.searchsorted(years, year):np.searchsorted(years, year, side="right")])
        if father != -1:
            parts.append(by_father[np.searchsorted(fathers, father):np.searchsorted(fathers, father, side="right")])
        if not parts:
            return np.zeros(0, np.uint32)
        return parts[0] if len(parts) == 1 else np.union1d(parts[0], parts[1])

    def add_father(self, father: str | None) -> None:
        words = list(dict.fromkeys(father_word_hashes(father)))[:FATHER_WORDS]
        for w in words:
            self.father_word_counts[w] = self.father_word_counts.get(w, 0) + 1
        self.father_words.extend(words + [0] * (FATHER_WORDS - len(words)))

    def spelling_id(self, name: str) -> int:
        sid = self.spell_ids.get(name)
        if sid is None:
            sid = self.spell_ids[name] = len(self.spellings)
            self.spellings.append(name)
        return sid

    def words(self, initial: str) -> list[str]:
        """Known words with this first letter: spelling correction compares only these (slips
        rarely hit the first letter, and the shorter list keeps a correction well under 1 ms)."""
        if self._words is None:
            self._words = {}
            for t in sorted(self.vocab):
                if t.isascii():
                    self._words.setdefault(t[0], []).append(t)
        return self._words.get(initial, [])
