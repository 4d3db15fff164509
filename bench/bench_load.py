"""Load: 50 analysts at work while 5,000 events/s flow through detection (run by hand, not by pytest).

    .venv/bin/python -u bench/bench_load.py --persons 200000 --prepare-only   # once: generate, ingest
    .venv/bin/python -u bench/bench_load.py --persons 200000 --minutes 10

1. prepare (first run only, kept in --home): generate and ingest a synthetic province of --persons
   people (as bench_pages.py), users `admin`, `sup` (supervisor), `desk` (the control room every
   district's alerts are routed to) and --analysts analysts `load01`...; one case per ten analysts,
   each with ten registry people as subjects (bench_web.py's choice); accounts.json for locust;
2. start `tahqiq serve` on a free port of 127.0.0.1 (SQLite store, fsync'ed audit log);
3. phase "analysts" (--idle-seconds): locust (bench/locust_analysts.py) with no events: the
   analysts' reference;
4. phase "events" (--ref-seconds): the detection worker and a publisher of --rate events/s into
   JetStream, no analysts: the alert-latency reference;
5. phase "both" (--minutes): locust and the events together.
Prints per request kind p50/p95/p99 and errors (both phases with analysts, side by side), events/s
published and evaluated, alert latency event -> alert committed (p50/p99), and alert committed ->
received on the control room's server-sent event stream (p50/p99).

Events are the province's streams (bench/streamdata.py, --stream-persons), repeated in later laps
with fresh ids and times; the watchlist holds --watch-keys keys, 0.1% of the stream's own keys among
them, so a realistic few events alert. Bounded: each publisher stops after rate x seconds events and
every process is stopped at the end. Traffic stays on 127.0.0.1 (the server, NATS --nats).

`bench_load.py publish ...` and `bench_load.py worker ...` are the phases' processes.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PASSWORD = "bench password 123"
CASE_PREFIX = "LOAD-"


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


# --- the phases' processes ------------------------------------------------------------------------

def one_lap(persons: int) -> list[dict]:
    """The province's three streams merged in event time (generated once, cached under /tmp)."""
    from streamdata import province

    from tahqiq.stream.events import read_records

    streams = province(persons)
    return sorted((r for name in ("checkpoint_checks", "anpr_reads", "transactions")
                   for r in read_records(streams / f"{name}.jsonl")), key=lambda r: r["occurred_at"])


def stream_records(persons: int, n: int, tag: str) -> Iterator[dict]:
    """n records, produced lazily: the province's streams in event time, lap after lap (each later
    lap shifted past the previous one), so memory stays flat for any n. Record ids carry `tag` and
    the lap: every run raises new alerts (their dedupe keys include the event id)."""
    base = one_lap(persons)
    first, last = datetime.fromisoformat(base[0]["occurred_at"]), datetime.fromisoformat(base[-1]["occurred_at"])
    sent, lap = 0, 0
    while sent < n:
        shift = (last - first + timedelta(days=1)) * lap
        for r in base[: n - sent]:
            yield {**r, "record_id": f"{r['record_id']}-{tag}-{lap}",
                   "occurred_at": (datetime.fromisoformat(r["occurred_at"]) + shift).isoformat()}
        sent += min(len(base), n - sent)
        lap += 1


def publish_main(args: argparse.Namespace) -> None:
    from tahqiq.stream.bus import NatsBus
    from tahqiq.stream.worker import replay

    async def run() -> tuple[int, float]:
        bus = await NatsBus(args.nats, stream=args.stream, subject=f"{args.stream}.events").connect()
        t = time.perf_counter()
        n = await replay(bus, stream_records(args.stream_persons, args.events, args.stream), batch_size=args.batch,
                         rate=args.rate)
        dt = time.perf_counter() - t
        await bus.close()
        return n, dt

    n, dt = asyncio.run(run())
    print(json.dumps({"published": n, "seconds": dt}), flush=True)


