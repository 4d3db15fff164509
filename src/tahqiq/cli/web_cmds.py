"""`tahqiq serve`: the analysts' web application and its JSON API, with uvicorn.

While the server runs it signs an audit tree head every second (while entries arrive) and applies
retention once a day, as docs/governance.md promises; both stop when the server stops.

The access log says who asked what and how it went: client address, method, path, status and
duration, never the query string or a body. Searches put CNICs, phone numbers and names in query
strings (GET /api/cases/X/search?q=35202-...), and the audit log keeps only keyed digests of them;
uvicorn's own access log, which prints the whole request line, is therefore off (docs/security.md).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tahqiq.cli.audit_cmds import env_list, witness_keys
from tahqiq.cli.common import console, fail, store
from tahqiq.cli.gated import UsageError

if TYPE_CHECKING:  # the CLI imports the heavy rooms inside its commands (see docs/architecture.md)
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "tahqiq.access"


class AccessLog:
    """ASGI middleware writing one line per request to the `tahqiq.access` logger: client address,
    method, path (without the query string), status and duration in milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sent(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            client = scope.get("client")
            self.log.info("%s %s %s %d %.1f ms", client[0] if client else "-", scope["method"], scope["path"],
                          status, (time.perf_counter() - started) * 1000)


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with our access logger in place of its own and the
    application's loggers (`tahqiq.*`: errors with their references) on the server's stderr."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = {**LOGGING_CONFIG, "formatters": dict(LOGGING_CONFIG["formatters"]),
                              "loggers": dict(LOGGING_CONFIG["loggers"])}
    config["formatters"]["access"] = {"()": "uvicorn.logging.DefaultFormatter",
                                      "fmt": "%(asctime)s %(levelprefix)s %(message)s", "use_colors": None}
    config["loggers"]["uvicorn.access"] = {"handlers": [], "level": "CRITICAL", "propagate": False}
    config["loggers"][ACCESS_LOGGER] = {"handlers": ["access"], "level": "INFO", "propagate": False}
    config["loggers"]["tahqiq"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(
    host: Annotated[str, typer.Option(help="address to listen on (127.0.0.1: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    insecure_cookies: Annotated[bool, typer.Option(
        "--insecure-cookies", help="send session cookies over plain http "
                                   "(development only; behind https leave it off)")] = False,
    retention_hours: Annotated[float, typer.Option(help="run retention every this many hours")] = 24.0,
    witness: Annotated[list[str] | None, typer.Option(
        help="publish the audit log's checkpoints to this witness (repeatable; default TAHQIQ_WITNESSES)")] = None,
    witness_key: Annotated[list[str] | None, typer.Option(
        help="the witness's public key, to check its cosignature (default TAHQIQ_WITNESS_KEYS)")] = None,
    publish_every: Annotated[float, typer.Option(help="seconds between publications to the witnesses")] = 60.0,
) -> None:
    """Serve the web application and the API (docs at /docs, the spec at /openapi.json)."""
    import uvicorn

    from tahqiq.compose import create_app
    from tahqiq.govern.retention import start_schedule
    from tahqiq.search import index_for

    if not 0 < port < 65536:
        fail(f"--port must be 1-65535, not {port}")
    if retention_hours <= 0:
        fail("--retention-hours must be positive")
    if publish_every <= 0:
        fail("--publish-every must be positive")
    engine = store()
    app = create_app(engine, secure_cookies=not insecure_cookies)
    gate = app.state.gate
    heads = gate.audit.start_heartbeat()
    # Build the name-search index now rather than on the first search (it reads every name once).
    threading.Thread(target=index_for(gate).refresh, name="tahqiq-name-index", daemon=True).start()
    retention = start_schedule(gate.audit, interval_hours=retention_hours)
    witnesses = witness or env_list("TAHQIQ_WITNESSES")
    publishing = None
    if witnesses:
        from tahqiq.govern.keys import load_origin
        from tahqiq.govern.witness_client import start_publishing

        try:
            wkeys = witness_keys(witness_key, required=False)
        except (OSError, ValueError, UsageError) as exc:
            fail(f"--witness-key: {exc}")
        publishing = start_publishing(gate.audit, load_origin(), witnesses, wkeys, interval=publish_every)
        console.print(f"publishing the audit log's checkpoints every {publish_every:.0f} s to "
                      f"{', '.join(witnesses)}")
    scheme = "http" if insecure_cookies else "https (behind your TLS proxy)"
    console.print(f"Tahqiq on [bold]http://{host}:{port}/[/] — cookies for {scheme}; API docs at /docs")
    if not insecure_cookies and host in ("127.0.0.1", "localhost"):
        console.print("[yellow]note:[/] Secure cookies are not sent over plain http; use --insecure-cookies "
                      "to sign in at http://localhost")
    try:
        # Analysts pause between clicks for longer than uvicorn's 5 s default keep-alive: a browser
        # reusing a connection the server just closed sees it reset.
        uvicorn.run(AccessLog(app), host=host, port=port, log_level="info", proxy_headers=True,
                    access_log=False, log_config=log_config(), timeout_keep_alive=75)
    finally:
        heads.set()
        retention.set()
        if publishing is not None:
            publishing.set()
        gate.audit.sign_head()  # cover the last requests' entries before exiting
        gate.dispose()
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
