"""A case's timeline and map: the events of its subjects, as decided and audited reads.

Events are entities of the model's event schemata. A subject's events are those that name the
subject or carry its identifiers, those of what the subject holds (a person → their vehicle → its
plate reads; → their account → its transactions) and those of the subject's other records (the same
CNIC or passport, the same resolved cluster). Relatives', associates' and neighbours' events are not
the subject's and stay out (reachable by graph expansion, itself audited).
"""

from __future__ import annotations

from collections import defaultdict

from tahqiq.govern import CaseView, Reader
from tahqiq.graph.links import find_links, holding_schemata
from tahqiq.graph.shapes import Event
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model

HOLDING_FANOUT = 500  # events per held thing and relation that the timeline considers


def _event(entity: EntityView, involves: list[str]) -> Event:
    schema = model().schemata.get(entity.schema)
    props = (schema.time if schema else ()) or model().time_props
    time = next((entity.first(p) for p in props if entity.first(p)), None)
    lat, lon = entity.first("latitude"), entity.first("longitude")
    return Event(entity.id, time, entity.schema, schema.label if schema else entity.schema, entity.caption,
                 entity.first("district"), float(lat) if lat else None, float(lon) if lon else None, entity.source,
                 involves)


def _newest(reader: Reader, event_ids: list[str], limit: int) -> list[str]:
    """The `limit` newest of these events, from their time values alone (no other value is read)."""
    times = reader.times(event_ids)
    return sorted(event_ids, key=lambda e: (times.get(e, ""), e), reverse=True)[:limit]


def _events(view: CaseView, action: str, limit: int) -> list[Event]:
    """The newest `limit` events of the case's subjects (see the module's docstring). A hub (an
    account with ten thousand transactions) gives at most HOLDING_FANOUT events per relation."""
    event_schemata = set(model().event_schemata)
    with view.read(action) as r:
        subjects = r.subject_ids()
        selves = set(subjects) | r.same_cluster(subjects)
        hop1 = find_links(r, selves) + find_links(r, selves, fanout=HOLDING_FANOUT, events_by_time=True)
        near = {x for link in hop1 for x in (link.source, link.target)} | selves
        schemata = r.schemata(near)
        identity = {link.target if link.source in selves else link.source for link in hop1
                    if link.relation in {f"same_{t}" for t in model().person_identity_types}}
        carriers = sorted(x for x in near - selves
                          if schemata.get(x) in holding_schemata() or (x in identity and schemata.get(x) == "Person"))
        hop2 = find_links(r, carriers, fanout=HOLDING_FANOUT, events_by_time=True)
        involves: dict[str, set[str]] = defaultdict(set)
        for link in hop1 + hop2:
            involves[link.source].add(link.target)
            involves[link.target].add(link.source)
        far = {x for link in hop2 for x in (link.source, link.target)} - near
        schemata.update(r.schemata(far))
        event_ids = sorted(i for i in near | far if schemata.get(i) in event_schemata)
        found = r.entities(_newest(r, event_ids, limit))
    events = [_event(e, sorted(involves.get(e.id, set()) & near)) for e in found]
    events.sort(key=lambda ev: (ev.time or "", ev.id), reverse=True)
    return events


def timeline(view: CaseView, limit: int = 1000) -> list[Event]:
    """Events of the case's subjects and of what they hold, newest first."""
    return _events(view, "read.timeline", limit)


def places(view: CaseView, limit: int = 1000) -> list[Event]:
    """The same events, only those with coordinates (for the map)."""
    return [ev for ev in _events(view, "read.places", limit) if ev.latitude is not None and ev.longitude is not None]


__all__ = ["places", "timeline"]
