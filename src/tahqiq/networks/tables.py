"""The stored scam campaigns: the latest clustering of the complaints, one row per campaign.

A run replaces every row (a campaign's id is stable across runs: `campaigns.campaign_id`), so the
table is the current picture, not a history. The rows name complaints and the identifiers their
complainants gave (suspects' phones, IBANs), so they are personal data: read only inside a view's
decided block (`networks.service`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import PERSONAL_DATA, Base, utcnow

__all__ = ["NetworkCampaign"]


class NetworkCampaign(Base):
    __tablename__ = "network_campaigns"
    __table_args__ = PERSONAL_DATA

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # CMP-<sha256 of the smallest complaint id>
    complaints: Mapped[int] = mapped_column(Integer, index=True)
    first_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    total_lost: Mapped[float] = mapped_column(Float)
    # "|Lahore|Multan|": a district filter is one LIKE on every dialect (JSON queries differ)
    district_keys: Mapped[str] = mapped_column(Text)
    phones: Mapped[int] = mapped_column(Integer)
    ibans: Mapped[int] = mapped_column(Integer)
    wallets: Mapped[int] = mapped_column(Integer)
    domains: Mapped[int] = mapped_column(Integer)
    devices: Mapped[int] = mapped_column(Integer)
    # districts, complaints with their times and entity ids, values, links, hubs: what rebuilds the Campaign
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
