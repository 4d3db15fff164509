"""The `tahqiq` command line. Each capability contributes its commands from its own module here."""

from __future__ import annotations

import os

import typer

from tahqiq.config import PRIVATE_UMASK

app = typer.Typer(
    name="tahqiq",
    help=(
        "Tahqiq: fuse police, ID, telecom, bank and cybercrime records with provenance on every value, "
        "behind a governance gate that audits every read.\n\n"
        "Start with `tahqiq demo`, or: `tahqiq init`, `tahqiq generate`, `tahqiq ingest`."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)


def _register() -> None:
    # Each command group's module defines `register(app)`; listed in pipeline order. The modules load
    # their heavy libraries (Splink, FastAPI, Spark) inside the commands that need them, so that
    # `tahqiq --help` and quick commands start in a fraction of a second.
    from tahqiq.cli import (
        audit_cmds,
        case_cmds,
        custody_cmds,
        data_cmds,
        demo_cmds,
        forecast_cmds,
        generate_cmds,
        ingest_cmds,
        intel_cmds,
        networks_cmds,
        resolve_cmds,
        screen_cmds,
        store_cmds,
        stream_cmds,
        user_cmds,
        web_cmds,
    )

    for module in (store_cmds, generate_cmds, ingest_cmds, user_cmds, case_cmds, audit_cmds, custody_cmds, data_cmds,
                   resolve_cmds, screen_cmds, demo_cmds, stream_cmds, networks_cmds, intel_cmds, forecast_cmds,
                   web_cmds):
        module.register(app)


def main() -> None:
    # Whatever this process writes holds personal data or keys (the store and SQLite's -wal/-shm,
    # parquet caches, exports, evidence): private to this account, files 0600 and folders 0700.
    os.umask(PRIVATE_UMASK)
    _register()
    app()
