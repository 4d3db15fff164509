"""The bias audit of a forecast: where it sends attention compared with where incidents are reported
and where people live, and whether acting on it feeds back into the data that trains it.

* `district_shares`: per district, the share of the flagged area, of the reported incidents and of
  the population, and the ratio flagged/reported (above 1: the forecast flags more of the district
  than its share of reports alone would justify).
* `feedback_loop`: the runaway feedback loop of Ensign et al. (2018), "Runaway Feedback Loops in
  Predictive Policing" (FAT* 2018, PMLR 81): patrols go where the forecast points, they find more
  incidents where they are, and a model that learns from everything it sees points there again.
  Tahqiq's correction weights each incident a patrol discovered by the inverse of how likely the
  patrol was to discover it (Ensign's importance weighting), or counts only incidents reported by
  citizens; either keeps the estimates at the true rates.
* `audit_record`: both, packed as JSON for the forecast's stored record.

Population per district: Punjab's 2017 census figures (rounded, in millions) that
`tahqiq.model.geography.DISTRICTS` ships; other places pass their own. The audit is about places;
it never takes or returns anything about a person.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from tahqiq.model.geography import DISTRICTS

__all__ = ["POPULATION_SOURCE", "DistrictShare", "FeedbackResult", "audit_record", "district_shares",
           "feedback_loop", "forecast_audit", "punjab_population"]

POPULATION_SOURCE = "Pakistan Census 2017 (Punjab districts, rounded; tahqiq.model.geography)"


def punjab_population() -> dict[str, float]:
    """Punjab's 36 districts and their 2017 census population (people)."""
    return {name: row[2] * 1e6 for name, row in DISTRICTS.items()}


@dataclass(frozen=True)
class DistrictShare:
    district: str
    flagged_cells: int
    flagged_share: float  # of all flagged cells
    reported: float
    reported_share: float  # of all reported incidents
    population: float | None
    population_share: float | None  # of the population of the districts listed (None: unknown)
    ratio: float | None  # flagged_share / reported_share (None where no incident was reported)


def _district_of(cell_districts: Mapping[int, str] | Sequence[str] | np.ndarray, cell: int) -> str:
    if isinstance(cell_districts, Mapping):
        return str(cell_districts.get(cell, "") or "")
    return str(cell_districts[cell] or "")


def district_shares(flagged: Iterable[int], cell_districts: Mapping[int, str] | Sequence[str] | np.ndarray,
                    incidents: Mapping[str, float], population: Mapping[str, float] | None = None
                    ) -> list[DistrictShare]:
    """One row per district that is flagged, has reports or has a population: `flagged` are the cell
    numbers the forecast flags, `cell_districts` the district of each cell (a mapping, or an array
    indexed by cell number; "" for unknown), `incidents` the reported incidents per district.
    `population` defaults to Punjab's districts; its shares are over the districts that have both a
    population and a row here, so that a city-sized forecast is compared with its own districts."""
    population = punjab_population() if population is None else population
    flagged_by = Counter(_district_of(cell_districts, int(c)) for c in flagged)
    names = sorted(set(flagged_by) | {d for d, n in incidents.items() if n > 0})
    total_flagged = sum(flagged_by.values())
    total_reported = float(sum(incidents.get(d, 0.0) for d in names))
    total_people = float(sum(population[d] for d in names if d in population))
    rows = []
    for d in names:
        f = flagged_by.get(d, 0) / total_flagged if total_flagged else 0.0
        n = float(incidents.get(d, 0.0))
        r = n / total_reported if total_reported else 0.0
        people = population.get(d)
        rows.append(DistrictShare(d, flagged_by.get(d, 0), f, n, r, people,
                                  people / total_people if people is not None and total_people else None,
                                  f / r if r > 0 else None))
    return sorted(rows, key=lambda s: (-s.flagged_share, -s.reported_share, s.district))


@dataclass(frozen=True)
class FeedbackResult:
    """The simulation's trajectory and where it ended."""

    corrected: bool
    method: str
    true_shares: np.ndarray  # each district's share of all incidents
    target_shares: np.ndarray  # the patrol shares the policy gives when it knows the true rates
    patrol_shares: np.ndarray  # (rounds, districts): the share of patrols each round
    estimated_shares: np.ndarray  # the model's estimate after the last round, as shares
    estimate_error: float  # max over districts of |estimated share / true share - 1|
    patrol_error: float  # the same for the last 100 rounds' mean patrol share against target_shares
    top_patrol_share: float  # the largest share of patrols one district got in the last round


def _policy(estimates: np.ndarray, focus: float) -> np.ndarray:
    w = np.power(np.maximum(estimates, 1e-12) / estimates.max(), focus)
    return w / w.sum()


