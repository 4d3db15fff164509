"""Sign-in: session cookies and their flags, CSRF, bearer tokens, logout, disabled accounts."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tahqiq.api.auth import SESSION_COOKIE
from tahqiq.compose import create_app
from tahqiq.govern import identity
from tests.govern.conftest import PASSWORD

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _set_cookie(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))


def test_login_sets_a_strict_httponly_secure_cookie(api):
    r = api.client.post("/api/login", json={"username": "ayesha", "password": PASSWORD})
    assert r.status_code == 200
    assert r.json()["username"] == "ayesha" and r.json()["role"] == "analyst" and r.json()["csrf_token"]
    cookie = _set_cookie(r).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    assert api.client.get("/api/me").json()["username"] == "ayesha"
    login = api.world.gate.audit.records(where=None, since=0, limit=10_000)[-1]
    assert (login.action, login.decision, login.actor) == ("auth.login", "grant", "ayesha")


def test_insecure_cookies_only_when_asked(engine, world):
    from fastapi.testclient import TestClient

    from tahqiq.compose import create_app

    with TestClient(create_app(engine, secure_cookies=False, gate=world.gate)) as client:
        r = client.post("/api/login", json={"username": "ayesha", "password": PASSWORD})
        assert "secure" not in _set_cookie(r).lower()
        assert client.get("/api/me").status_code == 200  # works over plain http


def test_wrong_password_is_refused_and_audited(api):
    r = api.client.post("/api/login", json={"username": "ayesha", "password": "not the password"})
    assert r.status_code == 401 and "authentication failed" in r.json()["detail"]
    assert SESSION_COOKIE not in r.cookies
    last = api.world.gate.audit.records(since=0, limit=10_000)[-1]
    assert (last.action, last.decision, last.detail["reason"]) == ("auth.login", "deny", "wrong password")


def test_no_credentials_is_401(api):
    r = api.client.get("/api/cases")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    api.client.cookies.set(SESSION_COOKIE, "forged.cookie.value")
    assert api.client.get("/api/cases").status_code == 401


def test_form_login_redirects_only_within_the_site(api):
    r = api.client.post("/login", data={"username": "ayesha", "password": PASSWORD, "next": "https://evil.example/"},
                        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = api.client.post("/login", data={"username": "ayesha", "password": PASSWORD, "next": "/cases/CASE-2026-0001"},
                        follow_redirects=False)
    assert r.headers["location"] == "/cases/CASE-2026-0001"
    r = api.client.post("/login", data={"username": "ayesha", "password": "wrong", "next": "/oversight"},
                        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?error=1")


def test_login_from_another_origin_is_refused(api):
    r = api.client.post("/api/login", json={"username": "ayesha", "password": PASSWORD},
                        headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_unsafe_requests_with_the_cookie_need_the_csrf_token(api):
    csrf = api.login("ayesha")
    url = f"/api/cases/{api.world.case}/notes"
    r = api.client.post(url, json={"body": "checked the FIR"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    r = api.client.post(url, json={"body": "checked the FIR"}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403
    r = api.client.post(url, json={"body": "checked the FIR"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    # Reads (GET) need no token.
    assert api.client.get(url).status_code == 200


def test_bearer_tokens_need_no_csrf_and_die_when_revoked(api):
    token, tid = identity.create_token(api.world.gate.audit, api.world.users["ayesha"], "script")
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/me", headers=headers).json()["username"] == "ayesha"
    r = api.client.post(f"/api/cases/{api.world.case}/notes", json={"body": "from a script"}, headers=headers)
    assert r.status_code == 201
    identity.revoke_token(api.world.gate.audit, api.world.users["ayesha"], tid)
    r = api.client.get("/api/me", headers=headers)
    assert r.status_code == 401
    assert api.client.get("/api/me", headers={"Authorization": "Bearer tq_nonsense"}).status_code == 401


def test_logout_ends_the_session_even_for_a_copied_cookie(api):
    csrf = api.login("ayesha")
    copied = api.client.cookies.get(SESSION_COOKIE)
    assert api.client.post("/api/logout").status_code == 403  # CSRF applies to logout too
    assert api.client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.client.get("/api/me").status_code == 401
    api.client.cookies.set(SESSION_COOKIE, copied)
    assert api.client.get("/api/me").status_code == 401
    assert api.world.gate.audit.records(since=0, limit=10_000)[-1].action in ("auth.logout",)


def test_a_logout_holds_on_every_server_process_and_after_a_restart(api):
    """Two app instances on one store stand for two workers (or the server before and after a
    restart): a cookie signed out on one is refused by the other."""
    api.login("ayesha")
    copied = api.client.cookies.get(SESSION_COOKIE)
    with TestClient(create_app(api.world.gate.engine, gate=api.world.gate), base_url="https://testserver") as other:
        other.cookies.set(SESSION_COOKIE, copied)
        assert other.get("/api/me").status_code == 200  # the same signing key: a valid session there too
        csrf = api.client.get("/api/me").json()["csrf_token"]
        assert api.client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert other.get("/api/me").status_code == 401


def test_disabling_an_account_ends_its_sessions(api):
    api.login("bilal")
    assert api.client.get("/api/me").status_code == 200
    identity.disable_user(api.world.gate.audit, api.world.users["admin"], "bilal")
    assert api.client.get("/api/me").status_code == 401


def test_openapi_documents_the_routes(api):
    spec = api.client.get("/openapi.json").json()
    for path in ("/api/cases", "/api/cases/{ref}/search", "/api/cases/{ref}/entities/{entity_id}",
                 "/api/cases/{ref}/graph/neighbours", "/api/cases/{ref}/graph/paths", "/api/cases/{ref}/timeline",
                 "/api/cases/{ref}/places", "/api/cases/{ref}/notes", "/api/cases/{ref}/evidence",
                 "/api/cases/{ref}/export/{fmt}", "/api/audit", "/api/audit/head", "/api/audit/stats", "/api/login"):
        assert path in spec["paths"], path
    search = spec["paths"]["/api/cases/{ref}/search"]["get"]["responses"]
    assert "SearchOut" in str(search["200"]) and "403" in search
