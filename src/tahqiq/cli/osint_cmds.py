"""OSINT event trends: `tahqiq intel osint load|trends|generate`.

`load` counts an ACLED export (or a Tahqiq event file) by district, ISO week and theme and replaces
that dataset's counts in the store; it runs as the scheduled job (SYSTEM), or as `--user` (a
supervisor). `trends` prints the weekly counts. Only counts are stored: ACLED's notes, actor names
and source texts are read past, never kept (docs/intel.md). Exit status: 0 done, 2 bad request,
3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UsageError, UserOpt, gated, out

if TYPE_CHECKING:
    from tahqiq.govern import Principal
    from tahqiq.intel.osint_store import SeriesPoint

app = typer.Typer(help="Aggregate trends of reported events (ACLED-style CSV): counts only, no people, no speech.",
                  no_args_is_help=True)


def _who(ctx: GateContext, user: str | None) -> Principal:
    from tahqiq.govern import SYSTEM

    return ctx.login(user) if (user or os.environ.get("TAHQIQ_TOKEN")) else SYSTEM


@app.command("load")
@gated()
def load_cmd(ctx: GateContext, file: Annotated[Path, typer.Argument(help="an ACLED export or a Tahqiq event CSV")],
             dataset: Annotated[str, typer.Option("--dataset", "-d", help="the dataset's name; loading it again "
                                                                           "replaces its counts")],
             user: UserOpt = None) -> None:
    """Count a file's events by district, ISO week and theme into the store (replacing the dataset)."""
    from tahqiq.intel.osint_store import load_trends

    if not file.is_file():
        raise UsageError(f"{file}: no such file")
    with ctx.gate.scope(_who(ctx, user), f"load OSINT event dataset {dataset}") as job:
        report = load_trends(job, file, dataset=dataset)
    out.print(f"{report.dataset}: {report.rows:,} rows, {report.events:,} events counted into "
              f"{report.trend_rows:,} (district, week, theme) rows; {len(report.quarantined):,} quarantined; "
              f"{sum(report.unknown_districts.values()):,} under Other/unknown"
              + (f"; replaced {report.replaced:,} rows" if report.replaced else "")
              + f" (audit entry {report.batch})", highlight=False)
    for line, reason in report.quarantined[:20]:
        out.print(f"  line {line}: {reason}", highlight=False)
    if len(report.quarantined) > 20:
        out.print(f"  … and {len(report.quarantined) - 20:,} more", highlight=False)
    for name, n in list(report.unknown_districts.items())[:10]:
        out.print(f"  unknown district {name!r}: {n:,} events", highlight=False)


@app.command("trends")
@gated(sign=False)
def trends_cmd(ctx: GateContext,
               district: Annotated[str | None, typer.Option(help="one district (e.g. Lahore)")] = None,
               theme: Annotated[str | None, typer.Option(help="one of ACLED's event types (e.g. Protests)")] = None,
               weeks: Annotated[int, typer.Option(min=1, max=520, help="the last N weeks of the data")] = 12,
               dataset: Annotated[str | None, typer.Option(help="one dataset (default: all)")] = None,
               user: UserOpt = None) -> None:
    """Weekly event counts by theme over the data's last WEEKS weeks."""
    from tahqiq.intel.osint import THEMES, district_name
    from tahqiq.intel.osint_store import trend_facets, trend_series

    if theme is not None and theme not in THEMES:
        raise UsageError(f"--theme must be one of: {', '.join(THEMES)}")
    district = district_name(district) if district else None
    with ctx.gate.scope(_who(ctx, user), "OSINT event trends") as view:
        datasets, _districts = trend_facets(view)
        lasts = [d.last_week for d in datasets if d.last_week and (dataset is None or d.name == dataset)]
        if not lasts:
            out.print("no event counts loaded" + (f" for dataset {dataset!r}" if dataset else "")
                      + " (tahqiq intel osint load FILE --dataset NAME)")
            return
        since = max(lasts) - timedelta(weeks=weeks - 1)
        points = trend_series(view, district=district, theme=theme, since=since, dataset=dataset)
    out.print(trends_table(points, district, weeks))


def trends_table(points: list[SeriesPoint], district: str | None, weeks: int) -> Table:
    """Weeks down, themes across, with the week's total and fatalities."""
    themes = sorted({p.theme for p in points})
    by_week: dict[date, dict[str, int]] = {}
    deaths: dict[date, int] = {}
    for p in points:
        by_week.setdefault(p.week, {})[p.theme] = p.events
        deaths[p.week] = deaths.get(p.week, 0) + p.fatalities
    title = f"Events per ISO week (Monday), last {weeks} weeks" + (f", {district}" if district else "")
    table = Table("week", *themes, "total", "fatalities", title=title)
    for week in sorted(by_week):
        row = by_week[week]
        table.add_row(week.isoformat(), *(f"{row.get(t, 0):,}" for t in themes), f"{sum(row.values()):,}",
                      f"{deaths[week]:,}")
    if not by_week:
        table.caption = "no events match"
    return table


@app.command("generate")
def generate_cmd(out_file: Annotated[Path, typer.Argument(help="where to write the CSV")],
                 rows: Annotated[int, typer.Option(min=0, help="events to write")] = 5000,
                 weeks: Annotated[int, typer.Option(min=1, max=520, help="weeks they span")] = 52,
                 seed: Annotated[int, typer.Option(help="the same seed gives the same file")] = 1) -> None:
    """Write a synthetic ACLED-format file of Punjab's districts (for the demo and tests)."""
    from tahqiq.generate.acled import write_acled

    n = write_acled(out_file, seed=seed, weeks=weeks, rows=rows)
    out.print(f"{n:,} synthetic events over {weeks} weeks written to {out_file}", highlight=False)


__all__ = ["app", "trends_table"]