def worker_main(args: argparse.Namespace) -> None:
    from streamdata import watchlist

    from tahqiq.alerts import write_alerts
    from tahqiq.store import open_store
    from tahqiq.stream.bus import NatsBus
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.rulefile import load_rules
    from tahqiq.stream.windows import Detector
    from tahqiq.stream.worker import Worker

    lookup = watchlist(args.watch_keys, one_lap(args.stream_persons))  # every lap repeats these keys
    engine = open_store()
    commits: list[tuple[float, int]] = []  # (time, events so far) after each commit: the evaluation rate

    def progress(stats) -> None:
        commits.append((time.perf_counter(), stats.events))

    async def run():
        bus = await NatsBus(args.nats, stream=args.stream, subject=f"{args.stream}.events",
                            durable=args.stream.lower()).connect()
        worker = Worker(engine, Detector(RuleEngine(load_rules(), lookup)), bus, sink=write_alerts,
                        consumer=args.stream.lower(), fetch_messages=64, on_progress=progress)
        print("ready", flush=True)
        # The publisher may take a while to start on a busy machine: wait long before calling it idle.
        stats = await worker.run(idle_exit=60.0, max_events=args.events)
        await bus.delete_stream()
        await bus.close()
        return stats

    stats = asyncio.run(run())
    span = commits[-1][0] - commits[0][0] if len(commits) > 1 else float("nan")
    print(json.dumps({"events": stats.events, "alerts": stats.alerts_new, "detections": stats.detections,
                      "seconds": span, "events_in_span": commits[-1][1] - commits[0][1] if commits else 0,
                      "alert_p50": pct(stats.alert_latencies, .5),
                      "alert_p99": pct(stats.alert_latencies, .99), "message_p50": pct(stats.latencies, .5),
                      "message_p99": pct(stats.latencies, .99), "retries": stats.store_retries,
                      "resyncs": stats.resyncs}), flush=True)
    engine.dispose()


# --- preparing the store --------------------------------------------------------------------------

def tahqiq(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "tahqiq", *args], check=True)


def prepare(home: Path, persons: int, analysts: int) -> Path:
    accounts_file = home / "accounts.json"
    if (home / f".prepared-{persons}-{analysts}").exists():
        return accounts_file
    data = home / "data"
    if not (home / f".ingested-{persons}").exists():
        print(f"generating and ingesting {persons:,} persons into {home} (once)", flush=True)
        tahqiq("generate", "--persons", str(persons), "--out", str(data), "--quiet")
        tahqiq("ingest", str(data / "mappings"))
        (home / f".ingested-{persons}").touch()
    from bench_web import setup

    from tahqiq.alerts import ALL_DISTRICTS, AlertDesk
    from tahqiq.govern import Gate, identity
    from tahqiq.govern.cases import open_case
    from tahqiq.store import open_store

    engine = open_store()
    gate = Gate(engine)
    _token, people, queries = setup(gate)  # admin, sup, ana; ten registry people; CNICs and names
    admin = gate.authenticate_password("admin", PASSWORD)
    sup = gate.authenticate_password("sup", PASSWORD)
    names = [f"load{i:02d}" for i in range(1, analysts + 1)]
    for name in [*names, "desk"]:
        identity.add_user(gate.audit, admin, name, PASSWORD, "analyst", "PUNJAB-POLICE")
    accounts = []
    for c in range(0, analysts, 10):
        case, members = f"{CASE_PREFIX}{c // 10 + 1:02d}", names[c:c + 10]
        open_case(gate.audit, sup, case, basis_kind="fir", basis_ref=f"{c}/2026 PS Load", authorising_officer="SSP",
                  purpose="load test of the analysts' pages", days=30, members=members)
        with gate.session(gate.authenticate_password(members[0], PASSWORD), case, "attach load subjects") as view:
            for p in people:
                view.attach_subject(p)
        accounts += [{"username": m, "case": case, "people": people,
                      "cnics": [q for k, q in queries if k == "cnic"],
                      "names": [q for k, q in queries if k == "name"]} for m in members]
    AlertDesk(gate).route(sup, "desk", ALL_DISTRICTS)
    gate.audit.sign_head()
    gate.dispose()
    engine.dispose()
    accounts_file.write_text(json.dumps({"password": PASSWORD, "accounts": accounts}))
    (home / f".prepared-{persons}-{analysts}").touch()
    return accounts_file


# --- running the phases ---------------------------------------------------------------------------

