"""Laundering typologies found by rules over the transaction graph (DuckDB; Spark in spark_detect).

The rules look for shapes of money movement (Altman et al., NeurIPS 2023, "Realistic Synthetic
Financial Transactions for Anti-Money Laundering Models"): fan-out, fan-in, cycle, scatter-gather,
gather-scatter, bipartite, stack and random (a chain of hops). Ordinary life makes the same shapes —
an employer's payroll, a shop's customers, a family passing money round, flatmates splitting rent —
so every rule also asks what tells them apart, measured from behaviour alone:
  * money moves on quickly after it arrives, keeping most of the amount (a "hop");
  * the counterparties are new (payroll and rent repeat every month with the same people);
  * the burst is most of the account's traffic (a shop trades all period long);
  * a pair that trades again and again is a standing relationship, not a layering step.
No account attribute is read: the only input is the `tx` table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import duckdb
import pandas as pd

from tahqiq.networks.hits import Hit, rupees, short_iban
from tahqiq.networks.queries import detector_queries, paths, prepare

__all__ = ["DetectorSettings", "TYPOLOGIES", "detect", "run_detectors", "Engine", "DuckEngine"]

TYPOLOGIES = ("fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack", "random")
# When two typologies claim the same transactions the more specific shape wins (a scatter-gather's
# source is also a fan-out, a cycle contains open chains).
PRIORITY = ("cycle", "stack", "scatter_gather", "bipartite", "gather_scatter", "random", "fan_in", "fan_out")
DAY = 86400


@dataclass(frozen=True)
class DetectorSettings:
    """Windows (seconds), amount tolerances and counts that make a shape. Defaults fit retail banking
    in PKR; `tahqiq eval networks` shows what they find on generated data."""

    # a fan is a burst within half to one window (two shifted grids per width), at several scales
    fan_windows_s: tuple[int, ...] = (2 * DAY, 8 * DAY, 24 * DAY)
    fan_min_degree: int = 5  # distinct counterparties in the burst
    fan_new_share: float = 0.8  # share of those never dealt with outside the burst (payroll, rent repeat)
    fan_in_onward_min: float = 0.78  # fan-in: share of what came in that the collector sent on
    fan_out_onward_min: float = 0.5  # fan-out: share of payees that paid most of it on within days
    fan_min_mean_amount: float = 30_000.0  # PKR per payment in the burst: everyday transfers are smaller
    fan_burst_share: float = 0.5  # share of the account's large payments that way that is the burst (shops)
    fan_min_cp_size_vs_usual: float = 2.5  # median payment against the counterparties' other payments that way
    fan_in_min_cp_size_vs_usual: float = 4.0  # the same for the payers into a fan-in
    gs_min_side: int = 3  # gather-scatter: distinct payers in and payees out of the hub
    pass_through_min: float = 0.8  # gather-scatter: share of what came in that went out in the same window
    gs_max_overlap_s: int = 6 * 3600  # gather-scatter: scattering starts at most this long before the last receipt
    gs_burst_share: float = 0.2  # gather-scatter: share of the hub's large payments that is the burst
    hop_max_delay_s: int = 5 * DAY  # a hop: money leaves again within this ...
    hop_min_retention: float = 0.78  # ... keeping at least this share of the amount ...
    hop_max_retention: float = 1.0  # ... and no more than it
    min_amount: float = 20_000.0  # PKR; smaller payments are not followed through hops
    # accounts with more distinct counterparties (shops, employers) are no hop; a busy personal
    # account (the top tenth of them trade with a hundred or more) still is
    hub_degree: int = 150
    chain_hub_degree: int = 60  # random: intermediaries of an open chain are no busier than this
    repeat_edge_count: int = 3  # a pair with this many payments over the period is a standing relationship
    cycle_max_len: int = 6
    chain_min_hops: int = 3  # random: a chain of at least this many payments ...
    chain_max_hops: int = 6
    chain_min_retention: float = 0.8  # a chain or cycle keeps this share of the money end to end
    chain_window_s: int = 21 * DAY  # ... or cycle, from first to last payment
    sg_min_mids: int = 3  # scatter-gather: intermediaries between one source and one sink
    sg_window_s: int = 21 * DAY
    bipartite_max_window_s: int = 8 * DAY  # wider windows pair up ordinary payers by chance
    bipartite_min_common: int = 2  # two payers who both paid at least this many of the same payees


class Engine(Protocol):
    def materialize(self, name: str, sql: str) -> None: ...

    def fetch(self, sql: str) -> pd.DataFrame: ...


class DuckEngine:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def materialize(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def fetch(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()


def detect(con: duckdb.DuckDBPyConnection, settings: DetectorSettings | None = None, *,
           progress: bool = False) -> list[Hit]:
    """Every typology's hits over the `tx` table of `con` (see transactions.load_dir)."""
    return run_detectors(DuckEngine(con), settings or DetectorSettings(), progress=progress)


def run_detectors(engine: Engine, settings: DetectorSettings, *, progress: bool = False) -> list[Hit]:
    steps = prepare(settings) + paths(settings)
    queries = detector_queries(settings)
    frames: dict[str, pd.DataFrame] = {}
    with _progress(progress, len(steps) + len(queries)) as advance:
        for name, sql in steps:
            engine.materialize(name, sql)
            advance(f"prepared {name}")
        for typology, sql in queries.items():
            frames[typology] = engine.fetch(
                f"SELECT d.*, t.ts, t.payer, t.payee, t.amount FROM ({sql}) d JOIN tx t ON t.tx_id = d.tx_id")
            advance(f"detected {typology}")
    hits: list[Hit] = []
    for typology, frame in frames.items():
        if typology == "bipartite":
            hits.extend(_layered(frame))
        else:
            hits.extend(_build(typology, group) for group in _merge(frame))
    return _resolve(hits)


