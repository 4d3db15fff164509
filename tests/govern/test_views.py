"""The gate's public protocol, on SQLite and PostgreSQL: a read is decided on entry and writes one
grant naming what it disclosed; a write commits its audit entry with the change or neither; a job's
scope decides by role and purpose; a probe writes no grant; refusals are logged before they raise."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tahqiq.govern import SYSTEM, AccessDenied, GovernError, JobView, decided_action
from tahqiq.govern.cases import close_case
from tahqiq.govern.tables import AuditEntry, CaseSubject
from tests.govern.conftest import PASSWORD, World, add_entity, cheap_argon2, gate, world  # noqa: F401


def entries(gate, since: int):
    return gate.audit.records(since=since, limit=1000)


def test_a_read_writes_one_grant_naming_what_it_disclosed(world):
    gate = world.gate
    with gate.session(world.users["ayesha"], world.case, "look at the suspect") as view:
        start = gate.audit.size()
        with view.read("read.test", detail={"why": "a check"}) as r:
            assert decided_action() == "read.test"
            found = r.entities([world.subject, "0" * 32])
            r.values_of([world.bystander], ["cnic"])  # explored, not disclosed
            r.note(extra=1)
        assert decided_action() is None
    [grant] = entries(gate, start)
    assert [e.id for e in found] == [world.subject]
    assert (grant.action, grant.decision, grant.case, grant.purpose) == ("read.test", "grant", world.case,
                                                                          "look at the suspect")
    assert grant.detail["ids"] == [world.subject] and grant.target == world.subject
    assert grant.detail["why"] == "a check" and grant.detail["extra"] == 1 and grant.detail["explored"] == 1


def test_a_refused_read_hands_out_nothing_and_is_logged_first(world):
    gate = world.gate
    with gate.session(world.users["ayesha"], world.case, "look at the suspect") as view:
        close_case(gate.audit, world.users["sana"], world.case, "done")
        start = gate.audit.size()
        with pytest.raises(AccessDenied, match="closed") as exc, view.read("read.test"):
            pytest.fail("the block must not run")
    [denial] = entries(gate, start)
    assert denial.decision == "deny" and denial.seq == exc.value.audit_seq


def test_a_write_commits_its_entry_with_the_change_or_neither(world):
    gate = world.gate
    with gate.session(world.users["ayesha"], world.case, "attach a second person") as view:
        start = gate.audit.size()
        with view.write("case.test", target=world.bystander) as w:
            w.attach_subject(world.bystander, "seen with the suspect")
        assert [e.action for e in entries(gate, start)] == ["case.attach_subject", "case.test"]
        start = gate.audit.size()
        with pytest.raises(RuntimeError), view.write("case.test", target=world.phone) as w:
            w.attach_subject(world.phone, "a phone")
            raise RuntimeError("the change fails half way")
    assert entries(gate, start) == []  # rolled back: no entry ...
    with gate.engine.connect() as conn:  # ... and no change
        subjects = set(conn.execute(select(CaseSubject.entity_id)).scalars())
    assert world.bystander in subjects and world.phone not in subjects


def test_a_write_records_once(world):
    with world.gate.session(world.users["ayesha"], world.case, "write twice") as view, \
            view.write("case.test") as w:
        w.record(n=1)
        with pytest.raises(GovernError, match="already recorded"):
            w.record(n=2)


def test_a_jobs_scope_decides_by_role_and_purpose(world):
    gate = world.gate
    with gate.scope(world.users["irfan"], "read the watchlists") as job:  # an auditor
        with pytest.raises(AccessDenied, match="auditors"), job.read("read.test"):
            pass
    with gate.scope(world.users["ayesha"], "x") as job:
        with pytest.raises(AccessDenied, match="purpose"), job.read("read.test"):
            pass
    refused = JobView(gate, SYSTEM, "a scheduled job", system=False)
    with pytest.raises(AccessDenied, match="named person"):
        refused.decide("read.test")
    with gate.scope(SYSTEM, "the detection worker") as job, job.read("read.test") as r:
        assert r.case is None
        with pytest.raises(GovernError, match="case"):
            r.subject_ids()


def test_a_probe_is_decided_but_writes_no_grant(world):
    gate = world.gate
    with gate.scope(world.users["ayesha"], "poll for news") as job:
        start = gate.audit.size()
        with job.probe("alert.read") as conn:
            assert decided_action() == "alert.read"
            assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
        assert entries(gate, start) == []
    with gate.scope(world.users["irfan"], "poll for news") as job:
        with pytest.raises(AccessDenied), job.probe("alert.read"):
            pass


def test_a_closed_view_decides_nothing(world):
    with world.gate.session(world.users["ayesha"], world.case, "look at the suspect") as view:
        pass
    with pytest.raises(GovernError, match="closed"):
        view.entities([world.subject])
