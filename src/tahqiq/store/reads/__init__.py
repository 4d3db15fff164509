"""Reads of personal data from the store: the only queries that return values of entities.

Only the governance gate (`tahqiq.govern`) imports this package: it hands features a reader whose
methods call these functions after the gate has decided, and writes one audit entry naming what
was disclosed. An import-linter contract (pyproject.toml) and tests/store/test_boundaries.py fail
if any other room imports it.
"""

from tahqiq.store.reads import entities, links
from tahqiq.store.reads.entities import (
    find_by_value,
    get_entities,
    iter_entities,
    quarantined_row,
    schema_table,
    source_records,
    unresolved_ids,
)

__all__ = ["entities", "links", "find_by_value", "get_entities", "iter_entities", "quarantined_row",
           "schema_table", "source_records", "unresolved_ids"]
