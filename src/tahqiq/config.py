"""Where Tahqiq keeps its data, read from the environment.

TAHQIQ_HOME          directory for the embedded store, keys and evidence (default ./.tahqiq)
TAHQIQ_DATABASE_URL  SQLAlchemy URL of the store (default: SQLite file in TAHQIQ_HOME)
TAHQIQ_DATABASE_SCHEMA  PostgreSQL schema to use (default: the server's search_path)
TAHQIQ_SQLITE_CACHE_MB  SQLite page cache per connection, in MiB (default 64; SQLite's own is 2)
TAHQIQ_TIMEZONE      the zone times are shown in (default Asia/Karachi); stored times stay UTC
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    database_schema: str | None = None
    sqlite_cache_mb: int = 64

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def resolution_cache(self) -> Path:
        """Where resolution runs keep prepared features: copies of values, so retention removes
        them when it deletes what they were made from."""
        return self.home / "resolve"


def settings() -> Settings:
    home = Path(os.environ.get("TAHQIQ_HOME", ".tahqiq")).resolve()
    url = os.environ.get("TAHQIQ_DATABASE_URL") or f"sqlite:///{home / 'tahqiq.db'}"
    schema = os.environ.get("TAHQIQ_DATABASE_SCHEMA") or None
    cache = os.environ.get("TAHQIQ_SQLITE_CACHE_MB", "64")
    try:
        cache_mb = int(cache)
    except ValueError:
        raise ValueError(f"TAHQIQ_SQLITE_CACHE_MB must be a whole number of MiB, not {cache!r}") from None
    return Settings(home=home, database_url=normalise_database_url(url), database_schema=schema,
                    sqlite_cache_mb=max(1, cache_mb))


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"TAHQIQ_TIMEZONE must be an IANA zone such as Asia/Karachi, not {name!r}") from None


def local_zone() -> ZoneInfo:
    """The zone in which people read times (pages, alerts, reports)."""
    return _zone(os.environ.get("TAHQIQ_TIMEZONE", "").strip() or "Asia/Karachi")


def normalise_database_url(url: str) -> str:
    # People paste libpq URLs; SQLAlchemy needs to be told to use psycopg 3.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
