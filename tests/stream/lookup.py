"""A small dict-backed watchlist for tests and benchmarks: satisfies screen.hits.KeyLookup (the real
index, screen.WatchlistIndex, is wired in by the CLI once available)."""

from __future__ import annotations

from tahqiq.screen.hits import WatchHit


class DictLookup:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], list[WatchHit]] = {}
        self.calls = 0

    def add(self, kind: str, value: str, *, case: str = "CASE-2026-0002", basis: str = "warrant W-77/2026",
            label: str = "wanted", entry_id: int | None = None) -> WatchHit:
        hit = WatchHit(entry_id or len(self.entries) + 1, kind, value, case, basis, label)
        self.entries.setdefault((kind, value), []).append(hit)
        return hit

    def hits(self, kind: str, value: str):
        self.calls += 1
        return self.entries.get((kind, value), ())
