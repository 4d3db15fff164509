"""Writing detections to the alerts table (insert-or-ignore on the dedupe key) and the worker's
checkpoint (stream position + window state). Writes only: reading alerts is the AlertDesk's
(`tahqiq.govern.alerts`), behind the gate."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from tahqiq.stream.tables import Alert, StreamCheckpoint
from tahqiq.stream.windows import Detection

_alerts = Alert.__table__
_checkpoints = StreamCheckpoint.__table__


def _insert_ignore(conn: Connection, table, conflict: list[str]):
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict)
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict)


def _ts(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def alert_row(d: Detection, now: datetime) -> dict:
    title = d.rule.title if not d.key_value else f"{d.rule.title}: {d.key_value}"
    return {"dedupe_key": d.dedupe_key, "rule_id": d.rule.id, "severity": d.rule.severity, "district": d.district,
            "status": "new", "created_at": now, "occurred_at": _ts(d.occurred_at), "key_kind": d.key_kind,
            "key_value": d.key_value, "title": title[:300], "evidence": d.evidence, "case_ref": d.case_ref}


def write_alerts(conn: Connection, detections: list[Detection]) -> int:
    """Insert the detections' alerts in `conn`'s transaction; ones already stored are skipped.
    Returns how many were new."""
    if not detections:
        return 0
    now = datetime.now(timezone.utc)
    rows = list({d.dedupe_key: alert_row(d, now) for d in detections}.values())
    # RETURNING yields only the rows actually inserted (rowcount is unreliable for executemany).
    stmt = _insert_ignore(conn, _alerts, ["dedupe_key"]).returning(_alerts.c.id)
    return len(conn.execute(stmt, rows).all())


def load_checkpoint(engine: Engine, consumer: str) -> tuple[int, dict | None]:
    with engine.connect() as conn:
        row = conn.execute(select(_checkpoints.c.stream_seq, _checkpoints.c.state)
                           .where(_checkpoints.c.consumer == consumer)).first()
    if row is None:
        return 0, None
    return int(row.stream_seq), json.loads(row.state)


def save_checkpoint(conn: Connection, consumer: str, seq: int, state: dict) -> None:
    values = {"consumer": consumer, "stream_seq": seq, "state": json.dumps(state, separators=(",", ":")),
              "updated_at": datetime.now(timezone.utc)}
    conn.execute(_upsert(conn, values))


def _upsert(conn: Connection, values: dict):
    ins = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(_checkpoints).values(**values)
    return ins.on_conflict_do_update(index_elements=["consumer"],
                                     set_={k: ins.excluded[k] for k in ("stream_seq", "state", "updated_at")})
