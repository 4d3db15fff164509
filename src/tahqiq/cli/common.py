"""Helpers shared by the CLI modules: the console, opening the store, failing with a clear message."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

console = Console(stderr=False)
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def store():
    """The configured store, migrated to the newest schema."""
    from tahqiq.store import open_store

    try:
        return open_store()
    except Exception as exc:  # noqa: BLE001 - any connection failure becomes one clear message
        from tahqiq.config import settings

        fail(f"cannot open the store at {settings().database_url}: {exc.__class__.__name__}: {exc}")
