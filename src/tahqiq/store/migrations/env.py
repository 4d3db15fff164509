"""Alembic environment: migrations run programmatically by tahqiq.store.migrate (or `alembic`)."""

from alembic import context

from tahqiq.store.base import Base
from tahqiq.store.db import make_engine

config = context.config
# Every room's tables share Base.metadata once their modules are imported; whoever autogenerates a
# migration imports them all first (`tahqiq.compose.tables`). Upgrades need only the scripts.
target_metadata = config.attributes.get("target_metadata", Base.metadata)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds tables when needed.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
