"""Impossible travel: one account's consecutive successful logins from two places that no one could
travel between in the time between them (by default faster than 1,000 km/h, an airliner's speed).

This is a stateful detector beside the rule engine, not a YAML rule: the engine's correlations count
events and distinct values in a window and order steps, but none can compare two events' places, and
the place of an address comes from a table outside the events. It yields the engine's `Detection`s,
so its alerts go through the same pipeline, with both logins and the computed speed as evidence.

Places come from a `GeoTable`: a CSV of `network,latitude,longitude,country,city` rows (CIDR networks,
IPv4 and IPv6) that the deployment provides, e.g. an export of a licensed GeoIP database; Tahqiq
ships none. An address in no network, or a private one, has no place and is skipped. A login is
about an account and a network address, never a person's location: an address's place is where its
network is registered, which is why a minimum distance (default 100 km) keeps geolocation noise out.
"""

from __future__ import annotations

import csv
import ipaddress
import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tahqiq.stream.events import Event
from tahqiq.stream.rulefile import Rule
from tahqiq.stream.windows import Detection, dedupe

__all__ = ["TRAVEL_RULE", "GeoTable", "Place", "TravelDetector", "distance_km"]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    network: str
    latitude: float
    longitude: float
    country: str = ""
    city: str = ""


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class _Ranges:
    """Networks of one IP version as sorted [start, end] integer ranges. Nested networks are allowed:
    `parent[i]` is the nearest earlier range containing range i, so a lookup that lands in a range
    ending before the address walks out to the enclosing ones (the most specific network wins)."""

    def __init__(self, rows: list[tuple[int, int, Place]]) -> None:
        rows.sort(key=lambda r: (r[0], -r[1]))
        self.starts = [r[0] for r in rows]
        self.ends = [r[1] for r in rows]
        self.places = [r[2] for r in rows]
        self.parent: list[int] = []
        stack: list[int] = []
        for i, (start, _, _) in enumerate(rows):
            while stack and self.ends[stack[-1]] < start:
                stack.pop()
            self.parent.append(stack[-1] if stack else -1)
            stack.append(i)

    def find(self, x: int) -> Place | None:
        i = bisect_right(self.starts, x) - 1
        while i >= 0 and self.ends[i] < x:
            i = self.parent[i]
        return self.places[i] if i >= 0 else None


class GeoTable:
    """Address -> place, from CIDR rows. `GeoTable.load(path)` reads the CSV (a header row with
    network, latitude, longitude, country, city; extra columns are ignored)."""

    def __init__(self, rows: Iterable[Place]) -> None:
        v4: list[tuple[int, int, Place]] = []
        v6: list[tuple[int, int, Place]] = []
        for place in rows:
            net = ipaddress.ip_network(place.network, strict=False)
            (v4 if net.version == 4 else v6).append((int(net.network_address), int(net.broadcast_address), place))
        self.size = len(v4) + len(v6)
        self._v4, self._v6 = _Ranges(v4), _Ranges(v6)
        self._cache: dict[str, Place | None] = {}

    @classmethod
    def load(cls, path: str | Path) -> GeoTable:
        places: list[Place] = []
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"network", "latitude", "longitude"} - set(reader.fieldnames or ())
            if missing:
                raise ValueError(f"{path}: the CSV needs columns network, latitude, longitude (missing: "
                                 f"{', '.join(sorted(missing))})")
            for n, row in enumerate(reader, 2):
                try:
                    places.append(Place(row["network"].strip(), float(row["latitude"]), float(row["longitude"]),
                                        (row.get("country") or "").strip(), (row.get("city") or "").strip()))
                    ipaddress.ip_network(places[-1].network, strict=False)
                except (ValueError, TypeError) as exc:
                    raise ValueError(f"{path} line {n}: {exc}") from None
        return cls(places)

    def lookup(self, address: str) -> Place | None:
        """The most specific network's place, or None (unknown, private or not an address)."""
        if address in self._cache:
            return self._cache[address]
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            place = None
        else:
            if ip.version == 6 and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            table = self._v4 if ip.version == 4 else self._v6
            place = None if ip.is_private or ip.is_loopback else table.find(int(ip))
        if len(self._cache) < 1_000_000:
            self._cache[address] = place
        return place


TRAVEL_RULE = Rule(id="logs.impossible-travel", title="Impossible travel between two logins of one account",
                   severity="high", schemas=("AuthEvent", "WindowsEvent"), key="user", selections={},
                   condition=("sel", "login"), correlation=None, step_trees=[], source="tahqiq.intel.logs.travel")


class TravelDetector:
    """Feed it events in time order; it returns a Detection when an account's successful login comes
    from a place too far from its previous one for the time between them."""

    def __init__(self, geo: GeoTable, *, max_speed_kmh: float = 1000.0, min_distance_km: float = 100.0,
                 rule: Rule = TRAVEL_RULE) -> None:
        if max_speed_kmh <= 0:
            raise ValueError("max_speed_kmh must be positive")
        self.geo, self.max_speed_kmh, self.min_distance_km, self.rule = geo, max_speed_kmh, min_distance_km, rule
        self._last: dict[str, tuple[Event, Place]] = {}

    def process(self, event: Event) -> list[Detection]:
        f = event.fields
        if f.get("action") != "login" or f.get("outcome") != "success":
            return []
        user, ip = f.get("user"), f.get("src_ip")
        if not user or not ip:
            return []
        place = self.geo.lookup(str(ip))
        if place is None:
            return []
        key = f"{event.schema}:{f.get('host', '') if event.schema == 'AuthEvent' else ''}:{user}".lower()
        if event.schema == "WindowsEvent":  # domain accounts are the same account on every computer
            key = f"WindowsEvent::{str(f.get('TargetDomainName', '')).lower()}\\{str(user).lower()}"
        previous = self._last.get(key)
        self._last[key] = (event, place)
        if previous is None:
            return []
        before, where = previous
        km = distance_km(where, place)
        if km < self.min_distance_km:
            return []
        hours = max(event.time - before.time, 0.0) / 3600.0
        speed = km / hours if hours > 0 else math.inf
        if speed <= self.max_speed_kmh:
            return []
        travel = {"from": _where(before, where), "to": _where(event, place), "distance_km": round(km, 1),
                  "hours": round(hours, 3), "speed_kmh": None if math.isinf(speed) else round(speed, 1),
                  "max_speed_kmh": self.max_speed_kmh}
        evidence: dict[str, Any] = {"rule": {"id": self.rule.id, "title": self.rule.title, "source": self.rule.source},
                                    "events": [before.to_evidence(), event.to_evidence()], "hits": [],
                                    "travel": travel}
        return [Detection(self.rule, dedupe(self.rule.id, str(user), before.id, event.id), "user", str(user),
                          event.time, event.district, None, evidence, event.id)]

    def run(self, events: Iterable[Event]) -> Iterator[Detection]:
        for event in events:
            yield from self.process(event)


def _where(event: Event, place: Place) -> dict[str, Any]:
    return {"event_id": event.id, "time": event.time, "src_ip": event.fields.get("src_ip"),
            "network": place.network, "country": place.country, "city": place.city,
            "latitude": place.latitude, "longitude": place.longitude}
