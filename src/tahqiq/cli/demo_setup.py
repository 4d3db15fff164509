"""The people and paperwork of the demo: accounts, a warrant case, its watchlist, a control room.

Everything goes through the same governance calls a real deployment uses (users by the admin, the
case by a supervisor, watchlist entries under the warrant case, routing by the supervisor), so
the demo's audit log reads like a real one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tahqiq.govern import Gate, Principal, identity
from tahqiq.govern.cases import open_case

AGENCY = "PUNJAB-POLICE"
CASE = "CASE-DEMO-0001"
USERS = (("sana", "supervisor", "Sana Mirza (SP Investigation)"), ("ayesha", "analyst", "Ayesha Khan (control room)"),
         ("irfan", "auditor", "Irfan Qureshi (oversight)"))
WATCH_PERSONS = 200
WATCH_VEHICLES = 100


@dataclass
class DemoPeople:
    password: str
    supervisor: Principal
    analyst: Principal
    case: str
    persons_watched: int
    vehicles_watched: int


def _exists(gate: Gate, username: str) -> bool:
    from sqlalchemy import select

    from tahqiq.govern.tables import User

    with gate.engine.connect() as conn:
        return conn.execute(select(User.id).where(User.username == username)).first() is not None


def _resolved_keys(view, entity_id: str) -> dict[str, list[str]]:
    from tahqiq.resolve import resolved

    res = resolved(view, entity_id)
    keys: dict[str, list[str]] = {"cnic": [], "phone": []}
    for member in (res.members if res else []):
        for kind in keys:
            for value in member.values(kind):
                if value not in keys[kind]:
                    keys[kind].append(value)
    return {k: v for k, v in keys.items() if v}


def set_up(gate: Gate, password: str | None = None) -> DemoPeople:
    """Create (once) the demo accounts, the warrant case and its watchlist; route all districts'
    alerts to the analyst's control room. Idempotent: a second demo run reuses them."""
    from tahqiq.alerts import AlertDesk
    from tahqiq.screen.watchlists import add_entry

    password = password or secrets.token_urlsafe(9)
    audit = gate.audit
    fresh = not _exists(gate, "admin")
    if fresh:
        identity.add_user(audit, None, "admin", password, "admin", AGENCY, agency_name="Punjab Police")
        admin = gate.authenticate_password("admin", password)
        for name, role, full in USERS:
            identity.add_user(audit, admin, name, password, role, AGENCY if role != "auditor" else "OVERSIGHT",
                              full_name=full)
    sana = gate.authenticate_password("sana", password)
    ayesha = gate.authenticate_password("ayesha", password)
    persons = vehicles = 0
    if fresh:
        open_case(audit, sana, CASE, basis_kind="warrant", basis_ref="W-114/2026 ATC-1 Lahore",
                  authorising_officer="Judge, Anti-Terrorism Court 1, Lahore",
                  purpose="trace absconders named in warrants and vehicles reported stolen", days=90,
                  members=["ayesha"])
        expires = datetime.now(UTC) + timedelta(days=60)
        with gate.session(sana, CASE, "build the case watchlist from warrants and FIRs") as view:
            wanted = [s for w in view.iter_entities(schema="Warrant") if (s := w.first("subject"))]
            for subject in list(dict.fromkeys(wanted))[:WATCH_PERSONS]:
                # Watch the person, not the record: the CNICs and phones of every record resolution
                # linked to the warrant's subject (the warrant itself often lacks the CNIC).
                keys = _resolved_keys(view, subject)
                add_entry(view, "person", reason="named in an active warrant", expires_at=expires, entity_id=subject,
                          keys=keys)
                persons += 1
            stolen = [plate for v in view.iter_entities(schema="Vehicle", source="police_fir")
                      if (plate := v.first("registrationNumber"))]
            for plate in stolen[:WATCH_VEHICLES]:
                add_entry(view, "plate", reason="reported stolen in an FIR", expires_at=expires, keys={"plate": plate})
                vehicles += 1
        AlertDesk(gate).route(sana, "ayesha", "*")
    return DemoPeople(password if fresh else "(unchanged: the password of the first demo run)", sana, ayesha, CASE,
                      persons, vehicles)


@dataclass
class DemoNetworks:
    hits: int
    new_alerts: int
    verified_alert: int | None  # the mule-ring alert the supervisor verified (None: no ring found)
    campaigns: int


