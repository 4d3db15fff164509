"""The authorisation matrix (issue #20, Deliver 3): every route the app serves, discovered from the
app itself, called as every role of two agencies, for cases in every state (open, closed, expired,
missing) and alerts tied to them or to none, with every kind of credential (none, a cookie session,
a Bearer token, an ended session, a disabled account, a cookie without its CSRF token). Each call is
judged against tests/api/authz_rules.py:

  (a) no MARKER (personal data of the world, tests/api/authz_world.py) the rule does not allow;
  (b) the status the rule implies (2xx allowed, 401 or the sign-in redirect without credentials,
      403 or 404 refused);
  (c) an audit entry written by the call: a `grant` by the user for every response that disclosed
      personal data, a `deny` for every 403 given to an identified user; alert reads list only
      alerts the user may see and name the alerts' cases.

A test per route; the violations of a route are collected and reported as one table.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from tahqiq.api.auth import CSRF_HEADER, SESSION_COOKIE
from tahqiq.govern import AuditRecord
from tests.api.authz_rules import (
    ALERTS,
    CASE,
    OUTSIDE_MATRIX,
    OVERSIGHT,
    PUBLIC,
    ROUTING,
    RULES,
    SIGN_IN,
    SIGN_OUT,
    STATIC_PREFIXES,
    Expectation,
    Target,
    alert_visible,
    expect,
    rule_problems,
)
from tests.api.authz_world import (
    AGENCIES,
    MISSING_ALERT,
    MISSING_CASE,
    QUIET_DISTRICT,
    Credentials,
    MatrixWorld,
    User,
    authz_world,  # noqa: F401 - the module's fixture
    login,
)
from tests.govern.conftest import PASSWORD

pytestmark = pytest.mark.timeout(300)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# What an allowed caller's unsafe request may still be refused for: its body or the item's state
# (an alert acknowledged already, a pair resolution cannot split), never for who they are.
BODY_PROBLEMS = {400, 404, 409, 413, 422}
ODD_CREDENTIALS = ("none", "ended session", "disabled (token)", "disabled (cookie)")
_uploads = itertools.count()


def discovered(app) -> set[tuple[str, str]]:
    """(method, path template) of every route, pages included; static mounts left out."""
    out = set()
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, Mount) or (ctx.path or "").startswith(STATIC_PREFIXES):
            continue
        if not ctx.methods:  # a websocket or a bare ASGI route: the matrix cannot call it yet
            raise AssertionError(f"route {ctx.path} ({type(route).__name__}) has no HTTP methods to judge")
        out |= {(m, ctx.path or "") for m in ctx.methods}
    return out


# --- requests -------------------------------------------------------------------------------------


@dataclass
class Call:
    route: tuple[str, str]
    user: str  # who the credentials are of ("-" for none)
    cred: str
    target: Target


def targets(route: tuple[str, str], world: MatrixWorld, user: User | None = None) -> list[Target]:
    """What the route is called about. For a user: every state of their agency's cases and their
    alerts, the other agency's open case and its alerts (its closed and expired ones are refused for
    the same reason), the alerts without a case, and what does not exist."""
    method, path = route
    mine = {user.agency, "pp" if user.username == "fia_joint" else user.agency} if user else {"pp", "fia"}

    def wanted(case_key: str) -> bool:
        return case_key.split("-")[0] in mine or case_key.endswith("-open")

    if "{ref}" in path:
        return [Target("case", k) for k in world.cases if wanted(k)] + [Target("case", "missing")]
    if "{campaign_id}" in path:
        return [Target("campaign", "missing")]
    if "{forecast_id}" in path:
        return [Target("forecast", "missing")]
    if "{alert_id}" in path:
        return [Target("alert", a.key) for a in world.alerts.values() if a.case is None or wanted(a.case)] + [
            Target("alert", "missing")]
    if RULES[route] == ROUTING:
        return [Target("routing", "own"), Target("routing", "other")]
    return [Target("none", "")]


def home_target(route: tuple[str, str], world: MatrixWorld, user: User) -> Target:
    """The target a user is most likely granted: their agency's open case, its alert, their agency."""
    kind = targets(route, world)[0].kind
    agency = "pp" if user.username == "fia_joint" else user.agency
    return {"case": Target("case", f"{agency}-open"), "alert": Target("alert", f"alert:{agency}-open"),
            "routing": Target("routing", "own"), "none": Target("none", ""),
            "campaign": Target("campaign", "missing"), "forecast": Target("forecast", "missing")}[kind]


