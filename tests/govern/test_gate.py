"""The gate: who may read what, under which case, and that every decision is in the audit log."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text, update

from tahqiq.govern import AccessDenied, GovernError, identity
from tahqiq.govern.cases import add_member, close_case
from tahqiq.govern.tables import AuditEntry, Case

from .conftest import CNIC, PASSWORD, past


def entries(gate, since: int = 0) -> list:
    return gate.audit.records(since=since, limit=10_000)


def last(gate):
    return entries(gate)[-1]


def denied(gate, principal, case, purpose="look at the suspect", read=lambda v: v.subjects()):
    with pytest.raises(AccessDenied) as exc:
        with gate.session(principal, case, purpose) as view:
            read(view)
    rec = gate.audit.record(exc.value.audit_seq)
    assert rec.decision == "deny" and rec.actor == principal.username and rec.case == case
    assert rec.detail["reason"] == exc.value.reason
    return exc.value.reason


def test_a_user_outside_a_case_cannot_read_its_subjects(world):
    gate, u = world.gate, world.users
    # Same agency, same role, not a member.
    assert "not a member" in denied(gate, u["bilal"], world.case)
    # A member of another case cannot use this case either...
    assert "not a member" in denied(gate, u["omar"], world.case, read=lambda v: v.entities([world.subject]))
    # ...nor search it, nor read its quarantine, nor its source records.
    denied(gate, u["bilal"], world.case, read=lambda v: v.find("cnic", CNIC))
    denied(gate, u["bilal"], world.case, read=lambda v: v.quarantined_row(7))
    # Another agency's analyst, even if someone named the case.
    assert "not a member" in denied(gate, u["farah"], world.case)
    # No case, no data.
    assert "name the case" in denied(gate, u["ayesha"], "")
    assert "no case" in denied(gate, u["ayesha"], "CASE-NOPE")


def test_a_member_reads_and_every_grant_names_what_was_read(world):
    gate, ayesha = world.gate, world.users["ayesha"]
    start = gate.audit.size()
    with gate.session(ayesha, world.case, "investigate FIR 123/2026") as view:
        subjects = view.subjects()
        found = view.find("cnic", CNIC)
        both = view.entities([world.subject, world.bystander, "missing"])
        row = view.quarantined_row(7)
        recs = view.source_records("nadra", [f"r-{world.subject}"])
    assert [e.id for e in subjects] == [world.subject]
    assert subjects[0].first("name") == "ali raza" and subjects[0].properties["cnic"][0].source == "nadra"
    assert [e.id for e in found] == [world.subject]
    assert {e.id for e in both} == {world.subject, world.bystander}
    assert row.data["cnic"] == "3520X" and len(recs) == 1
    log = entries(gate, start)
    assert [(r.action, r.decision) for r in log] == [
        ("read.subjects", "grant"), ("read.find", "grant"), ("read.entities", "grant"),
        ("read.quarantine", "grant"), ("read.source_records", "grant")]
    for r in log:
        assert (r.actor, r.role, r.case, r.purpose) == ("ayesha", "analyst", world.case, "investigate FIR 123/2026")
    assert log[0].detail["ids"] == [world.subject]
    assert log[1].detail["ids"] == [world.subject] and log[1].target.startswith("cnic#")
    assert sorted(log[2].detail["ids"]) == sorted([world.subject, world.bystander]) and log[2].detail["missing"] == 1
    # The log records *that* a CNIC was searched, not the CNIC.
    with gate.engine.connect() as conn:
        assert not any(CNIC in e for e in conn.execute(select(AuditEntry.entry)).scalars())
    # An auditor given the CNIC can find that search.
    hits = gate.access_log(world.users["irfan"], value=("cnic", CNIC))
    assert [h.seq for h in hits] == [log[1].seq]


def test_an_expired_case_grants_nothing(world, engine):
    gate, ayesha = world.gate, world.users["ayesha"]
    with gate.session(ayesha, world.case, "read before expiry") as view:
        assert view.subjects()
        with engine.begin() as conn:  # the case runs out during the session
            conn.execute(update(Case).where(Case.reference == world.case).values(expires_at=past()))
        with pytest.raises(AccessDenied, match="expired"):
            view.entities([world.subject])
    assert "expired" in denied(gate, ayesha, world.case)
    assert "expired" in denied(gate, world.users["sana"], world.case, read=lambda v: v.find("cnic", CNIC))
    assert last(gate).decision == "deny"


def test_a_closed_case_grants_nothing(world):
    gate = world.gate
    close_case(gate.audit, world.users["sana"], world.case, "charge sheet filed")
    assert "closed" in denied(gate, world.users["ayesha"], world.case)
    with pytest.raises(GovernError):
        add_member(gate.audit, world.users["sana"], world.case, "bilal")


def test_roles(world):
    gate, u = world.gate, world.users
    # Auditors read the log, never personal data; admins manage users, nothing more.
    assert "auditors" in denied(gate, u["irfan"], world.case)
    assert "admins" in denied(gate, u["admin"], world.case)
    assert gate.access_log(u["irfan"], case=world.case)
    with pytest.raises(AccessDenied, match="auditors and supervisors"):
        gate.access_log(u["ayesha"])
    assert last(gate).action == "audit.read" and last(gate).decision == "deny"
    # A supervisor sees who accessed what in their agency's cases, not another agency's.
    mine = gate.access_log(u["sana"], case=world.case)
    assert any(r.action == "case.attach_subject" and r.actor == "ayesha" for r in mine)
    assert gate.access_log(u["zain"], case=world.case) == []
    # Analysts cannot open cases or add users.
    from tahqiq.govern.cases import open_case

    with pytest.raises(AccessDenied, match="role 'analyst'"):
        open_case(gate.audit, u["ayesha"], "CASE-X", basis_kind="fir", basis_ref="1/2026", authorising_officer="SP",
                  purpose="x" * 10, days=5)
    with pytest.raises(AccessDenied):
        identity.add_user(gate.audit, u["sana"], "newbie", PASSWORD, "analyst", "PUNJAB-POLICE")
    # Bulk reads need a supervisor.
    with gate.session(u["ayesha"], world.case, "export everything") as view:
        with pytest.raises(AccessDenied, match="supervisor"):
            view.iter_entities()
    with gate.session(u["sana"], world.case, "export for the prosecutor") as view:
        people = list(view.iter_entities(schema="Person"))
    assert len(people) == 2
    done = last(gate)
    assert done.action == "read.bulk.done" and done.detail["count"] == 2
    assert gate.audit.record(done.detail["started"]).decision == "grant"


def test_every_grant_and_every_denial_is_in_the_log(world):
    gate, u = world.gate, world.users
    start = gate.audit.size()
    outcomes = []
    attempts = [("ayesha", world.case), ("bilal", world.case), ("irfan", world.case), ("omar", world.other_case),
                ("omar", world.case), ("admin", world.other_case), ("sana", world.other_case)]
    for name, case in attempts:
        try:
            with gate.session(u[name], case, "routine check") as view:
                view.entities([world.subject])
            outcomes.append((name, case, "grant"))
        except AccessDenied:
            outcomes.append((name, case, "deny"))
    logged = [(r.actor, r.case, r.decision) for r in entries(gate, start)]
    assert logged == outcomes
    assert [o[2] for o in outcomes] == ["grant", "deny", "deny", "grant", "deny", "deny", "grant"]


def test_stats_need_no_case_and_are_audited(world):
    gate = world.gate
    for name in ("irfan", "bilal", "admin"):
        s = gate.stats(world.users[name])
        assert s["entities_by_schema"] == {"Person": 2, "Phone": 1}
        assert s["open_cases"] == 2
        assert last(gate).action == "stats" and last(gate).actor == name
    assert CNIC not in json.dumps(s)


def test_tokens_disabled_users_and_failed_logins(world):
    gate, admin = world.gate, world.users["admin"]
    token, tid = identity.create_token(gate.audit, world.users["ayesha"], "laptop", days=7)
    me = gate.authenticate_token(token)
    assert me.username == "ayesha" and me.token_id == tid
    with gate.session(me, world.case, "token read") as view:
        assert view.subjects()
        identity.revoke_token(gate.audit, me, tid)
        with pytest.raises(AccessDenied, match="revoked"):
            view.subjects()
    with pytest.raises(AccessDenied, match="authentication failed"):
        gate.authenticate_token(token)
    with pytest.raises(AccessDenied, match="authentication failed"):
        gate.authenticate_password("ayesha", "wrong password!!")
    assert last(gate).action == "auth.login" and last(gate).detail["reason"] == "wrong password"
    # The token is stored only as a hash.
    with gate.engine.connect() as conn:
        stored = conn.execute(text("select token_hash from api_tokens")).scalars().all()
    assert token not in stored and identity.token_digest(token) in stored
    ayesha = world.users["ayesha"]
    identity.disable_user(gate.audit, admin, "ayesha")
    assert "disabled" in denied(gate, ayesha, world.case)
    with pytest.raises(AccessDenied):
        gate.authenticate_password("ayesha", PASSWORD)


def test_cross_agency_members_must_be_added_as_such(world):
    gate, sana = world.gate, world.users["sana"]
    with pytest.raises(GovernError, match="another agency"):
        add_member(gate.audit, sana, world.case, "farah")
    add_member(gate.audit, sana, world.case, "farah", cross_agency=True)
    with gate.session(world.users["farah"], world.case, "joint investigation") as view:
        assert view.subjects()
    # A supervisor of another agency cannot manage the case.
    with pytest.raises(AccessDenied, match="own agency"):
        add_member(gate.audit, world.users["zain"], world.case, "farah")
