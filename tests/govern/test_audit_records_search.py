"""Look-ups in the audit log (govern.audit_search): a searched value in any form search accepts
finds the searches in both shapes the log holds; user, case, record and dates narrow it; a page and
its count; supervisors see their agency's part; each look-up is itself an entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tahqiq.govern import AccessDenied
from tahqiq.govern.audit_search import AuditQuery, BadLookup, find_entries, iter_entries, lookup, seq_at
from tahqiq.govern.tables import AuditEntry
from tahqiq.names import name_key
from tests.govern.conftest import CNIC, cheap_argon2, gate, world  # noqa: F401 - fixtures

PHONE = "+923001234567"


def searched(gate, who, case, *keys, action="read.search"):
    """An entry as search writes it: one per search, listing every interpretation's key."""
    return gate.audit.append(who, action, role="analyst", case=case, purpose="robbery investigation",
                             decision="grant", target=keys[0], detail={"queried": list(keys), "count": 1})


def test_a_phone_in_any_format_finds_the_search(world):
    g, case = world.gate, world.case
    mine = searched(g, "ayesha", case, f"phone#{g.digest('phone', PHONE)}")
    searched(g, "ayesha", case, f"phone#{g.digest('phone', '+923339999999')}")  # another number
    for typed in ("0300-1234567", "+92 300 1234567", "923001234567", "03001234567"):
        page = find_entries(g, world.users["irfan"], AuditQuery(lookup=lookup(g, "phone", typed)))
        assert [r.seq for r in page.records] == [mine.seq], typed
        assert page.matched == {mine.seq: [f"phone#{g.digest('phone', PHONE)}"]}


def test_a_name_in_either_script_finds_the_same_searches(world):
    g = world.gate
    key = f"name#{g.digest('name', name_key('Muhammad Aslam'))}"
    roman = searched(g, "ayesha", world.case, key)
    old = g.audit.append("ayesha", "read.find_name", role="analyst", case=world.case, decision="grant",
                         target=key, detail={"prop": "name"})  # the older shape: one entry per kind
    for typed in ("محمد اسلم", "Muhammad Aslam", "Mohd Aslam", "ASLAM, Muhammad"):
        page = find_entries(g, world.users["irfan"], AuditQuery(lookup=lookup(g, "name", typed)))
        assert {r.seq for r in page.records} == {roman.seq, old.seq}, typed
    # "any": the search box's own reading of what was typed
    assert lookup(g, "any", "محمد اسلم").keys == (key,)


def test_cnic_with_or_without_dashes_and_the_older_per_property_entries(world):
    g = world.gate
    per_property = g.audit.append("ayesha", "read.find", role="analyst", case=world.case, decision="grant",
                                  target=f"subscriberCnic#{g.digest('subscriberCnic', CNIC)}",
                                  detail={"prop": "subscriberCnic"})
    # A search whose first interpretation is something else still lists the CNIC among `queried`.
    later = searched(g, "ayesha", world.case, f"phone#{g.digest('phone', PHONE)}", f"cnic#{g.digest('cnic', CNIC)}")
    for typed in (CNIC, CNIC.replace("-", "")):
        page = find_entries(g, world.users["irfan"], AuditQuery(lookup=lookup(g, "cnic", typed)))
        assert [r.seq for r in page.records] == [later.seq, per_property.seq]
    plate = searched(g, "ayesha", world.case, f"plate#{g.digest('plate', 'LEK-200')}")
    assert [r.seq for r in find_entries(g, world.users["irfan"], AuditQuery(
        lookup=lookup(g, "plate", "lek 200"))).records] == [plate.seq]


def test_values_that_cannot_be_searched_say_why(world):
    g = world.gate
    with pytest.raises(BadLookup) as exc:
        lookup(g, "cnic", "12")
    assert exc.value.code == "not_a_cnic"
    with pytest.raises(BadLookup) as exc:
        lookup(g, "name", "1234 --")
    assert exc.value.code == "no_letters"
    with pytest.raises(BadLookup) as exc:
        lookup(g, "any", "!!")
    assert exc.value.code == "nothing"


def test_user_case_record_and_decision_narrow_the_log(world):
    g, irfan = world.gate, world.users["irfan"]
    with g.session(world.users["ayesha"], world.case, "read the suspect's record") as view:
        view.entities([world.subject])
    by_record = find_entries(g, irfan, AuditQuery(entity=world.subject, action="read.*", decision="grant"))
    assert by_record.records and all(r.actor == "ayesha" and r.action.startswith("read.") for r in by_record.records)
    assert find_entries(g, irfan, AuditQuery(entity=world.bystander, action="read.*")).records == []
    assert all(r.actor == "sana" for r in find_entries(g, irfan, AuditQuery(actor="sana")).records)
    assert all(r.case == world.other_case for r in find_entries(g, irfan, AuditQuery(case=world.other_case)).records)


def test_dates_become_a_range_of_entries(world):
    g, irfan = world.gate, world.users["irfan"]
    size = g.audit.size()
    # Give the existing entries times spread over the last ten days (the log is appended in time order).
    start = datetime.now(UTC) - timedelta(days=10)
    with g.engine.begin() as conn:
        for seq in range(size):
            stamp = (start + timedelta(days=10 * seq / size)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(recorded_at=stamp))
    middle = start + timedelta(days=5)
    with g.engine.connect() as conn:
        first = seq_at(conn, middle)
    assert 0 < first < size
    before = find_entries(g, irfan, AuditQuery(end=middle), limit=1000)
    after = find_entries(g, irfan, AuditQuery(start=middle, end=start + timedelta(days=10)), limit=1000)
    assert max(r.seq for r in before.records) == first - 1 and min(r.seq for r in after.records) == first
    assert before.total + after.total == size
    assert find_entries(g, irfan, AuditQuery(start=middle, end=middle)).records == []


def test_pages_count_and_the_look_up_is_itself_logged(world):
    g, irfan = world.gate, world.users["irfan"]
    for _ in range(7):
        searched(g, "ayesha", world.case, f"cnic#{g.digest('cnic', CNIC)}")
    q = AuditQuery(lookup=lookup(g, "cnic", CNIC))
    first = find_entries(g, irfan, q, limit=3)
    third = find_entries(g, irfan, q, offset=6, limit=3)
    assert first.total == third.total == 7 and not first.more
    assert len(first.records) == 3 and len(third.records) == 1 and first.records[0].seq > third.records[0].seq
    own = g.audit.record(g.audit.size() - 1)
    assert own.action == "audit.read" and own.actor == "irfan"
    assert own.detail["filters"]["value"] == [f"cnic#{g.digest('cnic', CNIC)}"]
    assert CNIC not in str(own.detail)  # the value itself is never written
    assert len(list(iter_entries(g, irfan, q, batch=2))) == 7


def test_supervisors_see_their_agency_and_analysts_nothing(world):
    g = world.gate
    searched(g, "ayesha", world.case, f"cnic#{g.digest('cnic', CNIC)}")
    q = AuditQuery(lookup=lookup(g, "cnic", CNIC))
    assert find_entries(g, world.users["sana"], q).records
    assert find_entries(g, world.users["zain"], q).records == []  # another agency's supervisor
    with pytest.raises(AccessDenied) as exc:
        find_entries(g, world.users["ayesha"], q)
    assert g.audit.record(exc.value.audit_seq).decision == "deny"
