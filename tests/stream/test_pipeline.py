"""The pipeline end to end: generated streams -> bus -> worker -> alerts, in-process and through
real NATS JetStream (which must be running when CI=true), including a worker killed with SIGKILL
mid-stream; and the stream CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from tahqiq.alerts import Alert, write_alerts
from tahqiq.stream.bus import InProcessBus, NatsBus
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.events import event_from_record, read_records
from tahqiq.stream.rulefile import load_rules
from tahqiq.stream.tables import StreamCheckpoint
from tahqiq.stream.windows import Detector
from tahqiq.stream.worker import Worker, replay
from tests.stream.conftest import NATS_URL, PASSWORD, nats_or_fail
from tests.stream.lookup import DictLookup

ROOT = Path(__file__).parents[2]


def all_records(streams: Path) -> list[dict]:
    """The three streams merged in event time (as a live feed would interleave them)."""
    recs = [r for name in ("checkpoint_checks", "anpr_reads", "transactions")
            for r in read_records(streams / f"{name}.jsonl")]
    return sorted(recs, key=lambda r: (event_from_record(r).time, r["record_id"]))


def watch_keys(records: list[dict]) -> list[tuple[str, str]]:
    """Every 7th distinct plate and CNIC, so wanted alerts are spread over the stream."""
    plates = sorted({event_from_record(r).fields["plate"] for r in records if r["schema"] == "PlateRead"})
    cnics = sorted({event_from_record(r).fields["cnic"] for r in records if r["schema"] == "CheckpointCheck"})
    return [("plate", p) for p in plates[::7]] + [("cnic", c) for c in cnics[::7]]


def lookup_of(keys) -> DictLookup:
    lookup = DictLookup()
    for kind, value in keys:
        lookup.add(kind, value)
    return lookup


def expected_keys(records, keys) -> set[str]:
    det = Detector(RuleEngine(load_rules(), lookup_of(keys)))
    return {d.dedupe_key for r in records for d in det.process(event_from_record(r))}


def stored(engine) -> tuple[set[str], int]:
    with engine.connect() as conn:
        keys = set(conn.execute(select(Alert.dedupe_key)).scalars())
        n = conn.execute(select(func.count()).select_from(Alert)).scalar_one()
    return keys, n


def test_in_process_pipeline_end_to_end(engine, streams):
    records = all_records(streams)
    keys = watch_keys(records)
    expected = expected_keys(records, keys)
    rule_ids = {d.split()[0] for d in expected}
    assert len(expected) >= 10 and rule_ids

    async def run():
        bus = InProcessBus()
        worker = Worker(engine, Detector(RuleEngine(load_rules(), lookup_of(keys))), bus, sink=write_alerts)

        async def produce():
            await replay(bus, records, batch_size=50)
            await bus.close()

        return (await asyncio.gather(produce(), worker.run()))[1]

    stats = asyncio.run(run())
    assert stats.events == len(records) and stats.alerts_new == len(expected)
    got, n = stored(engine)
    assert got == expected and n == len(expected)
    with engine.connect() as conn:
        rules_seen = set(conn.execute(select(Alert.rule_id)).scalars())
        wanted = conn.execute(select(Alert).where(Alert.rule_id == "checkpoint.wanted-cnic")).first()
    assert {"checkpoint.wanted-cnic", "anpr.wanted-plate"} <= rules_seen
    assert wanted.district and wanted.key_kind == "cnic" and wanted.evidence["hits"][0]["kind"] == "cnic"
    again = asyncio.run(run())  # the same stream again: every alert is already there
    assert again.alerts_new == 0 and stored(engine)[1] == len(expected)


def _nats_names() -> tuple[str, str]:
    name = "TQTEST_" + uuid.uuid4().hex[:10].upper()
    return name, name.lower()


async def _publish(stream: str, records: list[dict], batch: int) -> NatsBus:
    bus = await NatsBus(NATS_URL, stream=stream, subject=f"{stream}.events").connect()
    await replay(bus, records, batch_size=batch)
    return bus


async def _delete(stream: str) -> None:
    bus = await NatsBus(NATS_URL, stream=stream, subject=f"{stream}.events").connect()
    await bus.delete_stream()
    await bus.close()


def test_nats_jetstream_end_to_end(engine, streams):
    nats_or_fail()
    records = all_records(streams)
    keys = watch_keys(records)
    expected = expected_keys(records, keys)
    stream, consumer = _nats_names()
    try:
        async def run():
            pub = await _publish(stream, records, 100)
            await pub.close()
            bus = await NatsBus(NATS_URL, stream=stream, subject=f"{stream}.events", durable=consumer).connect()
            stats = await Worker(engine, Detector(RuleEngine(load_rules(), lookup_of(keys))), bus, sink=write_alerts,
                                 consumer=consumer).run(idle_exit=1.0)
            await bus.close()
            return stats

        stats = asyncio.run(run())
        assert stats.events == len(records)
        got, n = stored(engine)
        assert got == expected and n == len(expected)
        with engine.connect() as conn:
            seq = conn.execute(select(StreamCheckpoint.stream_seq)
                               .where(StreamCheckpoint.consumer == consumer)).scalar()
        assert seq == -(-len(records) // 100)  # every message is covered by the checkpoint
    finally:
        asyncio.run(_delete(stream))


def test_sigkill_mid_stream_loses_no_alert_and_duplicates_none(engine, streams):
    nats_or_fail()
    records = all_records(streams)
    keys = watch_keys(records)
    expected = expected_keys(records, keys)
    stream, consumer = _nats_names()
    argv = [sys.executable, "-m", "tests.stream.run_worker", "--url", NATS_URL, "--stream", stream,
            "--consumer", consumer] + [f"--watch={k}={v}" for k, v in keys]
    try:
        asyncio.run(_publish_and_close(stream, records))
        messages = -(-len(records) // 20)
        worker = subprocess.Popen(argv + ["--slow", "0.05"], cwd=ROOT, env=os.environ.copy(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seq = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (seq >= 4 and stored(engine)[1] > 0):
            time.sleep(0.05)
            with engine.connect() as conn:
                seq = conn.execute(select(StreamCheckpoint.stream_seq)
                                   .where(StreamCheckpoint.consumer == consumer)).scalar() or 0
        assert worker.poll() is None, worker.communicate()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        partial, _ = stored(engine)
        assert 0 < seq < messages and len(partial) < len(expected)  # really killed mid-stream
        done = subprocess.run(argv, cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        counts = json.loads(done.stdout.strip().splitlines()[-1])
        got, n = stored(engine)
        assert got == expected and n == len(expected)
        assert counts["alerts_new"] == len(expected) - len(partial)
    finally:
        asyncio.run(_delete(stream))


async def _publish_and_close(stream: str, records: list[dict]) -> None:
    bus = await _publish(stream, records, 20)
    await bus.close()


def _cli():
    from tahqiq.cli import case_cmds, stream_cmds, user_cmds

    app = typer.Typer()
    user_cmds.register(app)
    case_cmds.register(app)
    stream_cmds.register(app)
    runner = CliRunner()

    def run(*args, user: str | None = None):
        argv = [str(a) for a in args] + (["--user", user] if user else [])
        return runner.invoke(app, argv, env={"TAHQIQ_PASSWORD": PASSWORD, "TAHQIQ_TOKEN": None, "COLUMNS": "250"},
                             catch_exceptions=False)

    return run


def test_cli_replay_rules_and_alert_desk(world, engine, streams, tmp_path):
    cli = _cli()
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  - id: x.bad\n    title: bad one\n    detection: {s: {plate|near: X}, condition: s}\n")
    r = cli("rules", "check", bad)
    assert r.exit_code == 2 and "bad.yml: rule 'x.bad': detection.s.plate|near: unknown modifier" in r.output
    r = cli("rules", "check", ROOT / "src/tahqiq/stream/rules")
    assert r.exit_code == 0 and "ok:" in r.output
    r = cli("replay", streams / "anpr_reads.jsonl", streams / "transactions.jsonl", "--batch", "100")
    assert r.exit_code == 0, r.output
    raised = stored(engine)[1]
    assert raised > 0 and "new alerts" in r.output
    with engine.connect() as conn:
        district = conn.execute(select(Alert.district).where(Alert.district.is_not(None))).scalars().first()
        first = conn.execute(select(func.min(Alert.id))).scalar()
    where = district or "*"  # transaction alerts have no district: a provincial desk gets them
    assert cli("alerts", "route", "ayesha", where, user="ayesha").exit_code == 3
    assert cli("alerts", "route", "ayesha", where, user="sana").exit_code == 0
    r = cli("alerts", "list", user="ayesha")
    assert r.exit_code == 0 and str(first) in r.output
    r = cli("alerts", "dispatch", first, user="ayesha")
    assert r.exit_code == 2 and "verify" in r.output
    for step in ("ack", "verify"):
        r = cli("alerts", step, first, "--note", "checked", user="ayesha")
        assert r.exit_code == 0, r.output
    r = cli("alerts", "dispatch", first, "--note", "checked", user="ayesha")
    assert r.exit_code == 2 and "unit" in r.output  # a dispatch names who was sent
    for step, *more in (("dispatch", "--unit", "PS Gulberg"), ("close",)):
        r = cli("alerts", step, first, "--note", "checked", *more, user="ayesha")
        assert r.exit_code == 0, r.output
    r = cli("alerts", "show", first, user="ayesha")
    assert "closed" in r.output and "ayesha: dispatch" in r.output
    assert cli("alerts", "list", user="irfan").exit_code == 3
    r = cli("alerts", "feedback", user="irfan")
    assert r.exit_code == 0 and "1" in r.output
