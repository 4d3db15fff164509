"""The detection worker's checkpoint: its stream position and window state, loaded at start and
saved in the transaction that commits the alerts of the events it covers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from tahqiq.stream.tables import StreamCheckpoint

_checkpoints = StreamCheckpoint.__table__


def load_checkpoint(engine: Engine, consumer: str) -> tuple[int, dict | None]:
    with engine.connect() as conn:
        row = conn.execute(select(_checkpoints.c.stream_seq, _checkpoints.c.state)
                           .where(_checkpoints.c.consumer == consumer)).first()
    if row is None:
        return 0, None
    return int(row.stream_seq), json.loads(row.state)


def save_checkpoint(conn: Connection, consumer: str, seq: int, state: dict) -> None:
    values = {"consumer": consumer, "stream_seq": seq, "state": json.dumps(state, separators=(",", ":")),
              "updated_at": datetime.now(UTC)}
    conn.execute(_upsert(conn, values))


def _upsert(conn: Connection, values: dict):
    ins = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(_checkpoints).values(**values)
    return ins.on_conflict_do_update(index_elements=["consumer"],
                                     set_={k: ins.excluded[k] for k in ("stream_seq", "state", "updated_at")})
