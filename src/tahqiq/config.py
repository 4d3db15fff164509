"""Where Tahqiq keeps its data, read from the environment.

TAHQIQ_HOME          directory for the embedded store, keys and evidence (default ./.tahqiq)
TAHQIQ_DATABASE_URL  SQLAlchemy URL of the store (default: SQLite file in TAHQIQ_HOME)
TAHQIQ_DATABASE_SCHEMA  PostgreSQL schema to use (default: the server's search_path)
TAHQIQ_SQLITE_CACHE_MB  SQLite page cache per connection, in MiB (default 64; SQLite's own is 2)
TAHQIQ_TIMEZONE      the zone times are shown in (default Asia/Karachi); stored times stay UTC

Everything under TAHQIQ_HOME is personal data or a key to it (the store, evidence, resolution
caches, exports, signing keys), so it is private to the account that runs Tahqiq: folders 0700,
files 0600 (`private_dir`, `private_file`, and the process umask `PRIVATE_UMASK` that the CLI sets
so that files made by libraries, such as SQLite's -wal and -shm, are private too).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRIVATE_UMASK = 0o077  # new files 0600, new folders 0700: no access for the group or others
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner may enter: created 0700 (with its missing parents), and
    an existing one tightened to 0700. Returns the path."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != PRIVATE_DIR_MODE:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def private_file(path: Path, mode: int = PRIVATE_FILE_MODE) -> Path:
    """Tighten an existing file to `mode` (default 0600; evidence uses 0400). Group and others
    never get a bit, whatever `mode` asks. Returns the path."""
    path.chmod(mode & PRIVATE_DIR_MODE)
    return path


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
