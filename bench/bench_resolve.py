"""Resolution benchmark: Tahqiq vs off-the-shelf Splink on one generated table, side by side.

    .venv/bin/python bench/bench_resolve.py --persons 330000 --hard      # about 1M person records
    .venv/bin/python bench/bench_resolve.py --persons 20000 --hard       # quick

Steps: generate (once, kept in --work), read the sources through their mappings into one table of
person records (saved as parquet), then in a fresh process each: Tahqiq (prepare + train + predict +
cluster) and plain Splink (Jaro-Winkler names, connected components), each timed and with its
peak memory (ru_maxrss of that process). Then incremental: the last --new records are held back,
the rest resolved, and the held-back records linked against them with the trained model.
Scores are pairwise and B-cubed against the generator's truth.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from pathlib import Path

import pandas as pd


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(engine: str, table: str, truth_file: str, threshold: float, new: int, queue) -> None:
    from tahqiq.resolve.metrics import score
    from tahqiq.resolve.spec import fields_for

    frame = pd.read_parquet(table)
    frame = frame.astype(object).where(frame.notna(), None)
    truth = pd.read_parquet(truth_file)["truth"]
    fields = fields_for("Person")
    out: dict = {"engine": engine, "records": len(frame)}
    t = time.perf_counter()
    if engine == "baseline":
        from tahqiq.resolve.baseline import plain_splink

        clusters = plain_splink([frame], fields, threshold=threshold)
        out["seconds"] = round(time.perf_counter() - t, 1)
    elif engine == "tahqiq":
        from tahqiq.resolve.pipeline import resolve_frames

        res = resolve_frames([frame], fields, threshold=threshold)
        clusters = res.clustering.cluster_of
        out["seconds"] = round(time.perf_counter() - t, 1)
        out["timings"] = res.timings
        out["walls"] = res.clustering.walls_enforced
    else:  # incremental: resolve all but the last `new` records, then link those
        from tahqiq.resolve.features import prepare
        from tahqiq.resolve.pipeline import link_new, resolve_frames

        old, fresh = frame.iloc[:-new], frame.iloc[-new:]
        res = resolve_frames([old], fields, threshold=threshold)
        existing = prepare(old, fields)
        t = time.perf_counter()
        clustering, pairs, _, timings, _ = link_new(existing, fresh, fields, res.model, res.clustering.cluster_of,
                                                 threshold=threshold)
        out["seconds"] = round(time.perf_counter() - t, 2)
        out["timings"] = timings
        out["existing"], out["new"] = len(old), len(fresh)
        clusters = clustering.cluster_of
    s = score(clusters, truth)
    out.update(precision=round(s.precision, 4), recall=round(s.recall, 4), f1=round(s.f1, 4),
               b3_precision=round(s.b3_precision, 4), b3_recall=round(s.b3_recall, 4), b3_f1=round(s.b3_f1, 4),
               peak_mb=round(_peak_mb()))
    queue.put(out)


def in_process(engine: str, *args) -> dict:
    ctx = mp.get_context("spawn")  # a fresh process: its peak memory is this engine's alone
    q = ctx.Queue()
    p = ctx.Process(target=_run, args=(engine, *args, q))
    p.start()
    result = q.get()
    p.join()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--persons", type=int, default=330_000)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--hard", action="store_true", help="generate with sloppier clerks (tahqiq generate --hard)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/tahqiq-bench-resolve"))
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--new", type=int, default=10_000, help="records held back for the incremental run")
    ap.add_argument("--skip", nargs="*", default=[], choices=["baseline", "tahqiq", "incremental"])
    args = ap.parse_args()

    from tahqiq.generate import generate
    from tahqiq.resolve.records import frame_from_directory, truth_from_directory

    data = args.work / f"p{args.persons}-s{args.seed}{'-hard' if args.hard else ''}"
    if not (data / "manifest.json").exists():
        t = time.perf_counter()
        generate(args.persons, args.seed, data, progress=False, hard=args.hard)
        print(f"generated {args.persons:,} persons in {time.perf_counter() - t:.0f} s")
    table, truth_file = data / "persons-table.parquet", data / "persons-truth.parquet"
    if not table.exists():
        t = time.perf_counter()
        frame = frame_from_directory(data)
        truth = truth_from_directory(data, frame)
        frame.drop(columns=["record_id", "role"]).to_parquet(table, index=False)
        pd.DataFrame({"truth": truth}).to_parquet(truth_file)
        print(f"read {len(frame):,} person records through the mappings in {time.perf_counter() - t:.0f} s")
        del frame, truth  # each engine reads the Parquet in its own process; keep this one small
    results = []
    for engine in ("baseline", "tahqiq", "incremental"):
        if engine in args.skip:
            continue
        r = in_process(engine, str(table), str(truth_file), args.threshold, args.new)
        results.append(r)
        print(json.dumps(r), flush=True)
    print(f"\n{'engine':<12} {'records':>10} {'seconds':>8} {'peak MB':>8} {'P':>7} {'R':>7} {'F1':>7} {'B3 F1':>7}")
    for r in results:
        print(f"{r['engine']:<12} {r['records']:>10,} {r['seconds']:>8} {r['peak_mb']:>8} {r['precision']:>7} "
              f"{r['recall']:>7} {r['f1']:>7} {r['b3_f1']:>7}")


if __name__ == "__main__":
    main()
