"""The world of the authorisation matrix (tests/api/test_authz_matrix.py): two agencies, users of
every role in each, cases in every state holding personal data with MARKER values, alerts on the
cases' watchlist entries and alerts without a case, control-room routes, and credentials in every
state. Built through the project's own calls (users and cases through govern, subjects, notes,
evidence and charts through the API, watchlist entries through screen, alerts as the stream worker
writes them) so the audit log reads like a real one.

Markers are values that occur nowhere else: finding one in a response says whose data it was.
  entity markers  name, CNIC, phone, plate of a case's subject (and its phone and vehicle)
  case text       a note, an evidence description, a saved chart's title (the analysts' words)
  alert markers   the checkpoint in an alert's evidence; the CNIC of an alert without a case
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import update

from tahqiq.alerts import Alert
from tahqiq.api.auth import CSRF_HEADER, SESSION_COOKIE
from tahqiq.compose import create_app
from tahqiq.govern import Gate, identity
from tahqiq.govern.cases import add_member, close_case, open_case
from tahqiq.govern.tables import Case
from tahqiq.screen.watchlists import add_entry
from tahqiq.store import open_store
from tahqiq.store.tables import IngestBatch, Source
from tests.govern.conftest import PASSWORD, add_entity

AGENCIES = {"pp": ("PUNJAB-POLICE", "Punjab Police", "Lahore"), "fia": ("FIA", "Federal Investigation Agency",
                                                                        "Rawalpindi")}
STATES = ("open", "closed", "expired")
MISSING_CASE = "CASE-MISSING-0000"
MISSING_ALERT = 999_999
# Where an admin's cross-agency route would send a user (no alert is ever raised there).
QUIET_DISTRICT = "Chakwal"
ENTITY_KINDS = ("name", "cnic", "phone", "plate")
TEXT_KINDS = ("note", "evidence", "chart")
ALERT_KINDS = ("checkpoint", "loose_cnic")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    agency: str  # "pp" or "fia"
    routes: tuple[str, ...] = ()  # the districts routed to the user's control room, as the world means it


@dataclass
class CaseData:
    key: str  # "pp-open"
    agency: str
    state: str
    reference: str
    members: set[str]
    cross_members: set[str]
    person: str = ""
    phone: str = ""
    vehicle: str = ""
    chart_id: int = 0


@dataclass
class AlertData:
    key: str  # "alert:pp-open", "alert:loose-pp"
    id: int
    district: str
    case: str | None  # the case key, None for an alert without a case


@dataclass(frozen=True)
class Marker:
    owner: str  # a case key ("pp-open") or an alert key ("alert:loose-pp")
    kind: str
    value: str
    needles: tuple[str, ...]  # the forms it may take in a response (lower case)


@dataclass
class Credentials:
    cookie: str
    csrf: str
    token: str


@dataclass
class MatrixWorld:
    gate: Gate
    client: TestClient
    users: dict[str, User]
    cases: dict[str, CaseData]
    alerts: dict[str, AlertData]
    markers: list[Marker]
    creds: dict[str, Credentials] = field(default_factory=dict)
    ended_cookie: str = ""
    disabled: Credentials | None = None
    admin_cross_route_status: int = 0
    calls: int = 0

    def case_of_ref(self, reference: str) -> CaseData | None:
        return next((c for c in self.cases.values() if c.reference == reference), None)

    def alert_by_id(self, alert_id: int) -> AlertData | None:
        return next((a for a in self.alerts.values() if a.id == alert_id), None)

    def entity_owner(self, entity_id: str) -> str | None:
        return next((c.key for c in self.cases.values() if entity_id in (c.person, c.phone, c.vehicle)), None)

    def found_markers(self, text: str) -> list[Marker]:
        low = text.lower()
        return [m for m in self.markers if any(n in low for n in m.needles)]


def _user_specs() -> list[User]:
    out = []
    for a, (_, _, district) in AGENCIES.items():
        out += [User(f"{a}_sup", "supervisor", a), User(f"{a}_member", "analyst", a, (district,)),
                User(f"{a}_other", "analyst", a), User(f"{a}_auditor", "auditor", a)]
    # An FIA analyst added to Punjab's open case as a cross-agency member of a joint investigation.
    out.append(User("fia_joint", "analyst", "fia"))
    return out


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _case_markers(case: CaseData, a: int, s: int) -> list[Marker]:
    tok = f"{case.agency}{case.state}"
    cnic = f"4{a}{s}01-97{a}{s}5{a}{s}-{s}"
    phone = f"+923014{a}{s}8{a}{s}6"
    plate = f"Q{'AB'[a - 1]}{'ABC'[s - 1]}-7{a}{s}9"
    values = {"name": (f"Zahid {tok.capitalize()}wala", (f"{tok}wala",)),
              "cnic": (cnic, (cnic, _digits(cnic))),
              "phone": (phone, (phone[-7:],)),
              "plate": (plate, (plate.lower(), plate.replace("-", "").lower())),
              "note": (f"note{tok}text", (f"note{tok}text",)),
              "evidence": (f"evid{tok}text", (f"evid{tok}text",)),
              "chart": (f"chart{tok}text", (f"chart{tok}text",))}
    return [Marker(case.key, kind, value, needles) for kind, (value, needles) in values.items()]


def _eid(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()


def _raise_alert(gate: Gate, district: str, key_value: str, checkpoint: str, case_ref: str | None) -> int:
    """Write an alert as the stream worker does (tahqiq.alerts.write_alerts writes this table)."""
    with gate.engine.begin() as conn:
        return conn.execute(Alert.__table__.insert().values(
            dedupe_key=uuid.uuid4().hex, rule_id="watchlist-cnic", severity="high", district=district, status="new",
            created_at=datetime.now(UTC), occurred_at=datetime.now(UTC), key_kind="cnic", key_value=key_value,
            title="Wanted CNIC at checkpoint", evidence={"event": {"checkpoint": checkpoint}},
            case_ref=case_ref)).inserted_primary_key[0]


def _api(client: TestClient, method: str, path: str, creds: Credentials, expect: int = 201, **kw) -> dict:
    r = client.request(method, path, headers={"Authorization": f"Bearer {creds.token}"}, **kw)
    assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
    return r.json() if r.content else {}


def login(client: TestClient, username: str) -> tuple[str, str]:
    """A fresh cookie session: (cookie, CSRF token)."""
    client.cookies.clear()
    r = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.cookies.get(SESSION_COOKIE)
    client.cookies.clear()
    assert cookie
    return cookie, r.json()["csrf_token"]


def _credentials(gate: Gate, client: TestClient, username: str) -> Credentials:
    me = gate.authenticate_password(username, PASSWORD)
    token, _ = identity.create_token(gate.audit, me, "authz matrix")
    cookie, csrf = login(client, username)
    return Credentials(cookie, csrf, token)


def _populate_case(w: MatrixWorld, case: CaseData, a: int, s: int) -> None:
    """Entities (in the store), subjects, a watchlist entry, a note, evidence, a chart, an alert."""
    marks = {m.kind: m.value for m in _case_markers(case, a, s)}
    case.person, case.phone, case.vehicle = (_eid(f"{case.key}-{k}") for k in ("person", "phone", "vehicle"))
    with w.gate.engine.begin() as conn:
        add_entity(conn, case.person, "Person", "nadra", {"name": [marks["name"]], "cnic": [marks["cnic"]]})
        add_entity(conn, case.phone, "Phone", "telco", {"number": [marks["phone"]], "owner": [case.person]}, batch=2)
        add_entity(conn, case.vehicle, "Vehicle", "excise",
                   {"registrationNumber": [marks["plate"]], "owner": [case.person]}, batch=3)
    sup = w.creds[f"{case.agency}_sup"]
    base = f"/api/cases/{case.reference}"
    for eid in (case.person, case.phone, case.vehicle):
        _api(w.client, "POST", f"{base}/subjects", sup, json={"entity_id": eid})
    _api(w.client, "POST", f"{base}/notes", sup, json={"body": marks["note"], "entity_id": case.person})
    _api(w.client, "POST", f"{base}/evidence", sup, data={"description": marks["evidence"]},
         files={"file": ("still.png", f"cctv still of {case.key}".encode(), "image/png")})
    chart = _api(w.client, "POST", f"{base}/charts", sup, json={"title": marks["chart"], "body": {}})
    case.chart_id = chart["id"]
    supervisor = w.gate.authenticate_password(f"{case.agency}_sup", PASSWORD)
    with w.gate.session(supervisor, case.reference, "watch the warrant's subject") as view:
        add_entry(view, "person", reason="named in the case's warrant", entity_id=case.person,
                  expires_at=datetime.now(UTC) + timedelta(days=20))
    district = AGENCIES[case.agency][2]
    aid = _raise_alert(w.gate, district, marks["cnic"], f"chk{case.key.replace('-', '')}post", case.reference)
    w.alerts[f"alert:{case.key}"] = AlertData(f"alert:{case.key}", aid, district, case.key)
    w.markers.append(Marker(f"alert:{case.key}", "checkpoint", f"chk{case.key.replace('-', '')}post",
                            (f"chk{case.key.replace('-', '')}post",)))


def build(gate: Gate, client: TestClient) -> MatrixWorld:
    users = {u.username: u for u in _user_specs()}
    w = MatrixWorld(gate, client, users, {}, {}, [])
    audit = gate.audit
    code, name, _ = AGENCIES["pp"]
    identity.add_user(audit, None, "pp_admin", PASSWORD, "admin", code, agency_name=name)
    admin = gate.authenticate_password("pp_admin", PASSWORD)
    fia_code, fia_name, _ = AGENCIES["fia"]
    identity.add_user(audit, admin, "fia_admin", PASSWORD, "admin", fia_code, agency_name=fia_name)
    users["pp_admin"], users["fia_admin"] = User("pp_admin", "admin", "pp"), User("fia_admin", "admin", "fia")
    for u in [*_user_specs(), User("pp_gone", "analyst", "pp")]:
        identity.add_user(audit, admin, u.username, PASSWORD, u.role, AGENCIES[u.agency][0])
    with gate.engine.begin() as conn:
        for src, bid in (("nadra", 1), ("telco", 2), ("excise", 3)):
            conn.execute(Source.__table__.insert().values(name=src, label=src))
            conn.execute(IngestBatch.__table__.insert().values(id=bid, source=src, mapping_fingerprint="f" * 32,
                                                               input_name="x.csv", input_sha256="0" * 64))
    for username in [*users, "pp_gone"]:
        w.creds[username] = _credentials(gate, client, username)
    for a, agency in enumerate(AGENCIES, start=1):
        sup = gate.authenticate_password(f"{agency}_sup", PASSWORD)
        for s, state in enumerate(STATES, start=1):
            ref = f"{agency.upper()}-2026-{state.upper()}"
            members = [f"{agency}_member"] + (["pp_gone"] if (agency, state) == ("pp", "open") else [])
            open_case(audit, sup, ref, basis_kind="warrant", basis_ref=f"W-{a}{s}/2026", purpose="trace absconders",
                      authorising_officer="Judge ATC-1", days=30, members=members)
            case = CaseData(f"{agency}-{state}", agency, state, ref, {f"{agency}_sup", *members}, set())
            if (agency, state) == ("pp", "open"):
                add_member(audit, sup, ref, "fia_joint", cross_agency=True)
                case.cross_members.add("fia_joint")
            w.cases[case.key] = case
            w.markers += _case_markers(case, a, s)
            _populate_case(w, case, a, s)
    for a, agency in enumerate(AGENCIES, start=1):
        district = AGENCIES[agency][2]
        loose = f"4{a}902-9{a}90{a}9{a}-9"
        aid = _raise_alert(gate, district, loose, f"chkloose{agency}post", None)
        key = f"alert:loose-{agency}"
        w.alerts[key] = AlertData(key, aid, district, None)
        w.markers += [Marker(key, "checkpoint", f"chkloose{agency}post", (f"chkloose{agency}post",)),
                      Marker(key, "loose_cnic", loose, (loose, _digits(loose)))]
        _api(client, "POST", "/api/alerts/routes", w.creds[f"{agency}_sup"], expect=204,
             json={"username": f"{agency}_member", "district": district})
    _end_states(w)
    return w


def _end_states(w: MatrixWorld) -> None:
    """Close and expire the cases (after their data exists), the cross-agency route an admin tries,
    an ended session and a disabled account."""
    audit = w.gate.audit
    for agency in AGENCIES:
        sup = w.gate.authenticate_password(f"{agency}_sup", PASSWORD)
        close_case(audit, sup, w.cases[f"{agency}-closed"].reference, "matrix: closed")
        with w.gate.engine.begin() as conn:  # nothing in the product expires a case early: time does
            conn.execute(update(Case).where(Case.reference == w.cases[f"{agency}-expired"].reference)
                         .values(expires_at=datetime.now(UTC) - timedelta(hours=1)))
    # An admin routes Punjab's Lahore alerts to an FIA analyst (issue #20: admins must be limited
    # to their agency like supervisors). Whatever the answer, the matrix judges what fia_other reads.
    r = w.client.post("/api/alerts/routes", headers={"Authorization": f"Bearer {w.creds['pp_admin'].token}"},
                      json={"username": "fia_other", "district": AGENCIES["pp"][2]})
    w.admin_cross_route_status = r.status_code
    cookie, csrf = login(w.client, "pp_member")
    w.client.cookies.set(SESSION_COOKIE, cookie)
    r = w.client.post("/api/logout", headers={CSRF_HEADER: csrf})
    assert r.status_code == 204, r.text
    w.client.cookies.clear()
    w.ended_cookie = cookie
    admin = w.gate.authenticate_password("pp_admin", PASSWORD)
    identity.disable_user(audit, admin, "pp_gone")
    w.disabled = w.creds.pop("pp_gone")


def _report_size(config: pytest.Config, world: MatrixWorld) -> None:
    """The matrix's size in the test output, whether the tests pass or not (past output capture)."""
    reporter, capture = (config.pluginmanager.get_plugin(n) for n in ("terminalreporter", "capturemanager"))
    if reporter is None or capture is None or not world.calls:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"\nauthorisation matrix: {world.calls} calls ({len(world.users)} users, "
                            f"{len(world.cases)} cases and a missing one, {len(world.alerts)} alerts)")


@pytest.fixture(scope="module")
def authz_world(tmp_path_factory, request) -> Iterator[MatrixWorld]:
    """One world for the module (the matrix reads it; its writes add no markers). At the end the
    matrix's size is written to the test output."""
    home = tmp_path_factory.mktemp("authz")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TAHQIQ_HOME", str(home / "home"))
        url = f"sqlite:///{home / 'store.db'}"
        mp.setenv("TAHQIQ_DATABASE_URL", url)
        # Real deployments keep argon2's defaults; the matrix signs in hundreds of times.
        identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        engine = open_store(url)
        gate = Gate(engine)
        app = create_app(engine, gate=gate)
        try:
            with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
                world = build(gate, client)
                yield world
            _report_size(request.config, world)
        finally:
            identity.set_password_hasher(PasswordHasher())
            gate.audit.dispose()
            engine.dispose()


__all__ = ["AGENCIES", "ALERT_KINDS", "AlertData", "CaseData", "Credentials", "ENTITY_KINDS", "MISSING_ALERT",
           "MISSING_CASE", "Marker", "MatrixWorld", "QUIET_DISTRICT", "STATES", "TEXT_KINDS", "User", "authz_world",
           "login"]
