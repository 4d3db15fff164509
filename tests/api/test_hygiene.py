"""The server's hygiene (issue #20): sign-in throttling on the JSON and form sign-ins (429 with
Retry-After, the page in the reader's language), sign-in refused from a null or foreign origin,
bodies refused before they are read (credentials first, then size), empty evidence refused, and an
access log without query strings."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tahqiq.api import limits
from tahqiq.govern.evidence import evidence_root
from tahqiq.govern.throttle import SigninThrottle, ThrottlePolicy
from tests.api.conftest import Api, api, member_headers  # noqa: F401
from tests.govern.conftest import CNIC, PASSWORD

WRONG = "not the password at all"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(api) -> Clock:
    clock = Clock()
    api.client.app.state.signin_throttle = SigninThrottle(ThrottlePolicy(), clock)
    return clock


def json_login(api: Api, username: str, password: str, **headers: str) -> httpx.Response:
    return api.client.post("/api/login", json={"username": username, "password": password}, headers=headers)


# --- sign-in throttling ---------------------------------------------------------------------------

def test_json_sign_in_is_locked_after_five_failures_with_429_and_retry_after(api, clock):
    start = api.world.gate.audit.size()
    assert [json_login(api, "ayesha", WRONG).status_code for _ in range(5)] == [401] * 5
    r = json_login(api, "ayesha", PASSWORD)  # the sixth attempt, with the right password
    assert r.status_code == 429 and r.headers["Retry-After"] == "300"
    assert "too many failed sign-ins" in r.json()["detail"]
    clock.now += timedelta(minutes=5, seconds=1)
    assert json_login(api, "ayesha", PASSWORD).status_code == 200  # the lock expired
    records = api.world.gate.audit.records(since=start, limit=100)
    logins = [r for r in records if r.action == "auth.login"]
    assert [r.decision for r in logins] == ["deny"] * 6 + ["grant"]
    assert all(r.detail.get("address") == "testclient" for r in logins[:6])
    assert [r.action for r in records].count("auth.lockout") == 1
    written = json.dumps([r.detail for r in records])
    assert PASSWORD not in written and WRONG not in written


def test_the_form_says_so_in_the_readers_language_with_429(api, clock):
    for _ in range(5):
        r = api.client.post("/login", data={"username": "ayesha", "password": WRONG}, follow_redirects=False)
        assert r.status_code == 303 and "error=1" in r.headers["location"]
    r = api.client.post("/login", data={"username": "ayesha", "password": PASSWORD, "next": "/control-room"},
                        follow_redirects=False)
    assert r.status_code == 429 and r.headers["Retry-After"] == "300"
    assert "text/html" in r.headers["content-type"] and "Try again in 5 minutes" in r.text
    assert 'value="/control-room"' in r.text  # the form still goes where the reader was headed
    api.client.cookies.set("lang", "ur")
    r = api.client.post("/login", data={"username": "ayesha", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 429 and "5 منٹ بعد دوبارہ کوشش کریں" in r.text and "Try again" not in r.text


def test_an_address_is_locked_after_twenty_failures_across_many_names(api, clock):
    assert {json_login(api, f"guess{i}", WRONG).status_code for i in range(20)} == {401}
    r = json_login(api, "sana", PASSWORD)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) == 300
    lock = [r for r in api.world.gate.audit.records(since=0, limit=10_000) if r.action == "auth.lockout"]
    assert [(r.target, r.detail["scope"]) for r in lock] == [("testclient", "address")]


# --- where a sign-in may come from ----------------------------------------------------------------

FOREIGN = [{"Origin": "null"}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/phish"}]


def test_sign_in_from_a_null_or_foreign_origin_is_refused(api, subtests):
    # The origin is judged before the password is (no throttle count): one world serves every case.
    for headers in FOREIGN:
        with subtests.test(headers=headers):
            assert json_login(api, "ayesha", PASSWORD, **headers).status_code == 403
            r = api.client.post("/login", data={"username": "ayesha", "password": PASSWORD}, headers=headers,
                                follow_redirects=False)
            assert r.status_code == 403


def test_sign_in_from_our_own_pages_is_accepted(api):
    assert json_login(api, "ayesha", PASSWORD, Origin="https://testserver").status_code == 200
    assert json_login(api, "sana", PASSWORD, Referer="https://testserver/login?next=/").status_code == 200


# --- bodies: credentials before reading, sizes ----------------------------------------------------

class Body:
    """A request body handed to the app in chunks, counting what the app actually took."""

    def __init__(self, total: int, chunk: int = 1 << 20, prefix: bytes = b"") -> None:
        self.total, self.chunk, self.read, self.prefix = total, chunk, 0, prefix
        self._block = b"x" * chunk

    async def receive(self) -> dict:
        if self.read >= self.total:
            await asyncio.sleep(3600)  # a client that sends nothing more; never reached when refused
        n = min(self.chunk, self.total - self.read)
        data = (self.prefix + self._block)[:n] if self.read == 0 else self._block[:n]
        self.read += n
        return {"type": "http.request", "body": data, "more_body": self.read < self.total}


def call(app, method: str, path: str, body: Body, headers: dict[str, str], *, declare: bool = True) -> tuple[int, dict]:
    """One request straight into the ASGI app (the test client would read the whole body first)."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(body.total).encode()) if declare else (b"transfer-encoding", b"chunked"))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "https",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": raw,
             "client": ("10.1.2.3", 5555), "server": ("testserver", 443), "state": {}}
    answer: dict = {}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], dict(message["headers"])

    asyncio.run(asyncio.wait_for(app(scope, body.receive, send), timeout=60))
    return answer["status"], answer["headers"]