def _fill(path: str, world: MatrixWorld, target: Target) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The path with its parameters, the query and the body (json/data/files) for this target."""
    case = world.cases.get(target.key) if target.kind == "case" else None
    ref = case.reference if case else MISSING_CASE
    person, phone, vehicle = (case.person, case.phone, case.vehicle) if case else ("f" * 32, "e" * 32, "d" * 32)
    alert = world.alerts.get(target.key) if target.kind == "alert" else None
    values = {"ref": ref, "entity_id": person, "chart_id": str(case.chart_id if case else MISSING_ALERT),
              "alert_id": str(alert.id if alert else MISSING_ALERT), "action": "acknowledge", "fmt": "csv",
              "z": "0", "x": "0", "y": "0", "code": "en", "campaign_id": "CMP-0000000000",
              "forecast_id": "999999"}
    filled = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
    cnic = next((m.value for m in world.markers if case and m.owner == case.key and m.kind == "cnic"),
                "35202-1234567-1")
    query = {"search": {"q": cnic}, "neighbours": {"entity": person}, "details": {"entity": person},
             "paths": {"a": person, "b": vehicle}, "stream": {"after": "0", "close_after": "1"},
             # the whole log from its start, where the world's casework was recorded
             "/api/audit": {"newest_first": "false", "limit": "2000"}}
    params = next((q for end, q in query.items() if path.endswith(end)), {})
    opening = {"reference": "CASE-2026-0999", "basis_kind": "fir", "basis_ref": "99/2026 PS Matrix",
               "authorising_officer": "SP Matrix", "purpose": "matrix: check the access", "days": 30}
    decide = {"left_id": person, "right_id": phone, "decision": "split", "reason": "matrix: check the access"}
    upload = {"files": {"file": (f"m{next(_uploads)}.txt", f"matrix upload {next(_uploads)}".encode(), "text/plain")},
              "data": {"description": "matrix evidence"}}
    bodies: dict[str, dict[str, Any]] = {
        "/api/cases/{ref}/subjects": {"json": {"entity_id": vehicle}},
        "/api/cases/{ref}/notes": {"json": {"body": "matrix note"}},
        "/api/cases/{ref}/evidence": upload, "/cases/{ref}/evidence": upload,
        "/api/cases/{ref}/charts": {"json": {"title": "matrix chart", "body": {}}},
        "/api/cases/{ref}/resolution/decide": {"json": decide}, "/cases/{ref}/review/decide": {"data": decide},
        "/api/alerts/{alert_id}/{action}": {"json": {"note": "matrix"}},
        "/control-room/alerts/{alert_id}/act": {"data": {"action": "acknowledge", "note": "matrix"}},
        "/cases/{ref}/subjects": {"data": {"entity_id": vehicle}}, "/cases/{ref}/notes": {"data": {"body": "matrix"}},
        "/api/logout": {}, "/logout": {},
        "/api/networks/campaigns/{campaign_id}/case": {"json": opening},
        "/networks/campaigns/{campaign_id}/case": {"data": opening},
        "/api/networks/alerts/{alert_id}/case": {"json": {"case": ref}},
        "/networks/alerts/{alert_id}/case": {"data": {"case": ref}},
    }
    return filled, params, bodies.get(path, {})


def _routing_body(world: MatrixWorld, user: User | None, target: Target) -> dict[str, Any]:
    """Route a district to a user of the caller's agency who has it already (allowed and changes
    nothing), or to a user of the other agency, to a district with no alerts (refused for all)."""
    agency = user.agency if user else "pp"
    if target.key == "own":
        return {"json": {"username": f"{agency}_member", "district": AGENCIES[agency][2]}}
    other = "fia" if agency == "pp" else "pp"
    return {"json": {"username": f"{other}_other", "district": QUIET_DISTRICT}}


def _credentials(world: MatrixWorld, call: Call) -> tuple[str | None, dict[str, str]]:
    """(cookie, headers) for the call's credential state."""
    method, path = call.route
    creds = world.creds.get(call.user) or Credentials("", "", "")  # "-": no credentials of anyone
    if call.cred == "bearer":
        return None, {"Authorization": f"Bearer {creds.token}"}
    if call.cred == "cookie":
        if RULES[call.route] == SIGN_OUT:  # signing out ends the session: use one of its own
            cookie, csrf = login(world.client, call.user)
            return cookie, {CSRF_HEADER: csrf}
        return creds.cookie, ({CSRF_HEADER: creds.csrf} if method in UNSAFE else {})
    if call.cred == "no CSRF token":
        return creds.cookie, {}
    if call.cred == "ended session":
        return world.ended_cookie, {CSRF_HEADER: "x"}
    assert world.disabled is not None
    if call.cred == "disabled (token)":
        return None, {"Authorization": f"Bearer {world.disabled.token}"}
    if call.cred == "disabled (cookie)":
        return world.disabled.cookie, {CSRF_HEADER: world.disabled.csrf}
    return None, {}