class _progress:
    def __init__(self, show: bool, total: int) -> None:
        self.show, self.total = show, total

    def __enter__(self) -> Callable[[str], None]:
        if not self.show:
            return lambda _: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.__enter__()
        task = self.bar.add_task("detecting typologies", total=self.total)
        return lambda what: self.bar.update(task, advance=1, description=what)

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.__exit__(None, None, None)


def _union(keys: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find over (gid, tx) memberships: gids sharing a transaction become one group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_gid: dict[str, str] = {}
    for gid, tx in keys:
        other = first_gid.setdefault(tx, gid)
        a, b = find(gid), find(other)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {g: find(g) for g in parent}


def _merge(frame: pd.DataFrame) -> list[pd.DataFrame]:
    if frame.empty:
        return []
    root = _union(zip(frame["gid"], frame["tx_id"], strict=True))
    frame = frame.assign(group=frame["gid"].map(root))
    return [g for _, g in frame.groupby("group", sort=True)]


def _layered(frame: pd.DataFrame) -> list[Hit]:
    """Bipartite candidates sharing an account are one structure; an account that both receives and
    pays inside it is a middle layer, which makes it a stack."""
    hits = []
    for group in _merge(_link_accounts(frame)):
        middle = set(group["payer"]) & set(group["payee"])
        hits.append(_build("stack" if middle else "bipartite", group))
    return hits


def _link_accounts(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    # Memberships by account as well as by transaction, so layers that share accounts merge.
    by_account = pd.concat([frame.assign(tx_id="@" + frame[c]) for c in ("payer", "payee")])
    root = _union(zip(by_account["gid"], by_account["tx_id"], strict=True))
    return frame.assign(gid=frame["gid"].map(root))


STATS = {"degree": "counterparties", "new_share": "new_counterparty_share", "burst_share": "burst_share",
         "in_degree": "payers_in", "out_degree": "payees_out", "pass_through": "pass_through_ratio",
         "intermediaries": "intermediaries", "length": "cycle_length", "retention": "amount_retention",
         "common_payees": "common_payees", "onward_share": "onward_share",
         "size_vs_usual": "size_vs_usual", "cp_size_vs_usual": "counterparty_size_vs_usual"}


def _build(typology: str, group: pd.DataFrame) -> Hit:
    txs = group.drop_duplicates("tx_id").sort_values(["ts", "tx_id"])
    centre = str(group["centre"].iloc[0])
    accounts = [centre] + sorted({a for a in pd.concat([txs["payer"], txs["payee"]]).dropna() if a != centre})
    total = float(txs["amount"].sum())
    first, last = int(txs["ts"].min()), int(txs["ts"].max())
    features = {"accounts": float(len(accounts)), "transactions": float(len(txs)), "total_pkr": round(total, 2),
                "span_hours": round((last - first) / 3600, 1)}
    for column, name in STATS.items():
        if column in group.columns:
            features[name] = round(float(group[column].max()), 4)
    if typology == "random":
        features["hops"] = float(len(txs))
    return Hit(typology=typology, accounts=tuple(accounts), transactions=tuple(txs["tx_id"]), first_ts=first,
               last_ts=last, total=round(total, 2), score=1.0, features=features,
               reason=_reason(typology, centre, features), source="rules")


def _reason(typology: str, centre: str, f: dict[str, float]) -> str:
    n, total, hours, who = int(f["accounts"]), rupees(f["total_pkr"]), f["span_hours"], short_iban(centre)
    pct = lambda key: f"{100 * f.get(key, 0):.0f}%"  # noqa: E731
    if typology == "fan_in":
        return (f"{n - 1} accounts paid {total} PKR into {who} within {hours:.0f} hours; "
                f"{pct('new_counterparty_share')} of them had never paid it before")
    if typology == "fan_out":
        return (f"{who} paid {total} PKR out to {n - 1} accounts within {hours:.0f} hours; "
                f"{pct('new_counterparty_share')} of them it had never paid before")
    if typology == "gather_scatter":
        return (f"{who} collected from {int(f.get('payers_in', 0))} accounts and paid {int(f.get('payees_out', 0))} "
                f"others within {hours:.0f} hours, passing on {pct('pass_through_ratio')} of what came in")
    if typology == "scatter_gather":
        return (f"{total} PKR went through {int(f.get('intermediaries', 0))} intermediary accounts and came "
                f"together in {who} within {hours:.0f} hours")
    if typology == "cycle":
        return (f"{total} PKR went round {int(f.get('cycle_length', n))} accounts back to {who} within "
                f"{hours:.0f} hours, keeping {pct('amount_retention')} of the amount")
    if typology == "random":
        return (f"money passed along a chain of {n} accounts from {who} within {hours:.0f} hours, each "
                "paying on most of what it had just received")
    shape = "in layers " if typology == "stack" else ""
    return (f"{n} accounts paid each other {total} PKR {shape}within {hours:.0f} hours, several payers "
            "paying the same new payees")


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Keep a hit unless more specific hits already hold at least half of its transactions."""
    claimed: dict[str, str] = {}
    kept: list[Hit] = []
    rank = {t: i for i, t in enumerate(PRIORITY)}
    for hit in sorted(hits, key=lambda h: (rank[h.typology], -len(h.transactions), h.first_ts)):
        held = sum(1 for t in hit.transactions if t in claimed)
        if held * 2 >= len(hit.transactions) and held:
            continue
        kept.append(hit)
        for t in hit.transactions:
            claimed.setdefault(t, hit.typology)
    return sorted(kept, key=lambda h: (h.first_ts, h.typology, h.key))
