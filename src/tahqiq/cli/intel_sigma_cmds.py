"""Sigma rules into Tahqiq's rule engine: `tahqiq intel sigma load PATH... [--out rules.yml] [--show-refused]`.

Prints, per log source Tahqiq reads, how many of the given Sigma rules load, then why the others
were refused (grouped and counted), and writes the converted rules as a rule file the stream
engine loads (`tahqiq stream ... --rules FILE`). Exit status: 0 done, 2 bad request.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Sigma rules (pySigma) as rules of the stream engine.", no_args_is_help=True)
_out = Console()
_err = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Sigma rules (pySigma) as rules of the stream engine."""


def _kind(reason: str) -> str:
    """A refusal reason without the rule-specific detail, for grouping ("unmapped field X" stays whole)."""
    reason = re.sub(r" in /\S+", "", reason)
    return re.sub(r"condition '.*?':", "condition:", reason)


@app.command("load")
def load(
    paths: Annotated[list[Path], typer.Argument(help="Sigma rule files or folders (searched for *.yml, *.yaml)")],
    out: Annotated[Path | None, typer.Option("--out", help="write the converted rules to this rule file")] = None,
    show_refused: Annotated[bool, typer.Option("--show-refused", help="list every refused rule")] = False,
) -> None:
    from tahqiq.intel.sigma import UNSUPPORTED, load_sigma

    try:
        result = load_sigma(paths)
    except FileNotFoundError as exc:
        _err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    table = Table("log source", "loaded", "rules", "share", title="Sigma rules by log source")
    loaded = total = 0
    for source, share in result.share_by_source().items():
        if source == UNSUPPORTED:
            continue
        loaded, total = loaded + share.loaded, total + share.total
        table.add_row(source, str(share.loaded), str(share.total), f"{share.ratio:.0%}")
    table.add_row("all supported", str(loaded), str(total), f"{loaded / total:.0%}" if total else "-")
    unsupported = result.share_by_source().get(UNSUPPORTED)
    if unsupported:
        table.caption = f"{unsupported.total} more rules are for log sources Tahqiq does not read"
    _out.print(table)
    if result.refused:
        reasons = Table("refused because", "rules", title="Refusals")
        for reason, n in Counter(_kind(r.reason) for r in result.refused).most_common():
            reasons.add_row(reason, str(n))
        _out.print(reasons)
    if show_refused:
        for r in result.refused:
            _out.print(f"{r.path}  {r.rule_id or '-'}  {r.title}: {r.reason}", markup=False, highlight=False)
    if out is not None:
        out.write_text(result.to_yaml(), encoding="utf-8")
        _out.print(f"wrote {len(result.rule_dicts)} rules to {out}")
