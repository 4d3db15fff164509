"""A real `tahqiq ingest` process killed with SIGKILL mid-file, then re-run, ends with exact counts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tahqiq.ingest import ingest, load_mapping
from tahqiq.store import open_store
from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow, SourceRecord, Statement

from .test_ingest import HEADER, MAPPING

# Twelve chunks of 500: the kill lands after the third, with most of the file still to read; the
# resume and the in-process reference each ingest the whole file, so the size is the test's cost.
N_ROWS = 6_000
KILL_AFTER = 1_500


def big_csv(path):
    lines = [",".join(HEADER)]
    for i in range(N_ROWS):
        cnic = f"35202{i:07d}{i % 10}"
        bad = i % 997 == 0  # some rows fail validation
        lines.append(",".join([str(i), f"Person {i}", "محمد", cnic[:-3] if bad else cnic, "01/02/1990",
                               "Lahore", f"0300{i:07d}"]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def table_counts(engine):
    with Session(engine) as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                for t in (SourceRecord, Entity, Statement, QuarantinedRow)}


def test_sigkill_mid_file_then_resume(engine, tmp_path):
    mapping_path = tmp_path / "m.yml"
    mapping_path.write_text(MAPPING.format(format="csv", encoding="auto"), encoding="utf-8")
    data = tmp_path / "big.csv"
    big_csv(data)
    cmd = [sys.executable, "-m", "tahqiq", "ingest", str(mapping_path), str(data), "--chunk-size", "500", "--quiet"]

    proc = subprocess.Popen(cmd, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    read = 0
    while time.monotonic() < deadline and proc.poll() is None:
        with Session(engine) as s:
            read = s.scalar(select(IngestBatch.rows_read).order_by(IngestBatch.id.desc()).limit(1)) or 0
        if read >= KILL_AFTER:
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"ingest ended before it could be killed: {proc.stdout.read().decode()}"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with Session(engine) as s:
        batch = s.execute(select(IngestBatch)).scalar_one()
    assert batch.status == "running" and 0 < batch.rows_read < N_ROWS
    partial = table_counts(engine)
    assert partial["source_records"] < N_ROWS

    out = subprocess.run(cmd, env=os.environ.copy(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "resumed after row" in out.stdout

    reference = open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    ingest(reference, load_mapping(mapping_path), str(data))
    assert table_counts(engine) == table_counts(reference)
    with Session(engine) as s:
        batch = s.execute(select(IngestBatch)).scalar_one()
    bad = len(range(0, N_ROWS, 997))
    assert (batch.status, batch.rows_read, batch.rows_loaded, batch.rows_quarantined) == (
        "done", N_ROWS, N_ROWS - bad, bad)
