"""Readers that turn an input (CSV, JSON lines, Parquet, SQL query) into numbered rows of strings.

Rows are numbered from 1 in input order; resume after a crash relies on that order being stable, so
SQL queries should have an ORDER BY. A line that cannot be parsed becomes a `BadRow`, never an
exception: ingest sends it to quarantine and carries on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tahqiq.ingest.mapping import Mapping, MappingError

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class BadRow:
    raw: str
    reason: str


Row = dict[str, object]


class InputError(ValueError):
    """The input as a whole cannot be read (missing file, missing columns, undecodable bytes)."""


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """The text encoding of `path`: a byte-order mark wins, then the mapping's declared encoding,
    then strict UTF-8, then charset-normalizer's best guess (Urdu files from old Windows systems
    are usually Windows-1256)."""
    with path.open("rb") as fh:
        head = fh.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if declared != "auto":
        try:
            codecs.lookup(declared)
        except LookupError:
            raise InputError(f"unknown encoding {declared!r} in mapping") from None
        return declared
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_path

    best = from_path(path, cp_isolation=["cp1256", "utf_16", "cp1252", "latin_1"]).best()
    return best.encoding if best else "cp1256"


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Input:
    """An opened input: its identity (for resume), its size and its rows."""

    name: str
    sha256: str
    encoding: str | None
    total_bytes: int | None
    total_rows: int | None
    rows: Iterator[tuple[int, Row | BadRow]]
    position: Callable[[], int]  # bytes consumed so far (for progress), or rows for Parquet/SQL


def open_input(mapping: Mapping, target: str) -> Input:
    if mapping.format == "sql":
        return _open_sql(mapping, target)
    path = Path(target)
    if not path.is_file():
        raise InputError(f"input file not found: {path}")
    opener = {"csv": _open_csv, "jsonl": _open_jsonl, "parquet": _open_parquet}[mapping.format]
    return opener(mapping, path)


def _check_columns(mapping: Mapping, present: set[str], where: str) -> None:
    missing = sorted(mapping.columns - present)
    if missing:
        raise MappingError(f"{where}: the mapping reads columns that the input lacks: {', '.join(missing)}"
                           f" (input has: {', '.join(sorted(present))})")


def _open_csv(mapping: Mapping, path: Path) -> Input:
    encoding = detect_encoding(path, mapping.encoding)
    binary = path.open("rb")
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text, delimiter=mapping.delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{path}: empty file (no header row)") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: cannot decode as {encoding}: {exc}") from None
    header[0] = header[0].lstrip("\ufeff")
    _check_columns(mapping, set(header), str(path))

    def rows() -> Iterator[tuple[int, Row | BadRow]]:
        number = 0
        try:
            for cells in reader:
                if not cells or cells == [""]:
                    continue
                number += 1
                if len(cells) != len(header):
                    yield number, BadRow(mapping.delimiter.join(cells),
                                         f"row has {len(cells)} fields, header has {len(header)}")
                    continue
                yield number, dict(zip(header, cells, strict=True))
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: bytes after row {number} are not valid {encoding}: {exc}") from None
        finally:
            binary.close()

    return Input(str(path), fingerprint(path), encoding, path.stat().st_size, None, rows(), binary.tell)


def _open_jsonl(mapping: Mapping, path: Path) -> Input:
    encoding = detect_encoding(path, mapping.encoding)
    binary = path.open("rb")
    text = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")

    def rows() -> Iterator[tuple[int, Row | BadRow]]:
        number = 0
        try:
            for line in text:
                if not line.strip():
                    continue
                number += 1
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, BadRow(line.rstrip("\n"), f"not valid JSON: {exc.msg} at column {exc.colno}")
                    continue
                if not isinstance(value, dict):
                    yield number, BadRow(line.rstrip("\n"),
                                         f"a JSON line must be an object, got {type(value).__name__}")
                    continue
                yield number, value
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: bytes after row {number} are not valid {encoding}: {exc}") from None
        finally:
            binary.close()

    return Input(str(path), fingerprint(path), encoding, path.stat().st_size, None, rows(), binary.tell)


def _open_parquet(mapping: Mapping, path: Path) -> Input:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for corrupt files
        raise InputError(f"{path}: not a readable Parquet file: {exc}") from None
    _check_columns(mapping, set(pf.schema_arrow.names), str(path))
    done = [0]

    def rows() -> Iterator[tuple[int, Row | BadRow]]:
        for batch in pf.iter_batches(batch_size=10_000, columns=sorted(mapping.columns)):
            for row in batch.to_pylist():
                done[0] += 1
                yield done[0], row

    return Input(str(path), fingerprint(path), None, None, pf.metadata.num_rows, rows(), lambda: done[0])


def _open_sql(mapping: Mapping, url: str) -> Input:
    from sqlalchemy import create_engine, text

    from tahqiq.config import normalise_database_url

    query = mapping.query
    if query is None:  # the mapping's validation requires a query of format sql
        raise MappingError("format sql needs a `query`")
    engine = create_engine(normalise_database_url(url))
    safe = engine.url.render_as_string(hide_password=True)
    identity = hashlib.sha256(f"{safe}\n{query}".encode()).hexdigest()
    done = [0]

    def rows() -> Iterator[tuple[int, Row | BadRow]]:
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=5000).execute(text(query))
                _check_columns(mapping, set(result.keys()), "query")
                for row in result.mappings():
                    done[0] += 1
                    yield done[0], dict(row)
        finally:
            engine.dispose()

    return Input(safe, identity, None, None, None, rows(), lambda: done[0])
