"""Imports every module that declares tables, so that Base.metadata (and Alembic) sees them all."""

from tahqiq.store import tables  # noqa: F401
from tahqiq.govern import tables as _govern_tables  # noqa: F401
from tahqiq.govern import notes_tables as _notes_tables  # noqa: F401
from tahqiq.screen import tables as _screen_tables  # noqa: F401
from tahqiq.stream import tables as _stream_tables  # noqa: F401
from tahqiq.resolve import tables as _resolve_tables  # noqa: F401
