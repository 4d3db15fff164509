"""Near keys: plates, CNICs and phone numbers read or typed with one mistake still find their entry.

ANPR cameras confuse characters that look alike (O/0/D/Q, I/1/L, B/8, S/5, Z/2, G/6) and drop a
character now and then; people copying a CNIC or a phone number swap two adjacent digits or leave
one out. A watchlist that matched only the exact key would let those reads pass, so each kind has
a small error model (below) and a lookup that finds every listed key ONE such error away:

    near = NearKeys({"plate": ["LEA-1234"], "cnic": [...], "phone": [...]})
    near.lookup("plate", "LEA-1Z34")   # [NearMatch("LEA-1234", 0.84, "confusion", "read LEA-1Z34, ...")]

Cost per read is constant, never a scan of the list: the listed keys are kept in a dictionary by
their compact form (letters and digits only), and a read is looked up by its own variants there
(each confusable character replaced by its look-alikes; each adjacent pair swapped; each character
removed, for a read with one character too many). Only the missing character needs an index of the
listed keys' variants: every listed key with one character removed, kept as sorted 64-bit hashes
(12 bytes a variant, so 100,000 CNICs cost ~16 MB), looked up with one binary search and verified.
Two errors are never a hit.

Scores: an exact key is 1.0 (and is answered by the exact index, not here). A confusion scores
0.70 + 0.20 x its weight in CONFUSIONS (0.90 for the commonest, O read as 0); a transposed pair
of digits 0.80; a missing or extra character 0.65, below every confusion because it says less
about which key was meant. The weights are relative frequencies of each confusion in the ANPR
error profiles published for Latin-script plates (the O/0 and I/1 pairs dominate everywhere), set
by hand to that order, not fitted to data: a deployment with its own camera logs should refit them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

# Look-alike pairs and their relative frequency (1.0: the commonest). Symmetric: either character
# may be read as the other.
CONFUSIONS: dict[tuple[str, str], float] = {
    ("O", "0"): 1.0, ("D", "0"): 0.6, ("Q", "0"): 0.4, ("O", "D"): 0.5, ("O", "Q"): 0.5, ("D", "Q"): 0.2,
    ("I", "1"): 1.0, ("L", "1"): 0.5, ("I", "L"): 0.4,
    ("B", "8"): 0.9, ("S", "5"): 0.8, ("Z", "2"): 0.7, ("G", "6"): 0.6,
}
CONFUSION_BASE, CONFUSION_SPAN = 0.70, 0.20
TRANSPOSITION_SCORE = 0.80
MISSING_SCORE = EXTRA_SCORE = 0.65
NEAR_KINDS = ("plate", "cnic", "phone")

_WEIGHT: dict[tuple[str, str], float] = {}
_MATES: dict[str, list[str]] = {}
for (_a, _b), _w in CONFUSIONS.items():
    _WEIGHT[(_a, _b)] = _WEIGHT[(_b, _a)] = _w
    _MATES.setdefault(_a, []).append(_b)
    _MATES.setdefault(_b, []).append(_a)

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_NOT_DIGIT = re.compile(r"\D")
_CNIC_GROUPS = (5, 7, 1)


def confusion_score(listed: str, read: str) -> float:
    """The score of a key whose one character `listed` was read as `read` (0 if no look-alikes)."""
    w = _WEIGHT.get((listed, read))
    return 0.0 if w is None else round(CONFUSION_BASE + CONFUSION_SPAN * w, 4)


def compact(kind: str, value: str) -> str:
    """The characters that carry a key's identity: plates upper-case letters and digits; CNICs
    digits; phones the national digits (a Pakistani number without +92 or its leading 0)."""
    if kind == "plate":
        return _NOT_ALNUM.sub("", value.upper())
    digits = _NOT_DIGIT.sub("", value)
    if kind == "phone":
        if value.strip().startswith("+92") or (digits.startswith("92") and len(digits) >= 11):
            return digits[2:]
        if digits.startswith("0092"):
            return digits[4:]
        return digits[1:] if digits.startswith("0") else digits
    return digits


@dataclass(frozen=True)
class NearMatch:
    """A listed key one error away from what was read."""

    listed: str  # the listed (normalised) key
    score: float
    error: str  # confusion | transposition | missing | extra
    why: str  # for the operator: "read LEA-1Z34, listed LEA-1234: 2 read as Z"


class _Missing:
    """Every listed key with one character removed, as sorted hashes -> (key number, position)."""

    def __init__(self, keys: list[str]) -> None:
        hashes: list[int] = []
        owners: list[int] = []
        where: list[int] = []
        for i, key in enumerate(keys):
            for p in range(len(key)):
                if p and key[p] == key[p - 1]:
                    continue  # removing either of two equal neighbours gives the same variant
                hashes.append(hash(key[:p] + key[p + 1:]))
                owners.append(i)
                where.append(p)
        order = np.argsort(np.array(hashes, dtype=np.int64), kind="stable")
        self.hashes = np.array(hashes, dtype=np.int64)[order]
        self.owners = np.array(owners, dtype=np.int32)[order]
        self.where = np.array(where, dtype=np.int16)[order]

    def find(self, variant: str) -> list[tuple[int, int]]:
        h = hash(variant)
        lo = int(np.searchsorted(self.hashes, h, "left"))
        hi = int(np.searchsorted(self.hashes, h, "right"))
        return [(int(self.owners[j]), int(self.where[j])) for j in range(lo, hi)]


class NearKeys:
    """Listed plates, CNICs and phones, findable from a read with one error (see the module doc)."""

    def __init__(self, listed: Mapping[str, Iterable[str]]) -> None:
        self._keys: dict[str, list[str]] = {}
        self._by_compact: dict[str, dict[str, str]] = {}
        self._missing: dict[str, _Missing] = {}
        for kind in NEAR_KINDS:
            by_compact = {compact(kind, v): v for v in listed.get(kind, ())}
            by_compact.pop("", None)
            self._by_compact[kind] = by_compact
            self._keys[kind] = list(by_compact)
            self._missing[kind] = _Missing(self._keys[kind])

    def __len__(self) -> int:
        return sum(len(k) for k in self._keys.values())

    def lookup(self, kind: str, read: str, *, plate_lengths: bool = False) -> list[NearMatch]:
        """Listed keys of `kind` one error away from `read` (a normalised value, or the raw text
        when it did not normalise: a 12-digit CNIC, a plate with a letter among its digits), best
        first; the listed key equal to the read is not among them. [] for other kinds.

        A plate read with a character missing or one too many is looked for only with
        `plate_lengths`: in a dense series (LEA-123 and LEA-1234 are both real plates) it raised
        about 5,300 false alerts per million reads of unwanted plates (bench/bench_plates.py), where
        look-alike confusions raised none."""
        by_compact = self._by_compact.get(kind)
        if not by_compact:
            return []
        c = compact(kind, read)
        if not c:
            return []
        found: dict[str, NearMatch] = {}

        def keep(variant: str, score: float, error: str, why: str) -> None:
            listed = by_compact.get(variant)
            if listed is not None and variant != c:
                have = found.get(listed)
                if have is None or have.score < score:
                    found[listed] = NearMatch(listed, score, error, f"read {read}, listed {listed}: {why}")

        if kind == "plate":
            for i, ch in enumerate(c):
                for mate in _MATES.get(ch, ()):
                    keep(c[:i] + mate + c[i + 1:], confusion_score(mate, ch), "confusion", f"{mate} read as {ch}")
        else:
            for i in range(len(c) - 1):
                if c[i] != c[i + 1]:
                    keep(c[:i] + c[i + 1] + c[i] + c[i + 2:], TRANSPOSITION_SCORE, "transposition",
                         f"digits {c[i + 1]}{c[i]} written as {c[i]}{c[i + 1]}")
        if kind == "plate" and not plate_lengths:
            return sorted(found.values(), key=lambda m: (-m.score, m.listed))
        if kind == "plate":  # a bolt or a frame edge read as one more character
            for i in range(len(c)):
                keep(c[:i] + c[i + 1:], EXTRA_SCORE, "extra", f"extra {c[i]} read")
        allowed = _cnic_gap(read) if kind == "cnic" else None
        keys = self._keys[kind]
        for owner, pos in self._missing[kind].find(c):
            key = keys[owner]
            if key[:pos] + key[pos + 1:] != c or (allowed is not None and not allowed[0] <= pos < allowed[1]):
                continue  # a hash collision, or a digit missing from a group that is complete
            keep(key, MISSING_SCORE, "missing", f"{key[pos]} missing")
        return sorted(found.values(), key=lambda m: (-m.score, m.listed))


def _cnic_gap(read: str) -> tuple[int, int] | None:
    """Where a digit can be missing from a CNIC written in its 5-7-1 groups: the positions of the
    one group that is one digit short (None when the read has no such grouping)."""
    groups = [g for g in re.split(r"[\s\-]+", read.strip()) if g]
    if len(groups) != 3 or not all(g.isdigit() for g in groups):
        return None
    short = [k for k, (g, n) in enumerate(zip(groups, _CNIC_GROUPS, strict=True)) if len(g) == n - 1]
    if len(short) != 1 or sum(len(g) for g in groups) != 12:
        return None
    start = sum(_CNIC_GROUPS[:short[0]])
    return start, start + _CNIC_GROUPS[short[0]]


__all__ = ["NearKeys", "NearMatch", "CONFUSIONS", "NEAR_KINDS", "compact", "confusion_score"]