def feedback_loop(true_rates: Sequence[float], rounds: int = 1000, patrols: float = 10.0, *, correction: bool,
                  seed: int = 0, method: Literal["weighted", "reported"] = "weighted", report: float = 0.08,
                  detect: float = 0.15, focus: float = 2.0, memory: float = 70.0) -> FeedbackResult:
    """Ensign et al.'s loop with districts' true incident rates `true_rates` (incidents per round).

    Each round the forecast sends `patrols` patrol units, most of them to the districts with the
    highest estimated rates (share of patrols proportional to estimate ** `focus`: 1 is in
    proportion, larger is the hotspot practice of working the top of the ranking). Incidents happen
    at the true rates (Poisson); citizens report a share `report` of them, everywhere, whatever the
    patrols do; a patrol finds each unreported incident in its district with probability
    1 - exp(-detect * units there). The estimate is an exponentially decayed average of what the model
    counts (a memory of about `memory` rounds), as the decayed-count forecasters are.

    Uncorrected, the model counts everything it sees (reported + discovered): where it patrols it
    sees more, so it patrols there more, and one district takes the patrols. Corrected, "weighted"
    counts each discovered incident with weight q_even / q_here (the discovery probability had the
    patrols been spread evenly over that of this round's patrols), so what a district contributes no
    longer depends on how hard it was patrolled; "reported" counts only citizens' reports, scaled.
    """
    rates = np.asarray(true_rates, dtype=np.float64)
    if rates.ndim != 1 or rates.size < 2 or np.any(rates <= 0):
        raise ValueError("true_rates needs two or more positive rates")
    if rounds < 1 or patrols <= 0 or not 0 < report < 1 or detect <= 0 or memory < 1:
        raise ValueError("rounds >= 1, patrols > 0, 0 < report < 1, detect > 0 and memory >= 1")
    rng = np.random.default_rng(seed)
    n = rates.size
    rho = 1.0 / memory
    q_even = 1.0 - math.exp(-detect * patrols / n)
    estimate = np.full(n, rates.mean())  # the model starts knowing nothing: every district alike
    shares = np.empty((rounds, n))
    for t in range(rounds):
        share = _policy(estimate, focus)
        shares[t] = share
        q = 1.0 - np.exp(-detect * patrols * share)
        happened = rng.poisson(rates)
        reported = rng.binomial(happened, report)
        discovered = rng.binomial(happened - reported, q)
        seen: np.ndarray
        if not correction:
            seen = (reported + discovered).astype(np.float64)
        elif method == "weighted":
            seen = reported + discovered * (q_even / np.maximum(q, 1e-12))
        elif method == "reported":
            seen = reported * (report + (1 - report) * q_even) / report
        else:
            raise ValueError(f"unknown correction method {method!r}")
        estimate = (1 - rho) * estimate + rho * seen
    true = rates / rates.sum()
    target = _policy(rates, focus)
    est = estimate / estimate.sum()
    tail = shares[-min(100, rounds):].mean(axis=0)
    return FeedbackResult(correction, method if correction else "none", true, target, shares, est,
                          float(np.max(np.abs(est / true - 1))), float(np.max(np.abs(tail / target - 1))),
                          float(shares[-1].max()))


def _loop_json(r: FeedbackResult, every: int) -> dict[str, Any]:
    return {"corrected": r.corrected, "method": r.method, "true_shares": r.true_shares.round(4).tolist(),
            "target_shares": r.target_shares.round(4).tolist(),
            "estimated_shares": r.estimated_shares.round(4).tolist(), "estimate_error": round(r.estimate_error, 4),
            "patrol_error": round(r.patrol_error, 4), "top_patrol_share": round(r.top_patrol_share, 4),
            "rounds": int(r.patrol_shares.shape[0]), "every": every,
            "trajectory": r.patrol_shares[::every].round(4).tolist() + [r.patrol_shares[-1].round(4).tolist()]}


def audit_record(shares: Sequence[DistrictShare], *, true_rates: Sequence[float] | None = None,
                 districts: Sequence[str] | None = None, rounds: int = 1000, seed: int = 0,
                 every: int = 10) -> dict[str, Any]:
    """The audit as stored with a forecast: the district shares, and the feedback loop run both ways.
    The loop's districts and rates default to the forecast's own (its top districts by reported
    incidents, at most eight, their reported counts as rates), so the page shows the loop on the
    forecast's places; its trajectory is kept every `every` rounds."""
    if true_rates is None:
        top = sorted((s for s in shares if s.reported > 0), key=lambda s: -s.reported)[:8]
        districts = [s.district for s in top]
        true_rates = [s.reported for s in top]
    loop: dict[str, Any] | None = None
    if true_rates is not None and len(true_rates) >= 2:
        rates = np.asarray(true_rates, dtype=np.float64)
        rates = rates / rates.mean() * 40.0  # the loop's scale: about 40 incidents per district per round
        loop = {"districts": list(districts or [f"D{i + 1}" for i in range(len(rates))]),
                "uncorrected": _loop_json(feedback_loop(rates, rounds, correction=False, seed=seed), every),
                "corrected": _loop_json(feedback_loop(rates, rounds, correction=True, seed=seed), every),
                "reference": "Ensign et al. 2018, Runaway Feedback Loops in Predictive Policing (PMLR 81)"}
    return {"districts": [asdict(s) for s in shares], "population_source": POPULATION_SOURCE, "feedback": loop}


def forecast_audit(grid: Any, train: Any, ranked: Sequence[int], flag_share: float = 0.05) -> dict[str, Any] | None:
    """The audit stored with a forecast: the top `flag_share` of its ranked study cells are the flagged
    area, compared per district (the grid's `area_of`) with the training period's reported incidents
    and the population, and the feedback loop on its districts. None when the grid has no districts."""
    if grid.area_of is None or not len(ranked):
        return None
    flagged = [int(c) for c in ranked[:max(1, math.ceil(flag_share * len(ranked)))]]
    cells = grid.cell_of(train.x, train.y)
    reported = Counter(str(grid.area_of[c]) for c in cells[cells >= 0] if grid.area_of[c])
    return audit_record(district_shares(flagged, grid.area_of, dict(reported)))

