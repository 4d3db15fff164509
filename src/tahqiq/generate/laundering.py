"""Laundering typologies and their legitimate look-alikes, built as columnar numpy batches.

SYNTHETIC DATA. The eight typologies are those of AMLworld (Altman et al., "Realistic Synthetic
Financial Transactions for Anti-Money Laundering Models", NeurIPS 2023 Datasets and Benchmarks):
fan_out, fan_in, cycle, scatter_gather, gather_scatter, bipartite, stack and random. Each pattern
spans hours to weeks, keeps 80..98% of the money moving end to end (the rest is the mules' cut and
fees), waits hours between hops, and is sometimes structured just under the cash reporting
threshold. Mules come from a pool the caller draws, so the same mules turn up in several patterns
(rings); the caller must draw that pool without looking at any demographic field.

The four look-alikes share a typology's shape but not its details, so a rule that only counts
edges is fooled while a careful detector is not: payroll (a fan-out that repeats on the same day
every month with fixed amounts from an employer account), merchant sales (a fan-in of many small
POS/online payments to a merchant that keeps the money), family cycles (round amounts going round
relatives over weeks, no fee taken) and rent splitting (2..5 equal shares to one landlord monthly).

Both generators use this module: the world generator (finance.py) and the bank simulation
(bank.py). Accounts are plain integer indices into the caller's account table; CASH (-1) stands
for the missing side of a cash deposit or withdrawal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

__all__ = [
    "CASH", "CHANNELS", "LOOKALIKES", "REPORTING_THRESHOLD", "TYPOLOGIES", "TYPOLOGY_WEIGHTS",
    "Batch", "Flows", "Pattern", "Pools", "Window", "build_laundering", "build_lookalikes", "channel_code",
]

CHANNELS = ("branch", "atm", "ibft", "raast", "mobile_wallet", "pos", "online")
TYPOLOGIES = ("fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack", "random")
TYPOLOGY_WEIGHTS = (0.16, 0.2, 0.1, 0.14, 0.1, 0.1, 0.1, 0.1)
LOOKALIKES = ("payroll", "merchant", "family_cycle", "rent_split")
REPORTING_THRESHOLD = 2_000_000  # PKR; cash transactions at or above it are reported to the FMU
CASH = -1
HOUR = 3600
DAY = 86400

_CH = {name: i for i, name in enumerate(CHANNELS)}
_FAST = np.array([_CH[c] for c in ("ibft", "raast", "mobile_wallet", "online")], dtype=np.int8)
_FAST_P = (0.35, 0.35, 0.2, 0.1)


def channel_code(name: str) -> int:
    """Index of a channel name in CHANNELS."""
    return _CH[name]


@dataclass(frozen=True)
class Window:
    """The simulated period: `days` days from local midnight of `first_day`, which is `start` in the
    caller's own seconds (world: seconds since 2020-01-01 +05:00; bank: Unix seconds)."""

    first_day: date
    days: int
    start: int

    @property
    def end(self) -> int:
        return self.start + self.days * DAY - 1

    def month_starts(self) -> np.ndarray:
        """Local midnight of the 1st of every month that overlaps the window (the first may precede it)."""
        out = []
        d = date(self.first_day.year, self.first_day.month, 1)
        last = self.first_day.toordinal() + self.days
        while d.toordinal() < last:
            out.append(self.start + (d.toordinal() - self.first_day.toordinal()) * DAY)
            d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        return np.array(out, dtype=np.int64)


@dataclass(frozen=True)
class Pattern:
    kind: str  # a typology or a look-alike kind
    accounts: tuple[int, ...]  # the centre first (source, collector, hub, employer, merchant, landlord)
    first_ts: int
    last_ts: int
    n_tx: int


@dataclass(frozen=True)
class Pools:
    """Who takes part: `mules` (drawn uniformly by the caller), `sources` (where dirty money enters)
    and `feeders` (who pays into a fan-in: scam victims in the world, more mules in the bank)."""

    mules: np.ndarray
    sources: np.ndarray
    feeders: np.ndarray


