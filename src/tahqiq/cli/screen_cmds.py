"""Watchlist and screening commands: `tahqiq watchlist add/import/list/expire` and `tahqiq screen`.

Every command authenticates like the governance commands (`-u USER` with TAHQIQ_PASSWORD, or
TAHQIQ_TOKEN) and goes through the gate: changes are decided and audited under the entry's case,
listing and screening are audited reads. Exit status: 0 done, 2 bad request (bad rows are listed),
3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import (
    CaseOpt,
    GateContext,
    PurposeOpt,
    UsageError,
    UserOpt,
    add_group,
    err,
    expiry_option,
    gated,
    out,
)

watchlist_app = typer.Typer(help="Watchlists: people, phones, vehicles and cyber indicators wanted under a case.",
                            no_args_is_help=True)

Many = Annotated[list[str] | None, typer.Option(help="repeat for several")]
ExpiresOpt = Annotated[str | None, typer.Option(help="last day the entry matches (2026-12-31), "
                                                       "at most the case's expiry")]
DaysOpt = Annotated[int | None, typer.Option(help="or: the entry matches for this many days")]
OptionalPurpose = Annotated[str | None, typer.Option("--purpose", "-p", help="why (default: the reason)")]


def _expiry(expires: str | None, days: int | None, *, required: bool = True) -> datetime | None:
    if expires and days:
        raise UsageError("give --expires or --days, not both")
    if days is not None:
        if days < 1:
            raise UsageError("--days must be at least 1")
        return datetime.now(UTC) + timedelta(days=days)
    if expires:
        return expiry_option(expires)
    if required:
        raise UsageError("every watchlist entry needs an expiry: give --expires DATE or --days N")
    return None


@watchlist_app.command("add")
@gated()
def watchlist_add(
    ctx: GateContext,
    case: CaseOpt,
    kind: Annotated[str, typer.Option("--kind", "-k", help="person | phone | plate | chassis | indicator")],
    reason: Annotated[str, typer.Option(help="why the entry is wanted (e.g. 'absconder, warrant W-77/2026')")],
    name: Annotated[list[str] | None, typer.Option(help="a name or alias in any script (repeat)")] = None,
    cnic: Many = None, phone: Many = None, plate: Many = None, chassis: Many = None, iban: Many = None,
    indicator: Annotated[list[str] | None, typer.Option(help="domain, URL, IP, e-mail or file hash")] = None,
    indicator_type: Annotated[str | None, typer.Option(help="domain | url | ip | email | hash (guessed)")] = None,
    stix: Annotated[str | None, typer.Option(help="STIX 2.1 pattern, kept as provenance")] = None,
    birth_date: Annotated[str | None, typer.Option(help="date of birth (persons)")] = None,
    father: Annotated[str | None, typer.Option(help="father's name (persons)")] = None,
    entity: Annotated[str | None, typer.Option(help="a store entity to take the keys from")] = None,
    expires: ExpiresOpt = None, days: DaysOpt = None, purpose: OptionalPurpose = None, user: UserOpt = None,
) -> None:
    """Put a person, phone, vehicle or indicator on the case's watchlist (a person needs a warrant)."""
    from tahqiq.screen.watchlists import add_entry

    keys = {"name": name, "cnic": cnic, "phone": phone, "plate": plate, "chassis": chassis, "iban": iban,
            "indicator": indicator}
    with ctx.gate.session(ctx.login(user), case, purpose or reason) as view:
        wid = add_entry(view, kind.strip().lower(), reason=reason, expires_at=_expiry(expires, days),
                        keys={k: v for k, v in keys.items() if v}, birth_date=birth_date, father_name=father,
                        indicator_type=indicator_type, stix_pattern=stix, entity_id=entity)
    out.print(f"watchlist entry {wid} added to {case}")


