"""The offline map: tiles from the shipped basemap and from a deployment's own archives (MBTiles and
PMTiles built here), the province and place layers, the case's events shaped for the map, the map in
a real browser (opens on Punjab, legend, clusters, brushing); and the waterfall geometry."""

from __future__ import annotations

import os
import random
import sqlite3
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write as write_pmtiles

from tahqiq.graph import Event
from tahqiq.model.schema import model
from tahqiq.web import maps, tilesets
from tahqiq.web.explain import CLAMP, waterfall_bars, waterfall_svg

# Lahore's tiles: at zoom 6 the XYZ tile (44, 26), at zoom 14 (11574, 6676).
LAHORE_Z6 = (6, 44, 26)
LAHORE_Z14 = (14, 11574, 6676)


def png(rgb: tuple[int, int, int], size: int = 4) -> bytes:
    """A real (tiny, single-colour) PNG: what a tile server would hold."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], **meta: str) -> Path:
    """An MBTiles file as the spec lays it out: XYZ tiles stored at TMS rows (flipped)."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        conn.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        conn.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
        conn.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                         [(z, x, 2**z - 1 - y, data) for (z, x, y), data in tiles.items()])
    conn.close()
    return path


def write_pmtiles_archive(path: Path, tiles: dict[tuple[int, int, int], bytes],
                          tile_type: TileType = TileType.PNG, attribution: str = "Punjab tiles © us") -> Path:
    """A PMTiles v3 archive written with the pmtiles package's own writer."""
    with write_pmtiles(str(path)) as writer:
        for tile_id, data in sorted((zxy_to_tileid(*zxy), data) for zxy, data in tiles.items()):
            writer.write_tile(tile_id, data)
        writer.finalize({"tile_type": tile_type, "tile_compression": Compression.NONE,
                         "min_lon_e7": int(73.9 * 1e7), "min_lat_e7": int(31.2 * 1e7),
                         "max_lon_e7": int(74.7 * 1e7), "max_lat_e7": int(31.8 * 1e7),
                         "center_zoom": 12, "center_lon_e7": int(74.3 * 1e7), "center_lat_e7": int(31.5 * 1e7)},
                        {"attribution": attribution})
    return path


@pytest.fixture
def client(monkeypatch):
    monkeypatch.delenv(tilesets.TILES_ENV, raising=False)
    app = FastAPI()
    app.include_router(maps.router)
    return TestClient(app)


def _require_basemap() -> None:
    if not maps.BASEMAP_PATH.is_file():
        message = f"{maps.BASEMAP_PATH} missing: run `make assets`"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true)")
        pytest.skip(message)


def test_tiles_flip_mbtiles_rows_for_leaflet(client):
    _require_basemap()
    # Lahore at zoom 6 is XYZ tile (44, 26); MBTiles stores it at TMS row 63 - 26 = 37.
    r = client.get("/tiles/6/44/26")
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
    # The same tile with an extension (as other pages ask for it) and under the older address.
    assert client.get("/tiles/6/44/26.png").content == r.content
    assert client.get("/api/map/tiles/6/44/26.png").content == r.content


def test_tiles_outside_every_source_are_404_with_a_reason(client):
    _require_basemap()
    r = client.get("/tiles/9/361/210")
    assert r.status_code == 404 and "zoom 0-6" in r.json()["detail"]
    assert client.get("/tiles/2/9/0").status_code == 404  # x beyond 2^z
    assert client.get("/tiles/2/1/x.png").status_code == 404
    info = client.get("/api/map/tiles.json").json()
    assert info["maxzoom"] == 6 and info["viewer_maxzoom"] == 12 and info["archives"] == []
    assert info["basemap"]["maxzoom"] == 6 and "OpenStreetMap" in info["attribution"]


def test_missing_basemap_is_a_clear_503(client, tmp_path, monkeypatch):
    monkeypatch.setattr(maps, "BASEMAP_PATH", tmp_path / "absent.db")
    r = client.get("/tiles/0/0/0")
    assert r.status_code == 503 and "make assets" in r.json()["detail"]
    assert client.get("/api/map/tiles.json").json()["basemap"] is None


