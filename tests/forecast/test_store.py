"""Stored forecasts (SQLite and PostgreSQL), through the gate: one audited write, paged lists, a
forecast read back with its cells, patrol areas per district for supervisors only, and the
migration agreeing with the tables."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import select

from tahqiq.forecast import tables
from tahqiq.forecast.audit import audit_record, district_shares
from tahqiq.forecast.store import (
    RankedCell,
    get_forecast,
    list_forecasts,
    patrol_areas,
    ranked_cells,
    save_forecast,
)
from tahqiq.forecast.types import Grid
from tahqiq.govern import SYSTEM, AccessDenied, Gate, identity
from tahqiq.govern.tables import AuditEntry
from tahqiq.store.base import Base
from tests.conftest import engine, tahqiq_home  # noqa: F401 - fixtures

PASSWORD = "correct horse battery staple"
START, END = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC)
CRS = "EPSG:32643"  # UTM 43N: Lahore
AREAS = ["Lahore" if i % 10 < 5 else "Kasur" for i in range(40)]


@pytest.fixture
def world(engine):  # noqa: F811
    identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    gate = Gate(engine)
    identity.add_user(gate.audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role in (("sana", "supervisor"), ("ayesha", "analyst"), ("audrey", "auditor")):
        identity.add_user(gate.audit, admin, name, PASSWORD, role, "PUNJAB-POLICE")
    people = {n: gate.authenticate_password(n, PASSWORD) for n in ("sana", "ayesha", "audrey")}
    yield gate, people
    gate.dispose()
    identity.set_password_hasher(PasswordHasher())


def _grid() -> Grid:
    """A 10 x 4 grid near Lahore: the western half "Lahore", the eastern half "Kasur"."""
    return Grid(430_000.0, 3_480_000.0, 250.0, 10, 4, area_of=np.array(AREAS))


def _save(gate, who, *, model="kde", audit=None) -> int:
    grid = _grid()
    expected = np.arange(40, dtype=float)[::-1] / 10  # cell 0 highest
    with gate.scope(who, "store this fortnight's forecast") as job:
        return save_forecast(job, model=model, params={"bandwidth": 300.0}, train_from=START.timestamp() - 365 * 86400,
                             train_to=START, start=START, end=END, grid=grid, crs=CRS,
                             cells=ranked_cells(grid, expected, CRS), evaluation={"pai": {"0.01": 3.2}},
                             audit=audit, source="test-incidents")


def test_migration_matches_the_tables(engine):  # noqa: F811
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diff if "forecast" in repr(d)]
    assert mine == [], mine
    assert tables.ForecastRow.__tablename__ == "forecasts"


def test_ranked_cells_order_place_and_district():
    grid = _grid()
    expected = np.zeros(40)
    expected[[3, 17, 9]] = [2.0, 5.0, 2.0]  # a tie between 3 and 9: the lower cell number first
    cells = ranked_cells(grid, expected, CRS, study=np.array([3, 9, 17, 20]))
    assert [c.cell for c in cells] == [17, 3, 9, 20]
    assert [c.district for c in cells] == ["Kasur", "Lahore", "Kasur", "Lahore"]
    assert all(74.0 < c.lon < 74.5 and 31.3 < c.lat < 31.6 for c in cells)  # UTM 43N near Lahore
    first = cells[1]  # cell 3: i=3, j=0 -> centre x0 + 875, y0 + 125
    assert first.lon < cells[0].lon or first.lat < cells[0].lat


def test_save_list_read_and_audit(world):
    gate, p = world
    fid = _save(gate, p["sana"])
    second = _save(gate, SYSTEM, model="etas")
    with gate.scope(p["ayesha"], "look at the forecasts") as view:
        page = list_forecasts(view, 0, 1)
        assert page.total == 2 and [f.id for f in page.items] == [second]  # newest first
        assert [f.id for f in list_forecasts(view, 1, 1).items] == [fid]
        got = get_forecast(view, fid, top=5)
        assert get_forecast(view, 10_000) is None
    assert got is not None
    info = got.info
    assert (info.model, info.source, info.cells, info.cell_size) == ("kde", "test-incidents", 40, 250.0)
    assert info.start == START and info.end == END and info.train_to == START
    assert info.grid == {"x0": 430_000.0, "y0": 3_480_000.0, "nx": 10, "ny": 4}
    assert info.params == {"bandwidth": 300.0} and info.evaluation == {"pai": {"0.01": 3.2}}
    assert info.created_by == "sana" and info.created_at.tzinfo is not None
    assert [c.cell for c in got.cells] == [0, 1, 2, 3, 4] and got.districts == {"Kasur": 20, "Lahore": 20}
    with gate.engine.connect() as conn:
        actions = [a for (a,) in conn.execute(select(AuditEntry.action).order_by(AuditEntry.seq))]
    assert actions.count("forecast.save") == 2 and "forecast.list" in actions and "forecast.read" in actions


def test_only_supervisors_and_the_job_store_forecasts(world):
    gate, p = world
    with pytest.raises(AccessDenied, match="supervisor"):
        _save(gate, p["ayesha"])
    with pytest.raises(AccessDenied):
        with gate.scope(p["audrey"], "look at the forecasts") as view:
            list_forecasts(view)


def test_patrol_areas_per_district_for_supervisors(world):
    gate, p = world
    fid = _save(gate, p["sana"])
    with gate.scope(p["sana"], "plan this fortnight's patrols") as view:
        areas = patrol_areas(view, fid, share=0.1)
        one = patrol_areas(view, fid, district="Kasur", share=0.25)
    assert [a.district for a in areas] == ["Kasur", "Lahore"]
    kasur, lahore = areas
    assert kasur.study_cells == lahore.study_cells == 20
    # 10% of 20 cells: 2 each, the district's own top cells
    assert [c.cell for c in lahore.cells] == [0, 1] and [c.cell for c in kasur.cells] == [5, 6]
    assert lahore.expected == pytest.approx(3.9 + 3.8)
    assert 0 < kasur.expected_share < 1
    assert [a.district for a in one] == ["Kasur"] and len(one[0].cells) == 5
    with pytest.raises(AccessDenied, match="supervisors"):
        with gate.scope(p["ayesha"], "plan this fortnight's patrols") as view:
            patrol_areas(view, fid)


def test_audit_is_stored_with_the_forecast(world):
    gate, p = world
    shares = district_shares([0, 1, 2, 5], AREAS, {"Lahore": 30, "Kasur": 10})
    record = audit_record(shares, rounds=200)
    fid = _save(gate, p["sana"], audit=record)
    with gate.scope(p["ayesha"], "look at the forecasts") as view:
        got = get_forecast(view, fid)
    assert got is not None and got.info.audit is not None
    stored = got.info.audit
    assert [d["district"] for d in stored["districts"]] == ["Lahore", "Kasur"]
    assert stored["feedback"]["districts"] == ["Lahore", "Kasur"]
    assert stored["feedback"]["uncorrected"]["rounds"] == 200


def test_cells_must_be_ranked_places_not_more():
    assert RankedCell(1, 74.3, 31.5, 2.0).district == ""
    assert not any(f in RankedCell.__dataclass_fields__ for f in ("person", "name", "cnic", "phone"))
