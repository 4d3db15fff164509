"""The reader a view hands a feature inside a decided `read` block (see `tahqiq.govern.views`).

Its methods are the only way a feature obtains values from the entity store; each calls
`tahqiq.store.reads`. What it returns falls in three kinds, and the grant written when the block ends
accounts for each:

* **values** (`entities`, `find`, `source_records`, `quarantined_row`, bulk `iter_entities` and
  `schema_table`): the entities are *disclosed*, and the grant lists their ids;
* **exploration** (`values_of`, `holders`, `schemata`, `times`, `same_cluster`, `cluster_of`, `clusters_of`,
  `values_since`): ids and link values a feature follows to decide what to show (a graph search, a
  name index), counted in the grant but not listed;
* **the feature's own tables** (`conn`): watchlists, alerts, notes; the feature names what it hands
  on with `disclose(...)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tahqiq.govern.auditlog import AuditRecord
from tahqiq.govern.base import GovernError
from tahqiq.govern.tables import CaseSubject
from tahqiq.model.entity import EntityView
from tahqiq.store import reads
from tahqiq.store.reads.links import Row
from tahqiq.store.tables import QuarantinedRow, SourceRecord

if TYPE_CHECKING:
    import pandas as pd

    from tahqiq.govern.views import GrantedCase


class Reader:
    def __init__(self, session: Session, case: GrantedCase | None) -> None:
        self._session = session
        self.case = case
        self.disclosed: dict[str, None] = {}  # ids, in the order handed out
        self.detail: dict[str, Any] = {}
        self.target: str | None = None  # what the grant names, when the block's `target` was not known up front
        self.entry: AuditRecord | None = None  # the grant, once the block has ended
        # The case whose rows a job view hands out (alerts raised on a case's watchlist): the grant
        # names it, so a look-up of who read a case's data finds the read.
        self.case_ref: str | None = case.reference if case is not None else None

    # --- bookkeeping --------------------------------------------------------------------------

    def disclose(self, ids: Iterable[str | int]) -> None:
        """Name what the feature hands on from its own tables (alert ids, note ids, entry ids)."""
        self.disclosed.update(dict.fromkeys(str(i) for i in ids))

    def note(self, **detail: Any) -> None:
        """Add facts to the grant's detail (filters, counts, the centre of a graph)."""
        self.detail.update(detail)

    def _explored(self, n: int) -> None:
        self.detail["explored"] = self.detail.get("explored", 0) + n

    def _disclosing(self, found: list[EntityView]) -> list[EntityView]:
        self.disclosed.update(dict.fromkeys(e.id for e in found))
        return found

    @property
    def conn(self) -> Connection:
        """The connection of this decided read, for the feature's own tables."""
        return self._session.connection()

    @property
    def session(self) -> Session:
        """The same, as an ORM session (for queries that return mapped objects)."""
        return self._session

    # --- values -------------------------------------------------------------------------------

    def entities(self, ids: Iterable[str]) -> list[EntityView]:
        """These entities (missing ids left out) with every value and its provenance."""
        return self._disclosing(reads.get_entities(self._session, ids))

    def find(self, prop: str, value: str, limit: int = 100) -> list[EntityView]:
        """Entities carrying exactly this normalised value of `prop`."""
        return self._disclosing(reads.find_by_value(self._session, prop, value, limit=limit))

    def source_records(self, source: str, record_ids: Iterable[str]) -> list[SourceRecord]:
        rows = reads.source_records(self._session, source, list(record_ids))
        self._session.expunge_all()
        self.detail.setdefault("records", []).extend(r.record_id for r in rows)
        self.detail["count"] = len(self.detail["records"])
        return rows

    def quarantined_row(self, row_id: int) -> QuarantinedRow | None:
        row = reads.quarantined_row(self._session, row_id)
        if row is not None:
            self._session.expunge(row)
        return row

    def iter_entities(self, schema: str | None = None, source: str | None = None) -> Iterator[EntityView]:
        """Every entity (of a schema / source), streamed; for the gate's bulk export only."""
        return reads.iter_entities(self._session, schema=schema, source=source)

    def schema_table(self, schema: str, props: list[str], entity_ids: list[str] | None = None) -> pd.DataFrame:
        """A bulk job's input: one row per entity of `schema` with its first value of each prop. The
        grant records the number of records, not their ids (no one sees the values)."""
        frame = reads.schema_table(self._session, schema, props, entity_ids)
        self.detail["records"] = self.detail.get("records", 0) + len(frame)
        return frame

    # --- exploration --------------------------------------------------------------------------

    def subject_ids(self) -> list[str]:
        """The ids of the case's subjects."""
        if self.case is None:
            raise GovernError("subjects belong to a case; open a case view")
        return list(self._session.execute(select(CaseSubject.entity_id).where(CaseSubject.case_id == self.case.id)
                                          .order_by(CaseSubject.entity_id)).scalars())

    def values_of(self, ids: Iterable[str], props: Iterable[str]) -> list[Row]:
        rows = reads.links.values_of(self._session, ids, props)
        self._explored(len(rows))
        return rows

    def holders(self, pairs: Iterable[tuple[str, str]], per: int, *, events_by_time: bool = False) -> list[Row]:
        rows = reads.links.holders(self._session, pairs, per, events_by_time=events_by_time)
        self._explored(len(rows))
        return rows

    def schemata(self, ids: Iterable[str]) -> dict[str, str]:
        return reads.links.schemata(self._session, ids)

    def times(self, ids: Iterable[str]) -> dict[str, str]:
        return reads.links.times(self._session, ids)

    def same_cluster(self, ids: Iterable[str], per: int = 50) -> set[str]:
        return reads.links.same_cluster(self._session, ids, per)

    def cluster_of(self, entity_id: str) -> tuple[str | None, list[str]]:
        return reads.links.cluster_of(self._session, entity_id)

    def clusters_of(self, ids: Iterable[str]) -> dict[str, tuple[str, list[str]]]:
        """entity id -> (cluster id, members) for every member of these ids' clusters (batched)."""
        return reads.links.clusters_of(self._session, ids)

    def unresolved_ids(self, schema: str) -> list[str]:
        return reads.unresolved_ids(self._session, schema)

    def values_since(self, props: Iterable[str], batch: int) -> Iterator[tuple[str, str, int]]:
        return reads.links.values_since(self._session, props, batch)


__all__ = ["Reader"]