def test_a_street_zoom_mbtiles_archive_is_served_above_the_basemap(client, tmp_path, monkeypatch):
    _require_basemap()
    street, own_z6 = png((200, 30, 30)), png((30, 30, 200))
    archive = write_mbtiles(tmp_path / "lahore.mbtiles", {LAHORE_Z14: street, LAHORE_Z6: own_z6},
                            format="png", minzoom="6", maxzoom="14", bounds="73.9,31.2,74.7,31.8",
                            attribution="Lahore tiles © the deployment")
    monkeypatch.setenv(tilesets.TILES_ENV, str(archive))
    r = client.get("/tiles/{}/{}/{}".format(*LAHORE_Z14))
    assert r.status_code == 200 and r.content == street and r.headers["content-type"] == "image/png"
    assert client.get("/tiles/{}/{}/{}".format(*LAHORE_Z6)).content == own_z6  # the archive wins where it has it
    karachi_z6 = client.get("/tiles/6/45/27")
    assert karachi_z6.status_code == 200 and karachi_z6.content not in (street, own_z6)  # else the basemap
    assert client.get("/tiles/14/11574/6677").status_code == 404  # a street tile the archive lacks
    info = client.get("/api/map/tiles.json").json()
    assert info["maxzoom"] == 14 and info["viewer_maxzoom"] == 16  # the map zooms as far as the tiles go
    assert info["archives"] == [{"name": "lahore.mbtiles", "format": "png", "minzoom": 6, "maxzoom": 14,
                                 "bounds": [73.9, 31.2, 74.7, 31.8], "attribution": "Lahore tiles © the deployment"}]
    assert info["attribution"].startswith("Lahore tiles © the deployment")


def test_a_pmtiles_archive_is_read_with_the_pmtiles_package(client, tmp_path, monkeypatch):
    tiles = {LAHORE_Z14: png((10, 120, 10)), (14, 11575, 6676): png((10, 10, 120)), (12, 2893, 1669): png((9, 9, 9))}
    archive = write_pmtiles_archive(tmp_path / "punjab.pmtiles", tiles)
    reader = tilesets.PMTiles(archive)
    for zxy, data in tiles.items():
        assert reader.tile(*zxy) == data
    assert reader.tile(14, 11576, 6676) is None and reader.tile(13, 0, 0) is None
    info = reader.info()
    assert (info.format, info.min_zoom, info.max_zoom, info.attribution) == ("png", 12, 14, "Punjab tiles © us")
    assert info.bounds == pytest.approx((73.9, 31.2, 74.7, 31.8))
    monkeypatch.setenv(tilesets.TILES_ENV, str(archive))
    r = client.get("/tiles/{}/{}/{}.png".format(*LAHORE_Z14))
    assert r.status_code == 200 and r.content == tiles[LAHORE_Z14]
    assert client.get("/api/map/tiles.json").json()["viewer_maxzoom"] == 16


