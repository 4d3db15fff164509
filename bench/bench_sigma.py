"""How much of a real Sigma collection Tahqiq loads: share per log source, and the top refusals.

    python bench/bench_sigma.py                         # bench/data/sigma/rules (SigmaHQ sample)
    python bench/bench_sigma.py PATH... [--check]       # other rule folders; --check: exit 1 below 80%

The converted rules are also written to a rule file and loaded back through the engine's own
loader (`tahqiq.stream.rulefile.load_rules`) and compiled (`RuleEngine`), so "loads" means the
engine accepts and compiles them, not only that the conversion ran.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tahqiq.intel.sigma import UNSUPPORTED, load_sigma
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import load_rules

SAMPLE = Path(__file__).parent / "data" / "sigma" / "rules"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", type=Path, default=[SAMPLE])
    ap.add_argument("--check", action="store_true", help="exit 1 when under 80%% of supported rules load")
    ap.add_argument("--top", type=int, default=10, help="how many refusal reasons to list")
    args = ap.parse_args()

    t0 = time.perf_counter()
    result = load_sigma(args.paths)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sigma.yml"
        path.write_text(result.to_yaml(), encoding="utf-8")
        rules = load_rules(path)
        engine = RuleEngine(rules)
    t2 = time.perf_counter()

    shares = result.share_by_source()
    loaded = sum(s.loaded for k, s in shares.items() if k != UNSUPPORTED)
    total = sum(s.total for k, s in shares.items() if k != UNSUPPORTED)
    print(f"{'log source':<28}{'loaded':>8}{'rules':>8}{'share':>8}")
    for source, share in shares.items():
        if source != UNSUPPORTED:
            print(f"{source:<28}{share.loaded:>8}{share.total:>8}{share.ratio:>8.0%}")
    ratio = loaded / total if total else 0.0
    print(f"{'all supported':<28}{loaded:>8}{total:>8}{ratio:>8.0%}")
    if UNSUPPORTED in shares:
        print(f"{UNSUPPORTED:<28}{'':>8}{shares[UNSUPPORTED].total:>8}")
    print(f"\nrule file: {len(result.rule_dicts)} rules written, {len(rules)} loaded back, "
          f"{engine.stats()['atoms']} atoms compiled")
    print(f"\ntop refusal reasons ({len(result.refused)} refused):")
    kinds = Counter(r.reason.split(" in /")[0] for r in result.refused)
    for reason, n in kinds.most_common(args.top):
        print(f"{n:>4}  {reason}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nconvert {t1 - t0:.2f} s, write+load+compile {t2 - t1:.2f} s (load average {load:.2f})")
    return 1 if args.check and ratio < 0.8 else 0


if __name__ == "__main__":
    sys.exit(main())