# Typologies that move money through mule accounts, the classic mule rings first.
MULE_RINGS = ("networks.fan_in", "networks.fan_out", "networks.cycle", "networks.scatter_gather",
              "networks.gather_scatter", "networks.stack", "networks.random", "networks.bipartite")


def networks_step(gate: Gate, people: DemoPeople) -> DemoNetworks:
    """Transaction-network detection as the scheduled job (alerts on the desk), one mule-ring alert
    acknowledged and verified by the supervisor (the human step before any action), and the
    complaints clustered into scam campaigns."""
    from tahqiq.alerts import AlertDesk, write_hit_alerts
    from tahqiq.govern import SYSTEM
    from tahqiq.networks import cluster_in_store, detect_in_store

    with gate.scope(SYSTEM, "transaction-network detection job") as job:
        run = detect_in_store(job, progress=True)
        new = write_hit_alerts(job, run.hits, run.hit_transactions)
        campaigns = cluster_in_store(job).campaigns
    desk = AlertDesk(gate)
    sana = people.supervisor
    desk.route(sana, "sana", "*")  # the supervisor's own desk sees transaction alerts (they carry no district)
    # The desk holds the screening alerts too: ask for each ring rule by name.
    rings = [a for rule in MULE_RINGS for a in desk.list(sana, rule=rule)]
    verified = next((a.id for a in rings if a.status == "verified"), None)
    if verified is None and rings:
        ring = next((a for a in rings if a.status in ("new", "acknowledged")), None)
        if ring is not None:
            if ring.status == "new":
                desk.act(sana, ring.id, "acknowledge", note="reviewing the transfers")
            desk.act(sana, ring.id, "verify", note="transfers checked against the bank's statement")
            verified = ring.id
    return DemoNetworks(len(run.hits), new, verified, campaigns)


def trends_step(gate: Gate, out: Path) -> tuple[int, int]:
    """A year of synthetic ACLED-format events for Punjab's districts, loaded as aggregate trends
    (the Event trends page) by the scheduled job. Returns (events read, district-week-theme rows)."""
    from tahqiq.generate.acled import write_acled
    from tahqiq.govern import SYSTEM
    from tahqiq.intel.osint_store import load_trends

    path = out / "osint" / "acled_punjab.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_acled(path, seed=7, weeks=52, rows=6000)
    with gate.scope(SYSTEM, "demo: open-source event trends") as job:
        report = load_trends(job, path, dataset="ACLED (synthetic, demo)")
    return report.events, report.trend_rows


def forecast_step(gate: Gate, *, window_days: float = 14.0, cell: float = 500.0) -> tuple[int, int] | None:
    """A hotspot forecast of the next two weeks from the store's FIR incidents (places and times
    only, through the gate's aggregate), stored with its bias audit for the Forecasts page.
    Returns (forecast id, incidents it learned from), or None when there are too few incidents."""
    import math

    from tahqiq.forecast import DAY, make_grid, model_by_name, study_area
    from tahqiq.forecast.audit import forecast_audit
    from tahqiq.forecast.data import incidents_from_store
    from tahqiq.forecast.grid import admin_areas
    from tahqiq.forecast.store import ranked_cells, save_forecast
    from tahqiq.govern import SYSTEM

    with gate.scope(SYSTEM, "demo: hotspot forecast (places and times)") as job:
        incidents = incidents_from_store(job)
        if len(incidents) < 50:
            return None
        start = math.floor(float(incidents.t[-1]) / DAY + 1) * DAY  # the day after the newest incident
        end = start + window_days * DAY
        grid = admin_areas(make_grid(incidents, cell), incidents)
        model = model_by_name("kde", window_days).fit(incidents, grid, start)
        expected = model.predict(grid, start, end)
        cells = ranked_cells(grid, expected, incidents.crs, study=study_area(grid, incidents))
        audit = forecast_audit(grid, incidents, [c.cell for c in cells])
        stored = save_forecast(job, model=model.name, params=dict(model.params()), train_from=float(incidents.t[0]),
                               train_to=start, start=start, end=end, grid=grid, crs=incidents.crs, cells=cells,
                               audit=audit, source="FIR incidents in the store (demo)")
    return stored, len(incidents)