def test_a_pmtiles_archive_with_leaf_directories(tmp_path):
    # Enough scattered tiles of different sizes that the root directory overflows its 16 kB and the
    # writer splits it into leaves: every look-up then goes root -> leaf -> tile.
    rng = random.Random(7)
    tiles = {(16, 46000 + (i % 300) * 2, 26700 + (i // 300) * 2): b"\x89PNG" + rng.randbytes(rng.randint(20, 400))
             for i in range(12_000)}
    reader = tilesets.PMTiles(write_pmtiles_archive(tmp_path / "big.pmtiles", tiles))
    assert reader.header["leaf_directory_length"] > 0
    for zxy in rng.sample(sorted(tiles), 200):
        assert reader.tile(*zxy) == tiles[zxy]
    assert reader.tile(16, 46001, 26700) is None  # between two tiles


def test_archives_that_cannot_be_used_are_named_not_fatal(client, tmp_path, monkeypatch):
    _require_basemap()
    vector = write_pmtiles_archive(tmp_path / "vector.pmtiles", {LAHORE_Z14: b"\x1a\x00"}, tile_type=TileType.MVT)
    not_tiles = tmp_path / "notes.pmtiles"
    not_tiles.write_bytes(b"hello, not an archive" * 10)
    wrong = tmp_path / "tiles.zip"
    wrong.write_bytes(b"PK")
    monkeypatch.setenv(tilesets.TILES_ENV, os.pathsep.join(
        [str(vector), str(not_tiles), str(wrong), str(tmp_path / "gone.mbtiles")]))
    info = client.get("/api/map/tiles.json").json()
    assert info["archives"] == [] and info["maxzoom"] == 6
    problems = " | ".join(info["problems"])
    assert "vector.pmtiles holds MVT tiles" in problems and "notes.pmtiles is not a PMTiles v3 archive" in problems
    assert "tiles.zip: a tile archive must be a .pmtiles or .mbtiles file" in problems
    assert "gone.mbtiles: file not found" in problems
    assert str(tmp_path) not in problems  # the server's paths stay in its log
    assert client.get("/tiles/0/0/0").status_code == 200  # the shipped basemap still answers


def test_media_type_follows_the_bytes():
    assert tilesets.media_type(png((1, 2, 3))) == "image/png"
    assert tilesets.media_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert tilesets.media_type(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"


def _event(i: int, kind: str, placed: bool, label: str | None = None) -> Event:
    eid = f"{i:032x}"
    return Event(eid, f"2026-11-0{i % 9 + 1}T09:10:00+00:00", kind, model().schemata[kind].label,
                 eid if label is None else label, "Lahore", 31.5 if placed else None, 74.3 if placed else None,
                 "anpr", ["owner-id"])


def test_case_events_for_the_map_count_what_has_no_place():
    events = [_event(1, "PlateRead", True, "LEK-200"), _event(2, "PlateRead", True, "LEK-200"),
              _event(3, "FirIncident", False, "123/2026"), _event(4, "Transaction", False),
              _event(5, "CheckpointCheck", True)]
    out = maps.map_events(events, limit=1000)
    assert (out.total, out.without_place, len(out.features)) == (5, 2, 3)
    assert [k.kind for k in out.kinds] == list(model().event_schemata)  # the model's order: stable colours
    by_kind = {k.kind: (k.events, k.placed) for k in out.kinds}
    assert by_kind["PlateRead"] == (2, 2) and by_kind["FirIncident"] == (1, 0) and by_kind["Complaint"] == (0, 0)
    assert next(k.label for k in out.kinds if k.kind == "PlateRead") == "ANPR plate read"
    first = out.features[0]
    assert first["geometry"]["coordinates"] == [74.3, 31.5] and first["properties"]["label"] == "LEK-200"
    nameless = next(f for f in out.features if f["properties"]["kind"] == "CheckpointCheck")
    assert nameless["properties"]["label"] is None  # its id is never offered as a label


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


# -- the map in a real browser (the site of tests/web/seed.py; chromium through Playwright) ----------------

@pytest.mark.timeout(180)
def test_workspace_map_opens_on_punjab_with_legend_clusters_and_brushing(page, site):
    from tests.web.conftest import login, shot
    from tests.web.seed import CASE

    login(page, "ayesha", next_url=f"/cases/{CASE}")
    card = page.locator("[data-map]")
    page.wait_for_selector("[data-map][data-ready]")
    card.scroll_into_view_if_needed()
    # Punjab in view, not the world: the view holds Lahore, Rawalpindi, Multan and Rahim Yar Khan and
    # stays within a few degrees of the province's outline (69.3-75.4 E, 27.7-34.0 N).
    view = page.evaluate("(() => { const b = window.tahqiqMap.getBounds(); "
                         "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()")
    west, south, east, north = view
    for lon, lat in [(74.34, 31.55), (73.05, 33.6), (71.47, 30.2), (70.3, 28.42)]:
        assert west < lon < east and south < lat < north, (view, lon, lat)
    assert 62 < west < 69.4 and 75.3 < east < 82 and 24 < south < 27.8 and 33.9 < north < 37, view
    assert page.locator("#map img.leaflet-tile-loaded").count() > 0  # the offline basemap answered
    assert int(card.get_attribute("data-max-zoom")) >= 12

    # The legend names the kinds in words, with a colour each; the count of events without a place.
    placed, unplaced = int(card.get_attribute("data-events")), int(card.get_attribute("data-unplaced"))
    assert placed > 0
    legend = card.locator("[data-map-legend]")
    assert legend.get_by_text("ANPR plate read").is_visible()
    assert "PlateRead" not in legend.inner_text()  # kinds by their names, not the model's codes
    swatches = legend.locator(".casemap-swatch").evaluate_all(
        "els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(swatches)) == len(swatches) > 0
    text = card.locator("[data-map-unplaced]").inner_text()
    if unplaced > 1:
        assert f"{unplaced} events have no place on the map" in text
    elif unplaced == 0:
        assert "Every event of this case has a place on the map" in text

    # Clustering: at the Punjab view the events are grouped; a cluster's number counts its events and
    # all of them are accounted for (markers shown on their own + the clusters' counts).
    clusters = card.locator(".event-cluster")
    singles = card.locator(".event-marker")
    counted = sum(int(n) for n in clusters.locator("b").all_inner_texts()) + singles.count()
    assert clusters.count() > 0 and counted == placed
    shot(page, "maps-01-workspace-map-punjab")
    card.screenshot(path=str(shot(page, "maps-01-workspace-map-punjab").with_name("maps-01-map-card.png")))

    # Brushing in: a selection elsewhere (graph, timeline) highlights the markers of those entities.
    event_id = page.evaluate("document.querySelector('[data-map]').caseMap.markers[0].id")
    page.evaluate("ids => document.dispatchEvent(new CustomEvent('tahqiq:select', {detail: {ids}}))", [event_id])
    assert card.get_attribute("data-selected") == "1"
    assert card.locator(".event-cluster--selected, .event-marker--selected").count() == 1
    assert card.get_by_role("button", name="Clear selection").is_visible()
    faded = card.locator(".event-cluster--dimmed .event-cluster-ring, .event-marker--dimmed span")
    assert faded.count() > 0 and all(float(o) < 0.5 for o in faded.evaluate_all(
        "els => els.map(e => getComputedStyle(e).opacity)"))  # the rest fade back
    assert "1 of them involve the selection" in card.locator("[data-map-status]").inner_text()
    # ... and out: clicking a marker tells the others which entity it is, and shows its popup.
    page.evaluate("""() => { window.__selected = []; document.addEventListener('tahqiq:select',
                      e => window.__selected.push(e.detail.ids)); }""")
    page.evaluate("""id => new Promise(done => { const m = document.querySelector('[data-map]').caseMap;
                      const hit = m.markers.find(x => x.id === id); m.cluster.zoomToShowLayer(hit.marker, done); })""",
                  event_id)
    page.locator(".event-marker--selected").first.click()
    assert page.evaluate("window.__selected") == [[event_id]]
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator(f'a[href*="/entities/{event_id}"]').count() == 1
    assert event_id not in popup.inner_text()  # a caption or the kind, never the id
    assert popup.inner_text().count("PKT") == 1  # the local time with its zone's name
    shot(page, "maps-02-marker-selected")

    # A time range brushed on the timeline keeps only the events within it; clearing shows all again.
    page.evaluate("""() => document.dispatchEvent(new CustomEvent('tahqiq:timerange',
                      {detail: {from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z'}}))""")
    assert card.get_attribute("data-shown") == "0"
    page.evaluate("""() => {
                      document.dispatchEvent(new CustomEvent('tahqiq:timerange', {detail: {from: null, to: null}}));
                      document.dispatchEvent(new CustomEvent('tahqiq:select', {detail: {ids: []}})); }""")
    assert card.get_attribute("data-shown") == str(placed) and card.get_attribute("data-selected") == "0"
    assert card.locator(".event-cluster--selected, .event-marker--selected, .event-marker--dimmed").count() == 0
    # A kind switched off in the legend leaves the map.
    legend.locator("input[data-kind='PlateRead']").uncheck()
    assert int(card.get_attribute("data-shown")) < placed
    assert not page.js_errors, page.js_errors
