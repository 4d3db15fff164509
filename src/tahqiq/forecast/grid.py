"""The square grid forecasts are made on, the study area they are judged on, and admin areas
(districts, police-station areas) as the alternative unit.

The study area is the set of cells with at least one incident before the evaluation period: cells
in rivers, fields and parks, where nothing is ever reported, would otherwise inflate every model's
PAI alike and say nothing about the models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tahqiq.forecast.types import Grid, Incidents

__all__ = ["admin_areas", "area_counts", "district_centroids", "make_grid", "study_area"]


def make_grid(incidents: Incidents, cell: float = 250.0, margin: int = 0) -> Grid:
    """A grid of `cell`-metre squares covering every incident, `margin` cells beyond on each side.
    The origin is snapped to a multiple of `cell`, so the same data always gives the same cells."""
    if cell <= 0:
        raise ValueError("cell size must be positive (metres)")
    if len(incidents) == 0:
        raise ValueError("no incidents: nothing to lay a grid over")
    x0 = math.floor(float(np.min(incidents.x)) / cell) * cell - margin * cell
    y0 = math.floor(float(np.min(incidents.y)) / cell) * cell - margin * cell
    nx = int(math.floor((float(np.max(incidents.x)) - x0) / cell)) + 1 + margin
    ny = int(math.floor((float(np.max(incidents.y)) - y0) / cell)) + 1 + margin
    if nx * ny > 50_000_000:
        raise ValueError(f"a {nx} x {ny} grid is too large: use a larger --cell or restrict the area (--bounds)")
    return Grid(x0, y0, float(cell), nx, ny)


def study_area(grid: Grid, train: Incidents) -> np.ndarray:
    """Cells with at least one incident in `train` (pass the incidents before the evaluation period)."""
    return grid.counts(train) > 0


def district_centroids() -> dict[str, tuple[float, float]]:
    """Punjab's districts and their (lon, lat), from tahqiq.model's geography."""
    from tahqiq.model.geography import geography

    return {d.name: (d.lon, d.lat) for d in geography().districts}


def admin_areas(grid: Grid, incidents: Incidents, areas: Sequence[str] | np.ndarray | dict[str, tuple[float, float]]
                | None = None) -> Grid:
    """The grid with `area_of`: each cell's admin area name ("" where unknown).

    `areas` is either one area name per incident (a district or police-station column of the data):
    each cell takes the area most of its incidents name (ties: the first name alphabetically); or a
    mapping name -> (lon, lat) of area centroids (default: Punjab's districts): each cell takes the
    area whose centroid is nearest its centre, measured in the grid's projection."""
    from dataclasses import replace

    if areas is None:
        areas = district_centroids()
    if isinstance(areas, dict):
        from pyproj import Transformer

        names = sorted(areas)
        lon = np.array([areas[n][0] for n in names])
        lat = np.array([areas[n][1] for n in names])
        ax, ay = Transformer.from_crs("EPSG:4326", incidents.crs, always_xy=True).transform(lon, lat)
        cx, cy = grid.centres()
        out = np.empty(grid.cells, dtype=object)
        for lo in range(0, grid.cells, 100_000):  # bounded memory on large grids
            hi = min(lo + 100_000, grid.cells)
            d2 = (cx[lo:hi, None] - np.asarray(ax)[None, :]) ** 2 + (cy[lo:hi, None] - np.asarray(ay)[None, :]) ** 2
            out[lo:hi] = np.asarray(names, dtype=object)[np.argmin(d2, axis=1)]
        return replace(grid, area_of=out)
    labels = np.asarray(areas, dtype=object)
    if len(labels) != len(incidents):
        raise ValueError("give one area name per incident, or a mapping of area centroids")
    c = grid.cell_of(incidents.x, incidents.y)
    ok = (c >= 0) & np.array([bool(v) and str(v) != "nan" for v in labels], dtype=bool)
    out = np.full(grid.cells, "", dtype=object)
    if ok.any():
        pairs = np.array([f"{cc}\x00{lab}" for cc, lab in zip(c[ok], labels[ok], strict=True)], dtype=object)
        uniq, n = np.unique(pairs, return_counts=True)
        best: dict[int, tuple[int, str]] = {}
        for key, k in zip(uniq, n, strict=True):
            cell_s, lab = str(key).split("\x00", 1)
            cell_i = int(cell_s)
            have = best.get(cell_i)
            if have is None or k > have[0] or (k == have[0] and lab < have[1]):
                best[cell_i] = (int(k), lab)
        for cell_i, (_, lab) in best.items():
            out[cell_i] = lab
    return replace(grid, area_of=out)


def area_counts(grid: Grid, values: np.ndarray) -> dict[str, float]:
    """Sum a per-cell quantity (a forecast's expected counts, observed counts) over admin areas,
    largest first; cells of no known area are summed under ""."""
    if grid.area_of is None:
        raise ValueError("the grid has no admin areas: call admin_areas first")
    labels = np.asarray(grid.area_of, dtype=object).astype(str)
    names, inverse = np.unique(labels, return_inverse=True)
    sums = np.bincount(inverse, weights=np.asarray(values, dtype=float), minlength=len(names))
    order = np.lexsort((names, -sums))
    return {str(names[i]): float(sums[i]) for i in order}