@watchlist_app.command("import")
@gated()
def watchlist_import(ctx: GateContext, file: Path, case: CaseOpt,
                     purpose: Annotated[str, typer.Option("--purpose", "-p", help="why, in a few words")],
                     expires: ExpiresOpt = None, days: DaysOpt = None, user: UserOpt = None) -> None:
    """Add entries from a CSV file, all or none (bad rows are listed).

    Columns: kind, reason, expires, name, cnic, phone, plate, chassis, iban, indicator,
    indicator_type, stix_pattern, birth_date, father_name; several names or numbers in one cell are
    separated by '|'. --expires/--days give rows without an expiry of their own."""
    from tahqiq.screen.watchlists import WatchlistInputError, import_rows

    if not file.is_file():
        raise UsageError(f"no file {file}")
    default = _expiry(expires, days, required=False)
    with file.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    try:
        with ctx.gate.session(ctx.login(user), case, purpose) as view:
            ids = import_rows(view, rows, default_expires=default)
    except WatchlistInputError as exc:
        table = Table("row", "field", "problem", title=f"{file.name}: nothing imported, {len(exc.errors)} problem(s)")
        for row, fld, why in exc.errors:
            table.add_row(str(row), fld, why)
        err.print(table)
        raise typer.Exit(2) from None
    out.print(f"imported {len(ids)} watchlist entries into {case} (ids {ids[0]}-{ids[-1]})")


def _keys_text(entry) -> str:
    parts = []
    for kind in ("name", "cnic", "phone", "plate", "chassis", "iban", "indicator"):
        values = entry.values(kind)
        if values:
            parts.append(f"{kind}: {' | '.join(values)}")
    return "; ".join(parts)


@watchlist_app.command("list")
@gated()
def watchlist_list(ctx: GateContext, purpose: PurposeOpt,
                   case: Annotated[str | None, typer.Option("--case", "-c", help="one case (default: all)")] = None,
                   all_: Annotated[bool, typer.Option("--all", help="with --case: also expired and ended")] = False,
                   user: UserOpt = None) -> None:
    """Watchlist entries: of one case, or every active entry you may read (an audited read)."""
    from tahqiq.screen.watchlists import active_entries, list_entries

    me = ctx.login(user)
    if case:
        with ctx.gate.session(me, case, purpose) as view:
            entries = list_entries(view, include_inactive=all_)
    elif all_:
        raise UsageError("--all needs --case")
    else:
        entries = active_entries(ctx.gate, me, purpose)
    now = datetime.now(UTC)
    table = Table("id", "case", "kind", "label", "keys", "born", "father", "expires", "added by", "status")
    for e in entries:
        status = "ended" if e.removed_at else ("expired" if e.expires_at <= now else "active")
        table.add_row(str(e.id), e.case, e.kind, e.label, _keys_text(e), e.birth_date or "", e.father_name or "",
                      f"{e.expires_at:%Y-%m-%d %H:%M}", e.added_by, status)
    out.print(table)
    out.print(f"{len(entries)} entries")


@watchlist_app.command("expire")
@gated()
def watchlist_expire(ctx: GateContext, entry_id: int,
                     reason: Annotated[str, typer.Option(help="why the entry ends (e.g. 'arrested 2026-05-02')")],
                     purpose: OptionalPurpose = None, user: UserOpt = None) -> None:
    """End an entry now; it stops matching at once."""
    from tahqiq.screen.watchlists import entry_case, expire_entry

    me = ctx.login(user)
    case = entry_case(ctx.gate, me, entry_id)
    with ctx.gate.session(me, case, purpose or reason) as view:
        expire_entry(view, entry_id, reason)
    out.print(f"watchlist entry {entry_id} of {case} ended")


def _explain_text(hit) -> str:
    ex = hit.explanation
    if hit.kind != "name":
        via = f" via entity {ex['via_entity']}" if "via_entity" in ex else ""
        return f"exact {hit.kind} ({ex.get('field', hit.kind)}){via}"
    shared = " ".join(ex.get("shared_tokens", [])) or "-"
    bits = [ex.get("via", ""), f"name {ex.get('name_score')}", f"shared: {shared}"]
    if isinstance(ex.get("father_name"), dict):
        bits.append(f"father {ex['father_name']['result']} ({ex['father_name']['score']})")
    if not str(ex.get("birth_date", "")).startswith("not compared"):
        bits.append(f"born: {ex['birth_date']}")
    if ex.get("corrected_spelling"):
        bits.append("spelling: " + ", ".join(f"{a}->{b}" for a, b in ex["corrected_spelling"].items()))
    return "; ".join(bits)


