"""Governance commands: users, tokens, cases, the audit log, evidence, retention, export.

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. The very first `tahqiq user add --role admin` needs no authentication.
Exit status: 0 done, 1 failed verification, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from tahqiq.cli.gated import CaseOpt, GateContext, PurposeOpt, UsageError, UserOpt, add_group, err, gated, out


def _when(ts: datetime | None) -> str:
    return ts.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") if ts else ""


def _expiry(expires: str | None) -> datetime | None:
    if not expires:
        return None
    try:
        ts = datetime.fromisoformat(expires)
    except ValueError:
        raise UsageError(f"--expires: use a date like 2026-12-31, not {expires!r}") from None
    if len(expires) <= 10:  # a date: valid through the end of that day (UTC)
        ts = datetime.combine(ts.date() + timedelta(days=1), time(), timezone.utc)
    return ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)


def _new_password(username: str) -> str:
    pw = os.environ.get("TAHQIQ_NEW_PASSWORD")
    if pw is None:
        pw = typer.prompt(f"new password for {username}", hide_input=True, confirmation_prompt=True, err=True)
    return pw


# --- user ----------------------------------------------------------------------------------------

user_app = typer.Typer(help="Users: add, list, disable (admins).", no_args_is_help=True)


@user_app.command("add")
@gated()
def user_add(
    ctx: GateContext,
    username: str,
    role: Annotated[str, typer.Option(help="analyst | supervisor | auditor | admin")],
    agency: Annotated[str, typer.Option(help="agency code, e.g. PUNJAB-POLICE (created if new)")],
    full_name: Annotated[Optional[str], typer.Option(help="the person's name")] = None,
    agency_name: Annotated[Optional[str], typer.Option(help="the agency's full name, if new")] = None,
    user: UserOpt = None,
) -> None:
    """Add a user; the new password comes from TAHQIQ_NEW_PASSWORD or a prompt. On an empty
    installation the first user (an admin) needs no authentication."""
    from tahqiq.govern import identity

    actor = None if identity.count_users(ctx.engine) == 0 else ctx.login(user)
    identity.add_user(ctx.audit, actor, username, _new_password(username), role, agency,
                      full_name=full_name, agency_name=agency_name)
    out.print(f"added {role} [bold]{username}[/] ({agency})" + (" — bootstrap admin" if actor is None else ""))


@user_app.command("list")
@gated()
def user_list(ctx: GateContext, user: UserOpt = None) -> None:
    """List users (admins, supervisors and auditors)."""
    from tahqiq.govern import ADMIN, AUDITOR, SUPERVISOR, identity

    me = ctx.login(user)
    identity.require_role(ctx.audit, me, "user.list", (ADMIN, SUPERVISOR, AUDITOR))
    table = Table("username", "name", "role", "agency", "status", "created")
    for u in identity.list_users(ctx.engine):
        table.add_row(u["username"], u["full_name"] or "", u["role"], u["agency"],
                      "[red]disabled[/]" if u["disabled"] else "active", _when(u["created_at"]))
    out.print(table)


@user_app.command("disable")
@gated()
def user_disable(ctx: GateContext, username: str, user: UserOpt = None) -> None:
    """Disable a user: their password and tokens stop working at once."""
    from tahqiq.govern import identity

    identity.disable_user(ctx.audit, ctx.login(user), username)
    out.print(f"disabled {username}")


# --- token ---------------------------------------------------------------------------------------

token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


@token_app.command("create")
@gated()
def token_create(
    ctx: GateContext,
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    days: Annotated[int, typer.Option(help="expires after this many days (max 366)")] = 30,
    for_user: Annotated[Optional[str], typer.Option("--for", help="(admins) create it for this user")] = None,
    user: UserOpt = None,
) -> None:
    """Create an API token. It is printed once and never stored; keep it secret."""
    from tahqiq.govern import identity

    token, tid = identity.create_token(ctx.audit, ctx.login(user), name, username=for_user, days=days)
    err.print(f"token {tid} created, expires in {days} days; it will not be shown again:")
    print(token)


@token_app.command("list")
@gated()
def token_list(ctx: GateContext, user: UserOpt = None) -> None:
    """Your tokens (admins: everyone's)."""
    from tahqiq.govern import identity

    table = Table("id", "user", "name", "expires", "status")
    for t in identity.list_tokens(ctx.engine, ctx.login(user)):
        table.add_row(str(t["id"]), t["user"], t["name"], _when(t["expires_at"]),
                      "[red]revoked[/]" if t["revoked"] else "active")
    out.print(table)


@token_app.command("revoke")
@gated()
def token_revoke(ctx: GateContext, token_id: int, user: UserOpt = None) -> None:
    """Revoke a token (your own; admins: anyone's)."""
    from tahqiq.govern import identity

    identity.revoke_token(ctx.audit, ctx.login(user), token_id)
    out.print(f"revoked token {token_id}")


# --- case ----------------------------------------------------------------------------------------

case_app = typer.Typer(help="Cases: the legal basis for reading personal data.", no_args_is_help=True)


@case_app.command("open")
@gated()
def case_open(
    ctx: GateContext,
    reference: str,
    officer: Annotated[str, typer.Option(help="the officer who authorised the case")],
    purpose: Annotated[str, typer.Option(help="what the case is for")],
    fir: Annotated[Optional[str], typer.Option(help="FIR number, e.g. '123/2026 PS Model Town'")] = None,
    warrant: Annotated[Optional[str], typer.Option(help="warrant reference (needed for watchlists)")] = None,
    days: Annotated[Optional[int], typer.Option(help="expires after this many days")] = None,
    expires: Annotated[Optional[str], typer.Option(help="or: expires at the end of this date (YYYY-MM-DD)")] = None,
    member: Annotated[Optional[list[str]], typer.Option(help="a member (repeatable)")] = None,
    user: UserOpt = None,
) -> None:
    """Open a case (supervisors). Needs an FIR or a warrant, the authorising officer, a purpose
    and an expiry."""
    from tahqiq.govern import cases

    if bool(fir) == bool(warrant):
        raise UsageError("give exactly one of --fir or --warrant")
    info = cases.open_case(
        ctx.audit, ctx.login(user), reference, basis_kind="fir" if fir else "warrant", basis_ref=fir or warrant,
        authorising_officer=officer, purpose=purpose, expires_at=_expiry(expires),
        days=days if days is not None or expires else 90, members=member or [],
    )
    out.print(f"opened case [bold]{info.reference}[/] ({info.basis_kind.upper()} {info.basis_ref}), "
              f"expires {_when(info.expires_at)} UTC, members: {', '.join(info.members)}")


@case_app.command("add-member")
@gated()
def case_add_member(
    ctx: GateContext, reference: str, username: str,
    cross_agency: Annotated[bool, typer.Option(help="the user is from another agency (joint investigation)")] = False,
    user: UserOpt = None,
) -> None:
    """Add a member to a case (supervisors of the case's agency)."""
    from tahqiq.govern import cases

    cases.add_member(ctx.audit, ctx.login(user), reference, username, cross_agency=cross_agency)
    out.print(f"{username} is now a member of {reference}")


@case_app.command("remove-member")
@gated()
def case_remove_member(ctx: GateContext, reference: str, username: str, user: UserOpt = None) -> None:
    """Remove a member from a case."""
    from tahqiq.govern import cases

    cases.remove_member(ctx.audit, ctx.login(user), reference, username)
    out.print(f"{username} is no longer a member of {reference}")


@case_app.command("attach")
@gated()
def case_attach(ctx: GateContext, reference: str, entity_id: str, purpose: PurposeOpt,
                note: Annotated[Optional[str], typer.Option(help="why this entity")] = None,
                user: UserOpt = None) -> None:
    """Attach an entity to a case as a subject (retention spares it while the case is open)."""
    with ctx.gate.session(ctx.login(user), reference, purpose) as view:
        view.attach_subject(entity_id, note)
    out.print(f"{entity_id} is a subject of {reference}")


@case_app.command("list")
@gated()
def case_list(ctx: GateContext, all_: Annotated[bool, typer.Option("--all", help="include closed cases")] = False,
              user: UserOpt = None) -> None:
    """Cases you can see (auditors and admins: all)."""
    from tahqiq.govern import cases

    now = datetime.now(timezone.utc)
    table = Table("case", "agency", "basis", "officer", "status", "expires", "members", "subjects")
    for c in cases.list_cases(ctx.engine, ctx.login(user), include_closed=all_):
        status = c.status if c.status != "open" else ("[red]expired[/]" if not c.is_active(now) else "[green]open[/]")
        table.add_row(c.reference, c.agency, f"{c.basis_kind.upper()} {c.basis_ref}", c.authorising_officer, status,
                      _when(c.expires_at), ", ".join(c.members), str(c.subjects))
    out.print(table)


@case_app.command("close")
@gated()
def case_close(ctx: GateContext, reference: str, reason: Annotated[str, typer.Option(help="why")] = "",
               user: UserOpt = None) -> None:
    """Close a case: from now on it grants nothing."""
    from tahqiq.govern import cases

    cases.close_case(ctx.audit, ctx.login(user), reference, reason)
    out.print(f"closed {reference}")


@case_app.command("extend")
@gated()
def case_extend(ctx: GateContext, reference: str,
                days: Annotated[Optional[int], typer.Option(help="new expiry: this many days from now")] = None,
                expires: Annotated[Optional[str], typer.Option(help="or: the end of this date")] = None,
                officer: Annotated[Optional[str], typer.Option(help="the officer authorising the extension")] = None,
                user: UserOpt = None) -> None:
    """Extend an open case's expiry (supervisors)."""
    from tahqiq.govern import cases

    cases.extend_case(ctx.audit, ctx.login(user), reference, expires_at=_expiry(expires), days=days,
                      authorising_officer=officer)
    out.print(f"extended {reference}")


# --- audit ---------------------------------------------------------------------------------------

audit_app = typer.Typer(help="The audit log: verify, prove, tree heads, who accessed what.", no_args_is_help=True)


@audit_app.command("verify")
@gated(sign=False)
def audit_verify(
    ctx: GateContext,
    public_key: Annotated[Optional[list[Path]], typer.Option(help="trusted public key PEM (repeatable); "
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
                out_file: Annotated[Optional[Path], typer.Option("--out", "-o", help="write the JSON here")] = None,
                user: UserOpt = None) -> None:
    """Print an inclusion proof of ENTRY against a signed tree head (auditors, supervisors).
    Check it with verify_standalone.py (docs/verify_bundle.md)."""
    from tahqiq.govern import AUDITOR, SUPERVISOR, identity

    me = ctx.login(user)
    identity.require_role(ctx.audit, me, "audit.prove", (AUDITOR, SUPERVISOR), target=str(entry))
    proof = ctx.audit.prove(entry)
    ctx.audit.append(me.username, "audit.prove", role=me.role, decision="grant", target=str(entry),
                     detail={"tree_size": proof["tree_size"]})
    _emit(proof, out_file)


@audit_app.command("head")
@gated()
def audit_head(ctx: GateContext, sign: Annotated[bool, typer.Option(help="sign a fresh head first")] = False,
               out_file: Annotated[Optional[Path], typer.Option("--out", "-o")] = None) -> None:
    """Print the newest signed tree head (JSON), with the public key. No personal data."""
    from tahqiq.govern.keys import public_key_pem

    head = ctx.audit.sign_head(force=True) if sign else (ctx.audit.latest_head() or ctx.audit.sign_head(force=True))
    _emit({**head.to_dict(), "public_key_pem": public_key_pem(ctx.audit.signer.public_key)}, out_file)


@audit_app.command("consistency")
@gated()
def audit_consistency(ctx: GateContext, old_size: int, new_size: Annotated[Optional[int], typer.Argument()] = None,
                      out_file: Annotated[Optional[Path], typer.Option("--out", "-o")] = None) -> None:
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
    case: Annotated[Optional[str], typer.Option(help="only this case")] = None,
    actor: Annotated[Optional[str], typer.Option(help="only this user")] = None,
    entity: Annotated[Optional[str], typer.Option(help="only reads of this entity id")] = None,
    prop: Annotated[Optional[str], typer.Option(help="with --value: searches for this value, e.g. cnic")] = None,
    value: Annotated[Optional[str], typer.Option(help="the searched value (matched by keyed hash)")] = None,
    action: Annotated[Optional[str], typer.Option(help="only this action, e.g. read.find")] = None,
    since: Annotated[int, typer.Option(help="from this entry on")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
    user: UserOpt = None,
) -> None:
    """Who accessed what (auditors: everything; supervisors: their agency)."""
    if bool(prop) != bool(value):
        raise UsageError("give --prop and --value together")
    records = ctx.gate.access_log(ctx.login(user), case=case, actor=actor, entity=entity,
                                  value=(prop, value) if prop else None, action=action, since=since, limit=limit)
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


# --- evidence ------------------------------------------------------------------------------------

evidence_app = typer.Typer(help="Evidence custody: add files, export court bundles.", no_args_is_help=True)


@evidence_app.command("add")
@gated()
def evidence_add(ctx: GateContext, file: Path, case: CaseOpt, purpose: PurposeOpt,
                 description: Annotated[Optional[str], typer.Option(help="what the file is")] = None,
                 user: UserOpt = None) -> None:
    """Take FILE into custody for a case (content-addressed by SHA-256; logged)."""
    from tahqiq.govern.evidence import add_evidence

    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        item = add_evidence(view, file, description)
    out.print(f"evidence {item.sha256} ({item.filename}, {item.size_bytes} bytes) in custody for {case}; "
              f"custody entry {item.custody_seq}")


@evidence_app.command("list")
@gated()
def evidence_list(ctx: GateContext, case: CaseOpt, purpose: PurposeOpt, user: UserOpt = None) -> None:
    """The evidence held for a case."""
    from tahqiq.govern.evidence import list_evidence

    table = Table("sha256", "file", "bytes", "added by", "added", "description")
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        for i in list_evidence(view):
            table.add_row(i.sha256[:16] + "…", i.filename, str(i.size_bytes), i.added_by, _when(i.added_at),
                          i.description or "")
    out.print(table)


@evidence_app.command("export")
@gated()
def evidence_export(ctx: GateContext, out_dir: Path, case: CaseOpt, purpose: PurposeOpt,
                    sha: Annotated[Optional[list[str]], typer.Option(help="only this item (repeatable)")] = None,
                    user: UserOpt = None) -> None:
    """Write a court bundle (files, custody entries, inclusion proofs, signed tree head and the
    standalone checker) to OUT_DIR."""
    from tahqiq.govern.evidence import export_bundle

    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        path = export_bundle(view, out_dir, sha)
    out.print(f"court bundle written to {path}; check it with: python3 {path / 'verify_standalone.py'} {path}")


# --- retention -----------------------------------------------------------------------------------

retention_app = typer.Typer(help="Retention: delete data whose period has ended.", no_args_is_help=True)


@retention_app.command("run")
@gated()
def retention_run(ctx: GateContext, dry_run: Annotated[bool, typer.Option(help="count, delete nothing")] = False,
                  user: UserOpt = None) -> None:
    """Delete, per source, data older than its retention period unless attached to an open case
    (admins; the server also runs this on a schedule)."""
    from tahqiq.govern.retention import run_retention

    report = run_retention(ctx.audit, ctx.login(user), dry_run=dry_run)
    table = Table("source", "days", "cut-off (UTC)", "entities", "statements", "records", "quarantine",
                  "resolution rows", "kept for cases")
    for s in report.sources:
        table.add_row(s.source, str(s.retention_days), _when(s.cutoff), str(s.entities), str(s.statements),
                      str(s.records), str(s.quarantine), str(s.resolution_rows), str(s.protected))
    out.print(table)
    if report.feature_caches_removed:
        out.print(f"removed the resolution feature cache ({', '.join(report.feature_caches_removed)}): "
                  "the next `tahqiq resolve` is a full run")
    out.print(("dry run: nothing deleted" if dry_run else f"retention run {report.run_id} done") +
              ("" if report.sources else " (no source has a retention period)"))


@retention_app.command("set")
@gated()
def retention_set(ctx: GateContext, source: str,
                  days: Annotated[Optional[int], typer.Argument(help="days to keep; omit to keep forever")] = None,
                  user: UserOpt = None) -> None:
    """Set a source's retention period (admins)."""
    from tahqiq.govern.retention import set_retention

    set_retention(ctx.audit, ctx.login(user), source, days)
    out.print(f"{source}: " + (f"kept {days} days" if days else "kept until deleted by hand"))


# --- export / quarantine -------------------------------------------------------------------------


@gated()
def export_cmd(
    ctx: GateContext, out_file: Path, case: CaseOpt, purpose: PurposeOpt,
    all_: Annotated[bool, typer.Option("--all", help="every entity in the store (supervisors), not just the subjects")] = False,
    schema: Annotated[Optional[str], typer.Option(help="with --all: only this schema")] = None,
    source: Annotated[Optional[str], typer.Option(help="with --all: only this source")] = None,
    user: UserOpt = None,
) -> None:
    """Export entities readable under a case as FollowTheMoney JSON lines: the case's subjects, or
    with --all (supervisors) the whole store. Audited with the count."""
    from tahqiq.model.ftm import to_ftm

    n = 0
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        entities = view.iter_entities(schema=schema, source=source) if all_ else view.subjects()
        with open(out_file, "w", encoding="utf-8") as f:
            for ent in entities:
                f.write(json.dumps(to_ftm(ent), ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
    out.print(f"exported {n} entities to {out_file}")


quarantine_app = typer.Typer(help="Quarantined rows.", no_args_is_help=True)


@quarantine_app.command("show")
@gated()
def quarantine_show(ctx: GateContext, row: int, case: CaseOpt, purpose: PurposeOpt, user: UserOpt = None) -> None:
    """Show a quarantined row's data (personal data: through the gate, for a case)."""
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        q = view.quarantined_row(row)
    if q is None:
        raise UsageError(f"no quarantined row {row}")
    out.print(f"[bold]row {q.id}[/] source {q.source}, batch {q.batch_id}, line {q.row_number}, status {q.status}")
    out.print(f"field: {q.field or '-'}   reason: {q.reason}")
    out.print_json(json.dumps(q.data, ensure_ascii=False))


def _emit(doc: dict, path: Path | None) -> None:
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    if path:
        path.write_text(text + "\n", encoding="utf-8")
        err.print(f"written to {path}")
    else:
        sys.stdout.write(text + "\n")


def register(app: typer.Typer) -> None:
    for sub, name in ((user_app, "user"), (token_app, "token"), (case_app, "case"), (audit_app, "audit"),
                      (evidence_app, "evidence"), (retention_app, "retention"), (quarantine_app, "quarantine")):
        add_group(app, sub, name)
    app.command("export")(export_cmd)
