"""The offline map endpoints and the waterfall geometry (no browser, no store)."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tahqiq.web import maps
from tahqiq.web.explain import CLAMP, waterfall_bars, waterfall_svg


@pytest.fixture
def client():
    app = FastAPI()
    app.include_router(maps.router)
    return TestClient(app)


def _require_basemap() -> None:
    import os

    if not maps.BASEMAP_PATH.is_file():
        message = f"{maps.BASEMAP_PATH} missing: run `make assets`"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true)")
        pytest.skip(message)


def test_tiles_flip_mbtiles_rows_for_leaflet(client):
    _require_basemap()
    # Lahore at zoom 6 is XYZ tile (44, 26); MBTiles stores it at TMS row 63 - 26 = 37.
    r = client.get("/api/map/tiles/6/44/26.png")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG")
    with sqlite3.connect(f"file:{maps.BASEMAP_PATH}?mode=ro", uri=True) as conn:
        stored = conn.execute("SELECT tile_data FROM tiles "
                              "WHERE zoom_level=6 AND tile_column=44 AND tile_row=37").fetchone()[0]
        unflipped = conn.execute("SELECT tile_data FROM tiles "
                                 "WHERE zoom_level=6 AND tile_column=44 AND tile_row=26").fetchone()
    assert r.content == bytes(stored)
    assert unflipped is None or bytes(unflipped[0]) != r.content
    assert "max-age" in r.headers["cache-control"]


def test_tiles_outside_the_file_are_404_with_a_reason(client):
    _require_basemap()
    r = client.get("/api/map/tiles/9/361/210.png")
    assert r.status_code == 404 and "zoom 0-6" in r.json()["detail"]
    assert client.get("/api/map/tiles/2/9/0.png").status_code == 404  # x beyond 2^z


def test_missing_basemap_is_a_clear_503(client, tmp_path, monkeypatch):
    monkeypatch.setattr(maps, "_basemap", maps.Basemap(tmp_path / "absent.db"))
    r = client.get("/api/map/tiles/0/0/0.png")
    assert r.status_code == 503 and "make assets" in r.json()["detail"]


def test_provinces_and_places(client):
    r = client.get("/api/map/provinces.geojson")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    doc = r.json()
    names = {f["properties"]["name"] for f in doc["features"]}
    assert {"Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan"} <= names
    punjab = next(f for f in doc["features"] if f["properties"]["code"] == "PK-PB")
    lons = [p[0] for ring in _rings(punjab["geometry"]) for p in ring]
    assert 69 < min(lons) < 71 and 75 < max(lons) < 76  # Punjab's real extent
    places = client.get("/api/map/places.geojson").json()["features"]
    districts = [f for f in places if f["properties"]["kind"] == "district"]
    assert len(districts) == 36  # Punjab's districts (pk-address-checker)
    lahore = next(f for f in districts if f["properties"]["name"] == "Lahore")
    lon, lat = lahore["geometry"]["coordinates"]
    assert abs(lat - 31.55) < 0.2 and abs(lon - 74.34) < 0.2


def _rings(geometry: dict):
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for poly in geometry["coordinates"] for ring in poly]


def _field(name: str, level: str, log2: float):
    return SimpleNamespace(field=name, level=level, bayes_factor=2 ** log2, log2_bayes_factor=log2)


def test_waterfall_bars_sum_to_the_match_weight():
    fields = [_field("name", "exact", 9.0), _field("birth_year", "differs", -4.0), _field("cnic", "exact", 12.0)]
    bars = waterfall_bars(11.5, fields)
    assert [b.kind for b in bars] == ["prior", "pos", "neg", "pos", "total"]
    assert bars[0].end == pytest.approx(11.5 - 17.0)  # the prior is what the fields leave
    assert bars[-2].end == pytest.approx(11.5) and bars[-1].end == pytest.approx(11.5)
    chart = waterfall_svg(bars)
    assert chart["lo"] == pytest.approx(-5.5) and chart["hi"] == pytest.approx(11.5)  # the running sum's range
    scale = (chart["hi_x"] - chart["lo_x"]) / (11.5 + 5.5)
    for row, value in zip(chart["rows"], [-5.5, 9.0, -4.0, 12.0, 11.5], strict=True):
        assert row["w"] == pytest.approx(abs(value) * scale, abs=0.2)  # bar length is the weight
    total = chart["rows"][-1]
    assert total["x"] == pytest.approx(chart["zero"], abs=0.1)  # the total starts at zero


def test_waterfall_clamps_a_ruled_out_field():
    bars = waterfall_bars(float("-inf"), [_field("cnic", "different", float("-inf"))])
    assert all(abs(b.end) <= 2 * CLAMP for b in bars)
    rows = waterfall_svg(bars)["rows"]
    assert rows[1]["shown"] == "-inf"
