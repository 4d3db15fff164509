"""Threat intelligence: `tahqiq intel import|indicators|false-positive|revoke`.

`import` reads STIX 2.1 bundles and MISP events (files or folders of *.json) into the store through
the gate, as the scheduled job (SYSTEM, which must name the owning agency with --agency) or as
`--user` (a supervisor, whose agency owns what is imported). A false-positive mark is a named
person's; the other commands act as the job unless --user is given. Every act is audited.
Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UsageError, UserOpt, gated, out, when

if TYPE_CHECKING:
    from tahqiq.govern import Principal
    from tahqiq.intel.service import ImportResult

app = typer.Typer(help="Threat intelligence: STIX 2.1 and MISP import, indicators, false positives, revocation.",
                  no_args_is_help=True)
_QUARANTINE_SHOWN = 20


def _who(ctx: GateContext, user: str | None) -> Principal:
    from tahqiq.govern import SYSTEM

    return ctx.login(user) if (user or os.environ.get("TAHQIQ_TOKEN")) else SYSTEM


def import_report(result: ImportResult) -> None:
    """Counts per file, totals, and the first quarantine reasons."""
    table = Table("file", "format", "batch", "read", "indicators", "objects", "quarantined",
                  title=f"{len(result.files)} files in {result.seconds:.1f} s "
                        f"({result.objects_per_second:,.0f} objects/s)")
    for f in result.files:
        c = f.counts
        table.add_row(Path(f.path).name, f.format, "already imported" if f.already_imported else str(f.batch),
                      f"{c.get('read', 0):,}", f"{c.get('indicators', 0):,}", f"{c.get('objects', 0):,}",
                      f"{c.get('rejected', 0):,}")
    out.print(table)
    kinds = {k.split(".", 1)[1]: v for k, v in sorted(result.counts.items()) if k.startswith("kind.")}
    if kinds:
        out.print("indicators by kind: " + ", ".join(f"{k} {v:,}" for k, v in kinds.items()), highlight=False)
    rejected = [(Path(f.path).name, r) for f in result.files for r in f.rejected]
    for name, r in rejected[:_QUARANTINE_SHOWN]:
        out.print(f"  quarantined {name} {r.ref}: {r.reason[:300]}", highlight=False)
    if len(rejected) > _QUARANTINE_SHOWN:
        out.print(f"  … and {len(rejected) - _QUARANTINE_SHOWN:,} more quarantined", highlight=False)


@app.command("import")
@gated()
def import_cmd(ctx: GateContext,
               paths: Annotated[list[Path], typer.Argument(help="STIX bundles / MISP events, or folders of *.json")],
               source: Annotated[str, typer.Option("--source", help="the feed or producer, e.g. pk-cert")],
               tlp: Annotated[str, typer.Option("--tlp", help="TLP of unmarked objects: clear, green, amber, "
                                                              "amber+strict, red")] = "amber",
               recipient: Annotated[list[str] | None, typer.Option("--recipient", help="a username that may read "
                                                                   "the TLP:RED items (repeat)")] = None,
               agency: Annotated[str | None, typer.Option("--agency", help="the owning agency (needed when the "
                                                                             "scheduled job imports)")] = None,
               user: UserOpt = None) -> None:
    """Import threat intelligence (STIX 2.1 bundles, MISP events) into the store."""
    from tahqiq.intel.service import import_paths

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    with ctx.gate.scope(_who(ctx, user), f"import threat intelligence from {source}") as job:
        result = import_paths(job, paths, source=source, default_tlp=tlp.lower(), recipients=tuple(recipient or ()),
                              progress=True, owner_agency=agency)
    import_report(result)


@app.command("indicators")
@gated(sign=False)
def indicators_cmd(ctx: GateContext,
                   kind: Annotated[str | None, typer.Option("--kind", help="ipv4, domain, sha256, …")] = None,
                   q: Annotated[str | None, typer.Option("--q", help="part of the value or name")] = None,
                   page: Annotated[int, typer.Option("--page", min=1)] = 1,
                   user: UserOpt = None) -> None:
    """The indicators you may read (by TLP), newest import first, 50 a page."""
    from tahqiq.intel.lifecycle import effective_confidence, is_active
    from tahqiq.intel.service import list_indicators

    size = 50
    with ctx.gate.scope(_who(ctx, user), "review threat-intelligence indicators") as view:
        found = list_indicators(view, kind=kind, q=q, offset=(page - 1) * size, limit=size)
    table = Table("id", "kind", "value", "TLP", "conf.", "valid until", "state", "source",
                  title=f"indicators {(page - 1) * size + 1}-{(page - 1) * size + len(found.items)} of {found.total:,}")
    for i in found.items:
        state = ("false positive" if i.extra.get("false_positive") else "revoked" if i.revoked
                 else "active" if is_active(i) else "not valid now")
        table.add_row(i.id, i.kind, (i.value or i.pattern)[:80], i.tlp.upper(),
                      f"{effective_confidence(i):.0f}/{i.confidence}", when(i.valid_until), state, i.source)
    out.print(table)


@app.command("false-positive")
@gated()
def false_positive_cmd(ctx: GateContext, indicator_id: Annotated[str, typer.Argument(help="the indicator's id")],
                       reason: Annotated[str, typer.Option("--reason", help="why it fires on something harmless")],
                       user: UserOpt = None) -> None:
    """Mark an indicator a false positive (it stops matching); a named person's act."""
    from tahqiq.intel.service import mark_false_positive

    with ctx.gate.scope(ctx.login(user), f"mark indicator {indicator_id} a false positive") as view:
        mark_false_positive(view, indicator_id, reason)
    out.print(f"{indicator_id} marked a false positive", highlight=False)


