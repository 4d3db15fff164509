"""Threat intelligence in the store (SQLite and PostgreSQL), through the gate: import idempotence,
updates by `modified`, TLP for two agencies and a RED recipient, false positives, revocation and
expiry, and indicators attached to a case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import stix2
from argon2 import PasswordHasher
from sqlalchemy import func, select

from tahqiq.govern import SYSTEM, AccessDenied, Gate, GovernError, identity
from tahqiq.govern.cases import open_case
from tahqiq.govern.tables import AuditEntry
from tahqiq.intel import service
from tahqiq.intel.parse_stix import TLP2_MARKINGS
from tahqiq.intel.tables import IntelIndicator, IntelQuarantine
from tests.conftest import engine, tahqiq_home  # noqa: F401 - fixtures

PASSWORD = "correct horse battery staple"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
AMBER2 = TLP2_MARKINGS["amber"]


@pytest.fixture
def world(engine):  # noqa: F811
    identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    gate = Gate(engine)
    identity.add_user(gate.audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role, agency in (("sana", "supervisor", "PUNJAB-POLICE"), ("ayesha", "analyst", "PUNJAB-POLICE"),
                               ("omar", "analyst", "FIA"), ("zara", "supervisor", "FIA"),
                               ("audrey", "auditor", "PUNJAB-POLICE")):
        identity.add_user(gate.audit, admin, name, PASSWORD, role, agency)
    people = {n: gate.authenticate_password(n, PASSWORD) for n in ("sana", "ayesha", "omar", "zara", "audrey")}
    yield gate, people
    gate.dispose()
    identity.set_password_hasher(PasswordHasher())


def _ind(value_pattern: str, n: int, **kw) -> stix2.Indicator:
    return stix2.Indicator(id=f"indicator--00000000-0000-4000-8000-{n:012d}", pattern=value_pattern,
                           pattern_type="stix", valid_from=kw.pop("valid_from", "2026-01-01T00:00:00Z"), **kw)


def _bundle(tmp_path: Path, name: str, *objs) -> Path:
    path = tmp_path / name
    path.write_text(stix2.Bundle(*objs, allow_custom=True).serialize())
    return path


def _import(gate, who, paths, **kw):
    with gate.scope(who, "import threat intelligence feed") as job:
        return service.import_paths(job, paths, **kw)


def _active(gate, who, at=NOW):
    with gate.scope(who, "match indicators against logs") as job:
        return {i.id: i for i in service.active_indicators(job, at)}


def test_import_is_idempotent_and_newer_versions_update(world, tmp_path):
    gate, p = world
    v1 = _ind("[domain-name:value = 'Evil.Example.']", 1, name="c2", modified="2026-01-01T00:00:00Z",
              created="2026-01-01T00:00:00Z")
    bad = {"type": "indicator", "spec_version": "2.1", "id": "indicator--00000000-0000-4000-8000-000000000099",
           "created": "2026-01-01T00:00:00Z", "modified": "2026-01-01T00:00:00Z", "pattern": "[ipv4-addr:value = ",
           "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"}
    first = _bundle(tmp_path, "v1.json", v1)
    doc = json.loads(first.read_text())
    doc["objects"].append(bad)
    first.write_text(json.dumps(doc))
    one = _import(gate, p["sana"], [first], source="pk-cert")
    assert one.files[0].batch is not None and one.counts["indicators"] == 1 and one.counts["rejected"] == 1
    again = _import(gate, p["sana"], [tmp_path], source="pk-cert")  # the folder: the same file, seen before
    assert again.files[0].already_imported and again.counts == {}
    with gate.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(IntelIndicator)).scalar_one() == 1
        reasons = list(conn.execute(select(IntelQuarantine.reason)).scalars())
    assert len(reasons) == 1 and "pattern" in reasons[0]

    later = tmp_path / "later"  # outside the folder imported above
    later.mkdir()
    newer = stix2.parse(json.loads(v1.serialize()), allow_custom=True).new_version(
        name="c2 v2", modified="2026-02-01T00:00:00Z")
    _import(gate, p["sana"], [_bundle(later, "v2.json", newer)], source="pk-cert")
    older = stix2.parse(json.loads(v1.serialize()), allow_custom=True).new_version(
        name="stale", modified="2026-01-15T00:00:00Z")
    _import(gate, p["sana"], [_bundle(later, "v0.json", older)], source="pk-cert")
    found = _active(gate, p["ayesha"])[v1.id]
    assert found.name == "c2 v2" and found.value == "evil.example" and found.kind == "domain"
    assert found.extra["first_batch"] < found.extra["last_batch"]


def test_tlp_for_two_agencies_and_a_red_recipient(world, tmp_path):
    gate, p = world
    objs = [_ind("[ipv4-addr:value = '203.0.113.5']", 1, object_marking_refs=[stix2.TLP_GREEN.id]),
            _ind("[ipv4-addr:value = '203.0.113.6']", 2, object_marking_refs=[AMBER2]),
            _ind("[ipv4-addr:value = '203.0.113.7']", 3, object_marking_refs=[stix2.TLP_RED.id]),
            _ind("[ipv4-addr:value = '203.0.113.8']", 4)]  # unmarked: the default, AMBER
    _import(gate, p["sana"], [_bundle(tmp_path, "b.json", *objs)], source="pk-cert", recipients=["ayesha"])
    ids = [o.id for o in objs]
    assert set(_active(gate, p["ayesha"])) == set(ids)                       # own agency + named for RED
    assert set(_active(gate, p["sana"])) == {ids[0], ids[1], ids[3]}          # own agency, not named
    assert set(_active(gate, p["omar"])) == {ids[0]}                          # another agency: GREEN only
    assert set(_active(gate, SYSTEM)) == {ids[0], ids[1], ids[3]}             # jobs: not RED
    with pytest.raises(AccessDenied):
        _active(gate, p["audrey"])                                           # auditors read no values
    with gate.scope(p["omar"], "review indicators") as view:
        page = service.list_indicators(view)
        assert [i.id for i in page.items] == [ids[0]] and page.total == 1
        with pytest.raises(service.IndicatorNotFound):
            service.mark_false_positive(view, ids[1], "not ours to judge")     # unreadable = absent
    # FIA imports its own AMBER: PUNJAB-POLICE does not see it
    _import(gate, p["zara"], [_bundle(tmp_path, "fia.json", _ind("[url:value = 'HTTP://Bad.Example/x']", 9))],
            source="fia-feed")
    assert "indicator--00000000-0000-4000-8000-000000000009" in _active(gate, p["omar"])
    assert "indicator--00000000-0000-4000-8000-000000000009" not in _active(gate, p["ayesha"])


def test_an_analyst_may_not_import_and_a_job_names_the_agency(world, tmp_path):
    gate, p = world
    path = _bundle(tmp_path, "a.json", _ind("[ipv4-addr:value = '198.51.100.1']", 1))
    with pytest.raises(AccessDenied):
        _import(gate, p["ayesha"], [path], source="pk-cert")
    with pytest.raises(ValueError, match="agency"):
        _import(gate, SYSTEM, [path], source="pk-cert")
    done = _import(gate, SYSTEM, [path], source="pk-cert", owner_agency="FIA")
    assert done.counts["indicators"] == 1
    assert set(_active(gate, p["omar"])) == {"indicator--00000000-0000-4000-8000-000000000001"}
    with gate.engine.connect() as conn:
        actions = list(conn.execute(select(AuditEntry.action, AuditEntry.decision)))
    assert ("intel.import", "deny") in actions and ("intel.import", "grant") in actions


def test_false_positive_revocation_and_expiry_stop_matching(world, tmp_path):
    gate, p = world
    fp = _ind("[email-addr:value = 'Relay@Example.org']", 1)
    rv = _ind("[file:hashes.'SHA-256' = '" + "AB" * 32 + "']", 2)
    old = _ind("[ipv4-addr:value = '192.0.2.1']", 3, valid_until="2026-03-01T00:00:00Z")
    later = _ind("[ipv4-addr:value = '192.0.2.2']", 4, valid_from="2026-09-01T00:00:00Z")
    keep = _ind("[ipv6-addr:value = '2001:DB8::1']", 5)
    _import(gate, p["sana"], [_bundle(tmp_path, "l.json", fp, rv, old, later, keep)], source="pk-cert")
    assert set(_active(gate, p["ayesha"])) == {fp.id, rv.id, keep.id}
    assert set(_active(gate, p["ayesha"], datetime(2026, 2, 1, tzinfo=UTC))) == {fp.id, rv.id, old.id, keep.id}
    assert later.id in _active(gate, p["ayesha"], datetime(2026, 9, 2, tzinfo=UTC))
    with gate.scope(p["ayesha"], "review indicators") as view:
        service.mark_false_positive(view, fp.id, "our own outbound mail relay")
        with pytest.raises(AccessDenied):
            service.revoke(view, rv.id, "withdrawn by producer")
    with gate.scope(p["sana"], "review indicators") as view:
        service.revoke(view, rv.id, "withdrawn by the producer")
        marked = {i.id: i for i in service.list_indicators(view, limit=10).items}
    assert marked[fp.id].extra["false_positive"] and marked[fp.id].extra["fp_by"] == "ayesha"
    assert marked[rv.id].revoked
    assert set(_active(gate, p["ayesha"])) == {keep.id}
    # a re-import of the same indicator (a new file, same version) does not undo the analyst's mark
    _import(gate, p["sana"], [_bundle(tmp_path, "again.json", fp)], source="other-feed")
    assert fp.id not in _active(gate, p["ayesha"])


def test_revoked_version_from_the_producer_stops_matching(world, tmp_path):
    gate, p = world
    ind = _ind("[url:value = 'https://phish.example/login']", 1, modified="2026-01-01T00:00:00Z",
               created="2026-01-01T00:00:00Z")
    _import(gate, p["sana"], [_bundle(tmp_path, "1.json", ind)], source="pk-cert")
    assert ind.id in _active(gate, p["ayesha"])
    gone = stix2.parse(json.loads(ind.serialize()), allow_custom=True).revoke()
    _import(gate, p["sana"], [_bundle(tmp_path, "2.json", gone)], source="pk-cert")
    assert ind.id not in _active(gate, p["ayesha"])


def test_case_attach_and_related_objects(world, tmp_path):
    gate, p = world
    ind = _ind("[domain-name:value = 'c2.example']", 1)
    mal = stix2.Malware(name="PlugX", is_family=True)
    rel = stix2.Relationship(ind, "indicates", mal)
    report = stix2.Report(name="Campaign report", published="2026-01-02T00:00:00Z", object_refs=[ind.id, mal.id])
    other = _ind("[domain-name:value = 'unrelated.example']", 2)
    _import(gate, p["sana"], [_bundle(tmp_path, "c.json", ind, mal, rel, report, other)], source="pk-cert")
    open_case(gate.audit, p["sana"], "CASE-2026-0901", basis_kind="fir", basis_ref="9/2026 PS Gulberg",
              authorising_officer="SP Investigation", purpose="ransomware investigation", days=30,
              members=["ayesha"])
    with gate.session(p["ayesha"], "CASE-2026-0901", "link ransomware infrastructure") as case:
        assert service.attach_to_case(case, "CASE-2026-0901", [ind.id]) == [ind.id]
        assert service.attach_to_case(case, "CASE-2026-0901", [ind.id]) == []
        with pytest.raises(GovernError):
            service.attach_to_case(case, "CASE-2026-0002", [ind.id])
        assert [i.id for i in service.case_indicators(case, "CASE-2026-0901")] == [ind.id]
        related = {o.id: o.type for o in service.case_objects(case, "CASE-2026-0901")}
    assert related == {rel.id: "relationship", mal.id: "malware", report.id: "report"}
    with pytest.raises(AccessDenied):  # not a member of the case
        with gate.session(p["omar"], "CASE-2026-0901", "link ransomware infrastructure") as case:
            service.case_indicators(case, "CASE-2026-0901")


def test_misp_event_imports_by_shape(world, tmp_path):
    from pymisp import MISPEvent

    gate, p = world
    event = MISPEvent()
    event.info = "smishing wave"
    event.distribution = 1
    event.add_attribute("ip-dst", "198.51.100.7")
    event.add_attribute("iban", "PK36SCBL0000001123456702")
    event.add_attribute("comment", "seen in complaints", to_ids=False)
    path = tmp_path / "event.json"
    path.write_text(event.to_json())
    done = _import(gate, p["sana"], [path], source="misp-share")
    assert done.files[0].format == "misp" and done.counts["indicators"] == 2
    kinds = {i.kind: i.value for i in _active(gate, p["ayesha"]).values()}
    assert kinds == {"ipv4": "198.51.100.7", "iban": "PK36SCBL0000001123456702"}
