"""Benchmark the audit log: durable appends/s and inclusion proofs/s.

    python bench/bench_audit.py                       # SQLite in a temporary directory
    python bench/bench_audit.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test

Each append is its own committed transaction (on SQLite with synchronous=FULL, i.e. fsync'd), as in
production: one audited read = one durable append. Proofs are generated from the database (one
query per proof) against the newest signed tree head, and each proof is checked.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
import uuid

from sqlalchemy import create_engine, text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    ap.add_argument("--appends", type=int, default=5000)
    ap.add_argument("--proofs", type=int, default=5000)
    ap.add_argument("--normal-sync", action="store_true", help="SQLite: keep synchronous=NORMAL for appends")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="tahqiq-bench-")
    os.environ["TAHQIQ_HOME"] = tmp
    from tahqiq.govern import merkle
    from tahqiq.govern.auditlog import AuditLog
    from tahqiq.govern.keys import Signer
    from tahqiq.store import open_store

    schema = None
    if args.url:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(args.url, isolation_level="AUTOCOMMIT").connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = open_store(args.url, schema=schema)
    else:
        engine = open_store(f"sqlite:///{tmp}/bench.db")
    log = AuditLog(engine, Signer.generate(), sqlite_full_sync=not args.normal_sync)
    detail = {"ids": [uuid.uuid4().hex for _ in range(5)], "count": 5}
    try:
        t0 = time.perf_counter()
        for _i in range(args.appends):
            log.append("analyst.bench", "read.entities", role="analyst", case="CASE-2026-0001",
                       purpose="investigate FIR 123/2026", decision="grant", target=",".join(detail["ids"]),
                       detail=detail)
        t_append = time.perf_counter() - t0
        head = log.sign_head(force=True)
        size = head.tree_size
        root = bytes.fromhex(head.root_hash)
        leaves = {}
        with engine.connect() as conn:
            for seq, lh in conn.execute(text("select seq, leaf_hash from audit_entries")):
                leaves[seq] = bytes.fromhex(lh)
        rng = random.Random(1)
        picks = [rng.randrange(size) for _ in range(args.proofs)]
        t0 = time.perf_counter()
        with engine.connect() as conn:
            for seq in picks:
                path = log.inclusion_path(seq, size, conn)
                assert merkle.verify_inclusion(seq, size, leaves[seq], path, root)
        t_proof = time.perf_counter() - t0
        t0 = time.perf_counter()
        for seq in picks[:200]:
            log.prove(seq, head)  # the full `tahqiq audit prove` payload, own connection each
        t_bundle = (time.perf_counter() - t0) / 200
        t0 = time.perf_counter()
        report = log.verify()
        t_verify = time.perf_counter() - t0
        assert report.ok, report.problems
    finally:
        engine.dispose()
        if schema:
            with create_engine(args.url, isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    db = engine.dialect.name + ("" if engine.dialect.name != "sqlite" else
                                (" (WAL, synchronous=NORMAL)" if args.normal_sync else " (WAL, synchronous=FULL)"))
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()}")
    print(f"database: {db}")
    print(f"durable appends: {args.appends / t_append:,.0f}/s ({args.appends} appends, {t_append:.2f} s)")
    print(f"inclusion proofs (generate from DB + verify): {args.proofs / t_proof:,.0f}/s (tree size {size})")
    print(f"full `audit prove` payload: {1 / t_bundle:,.0f}/s")
    print(f"verify whole log: {t_verify:.2f} s for {report.entries} entries, {report.heads} tree heads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
