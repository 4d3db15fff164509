"""The long contract-fuzzing run (run by hand, not by the default suite).

    .venv/bin/python bench/bench_fuzz.py [--examples 150] [--database sqlite|postgres|both]

Runs tests/api/test_contract.py's fuzzing test (schemathesis over every operation of
/openapi.json, valid and invalid requests, the app in-process over the API fixtures' world, as the
analyst of an open case with data) with many more examples per operation than the suite's default,
and prints the requests sent, their status codes, the failures and the time. A failure prints the
schemathesis report with a curl command that reproduces it.

Stateful sequences (schemathesis' state machine over OpenAPI links) are not run: FastAPI emits no
`links`, and the case routes take their ids from the fixtures' world, not from earlier answers.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"contract fuzz: (\d+) requests, (\d+) failures, ([\d.]+) s, statuses (\{.*\})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=150, help="examples per operation and mode (suite: 6)")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="sqlite")
    args = parser.parse_args()
    select = "" if args.database == "both" else f" and {args.database}"
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-s", "-p", "no:cacheprovider",
               "tests/api/test_contract.py", "-k", f"every_operation_keeps_the_contract{select}"]
    env = {**os.environ, "TAHQIQ_FUZZ_EXAMPLES": str(args.examples)}
    print(f"TAHQIQ_FUZZ_EXAMPLES={args.examples} {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    runs = SUMMARY.findall(done.stdout)
    for requests, failures, seconds, statuses in runs:
        print(f"  {requests} requests, {failures} failures, fuzzing {seconds} s, statuses {statuses}")
    print(f"total: {sum(int(r[0]) for r in runs)} requests, {sum(int(r[1]) for r in runs)} failures, "
          f"{wall:.0f} s wall (pytest exit {done.returncode})")
    if done.returncode != 0:
        print(done.stdout[-20_000:])
        print(done.stderr[-5_000:], file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