class SseWatch(threading.Thread):
    """The control room: `desk` on GET /api/alerts/stream; for each alert, received - created_at."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base, self.stop = base, threading.Event()
        self.lags: list[float] = []

    def run(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base, timeout=httpx.Timeout(10, read=30)) as client:
            assert client.post("/api/login", json={"username": "desk", "password": PASSWORD}).status_code == 200
            with client.stream("GET", "/api/alerts/stream") as r:
                for line in r.iter_lines():
                    if self.stop.is_set():
                        return
                    if line.startswith("data: "):
                        alert = json.loads(line[6:])
                        created = datetime.fromisoformat(alert["created_at"]).timestamp()
                        self.lags.append(time.time() - created)


def start_events(args: argparse.Namespace, seconds: float) -> tuple[subprocess.Popen, subprocess.Popen]:
    stream = "LOAD_" + uuid.uuid4().hex[:8].upper()
    n = int(args.rate * seconds)
    common = ["--nats", args.nats, "--stream", stream, "--events", str(n), "--stream-persons", str(args.stream_persons)]
    worker = subprocess.Popen([sys.executable, "-u", __file__, "worker", *common, "--watch-keys", str(args.watch_keys)],
                              stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None and worker.stdout.readline().strip() == "ready", "the worker did not start"
    pub = subprocess.Popen([sys.executable, "-u", __file__, "publish", *common, "--rate", str(args.rate),
                            "--batch", str(args.batch)], stdout=subprocess.PIPE, text=True)
    return worker, pub


def finish_events(worker: subprocess.Popen, pub: subprocess.Popen) -> tuple[dict, dict]:
    out_pub, _ = pub.communicate(timeout=600)
    out_worker, _ = worker.communicate(timeout=600)
    return json.loads(out_worker.strip().splitlines()[-1]), json.loads(out_pub.strip().splitlines()[-1])


def locust(args: argparse.Namespace, base: str, accounts: Path, seconds: float, prefix: Path) -> dict[str, dict]:
    with open(f"{prefix}.log", "w") as log:
        subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "locust_analysts.py"),
                        "--headless", "-u", str(args.analysts), "-r", str(args.spawn_rate), "-t", f"{int(seconds)}s",
                        "--host", base, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
                       env={**os.environ, "TAHQIQ_LOAD_ACCOUNTS": str(accounts),
                            "TAHQIQ_LOAD_HISTOGRAM": f"{prefix}_histograms.json"},
                       stdout=log, stderr=subprocess.STDOUT, check=False)
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    rows[READS] = reads_row(json.loads(Path(f"{prefix}_histograms.json").read_text()), rows)
    return rows


READS = "all reads (no sign-in)"


def reads_row(histograms: dict[str, dict[str, int]], rows: dict[str, dict]) -> dict[str, str]:
    """Percentiles over every page and API read together (locust's own "Aggregated" includes the
    sign-ins, argon2 by design, and the retry markers)."""
    merged: dict[int, int] = {}
    for name, hist in histograms.items():
        if name.startswith(("page:", "api:")):
            for ms, n in hist.items():
                merged[int(ms)] = merged.get(int(ms), 0) + n
    total = sum(merged.values())

    def q(f: float) -> str:
        seen = 0
        for ms in sorted(merged):
            seen += merged[ms]
            if seen >= f * total:
                return str(ms)
        return "nan"

    failures = sum(int(r["Failure Count"]) for n, r in rows.items() if n.startswith(("page:", "api:")))
    return {"Request Count": str(total), "50%": q(.5), "95%": q(.95), "99%": q(.99), "Failure Count": str(failures)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")
    for name in ("publish", "worker"):
        p = sub.add_parser(name)
        p.add_argument("--nats", required=True)
        p.add_argument("--stream", required=True)
        p.add_argument("--events", type=int, required=True)
        p.add_argument("--stream-persons", type=int, default=5000)
        p.add_argument("--rate", type=float, default=5000)
        p.add_argument("--batch", type=int, default=500)
        p.add_argument("--watch-keys", type=int, default=100_000)
    ap.add_argument("--home", type=Path, default=Path("/tmp/tahqiq-load"))
    ap.add_argument("--persons", type=int, default=200_000, help="people in the ingested province")
    ap.add_argument("--stream-persons", type=int, default=5000, help="province whose streams are replayed")
    ap.add_argument("--analysts", type=int, default=50)
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument("--minutes", type=float, default=10, help="analysts and events together")
    ap.add_argument("--idle-seconds", type=float, default=120, help="analysts alone (reference)")
    ap.add_argument("--ref-seconds", type=float, default=60, help="events alone (reference)")
    ap.add_argument("--rate", type=float, default=5000, help="events per second")
    ap.add_argument("--batch", type=int, default=500, help="events per bus message")
    ap.add_argument("--watch-keys", type=int, default=100_000)
    ap.add_argument("--nats", default=os.environ.get("TAHQIQ_NATS_URL", "nats://127.0.0.1:4222"))
    ap.add_argument("--prepare-only", action="store_true", help="prepare the store and the accounts, then stop")
    args = ap.parse_args()
    if args.cmd == "publish":
        return publish_main(args)
    if args.cmd == "worker":
        return worker_main(args)
    for url in (args.nats,):
        if "127.0.0.1" not in url and "localhost" not in url:
            ap.error("traffic stays on this machine: --nats must be on 127.0.0.1")

    args.home.mkdir(parents=True, exist_ok=True)
    os.environ["TAHQIQ_HOME"] = str(args.home)
    os.environ.pop("TAHQIQ_DATABASE_URL", None)
    accounts = prepare(args.home, args.persons, args.analysts)
    if args.prepare_only:
        print(f"prepared {args.home}: {args.persons:,} persons, {args.analysts} analysts ({accounts})")
        return
    out = args.home / f"run-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "tahqiq", "serve", "--port", str(port), "--insecure-cookies"],
                              stdout=(out / "server.log").open("w"), stderr=subprocess.STDOUT)
    try:
        import httpx

        def up() -> bool:
            try:
                return httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        deadline = time.monotonic() + 120
        while not up():
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"tahqiq serve did not start: see {out / 'server.log'}")
            time.sleep(0.5)
        print(f"server {base}; results in {out}", flush=True)

        print(f"phase analysts: {args.analysts} analysts, no events, {args.idle_seconds:.0f} s", flush=True)
        idle = locust(args, base, accounts, args.idle_seconds, out / "analysts")

        print(f"phase events: {args.rate:,.0f} events/s, no analysts, {args.ref_seconds:.0f} s", flush=True)
        sse = SseWatch(base)
        sse.start()
        ref_worker, ref_pub = finish_events(*start_events(args, args.ref_seconds))
        ref_sse, sse.lags = list(sse.lags), []

        seconds = args.minutes * 60
        print(f"phase both: analysts and {args.rate:,.0f} events/s, {seconds:.0f} s", flush=True)
        procs = start_events(args, seconds)
        both = locust(args, base, accounts, seconds, out / "both")
        both_worker, both_pub = finish_events(*procs)
        both_sse = list(sse.lags)
        sse.stop.set()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()

    report(idle, both, (ref_worker, ref_pub, ref_sse), (both_worker, both_pub, both_sse), args)


def report(idle: dict[str, dict], both: dict[str, dict], ref: tuple, loaded: tuple, args: argparse.Namespace) -> None:
    print(f"\nanalysts' requests (ms): alone | with {args.rate:,.0f} events/s")
    print(f"{'request':26} {'n':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} | {'n':>6} {'p50':>6} {'p95':>6} "
          f"{'p99':>6} {'err':>4}")
    for name in [n for n in both if n not in ("Aggregated", READS)] + [READS]:
        cells = []
        for table in (idle, both):
            row = table.get(name)
            cells.append(" ".join(f"{row[k]:>6}" for k in ("Request Count", "50%", "95%", "99%")) + f" "
                         f"{row['Failure Count']:>4}" if row else f"{'-':>33}")
        print(f"{name:26} {cells[0]} | {cells[1]}")
    print(f"\nevents (target {args.rate:,.0f}/s)          alone | with analysts")
    rows = [("published /s", lambda w, p, s: p["published"] / p["seconds"]),
            ("evaluated /s", lambda w, p, s: w["events_in_span"] / w["seconds"]),
            ("alerts", lambda w, p, s: w["alerts"]),
            ("event -> alert p50 ms", lambda w, p, s: w["alert_p50"]),
            ("event -> alert p99 ms", lambda w, p, s: w["alert_p99"]),
            ("alert -> SSE p50 ms", lambda w, p, s: pct(s, .5)),
            ("alert -> SSE p99 ms", lambda w, p, s: pct(s, .99)),
            ("store retries", lambda w, p, s: w["retries"])]
    for label, f in rows:
        print(f"{label:28} {f(*ref):>10,.0f} | {f(*loaded):>10,.0f}")


if __name__ == "__main__":
    main()
