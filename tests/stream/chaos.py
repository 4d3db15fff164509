"""Private servers for the chaos tests: a NATS JetStream server and a PostgreSQL cluster that a test
may kill -9 and start again (same port, same data directory) without touching the machine's shared
services, which other tests use at the same time.

    with NatsServer(tmp_path) as nats:          # nats.url
        nats.kill(); nats.start()
    with PostgresCluster() as pg:               # pg.url (a database `chaos`, trust auth)
        pg.crash(); pg.start()

When the binaries are missing the test is skipped, or fails under CI=true.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
PG_BIN = Path(os.environ.get("TAHQIQ_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, every: float = 0.05, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (CI=true: the chaos tests may not be skipped)")
    pytest.skip(what)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class NatsServer:
    """`nats-server -js` on a free port with its own store directory."""

    def __init__(self, root: Path) -> None:
        if not Path(NATS_SERVER).exists():
            missing(f"no nats-server at {NATS_SERVER}")
        self.port = free_port()
        self.store = root / "nats-store"
        self.log = root / "nats.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen([NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port),
                                          "-sd", str(self.store)], stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: _listening(self.port), 20, what=f"nats-server on port {self.port}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; what JetStream had written stays in the page cache."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> NatsServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb into a new folder under the system's temporary one,
    run as the `postgres` user when we are root: pytest's own folders are closed to other users),
    listening on 127.0.0.1 at a free port, with a database `chaos`. Removed on exit."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            missing(f"no PostgreSQL binaries in {PG_BIN} (set TAHQIQ_TEST_PG_BIN)")
        self.root = Path(tempfile.mkdtemp(prefix="tahqiq-chaos-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/chaos"

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(self._as + [str(PG_BIN / tool), *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def crash(self) -> None:
        """Stop without a checkpoint (`-m immediate`: every backend is killed, the next start
        recovers from the WAL), as a crash of the database server looks to its clients."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def __enter__(self) -> PostgresCluster:
        self.start()
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE chaos")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.crash()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)
