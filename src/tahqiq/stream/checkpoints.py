"""The detection worker's checkpoint: its stream position and window state, loaded at start and
saved in the transaction that commits the alerts of the events it covers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from tahqiq.store.base import table_of
from tahqiq.stream.tables import StreamCheckpoint

_checkpoints = table_of(StreamCheckpoint)


def load_checkpoint(engine: Engine, consumer: str) -> tuple[int, dict[str, Any] | None]:
    """The consumer's last stream sequence and saved window state (`Detector.snapshot()`), or
    (0, None) when it has none yet."""
    with engine.connect() as conn:
        row = conn.execute(select(_checkpoints.c.stream_seq, _checkpoints.c.state)
                           .where(_checkpoints.c.consumer == consumer)).first()
    if row is None:
        return 0, None
    return int(row.stream_seq), json.loads(row.state)


def save_checkpoint(conn: Connection, consumer: str, seq: int, state: Mapping[str, object]) -> None:
    values = {"consumer": consumer, "stream_seq": seq, "state": json.dumps(state, separators=(",", ":")),
              "updated_at": datetime.now(UTC)}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    ins = insert(_checkpoints).values(**values)
    conn.execute(ins.on_conflict_do_update(index_elements=["consumer"],
                                           set_={k: ins.excluded[k] for k in ("stream_seq", "state", "updated_at")}))
