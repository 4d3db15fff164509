"""`tahqiq serve` as a real process: it answers, signs tree heads while entries arrive, runs
retention on its schedule, and exits cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from sqlalchemy import create_engine, func, select

from tahqiq.govern.tables import RetentionRun, TreeHead


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_serve_runs_heartbeat_and_retention_and_stops(tmp_path):
    port = _free_port()
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {**os.environ, "TAHQIQ_HOME": str(tmp_path / "home"), "TAHQIQ_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, "-m", "tahqiq", "serve", "--port", str(port), "--insecure-cookies",
                             "--retention-hours", "0.0005"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    engine = None
    try:
        base = f"http://127.0.0.1:{port}"

        def up():
            try:
                return httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        _wait_for(up)
        # A failed sign-in is an audit entry; the heartbeat must cover it with a signed head.
        assert httpx.post(f"{base}/api/login", json={"username": "nobody", "password": "x"}).status_code == 401
        engine = create_engine(url)

        def covered():
            with engine.connect() as conn:
                return conn.execute(select(func.max(TreeHead.tree_size))).scalar() or 0

        assert _wait_for(covered) >= 1
        def retention_runs():  # every 1.8 s here (daily by default); a new snapshot per look
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(RetentionRun)).scalar()

        _wait_for(retention_runs)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0, proc.stdout.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        if engine is not None:
            engine.dispose()
