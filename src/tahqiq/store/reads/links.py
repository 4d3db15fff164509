"""The queries behind the link graph: which values of these entities make links (references and
identifiers), who else holds a value (capped per value, so that a hub cannot flood a page), the
entities' schemata, their time values, the records resolved together with them, and the name
statements a name index is built from.

They return ids and link values (a CNIC, a referenced entity id) for the graph room to follow; what
a user is finally shown of an entity is read with `entities.get_entities`, and the gate records it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

from sqlalchemy import TextClause, func, select, text
from sqlalchemy.orm import Session

from tahqiq.model.schema import model
from tahqiq.store.tables import Entity, IngestBatch, ResolvedEntity, Statement, props_of_these

CHUNK = 500
PAIRS_PER_QUERY = 64  # (prop, value) lookups per UNION ALL statement (SQLite allows 500)

Row = tuple[str, str, str, str]  # (entity_id, schema, prop, value)


def chunks(items: list[str], n: int = CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i: i + n]


def values_of(session: Session, ids: Iterable[str], props: Iterable[str]) -> list[Row]:
    """(entity_id, schema, prop, value) of these entities' values of these properties."""
    ids, props = sorted(set(ids)), sorted(set(props))
    out: list[Row] = []
    for chunk in chunks(ids):
        out.extend((r[0], r[1], r[2], r[3]) for r in session.execute(
            select(Statement.entity_id, Statement.schema, Statement.prop, Statement.value)
            .where(Statement.entity_id.in_(chunk), props_of_these(Statement.prop, props))))
    return out


def holders(session: Session, pairs: Iterable[tuple[str, str]], per: int, *,
            events_by_time: bool = False) -> list[Row]:
    """(entity_id, schema, prop, value) of the statements with each (prop, value), at most `per` of
    each, a chunk of pairs per statement. A hub (an address shared by a thousand people) costs `per`
    index entries, not all of its rows; which ones is up to the index. With `events_by_time`, only
    events, newest first by their time (that reads the whole hub's index entries, but nothing else,
    to find the newest)."""
    rows: dict[Row, None] = {}  # ordered, and without the padding's repeats
    ordered = sorted(set(pairs))
    if session.get_bind().dialect.name == "postgresql":
        # One lateral subquery over arrays of pairs: planned once, however many pairs.
        for start in range(0, len(ordered), 1000):
            chunk = ordered[start: start + 1000]
            arrays = {"props": [p for p, _ in chunk], "vals": [v for _, v in chunk], "per": per}
            rows.update(dict.fromkeys((r[0], r[1], r[2], r[3])
                                      for r in session.execute(_holders_sql(events_by_time, True), arrays)))
        return list(rows)
    for start in range(0, len(ordered), PAIRS_PER_QUERY):
        chunk = ordered[start: start + PAIRS_PER_QUERY]
        # Always PAIRS_PER_QUERY terms (the last pair repeated): one SQL text, prepared once and
        # reused from the driver's statement cache; preparing a new compound each time costs more.
        chunk = chunk + [chunk[-1]] * (PAIRS_PER_QUERY - len(chunk))
        params: dict[str, object] = {"per": per}
        for i, (prop, value) in enumerate(chunk):
            params[f"p{i}"], params[f"v{i}"] = prop, value
        rows.update(dict.fromkeys((r[0], r[1], r[2], r[3])
                                  for r in session.execute(_holders_sql(events_by_time, False), params)))
    return list(rows)


@cache
def _holders_sql(events_by_time: bool, lateral: bool) -> TextClause:
    """The SQL of `holders`: on PostgreSQL a LATERAL subquery over unnested arrays of pairs; on
    SQLite (no LATERAL) a UNION ALL of PAIRS_PER_QUERY limited subqueries. Written as text: building
    hundreds of subqueries with the expression language costs more than running them."""
    table = Statement.__tablename__
    join = where = order = ""
    if events_by_time:
        def quoted(names: Iterable[str]) -> str:
            return ", ".join(f"'{name}'" for name in names)  # names from the model, not input

        # `prop || ''`: find the time values through the entity index (see store.tables.props_of_these).
        join = f" LEFT JOIN {table} w ON w.entity_id = s.entity_id AND w.prop || '' IN ({quoted(model().time_props)})"
        where = f" AND s.schema IN ({quoted(model().event_schemata)})"
        order = " ORDER BY w.value DESC NULLS LAST"

    def lookup(prop: str, value: str) -> str:
        return (f"SELECT s.entity_id, s.schema, s.prop, s.value FROM {table} s{join}"
                f" WHERE s.prop = {prop} AND s.value = {value}{where}{order} LIMIT :per")

    if lateral:
        return text("SELECT q.* FROM unnest(CAST(:props AS text[]), CAST(:vals AS text[])) AS k(prop, value)"
                    f" CROSS JOIN LATERAL ({lookup('k.prop', 'k.value')}) AS q")
    return text(" UNION ALL ".join(f"SELECT * FROM ({lookup(f':p{i}', f':v{i}')}) AS q{i}"
                                   for i in range(PAIRS_PER_QUERY)))


