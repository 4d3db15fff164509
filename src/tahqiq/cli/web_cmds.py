"""`tahqiq serve`: the analysts' web application and its JSON API, with uvicorn.

While the server runs it signs an audit tree head every second (while entries arrive) and applies
retention once a day, as docs/governance.md promises; both stop when the server stops.
"""

from __future__ import annotations

import threading
from typing import Annotated

import typer

from tahqiq.cli.common import console, fail, store


def serve(
    host: Annotated[str, typer.Option(help="address to listen on (127.0.0.1: this machine only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    insecure_cookies: Annotated[bool, typer.Option(
        "--insecure-cookies", help="send session cookies over plain http "
                                   "(development only; behind https leave it off)")] = False,
    retention_hours: Annotated[float, typer.Option(help="run retention every this many hours")] = 24.0,
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
    engine = store()
    app = create_app(engine, secure_cookies=not insecure_cookies)
    gate = app.state.gate
    heads = gate.audit.start_heartbeat()
    # Build the name-search index now rather than on the first search (it reads every name once).
    threading.Thread(target=index_for(gate).refresh, name="tahqiq-name-index", daemon=True).start()
    retention = start_schedule(gate.audit, interval_hours=retention_hours)
    scheme = "http" if insecure_cookies else "https (behind your TLS proxy)"
    console.print(f"Tahqiq on [bold]http://{host}:{port}/[/] — cookies for {scheme}; API docs at /docs")
    if not insecure_cookies and host in ("127.0.0.1", "localhost"):
        console.print("[yellow]note:[/] Secure cookies are not sent over plain http; use --insecure-cookies "
                      "to sign in at http://localhost")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
    finally:
        heads.set()
        retention.set()
        gate.audit.sign_head()  # cover the last requests' entries before exiting
        gate.dispose()
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
