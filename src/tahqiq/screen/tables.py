"""The keys of watchlist entries: one row per name, CNIC, phone, plate, chassis, IBAN or indicator.

The entry itself (case, reason, who, expiry) is `tahqiq.govern.tables.WatchlistEntry`. Keys are kept
in their own table so that one entry can carry several aliases and identifiers, and so that "is this
CNIC on any watchlist?" is an indexed query. Names are stored as written (any script); their
canonical forms are computed when the index is built, so a better lexicon improves old entries too.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.db import Base


class WatchlistKey(Base):
    __tablename__ = "watchlist_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id"))
    kind: Mapped[str] = mapped_column(String(16))  # name | cnic | phone | plate | chassis | iban | indicator
    value: Mapped[str] = mapped_column(Text)  # normalised (names: cleaned text as written)
    original: Mapped[str | None] = mapped_column(Text)  # as typed, when normalising changed it

    __table_args__ = (
        UniqueConstraint("entry_id", "kind", "value", name="uq_watchlist_keys_entry_kind_value"),
        Index("ix_watchlist_keys_kind_value", "kind", "value"),
    )
