"""Reading incident tables: CSV and Parquet, bad rows dropped and counted, time forms, projection,
the store's aggregate path, and the refusal of person-level columns."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from tahqiq.forecast.data import PersonLevelInput, ReadReport, incidents_from_store, read_incidents, utm_crs
from tahqiq.govern import SYSTEM, Gate
from tahqiq.govern.tables import AuditEntry
from tahqiq.store.tables import Entity, IngestBatch, Source, Statement


def _csv(tmp_path, rows, name="inc.csv"):
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_csv_reads_sorts_and_counts_dropped_rows(tmp_path):
    path = _csv(tmp_path, [
        {"Latitude": 31.52, "Longitude": 74.35, "When": "2024-03-02T10:00:00Z", "Crime type": "theft"},
        {"Latitude": 31.53, "Longitude": 74.36, "When": "2024-03-01", "Crime type": "burglary"},
        {"Latitude": None, "Longitude": 74.36, "When": "2024-03-01", "Crime type": "theft"},
        {"Latitude": 31.5, "Longitude": 74.3, "When": "not a time", "Crime type": "theft"},
        {"Latitude": 95.0, "Longitude": 74.3, "When": "2024-03-03", "Crime type": "theft"},
        {"Latitude": 31.5, "Longitude": 74.3, "When": "2024-03-04T12:00:00+05:00", "Crime type": "theft"},
    ])
    report = ReadReport()
    inc = read_incidents(path, lat="Latitude", lon="Longitude", time="When", category="Crime type", report=report)
    assert (report.rows, report.used) == (6, 3)
    assert report.dropped == {"no usable position": 1, "no usable time": 1, "position out of range": 1}
    assert np.all(np.diff(inc.t) >= 0) and inc.category is not None
    assert list(inc.category) == ["burglary", "theft", "theft"]
    assert inc.t[0] == datetime(2024, 3, 1, tzinfo=UTC).timestamp()
    assert inc.t[2] == datetime(2024, 3, 4, 7, tzinfo=UTC).timestamp()  # the offset honoured
    assert inc.crs == report.crs == "EPSG:32643" == utm_crs(74.35, 31.52)  # Lahore: UTM 43N
    assert "3 of 6 rows used" in report.summary()


def test_parquet_and_month_resolution(tmp_path):
    path = tmp_path / "inc.parquet"
    pd.DataFrame({"lat": [53.8, 53.79, 53.81], "lon": [-1.55, -1.54, -1.56], "Month": ["2017-07", "2017-06", "2017-07"],
                  "other": [1, 2, 3]}).to_parquet(path)
    report = ReadReport()
    inc = read_incidents(path, lat="lat", lon="lon", time="Month", report=report)
    assert report.month_resolution and len(inc) == 3 and report.crs == "EPSG:32630"
    assert inc.t[0] == datetime(2017, 6, 1, tzinfo=UTC).timestamp()  # a month at its first instant
    assert inc.t[1] == inc.t[2] == datetime(2017, 7, 1, tzinfo=UTC).timestamp()


def test_a_missing_column_is_named(tmp_path):
    path = _csv(tmp_path, [{"lat": 1.0, "lon": 2.0, "date": "2024-01-01"}])
    with pytest.raises(KeyError, match="'latitude'.*lat, lon, date"):
        read_incidents(path, lat="latitude", lon="lon", time="date")


def test_points_a_kilometre_apart_are_a_kilometre_apart(tmp_path):
    # 1 km north (a degree of latitude is ~111.2 km) and 1 km east at Lahore's latitude
    dlat = 1.0 / 111.2
    dlon = 1.0 / (111.32 * math.cos(math.radians(31.5)))
    path = _csv(tmp_path, [{"lat": 31.5, "lon": 74.3, "t": "2024-01-01"},
                           {"lat": 31.5 + dlat, "lon": 74.3, "t": "2024-01-02"},
                           {"lat": 31.5, "lon": 74.3 + dlon, "t": "2024-01-03"}])
    inc = read_incidents(path, lat="lat", lon="lon", time="t")
    north = math.hypot(inc.x[1] - inc.x[0], inc.y[1] - inc.y[0])
    east = math.hypot(inc.x[2] - inc.x[0], inc.y[2] - inc.y[0])
    assert abs(north - 1000) < 10 and abs(east - 1000) < 10


@pytest.mark.parametrize("column", ["accused_cnic", "SuspectName", "phone", "msisdn", "person_id", "passport no"])
def test_person_level_columns_are_refused_by_name(tmp_path, column):
    path = _csv(tmp_path, [{"lat": 31.5, "lon": 74.3, "t": "2024-01-01", column: "x"}])
    with pytest.raises(PersonLevelInput, match="never persons"):
        read_incidents(path, lat="lat", lon="lon", time="t", category=column)


def test_person_level_values_are_refused_and_place_names_are_not(tmp_path):
    rows = [{"lat": 31.5, "lon": 74.3, "t": "2024-01-01", "label": f"35202-{1234560 + i}-{i % 10}",
             "LSOA name": "Leeds 001A"} for i in range(6)]
    path = _csv(tmp_path, rows)
    with pytest.raises(PersonLevelInput, match="CNICs"):
        read_incidents(path, lat="lat", lon="lon", time="t", category="label")
    assert len(read_incidents(path, lat="lat", lon="lon", time="t", category="LSOA name")) == 6  # a place's name
    phones = _csv(tmp_path, [{"lat": 31.5, "lon": 74.3, "t": "2024-01-01", "k": "0300-1234567"}], "p.csv")
    with pytest.raises(PersonLevelInput, match="phone"):
        read_incidents(phones, lat="lat", lon="lon", time="t", category="k")


def test_fir_incidents_come_through_the_gate_aggregate_without_ids(engine):
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(Source), [{"name": "fir", "label": "FIRs"}])
        conn.execute(insert(IngestBatch), [{"id": 1, "source": "fir", "mapping_fingerprint": "m", "input_name": "x",
                                            "input_sha256": "0" * 64}])
        conn.execute(insert(Entity), [{"id": f"e{i}", "schema": "FirIncident", "source": "fir", "batch_id": 1}
                                      for i in range(3)])
        values = [("e0", "latitude", "31.52"), ("e0", "longitude", "74.35"),
                  ("e0", "occurredAt", "2026-01-02T10:00:00+05:00"), ("e0", "offence", "theft"),
                  ("e0", "accusedName", "ali khan"), ("e0", "accusedCnic", "3520212345671"),
                  ("e1", "latitude", "31.55"), ("e1", "longitude", "74.30"),
                  ("e1", "reportedAt", "2026-01-01T08:00:00+05:00"), ("e2", "offence", "no place")]
        conn.execute(insert(Statement), [
            {"id": f"s{n}", "entity_id": e, "schema": "FirIncident", "prop": p, "value": v, "source": "fir",
             "record_id": "r", "batch_id": 1, "seen_at": now} for n, (e, p, v) in enumerate(values)])
    gate = Gate(engine)
    try:
        rows = gate.stats(SYSTEM, "forecast.incidents")
        assert [set(r) for r in rows] == [{"latitude", "longitude", "time", "category"}] * 2
        assert not any("ali" in str(v) or "35202" in str(v) or str(v).startswith("e") for r in rows
                       for v in r.values())
        with gate.scope(SYSTEM, "hotspot forecast test") as job:
            inc = incidents_from_store(job)
            later = incidents_from_store(job, since="2026-01-02")
        assert len(inc) == 2 and len(later) == 1 and inc.category is not None
        assert list(inc.category) == ["", "theft"]
        with engine.connect() as conn:
            stats = [r for r in conn.execute(AuditEntry.__table__.select()) if r.action == "stats"]
        assert [s.target for s in stats] == ["forecast.incidents"] * 3
    finally:
        gate.dispose()
