"""Import followthemoney entity JSON lines (from Aleph, OpenSanctions or a Tahqiq export).

Values go through the same normalisers as any ingest, with the file as the source and each entity
as a record; an entity with an invalid value goes to the quarantine whole. Re-importing adds nothing.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tahqiq.ingest.readers import fingerprint
from tahqiq.ingest.rowmap import MappedEntity, MappedRow, make_id
from tahqiq.ingest.runner import IngestResult, insert_ignore, store_rows
from tahqiq.model.ftm import from_ftm
from tahqiq.model.types import InvalidValue, clean_text, normalise, script_of
from tahqiq.store.base import table_of
from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow, Source, SourceRecord, Statement

_OWN_ID = re.compile(r"[0-9a-f]{32}")


def _local_id(source: str, foreign: str) -> str:
    # Tahqiq's own ids are kept, so that references inside an exported case stay intact.
    return foreign if _OWN_ID.fullmatch(foreign) else make_id(source, "ftm", foreign)


def import_ftm(engine: Engine, path: Path, source: str) -> IngestResult:
    sha = fingerprint(path)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as s:
        if s.get(Source, source) is None:
            s.add(Source(name=source, label=f"followthemoney import ({path.name})"))
            s.flush()  # the batch refers to the source; no ORM relationship orders the inserts
        batch = IngestBatch(source=source, mapping_fingerprint="ftm", input_name=str(path), input_sha256=sha)
        s.add(batch)
        s.flush()
        loaded = rejected = 0
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    schema, props = from_ftm(data)
                    entity_id = _local_id(source, str(data["id"]))
                    entity = MappedEntity(entity_id, schema.name)
                    for pname, values in props.items():
                        prop = schema.properties[pname]
                        for raw in values:
                            value = (_local_id(source, raw) if prop.is_reference
                                     else normalise(prop.type, raw, values=prop.values))
                            entity.statements.append({
                                "id": make_id(entity_id, pname, value, entity_id), "entity_id": entity_id,
                                "schema": schema.name, "prop": pname, "value": value,
                                "original": raw if clean_text(raw) != value and not prop.is_reference else None,
                                "script": script_of(value) if prop.type in ("name", "text") else None,
                                "source": source, "record_id": entity_id})
                except (ValueError, KeyError, InvalidValue) as exc:
                    rejected += 1
                    insert_ignore(s, table_of(QuarantinedRow), [{
                        "row_key": make_id(source, sha, str(number)), "batch_id": batch.id, "source": source,
                        "row_number": number, "data": {"_raw": line.rstrip("\n")}, "field": None,
                        "reason": f"{exc.__class__.__name__}: {exc}", "status": "open", "created_at": now}])
                    continue
                record, entities, statements = store_rows(MappedRow(entity_id, [entity]), source, batch.id,
                                                          number, data, now)
                insert_ignore(s, table_of(SourceRecord), [record])
                insert_ignore(s, table_of(Entity), entities)
                insert_ignore(s, table_of(Statement), statements)
                loaded += 1
        batch.rows_read, batch.rows_loaded, batch.rows_quarantined = loaded + rejected, loaded, rejected
        batch.status, batch.finished_at = "done", datetime.now(UTC)
        s.flush()
        batch.entities_added = s.query(Entity).filter(Entity.batch_id == batch.id).count()
        batch.statements_added = s.query(Statement).filter(Statement.batch_id == batch.id).count()
        s.commit()
        return IngestResult(batch.id, source, str(path), "utf-8", batch.rows_read, loaded, rejected,
                            batch.entities_added, batch.statements_added)
