"""Chaos: `tahqiq serve` (the real command, its own process) is killed with SIGKILL while analysts
write through the JSON API (case notes, alert actions), then started again on the same store.

Every write the client saw acknowledged is there exactly once with the audit entry it was given;
nothing is half-written (a note or an action without its entry, or an entry without its note or
action); the audit log verifies. Writes cut off by the kill are "in doubt": each is either wholly
there or wholly absent. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from tahqiq.alerts import Alert, AlertDesk
from tahqiq.alerts.tables import AlertAction
from tahqiq.casework.tables import CaseNote
from tahqiq.govern import Gate, identity
from tahqiq.govern.tables import AuditEntry
from tests.stream.chaos import free_port, wait_for

ALERTS = 400


@dataclass
class Ledger:
    """What the client was told: acknowledged writes (with the audit sequence the answer gave) and
    writes whose answer never came."""

    notes: dict[str, tuple[int, int]] = field(default_factory=dict)  # body -> (note id, audit seq)
    notes_in_doubt: set[str] = field(default_factory=set)
    acks: dict[int, int] = field(default_factory=dict)  # alert id -> audit seq of the action
    acks_in_doubt: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tahqiq", "serve", "--port", str(self.port),
                                      "--insecure-cookies"], env=os.environ.copy(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def up() -> bool:
            assert self.proc is not None and self.proc.poll() is None, "the server exited"
            try:
                return httpx.get(f"{self.base}/openapi.json", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, 60, every=0.1, what="tahqiq serve")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def seed_alerts(engine) -> list[int]:
    now = datetime.now(UTC)
    rows = [dict(dedupe_key=uuid.uuid4().hex, rule_id="checkpoint.wanted-cnic", severity="high", district="Lahore",
                 status="new", created_at=now, occurred_at=now, key_kind="cnic", key_value="35202-1234567-1",
                 title="Wanted CNIC at checkpoint", evidence={"event": {"checkpoint": "Thokar"}}, case_ref=None)
            for _ in range(ALERTS)]
    with engine.begin() as conn:
        conn.execute(Alert.__table__.insert(), rows)
        return sorted(conn.execute(select(Alert.id)).scalars())


def note_writer(base: str, case: str, headers: dict, ledger: Ledger, stop: threading.Event, name: str) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        i = 0
        while not stop.is_set():
            body = f"chaos note {name}-{i}"
            i += 1
            try:
                r = client.post(f"/api/cases/{case}/notes", json={"body": body})
            except httpx.ConnectError:  # the server is down: nothing was sent
                time.sleep(0.05)
                continue
            except httpx.TransportError:
                ledger.notes_in_doubt.add(body)  # sent, and no answer came: stored, or not
                continue
            with ledger.lock:
                if r.status_code == 201:
                    ledger.notes[body] = (r.json()["id"], r.json()["audit_seq"])
                else:
                    ledger.errors.append(f"note {body}: {r.status_code} {r.text[:200]}")


def alert_writer(base: str, alert_ids: list[int], headers: dict, ledger: Ledger, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for aid in alert_ids:
            if stop.is_set():
                return
            try:
                r = client.post(f"/api/alerts/{aid}/acknowledge", json={"note": "seen"})
            except httpx.ConnectError:  # the server is down: nothing was sent (this alert stays new)
                time.sleep(0.05)
                continue
            except httpx.TransportError:
                ledger.acks_in_doubt.add(aid)
                continue
            if r.status_code == 200:
                ledger.acks[aid] = r.json()["history"][-1]["audit_seq"]
            else:
                ledger.errors.append(f"alert {aid}: {r.status_code} {r.text[:200]}")


def acknowledged(ledger: Ledger) -> int:
    with ledger.lock:
        return len(ledger.notes) + len(ledger.acks)


def test_sigkill_of_the_server_mid_write_keeps_every_acknowledged_write_once(engine, world):
    gate = world.gate
    alert_ids = seed_alerts(engine)
    AlertDesk(gate).route(world.users["sana"], "ayesha", "Lahore")
    token, _ = identity.create_token(gate.audit, world.users["ayesha"], "chaos")
    headers = {"Authorization": f"Bearer {token}"}
    server, ledger, stop = Server(), Ledger(), threading.Event()
    server.start()
    writers = [threading.Thread(target=note_writer, args=(server.base, world.case, headers, ledger, stop, str(n)))
               for n in range(3)]
    writers.append(threading.Thread(target=alert_writer, args=(server.base, alert_ids, headers, ledger, stop)))
    try:
        for w in writers:
            w.start()
        wait_for(lambda: acknowledged(ledger) >= 40, 60, what="40 acknowledged writes")
        server.kill()  # four requests are in flight at almost any instant
        before = acknowledged(ledger)
        server.start()
        wait_for(lambda: acknowledged(ledger) >= before + 40, 60, what="writes after the restart")
    finally:
        stop.set()
        for w in writers:
            w.join(timeout=30)
        server.stop()
    assert not ledger.errors, ledger.errors[:5]
    assert ledger.notes_in_doubt or ledger.acks_in_doubt, "the kill met no write in flight"

    check = Gate(engine)
    try:
        with engine.connect() as conn:
            notes = conn.execute(select(CaseNote.id, CaseNote.body, CaseNote.audit_seq)).all()
            actions = conn.execute(select(AlertAction.alert_id, AlertAction.action, AlertAction.audit_seq)).all()
            statuses = dict(conn.execute(select(Alert.id, Alert.status)).all())
            entries = {e.seq: e for e in conn.execute(
                select(AuditEntry.seq, AuditEntry.action, AuditEntry.actor, AuditEntry.case_ref, AuditEntry.target,
                       AuditEntry.decision).where(AuditEntry.action.in_(["note.add", "alert.acknowledge"]),
                                                  AuditEntry.decision == "grant"))}
        report = check.audit.verify()
    finally:
        check.dispose()
    assert report.ok, report.problems[:5]

    # Acknowledged writes: each there once, with the entry the answer named.
    by_body: dict[str, list] = {}
    for n in notes:
        by_body.setdefault(n.body, []).append(n)
    assert all(len(v) == 1 for v in by_body.values()), "a note stored twice"
    for body, (nid, seq) in ledger.notes.items():
        assert body in by_body, f"acknowledged note lost: {body}"
        assert (by_body[body][0].id, by_body[body][0].audit_seq) == (nid, seq)
    assert set(by_body) <= set(ledger.notes) | ledger.notes_in_doubt  # nothing the client never sent
    acks = [a for a in actions if a.action == "acknowledge"]
    assert len({a.alert_id for a in acks}) == len(acks), "an alert acknowledged twice"
    acted = {a.alert_id: a.audit_seq for a in acks}
    for aid, seq in ledger.acks.items():
        assert acted.get(aid) == seq and statuses[aid] == "acknowledged", f"acknowledged action lost: alert {aid}"
    assert set(acted) <= set(ledger.acks) | ledger.acks_in_doubt
    assert {aid for aid, s in statuses.items() if s != "new"} == set(acted)  # no status change without its action

    # Nothing half-written: every note and action has its entry, every entry its note or action.
    for n in notes:
        e = entries.get(n.audit_seq)
        assert e is not None and e.action == "note.add" and e.actor == "ayesha" and e.case_ref == world.case
    for a in acks:
        e = entries.get(a.audit_seq)
        assert e is not None and e.action == "alert.acknowledge" and e.target == str(a.alert_id)
    assert sorted(entries) == sorted([n.audit_seq for n in notes] + [a.audit_seq for a in acks])