@dataclass
class Flows:
    """Columnar transfers; `pattern` indexes the batch's patterns."""

    ts: np.ndarray  # int64
    payer: np.ndarray  # int64, CASH for a cash deposit
    payee: np.ndarray  # int64, CASH for a withdrawal
    amount: np.ndarray  # float64 rupees
    channel: np.ndarray  # int8 index into CHANNELS
    pattern: np.ndarray  # int32


class Batch:
    """Patterns and their transfers, collected one pattern at a time."""

    def __init__(self) -> None:
        self.patterns: list[Pattern] = []
        self.n_tx = 0
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(self, kind: str, legs: _Legs, accounts: Sequence[int], window: Window) -> None:
        ts = np.minimum(np.concatenate(legs.ts), window.end)
        n = len(ts)
        pid = len(self.patterns)
        cols = (ts, np.concatenate(legs.payer), np.concatenate(legs.payee), np.concatenate(legs.amount),
                np.concatenate(legs.channel).astype(np.int8), np.full(n, pid, dtype=np.int32))
        self._parts.append(cols)
        unique = tuple(dict.fromkeys(int(a) for a in accounts))
        self.patterns.append(Pattern(kind, unique, int(ts.min()), int(ts.max()), n))
        self.n_tx += n

    def flows(self) -> Flows:
        if not self._parts:
            e = np.zeros(0, dtype=np.int64)
            return Flows(e, e, e, np.zeros(0), np.zeros(0, np.int8), np.zeros(0, np.int32))
        return Flows(*(np.concatenate([p[i] for p in self._parts]) for i in range(6)))


class _Legs:
    """One pattern's transfers as arrays; scalars broadcast to the length of `ts`."""

    def __init__(self) -> None:
        self.ts: list[np.ndarray] = []
        self.payer: list[np.ndarray] = []
        self.payee: list[np.ndarray] = []
        self.amount: list[np.ndarray] = []
        self.channel: list[np.ndarray] = []

    def add(self, ts, payer, payee, amount, channel) -> None:  # type: ignore[no-untyped-def]
        ts = np.atleast_1d(np.asarray(ts, dtype=np.int64))
        n = len(ts)
        self.ts.append(ts)
        self.payer.append(np.broadcast_to(np.asarray(payer, dtype=np.int64), n))
        self.payee.append(np.broadcast_to(np.asarray(payee, dtype=np.int64), n))
        self.amount.append(np.broadcast_to(np.asarray(amount, dtype=np.float64), n))
        self.channel.append(np.broadcast_to(np.asarray(channel, dtype=np.int8), n))

    def shift(self, t0: int) -> _Legs:
        self.ts = [t + t0 for t in self.ts]
        return self


# --- random draws -------------------------------------------------------------------------------

def _pick(g: np.random.Generator, pool: np.ndarray, k: int, exclude: Sequence[int] = ()) -> np.ndarray:
    """k distinct accounts of `pool` (fewer if the pool is small), none of them in `exclude`.
    Draws k + len(exclude) and drops the excluded, so a large pool is never copied."""
    k = max(0, min(k, len(pool) - len(exclude)))
    got = g.choice(pool, size=min(len(pool), k + len(exclude)), replace=False)
    if len(exclude):
        got = got[~np.isin(got, np.asarray(exclude))]
    return got[:k].astype(np.int64)


def _fast(g: np.random.Generator, n: int) -> np.ndarray:
    return g.choice(_FAST, size=n, p=_FAST_P)


def _span(g: np.random.Generator) -> int:
    """How long a pattern's first stage lasts: log-uniform between 2 hours and 3 weeks."""
    return int(np.exp(g.uniform(np.log(2 * HOUR), np.log(21 * DAY))))


