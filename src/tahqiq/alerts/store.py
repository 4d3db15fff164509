"""Writing detections as alerts: insert-or-ignore on the dedupe key, in the detection worker's
transaction (with its checkpoint), so a redelivered batch adds nothing. Writes only: users read
alerts through the alert desk (`tahqiq.alerts.desk`), behind the gate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from tahqiq.alerts.tables import Alert
from tahqiq.store.base import table_of
from tahqiq.stream.windows import Detection

_alerts = table_of(Alert)


def _ts(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def alert_row(d: Detection, now: datetime) -> dict[str, Any]:
    title = d.rule.title if not d.key_value else f"{d.rule.title}: {d.key_value}"
    return {"dedupe_key": d.dedupe_key, "rule_id": d.rule.id, "severity": d.rule.severity, "district": d.district,
            "status": "new", "created_at": now, "occurred_at": _ts(d.occurred_at), "key_kind": d.key_kind,
            "key_value": d.key_value, "title": title[:300], "evidence": d.evidence, "case_ref": d.case_ref}


def write_alerts(conn: Connection, detections: list[Detection]) -> int:
    """Insert the detections' alerts in `conn`'s transaction; ones already stored are skipped.
    Returns how many were new."""
    if not detections:
        return 0
    now = datetime.now(UTC)
    rows = list({d.dedupe_key: alert_row(d, now) for d in detections}.values())
    # RETURNING yields only the rows actually inserted (rowcount is unreliable for executemany).
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(_alerts).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(_alerts.c.id)
    return len(conn.execute(stmt, rows).all())


__all__ = ["alert_row", "write_alerts"]
