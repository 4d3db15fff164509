"""Ingest on SQLite and PostgreSQL: provenance, quarantine reasons, idempotence, encodings, formats."""

from __future__ import annotations

import json
import sqlite3

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tahqiq.ingest import MappingError, ingest, load_mapping
from tahqiq.ingest.quarantine import list_rows, retry
from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow, SourceRecord, Statement

MAPPING = """
source: nadra_test
label: ID registry test extract
format: {format}
encoding: {encoding}
record_id: rid
retention_days: 365
entities:
  person:
    schema: Person
    key: cnic
    properties:
      name: name
      alias: name_ur
      cnic: {{column: cnic, required: true}}
      birthDate: {{column: dob, format: "%d/%m/%Y"}}
      district: district
  phone:
    schema: Phone
    key: msisdn
    properties:
      number: msisdn
      owner: {{entity: person}}
"""

HEADER = ["rid", "name", "name_ur", "cnic", "dob", "district", "msisdn"]
ROWS = [
    ["1", "Muhammad Aslam", "محمد اسلم", "35202-1234567-1", "12/03/1990", "Lahore", "0300-1234567"],
    ["2", "Bad Cnic", "", "3520212345", "12/03/1990", "Lahore", ""],
    ["3", "Bad Date", "", "35202-7654321-3", "31/02/1990", "Lahore", ""],
    ["4", "Zainab Bibi", "زینب بی بی", "35202-7654321-4", "01/01/1980", "D.G. Khan", "+92 333 1234567"],
    ["5", "No District", "", "35202-7654321-5", "01/01/1980", "Atlantis", ""],
    ["6", "Missing Cnic", "", "", "01/01/1980", "Lahore", ""],
]


def write_mapping(tmp_path, fmt="csv", encoding="auto"):
    path = tmp_path / f"m_{fmt}_{encoding}.yml"
    path.write_text(MAPPING.format(format=fmt, encoding=encoding), encoding="utf-8")
    return load_mapping(path)


def write_csv(path, encoding="utf-8", rows=ROWS):
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def counts(engine):
    with Session(engine) as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t))
                for t in (SourceRecord, Entity, Statement, QuarantinedRow)}


def test_values_keep_provenance_and_source_spelling(engine, tmp_path):
    m = write_mapping(tmp_path)
    result = ingest(engine, m, str(write_csv(tmp_path / "a.csv")))
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (6, 2, 4)
    with Session(engine) as s:
        rows = s.execute(select(Statement).where(Statement.record_id == "1")).scalars().all()
    by_prop = {st.prop: st for st in rows}
    assert by_prop["name"].value == "Muhammad Aslam" and by_prop["name"].script == "Latn"
    assert by_prop["alias"].value == "محمد اسلم" and by_prop["alias"].script == "Arab"
    assert by_prop["number"].value == "+923001234567" and by_prop["number"].original == "0300-1234567"
    assert by_prop["birthDate"].value == "1990-03-12"
    for st in rows:
        assert (st.source, st.batch_id) == ("nadra_test", result.batch_id) and st.seen_at is not None
    # the phone points at the person of the same row
    person_id = by_prop["cnic"].entity_id
    assert by_prop["owner"].value == person_id


def test_quarantine_keeps_row_field_and_reason(engine, tmp_path):
    m = write_mapping(tmp_path)
    ingest(engine, m, str(write_csv(tmp_path / "a.csv")))
    found = {r.row_number: (r.field, r.reason) for r in list_rows(engine)}
    assert found[2] == ("person.cnic (cnic)", "CNIC must have 13 digits, got 10")
    assert found[3][0] == "person.birthDate (dob)" and "expected format" in found[3][1]
    assert found[5] == ("person.district (district)", "unknown district (not in the Pakistani admin list)")
    assert found[6] == ("person.cnic (cnic)", "required value is missing")
    with Session(engine) as s:
        row = s.execute(select(QuarantinedRow).where(QuarantinedRow.row_number == 2)).scalar_one()
    assert row.data["name"] == "Bad Cnic"  # the whole row is kept


def test_reingest_adds_nothing(engine, tmp_path):
    m = write_mapping(tmp_path)
    path = str(write_csv(tmp_path / "a.csv"))
    first = ingest(engine, m, path)
    before = counts(engine)
    again = ingest(engine, m, path)
    assert again.already_done and counts(engine) == before
    forced = ingest(engine, m, path, force=True)
    assert (forced.entities_added, forced.statements_added) == (0, 0)
    assert counts(engine) == before
    assert first.entities_added == 4


