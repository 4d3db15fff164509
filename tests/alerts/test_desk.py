"""The alert desk: routing, visibility, the lifecycle's order and permissions, audit entries,
feedback, waiting for new alerts; and the migration's tables (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import inspect, select, update

from tahqiq.alerts import AlertDesk
from tahqiq.alerts import store as alertstore
from tahqiq.alerts import tables as alert_tables
from tahqiq.compose.tables import metadata
from tahqiq.govern import AccessDenied, GovernError
from tahqiq.govern.cases import close_case
from tahqiq.govern.tables import AuditEntry, Case
from tahqiq.store.base import utcnow
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import parse_rules
from tahqiq.stream.windows import Detector
from tests.stream.conftest import ev
from tests.stream.lookup import DictLookup

ALERT_TABLES = {"alerts", "alert_actions", "rule_feedback", "control_room_routes", "stream_checkpoints"}
RULES = parse_rules(yaml.safe_load("""
rules:
  - id: cp.wanted
    title: Wanted person at a checkpoint
    severity: critical
    schema: CheckpointCheck
    detection: {w: {cnic|watchlist: cnic}, condition: w}
"""), "desk.yml")


def raise_alerts(engine, *checks: tuple[str, str, str]) -> list[int]:
    """Alerts for (record id, district, cnic) checkpoint checks of wanted CNICs; returns their ids."""
    lookup = DictLookup()
    for _, _, cnic in checks:
        lookup.add("cnic", cnic, case="CASE-2026-0002", basis="warrant W-77/2026 ATC Lahore")
    det = Detector(RuleEngine(RULES, lookup))
    found = [d for rid, district, cnic in checks
             for d in det.process(ev("CheckpointCheck", rid=rid, district=district, cnic=cnic, checkpoint_id="CP-1"))]
    with engine.begin() as conn:
        alertstore.write_alerts(conn, found)
    with engine.connect() as conn:
        return list(conn.execute(select(alert_tables.Alert.id).order_by(alert_tables.Alert.id)).scalars())


def audit_actions(engine, actor: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(r.action, r.decision) for r in conn.execute(
            select(AuditEntry.action, AuditEntry.decision).where(AuditEntry.actor == actor).order_by(AuditEntry.seq))]


def test_migration_creates_the_alert_tables_as_declared(engine):
    insp = inspect(engine)
    assert ALERT_TABLES <= set(insp.get_table_names())
    # Every room's tables (the composition root's metadata): foreign keys point across rooms.
    declared = {t.name: t for t in metadata().sorted_tables if t.name in ALERT_TABLES}
    assert set(declared) == ALERT_TABLES
    for name, table in declared.items():
        assert {c["name"] for c in insp.get_columns(name)} == {c.name for c in table.columns}, name
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("alerts")}
    assert ("dedupe_key",) in uniques


def test_routing_decides_who_sees_what(world, engine):
    desk = AlertDesk(world.gate)
    u = world.users
    lahore, fsd = raise_alerts(engine, ("CK1", "Lahore", "35202-1234567-1"), ("CK2", "Faisalabad", "33100-1234567-1"))
    desk.route(u["sana"], "ayesha", "lahore")  # district names are normalised
    assert [a.id for a in desk.list(u["ayesha"])] == [lahore]
    assert desk.list(u["bilal"]) == []
    assert sorted(a.id for a in desk.list(u["sana"])) == [lahore, fsd]  # her agency's case
    assert desk.list(u["zain"]) == []  # another agency's supervisor, nothing routed
    desk.route(u["sana"], "omar", "*")  # a provincial desk: every district
    assert sorted(a.id for a in desk.list(u["omar"])) == [lahore, fsd]
    view = desk.get(u["ayesha"], lahore)
    assert view.case_ref == "CASE-2026-0002" and view.key_value == "35202-1234567-1"
    assert view.evidence["hits"][0]["basis"].startswith("warrant")
    with pytest.raises(AccessDenied, match="not routed"):
        desk.get(u["ayesha"], fsd)
    with pytest.raises(GovernError, match="no alert 999"):
        desk.get(u["ayesha"], 999)
    with pytest.raises(AccessDenied, match="only supervisors and admins"):
        desk.route(u["ayesha"], "bilal", "Lahore")
    with pytest.raises(AccessDenied, match="own agency"):
        desk.route(u["zain"], "ayesha", "Lahore")
    with pytest.raises(GovernError, match="unknown district"):
        desk.route(u["sana"], "ayesha", "Atlantis")
    with pytest.raises(GovernError, match="only analysts and supervisors"):
        desk.route(u["admin"], "irfan", "Lahore")
    with pytest.raises(AccessDenied, match="auditors"):
        desk.list(u["irfan"])
    with pytest.raises(AccessDenied, match="personal data"):
        desk.list(u["admin"])
    assert ("alert.read", "grant") in audit_actions(engine, "ayesha")
    assert ("alert.read", "deny") in audit_actions(engine, "ayesha")
    assert ("alert.read", "deny") in audit_actions(engine, "irfan")
    assert ("alert.route", "grant") in audit_actions(engine, "sana")


def test_a_closed_or_expired_case_grants_its_alerts_to_no_desk(world, engine):
    """An alert tied to a case is read only while the case is open and unexpired, from a control
    room of the case's agency (or by a member added across agencies); each read names the case."""
    desk, u = AlertDesk(world.gate), world.users
    (lahore,) = raise_alerts(engine, ("CK1", "Lahore", "35202-1234567-1"))
    desk.route(u["sana"], "ayesha", "Lahore")
    desk.route(u["zain"], "farah", "*")  # another agency's provincial desk
    assert [a.id for a in desk.list(u["ayesha"])] == [lahore]
    assert desk.list(u["farah"]) == []  # routed, but the case is Punjab Police's
    with pytest.raises(AccessDenied, match="another agency"):
        desk.get(u["farah"], lahore)
    desk.get(u["ayesha"], lahore)
    with engine.connect() as conn:
        read = conn.execute(select(AuditEntry.case_ref, AuditEntry.entry).where(
            AuditEntry.actor == "ayesha", AuditEntry.action == "alert.read", AuditEntry.decision == "grant")
            .order_by(AuditEntry.seq.desc())).first()
    assert read.case_ref == "CASE-2026-0002" and json.loads(read.entry)["detail"]["cases"] == ["CASE-2026-0002"]

    with engine.begin() as conn:  # expired yesterday
        conn.execute(update(Case).where(Case.reference == "CASE-2026-0002").values(
            expires_at=utcnow() - timedelta(days=1)))
    assert desk.list(u["ayesha"]) == [] and desk.list(u["sana"]) == []
    assert desk.triage(u["ayesha"]).total_groups == 0
    with pytest.raises(AccessDenied, match="grants ayesha nothing"):
        desk.get(u["ayesha"], lahore)
    with pytest.raises(AccessDenied, match="grants ayesha nothing"):
        desk.act(u["ayesha"], lahore, "ack")
    with engine.begin() as conn:
        conn.execute(update(Case).where(Case.reference == "CASE-2026-0002").values(
            expires_at=utcnow() + timedelta(days=1)))
    assert [a.id for a in desk.list(u["ayesha"])] == [lahore]
    close_case(world.gate.audit, u["sana"], "CASE-2026-0002", "absconder arrested")
    assert desk.list(u["ayesha"]) == [] and desk.list(u["sana"]) == []
    with pytest.raises(AccessDenied, match="grants sana nothing"):
        desk.explain(u["sana"], lahore)
    assert ("alert.read", "deny") in audit_actions(engine, "sana")


