"""Nicknames and short forms of given names (Bill/William, Sasha/Aleksandr, Pepe/José, Mani/Usman),
from ``data/nicknames.csv`` (sources and licences in ``data/README.md``)."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

__all__ = ["are_nicknames"]


@lru_cache(maxsize=1)
def _pairs() -> frozenset[tuple[str, str]]:
    text = resources.files("tahqiq.names").joinpath("data/nicknames.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#"))
    out: set[tuple[str, str]] = set()
    for row in rows:
        a, b = row["name"].strip().lower(), row["nickname"].strip().lower()
        if a and b and a != b:
            out.add((a, b))
            out.add((b, a))
    return frozenset(out)


def are_nicknames(a: str, b: str) -> bool:
    """Is one of two lower-case given names a listed nickname or short form of the other?"""
    return (a, b) in _pairs()
