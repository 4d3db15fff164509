"""The pages over HTTP (no browser), on SQLite and PostgreSQL: sign-in redirects, the denial page,
the workspace, search, entity page, htmx fragments with their CSRF check, and oversight."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tahqiq.govern.tables import AuditEntry
from tests.govern.conftest import CNIC, PASSWORD, cheap_argon2, gate, world  # noqa: F401 - fixtures


@pytest.fixture
def client(engine, gate):  # noqa: F811 - the imported fixture
    from tahqiq.compose import create_app

    with TestClient(create_app(engine, secure_cookies=False, gate=gate)) as c:
        yield c


def sign_in(client: TestClient, username: str) -> str:
    r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    return client.get("/api/me").json()["csrf_token"]


def test_pages_need_a_session(client, world):
    r = client.get(f"/cases/{world.case}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/cases/{world.case}"
    r = client.get("/login?next=/cases/x")
    assert r.status_code == 200 and 'name="next" value="/cases/x"' in r.text
    r = client.get("/login?next=https://evil.example/&error=1")
    assert r.status_code == 401 and "Sign-in failed" in r.text and 'value="/"' in r.text  # no open redirect


def test_member_sees_the_workspace_and_an_outsider_a_denial(client, world, engine):
    sign_in(client, "bilal")
    r = client.get(f"/cases/{world.case}")
    assert r.status_code == 403
    assert 'data-testid="denial-reason"' in r.text and "member" in r.text
    assert "ali raza" not in r.text
    with engine.connect() as conn:
        denied = conn.execute(select(AuditEntry.seq).where(AuditEntry.actor == "bilal", AuditEntry.decision == "deny",
                                                           AuditEntry.case_ref == world.case)).all()
    assert denied and f"entry #{denied[-1].seq}" in r.text  # the page names the audit entry of the refusal

    client.post("/logout", data={"csrf_token": client.get("/api/me").json()["csrf_token"]})
    sign_in(client, "ayesha")
    r = client.get(f"/cases/{world.case}")
    assert r.status_code == 200
    assert 'data-testid="subjects"' in r.text and "ali raza" in r.text
    assert f'/api/cases/{world.case}/export/graphml' in r.text


def test_search_and_entity_page(client, world):
    sign_in(client, "ayesha")
    r = client.get(f"/cases/{world.case}/search", params={"q": CNIC})
    assert r.status_code == 200
    assert f"/entities/{world.subject}" in r.text and "cnic" in r.text
    r = client.get(f"/cases/{world.case}/search", params={"q": "!!!"})
    assert r.status_code == 200 and 'class="error card"' in r.text  # said on the page, not a crash
    r = client.get(f"/cases/{world.case}/entities/{world.subject}")
    assert r.status_code == 200
    assert "CNIC" in r.text and CNIC in r.text and "NADRA extract" in r.text  # value, its label, its source
    assert "shown to supervisors and auditors" in r.text  # an analyst does not read the audit trail
    r = client.get(f"/cases/{world.case}/entities/{'f' * 32}")
    assert r.status_code == 404 and "no entity" in r.text


def test_supervisor_sees_who_viewed_a_record(client, world):
    sign_in(client, "ayesha")
    assert client.get(f"/cases/{world.case}/entities/{world.subject}").status_code == 200
    client.cookies.clear()
    sign_in(client, "sana")  # the case's supervisor: a member, and a reader of her agency's log
    r = client.get(f"/cases/{world.case}/entities/{world.subject}")
    assert r.status_code == 200
    trail = r.text[r.text.index('data-testid="viewers"'):]
    assert "ayesha" in trail and "read.profile" in trail


def test_notes_fragment_needs_the_csrf_token(client, world):
    csrf = sign_in(client, "ayesha")
    url = f"/cases/{world.case}/notes"
    r = client.post(url, data={"body": "seen at the naka"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post(url, data={"body": "seen at the naka", "csrf_token": csrf})
    assert r.status_code == 200 and 'id="notes-list"' in r.text and "seen at the naka" in r.text
    r = client.post(url, data={"body": "   "}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and "needs some text" in r.text


def test_oversight_for_auditor_and_not_for_analyst(client, world):
    sign_in(client, "ayesha")
    r = client.get("/oversight")
    assert r.status_code == 403 and "auditors" in r.text
    client.cookies.clear()
    sign_in(client, "irfan")
    r = client.get("/oversight", params={"actor": "ayesha"})
    assert r.status_code == 200
    assert 'data-testid="sig-status">valid' in r.text and 'data-testid="root-status">yes' in r.text
    assert "audit.read" in r.text and "deny" in r.text  # her refused look at the log is on the record
    r = client.get("/oversight", params={"full": "true"})
    assert 'data-testid="full-status">every entry and head checks' in r.text
