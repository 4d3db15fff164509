"""The audit log: verify it, prove entries, sign and compare tree heads, and see who accessed
what. Exit status 1 when verification fails.

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UsageError, UserOpt, add_group, err, gated, out

audit_app = typer.Typer(help="The audit log: verify, prove, tree heads, who accessed what.", no_args_is_help=True)


@audit_app.command("verify")
@gated(sign=False)
def audit_verify(
    ctx: GateContext,
    public_key: Annotated[list[Path] | None, typer.Option(help="trusted public key PEM (repeatable); "
                                                                   "default: this installation's key")] = None,
) -> None:
    """Recompute every leaf, subtree, root and signature; exit 1 naming the first bad entry."""
    from tahqiq.govern.keys import load_public_key

    keys = [load_public_key(p.read_bytes()) for p in public_key] if public_key else None
    report = ctx.audit.verify(keys)
    if report.ok:
        out.print(f"[green]OK[/]: {report.entries} entries and {report.heads} signed tree heads verify")
        return
    for p in report.problems:
        err.print(f"[red]BAD[/] {p}")
    first = f"first bad entry: {report.first_bad_entry}" if report.first_bad_entry is not None else "a tree head is bad"
    err.print(f"[bold red]audit log does NOT verify[/] ({first}; {len(report.problems)} problem(s))")
    raise typer.Exit(1)


@audit_app.command("prove")
@gated()
def audit_prove(ctx: GateContext, entry: int,
                out_file: Annotated[Path | None, typer.Option("--out", "-o", help="write the JSON here")] = None,
                user: UserOpt = None) -> None:
    """Print an inclusion proof of ENTRY against a signed tree head (auditors, supervisors).
    Check it with verify_standalone.py (docs/verify_bundle.md)."""
    from tahqiq.govern import AUDITOR, SUPERVISOR

    me = ctx.login(user)
    ctx.gate.require_role(me, "audit.prove", (AUDITOR, SUPERVISOR), target=str(entry))
    proof = ctx.audit.prove(entry)
    ctx.gate.record(me, "audit.prove", decision="grant", target=str(entry),
                     detail={"tree_size": proof["tree_size"]})
    _emit(proof, out_file)


@audit_app.command("head")
@gated()
def audit_head(ctx: GateContext, sign: Annotated[bool, typer.Option(help="sign a fresh head first")] = False,
               out_file: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Print the newest signed tree head (JSON), with the public key. No personal data."""
    from tahqiq.govern.keys import public_key_pem

    head = ctx.audit.sign_head(force=True) if sign else (ctx.audit.latest_head() or ctx.audit.sign_head(force=True))
    assert head is not None  # forced
    _emit({**head.to_dict(), "public_key_pem": public_key_pem(ctx.audit.signer.public_key)}, out_file)


@audit_app.command("consistency")
@gated()
def audit_consistency(ctx: GateContext, old_size: int, new_size: Annotated[int | None, typer.Argument()] = None,
                      out_file: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Prove that the log at NEW_SIZE (default: newest head) extends the log at OLD_SIZE."""
    from tahqiq.govern.keys import public_key_pem

    old = ctx.audit.head_at(old_size)
    new = ctx.audit.head_at(new_size) if new_size else ctx.audit.latest_head()
    if old is None or new is None:
        raise UsageError("no signed tree head of that size (see `tahqiq audit head`)")
    path = ctx.audit.consistency_path(old.tree_size, new.tree_size)
    _emit({"old_head": old.to_dict(), "new_head": new.to_dict(), "consistency_path": [p.hex() for p in path],
           "public_key_pem": public_key_pem(ctx.audit.signer.public_key)}, out_file)


@audit_app.command("public-key")
@gated(sign=False)
def audit_public_key(ctx: GateContext) -> None:
    """Print the log's Ed25519 public key (PEM) and its key id."""
    from tahqiq.govern.keys import public_key_pem

    err.print(f"key id {ctx.audit.signer.key_id}")
    print(public_key_pem(ctx.audit.signer.public_key), end="")


@audit_app.command("log")
@gated()
def audit_log(
    ctx: GateContext,
    case: Annotated[str | None, typer.Option(help="only this case")] = None,
    actor: Annotated[str | None, typer.Option(help="only this user")] = None,
    entity: Annotated[str | None, typer.Option(help="only reads of this entity id")] = None,
    prop: Annotated[str | None, typer.Option(help="with --value: searches for this value, e.g. cnic")] = None,
    value: Annotated[str | None, typer.Option(help="the searched value (matched by keyed hash)")] = None,
    action: Annotated[str | None, typer.Option(help="only this action, e.g. read.find")] = None,
    since: Annotated[int, typer.Option(help="from this entry on")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
    user: UserOpt = None,
) -> None:
    """Who accessed what (auditors: everything; supervisors: their agency)."""
    if bool(prop) != bool(value):
        raise UsageError("give --prop and --value together")
    records = ctx.gate.access_log(ctx.login(user), case=case, actor=actor, entity=entity,
                                  value=(prop, value) if prop and value else None, action=action, since=since,
                                  limit=limit)
    if as_json:
        for r in records:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
        return
    table = Table("#", "time (UTC)", "who", "action", "decision", "case", "purpose", "what")
    for r in records:
        what = r.detail.get("reason") if r.decision == "deny" else (
            f"{r.detail['count']} item(s)" if "count" in r.detail else (r.target or ""))
        colour = {"deny": "red", "grant": "green"}.get(r.decision, "white")
        table.add_row(str(r.seq), r.time[:19].replace("T", " "), r.actor, r.action, f"[{colour}]{r.decision}[/]",
                      r.case or "", r.purpose or "", str(what or ""))
    out.print(table)


def _emit(doc: dict, path: Path | None) -> None:
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if path:
        path.write_text(text + "\n", encoding="utf-8")
        err.print(f"written to {path}")
    else:
        sys.stdout.write(text + "\n")


def register(app: typer.Typer) -> None:
    add_group(app, audit_app, "audit")
