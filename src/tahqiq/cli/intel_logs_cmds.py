"""Hacking attempts in logs: `tahqiq intel logs scan PATH... [--rules FILE] [--geo CSV] [--year Y] [--alerts]`.

Reads Linux auth/syslog, web access logs and Windows event logs (EVTX, wevtutil XML), runs the log
rules (brute force, password spraying, success after brute force, new administrators, log cleared,
indicator hits) and, with --geo, impossible travel; prints the count per rule and what could not be
read. The indicators come from the store through the gate (one audited read, as the scheduled job
or --user); with --alerts the detections become desk alerts (one audited write).
Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UsageError, UserOpt, err, gated, out

if TYPE_CHECKING:
    from tahqiq.govern import Principal
    from tahqiq.intel.scan import LogScan

app = typer.Typer(help="Hacking attempts in logs: auth/syslog, web access logs, Windows event logs.",
                  no_args_is_help=True)


@app.callback()
def logs() -> None:
    """Hacking attempts in logs: auth/syslog, web access logs, Windows event logs."""


def _who(ctx: GateContext, user: str | None) -> Principal:
    from tahqiq.govern import SYSTEM

    return ctx.login(user) if (user or os.environ.get("TAHQIQ_TOKEN")) else SYSTEM


def scan_report(scan: LogScan) -> None:
    """Per file what was read, per rule what was found, and the first bad lines."""
    files = Table("file", "kind", "lines", "events", "bad lines", title=f"read in {scan.seconds:.1f} s "
                  f"({scan.lines_per_second:,.0f} lines/s)")
    for name, kind in scan.read.kinds.items():
        bad = scan.read.bad.get(name)
        files.add_row(name, kind, f"{scan.read.lines[name]:,}", f"{scan.read.events[name]:,}",
                      ", ".join(f"{reason} {n:,}" for reason, n in bad.most_common(3)) if bad else "0")
    out.print(files)
    found = Table("rule", "detections", title=f"{len(scan.detections):,} detections ({scan.rules} rules)")
    for rule_id, n in sorted(scan.per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        found.add_row(rule_id, f"{n:,}")
    out.print(found)
    for name, examples in scan.read.examples.items():
        for line_no, reason in examples:
            out.print(f"  {name} line {line_no}: {reason}", highlight=False)


@app.command("scan")
@gated()
def scan_cmd(ctx: GateContext,
             paths: Annotated[list[Path], typer.Argument(help="log files: auth.log, syslog, access.log, *.evtx, "
                                                              "wevtutil XML (kind found from the content)")],
             rules: Annotated[list[Path] | None, typer.Option("--rules", "-r", help="rule file or folder (repeat); "
                                                          "default: the shipped log rules")] = None,
             geo: Annotated[Path | None, typer.Option("--geo", help="CSV of network,latitude,longitude,country,city "
                                                                   "for impossible travel")] = None,
             year: Annotated[int | None, typer.Option("--year", help="year of the first line of syslog files "
                                                                    "(default: from the file's date)")] = None,
             alerts: Annotated[bool, typer.Option("--alerts/--no-alerts", help="write detections as desk "
                                                                              "alerts")] = False,
             indicators: Annotated[bool, typer.Option("--indicators/--no-indicators", help="match the store's "
                                                      "active indicators")] = True,
             max_speed: Annotated[float, typer.Option("--max-speed", help="km/h above which travel between "
                                                                         "two logins is impossible")] = 1000.0,
             user: UserOpt = None) -> None:
    """Scan log files for hacking attempts; optionally raise alerts."""
    from tahqiq.intel.logs import GeoTable
    from tahqiq.intel.scan import scan_logs

    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    if geo is not None and not geo.is_file():
        raise UsageError(f"--geo {geo}: no such file")
    if year is not None and not 1970 <= year <= 9999:
        raise UsageError("--year: give a year like 2026")
    table = GeoTable.load(geo) if geo is not None else None
    with ctx.gate.scope(_who(ctx, user), "scan computer logs for hacking attempts") as job:
        matcher = None
        if indicators:
            from tahqiq.intel.matcher import IndicatorMatcher
            from tahqiq.intel.service import active_indicators

            matcher = IndicatorMatcher.build(active_indicators(job))
            if not len(matcher):
                err.print("[yellow]no active indicators readable: indicator rules will match nothing[/]")
        scan = scan_logs(paths, rules=rules or None, matcher=matcher, geo=table, year=year, max_speed_kmh=max_speed,
                         progress=True)
        new = 0
        if alerts and scan.detections:
            from tahqiq.alerts.store import write_alerts

            with job.write("intel.logs.alerts.write", detail={"detections": len(scan.detections),
                                                               "files": [p.name for p in paths]}) as w:
                new = write_alerts(w.conn, scan.detections)
                w.record(new=new)
    scan_report(scan)
    if alerts:
        out.print(f"{new:,} new alerts", highlight=False)
