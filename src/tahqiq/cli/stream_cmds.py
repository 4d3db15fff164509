"""Stream commands: `tahqiq replay`, `tahqiq detect`, `tahqiq rules list|check`, and the alert desk
`tahqiq alerts list|show|ack|verify|false-positive|dispatch|close|route|feedback`.

Without --bus, replay and detect run the embedded pipeline (in-process bus, the worker in the same
process). With --bus nats://HOST:4222, replay publishes to JetStream and detect is the durable worker.
Alert commands authenticate like the governance commands (-u NAME + TAHQIQ_PASSWORD, or TAHQIQ_TOKEN).
Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from tahqiq.cli.common import console, err_console, fail, store

if TYPE_CHECKING:  # the commands import these when they run, so that `tahqiq --help` stays quick
    from sqlalchemy import Engine

    from tahqiq.alerts import AlertView
    from tahqiq.govern import Gate, Principal
    from tahqiq.screen.hits import KeyLookup
    from tahqiq.stream.rulefile import Rule
    from tahqiq.stream.worker import WorkerStats

BusOpt = Annotated[str | None, typer.Option("--bus", help="nats://127.0.0.1:4222 for JetStream; "
                                                          "omit for the in-process bus")]
RulesOpt = Annotated[list[Path] | None, typer.Option("--rules", "-r", help="rule file or folder (repeatable); "
                                                                           "default: the shipped rules")]
StreamOpt = Annotated[str, typer.Option("--stream", help="JetStream stream name")]
ConsumerOpt = Annotated[str, typer.Option("--consumer", help="durable consumer (one worker each)")]
UserOpt = Annotated[str | None, typer.Option("--user", "-u", help="your username (or set TAHQIQ_TOKEN)")]

rules_app = typer.Typer(help="Detection rules: list and check.", no_args_is_help=True)
alerts_app = typer.Typer(help="The alert desk: read, act on and route alerts (audited).", no_args_is_help=True)


def _rules(paths: list[Path] | None) -> list[Rule]:
    from tahqiq.stream.rulefile import RuleError, load_rules

    try:
        return load_rules(*(paths or []))
    except RuleError as exc:
        fail(str(exc), 2)


def _login(gate: Gate, user: str | None) -> Principal:
    token = os.environ.get("TAHQIQ_TOKEN")
    user = user or os.environ.get("TAHQIQ_USER")
    if token and not user:
        return gate.authenticate_token(token)
    if not user:
        fail("give --user NAME (password from TAHQIQ_PASSWORD or a prompt), or set TAHQIQ_TOKEN", 2)
    password = os.environ.get("TAHQIQ_PASSWORD")
    if password is None:
        password = typer.prompt(f"password for {user}", hide_input=True, err=True)
    return gate.authenticate_password(user, password)


def _watchlist(engine: Engine, user: str | None) -> KeyLookup | None:
    """The watchlist index, loaded through the gate as `user`; without a user, watchlist conditions
    match nothing (said on stderr)."""
    if not user and not os.environ.get("TAHQIQ_TOKEN"):
        err_console.print("[yellow]no --user: watchlist conditions will match nothing[/]")
        return None
    from tahqiq.govern import Gate
    from tahqiq.screen.index import WatchlistIndex

    gate = Gate(engine)
    return WatchlistIndex.load(gate, _login(gate, user))


def _records(files: list[Path]) -> Iterator[dict[str, Any]]:
    """The files' records merged in event time (each generated stream is in time order), as a live
    feed would interleave them: windows run in event time, so replaying the files one after the
    other would make the second file's events look hours late."""
    import heapq

    from tahqiq.stream.events import EventError, epoch_seconds, read_records

    for f in files:
        if not f.exists():
            fail(f"{f}: no such file", 2)

    def when(record: dict[str, Any]) -> float:
        try:
            return epoch_seconds(record.get("occurred_at") or "")
        except (TypeError, ValueError):
            return float("-inf")  # the worker reports it as a bad event

    try:
        yield from heapq.merge(*(read_records(f) for f in files), key=when)
    except EventError as exc:
        fail(str(exc), 2)


def _check_bus(url: str | None) -> None:
    from tahqiq.stream.bus import BusError, make_bus

    try:
        make_bus(url)
    except BusError as exc:
        fail(str(exc), 2)


def _progress_printer() -> Callable[[WorkerStats], None]:
    last = [0.0]

    def show(stats: WorkerStats) -> None:
        if stats.seconds - last[0] >= 2.0:
            last[0] = stats.seconds
            err_console.print(f"{stats.events:,} events · {stats.alerts_new:,} new alerts · "
                              f"{stats.events / max(stats.seconds, 1e-9):,.0f} events/s", highlight=False)

    return show


def _summary(stats: WorkerStats, what: str) -> None:
    table = Table("", what)
    for label, value in (("events", stats.events), ("messages", stats.messages), ("bad events", stats.bad_events),
                         ("detections", stats.detections), ("new alerts", stats.alerts_new),
                         ("seconds", f"{stats.seconds:.2f}"),
                         ("events/s", f"{stats.events / max(stats.seconds, 1e-9):,.0f}")):
        table.add_row(label, f"{value:,}" if isinstance(value, int) else value)
    console.print(table)