def _delays(g: np.random.Generator, n: int, median_hours: float = 8.0) -> np.ndarray:
    """Waits before money moves on: log-normal around `median_hours`, 20 minutes to 5 days."""
    return np.clip(np.exp(g.normal(np.log(median_hours * HOUR), 1.0, n)), 1200, 5 * DAY).astype(np.int64)


def _amounts(g: np.random.Generator, n: int, median: float) -> np.ndarray:
    """Rupees; a third of the patterns keep every amount just under the reporting threshold."""
    if g.random() < 0.33:
        return np.round(REPORTING_THRESHOLD * g.uniform(0.90, 0.995, n), -2)
    return np.round(np.clip(np.exp(g.normal(np.log(median), 0.6, n)), 20_000, 9_000_000), -2)


def _keep(g: np.random.Generator, n: int = 1) -> np.ndarray:
    """Share of the money that moves on (the rest stays as the mule's cut or a fee)."""
    return g.uniform(0.80, 0.98, n)


def _bipartite(g: np.random.Generator, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges (row, column) of a random a x b bipartite graph where every node has an edge."""
    mask = g.random((a, b)) < 0.6
    mask[np.arange(a), g.integers(0, b, a)] = True
    mask[g.integers(0, a, b), np.arange(b)] = True
    rows, cols = np.nonzero(mask)
    return rows, cols


# --- the eight typologies: each returns legs relative to its start and the accounts, centre first

def _fan_out(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    src = int(_pick(g, p.sources, 1)[0])
    mules = _pick(g, p.mules, int(g.integers(5, 15)), (src,))
    t = np.sort(g.integers(0, _span(g), len(mules)))
    amt = _amounts(g, len(mules), 600_000)
    legs = _Legs()
    legs.add(t, src, mules, amt, _fast(g, len(mules)))
    out = g.random(len(mules)) < 0.8  # most mules draw their share in cash at a branch within a day or two
    legs.add(t[out] + _delays(g, int(out.sum()), 18), mules[out], CASH,
             np.round(amt[out] * _keep(g, int(out.sum())), -2), _CH["branch"])
    return legs, [src, *mules.tolist()]


def _fan_in(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    collector = int(_pick(g, p.mules, 1)[0])
    payers = _pick(g, p.feeders, int(g.integers(6, 21)), (collector,))
    k = len(payers)
    t = np.sort(g.integers(0, _span(g), k))
    if scam:  # victims pay what the scammer asked for: small to medium sums
        amt = np.round(np.clip(np.exp(g.normal(10.6, 0.8, k)), 5_000, 500_000), -2)
    else:
        amt = _amounts(g, k, 300_000)
    legs = _Legs()
    legs.add(t, payers, collector, amt, g.choice(_FAST[:3], size=k))
    # the collector sends most of it on soon after the last payment, in one to three transfers
    exits = _pick(g, p.mules, int(g.integers(1, 4)), (collector, *payers.tolist()))
    share = g.dirichlet(np.ones(len(exits))) * amt.sum() * _keep(g)[0]
    legs.add(t[-1] + np.cumsum(_delays(g, len(exits), 6)), collector, exits, np.round(share, -2), _fast(g, len(exits)))
    return legs, [collector, *payers.tolist(), *exits.tolist()]


def _cycle(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    ring = _pick(g, p.mules, int(g.integers(3, 8)))
    k = len(ring)
    hop = _keep(g)[0] ** (1 / k)
    amt = _amounts(g, 1, 1_500_000)[0] * hop ** np.arange(k)
    legs = _Legs()
    legs.add(np.cumsum(_delays(g, k, 10)), ring, np.roll(ring, -1), np.round(amt, -1), _fast(g, k))
    return legs, ring.tolist()


def _scatter_gather(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    src = int(_pick(g, p.sources, 1)[0])
    mids = _pick(g, p.mules, int(g.integers(3, 11)), (src,))
    dst = int(_pick(g, p.mules, 1, (src, *mids.tolist()))[0])
    k = len(mids)
    t1 = np.sort(g.integers(0, max(2, _span(g) // 2), k))
    amt = _amounts(g, k, 500_000)
    legs = _Legs()
    legs.add(t1, src, mids, amt, _fast(g, k))
    legs.add(t1 + _delays(g, k, 20), mids, dst, np.round(amt * _keep(g, k), -1), _fast(g, k))
    return legs, [src, *mids.tolist(), dst]


def _gather_scatter(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    hub = int(_pick(g, p.mules, 1)[0])
    ins = _pick(g, p.mules, int(g.integers(3, 9)), (hub,))
    outs = _pick(g, p.mules, int(g.integers(3, 9)), (hub, *ins.tolist()))
    t_in = np.sort(g.integers(0, _span(g), len(ins)))
    amt = _amounts(g, len(ins), 400_000)
    share = g.dirichlet(np.full(len(outs), 4.0)) * amt.sum() * _keep(g)[0]
    legs = _Legs()
    legs.add(t_in, ins, hub, amt, _fast(g, len(ins)))
    legs.add(t_in[-1] + np.cumsum(_delays(g, len(outs), 3)), hub, outs, np.round(share, -2), _fast(g, len(outs)))
    return legs, [hub, *ins.tolist(), *outs.tolist()]


def _bipartite_pattern(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    left = _pick(g, p.mules, int(g.integers(2, 6)))
    right = _pick(g, p.mules, int(g.integers(2, 7)), left.tolist())
    i, j = _bipartite(g, len(left), len(right))
    legs = _Legs()
    legs.add(np.sort(g.integers(0, _span(g), len(i))), left[i], right[j], _amounts(g, len(i), 400_000),
             _fast(g, len(i)))
    return legs, [*left.tolist(), *right.tolist()]


def _stack(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    a = _pick(g, p.mules, int(g.integers(2, 5)))
    b = _pick(g, p.mules, int(g.integers(2, 6)), a.tolist())
    c = _pick(g, p.mules, int(g.integers(2, 5)), [*a.tolist(), *b.tolist()])
    i, j = _bipartite(g, len(a), len(b))
    t1 = np.sort(g.integers(0, max(2, _span(g) // 2), len(i)))
    amt1 = _amounts(g, len(i), 400_000)
    legs = _Legs()
    legs.add(t1, a[i], b[j], amt1, _fast(g, len(i)))
    # each middle account passes on most of what it received, after its last receipt
    received = np.bincount(j, weights=amt1, minlength=len(b))
    last_in = np.zeros(len(b), dtype=np.int64)
    np.maximum.at(last_in, j, t1)
    j2, k2 = _bipartite(g, len(b), len(c))
    weight = g.uniform(0.5, 1.5, len(j2))
    fraction = weight / np.bincount(j2, weights=weight, minlength=len(b))[j2]
    amt2 = np.round(received[j2] * fraction * _keep(g, len(j2)), -1)
    legs.add(last_in[j2] + _delays(g, len(j2), 12), b[j2], c[k2], amt2, _fast(g, len(j2)))
    return legs, [*a.tolist(), *b.tolist(), *c.tolist()]


def _random_walk(g: np.random.Generator, p: Pools, scam: bool) -> tuple[_Legs, list[int]]:
    nodes = _pick(g, p.mules, int(g.integers(4, 9)))
    hops = int(g.integers(4, 11))
    path = [0]
    for _ in range(hops):  # never straight back to where the money just came from
        banned = {path[-1], path[-2] if len(path) > 1 else path[-1]}
        choices = [x for x in range(len(nodes)) if x not in banned]
        path.append(choices[int(g.integers(0, len(choices)))])
    walk = nodes[np.array(path)]
    amt = _amounts(g, 1, 900_000)[0] * (_keep(g)[0] ** (1 / hops)) ** np.arange(hops)
    legs = _Legs()
    legs.add(np.cumsum(_delays(g, hops, 14)), walk[:-1], walk[1:], np.round(amt, -1), _fast(g, hops))
    return legs, list(dict.fromkeys(walk.tolist()))


_BUILDERS = {
    "fan_out": _fan_out, "fan_in": _fan_in, "cycle": _cycle, "scatter_gather": _scatter_gather,
    "gather_scatter": _gather_scatter, "bipartite": _bipartite_pattern, "stack": _stack, "random": _random_walk,
}


def _place(g: np.random.Generator, legs: _Legs, window: Window) -> _Legs:
    """Start the pattern on a random day at a daytime hour, so that it fits the window when it can."""
    duration = int(max(t.max() for t in legs.ts))
    last_day = max(1, window.days - duration // DAY - 1)
    t0 = window.start + int(g.integers(0, last_day)) * DAY + int(g.integers(8 * HOUR, 21 * HOUR))
    return legs.shift(t0)


def build_laundering(g: np.random.Generator, window: Window, pools: Pools, *, patterns: int | None = None,
                     min_tx: int = 0, scam_fan_in: bool = False) -> Batch:
    """Laundering patterns: the eight typologies once each, then drawn by TYPOLOGY_WEIGHTS, until
    there are `patterns` of them (when given) or at least `min_tx` transfers. `scam_fan_in`: fan-in
    payers are scam victims paying small sums, not mules."""
    if len(pools.mules) < 30:
        raise ValueError(f"need at least 30 mule accounts to build laundering patterns, got {len(pools.mules)}")
    batch = Batch()
    cum = np.cumsum(TYPOLOGY_WEIGHTS) / sum(TYPOLOGY_WEIGHTS)
    while (patterns is not None and len(batch.patterns) < patterns) or (patterns is None and batch.n_tx < min_tx) \
            or len(batch.patterns) < len(TYPOLOGIES):
        n = len(batch.patterns)
        kind = TYPOLOGIES[n] if n < len(TYPOLOGIES) else TYPOLOGIES[int(np.searchsorted(cum, g.random()))]
        legs, accounts = _BUILDERS[kind](g, pools, scam_fan_in)
        batch.add(kind, _place(g, legs, window), accounts, window)
    return batch


# --- legitimate look-alikes -----------------------------------------------------------------------

def _monthly(window: Window, day_of_month: int, n: int, g: np.random.Generator) -> np.ndarray:
    """Times on `day_of_month` of every month in the window (office hours, within half an hour)."""
    days = window.month_starts() + (day_of_month - 1) * DAY + int(g.integers(9 * HOUR, 12 * HOUR))
    days = days[(days >= window.start) & (days <= window.end)]
    return np.repeat(days, n) + g.integers(0, 1800, len(days) * n)


def _payroll(g: np.random.Generator, window: Window, employer: int, personal: np.ndarray) -> tuple[_Legs, list[int]]:
    staff = _pick(g, personal, int(np.clip(np.exp(g.normal(np.log(35), 0.8)), 10, 200)), (employer,))
    salary = np.round(np.clip(np.exp(g.normal(np.log(55_000), 0.45, len(staff))), 25_000, 600_000), -2)
    t = _monthly(window, int(g.choice([1, 1, 1, 5, 7, 10, 25, 28])), len(staff), g)
    months = len(t) // max(1, len(staff))
    amt = np.tile(salary, months)
    bonus = g.random(len(amt)) < 0.05  # an occasional overtime or bonus month
    amt[bonus] = np.round(amt[bonus] * g.uniform(1.05, 1.5, int(bonus.sum())), -2)
    legs = _Legs()
    legs.add(t, employer, np.tile(staff, months), amt, _CH["ibft"] if g.random() < 0.7 else _CH["online"])
    return legs, [employer, *staff.tolist()]


def _merchant(g: np.random.Generator, window: Window, merchant: int, personal: np.ndarray) -> tuple[_Legs, list[int]]:
    customers = _pick(g, personal, int(g.integers(10, 81)), (merchant,))
    k = len(customers)
    span = int(g.integers(1, 5)) * DAY
    legs = _Legs()
    legs.add(np.sort(g.integers(0, span, k)), customers, merchant,
             np.round(np.clip(np.exp(g.normal(np.log(2_500), 1.0, k)), 100, 250_000)),
             np.where(g.random(k) < 0.65, _CH["pos"], _CH["online"]))
    return legs, [merchant, *customers.tolist()]


def _family_cycle(g: np.random.Generator, relatives: np.ndarray) -> tuple[_Legs, list[int]]:
    rounds = int(g.integers(1, 3))
    k = len(relatives)
    n = k * rounds
    gaps = g.integers(2 * DAY, 15 * DAY, n)
    amt = g.choice(np.array([5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 50_000]), size=n)
    legs = _Legs()
    legs.add(np.cumsum(gaps), np.tile(relatives, rounds), np.tile(np.roll(relatives, -1), rounds), amt,
             g.choice(np.array([_CH["mobile_wallet"], _CH["raast"], _CH["ibft"]], dtype=np.int8), size=n))
    return legs, relatives.tolist()


def _rent_split(g: np.random.Generator, window: Window, personal: np.ndarray) -> tuple[_Legs, list[int]]:
    landlord = int(_pick(g, personal, 1)[0])
    mates = _pick(g, personal, int(g.integers(2, 6)), (landlord,))
    share = np.round(np.exp(g.normal(np.log(45_000), 0.4)) / len(mates), -2)
    legs = _Legs()
    for m in mates:  # each flatmate pays on a habitual day, by a habitual channel
        t = _monthly(window, int(g.integers(1, 6)), 1, g) + int(g.integers(0, 10 * HOUR))
        legs.add(t, m, landlord, share, g.choice(_FAST[:3]))
    return legs, [landlord, *mates.tolist()]


def build_lookalikes(g: np.random.Generator, window: Window, counts: Mapping[str, int], *, employers: np.ndarray,
                     merchants: np.ndarray, personal: np.ndarray,
                     families: Sequence[np.ndarray] = ()) -> Batch:
    """Legitimate patterns shaped like laundering: `counts[kind]` of each kind in LOOKALIKES.
    Each payroll has its own employer; `families` (3..5 related accounts each) are used for family
    cycles before random groups of personal accounts."""
    unknown = set(counts) - set(LOOKALIKES)
    if unknown:
        raise ValueError(f"unknown look-alike kinds {sorted(unknown)}; known: {', '.join(LOOKALIKES)}")
    if len(personal) < 20:
        raise ValueError(f"need at least 20 personal accounts for look-alikes, got {len(personal)}")
    if window.days < 60:
        raise ValueError(f"look-alikes repeat monthly: the window needs at least 60 days, got {window.days}")
    batch = Batch()
    payers = _pick(g, employers, counts.get("payroll", 0))
    for e in payers:
        legs, accounts = _payroll(g, window, int(e), personal)
        if legs.ts and len(legs.ts[0]):
            batch.add("payroll", legs, accounts, window)
    for m in g.choice(merchants, size=counts.get("merchant", 0)):
        legs, accounts = _merchant(g, window, int(m), personal)
        batch.add("merchant", _place(g, legs, window), accounts, window)
    for f in range(counts.get("family_cycle", 0)):
        relatives = families[f] if f < len(families) else _pick(g, personal, int(g.integers(3, 6)))
        legs, accounts = _family_cycle(g, np.asarray(relatives, dtype=np.int64))
        batch.add("family_cycle", _place(g, legs, window), accounts, window)
    for _ in range(counts.get("rent_split", 0)):
        legs, accounts = _rent_split(g, window, personal)
        batch.add("rent_split", legs, accounts, window)
    return batch