def test_an_admin_routes_alerts_within_their_own_agency_only(world, engine):
    desk, u = AlertDesk(world.gate), world.users
    raise_alerts(engine, ("CK1", "Lahore", "35202-1234567-1"))
    with pytest.raises(AccessDenied, match="own agency"):
        desk.route(u["admin"], "farah", "*")  # admin of PUNJAB-POLICE, farah of FIA-CCW
    assert desk.list(u["farah"]) == []
    desk.route(u["admin"], "bilal", "Lahore")  # the admin's own agency
    assert len(desk.list(u["bilal"])) == 1
    assert ("alert.route", "deny") in audit_actions(engine, "admin")


def test_lifecycle_order_and_history(world, engine):
    desk = AlertDesk(world.gate)
    u = world.users
    a, b = raise_alerts(engine, ("CK1", "Lahore", "35202-1234567-1"), ("CK2", "Lahore", "35202-7654321-3"))
    desk.route(u["sana"], "ayesha", "Lahore")
    desk.route(u["sana"], "bilal", "Lahore")
    ayesha, bilal = u["ayesha"], u["bilal"]
    with pytest.raises(GovernError, match="dispatch needs it to be verified — a human must verify"):
        desk.act(ayesha, a, "dispatch")
    with pytest.raises(GovernError, match="is new; verify needs it to be acknowledged"):
        desk.act(ayesha, a, "verify")
    with pytest.raises(GovernError, match="unknown action"):
        desk.act(ayesha, a, "escalate")
    assert desk.act(ayesha, a, "ack").status == "acknowledged"
    assert desk.act(bilal, a, "verify", note="photo matches").status == "verified"
    assert desk.act(ayesha, a, "dispatch", note="stop and search", unit="PRU-12").status == "dispatched"
    with pytest.raises(GovernError, match="is dispatched; dispatch needs"):
        desk.act(ayesha, a, "dispatch")
    done = desk.act(ayesha, a, "close")
    assert done.status == "closed"
    assert [(h["action"], h["user"]) for h in done.history] == [
        ("acknowledge", "ayesha"), ("verify", "bilal"), ("dispatch", "ayesha"), ("close", "ayesha")]
    assert done.history[1]["note"] == "photo matches"
    seqs = [h["audit_seq"] for h in done.history]
    with engine.connect() as conn:
        logged = dict(conn.execute(select(AuditEntry.seq, AuditEntry.action).where(AuditEntry.seq.in_(seqs))).all())
    assert [logged[s] for s in seqs] == ["alert.acknowledge", "alert.verify", "alert.dispatch", "alert.close"]
    desk.act(ayesha, b, "acknowledge")
    assert desk.act(ayesha, b, "false-positive", note="different person").status == "false_positive"
    with pytest.raises(GovernError, match="is false_positive; dispatch needs"):
        desk.act(ayesha, b, "dispatch")
    assert desk.act(ayesha, b, "close").status == "closed"
    assert desk.list(ayesha, status="closed")[0].id == a
    fb = desk.feedback(u["irfan"])  # auditors may see the per-rule counts
    assert [(f["rule_id"], f["verified"], f["false_positive"], f["false_positive_rate"]) for f in fb] == [
        ("cp.wanted", 1, 1, 0.5)]
    assert ("alert.feedback", "grant") in audit_actions(engine, "irfan")