async def _embedded(engine: Engine, files: list[Path], rules: list[Rule], lookup: KeyLookup | None, batch: int,
                    rate: float | None) -> WorkerStats:
    from tahqiq.alerts import write_alerts
    from tahqiq.stream.bus import InProcessBus
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.windows import Detector
    from tahqiq.stream.worker import Worker, replay

    bus = InProcessBus()
    worker = Worker(engine, Detector(RuleEngine(rules, lookup)), bus, sink=write_alerts,
                    on_progress=_progress_printer())

    async def produce() -> None:
        await replay(bus, _records(files), batch_size=batch, rate=rate)
        await bus.close()

    _, stats = await asyncio.gather(produce(), worker.run())
    return stats


def replay_cmd(
    files: Annotated[list[Path], typer.Argument(help="stream files (JSON lines), "
                                                     "e.g. demo-data/streams/anpr_reads.jsonl")],
    bus: BusOpt = None,
    rate: Annotated[float | None, typer.Option(help="events per second (default: as fast as possible)")] = None,
    batch: Annotated[int, typer.Option(help="events per bus message")] = 500,
    stream: StreamOpt = "TAHQIQ_EVENTS",
    rules: RulesOpt = None,
    user: UserOpt = None,
) -> None:
    """Feed generated streams to the bus. Without --bus: the embedded pipeline, alerts included."""
    from tahqiq.stream.bus import BusError, NatsBus
    from tahqiq.stream.worker import replay

    if batch < 1:
        fail("--batch must be at least 1", 2)
    _check_bus(bus)
    if not bus:
        engine = store()
        stats = asyncio.run(_embedded(engine, files, _rules(rules), _watchlist(engine, user), batch, rate))
        _summary(stats, "embedded pipeline")
        return

    async def run() -> int:
        nats_bus = await NatsBus(bus, stream=stream, subject=f"{stream.lower()}.events").connect()
        try:
            return await replay(nats_bus, _records(files), batch_size=batch, rate=rate)
        finally:
            await nats_bus.close()

    try:
        n = asyncio.run(run())
    except BusError as exc:
        fail(str(exc), 2)
    console.print(f"published {n:,} events to {bus} (stream {stream})")


def detect_cmd(
    files: Annotated[list[Path] | None, typer.Argument(help="in-process bus only: stream files to run")] = None,
    bus: BusOpt = None,
    rules: RulesOpt = None,
    stream: StreamOpt = "TAHQIQ_EVENTS",
    consumer: ConsumerOpt = "tahqiq-detect",
    idle_exit: Annotated[float | None, typer.Option(help="stop after this many seconds without messages")] = None,
    ack_wait: Annotated[float, typer.Option(help="seconds before JetStream redelivers an unacknowledged "
                                                 "message")] = 30.0,
    user: UserOpt = None,
) -> None:
    """Run the detection worker: rules and windows over the stream, alerts into the store."""
    from tahqiq.alerts import write_alerts
    from tahqiq.stream.bus import BusError, NatsBus
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.windows import Detector
    from tahqiq.stream.worker import Worker

    _check_bus(bus)
    loaded = _rules(rules)
    engine = store()
    lookup = _watchlist(engine, user)
    if not bus:
        if not files:
            fail("the in-process bus needs stream files (or give --bus nats://...)", 2)
        _summary(asyncio.run(_embedded(engine, files, loaded, lookup, 500, None)), "embedded pipeline")
        return

    async def run() -> WorkerStats:
        nats_bus = await NatsBus(bus, stream=stream, subject=f"{stream.lower()}.events", durable=consumer,
                                 ack_wait=ack_wait).connect()
        try:
            worker = Worker(engine, Detector(RuleEngine(loaded, lookup)), nats_bus, sink=write_alerts,
                            consumer=consumer, on_progress=_progress_printer())
            return await worker.run(idle_exit=idle_exit)
        finally:
            await nats_bus.close()

    try:
        stats = asyncio.run(run())
    except BusError as exc:
        fail(str(exc), 2)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    _summary(stats, f"worker {consumer}")


@rules_app.command("list")
def rules_list(rules: RulesOpt = None) -> None:
    """The rules that `detect` would run."""
    table = Table("id", "severity", "schema", "key", "correlation", "title")
    for r in _rules(rules):
        corr = r.correlation
        table.add_row(r.id, r.severity, ",".join(r.schemas or ["*"]), r.key or "",
                      f"{corr.type} {corr.timespan}s" if corr else "", r.title)
    console.print(table)


@rules_app.command("check")
def rules_check(files: Annotated[list[Path], typer.Argument(help="rule files or folders")]) -> None:
    """Validate rule files; errors name the file, the rule and the field."""
    from tahqiq.stream.engine import RuleEngine

    loaded = _rules(files)
    stats = RuleEngine(loaded).stats()
    console.print(f"ok: {len(loaded)} rules, {stats['atoms']} distinct conditions, schemas: "
                  f"{', '.join(stats['schemas']) or 'any'}")


