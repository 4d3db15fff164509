"""Ingest throughput into SQLite and PostgreSQL on a generated province.

    .venv/bin/python bench/bench_ingest.py --persons 100000

Generates the dataset once (kept in /tmp/tahqiq-bench-N), then ingests every source into a fresh
SQLite file and a fresh PostgreSQL schema, printing rows/s and values/s per source as a Markdown
table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import create_engine, text  # noqa: E402

from tahqiq.cli.demo_cmds import find_input  # noqa: E402
from tahqiq.generate import generate  # noqa: E402
from tahqiq.ingest import ingest, load_mapping  # noqa: E402
from tahqiq.store import open_store  # noqa: E402

POSTGRES = os.environ.get("TAHQIQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run(engine, data: Path) -> list[tuple[str, int, int, float]]:
    out = []
    for path in sorted((data / "mappings").glob("*.yml")):
        mapping = load_mapping(path)
        start = time.perf_counter()
        result = ingest(engine, mapping, find_input(path, data))
        out.append((mapping.source, result.rows_read, result.statements_added, time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    args = parser.parse_args()
    data = Path(f"/tmp/tahqiq-bench-{args.persons}")
    if not (data / "manifest.json").exists():
        generate(persons=args.persons, seed=4, out=data, progress=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            db = data / f"bench-{uuid.uuid4().hex[:6]}.db"
            engine = open_store(f"sqlite:///{db}")
        else:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            engine = open_store(POSTGRES, schema=schema)
        rows = run(engine, data)
        total_rows = sum(r[1] for r in rows)
        total_values = sum(r[2] for r in rows)
        total_time = sum(r[3] for r in rows)
        print(f"\n### {backend}: {args.persons:,} persons\n")
        print("| source | rows | values | seconds | rows/s | values/s |\n|---|---:|---:|---:|---:|---:|")
        for source, n, values, secs in rows:
            print(f"| {source} | {n:,} | {values:,} | {secs:.1f} | {n / secs:,.0f} | {values / secs:,.0f} |")
        print(f"| **all** | {total_rows:,} | {total_values:,} | {total_time:.1f} | "
              f"{total_rows / total_time:,.0f} | {total_values / total_time:,.0f} |")
        engine.dispose()
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
