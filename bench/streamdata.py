"""Shared by bench_rules.py and bench_pipeline.py: a generated province's streams (cached under
/tmp), merged in event time, and a dict-backed watchlist with N keys (the contract of
tahqiq.screen.hits.KeyLookup; the real index is benchmarked in bench_screen.py)."""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tahqiq.screen.hits import WatchHit  # noqa: E402
from tahqiq.stream.events import normalise_key, read_records  # noqa: E402


class DictLookup:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], list[WatchHit]] = {}

    def add(self, kind: str, value: str) -> None:
        hit = WatchHit(len(self.entries) + 1, kind, value, "CASE-2026-0002", "warrant W-77/2026", "wanted")
        self.entries.setdefault((kind, value), []).append(hit)

    def hits(self, kind: str, value: str):
        return self.entries.get((kind, value), ())


def province(persons: int) -> Path:
    out = Path(f"/tmp/tahqiq-bench-streams-{persons}")
    if not (out / "streams" / "transactions.jsonl").exists():
        from tahqiq.generate import generate

        generate(persons=persons, seed=4, out=out, progress=False)
    return out / "streams"


def records(persons: int, n: int) -> list[dict]:
    """n records: the province's three streams merged by event time, repeated (with fresh record
    ids and later times) when n is larger than the province."""
    streams = province(persons)
    base = [r for name in ("checkpoint_checks", "anpr_reads", "transactions")
            for r in read_records(streams / f"{name}.jsonl")]
    base.sort(key=lambda r: r["occurred_at"])
    first, last = datetime.fromisoformat(base[0]["occurred_at"]), datetime.fromisoformat(base[-1]["occurred_at"])
    out: list[dict] = []
    lap = 0
    while len(out) < n:
        shift = (last - first + timedelta(days=1)) * lap  # later laps happen later: time keeps moving on
        for r in base[: n - len(out)]:
            out.append({**r, "record_id": f"{r['record_id']}-{lap}",
                        "occurred_at": (datetime.fromisoformat(r["occurred_at"]) + shift).isoformat()} if lap else r)
        lap += 1
    return out


def watchlist(n_keys: int, recs: list[dict], hit_share: float = 0.001, seed: int = 1) -> DictLookup:
    """n_keys random keys (CNICs, plates, IBAN-like), plus `hit_share` of the stream's own keys so
    that a realistic few events hit."""
    rnd = random.Random(seed)
    lookup = DictLookup()
    for kind, value in {(k, v) for r in recs[:: max(1, int(1 / hit_share))]
                        for k, v in (("cnic", r.get("cnic")), ("plate", r.get("plate")), ("iban", r.get("payer_iban")))
                        if v}:
        norm = normalise_key(kind, value)
        if norm:
            lookup.add(kind, norm)
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    while len(lookup.entries) < n_keys:
        k = rnd.random()
        if k < 0.4:
            d = f"{rnd.randint(10000, 99999)}{rnd.randint(0, 9999999):07d}{rnd.randint(0, 9)}"
            lookup.add("cnic", f"{d[:5]}-{d[5:12]}-{d[12]}")
        elif k < 0.8:
            lookup.add("plate", f"{''.join(rnd.choices(letters, k=3))}-{rnd.randint(1, 9999)}")
        else:
            lookup.add("iban",
                       f"PK{rnd.randint(10, 99)}{''.join(rnd.choices(letters, k=4))}{rnd.randint(0, 10**16 - 1):016d}")
    return lookup
