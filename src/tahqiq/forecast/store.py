"""Forecasts in the store: saved with everything that made them, listed, read, and turned into
patrol areas per district.

    with gate.scope(SYSTEM, "weekly hotspot forecast") as job:
        fid = save_forecast(job, model="etas", params=m.params(), train_from=t0, train_to=start, start=start,
                            end=end, grid=grid, crs=incidents.crs, cells=ranked_cells(grid, expected, incidents.crs),
                            evaluation=ev, audit=audit_record(...), source="fir-2026")
    with gate.scope(me, "plan patrols", roles=(SUPERVISOR,)) as view:
        areas = patrol_areas(view, fid, share=0.05)

A forecast's cells are its study area ranked by expected count (rank 1 first); a district's patrol
area is its top cells covering `share` of the district's stored cells. Places and numbers only: the
write and every read pass the gate's view and are audited.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select

from tahqiq.forecast.tables import ForecastCellRow, ForecastRow
from tahqiq.forecast.types import Grid
from tahqiq.govern import SUPERVISOR, View
from tahqiq.store.base import aware, aware_utc, utcnow

__all__ = ["MAX_PAGE", "ForecastInfo", "ForecastPage", "PatrolArea", "RankedCell", "StoredForecast",
           "get_forecast", "list_forecasts", "patrol_areas", "ranked_cells", "save_forecast"]

MAX_PAGE = 200
MAX_CELLS = 200_000  # ranked cells one forecast may store (a 100 km square at 250 m is 160,000)
Time = datetime | float | int


@dataclass(frozen=True)
class RankedCell:
    cell: int
    lon: float
    lat: float
    expected: float
    district: str = ""


@dataclass(frozen=True)
class ForecastInfo:
    id: int
    model: str
    params: dict[str, Any]
    train_from: datetime | None
    train_to: datetime
    start: datetime
    end: datetime
    cell_size: float
    crs: str
    grid: dict[str, Any]
    source: str
    cells: int
    evaluation: dict[str, Any] | None
    audit: dict[str, Any] | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class ForecastPage:
    total: int
    offset: int
    limit: int
    items: list[ForecastInfo]


@dataclass(frozen=True)
class StoredForecast:
    info: ForecastInfo
    cells: list[RankedCell]  # the top `top` cells, rank order
    districts: dict[str, int]  # stored cells per district


@dataclass(frozen=True)
class PatrolArea:
    district: str
    study_cells: int  # the district's cells in the forecast's study area
    cells: list[RankedCell]  # its top cells, covering `share` of them
    expected: float  # expected incidents in those cells
    expected_share: float  # of the district's expected incidents


def _aware(value: Time) -> datetime:
    if isinstance(value, datetime):
        return aware_utc(value)
    return datetime.fromtimestamp(float(value), UTC)


def ranked_cells(grid: Grid, expected: np.ndarray, crs: str, *, study: np.ndarray | None = None,
                 top: int | None = None) -> list[RankedCell]:
    """The cells of `study` (a boolean mask or cell numbers; default every cell) ranked by expected
    count (ties by cell number), with their centres in degrees (pyproj, from `crs`) and their
    district from `grid.area_of`."""
    from pyproj import Transformer

    expected = np.asarray(expected, dtype=np.float64)
    if study is None:
        cells = np.arange(grid.cells)
    else:
        study = np.asarray(study)
        cells = np.flatnonzero(study) if study.dtype == bool else study.astype(np.int64)
    order = cells[np.lexsort((cells, -expected[cells]))]
    if top is not None:
        order = order[:top]
    x, y = grid.centres()
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x[order], y[order])
    areas = grid.area_of
    return [RankedCell(int(c), float(lo), float(la), float(expected[c]), str(areas[c]) if areas is not None else "")
            for c, lo, la in zip(order, np.atleast_1d(lon), np.atleast_1d(lat), strict=True)]


def _writer(view: View, action: str) -> None:
    """A stored forecast is what every reader sees: a supervisor's act, or the scheduled job's."""
    if not view.principal.is_system and view.principal.role != SUPERVISOR:
        raise view.refuse(action, "storing a forecast needs a supervisor or the scheduled job")


def save_forecast(view: View, *, model: str, params: dict[str, Any], train_from: Time | None, train_to: Time,
                  start: Time, end: Time, grid: Grid, crs: str, cells: Sequence[RankedCell],
                  evaluation: dict[str, Any] | None = None, audit: dict[str, Any] | None = None,
                  source: str) -> int:
    """Store a forecast and its ranked cells in one audited write; returns its id. `cells` are in
    rank order (as `ranked_cells` gives them)."""
    if not model or len(model) > 64 or not source or len(source) > 200:
        raise ValueError("a forecast needs a model name (1-64 characters) and a source (1-200)")
    if len(cells) > MAX_CELLS:
        raise ValueError(f"at most {MAX_CELLS} ranked cells per forecast")
    start_at, end_at = _aware(start), _aware(end)
    if end_at <= start_at:
        raise ValueError("the forecast window must end after it starts")
    _writer(view, "forecast.save")
    who = "system" if view.principal.is_system else view.principal.username
    row = {"model": model, "params": params, "train_from": None if train_from is None else _aware(train_from),
           "train_to": _aware(train_to), "window_start": start_at, "window_end": end_at, "cell_size": grid.cell,
           "crs": crs, "grid": {"x0": grid.x0, "y0": grid.y0, "nx": grid.nx, "ny": grid.ny}, "source": source,
           "cells": len(cells), "evaluation": evaluation, "audit": audit, "created_by": who, "created_at": utcnow()}
    detail = {"model": model, "source": source, "cells": len(cells),
              "window": [start_at.isoformat(), end_at.isoformat()]}
    with view.write("forecast.save", target=model, detail=detail) as w:
        fid = int(w.conn.execute(insert(ForecastRow).values(**row).returning(ForecastRow.id)).scalar_one())
        if cells:
            w.conn.execute(insert(ForecastCellRow), [
                {"forecast_id": fid, "rank": i + 1, "cell": c.cell, "lon": c.lon, "lat": c.lat,
                 "expected": c.expected, "district": (c.district or "")[:100]} for i, c in enumerate(cells)])
        w.record(forecast=fid)
    return fid


def _info(r: ForecastRow) -> ForecastInfo:
    return ForecastInfo(r.id, r.model, dict(r.params or {}), aware(r.train_from), aware_utc(r.train_to),
                        aware_utc(r.window_start), aware_utc(r.window_end), r.cell_size, r.crs, dict(r.grid),
                        r.source, r.cells, r.evaluation, r.audit, r.created_by, aware_utc(r.created_at))


def _cell(r: ForecastCellRow) -> RankedCell:
    return RankedCell(r.cell, r.lon, r.lat, r.expected, r.district)


def list_forecasts(view: View, offset: int = 0, limit: int = 25) -> ForecastPage:
    """A page of stored forecasts, newest first."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    with view.read("forecast.list", detail={"offset": offset, "limit": limit}) as r:
        total = int(r.conn.execute(select(func.count()).select_from(ForecastRow)).scalar_one())
        rows = r.session.scalars(select(ForecastRow).order_by(ForecastRow.created_at.desc(), ForecastRow.id.desc())
                                 .offset(offset).limit(limit)).all()
        return ForecastPage(total, offset, limit, [_info(x) for x in rows])


