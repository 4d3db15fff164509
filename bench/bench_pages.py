"""Latency of the web application's pages, as a browser signed in with a session cookie gets them
(run by hand, not by pytest).

    TAHQIQ_HOME=/tmp/b tahqiq generate --persons 200000 --out /tmp/d
    TAHQIQ_HOME=/tmp/b tahqiq ingest /tmp/d/mappings/
    TAHQIQ_HOME=/tmp/b tahqiq resolve -u <supervisor>        # optional: entity pages then show clusters
    TAHQIQ_HOME=/tmp/b .venv/bin/python -u bench/bench_pages.py [--rounds 30]

Uses bench_web.py's setup (users, a case with ten registry people as subjects). Times the server's
answer for each HTML page (rendered by Jinja2 through the gate, audited) and for each JSON call the
case workspace makes when it opens (the graph's subjects' neighbours, the timeline, the map's events),
through the real app in-process with a session cookie. A page's "with its data" time is the page
plus the calls it makes on load, made one after another (a browser makes them in parallel).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import CASE, PASSWORD, setup  # noqa: E402

from tahqiq.compose import create_app  # noqa: E402
from tahqiq.govern import Gate  # noqa: E402
from tahqiq.store import open_store  # noqa: E402


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    engine = open_store()
    gate = Gate(engine)
    _token, people, queries = setup(gate)
    rng = random.Random(2)
    client = TestClient(create_app(engine, gate=gate), base_url="https://bench")
    for who in ("ana", "sup"):
        r = client.post("/api/login", json={"username": who, "password": PASSWORD})
        assert r.status_code == 200, r.text
    # The last sign-in wins the cookie jar: sign in as the analyst (a case member) for the case pages.
    r = client.post("/api/login", json={"username": "ana", "password": PASSWORD})
    assert r.status_code == 200, r.text
    base = f"/cases/{CASE}"
    api = f"/api/cases/{CASE}"
    client.get(f"{base}/search", params={"q": "muhammad"})  # builds the name index once
    cnics = [q for k, q in queries if k == "cnic"]
    names = [q for k, q in queries if k == "name"]
    pages = {
        "home": lambda: ["/"],
        "control room": lambda: ["/control-room"],
        "case workspace": lambda: [base],
        # What the workspace loads when it opens: the people-level graph, the timeline, the map's events.
        "case workspace + data": lambda: [base, f"{api}/graph/start", f"{api}/timeline", f"{api}/map",
                                         "/api/map/tiles.json"],
        "graph start (JSON)": lambda: [f"{api}/graph/start"],
        "graph expand a person (JSON)": lambda: [f"{api}/graph/neighbours?entity={rng.choice(people)}&people=true"],
        "graph details (JSON)": lambda: [f"{api}/graph/details?entity={rng.choice(people)}"],
        "search page (CNIC)": lambda: [f"{base}/search?q={rng.choice(cnics)}"],
        "search page (name)": lambda: [f"{base}/search?q={rng.choice(names)}"],
        "search page (name, p. 2)": lambda: [f"{base}/search?q={rng.choice(names)}&page=2"],
        "entity page": lambda: [f"{base}/entities/{rng.choice(people)}"],
        "entity page (Urdu UI)": lambda: [f"{base}/entities/{rng.choice(people)}"],
        "review queue": lambda: [f"{base}/review"],
        "review queue, page 3": lambda: [f"{base}/review?page=3"],
        "timeline (JSON)": lambda: [f"{api}/timeline"],
        "map events (JSON)": lambda: [f"{api}/map"],
        "export CSV": lambda: [f"{api}/export/csv"],
    }
    print(f"{'page':32} {'p50 ms':>9} {'p95 ms':>9}", flush=True)
    for name, make in pages.items():
        client.cookies.set("lang", "ur" if "Urdu" in name else "en")
        times = []
        for _ in range(args.rounds):
            urls = make()
            t0 = time.perf_counter()
            for url in urls:
                r = client.get(url, follow_redirects=False)
                assert r.status_code == 200, (url, r.status_code, r.text[:300])
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name:32} {statistics.median(times):9.1f} {p95(times):9.1f}", flush=True)
    # Oversight pages are for supervisors and auditors.
    r = client.post("/api/login", json={"username": "sup", "password": PASSWORD})
    client.cookies.set("lang", "en")
    looks = {
        "oversight (supervisor)": lambda: "/oversight",
        "oversight: who searched a name": lambda: f"/oversight?prop=name&value={rng.choice(names)}",
        "oversight: who searched a CNIC": lambda: f"/oversight?prop=cnic&value={rng.choice(cnics)}",
        "oversight: who read a record": lambda: f"/oversight?entity={rng.choice(people)}",
    }
    for name, url in looks.items():
        times = []
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            r = client.get(url(), follow_redirects=False)
            assert r.status_code == 200, (r.status_code, r.text[:300])
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name:32} {statistics.median(times):9.1f} {p95(times):9.1f}", flush=True)


if __name__ == "__main__":
    main()
