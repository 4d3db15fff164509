"""Networks through the gate: a small generated world ingested into the store (SQLite and
PostgreSQL), detection as the scheduled job, campaigns stored and paged, cases from campaigns."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tahqiq.alerts import AlertDesk, write_hit_alerts
from tahqiq.govern import SYSTEM, AccessDenied
from tahqiq.govern.cases import open_case
from tahqiq.govern.tables import AuditEntry, CaseSubject
from tahqiq.networks import (
    COMPLAINT_PROPS,
    TX_PROPS,
    CampaignNotFound,
    cluster_in_store,
    detect_in_store,
    get_campaign,
    list_campaigns,
    open_case_from_campaign,
)
from tests.networks.storeworld import SENSITIVE, net_world, networks_world  # noqa: F401 - fixtures


def _actions(gate) -> list[tuple[str, str, dict]]:
    with gate.engine.connect() as conn:
        return [(r.action, r.decision, json.loads(r.entry).get("detail") or {}) for r in conn.execute(
            select(AuditEntry.action, AuditEntry.decision, AuditEntry.entry).order_by(AuditEntry.seq))]


def test_detection_reads_once_through_the_gate(net_world):
    before = len([a for a, dec, _ in _actions(net_world.gate) if a == "networks.detect" and dec == "grant"])
    with net_world.gate.scope(SYSTEM, "transaction-network detection job") as job:
        run = detect_in_store(job)
    assert run.transactions > 1000 and run.accounts > 100
    assert {"cycle", "stack"} <= {h.typology for h in run.hits}
    assert all(t in run.hit_transactions for h in run.hits for t in h.transactions)
    reads = [d for a, dec, d in _actions(net_world.gate) if a == "networks.detect" and dec == "grant"][before:]
    assert len(reads) == 1 and reads[0]["records"] == run.transactions and reads[0]["props"] == TX_PROPS


def test_an_analyst_may_not_read_in_bulk(net_world):
    with net_world.gate.scope(net_world.analyst, "look for mule rings") as view, pytest.raises(AccessDenied):
        detect_in_store(view)
    assert any(a == "networks.detect" and dec == "deny" for a, dec, _ in _actions(net_world.gate))


def test_no_sensitive_property_is_read():
    read = {p.lower() for p in TX_PROPS + COMPLAINT_PROPS}
    assert not {p for p in read if any(s in p for s in SENSITIVE)}


def test_campaigns_are_stored_paged_and_read(net_world):
    with net_world.gate.scope(SYSTEM, "scam campaign clustering") as job:
        run = cluster_in_store(job)
        again = cluster_in_store(job)  # replaces, does not add
    assert run.campaigns >= 3 and again.campaigns == run.campaigns
    with net_world.gate.scope(net_world.analyst, "review scam campaigns") as view:
        first = list_campaigns(view, offset=0, limit=2)
        second = list_campaigns(view, offset=2, limit=2)
        assert first.total == run.campaigns and len(first.items) == 2
        assert not {c.id for c in first.items} & {c.id for c in second.items}
        assert first.items[0].complaints >= first.items[1].complaints
        assert first.run_at is not None and first.run_at.tzinfo is not None
        district = next(iter(first.items[0].districts))
        assert all(district in c.districts for c in list_campaigns(view, district=district, limit=200).items)
        detail = get_campaign(view, first.items[0].id)
        assert len(detail.complaint_entities) == first.items[0].complaints
        assert [t for t, _ in detail.timeline] == sorted(t for t, _ in detail.timeline)
        assert detail.links and len(detail.links[0][1]) >= 2
        with pytest.raises(CampaignNotFound):
            get_campaign(view, "CMP-none")
        with pytest.raises(ValueError, match="sort"):
            list_campaigns(view, sort="name")


def test_a_campaign_opens_a_case_with_its_subjects(net_world):
    gate = net_world.gate
    with gate.scope(SYSTEM, "scam campaign clustering") as job:
        cluster_in_store(job)
        top = list_campaigns(job, limit=1).items[0]
        detail = get_campaign(job, top.id, money=False)
    ref = open_case_from_campaign(gate, net_world.supervisor, top.id, reference="CASE-2026-0777",
                                  title="scam campaign investigation", basis_kind="fir", basis_ref="12/2026 PS Gulberg",
                                  authorising_officer="SP Cyber Crime", open_case=open_case)
    with gate.engine.connect() as conn:
        subjects = set(conn.execute(select(CaseSubject.entity_id)).scalars())
    assert ref == "CASE-2026-0777" and set(detail.complaint_entities) <= subjects
    # an analyst outside the case cannot read its subjects
    with pytest.raises(AccessDenied), gate.session(net_world.outsider, ref, "look at the campaign case") as case:
        case.subjects()


def test_detection_writes_alerts_once_and_a_supervisor_verifies(net_world):
    gate = net_world.gate
    with gate.scope(SYSTEM, "transaction-network detection job") as job:
        run = detect_in_store(job)
        first = write_hit_alerts(job, run.hits, run.hit_transactions)
        second = write_hit_alerts(job, run.hits, run.hit_transactions)
    assert first == len({h.key for h in run.hits}) > 0 and second == 0
    desk = AlertDesk(gate)
    desk.route(net_world.supervisor, "sana", "*")
    alerts = [a for a in desk.list(net_world.supervisor) if a.rule_id.startswith("networks.")]
    assert len(alerts) == first
    ring = next(a for a in alerts if a.rule_id in ("networks.cycle", "networks.fan_in", "networks.fan_out"))
    shown = desk.get(net_world.supervisor, ring.id)
    assert shown.evidence["network"]["accounts"] and shown.evidence["network"]["reason"]
    desk.act(net_world.supervisor, ring.id, "acknowledge")
    assert desk.act(net_world.supervisor, ring.id, "verify", note="checked the transfers").status == "verified"
