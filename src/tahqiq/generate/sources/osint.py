"""OSINT events (JSON lines): incidents from open sources (rescue bulletins, police press releases,
traffic advisories, local news), with a place and time.
"""

from __future__ import annotations

from tahqiq.generate.rng import stream
from tahqiq.generate.sources.common import BAD_DISTRICTS, BAD_RATE, World, open_sink
from tahqiq.generate.timefmt import iso
from tahqiq.generate.writers import Sink


def write_osint(w: World) -> Sink:
    name = "osint_events"
    r = stream(w.seed, "src:" + name)
    rnd = r.random
    dists, T = w.geo.districts, w.truth
    sink = open_sink(w, name)
    for k, o in enumerate(w.osint):
        rid = f"OS-{k + 1:06d}"
        district = dists[o.district].name
        if rnd() < BAD_RATE:
            district = BAD_DISTRICTS[int(rnd() * len(BAD_DISTRICTS))]
            T.bad([name, rid, "district", "unknown district"])
        sink.write([rid, o.title, o.kind, iso(o.time), district, round(o.lat, 5), round(o.lon, 5), o.url, o.publisher])
    w.tick(name, len(w.osint))
    return sink