@dataclass
class Outcome:
    request: str
    status: int
    text: str
    entries: list[AuditRecord]


def perform(world: MatrixWorld, call: Call) -> Outcome:
    method, path = call.route
    user = world.users.get(call.user)
    filled, params, body = _fill(path, world, call.target)
    if RULES[call.route] == ROUTING:
        body = _routing_body(world, user, call.target)
    if RULES[call.route] == SIGN_IN:
        username = "pp_gone" if call.cred.startswith("disabled") else call.user if user else "pp_member"
        form = {"username": username, "password": PASSWORD}
        body = {"json": form} if path.startswith("/api/") else {"data": form}
    if method in UNSAFE and not body and RULES[call.route] not in (SIGN_OUT,):
        raise AssertionError(f"no request body for {method} {path}: add one in _fill's bodies")
    cookie, headers = _credentials(world, call)
    if not path.startswith("/api/"):
        headers["Accept"] = "text/html"
    client = world.client
    client.cookies.clear()
    if cookie:
        client.cookies.set(SESSION_COOKIE, cookie)
    before = world.gate.audit.size()
    world.calls += 1
    try:
        if path == "/api/alerts/stream":
            status, text = _stream(world, filled, params, headers, before)
        else:
            r = client.request(method, filled, params=params, headers=headers, **body)
            status, text = r.status_code, r.text + " " + r.headers.get("location", "")
    finally:
        client.cookies.clear()
    for value in params.values():  # what the caller typed, echoed back (a search box, ?next=), is not a disclosure
        text = text.replace(value, "").replace(quote(value, safe=""), "").replace(quote_plus(value), "")
    shown = f"{method} {filled}" + (f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else "")
    return Outcome(shown, status, text, world.gate.audit.records(since=before, limit=100_000))


def _stream(world: MatrixWorld, path: str, params: dict, headers: dict, before: int) -> tuple[int, str]:
    """The live feed sends what it read before answering (an audited read listing the alerts), then
    waits for news: read its first alert when the read listed one, else only its greeting."""
    with world.client.stream("GET", path, params=params, headers=headers) as r:
        if r.status_code != 200:
            return r.status_code, r.read().decode()
        listed = any(e.action == "alert.read" and e.detail.get("ids")
                     for e in world.gate.audit.records(since=before, limit=1000))
        chunks = r.iter_text()
        text = next(chunks, "")
        if listed:
            text += "".join(chunks)  # close_after=1: the stream ends after the first alert
        return 200, text


# --- judging --------------------------------------------------------------------------------------


def judge(world: MatrixWorld, call: Call, out: Outcome, exp: Expectation) -> list[str]:
    """What is wrong with this outcome (empty: nothing)."""
    method, path = call.route
    rule = RULES[call.route]
    user = world.users.get(call.user) if call.cred in ("bearer", "cookie", "no CSRF token") else None
    problems = []
    found = world.found_markers(out.text)
    leaked = sorted({(m.owner, m.kind, m.value) for m in found if (m.owner, m.kind) not in exp.markers})
    problems += [f"LEAK {owner}/{kind} ({value})" for owner, kind, value in leaked]
    page = not path.startswith("/api/")
    # 503: a part the deployment lacks (no basemap tiles, no Chromium), said plainly; not a failure.
    if out.status >= 500 and out.status != 503:
        problems.append(f"server error {out.status}")
    elif call.cred == "no CSRF token" and method in UNSAFE and rule != SIGN_IN:
        if out.status != 403:
            problems.append(f"status {out.status}, expected 403 (no CSRF token)")
    elif rule == PUBLIC:
        if out.status in (401, 403):
            problems.append(f"status {out.status} on a public route")
    elif rule == SIGN_IN:  # a disabled account is refused (401, or the form's error redirect); 429: throttled
        answers = {401, 303, 429} if call.cred.startswith("disabled") else {200, 303, 429}
        if out.status not in answers:
            problems.append(f"status {out.status}, expected one of {sorted(answers)}")
    elif rule == SIGN_OUT:
        if out.status not in (204, 303):
            problems.append(f"status {out.status}, expected 204/303")
    elif user is None:
        wanted = "303 to /login" if page else "401"
        if (page and not (out.status == 303 and "/login" in out.text)) or (not page and out.status != 401):
            problems.append(f"status {out.status}, expected {wanted} without valid credentials")
    elif exp.allowed:
        ok = 200 <= out.status < 400 or (method in UNSAFE and out.status in BODY_PROBLEMS)
        if not ok:
            problems.append(f"status {out.status}, expected 2xx (allowed by the rule)")
    elif out.status not in ({403, 404} if exp.missing else {403}):
        problems.append(f"status {out.status}, expected 403{'/404' if exp.missing else ''} (refused by the rule)")
    if user is not None:
        mine = [e for e in out.entries if e.actor == user.username]
        if found and not any(e.decision == "grant" for e in mine):
            problems.append("personal data disclosed without a grant entry by this user")
        if out.status == 403 and call.cred != "no CSRF token" and not any(e.decision == "deny" for e in mine):
            problems.append("403 without a deny entry")
        problems += _alert_grants(world, user, mine)
    return problems


