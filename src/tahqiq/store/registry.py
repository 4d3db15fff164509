"""Imports every module that declares tables, so that Base.metadata (and Alembic) sees them all."""

from tahqiq.store import tables  # noqa: F401
from tahqiq.govern import tables as _govern_tables  # noqa: F401
