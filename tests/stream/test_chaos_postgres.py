"""Chaos: the PostgreSQL server holding the alerts crashes (`pg_ctl stop -m immediate`: every
backend killed, recovery from the WAL on the next start) and comes back while the detection worker
writes to it. The worker rides it out, and every alert is stored exactly once.

The cluster is a private one (tests/stream/chaos.py: initdb into the test's temporary folder), and
so is the NATS server: the machine's shared services are in use by other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from sqlalchemy import create_engine

from tahqiq.store import open_store
from tests.stream.chaos import NatsServer, PostgresCluster, wait_for
from tests.stream.test_chaos_nats import BATCH, STREAM, checkpoint_seq, publish
from tests.stream.test_pipeline import ROOT, all_records, expected_keys, stored, watch_keys


def test_postgres_crash_and_restart_mid_stream_loses_and_duplicates_no_alert(streams, tmp_path):
    records = all_records(streams)
    keys = watch_keys(records)
    expected = expected_keys(records, keys)
    messages = -(-len(records) // BATCH)
    with NatsServer(tmp_path) as nats, PostgresCluster() as pg:
        open_store(pg.url).dispose()  # migrated
        publish(nats.url, records)
        env = {k: v for k, v in os.environ.items() if k != "TAHQIQ_DATABASE_SCHEMA"}
        env.update(TAHQIQ_DATABASE_URL=pg.url, TAHQIQ_HOME=str(tmp_path / "home"))
        argv = [sys.executable, "-m", "tests.stream.run_worker", "--url", nats.url, "--stream", STREAM,
                "--consumer", "pg", "--slow", "0.04", "--idle-exit", "4", "--checkpoint-every", "0.2"]
        proc = subprocess.Popen(argv + [f"--watch={k}={v}" for k, v in keys], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        engine = create_engine(pg.url)
        try:
            wait_for(lambda: checkpoint_seq(engine, "pg") >= messages // 4 or proc.poll() is not None,
                     what="the worker's first checkpoints")
            engine.dispose()
            assert proc.poll() is None, proc.communicate()
            pg.crash()
            time.sleep(1.5)  # the worker meets a refused connection, more than once
            pg.start()
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert proc.returncode == 0, err[-3000:]
        counts = json.loads(out.strip().splitlines()[-1])
        assert "store unreachable" in err  # the outage was met, not slept through
        got, n = stored(engine)
        engine.dispose()
    assert expected - got == set(), "alerts lost"
    assert got == expected and n == len(expected), "alerts that should not exist, or duplicates"
    assert counts["events"] == len(records)