def test_who_may_act(world, engine):
    desk = AlertDesk(world.gate)
    u = world.users
    (a,) = raise_alerts(engine, ("CK1", "Lahore", "35202-1234567-1"))
    with pytest.raises(AccessDenied, match="not routed"):
        desk.act(u["bilal"], a, "ack")
    with pytest.raises(AccessDenied, match="auditors"):
        desk.act(u["irfan"], a, "ack")
    with pytest.raises(AccessDenied, match="may not act on alerts"):
        desk.act(u["admin"], a, "ack")
    assert desk.act(u["sana"], a, "ack").status == "acknowledged"  # her agency's case
    assert ("alert.acknowledge", "deny") in audit_actions(engine, "irfan")
    from tahqiq.govern import identity

    identity.disable_user(world.gate.audit, u["admin"], "sana")
    with pytest.raises(AccessDenied, match="disabled"):
        desk.act(u["sana"], a, "verify")


def test_wait_returns_new_alerts_or_nothing(world, engine):
    desk = AlertDesk(world.gate)
    u = world.users
    desk.route(u["sana"], "ayesha", "Lahore")
    started = time.monotonic()
    assert desk.wait(u["ayesha"], 0, timeout=0.3) == []
    assert time.monotonic() - started >= 0.3
    timer = threading.Timer(0.3, raise_alerts, (engine, ("CK9", "Lahore", "35202-1234567-1")))
    timer.start()
    got = desk.wait(u["ayesha"], 0, timeout=5)
    timer.join()
    assert [a.key_value for a in got] == ["35202-1234567-1"]
    assert desk.wait(u["ayesha"], got[-1].id, timeout=0.1) == []


def test_redelivered_detections_create_no_duplicates(engine):
    checks = [("CK1", "Lahore", "35202-1234567-1"), ("CK2", "Lahore", "35202-7654321-3")]
    first = raise_alerts(engine, *checks)
    again = raise_alerts(engine, *checks)
    assert first == again and len(first) == 2
