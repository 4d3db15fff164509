"""Time `generate_bank` at 1M and 10M transactions (run by hand; not part of the test suite).

    .venv/bin/python bench/bench_generate_bank.py            # 1M and 10M, HI, into a temp dir
    .venv/bin/python bench/bench_generate_bank.py 1000000    # only 1M

Accounts are a tenth of the transactions. Prints wall time, peak RSS and output size per run.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from tahqiq.generate.bank import generate_bank


def run(transactions: int, out: Path) -> None:
    started = time.perf_counter()
    m = generate_bank(out, accounts=transactions // 10, transactions=transactions, seed=1, setting="HI",
                      progress=False)
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{transactions:>11,} tx  {elapsed:6.1f} s  {transactions / elapsed:>10,.0f} tx/s  "
          f"peak RSS {peak:,.0f} MB  output {size / 1e6:,.0f} MB  illicit {m['illicit_transactions']:,}")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000_000, 10_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            run(n, Path(tmp) / f"bank-{n}")


if __name__ == "__main__":
    main()
