"""Latency of the JSON API on an ingested synthetic province (run by hand, not by pytest).

    TAHQIQ_HOME=/tmp/b tahqiq generate --persons 5000 --seed 7 --out /tmp/d
    TAHQIQ_HOME=/tmp/b tahqiq ingest /tmp/d/mappings/
    TAHQIQ_HOME=/tmp/b .venv/bin/python bench/bench_web.py [--rounds 30]

Creates a supervisor, an analyst and a case with ten registry people as subjects (first run only),
then times each route through the real app (httpx in-process, bearer token, SQLite store) and prints
p50 / p95 in milliseconds. Every request is a real gated read, audited with fsync'ed log entries.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from tahqiq.compose import create_app
from tahqiq.govern import Gate, identity
from tahqiq.govern.cases import open_case
from tahqiq.store import open_store
from tahqiq.store.tables import Statement

PASSWORD = "bench password 123"
CASE = "BENCH-0001"


def setup(gate: Gate) -> tuple[str, list[str], list[tuple[str, str]]]:
    audit = gate.audit
    if identity.count_users(gate.engine) == 0:
        identity.add_user(audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role in (("sup", "supervisor"), ("ana", "analyst")):
        try:
            identity.add_user(audit, admin, name, PASSWORD, role, "PUNJAB-POLICE")
        except Exception:  # noqa: BLE001 - already there from an earlier run
            pass
    sup, ana = (gate.authenticate_password(n, PASSWORD) for n in ("sup", "ana"))
    with gate.engine.connect() as conn:
        # Registry people whose CNIC also appears elsewhere (an FIR, a checkpoint): a realistic case.
        shared = select(Statement.value).where(Statement.prop.in_(["accusedCnic", "complainantCnic", "cnic"]),
                                               Statement.source.in_(["police_fir", "checkpoint_checks"]))
        people = list(conn.execute(select(Statement.entity_id).where(
            Statement.prop == "cnic", Statement.source == "nadra_id_registry", Statement.value.in_(shared))
            .order_by(Statement.entity_id).limit(10)).scalars())
        cnics = list(conn.execute(select(Statement.value).where(Statement.prop == "cnic").limit(200)).scalars())
        # Names of entities spread over the whole store (ids are hashes: those starting "00" are a
        # random 1/256), in both scripts: not the first 200 rows, which an index orders alphabetically.
        names = list(conn.execute(select(Statement.value).where(Statement.prop.in_(["name", "nameUrdu", "alias"]),
                                                                Statement.entity_id.startswith("00"))
                                  .limit(200)).scalars())
    try:
        open_case(audit, sup, CASE, basis_kind="fir", basis_ref="1/2026 PS Bench", authorising_officer="SSP",
                  purpose="benchmark of the API", days=30, members=["ana"])
        with gate.session(ana, CASE, "attach benchmark subjects") as view:
            for p in people:
                view.attach_subject(p)
    except Exception:  # noqa: BLE001 - the case exists from an earlier run
        pass
    token, _ = identity.create_token(audit, ana, "bench")
    return token, people, [("cnic", c) for c in cnics] + [("name", n) for n in names]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--setup-only", action="store_true", help="create the users and the case, time nothing")
    args = ap.parse_args()
    engine = open_store()
    gate = Gate(engine)
    token, people, queries = setup(gate)
    if args.setup_only:
        print(f"users admin, sup, ana (password {PASSWORD!r}); case {CASE} with {len(people)} subjects")
        return
    rng = random.Random(1)
    client = TestClient(create_app(engine, gate=gate), base_url="https://bench")
    h = {"Authorization": f"Bearer {token}"}
    base = f"/api/cases/{CASE}"
    client.get(f"{base}/search", params={"q": "muhammad"}, headers=h)  # builds the name index once
    routes = {
        "search cnic": lambda: f"{base}/search?q={rng.choice([q for k, q in queries if k == 'cnic'])}",
        "search name": lambda: f"{base}/search?q={rng.choice([q for k, q in queries if k == 'name'])}",
        "entity page": lambda: f"{base}/entities/{rng.choice(people)}",
        "neighbours": lambda: f"{base}/graph/neighbours?entity={rng.choice(people)}",
        "paths": lambda: f"{base}/graph/paths?a={rng.choice(people)}&b={rng.choice(people)}",
        "timeline": lambda: f"{base}/timeline",
        "places": lambda: f"{base}/places",
        "export csv": lambda: f"{base}/export/csv",
    }
    print(f"{'route':14} {'p50 ms':>8} {'p95 ms':>8}")
    for name, make in routes.items():
        times = []
        for _ in range(args.rounds):
            url = make()
            t0 = time.perf_counter()
            r = client.get(url, headers=h)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (url, r.status_code, r.text[:200])
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(f"{name:14} {statistics.median(times):8.1f} {p95:8.1f}", flush=True)


if __name__ == "__main__":
    main()
