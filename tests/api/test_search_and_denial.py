"""Search within a case, and denial for people without the case: both run on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.api.conftest import ID, member_headers
from tests.govern.conftest import CNIC


def _search(api, q, user="ayesha", case=None):
    return api.client.get(f"/api/cases/{case or api.world.case}/search", params={"q": q},
                          headers=member_headers(api, user))


# Read-only cases share one world per database: a world costs seconds, a search milliseconds.
SPELLINGS = [
    ("3520212345671", "cnic", {"subject", "mention"}),          # CNIC without dashes
    ("0333-1112233", "phone", {"phone2"}),                      # local format -> +923331112233
    ("lea 1234", "plate", {"vehicle", "read1", "read2"}),      # a plate, spaced, lower case
    ("Muhammad Aslam", "name", {"urdu"}),                       # Roman query finds the Urdu-script name
    ("محمد علی رضا", "name", {"mention"}),                      # Urdu query finds "Mohd Ali Raza"
    ("ali raza", "name", {"subject", "mention"}),
]


def test_search_detects_the_kind_and_finds_across_spellings(api, subtests):
    for q, kind, expected in SPELLINGS:
        with subtests.test(q=q):
            r = _search(api, q)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["detected"][0] == kind
            want = {api.world.subject if x == "subject" else ID[x] for x in expected}
            assert {h["entity"]["id"] for h in body["hits"]} == want


def test_search_is_audited_with_a_keyed_hash_never_the_value(api):
    _search(api, CNIC)
    _search(api, "Muhammad Aslam")
    entries = api.world.gate.audit.records(since=0, limit=100_000)
    finds = [e for e in entries if e.action == "read.search" and e.decision == "grant"]
    assert finds and all(e.case == api.world.case for e in finds)
    text = " ".join(str(e.to_dict()) for e in finds)
    assert CNIC not in text and "3520212345671" not in text and "aslam" not in text.lower()
    # An auditor given the CNIC can still find the searches for it.
    hits = api.world.gate.access_log(api.world.users["irfan"], value=("cnic", CNIC))
    assert any(h.actor == "ayesha" for h in hits)


def _entries_by(api, user, since):
    return [e for e in api.world.gate.audit.records(since=since, limit=100_000) if e.actor == user]


KEYED = [
    ("3520212345671", "cnic", CNIC),                # a CNIC is tried in every CNIC property: still one entry
    ("0333-1112233", "phone", "+923331112233"),      # the key of the normalised number, whatever the format
]


def test_one_search_is_one_audit_entry_listing_its_keys(api, subtests):
    from tahqiq.names import name_key

    gate = api.world.gate
    headers = member_headers(api, "ayesha")
    for q, kind, value in KEYED:  # each search is judged from the entries written after the last one
        with subtests.test(q=q):
            since = gate.audit.records(since=0, limit=1, newest_first=True)[0].seq + 1
            r = api.client.get(f"/api/cases/{api.world.case}/search", params={"q": q}, headers=headers)
            assert r.status_code == 200 and r.json()["hits"]
            mine = _entries_by(api, "ayesha", since)
            assert [e.action for e in mine] == ["read.search"]
            entry = mine[0]
            assert entry.target == f"{kind}#{gate.digest(kind, value)}"
            assert f"{kind}#{gate.digest(kind, value)}" in entry.detail["queried"]
            assert set(entry.detail["ids"]) >= {h["entity"]["id"] for h in r.json()["hits"]}
    # A name: the same key from the Urdu and the Roman spelling, so oversight finds either.
    since = gate.audit.records(since=0, limit=1, newest_first=True)[0].seq + 1
    for spelling in ("محمد علی رضا", "Mohd Ali Raza"):
        api.client.get(f"/api/cases/{api.world.case}/search", params={"q": spelling}, headers=headers)
    names = _entries_by(api, "ayesha", since)
    assert [e.action for e in names] == ["read.search", "read.search"]
    key = f"name#{gate.digest('name', name_key('Muhammad Ali Raza'))}"
    assert all(e.detail["queried"] == [key] and e.target == key for e in names)


def test_search_rejects_nonsense(api):
    r = _search(api, "1234 5678 !!")
    assert r.status_code == 400 and "not a CNIC" in r.json()["detail"]


OUTSIDERS = [
    ("bilal", "bilal is not a member of case CASE-2026-0001"),   # same agency, not a member
    ("farah", "farah is not a member of case CASE-2026-0001"),   # another agency
    ("irfan", "auditors read the audit log, never personal data"),
    ("admin", "admins manage users"),
]


def test_people_without_the_case_get_403_with_the_reason_and_no_data(api, subtests):
    base = f"/api/cases/{api.world.case}"
    for user, reason in OUTSIDERS:  # denials change nothing: one world serves every outsider
        with subtests.test(user=user):
            api.client.cookies.clear()  # only this user's credentials
            headers = member_headers(api, user) if user not in ("irfan", "admin") else _session(api, user)
            for path, params in [("/subjects", {}), ("/search", {"q": CNIC}),
                                 (f"/entities/{api.world.subject}", {}),
                                 ("/graph/neighbours", {"entity": api.world.subject}), ("/timeline", {}),
                                 ("/places", {}), ("/notes", {}), ("/evidence", {}), ("/export/csv", {}),
                                 ("/export/ftm", {})]:
                r = api.client.get(base + path, params=params, headers=headers)
                assert r.status_code == 403, (path, r.status_code, r.text)
                assert reason in r.json()["detail"], path
                assert CNIC not in r.text and "ali raza" not in r.text and api.world.subject not in r.text
                assert isinstance(r.json()["audit_seq"], int)
                denial = api.world.gate.audit.record(r.json()["audit_seq"])
                assert denial.decision == "deny" and denial.actor == user and denial.case == api.world.case


def _session(api, user):
    csrf = api.login(user)
    return {"X-CSRF-Token": csrf}


def test_a_closed_case_grants_nothing(api):
    from tahqiq.govern.cases import close_case

    close_case(api.world.gate.audit, api.world.users["sana"], api.world.case, "done")
    r = _search(api, CNIC)
    assert r.status_code == 403 and "closed" in r.json()["detail"]


def test_search_in_another_case_needs_that_case(api):
    r = _search(api, CNIC, user="omar")  # omar is in the other case only
    assert r.status_code == 403
    r = _search(api, CNIC, user="omar", case=api.world.other_case)
    assert r.status_code == 200 and r.json()["hits"]


def test_name_search_sees_newly_ingested_batches(api, monkeypatch):
    from tahqiq.search import names as name_search
    from tahqiq.store.tables import IngestBatch
    from tests.govern.conftest import add_entity

    monkeypatch.setattr(name_search, "REFRESH_SECONDS", 0.0)
    assert {h["entity"]["id"] for h in _search(api, "Kamran Iqbal").json()["hits"]} == {api.world.bystander}
    with api.world.gate.engine.begin() as conn:
        conn.execute(IngestBatch.__table__.insert().values(id=9, source="police", mapping_fingerprint="f" * 32,
                                                           input_name="late.csv", input_sha256="1" * 64))
        add_entity(conn, "k" * 32, "Person", "police", {"name": ["کامران اقبال"]}, batch=9)
    assert {h["entity"]["id"] for h in _search(api, "Kamran Iqbal").json()["hits"]} == {api.world.bystander, "k" * 32}
