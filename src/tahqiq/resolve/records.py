"""Records to resolve, as one table per schema: from a generated directory (for evaluation and
benchmarks, through the same mappings and normalisers that ingest uses, but without a database),
or from the store (through the governance gate: see tahqiq.resolve.review).

A row is one entity: `unique_id`, `source_dataset`, `record_id`, `role` (the mapping's local name,
e.g. accused/complainant) and the first value of each resolution field.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tahqiq.ingest.mapping import default_input, load_mapping
from tahqiq.ingest.readers import BadRow, open_input
from tahqiq.ingest.rowmap import Rejection, RowMapper
from tahqiq.resolve.spec import RESOLVED_PROPERTIES


def rows_from_statements(entity_id: str, source: str, record_id: str, role: str, statements, props) -> dict:
    row = {"unique_id": entity_id, "source_dataset": source, "record_id": record_id, "role": role}
    for st in statements:
        if st["prop"] in props and st["prop"] not in row:
            row[st["prop"]] = st["value"]
    return row


def frame_from_directory(directory: str | Path, schema: str = "Person", *, progress=None) -> pd.DataFrame:
    """Every `schema` entity the directory's mappings produce from its source files (not its streams)."""
    directory = Path(directory)
    props = set(RESOLVED_PROPERTIES[schema])
    rows: dict[str, dict] = {}
    mappings = sorted((directory / "mappings").glob("*.yml"))
    if not mappings:
        raise FileNotFoundError(f"{directory}/mappings holds no *.yml mappings: is this a generated directory?")
    for path in mappings:
        mapping = load_mapping(path)
        target = default_input(mapping, path)
        if target is None or "/streams/" in str(target).replace("\\", "/"):
            continue
        mapper = RowMapper(mapping)
        opened = open_input(mapping, target)
        for number, row in opened.rows:
            if isinstance(row, BadRow):
                continue
            mapped = mapper.map(row, number)
            if isinstance(mapped, Rejection):
                continue  # ingest would quarantine it: it is not in the store either
            for ent in mapped.entities:
                if ent.schema == schema and ent.id not in rows:
                    rows[ent.id] = rows_from_statements(ent.id, mapping.source, mapped.record_id, ent.local,
                                                        ent.statements, props)
        if progress:
            progress(mapping.source, len(rows))
    frame = pd.DataFrame(list(rows.values()))
    for p in RESOLVED_PROPERTIES[schema]:
        if p not in frame.columns:
            frame[p] = None
    return frame


def truth_from_directory(directory: str | Path, frame: pd.DataFrame) -> pd.Series:
    """The true person of each row of `frame` (from truth/persons.csv), indexed by unique_id."""
    truth = pd.read_csv(Path(directory) / "truth" / "persons.csv", dtype=str)
    key = truth["source"] + "\x1f" + truth["record_id"] + "\x1f" + truth["entity"]
    lookup = dict(zip(key, truth["person_id"], strict=True))
    keys = frame["source_dataset"] + "\x1f" + frame["record_id"].astype(str) + "\x1f" + frame["role"]
    return pd.Series(keys.map(lookup).to_numpy(), index=frame["unique_id"].to_numpy())
