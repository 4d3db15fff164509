"""Transaction networks at scale: generate HI bank data (1M and 10M transactions), detect the
typologies end to end, and measure the learned scorer's throughput on one core.

    .venv/bin/python bench/bench_networks.py [--sizes 1000000,10000000] [--out /tmp/tahqiq-bench-networks]
        [--scorer PATH]   # score with a saved scorer (Scorer.save) instead of training one: throughput only
        [--skip-detect]   # leave out the typology detectors

Run by hand (minutes); the numbers go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from tahqiq.generate.bank import generate_bank
from tahqiq.networks.detectors import detect
from tahqiq.networks.scorer import Scorer, time_split, train
from tahqiq.networks.transactions import load_dir


def run(size: int, out: Path, console: Console, scorer_path: Path | None = None,
        skip_detect: bool = False) -> dict[str, float]:
    directory = out / f"hi-{size}"
    if not (directory / "manifest.json").exists():
        t = time.perf_counter()
        generate_bank(directory, accounts=max(20_000, size // 50), transactions=size, seed=1, setting="HI")
        console.print(f"generated {size:,} in {time.perf_counter() - t:.1f}s")
    row: dict[str, float] = {"transactions": size}
    t = time.perf_counter()
    con = load_dir(directory)
    row["load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    hits = [] if skip_detect else detect(con, progress=True)
    row["detect_s"] = time.perf_counter() - t
    row["hits"] = len(hits)
    row["end_to_end_s"] = row["load_s"] + row["detect_s"]
    t = time.perf_counter()
    if scorer_path is not None:
        scorer = Scorer.load(scorer_path)
    else:
        truth = pd.read_csv(directory / "truth" / "laundering.csv", dtype={"transaction_id": str})
        scorer = train(con, truth, num_threads=1)
        scorer.save(out / f"scorer-{size}.json")
    row["train_s"] = time.perf_counter() - t
    scorer.num_threads = 1
    # scoring on one core: DuckDB and LightGBM both limited to one thread
    con.execute("SET threads = 1")
    _, _, val_end, end = time_split(con)
    (n_test,) = con.execute("SELECT COUNT(*) FROM tx WHERE ts >= ?", [val_end]).fetchone() or (0,)
    t = time.perf_counter()
    scorer.score(con, val_end, end)
    row["score_s"] = time.perf_counter() - t
    row["score_tx_per_s"] = n_test / row["score_s"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--out", default="/tmp/tahqiq-bench-networks")
    parser.add_argument("--scorer", type=Path, default=None)
    parser.add_argument("--skip-detect", action="store_true")
    args = parser.parse_args()
    console = Console()
    rows = [run(int(s), Path(args.out), console, args.scorer, args.skip_detect) for s in args.sizes.split(",")]
    table = Table("transactions", "load s", "detect s", "end to end s", "hits", "train s", "score s (1 core)",
                  "score tx/s (1 core)", title="networks: HI bank data")
    for r in rows:
        table.add_row(f"{int(r['transactions']):,}", f"{r['load_s']:.1f}", f"{r['detect_s']:.1f}",
                      f"{r['end_to_end_s']:.1f}", f"{int(r['hits'])}", f"{r['train_s']:.1f}", f"{r['score_s']:.1f}",
                      f"{r['score_tx_per_s']:,.0f}")
    console.print(table)


if __name__ == "__main__":
    main()
