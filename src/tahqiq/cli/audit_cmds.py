"""The audit log: verify it (against witnesses too), prove entries, publish checkpoints to witnesses,
run a witness, and see who accessed what. Exit status 1 when verification fails or a witness refuses.
Reading commands never sign: only `publish`, `head --sign` and the close of writing commands do.

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UsageError, UserOpt, add_group, err, gated, out

audit_app = typer.Typer(help="The audit log: verify, prove, tree heads, who accessed what.", no_args_is_help=True)


WitnessOpt = Annotated[list[str] | None, typer.Option(
    "--witness", help="a witness's URL, or a file holding a checkpoint it cosigned (repeatable; "
                      "default: TAHQIQ_WITNESSES, comma-separated)")]
WitnessKeyOpt = Annotated[list[str] | None, typer.Option(
    "--witness-key", help="a witness's public key: PEM file, or verifier key name+id+base64 (repeatable; "
                          "default: TAHQIQ_WITNESS_KEYS, comma-separated)")]
NO_WITNESS = ("[yellow]Without a witness, verify cannot detect a truncated tail[/]: whoever can write to the "
              "database can delete the newest entries and the heads above them and leave a shorter log that "
              "verifies. Check against a witness: --witness URL (docs/governance.md, Witnesses).")


@audit_app.command("verify")
@gated(sign=False)
def audit_verify(
    ctx: GateContext,
    public_key: Annotated[list[Path] | None, typer.Option(help="trusted public key PEM (repeatable); "
                                                                   "default: this installation's key")] = None,
    witness: WitnessOpt = None,
    witness_key: WitnessKeyOpt = None,
) -> None:
    """Recompute every leaf, subtree, root and signature; with --witness, check that the log still holds
    the newest checkpoint the witness cosigned. Exit 1 naming the first bad entry."""
    from tahqiq.govern.checkpoint import ED25519, NoteError, NoteKey
    from tahqiq.govern.keys import load_origin, load_public_key
    from tahqiq.govern.witness_client import PublishRefused, witnessed

    keys = [load_public_key(p.read_bytes()) for p in public_key] if public_key else None
    sources = witness or env_list("TAHQIQ_WITNESSES")
    seen = []
    if sources:
        origin = load_origin()
        log_keys = [NoteKey(origin, ED25519, k) for k in (keys or [ctx.audit.signer.public_key])]
        wkeys = witness_keys(witness_key)
        for source in sources:
            try:
                seen.append(witnessed(source, log_keys, wkeys))
            except (PublishRefused, NoteError, OSError) as exc:
                err.print(f"[bold red]cannot check against witness {source}[/]: {exc}")
                raise typer.Exit(1) from None
    report = ctx.audit.verify(keys, witnessed=seen)
    if report.ok:
        out.print(f"[green]OK[/]: {report.entries} entries and {report.heads} signed tree heads verify")
        for w in seen:
            out.print(f"[green]OK[/]: the log contains the {w.size:,} entries witness {w.witness} saw on {w.seen}")
        if not seen:
            out.print(NO_WITNESS)
        return
    for p in report.problems:
        err.print(f"[red]BAD[/] {p}")
    first = f"first bad entry: {report.first_bad_entry}" if report.first_bad_entry is not None else "a tree head is bad"
    err.print(f"[bold red]audit log does NOT verify[/] ({first}; {len(report.problems)} problem(s))")
    raise typer.Exit(1)


@audit_app.command("publish")
@gated(sign=False)
def audit_publish(ctx: GateContext, witness: WitnessOpt = None, witness_key: WitnessKeyOpt = None) -> None:
    """Sign a tree head over the whole log and have each witness cosign its checkpoint (run it every
    minute: cron or a systemd timer). Exit 1 if a witness refuses: it saw more entries, or another history."""
    from tahqiq.govern.checkpoint import NoteError
    from tahqiq.govern.keys import load_origin
    from tahqiq.govern.witness_client import PublishRefused, publish

    urls = witness or env_list("TAHQIQ_WITNESSES")
    if not urls:
        raise UsageError("give --witness URL (repeatable) or set TAHQIQ_WITNESSES")
    wkeys = witness_keys(witness_key, required=False)
    origin = load_origin()
    refused = 0
    for url in urls:
        try:
            done = publish(ctx.audit, origin, url, wkeys)
        except (PublishRefused, NoteError) as exc:
            err.print(f"[bold red]REFUSED[/] {exc}")
            refused += 1
            continue
        out.print(f"[green]cosigned[/] by witness {done.witness} ({url}): {done.size:,} entries; "
                  f"kept in {done.saved_to}")
    if refused:
        raise typer.Exit(1)


@audit_app.command("prove")
@gated(sign=False)
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
@gated(sign=False)
def audit_head(ctx: GateContext,
               sign: Annotated[bool, typer.Option(help="sign a fresh head over the whole log first (a write)")] = False,
               out_file: Annotated[Path | None, typer.Option("--out", "-o")] = None) -> None:
    """Print the newest signed tree head (JSON), with the public key. No personal data. Signs nothing
    unless --sign: a head signed on request would vouch for whatever the database now holds."""
    from tahqiq.govern.keys import public_key_pem

    head = ctx.audit.sign_head(force=True) if sign else ctx.audit.latest_head()
    if head is None:
        err.print("no signed tree head exists yet (the server signs one every second while entries arrive; "
                  "or `tahqiq audit head --sign`)")
        raise typer.Exit(1)
    _emit({**head.to_dict(), "public_key_pem": public_key_pem(ctx.audit.signer.public_key)}, out_file)


@audit_app.command("consistency")
@gated(sign=False)
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
    from tahqiq.govern.keys import load_origin, public_key_pem

    err.print(f"key id {ctx.audit.signer.key_id}")
    origin = load_origin()
    err.print(f"checkpoint origin {origin}; verifier key {ctx.audit.checkpoint_key(origin).vkey()}")
    print(public_key_pem(ctx.audit.signer.public_key), end="")


@audit_app.command("log")
@gated(sign=False)
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


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def witness_keys(given: list[str] | None, *, required: bool = True) -> list:
    from tahqiq.govern.witness_client import load_witness_key

    items = given or env_list("TAHQIQ_WITNESS_KEYS")
    if not items and required:
        raise UsageError("give the witness's public key with --witness-key (PEM file or verifier key) or "
                         "TAHQIQ_WITNESS_KEYS: a cosignature is only evidence if checked against a key you hold")
    return [load_witness_key(Path(i).read_text() if Path(i).is_file() else i) for i in items]


def _emit(doc: dict, path: Path | None) -> None:
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if path:
        path.write_text(text + "\n", encoding="utf-8")
        err.print(f"written to {path}")
    else:
        sys.stdout.write(text + "\n")


witness_app = typer.Typer(help="Run a witness for a Tahqiq audit log: on another machine (an oversight "
                                "body's); it needs no database.", no_args_is_help=True)
audit_app.add_typer(witness_app, name="witness")
StateOpt = Annotated[Path, typer.Option(help="the witness's folder (0700): its key, its name and the newest "
                                             "checkpoint it cosigned; back it up")]
NameOpt = Annotated[str | None, typer.Option(help="this witness's name in cosignatures, fixed on first run "
                                                  "(default tahqiq.<host name>/witness)")]


@witness_app.command("serve")
def witness_serve(
    state: StateOpt,
    log_key: Annotated[Path, typer.Option(help="the log's public key, PEM (`tahqiq audit public-key`)")],
    origin: Annotated[str, typer.Option(help="the log's checkpoint origin (`tahqiq audit public-key` prints it)")],
    name: NameOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 7380,
) -> None:
    """Serve c2sp.org/tlog-witness: POST /add-checkpoint cosigns a checkpoint that extends the one held;
    GET /checkpoint returns the newest cosigned one."""
    import uvicorn

    from tahqiq.govern.keys import load_public_key
    from tahqiq.govern.witness import Witness
    from tahqiq.govern.witness_app import create_app

    try:
        witness = Witness(state, origin, load_public_key(log_key.read_bytes()), name)
    except (OSError, ValueError, RuntimeError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    err.print(f"witness {witness.name} for log {origin}, listening on http://{host}:{port}")
    err.print(f"its verifier key (give it to whoever verifies): {witness.key.vkey()}")
    uvicorn.run(create_app(witness), host=host, port=port, log_level="warning")


@witness_app.command("key")
def witness_key_cmd(state: StateOpt, name: NameOpt = None,
                    pem: Annotated[bool, typer.Option("--pem", help="print the PEM instead")] = False) -> None:
    """Print the witness's public key (created on first use) as a verifier key name+id+base64."""
    from tahqiq.govern.checkpoint import COSIGNATURE_V1, NoteKey
    from tahqiq.govern.keys import public_key_pem
    from tahqiq.govern.witness import witness_identity

    fixed, private = witness_identity(state, name)
    key = NoteKey(fixed, COSIGNATURE_V1, private.public_key())
    print(public_key_pem(key.public_key) if pem else key.vkey(), end="" if pem else "\n")


def register(app: typer.Typer) -> None:
    add_group(app, audit_app, "audit")
