"""Who may call what: one rule for every (method, path) the application serves, and what each rule
allows a caller to see. tests/api/test_authz_matrix.py discovers the routes from the app itself and
fails on a route that is missing here, so a new route cannot escape the matrix: give it a rule (and,
for an unsafe method, a request body in the test's BODIES).

A rule says (1) whether a caller is allowed and (2) which MARKERS (tests/api/authz_world.py) a
response to that caller may hold; everything else a response holds of the world's personal data is
a leak. The rules are docs/governance.md §2-§4 and docs/alerts.md written as code, not a copy of
the product's code: where the two disagree, the matrix reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tahqiq.api.trail import referenced_ids
from tests.api.authz_world import ALERT_KINDS, ENTITY_KINDS, TEXT_KINDS, AlertData, MatrixWorld, User

PUBLIC = "public (no personal data)"
SIGN_IN = "public: sign-in"
SIGN_OUT = "public: sign-out (ends the caller's own session)"
SIGNED_IN = "signed-in (no personal data)"
CASE = "case member (open, unexpired, same agency or cross-agency member)"
ALERTS = ("control room (routed district; case-tied alerts also need the case open and the user's agency or "
          "membership; supervisors also see their agency's open cases' alerts)")
SUPERVISE = "supervisor (counts only)"
ROUTING = "supervisor or admin, routing a user of their own agency"
OVERSIGHT = "auditor or supervisor (supervisor: entries of their agency's cases and users)"

# Scam campaigns and network alerts: the world stores no campaign and raises no network alert, so
# every call about one is refused (403 with a deny entry, or 404 for what does not exist); the
# lists answer readers with nothing of the world's personal data.
CAMPAIGNS = "analyst or supervisor: stored scam campaigns (none stored in this world)"
CAMPAIGN_CASE = "supervisor, opening a case from a stored campaign (none stored in this world)"
NETWORK_ALERT = "control room, network alerts only (none in this world: every alert here is refused)"
TRENDS = "analyst or supervisor: aggregate event trends (counts, no personal data)"
FORECASTS = "analyst or supervisor: stored forecasts (places, no personal data; none stored in this world)"

READERS = frozenset({"analyst", "supervisor"})
OVERSEERS = frozenset({"auditor", "supervisor"})

RULES: dict[tuple[str, str], str] = {
    ("POST", "/login"): SIGN_IN, ("POST", "/api/login"): SIGN_IN,
    ("POST", "/logout"): SIGN_OUT, ("POST", "/api/logout"): SIGN_OUT,
    ("GET", "/api/me"): SIGNED_IN, ("GET", "/api/cases"): SIGNED_IN,
    **{(m, f"/api/cases/{{ref}}/{p}"): CASE for m, p in [
        ("GET", "subjects"), ("POST", "subjects"), ("GET", "notes"), ("POST", "notes"), ("GET", "evidence"),
        ("POST", "evidence"), ("GET", "search"), ("GET", "entities/{entity_id}"), ("GET", "graph/start"),
        ("GET", "graph/neighbours"), ("GET", "graph/paths"), ("GET", "graph/details"), ("GET", "charts"),
        ("POST", "charts"), ("GET", "charts/{chart_id}"), ("GET", "timeline"), ("GET", "places"),
        ("GET", "resolution/review"), ("POST", "resolution/decide"), ("GET", "export/{fmt}"), ("GET", "map"),
        ("GET", "intel/export")]},
    # The names of link relations: the model's vocabulary, the same for every case.
    ("GET", "/api/cases/{ref}/graph/relations"): SIGNED_IN,
    ("GET", "/api/audit"): OVERSIGHT, ("GET", "/api/audit/entries"): OVERSIGHT,
    ("GET", "/api/audit/export.csv"): OVERSIGHT, ("GET", "/api/audit/head"): OVERSIGHT,
    ("GET", "/api/audit/stats"): OVERSIGHT,
    ("GET", "/api/alerts"): ALERTS, ("GET", "/api/alerts/triage"): ALERTS, ("GET", "/api/alerts/stream"): ALERTS,
    ("GET", "/api/alerts/{alert_id}"): ALERTS, ("GET", "/api/alerts/{alert_id}/explanation"): ALERTS,
    ("POST", "/api/alerts/{alert_id}/{action}"): ALERTS,
    ("GET", "/api/alerts/supervision"): SUPERVISE, ("GET", "/api/alerts/feedback"): SIGNED_IN,
    ("POST", "/api/alerts/routes"): ROUTING,
    # The offline map: tiles, the tile index and Punjab's places (geography, no person).
    ("GET", "/tiles/{z}/{x}/{y}"): PUBLIC, ("GET", "/api/map/tiles/{z}/{x}/{y}.png"): PUBLIC,
    ("GET", "/api/map/tiles.json"): PUBLIC, ("GET", "/api/map/provinces.geojson"): PUBLIC,
    ("GET", "/api/map/places.geojson"): PUBLIC,
    # Pages.
    ("GET", "/login"): PUBLIC, ("GET", "/language/{code}"): PUBLIC, ("GET", "/i18n/{code}.js"): PUBLIC,
    ("GET", "/"): SIGNED_IN,
    **{(m, f"/cases/{{ref}}{p}"): CASE for m, p in [
        ("GET", ""), ("POST", "/subjects"), ("POST", "/notes"), ("POST", "/evidence"), ("GET", "/search"),
        ("GET", "/entities/{entity_id}"), ("GET", "/review"), ("POST", "/review/decide")]},
    ("GET", "/control-room"): ALERTS, ("GET", "/control-room/list"): ALERTS,
    ("GET", "/control-room/alerts/{alert_id}"): ALERTS, ("POST", "/control-room/alerts/{alert_id}/act"): ALERTS,
    ("GET", "/control-room/supervisor"): SUPERVISE,
    ("GET", "/oversight"): OVERSIGHT, ("GET", "/oversight/export.csv"): OVERSIGHT,
    ("GET", "/api/networks/campaigns"): CAMPAIGNS, ("GET", "/api/networks/campaigns/{campaign_id}"): CAMPAIGNS,
    ("GET", "/intel/trends"): TRENDS,
    ("GET", "/forecasts"): FORECASTS, ("GET", "/forecasts/{forecast_id}"): FORECASTS,
    ("GET", "/networks"): CAMPAIGNS, ("GET", "/networks/campaigns/{campaign_id}"): CAMPAIGNS,
    ("POST", "/api/networks/campaigns/{campaign_id}/case"): CAMPAIGN_CASE,
    ("POST", "/networks/campaigns/{campaign_id}/case"): CAMPAIGN_CASE,
    ("GET", "/networks/alerts/{alert_id}"): NETWORK_ALERT, ("POST", "/networks/alerts/{alert_id}/case"): NETWORK_ALERT,
    ("POST", "/api/networks/alerts/{alert_id}/case"): NETWORK_ALERT,
}
# Served by the framework or as files: asserted public and free of personal data, not in the matrix.
OUTSIDE_MATRIX = {("GET", "/openapi.json"), ("HEAD", "/openapi.json"), ("GET", "/docs")}
STATIC_PREFIXES = ("/static",)


@dataclass(frozen=True)
class Target:
    """What a call is about: a case (by key, or the missing reference), an alert, a routing body,
    or nothing."""

    kind: str  # "case" | "alert" | "routing" | "none"
    key: str  # a case key ("pp-open"), "missing", an alert key, "own"/"other" for routing, "" for none


@dataclass(frozen=True)
class Expectation:
    allowed: bool
    markers: frozenset[tuple[str, str]]  # (owner, kind) a response may hold
    missing: bool = False  # the target does not exist (a refusal may be 404)


def _case_grants(world: MatrixWorld, user: User, case_key: str) -> bool:
    case = world.cases.get(case_key)
    if case is None or user.role not in READERS or case.state != "open":
        return False
    if user.username not in case.members and user.username not in case.cross_members:
        return False
    return case.agency == user.agency or user.username in case.cross_members


def _case_usable(world: MatrixWorld, user: User, case_key: str) -> bool:
    """A case-tied alert's case still grants this user: open, unexpired, of their agency or with
    them as a (cross-agency) member."""
    case = world.cases[case_key]
    return case.state == "open" and (case.agency == user.agency or user.username in case.cross_members)


def alert_visible(world: MatrixWorld, user: User, alert: AlertData) -> bool:
    if user.role not in READERS:
        return False
    routed = alert.district in user.routes
    case = world.cases.get(alert.case) if alert.case else None
    if user.role == "supervisor" and case is not None and case.agency == user.agency:
        routed = True
    return routed and (case is None or _case_usable(world, user, case.key))


def _owner_markers(world: MatrixWorld, owners: set[str], kinds: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(m.owner, m.kind) for m in world.markers if m.owner in owners and m.kind in kinds}


def _alert_markers(world: MatrixWorld, alerts: list[AlertData]) -> set[tuple[str, str]]:
    """An alert's own markers, and (its explanation leads to the records it matched) its case's people."""
    out = _owner_markers(world, {a.key for a in alerts}, ALERT_KINDS)
    return out | _owner_markers(world, {a.case for a in alerts if a.case}, ENTITY_KINDS)


def oversight_owners(world: MatrixWorld, user: User) -> set[str]:
    """The cases whose records the entries a user may oversee name (auditors: every case)."""
    if user.role == "auditor":
        return set(world.cases)
    agency_users = {u.username for u in world.users.values() if u.agency == user.agency}
    agency_users |= {"pp_gone"} if user.agency == "pp" else set()
    refs = {c.reference for c in world.cases.values() if c.agency == user.agency}
    owners: set[str] = set()
    for rec in world.gate.audit.records(since=0, limit=10**7):
        if rec.actor in agency_users or rec.case in refs:
            owners |= {o for i in referenced_ids(rec) if (o := world.entity_owner(i))}
    return owners


def expect(world: MatrixWorld, rule: str, user: User | None, target: Target) -> Expectation:
    """What `rule` allows `user` (None: no valid credentials) to do and see for `target`."""
    if rule in (PUBLIC, SIGN_IN, SIGN_OUT):
        return Expectation(True, frozenset())
    if user is None:
        return Expectation(False, frozenset())
    if rule == SIGNED_IN:
        return Expectation(True, frozenset())
    if rule == SUPERVISE:
        return Expectation(user.role == "supervisor", frozenset())
    if rule == ROUTING:
        return Expectation(target.key == "own" and user.role in ("supervisor", "admin"), frozenset())
    if rule == OVERSIGHT:
        if user.role not in OVERSEERS:
            return Expectation(False, frozenset())
        return Expectation(True, frozenset(_owner_markers(world, oversight_owners(world, user), ENTITY_KINDS)))
    if rule == CASE:
        if target.key == "missing":
            return Expectation(False, frozenset(), missing=True)
        granted = _case_grants(world, user, target.key)
        owners = {target.key} if granted else set()
        return Expectation(granted, frozenset(_owner_markers(world, owners, ENTITY_KINDS + TEXT_KINDS)))
    if rule == ALERTS:
        visible = [a for a in world.alerts.values() if alert_visible(world, user, a)]
        if target.kind == "none":  # a list, a page of the control room, the stream
            return Expectation(user.role in READERS, frozenset(_alert_markers(world, visible)))
        if target.key == "missing":
            return Expectation(False, frozenset(), missing=True)
        alert = world.alerts[target.key]
        ok = alert in visible
        return Expectation(ok, frozenset(_alert_markers(world, [alert] if ok else [])))
    if rule == TRENDS:
        return Expectation(user.role in READERS, frozenset())
    if rule == FORECASTS:
        if target.kind == "none":
            return Expectation(user.role in READERS, frozenset())
        return Expectation(False, frozenset(), missing=True)
    if rule == CAMPAIGNS and target.kind == "none":
        return Expectation(user.role in READERS, frozenset())
    if rule in (CAMPAIGNS, CAMPAIGN_CASE, NETWORK_ALERT):
        return Expectation(False, frozenset(), missing=True)
    raise AssertionError(f"no expectation written for rule {rule!r}")


def rule_problems(routes: set[tuple[str, str]]) -> list[str]:
    """Routes the app serves without a rule here, and rules for routes it no longer serves."""
    missing = sorted(routes - set(RULES) - OUTSIDE_MATRIX)
    stale = sorted(set(RULES) - routes)
    return ([f"new route {m} {p} has no rule in tests/api/authz_rules.py" for m, p in missing]
            + [f"rule for {m} {p} in tests/api/authz_rules.py, which the app no longer serves" for m, p in stale])


__all__ = ["ALERTS", "CAMPAIGNS", "CAMPAIGN_CASE", "CASE", "FORECASTS", "NETWORK_ALERT", "Expectation",
           "OUTSIDE_MATRIX", "OVERSIGHT", "PUBLIC", "ROUTING", "RULES", "SIGNED_IN", "SIGN_IN", "SIGN_OUT",
           "STATIC_PREFIXES", "SUPERVISE", "TRENDS", "Target", "alert_visible", "expect", "oversight_owners",
           "rule_problems"]