def _desk(fn: Callable[..., None]) -> Callable[..., None]:
    """Run an alert-desk command: open the store and gate, map refusals to exit codes."""
    import functools

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        from tahqiq.alerts import AlertDesk
        from tahqiq.govern import AccessDenied, Gate, GovernError

        engine = store()
        gate = Gate(engine)
        try:
            return fn(AlertDesk(gate), *args, **kwargs)
        except AccessDenied as exc:
            err_console.print(f"[bold red]denied:[/] {exc.reason} (audit entry {exc.audit_seq})")
            raise typer.Exit(3) from None
        except GovernError as exc:
            fail(str(exc), 2)
        finally:
            gate.audit.sign_head()
            gate.dispose()
            engine.dispose()

    import inspect

    sig = inspect.signature(fn, eval_str=True)
    params = list(sig.parameters.values())[1:]
    # Typer reads the command's options from inspect.signature(), which honours __signature__;
    # typeshed declares no such attribute on functions.
    run.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in params}
    del run.__wrapped__
    return run


def _show(view: AlertView) -> None:
    console.print(f"[bold]alert {view.id}[/] · {view.severity} · {view.status} · {view.district or '-'}\n"
                  f"{view.title}\nrule {view.rule_id} · key {view.key_kind}={view.key_value} · "
                  f"case {view.case_ref or '-'}\n"
                  f"occurred {view.occurred_at} · raised {view.created_at}", highlight=False)
    console.print_json(json.dumps(view.evidence, default=str))
    for h in view.history:
        console.print(f"  {h['at']:%Y-%m-%d %H:%M:%S} {h['user']}: {h['action']} ({h['from']} -> {h['to']})"
                      + (f" — {h['note']}" if h["note"] else "") + f" [audit {h['audit_seq']}]", highlight=False)


@alerts_app.command("list")
@_desk
def alerts_list(desk, district: Annotated[str | None, typer.Option()] = None,
                status: Annotated[str | None, typer.Option()] = None,
                after: Annotated[int, typer.Option(help="only alerts with a larger id")] = 0,
                limit: Annotated[int, typer.Option()] = 100, user: UserOpt = None) -> None:
    """Alerts routed to you (newest last)."""
    views = desk.list(_login(desk.gate, user), district=district, status=status, after_id=after, limit=limit)
    table = Table("id", "severity", "status", "district", "rule", "title", "occurred (UTC)")
    for v in views:
        table.add_row(str(v.id), v.severity, v.status, v.district or "", v.rule_id, v.title,
                      f"{v.occurred_at:%Y-%m-%d %H:%M}" if v.occurred_at else "")
    console.print(table)


@alerts_app.command("show")
@_desk
def alerts_show(desk, alert_id: int, user: UserOpt = None) -> None:
    """One alert with its evidence and history."""
    _show(desk.get(_login(desk.gate, user), alert_id))


def _action(name: str, doc: str) -> Callable[..., None]:
    @_desk
    def act(desk, alert_id: int, note: Annotated[str | None, typer.Option(help="why, for the record")] = None,
            unit: Annotated[str | None, typer.Option(help="dispatch: the unit or police station sent")] = None,
            user: UserOpt = None) -> None:
        view = desk.act(_login(desk.gate, user), alert_id, name, note, unit)
        console.print(f"alert {view.id} is now [bold]{view.status}[/]")

    act.__doc__ = doc
    return act


for _name, _cmd, _doc in (("acknowledge", "ack", "Acknowledge a new alert (you are looking at it)."),
                          ("verify", "verify", "Confirm the match after checking it (needed before dispatch)."),
                          ("false_positive", "false-positive", "Mark the match as wrong (counted against its rule)."),
                          ("dispatch", "dispatch", "Record the unit sent (--unit, --note; verified alerts only)."),
                          ("close", "close", "Close a dispatched or false-positive alert.")):
    alerts_app.command(_cmd)(_action(_name, _doc))


@alerts_app.command("route")
@_desk
def alerts_route(desk, username: str, district: str, user: UserOpt = None) -> None:
    """Send a district's alerts to a user's control room (supervisors, admins)."""
    desk.route(_login(desk.gate, user), username, district)
    console.print(f"{district} alerts now go to {username}")


@alerts_app.command("feedback")
@_desk
def alerts_feedback(desk, user: UserOpt = None) -> None:
    """Verified matches and false positives per rule."""
    table = Table("rule", "verified", "false positives", "FP rate")
    for f in desk.feedback(_login(desk.gate, user)):
        table.add_row(f["rule_id"], str(f["verified"]), str(f["false_positive"]),
                      "" if f["false_positive_rate"] is None else f"{f['false_positive_rate']:.0%}")
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_cmd)
    app.command("detect")(detect_cmd)
    app.add_typer(rules_app, name="rules")
    app.add_typer(alerts_app, name="alerts")
