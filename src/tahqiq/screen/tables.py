"""Watchlist entries and their keys: one key row per name, CNIC, phone, plate, chassis, IBAN or
indicator.

Keys are kept in their own table so that one entry can carry several aliases and identifiers, and
so that "is this CNIC on any watchlist?" is an indexed query. Names are stored as written (any script); their
canonical forms are computed when the index is built, so a better lexicon improves old entries too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import PERSONAL_DATA, Base, utcnow


class WatchlistEntry(Base):
    """Something wanted under a case: a person, a phone, a vehicle (plate or chassis) or a cyber
    indicator. A person entry needs a case whose legal basis is a warrant. Every entry expires (at
    the latest with its case) and stops matching by itself; `removed_at` ends it early. Its keys
    (names, CNICs, numbers, indicators) are rows of `watchlist_keys`."""

    __tablename__ = "watchlist_entries"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # person | phone | plate | chassis | indicator
    # The store entity the entry was made from, if any; stand-alone entries have only typed keys.
    entity_id: Mapped[str | None] = mapped_column(String(32), index=True)
    label: Mapped[str] = mapped_column(String(300))  # what an operator sees: name, number, plate...
    birth_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    father_name: Mapped[str | None] = mapped_column(Text)
    indicator_type: Mapped[str | None] = mapped_column(String(16))  # domain | url | ip | email | hash
    stix_pattern: Mapped[str | None] = mapped_column(Text)  # STIX 2.1 pattern, kept as provenance
    reason: Mapped[str] = mapped_column(Text)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)


class WatchlistKey(Base):
    __tablename__ = "watchlist_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id"))
    kind: Mapped[str] = mapped_column(String(16))  # name | cnic | phone | plate | chassis | iban | indicator
    value: Mapped[str] = mapped_column(Text)  # normalised (names: cleaned text as written)
    original: Mapped[str | None] = mapped_column(Text)  # as typed, when normalising changed it

    __table_args__ = (
        UniqueConstraint("entry_id", "kind", "value", name="uq_watchlist_keys_entry_kind_value"),
        Index("ix_watchlist_keys_kind_value", "kind", "value"), PERSONAL_DATA)