def _alert_grants(world: MatrixWorld, user: User, entries: list[AuditRecord]) -> list[str]:
    """Alert reads list only alerts the user may see, and name the case of each case-tied one."""
    problems = []
    for e in entries:
        if not (e.action.startswith("alert.") and e.decision == "grant"):
            continue
        for raw in [*(e.detail.get("ids") or []), *([e.target] if e.action != "alert.read" else [])]:
            alert = world.alert_by_id(int(raw)) if str(raw).isdigit() else None
            if alert is None:
                continue
            if not alert_visible(world, user, alert):
                problems.append(f"LEAK {e.action} grant #{e.seq} lists alert {alert.id} ({alert.key})")
            case = world.cases[alert.case] if alert.case else None
            if case and case.reference != e.case and case.reference not in (e.detail.get("cases") or []):
                problems.append(f"{e.action} grant #{e.seq} does not name case {case.reference} of alert {alert.id}")
    return problems


def calls_for(route: tuple[str, str], world: MatrixWorld) -> Iterator[Call]:
    """Every user x target with the credential the route is made for (pages: the cookie; the API:
    a token), the other credential on each user's own target, and the odd credentials on Punjab's."""
    method, path = route
    primary, secondary = ("bearer", "cookie") if path.startswith("/api/") else ("cookie", "bearer")
    for username, user in world.users.items():
        for target in targets(route, world, user):
            yield Call(route, username, primary, target)
        yield Call(route, username, secondary, home_target(route, world, user))
    home = home_target(route, world, world.users["pp_member"])
    for cred in ODD_CREDENTIALS + (("no CSRF token",) if method in UNSAFE else ()):
        yield Call(route, "pp_member" if cred != "none" else "-", cred, home)


# --- the tests ------------------------------------------------------------------------------------


def test_every_route_has_a_rule(authz_world):
    routes = discovered(authz_world.client.app)
    assert ("GET", "/cases/{ref}") in routes and ("GET", "/api/alerts/stream") in routes  # pages and the API
    messages = rule_problems(routes)
    assert not messages, "\n".join(messages)
    # The guard itself: a route added to the app without a rule is named.
    assert rule_problems(routes | {("GET", "/api/x")}) == [
        "new route GET /api/x has no rule in tests/api/authz_rules.py"]


def test_docs_and_openapi_are_public_and_hold_nothing_personal(authz_world):
    w = authz_world
    for path in ("/openapi.json", "/docs"):
        w.client.cookies.clear()
        r = w.client.get(path)
        assert r.status_code == 200, f"{path}: {r.status_code}"
        assert not w.found_markers(r.text), f"{path} holds {w.found_markers(r.text)}"


def _order(route: tuple[str, str]) -> tuple[bool, str, str]:
    # Oversight first: it reads the whole log, which the rest of the matrix makes long.
    return RULES[route] != OVERSIGHT, route[1], route[0]


@pytest.mark.parametrize("route", sorted(RULES.keys(), key=_order), ids=lambda r: f"{r[0]} {r[1]}")
def test_matrix(authz_world, route):
    w = authz_world
    rows = []
    n = 0
    for call in calls_for(route, w):
        user = w.users.get(call.user) if call.cred in ("bearer", "cookie", "no CSRF token") else None
        exp = expect(w, RULES[route], user, call.target)
        out = perform(w, call)
        n += 1
        rows += [(out.request, f"{call.user} ({call.cred})", call.target.key or "-", out.status, p)
                 for p in judge(w, call, out, exp)]
    print(f"{route[0]} {route[1]}: {n} calls (matrix so far: {w.calls})")
    assert not rows, _table(route, rows)


def _table(route: tuple[str, str], rows: list[tuple]) -> str:
    head = ("request", "user (credentials)", "target", "status", "violation")
    widths = [min(70, max(len(str(r[i])) for r in [head, *rows])) for i in range(4)]
    lines = [f"{len(rows)} violations of rule '{RULES[route]}' on {route[0]} {route[1]}:"]
    lines += ["  ".join(str(c)[:70].ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + str(r[4])
              for r in [head, *rows]]
    return "\n".join(lines)