MULTIPART = {"content-type": "multipart/form-data; boundary=xyz"}
FILE_PART = (b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
             b"Content-Type: application/octet-stream\r\n\r\n")


def test_an_unauthenticated_upload_is_refused_before_it_is_read(api):
    app, case = api.client.app, api.world.case
    body = Body(50 * 1000 * 1000)
    status, _ = call(app, "POST", f"/api/cases/{case}/evidence", body, MULTIPART)
    assert status == 401 and body.read == 0
    body = Body(50 * 1000 * 1000)
    status, headers = call(app, "POST", f"/cases/{case}/evidence", body, MULTIPART)  # the page: to sign-in
    assert status == 303 and headers[b"location"].startswith(b"/login") and body.read == 0
    body = Body(50 * 1000 * 1000)
    status, _ = call(app, "POST", f"/api/cases/{case}/evidence", body,
                     {**MULTIPART, "authorization": "Bearer tq_not-a-token"}, declare=False)
    assert status == 401 and body.read == 0


def test_an_authenticated_oversize_upload_is_refused_before_it_is_read_in_full(api, monkeypatch):
    app, case, auth = api.client.app, api.world.case, member_headers(api)
    body = Body(limits.UPLOAD_LIMIT + 1)
    status, _ = call(app, "POST", f"/api/cases/{case}/evidence", body, {**MULTIPART, **auth})
    assert status == 413 and body.read == 0  # declared too large: not a byte read
    monkeypatch.setattr(limits, "UPLOAD_LIMIT", 4 << 20)
    body = Body(50 * 1000 * 1000, prefix=FILE_PART)
    status, _ = call(app, "POST", f"/api/cases/{case}/evidence", body, {**MULTIPART, **auth}, declare=False)
    assert status == 413 and body.read <= (4 << 20) + (1 << 20)  # chunked: stopped just past the limit


def test_a_json_body_over_one_mib_is_refused(api):
    app, case, auth = api.client.app, api.world.case, member_headers(api)
    body = Body(limits.BODY_LIMIT + 1)
    status, _ = call(app, "POST", f"/api/cases/{case}/notes", body, {"content-type": "application/json", **auth})
    assert status == 413 and body.read == 0
    body = Body(20 << 20, chunk=64 << 10)
    status, _ = call(app, "POST", f"/api/cases/{case}/notes", body, {"content-type": "application/json", **auth},
                     declare=False)
    assert status == 413 and body.read <= limits.BODY_LIMIT + (64 << 10)
    r = api.client.post("/api/login", content=b"{" + b" " * (2 << 20) + b"}",
                        headers={"content-type": "application/json"})
    assert r.status_code == 413  # the sign-in needs no credential, but has its limit


# --- evidence -------------------------------------------------------------------------------------

def test_empty_evidence_is_refused_with_a_reason(api):
    r = api.client.post(f"/api/cases/{api.world.case}/evidence", headers=member_headers(api),
                        files={"file": ("empty.jpg", b"", "image/jpeg")})
    assert r.status_code == 400 and "empty (0 bytes)" in r.json()["detail"]
    root = evidence_root()
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_evidence_is_private_on_disk(api):
    r = api.client.post(f"/api/cases/{api.world.case}/evidence", headers=member_headers(api),
                        files={"file": ("still.png", b"\x89PNG still", "image/png")})
    assert r.status_code == 201, r.text
    root = evidence_root()
    blob = root / r.json()["sha256"][:2] / r.json()["sha256"]
    assert (os.stat(root).st_mode & 0o777, os.stat(blob.parent).st_mode & 0o777) == (0o700, 0o700)
    assert os.stat(blob).st_mode & 0o777 == 0o400


# --- the access log -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_access_log_has_no_query_strings(tmp_path):
    port = _free_port()
    env = {**os.environ, "TAHQIQ_HOME": str(tmp_path / "home"),
           "TAHQIQ_DATABASE_URL": f"sqlite:///{tmp_path / 'home' / 'tahqiq.db'}"}
    proc = subprocess.Popen([sys.executable, "-m", "tahqiq", "serve", "--port", str(port), "--insecure-cookies"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
                time.sleep(0.2)
        r = httpx.get(f"{base}/api/cases/CASE-2026-0001/search", params={"q": CNIC, "name": "Ali Raza"})
        assert r.status_code == 401
        httpx.post(f"{base}/api/login", json={"username": "nobody", "password": "secret-in-a-body"})
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert "GET /api/cases/CASE-2026-0001/search 401" in out  # the request is logged ...
    assert "POST /api/login 401" in out
    for secret in (CNIC, "Ali", "q=", "secret-in-a-body"):  # ... without its query string or body
        assert secret not in out, out