def test_quarantine_retry_with_fixed_mapping_and_correction(engine, tmp_path):
    m = write_mapping(tmp_path)
    ingest(engine, m, str(write_csv(tmp_path / "a.csv")))
    bad_cnic = next(r.id for r in list_rows(engine) if r.row_number == 2)
    result = retry(engine, m, row_ids=[bad_cnic], corrections={"cnic": "35202-1234560-7"})
    assert result.loaded == 1 and not result.still_failing
    remaining = {r.row_number for r in list_rows(engine)}
    assert remaining == {3, 5, 6}
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Statement).where(Statement.value == "35202-1234560-7")) == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1256"])
def test_encodings_detected_and_urdu_nfc(engine, tmp_path, encoding):
    rows = [r[:] for r in ROWS[:1]]
    rows[0][2] = "محمد اسلم"
    path = write_csv(tmp_path / f"{encoding}.csv", encoding=encoding, rows=rows)
    result = ingest(engine, write_mapping(tmp_path), str(path))
    assert result.rows_loaded == 1
    with Session(engine) as s:
        alias = s.execute(select(Statement.value).where(Statement.prop == "alias")).scalar_one()
    assert alias == "محمد اسلم"


def test_undecodable_declared_utf8_fails_clearly(engine, tmp_path):
    path = write_csv(tmp_path / "x.csv", encoding="cp1256", rows=ROWS[:1])
    from tahqiq.ingest import InputError

    with pytest.raises(InputError, match="not valid utf-8|cannot decode"):
        ingest(engine, write_mapping(tmp_path, encoding="utf-8"), str(path))


def test_jsonl_bad_lines_quarantined(engine, tmp_path):
    path = tmp_path / "a.jsonl"
    lines = [json.dumps(dict(zip(HEADER, r, strict=True)), ensure_ascii=False) for r in ROWS[:1]]
    lines += ["{not json", "[1, 2]", json.dumps(dict(zip(HEADER, ROWS[3], strict=True)), ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(engine, write_mapping(tmp_path, "jsonl"), str(path))
    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    reasons = sorted(r.reason for r in list_rows(engine))
    assert reasons[0].startswith("a JSON line must be an object") and reasons[1].startswith("not valid JSON")


def test_parquet(engine, tmp_path):
    table = pa.table({h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)})
    pq.write_table(table, tmp_path / "a.parquet")
    result = ingest(engine, write_mapping(tmp_path, "parquet"), str(tmp_path / "a.parquet"))
    assert (result.rows_loaded, result.rows_quarantined) == (2, 4)


def test_sql_query_source(engine, tmp_path):
    db = tmp_path / "agency.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"create table people ({', '.join(HEADER)})")
        conn.executemany(f"insert into people values ({', '.join('?' * len(HEADER))})", ROWS)
    text = MAPPING.format(format="sql", encoding="auto") + "query: SELECT * FROM people ORDER BY rid\n"
    (tmp_path / "sql.yml").write_text(text, encoding="utf-8")
    result = ingest(engine, load_mapping(tmp_path / "sql.yml"), f"sqlite:///{db}")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 4)
    again = ingest(engine, load_mapping(tmp_path / "sql.yml"), f"sqlite:///{db}")
    assert again.already_done


def test_missing_columns_fail_before_loading(engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("rid,name\n1,Ali\n", encoding="utf-8")
    with pytest.raises(MappingError, match="lacks: cnic, district, dob, msisdn, name_ur"):
        ingest(engine, write_mapping(tmp_path), str(path))
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(IngestBatch)) == 0


def test_ragged_csv_row_quarantined(engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(ROWS[0]) + "\n1,2,3\n", encoding="utf-8")
    result = ingest(engine, write_mapping(tmp_path), str(path))
    assert result.rows_quarantined == 1
    assert list_rows(engine)[0].reason == "row has 3 fields, header has 7"


@pytest.mark.parametrize("text,error", [
    ("source: x\nformat: csv\nentities: {}\n", "source"),
    ("source: ok_name\nformat: xml\nentities: {p: {schema: Person, key: [a], properties: {}}}\n", "format"),
    ("source: ok_name\nformat: csv\nentities: {p: {schema: Human, key: [a], properties: {}}}\n",
     "unknown schema 'Human'"),
    ("source: ok_name\nformat: csv\nentities: {p: {schema: Person, key: [a], properties: {religion: a}}}\n",
     "has no property 'religion'"),
    ("source: ok_name\nformat: csv\nentities: {p: {schema: Phone, key: [a], properties: {owner: {entity: q}}}}\n",
     "unknown entity 'q'"),
    (": : :\n", "not valid YAML"),
])
def test_bad_mappings_explain_themselves(tmp_path, text, error):
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=error):
        load_mapping(path)
