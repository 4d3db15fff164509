"""Row sinks for each output format and encoding, and the ground-truth files.

Every sink writes rows in the order given and nothing else (no timestamps, no random ordering), so
the same input rows give byte-identical files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_str = json.encoder.encode_basestring  # the C encoder json.dumps uses with ensure_ascii=False


def _number(v: Any) -> str:
    if v.__class__ is float:
        return float.__repr__(v)  # what json.dumps writes for a finite float
    if v.__class__ is int:
        return int.__repr__(v)
    return _dumps(v)


class Sink:
    name: str
    path: Path
    rows: int
    fmt: str
    encoding: str
    columns: list[str]

    def write(self, row: list[Any]) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class CsvSink(Sink):
    """CSV in a given encoding. utf-16 is written little-endian with a BOM on every platform."""

    def __init__(self, name: str, path: Path, columns: list[str], encoding: str = "utf-8"):
        self.name, self.path, self.columns, self.encoding = name, path, columns, encoding
        self.fmt = "csv"
        self.rows = 0
        if encoding == "utf-16":
            self._fh = open(path, "w", encoding="utf-16-le", newline="")
            self._fh.write("\ufeff")
        else:
            self._fh = open(path, "w", encoding=encoding, newline="")
        self._w = csv.writer(self._fh, lineterminator="\r\n" if encoding in ("cp1256", "utf-16") else "\n")
        self._w.writerow(columns)
        self._buf: list[list[Any]] = []

    def write(self, row: list[Any]) -> None:
        self._buf.append(row)
        self.rows += 1
        if len(self._buf) >= 20000:
            self._w.writerows(self._buf)
            self._buf.clear()

    def close(self) -> None:
        self._w.writerows(self._buf)
        self._buf.clear()
        self._fh.close()


class JsonlSink(Sink):
    """JSON lines, UTF-8; empty values are written as null so every line has every key.

    Lines are assembled from pre-encoded keys and json's own string encoder: the same bytes as
    json.dumps(row, ensure_ascii=False, separators=(",", ":")), at a fraction of the cost.
    """

    def __init__(self, name: str, path: Path, columns: list[str]):
        self.name, self.path, self.columns = name, path, columns
        self.fmt, self.encoding = "jsonl", "utf-8"
        self.rows = 0
        self._fh = open(path, "w", encoding="utf-8", newline="\n")
        self._buf: list[str] = []
        keys = [("{" if i == 0 else ",") + _dumps(c) + ":" for i, c in enumerate(columns)]
        self._template = "".join(k.replace("%", "%%") + "%s" for k in keys) + "}"

    def write(self, row: list[Any]) -> None:
        enc = _encode_str
        self._buf.append(self._template % tuple(
            "null" if v is None or v == "" else (enc(v) if v.__class__ is str else _number(v)) for v in row
        ))
        self.rows += 1
        if len(self._buf) >= 20000:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            self._fh.write("\n".join(self._buf))
            self._fh.write("\n")
            self._buf.clear()

    def close(self) -> None:
        self._flush()
        self._fh.close()


class ParquetSink(Sink):
    """Parquet with string columns except `decimal_columns` (decimal128(18, 2))."""

    def __init__(self, name: str, path: Path, columns: list[str], decimal_columns: tuple[str, ...] = ()):
        self.name, self.path, self.columns = name, path, columns
        self.fmt, self.encoding = "parquet", "binary"
        self.rows = 0
        self._decimal = set(decimal_columns)
        self._cols: list[list[Any]] = [[] for _ in columns]

    def write(self, row: list[Any]) -> None:
        for c, v in zip(self._cols, row, strict=True):
            c.append(v if v != "" else None)
        self.rows += 1

    def close(self) -> None:
        arrays = []
        fields = []
        for name, values in zip(self.columns, self._cols, strict=True):
            if name in self._decimal:
                t = pa.decimal128(18, 2)
                arrays.append(pa.array([Decimal(v) if v is not None else None for v in values], type=t))
            else:
                t = pa.string()
                arrays.append(pa.array(values, type=t))
            fields.append(pa.field(name, t))
        table = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
        pq.write_table(table, self.path, compression="zstd")


class Truth:
    """truth/*.csv: which source records are the same real person, phone, vehicle or account; the
    laundering transactions and patterns, the legitimate look-alikes, and each scam complaint's campaign."""

    FILES = {
        "persons": ["source", "record_id", "entity", "person_id"],
        "phones": ["source", "record_id", "entity", "phone_id"],
        "vehicles": ["source", "record_id", "entity", "vehicle_id"],
        "accounts": ["source", "record_id", "entity", "account_id"],
        "laundering": ["transaction_id", "typology", "pattern_id"],
        "laundering_patterns": ["pattern_id", "typology", "accounts", "first_ts", "last_ts", "n_tx"],
        "lookalikes": ["pattern_id", "kind", "accounts", "first_ts", "last_ts", "n_tx"],
        "campaigns": ["complaint_number", "campaign_id"],
        "bad_rows": ["source", "record_id", "field", "why"],
    }

    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.sinks = {k: CsvSink(k, directory / f"{k}.csv", cols) for k, cols in self.FILES.items()}
        self.person: Callable[[list[Any]], None] = self.sinks["persons"].write
        self.phone = self.sinks["phones"].write
        self.vehicle = self.sinks["vehicles"].write
        self.account = self.sinks["accounts"].write
        self.laundering = self.sinks["laundering"].write
        self.laundering_pattern = self.sinks["laundering_patterns"].write
        self.lookalike = self.sinks["lookalikes"].write
        self.campaign = self.sinks["campaigns"].write
        self.bad = self.sinks["bad_rows"].write

    def close(self) -> dict[str, int]:
        for s in self.sinks.values():
            s.close()
        return {k: s.rows for k, s in self.sinks.items()}
