"""Oversight look-ups on a large audit log: "who searched this value?", "who read this record?",
by user, case and date, as the oversight page asks them (govern.audit_search).

    .venv/bin/python bench/bench_audit_lookup.py 1000000      # builds /tmp/tahqiq-bench-audit/ once

The log is synthetic (entries written straight into the table, not signed: only the look-ups are
measured): 30% one-entry searches listing their keys, 10% older per-property searches, the rest reads
that disclose 1-7 record ids. The key index (govern.audit_index) is caught up first and timed.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

from tahqiq.govern import audit_index
from tahqiq.govern import audit_search as search
from tahqiq.govern.base import Principal
from tahqiq.govern.tables import AuditEntry, AuditIndexState, AuditKey
from tahqiq.store.base import Base

START = datetime(2025, 1, 1, tzinfo=UTC)


def _hex(rnd: random.Random) -> str:
    return f"{rnd.getrandbits(128):032x}"


def build(path: Path, n: int) -> None:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine, tables=[AuditEntry.__table__, AuditKey.__table__, AuditIndexState.__table__])
    rnd = random.Random(1)
    actors = [f"user{i}" for i in range(200)]
    rows: list[dict[str, object]] = []
    with engine.begin() as conn:
        for seq in range(n):
            stamp = (START + timedelta(seconds=seq * 30)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            kind, actor, case = rnd.random(), rnd.choice(actors), f"CASE-{rnd.randrange(500):04d}"
            if kind < 0.3:
                action, key = "read.search", f"{rnd.choice(['cnic', 'phone', 'name'])}#{_hex(rnd)}"
                target, detail = key, {"queried": [key], "ids": [_hex(rnd) for _ in range(5)]}
            elif kind < 0.4:
                action, target, detail = "read.find", f"subscriberCnic#{_hex(rnd)}", {"prop": "subscriberCnic"}
            else:
                action = rnd.choice(["read.entities", "read.graph", "read.timeline", "alert.read", "read.subjects"])
                ids = [_hex(rnd) for _ in range(rnd.randrange(1, 8))]
                target, detail = ",".join(ids), {"ids": ids, "count": len(ids)}
            entry = json.dumps({"v": 1, "seq": seq, "time": stamp, "actor": actor, "role": "analyst",
                                "action": action, "case": case, "purpose": "investigate robbery", "decision": "grant",
                                "target": target, "detail": detail}, sort_keys=True, separators=(",", ":"))
            rows.append({"seq": seq, "recorded_at": stamp, "actor": actor, "role": "analyst", "action": action,
                         "case_ref": case, "decision": "grant", "target": target, "entry": entry,
                         "leaf_hash": "0" * 64, "nodes": None, "signature": "0" * 128})
            if len(rows) == 20000:
                conn.execute(insert(AuditEntry.__table__), rows)
                rows = []
        if rows:
            conn.execute(insert(AuditEntry.__table__), rows)


def main(n: int) -> None:
    root = Path("/tmp/tahqiq-bench-audit")
    root.mkdir(exist_ok=True)
    path = root / f"audit{n}.db"
    if not path.exists():
        t0 = time.perf_counter()
        build(path, n)
        print(f"built {n:,} entries in {time.perf_counter() - t0:.0f} s")
    engine = create_engine(f"sqlite:///{path}")
    t0 = time.perf_counter()
    read = audit_index.catch_up(engine)
    print(f"key index catch-up: {read:,} entries in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    audit_index.catch_up(engine)
    print(f"catch-up with nothing new: {(time.perf_counter() - t0) * 1000:.1f} ms")
    with engine.connect() as conn:
        key = conn.execute(text("select target from audit_entries where action='read.search' and seq > :s limit 1"),
                           {"s": n // 2}).scalar_one()
        entity = conn.execute(text("select target from audit_entries where action='read.entities' and seq > :s "
                                   "limit 1"), {"s": n - 5000}).scalar_one().split(",")[0]
    value = search.Lookup(("cnic",), (key,), (key,))
    recent = START + timedelta(seconds=(n - 86400) * 30)
    queries = {
        "no filter": search.AuditQuery(),
        "user": search.AuditQuery(actor="user7"),
        "case": search.AuditQuery(case="CASE-0042"),
        "searched value": search.AuditQuery(lookup=value),
        "searched value in a month": search.AuditQuery(lookup=value, start=datetime(2025, 6, 1, tzinfo=UTC),
                                                       end=datetime(2025, 7, 1, tzinfo=UTC)),
        "record (who read it)": search.AuditQuery(entity=entity),
        "record, recent": search.AuditQuery(entity=entity, start=recent),
        "a week's dates": search.AuditQuery(start=datetime(2025, 3, 1, tzinfo=UTC),
                                            end=datetime(2025, 3, 8, tzinfo=UTC)),
    }
    auditor = Principal(user_id=1, username="irfan", role="auditor", agency_id=1, agency="X")
    e = AuditEntry.__table__.c
    for name, query in queries.items():
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                where = search._where(conn, auditor, query, 0)
                found = list(conn.execute(select(e.entry).where(where).order_by(e.seq.desc()).limit(50))) \
                    if where is not None else []
                if where is not None:
                    search._count(conn, where)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(f"{name:28s} rows={len(found):3d}  median {times[2]:7.1f} ms  max {times[-1]:7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