def get_forecast(view: View, forecast_id: int, *, top: int = 2000) -> StoredForecast | None:
    """A forecast with its `top` highest-ranked cells and its cells per district; None if absent."""
    with view.read("forecast.read", target=f"forecast:{forecast_id}", detail={"top": top}) as r:
        row = r.session.get(ForecastRow, forecast_id)
        if row is None:
            return None
        c = ForecastCellRow
        cells = r.session.scalars(select(c).where(c.forecast_id == forecast_id).order_by(c.rank).limit(top)).all()
        counts = r.conn.execute(select(c.district, func.count()).where(c.forecast_id == forecast_id)
                                .group_by(c.district).order_by(c.district))
        return StoredForecast(_info(row), [_cell(x) for x in cells], {d: int(n) for d, n in counts})


def patrol_areas(view: View, forecast_id: int, *, district: str | None = None, share: float = 0.05
                 ) -> list[PatrolArea]:
    """Per district (or the one named), its top cells covering `share` of its study area (at least one
    cell), with their expected incidents; districts in name order. For supervisors (and the job)."""
    if not 0 < share <= 1:
        raise ValueError("share must be in (0, 1]")
    action = "forecast.patrol_areas"
    if not view.principal.is_system and view.principal.role != SUPERVISOR:
        raise view.refuse(action, "patrol areas are for supervisors", target=f"forecast:{forecast_id}")
    c = ForecastCellRow
    q = select(c).where(c.forecast_id == forecast_id)
    if district is not None:
        q = q.where(c.district == district)
    with view.read(action, target=f"forecast:{forecast_id}", detail={"district": district, "share": share}) as r:
        rows = r.session.scalars(q.order_by(c.district, c.rank)).all()
    by: dict[str, list[RankedCell]] = {}
    for x in rows:
        by.setdefault(x.district, []).append(_cell(x))
    out = []
    for name, cells in sorted(by.items()):
        k = max(1, math.ceil(share * len(cells) - 1e-9))
        chosen = cells[:k]
        total = sum(x.expected for x in cells)
        got = sum(x.expected for x in chosen)
        out.append(PatrolArea(name, len(cells), chosen, got, got / total if total > 0 else 0.0))
    return out