@app.command("revoke")
@gated()
def revoke_cmd(ctx: GateContext, indicator_id: Annotated[str, typer.Argument(help="the indicator's id")],
               reason: Annotated[str, typer.Option("--reason", help="why it is withdrawn")],
               user: UserOpt = None) -> None:
    """Revoke an indicator (it stops matching); a supervisor's or the scheduled job's act."""
    from tahqiq.intel.service import revoke

    with ctx.gate.scope(_who(ctx, user), f"revoke indicator {indicator_id}") as view:
        revoke(view, indicator_id, reason)
    out.print(f"{indicator_id} revoked", highlight=False)


@app.command("export")
@gated()
def export_cmd(ctx: GateContext, case: Annotated[str, typer.Argument(help="the case whose indicators to share")],
               fmt: Annotated[str, typer.Option("--format", help="stix (a STIX 2.1 bundle) or misp (a MISP event)")]
               = "stix",
               out_file: Annotated[Path, typer.Option("--out", help="the file to write; - for standard output")]
               = Path("-"),
               allow_red: Annotated[bool, typer.Option("--allow-red", help="include TLP:RED indicators (only for "
                                                       "their named recipients)")] = False,
               purpose: Annotated[str, typer.Option("--purpose")] = "share the case's indicators",
               user: UserOpt = None) -> None:
    """A case's indicators as a STIX 2.1 bundle or a MISP event, markings kept (an audited export)."""
    from tahqiq.intel.export import export_case

    if fmt not in ("stix", "misp"):
        raise UsageError("--format is stix or misp")
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        name, data = export_case(view, case, "stix" if fmt == "stix" else "misp", allow_red=allow_red)
    if str(out_file) == "-":
        typer.echo(data.decode())
    else:
        out_file.write_bytes(data)
        out.print(f"wrote {out_file} ({len(data):,} bytes; suggested name {name})", highlight=False)


def register(root: typer.Typer) -> None:
    """`tahqiq intel …`, with the logs, Sigma and OSINT trends groups under it."""
    from tahqiq.cli import intel_logs_cmds, intel_sigma_cmds, osint_cmds

    app.add_typer(intel_logs_cmds.app, name="logs")
    app.add_typer(intel_sigma_cmds.app, name="sigma")
    app.add_typer(osint_cmds.app, name="osint")
    root.add_typer(app, name="intel")


__all__ = ["app", "import_report", "register"]
