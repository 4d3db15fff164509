"""Entities with their values and provenance, raw source records, quarantined rows, and the
wide table a resolution run reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tahqiq.model.entity import EntityView, Value
from tahqiq.store.tables import Entity, QuarantinedRow, ResolvedEntity, SourceRecord, Statement, props_of_these

if TYPE_CHECKING:
    import pandas as pd


def _attach(session: Session, entities: dict[str, EntityView]) -> None:
    ids = list(entities)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(Statement).where(Statement.entity_id.in_(chunk)).order_by(Statement.prop, Statement.id)
        ).scalars()
        for st in rows:
            entities[st.entity_id].properties.setdefault(st.prop, []).append(
                Value(st.value, st.original, st.script, st.source, st.record_id, st.batch_id, st.seen_at)
            )


def get_entities(session: Session, ids: Iterable[str]) -> list[EntityView]:
    """The entities with these ids (missing ids are left out), with every value and its provenance."""
    ids = list(dict.fromkeys(ids))
    found: dict[str, EntityView] = {}
    for start in range(0, len(ids), 500):
        for ent in session.execute(select(Entity).where(Entity.id.in_(ids[start : start + 500]))).scalars():
            found[ent.id] = EntityView(ent.id, ent.schema, ent.source)
    _attach(session, found)
    return [found[i] for i in ids if i in found]


def iter_entities(
    session: Session, *, schema: str | None = None, source: str | None = None, batch: int = 2000
) -> Iterator[EntityView]:
    """Every entity (optionally of one schema or source), streamed in id order."""
    last = ""
    while True:
        q = select(Entity).where(Entity.id > last).order_by(Entity.id).limit(batch)
        if schema:
            q = q.where(Entity.schema == schema)
        if source:
            q = q.where(Entity.source == source)
        page = {e.id: EntityView(e.id, e.schema, e.source) for e in session.execute(q).scalars()}
        if not page:
            return
        _attach(session, page)
        yield from page.values()
        last = max(page)


def find_by_value(session: Session, prop: str, value: str, limit: int = 100) -> list[EntityView]:
    """Entities that carry exactly this normalised value for this property (e.g. cnic)."""
    ids = session.execute(
        select(Statement.entity_id).where(Statement.prop == prop, Statement.value == value).distinct().limit(limit)
    ).scalars()
    return get_entities(session, ids)


def source_records(session: Session, source: str, record_ids: Iterable[str]) -> list[SourceRecord]:
    """Raw source rows, for showing where a value came from."""
    return list(
        session.execute(
            select(SourceRecord).where(SourceRecord.source == source, SourceRecord.record_id.in_(list(record_ids)))
        ).scalars()
    )


def quarantined_row(session: Session, row_id: int) -> QuarantinedRow | None:
    """A quarantined row including its data (which may be personal data)."""
    return session.get(QuarantinedRow, row_id)


def schema_table(session: Session, schema: str, props: Iterable[str],
                 entity_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per entity of `schema`: unique_id, source_dataset, record_id and the first value
    (smallest, so the same on every run) of each of `props`. For bulk jobs such as resolution."""
    import pandas as pd  # only bulk jobs need it: keeps every gated command 0.4 s quicker to start

    props = list(props)
    s = Statement.__table__.c
    q = select(s.entity_id, s.source, s.prop, s.value, s.record_id).where(s.schema == schema)
    if entity_ids is None:
        q = q.where(s.prop.in_(props))
    else:  # a few entities: look them up by id, not every statement of these properties
        q = q.where(s.entity_id.in_(list(entity_ids)), props_of_these(s.prop, props))
    rows = session.execute(q).all()
    long = pd.DataFrame(rows, columns=["unique_id", "source_dataset", "prop", "value", "record_id"])
    if long.empty:
        return pd.DataFrame(columns=["unique_id", "source_dataset", "record_id", *props])
    first = long.sort_values(["unique_id", "prop", "value"]).drop_duplicates(["unique_id", "prop"])
    wide = first.pivot(index="unique_id", columns="prop", values="value")
    meta = first.drop_duplicates("unique_id").set_index("unique_id")[["source_dataset", "record_id"]]
    out = meta.join(wide).reset_index()
    for p in props:
        if p not in out.columns:
            out[p] = None
    return out[["unique_id", "source_dataset", "record_id", *props]]


def unresolved_ids(session: Session, schema: str) -> list[str]:
    """Entities of `schema` that no resolution run has placed in a cluster yet."""
    placed = select(ResolvedEntity.entity_id)
    return list(session.execute(select(Entity.id).where(Entity.schema == schema, Entity.id.not_in(placed))).scalars())