@gated()
def screen_cmd(
    ctx: GateContext, purpose: PurposeOpt,
    name: Annotated[str | None, typer.Option(help="a name in any script ('s/o ...' is read as the father)")] = None,
    father: Annotated[str | None, typer.Option(help="father's name")] = None,
    birth_date: Annotated[str | None, typer.Option(help="date of birth")] = None,
    cnic: str | None = None, phone: str | None = None, plate: str | None = None,
    chassis: str | None = None, iban: str | None = None, indicator: str | None = None,
    case: Annotated[str | None, typer.Option("--case", "-c", help="screen only this case's watchlist")] = None,
    store: Annotated[
        bool, typer.Option("--store", help="also find store entities with the keys (needs --case)")
    ] = False,
    threshold: Annotated[float, typer.Option(help="lowest name score reported (0-1)")] = 0.8,
    limit: Annotated[int | None, typer.Option(help="most name hits per name (default: every hit above the "
                                                   "threshold, best first)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the hits as JSON")] = False,
    user: UserOpt = None,
) -> None:
    """Screen a name and/or identifiers against the watchlists, with score and explanation."""
    from tahqiq.screen.index import WatchlistIndex
    from tahqiq.screen.screening import screen_record, screen_store
    from tahqiq.screen.watchlists import audit_screening

    record = {k: v for k, v in {"name": name, "fatherName": father, "birthDate": birth_date, "cnic": cnic,
                                "phone": phone, "plate": plate, "chassis": chassis, "iban": iban,
                                "indicator": indicator}.items() if v}
    if not set(record) - {"fatherName", "birthDate"}:
        raise UsageError("give something to screen: --name, --cnic, --phone, --plate, --chassis, --iban or --indicator")
    if store and not case:
        raise UsageError("--store reads the store under a case: give --case")
    if not 0 < threshold <= 1:
        raise UsageError("--threshold must be between 0 and 1")
    me = ctx.login(user)
    matches = []
    if case:
        with ctx.gate.session(me, case, purpose) as view:
            index = WatchlistIndex.from_view(view)
            hits = screen_record(index, record, strict=True, threshold=threshold, limit=limit)
            if store:
                found = screen_store(view, record, index=index, strict=True)
                matches, hits = found.matches, hits + [h for h in found.hits if h not in hits]
            audit_screening(view, record=record, hit_ids=[h.entry_id for h in hits])
    else:
        index = WatchlistIndex.load(ctx.gate, me, purpose)
        hits = screen_record(index, record, strict=True, threshold=threshold, limit=limit)
        with ctx.gate.scope(me, purpose) as job:
            audit_screening(job, record=record, hit_ids=[h.entry_id for h in hits])
    if as_json:
        doc = {"hits": [{**h.__dict__} for h in hits], "store": [m.__dict__ for m in matches]}
        out.print_json(json.dumps(doc, ensure_ascii=False, default=str))
        return
    if not hits:
        out.print(f"no watchlist hits among {len(index)} active entries")
    else:
        table = Table("score", "entry", "key", "matched", "wanted", "case", "basis", "why")
        for h in hits:
            table.add_row(f"{h.score:.2f}", str(h.entry_id), h.kind, h.value, h.label, h.case, h.basis,
                          _explain_text(h))
        out.print(table)
    if matches:
        table = Table("field", "property", "entity", "schema", "source", "caption",
                      title="store entities with these keys")
        for m in matches:
            table.add_row(m.field, m.prop, m.entity_id, m.schema, m.source, m.caption or "")
        out.print(table)


def register(app: typer.Typer) -> None:
    add_group(app, watchlist_app, "watchlist")
    app.command("screen")(screen_cmd)
