"""Events on the stream: one schema name, flat fields, the time it happened and the district.

Generated streams are JSON lines (`tahqiq generate` writes streams/{checkpoint_checks,anpr_reads,
transactions}.jsonl). Key fields are normalised with `tahqiq.model.types` before any rule sees them,
so that "3520212345671" at a checkpoint and "35202-1234567-1" on a watchlist are the same CNIC and
"LEA 1234" read by a camera is the plate "LEA-1234". A value that does not normalise is kept as it
came (rules on it still work as text) and the event notes the field in `invalid`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from tahqiq.model import types

# Which watchlist key kind (and normaliser) a field name carries.
KEY_FIELDS: dict[str, str] = {
    "cnic": "cnic", "plate": "plate", "phone": "phone", "msisdn": "phone", "caller": "phone", "callee": "phone",
    "iban": "iban", "payer_iban": "iban", "payee_iban": "iban", "chassis": "chassis",
}
# The generated stream files and the schema each one carries (as in their ingest mappings).
STREAM_SCHEMAS: dict[str, str] = {
    "checkpoint_checks": "CheckpointCheck", "anpr_reads": "PlateRead", "transactions": "Transaction",
}
_RESERVED = frozenset(("schema", "occurred_at", "record_id"))
_KEY_NAMES = frozenset(KEY_FIELDS)


@lru_cache(maxsize=200_000)
def normalise_key(kind: str, value: str) -> str | None:
    """The canonical form of a key value, or None when it is not a valid value of its kind.
    Cached: plates and accounts repeat a lot on real streams."""
    try:
        return types.normalise(kind, value)
    except types.InvalidValue:
        return None


@lru_cache(maxsize=4096)
def _district(value: str) -> str:
    try:
        return types.district(value)
    except types.InvalidValue:
        return value


def epoch_seconds(value: str) -> float:
    """An ISO 8601 time as seconds since the epoch (UTC); a time without a zone is Pakistan time.
    Raises ValueError (or TypeError) when `value` is not such a time."""
    ts = datetime.fromisoformat(value)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=types.PAKISTAN_TIME)  # naive times are Pakistan time, as in ingest
    return ts.timestamp()


class EventError(ValueError):
    """A record that cannot be an event (no schema, no time); the message says which."""


@dataclass(slots=True)
class Event:
    schema: str
    id: str
    time: float  # event time, seconds since the epoch (UTC)
    district: str | None
    fields: dict[str, Any]
    invalid: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # the record as it came, for evidence

    def to_evidence(self) -> dict[str, Any]:
        return {"schema": self.schema, "id": self.id, "occurred_at": self.raw.get("occurred_at"),
                "district": self.district, "fields": dict(self.fields), "invalid": list(self.invalid)}


def event_from_record(record: dict[str, Any], schema: str | None = None) -> Event:
    """An Event from a stream record (a dict as in the JSON lines, with `schema` or given one)."""
    schema = schema or record.get("schema")
    if not schema:
        raise EventError("record has no schema (give the stream's schema, e.g. PlateRead)")
    when = record.get("occurred_at") or record.get("occurredAt")
    if not when:
        raise EventError(f"{schema} record {record.get('record_id', '?')} has no occurred_at")
    try:
        t = epoch_seconds(when)
    except (TypeError, ValueError):
        raise EventError(f"{schema} record {record.get('record_id', '?')}: occurred_at is not ISO 8601") from None
    fields = {name: value for name, value in record.items() if value is not None and name not in _RESERVED}
    invalid: list[str] = []
    for name in sorted(_KEY_NAMES.intersection(fields)):  # usually one or two key fields per record
        value = fields[name]
        if isinstance(value, str):
            norm = normalise_key(KEY_FIELDS[name], value)
            if norm is None:
                invalid.append(name)
            else:
                fields[name] = norm
    district = record.get("district")
    if isinstance(district, str):
        district = fields["district"] = _district(district)
    rid = record.get("record_id")
    if not rid:  # a stable id from the content, so a redelivered record keeps its id
        rid = hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return Event(schema, str(rid), t, district, fields, tuple(invalid), record)


def schema_for_path(path: Path) -> str:
    stem = path.name.split(".")[0]
    if stem not in STREAM_SCHEMAS:
        raise EventError(f"{path.name}: unknown stream; name it after one of {', '.join(STREAM_SCHEMAS)} "
                         "or give the schema (--schema)")
    return STREAM_SCHEMAS[stem]


def read_records(path: Path, schema: str | None = None) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines stream file, each with its `schema` set."""
    schema = schema or schema_for_path(path)
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EventError(f"{path.name} line {n}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise EventError(f"{path.name} line {n}: not a JSON object")
            record["schema"] = schema
            yield record


def encode_batch(records: list[dict[str, Any]], sent: float) -> bytes:
    """One bus message: many records (JSON array) and when the batch was sent (for latency)."""
    return json.dumps({"sent": sent, "events": records}, separators=(",", ":")).encode()


def decode_batch(data: bytes) -> tuple[list[dict[str, Any]], float | None]:
    body = json.loads(data)
    return body["events"], body.get("sent")
