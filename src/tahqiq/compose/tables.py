"""Every room's tables, imported so that `Base.metadata` holds them all: for creating a migration
(`alembic revision --autogenerate` through `tahqiq.store.migrate`) and for checking that the
migrations and the tables agree (tests/store/test_store.py). The rooms themselves import only their
own tables; this composition root is the one place that knows them all."""

from sqlalchemy import MetaData

from tahqiq.alerts import tables as alert_tables
from tahqiq.casework import tables as casework_tables
from tahqiq.forecast import tables as forecast_tables
from tahqiq.govern import tables as govern_tables
from tahqiq.intel import osint_store as osint_tables
from tahqiq.intel import tables as intel_tables
from tahqiq.networks import tables as networks_tables
from tahqiq.resolve import tables as resolve_tables
from tahqiq.screen import tables as screen_tables
from tahqiq.store import tables as store_tables
from tahqiq.store.base import Base
from tahqiq.stream import tables as stream_tables

MODULES = (store_tables, govern_tables, screen_tables, stream_tables, alert_tables, resolve_tables, casework_tables,
           networks_tables, intel_tables, osint_tables, forecast_tables)


def metadata() -> MetaData:
    """The metadata of every table Tahqiq declares."""
    return Base.metadata


__all__ = ["MODULES", "metadata"]