def schemata(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The schema of each of these entities (missing ones are left out)."""
    found: dict[str, str] = {}
    for chunk in chunks(sorted(set(ids))):
        found.update((i, s) for i, s in session.execute(select(Entity.id, Entity.schema).where(Entity.id.in_(chunk))))
    return found


def times(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """When each of these entities happened: the value of its most preferred time property (the
    model's `time` order; the first stored statement on a tie). Entities without one are left out."""
    rank = {p: i for i, p in enumerate(model().time_props)}
    best: dict[str, tuple[int, str, str]] = {}  # entity -> (prop rank, statement id, time)
    for chunk in chunks(sorted(set(ids))):
        rows = session.execute(select(Statement.entity_id, Statement.prop, Statement.id, Statement.value)
                               .where(Statement.entity_id.in_(chunk), props_of_these(Statement.prop, rank)))
        for eid, prop, sid, value in rows:
            key = (rank[prop], sid, value)
            if eid not in best or key < best[eid]:
                best[eid] = key
    return {eid: key[2] for eid, key in best.items()}


def same_cluster(session: Session, ids: Iterable[str], per: int = 50) -> set[str]:
    """The records resolved into the same clusters as these (the same person in other sources), at
    most `per` for each of them."""
    ids = sorted(set(ids))
    clusters = select(ResolvedEntity.cluster_id).where(ResolvedEntity.entity_id.in_(ids))
    return set(session.execute(select(ResolvedEntity.entity_id).where(ResolvedEntity.cluster_id.in_(clusters))
                               .limit(per * max(1, len(ids)))).scalars())


def cluster_of(session: Session, entity_id: str) -> tuple[str | None, list[str]]:
    """The cluster an entity was resolved into and its members (None, [] when it was not)."""
    cluster_id = session.execute(select(ResolvedEntity.cluster_id)
                                 .where(ResolvedEntity.entity_id == entity_id)).scalar()
    if cluster_id is None:
        return None, []
    members = list(session.execute(select(ResolvedEntity.entity_id).where(ResolvedEntity.cluster_id == cluster_id)
                                   .order_by(ResolvedEntity.entity_id)).scalars())
    return cluster_id, members


def store_version(session: Session) -> tuple[object, ...]:
    """Something that changes whenever values are added: the newest batch holding statements and
    how far every batch has got (two index lookups and a small table). Holds no personal data."""
    newest = session.execute(select(func.max(Statement.batch_id))).scalar()
    progress = session.execute(select(func.count(), func.sum(IngestBatch.rows_read),
                                      func.sum(IngestBatch.statements_added))).one()
    return (newest, *progress)


def values_since(session: Session, props: Iterable[str], batch: int) -> Iterator[tuple[str, str, int]]:
    """(entity_id, value, batch) of every value of these properties from batch `batch` on: what an
    in-memory index (names, for search) is built and brought up to date from."""
    rows = session.execute(select(Statement.entity_id, Statement.value, Statement.batch_id)
                           .where(Statement.prop.in_(list(props)), Statement.batch_id >= batch))
    yield from ((eid, value, b) for eid, value, b in rows)

def clusters_of(session: Session, ids: Iterable[str], batch: int = 500) -> dict[str, tuple[str, list[str]]]:
    """entity id -> (cluster id, all members) for every member of the clusters these ids were
    resolved into: two queries per `batch` ids, whatever the number of clusters."""
    wanted = sorted(set(ids))
    cluster_ids: set[str] = set()
    for i in range(0, len(wanted), batch):
        cluster_ids.update(session.execute(select(ResolvedEntity.cluster_id)
                                           .where(ResolvedEntity.entity_id.in_(wanted[i:i + batch]))).scalars())
    members: dict[str, list[str]] = {}
    ordered = sorted(cluster_ids)
    for i in range(0, len(ordered), batch):
        rows = session.execute(select(ResolvedEntity.cluster_id, ResolvedEntity.entity_id)
                               .where(ResolvedEntity.cluster_id.in_(ordered[i:i + batch]))
                               .order_by(ResolvedEntity.cluster_id, ResolvedEntity.entity_id))
        for cluster_id, entity_id in rows:
            members.setdefault(cluster_id, []).append(entity_id)
    return {m: (cid, ms) for cid, ms in members.items() for m in ms}

