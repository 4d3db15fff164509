"""The shapes every forecasting module shares: incidents as points in metres and time, the grid of
cells they fall in, and what a model is.

Forecasts are about places and times, never persons: an `Incidents` table holds where and when
something was reported (and optionally its category), nothing that names or identifies anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

__all__ = ["DAY", "Forecaster", "Grid", "Incidents"]

DAY = 86_400.0


@dataclass(frozen=True)
class Incidents:
    """Incidents in a projected plane: x, y in metres (a local projection chosen by the reader), t in
    seconds since the epoch (UTC), sorted by t; `category` optional (one label per incident).
    `lon`/`lat` keep the original degrees for maps. All arrays have the same length."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    category: np.ndarray | None = None
    crs: str = ""  # the projection used for x/y (e.g. "EPSG:32643" or a proj string)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def between(self, start: float, end: float) -> Incidents:
        """The incidents with start <= t < end (a view on the sorted arrays)."""
        lo, hi = np.searchsorted(self.t, [start, end], side="left")
        return Incidents(self.x[lo:hi], self.y[lo:hi], self.t[lo:hi], self.lon[lo:hi], self.lat[lo:hi],
                         None if self.category is None else self.category[lo:hi], self.crs)


@dataclass(frozen=True)
class Grid:
    """A square grid over the incidents' extent: cell (i, j) spans x0 + i*cell … x0 + (i+1)*cell (x)
    and y0 + j*cell … (y). Cells are numbered c = j * nx + i. `area_of` optionally maps each cell to
    an admin area (district or police-station area) name; "" where unknown."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    area_of: np.ndarray | None = field(default=None, compare=False)

    @property
    def cells(self) -> int:
        return self.nx * self.ny

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The cell number of each point; -1 for points outside the grid."""
        i = np.floor((np.asarray(x) - self.x0) / self.cell).astype(np.int64)
        j = np.floor((np.asarray(y) - self.y0) / self.cell).astype(np.int64)
        inside = (i >= 0) & (i < self.nx) & (j >= 0) & (j < self.ny)
        return np.where(inside, j * self.nx + i, -1)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of every cell's centre, in cell order."""
        c = np.arange(self.cells)
        return self.x0 + (c % self.nx + 0.5) * self.cell, self.y0 + (c // self.nx + 0.5) * self.cell

    def counts(self, incidents: Incidents) -> np.ndarray:
        """Incidents per cell (float64, length `cells`); points outside the grid are dropped."""
        c = self.cell_of(incidents.x, incidents.y)
        return np.bincount(c[c >= 0], minlength=self.cells).astype(np.float64)


class Forecaster(Protocol):
    """A model: fitted on training incidents only (everything strictly before `start`), it gives the
    expected number of incidents in each grid cell for the window [start, end). Parameters are
    chosen on training data only (e.g. by an inner split of the training period)."""

    name: str

    def fit(self, train: Incidents, grid: Grid, start: float) -> Forecaster: ...

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray: ...

    def params(self) -> dict[str, object]: ...
