"""What an alert means, as facts: what was seen, where and when, which watchlist entry it matched and
why that entry exists, the window that made a correlation fire, and the records it leads to.

Two steps. `facts_of(row)` reads only the alert itself (its evidence, as the detection worker wrote
it): cheap, for every card of a control room. `enrich(r, facts)` adds, inside the desk's decided
read, the watchlist entries (reason, case, legal basis) and the records linked to what the entry
names (the person or vehicle, its other records in the same resolved cluster, the warrants and
FIRs that reference it), read through the gate's reader, so the grant lists what was shown.

No English here: the web layer turns `kind` and the facts into a sentence in the reader's language.
Times are aware datetimes (never epoch seconds); identifiers stay as the store normalised them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tahqiq.govern import Reader
from tahqiq.govern.tables import Case, User
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model
from tahqiq.screen.tables import WatchlistEntry
from tahqiq.store.base import aware_utc
from tahqiq.stream.events import KEY_FIELDS

# Rule kinds as the stream room defines them: a single event (with or without a watchlist hit) or
# one of its correlation types (stream.rulefile.Correlation.type).
RULE_KINDS = ("watchlist", "match", "event_count", "value_count", "temporal_ordered")
# Where an event happened: the stream's point fields (id, name) for the kind of point.
POINTS = (("camera", "camera_id", "camera"), ("checkpoint", "checkpoint_id", "checkpoint"))
# Types of a linked record's values worth stating as facts (its names and personal identifiers are
# what the link itself shows; coordinates are the map's).
FACT_TYPES = ("identifier", "text", "date", "datetime", "district", "enum", "amount", "currency", "number")
MAX_LINKS = 12
PER_VALUE = 10  # records read per linking value (a hub cannot flood the page)


@dataclass
class Seen:
    kind: str  # plate | cnic | phone | iban | chassis | name
    value: str
    event_field: str  # the event's field (payer_iban / payee_iban tell the direction of a transfer)


@dataclass
class Where:
    point_kind: str | None = None  # camera | checkpoint
    point_id: str | None = None
    name: str | None = None
    district: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class WindowMember:
    at: datetime | None
    value: str | None = None  # value_count: the distinct value (a camera id)
    step: int | None = None  # temporal_ordered: which step (0-based)


@dataclass
class Window:
    type: str  # event_count | value_count | temporal_ordered
    count: int
    span_s: int
    first: datetime | None
    last: datetime | None
    counted: str | None = None  # value_count: the field whose distinct values were counted (camera_id)
    members: list[WindowMember] = field(default_factory=list)


@dataclass
class RecordFact:
    label: str  # the model's label of the property
    value: str
    type: str  # the property's type (dates are shown as dates)


@dataclass
class Link:
    entity_id: str
    schema: str
    schema_label: str
    caption: str  # never an id: the caption, else the kind and an identifier
    facts: list[RecordFact] = field(default_factory=list)
    via: str = "entry"  # entry | cluster | reference | identifier | number


@dataclass
class EntryFacts:
    kind: str  # what the entry lists: person | phone | plate | chassis | indicator
    label: str
    matched_kind: str  # which key matched (plate, cnic, name...)
    matched_value: str
    case: str
    basis_kind: str | None = None  # warrant | fir
    basis_ref: str | None = None
    authorised_by: str | None = None
    reason: str | None = None
    added_by: str | None = None
    added_at: datetime | None = None
    birth_date: str | None = None
    father_name: str | None = None
    entity_id: str | None = None
    active: bool = True
    entry_id: int | None = None  # to read the entry (an internal number: pages do not show it)
    # A key one camera misread or typing slip away from the listed one (screen.confusions): what was
    # read, and the kind of error (confusion, transposition, missing, extra), for the operator to check.
    near_read: str | None = None
    near_error: str | None = None


@dataclass
class AlertFacts:
    kind: str  # one of RULE_KINDS
    rule_id: str
    rule_title: str
    schema: str | None  # the event's schema: PlateRead, CheckpointCheck, Transaction...
    at: datetime | None  # when the (last) event happened
    seen: list[Seen] = field(default_factory=list)
    where: Where = field(default_factory=Where)
    confidence: float | None = None
    amount: str | None = None
    currency: str | None = None
    channel: str | None = None
    entries: list[EntryFacts] = field(default_factory=list)
    window: Window | None = None
    links: list[Link] = field(default_factory=list)


def _time(value: Any) -> datetime | None:
    """An event time from evidence (epoch seconds or ISO text) as an aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), UTC)
    try:
        t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else aware_utc(t)


def _float(value: Any) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def facts_of(rule_id: str, title: str, key_kind: str | None, key_value: str | None, occurred_at: datetime | None,
             district: str | None, evidence: Mapping[str, Any]) -> AlertFacts:
    """The facts an alert's own evidence holds (no other read)."""
    events = [e for e in evidence.get("events") or [] if isinstance(e, dict)]
    event = events[-1] if events else {}
    fields: dict[str, Any] = dict(event.get("fields") or {})
    hits = [h for h in evidence.get("hits") or [] if isinstance(h, dict)]
    raw_window = evidence.get("window") if isinstance(evidence.get("window"), dict) else None
    kind = raw_window["type"] if raw_window and raw_window.get("type") in RULE_KINDS else (
        "watchlist" if hits else "match")
    rule: Mapping[str, Any] = evidence["rule"] if isinstance(evidence.get("rule"), dict) else {}
    facts = AlertFacts(kind=kind, rule_id=rule_id, rule_title=str(rule.get("title") or title),
                       schema=event.get("schema"), at=occurred_at or _time(event.get("occurred_at")))
    # What was seen: the alert's key first, then the event's other key fields.
    seen: dict[tuple[str, str], Seen] = {}
    if key_value:
        seen[(key_kind or "", key_value)] = Seen(key_kind or "", key_value, next(
            (f for f, v in fields.items() if str(v) == key_value), key_kind or ""))
    for name, value in fields.items():
        if name in KEY_FIELDS and value not in (None, ""):
            seen.setdefault((KEY_FIELDS[name], str(value)), Seen(KEY_FIELDS[name], str(value), name))
    facts.seen = list(seen.values())
    where = Where(district=event.get("district") or district, lat=_float(fields.get("latitude")),
                  lon=_float(fields.get("longitude")))
    for point, id_field, name_field in POINTS:
        if fields.get(id_field) or fields.get(name_field):
            where.point_kind, where.point_id = point, fields.get(id_field)
            where.name = fields.get(name_field) or fields.get(id_field)
            break
    facts.where = where
    facts.confidence = _float(fields.get("confidence"))
    if fields.get("amount") is not None:
        facts.amount, facts.currency = str(fields["amount"]), fields.get("currency")
        facts.channel = fields.get("channel")
    facts.entries = []
    for h in hits:
        basis_kind, _, basis_ref = str(h.get("basis") or "").partition(" ")  # "warrant W-77/2026 ATC Lahore"
        found = h.get("explanation")
        how: Mapping[str, Any] = found if isinstance(found, dict) else {}
        near = how.get("match") == "near"
        facts.entries.append(EntryFacts(
            kind="", label=str(h.get("label") or h.get("value") or ""), matched_kind=str(h.get("kind") or ""),
            matched_value=str(h.get("value") or ""), case=str(h.get("case") or ""), entry_id=_int(h.get("entry_id")),
            basis_kind=basis_kind or None, basis_ref=basis_ref or None,
            near_read=str(how.get("read") or "") or None if near else None,
            near_error=str(how.get("error") or "") or None if near else None))
    if raw_window:
        facts.window = _window(raw_window, fields)
    return facts


def _window(w: Mapping[str, Any], fields: Mapping[str, Any]) -> Window:
    members = [WindowMember(_time(m.get("time")), m.get("value"), m.get("step"))
               for m in w.get("members") or [] if isinstance(m, dict)]
    out = Window(type=str(w.get("type")), count=int(w.get("count") or len(members)),
                 span_s=int(w.get("timespan_s") or 0), first=_time(w.get("first")), last=_time(w.get("last")),
                 members=members)
    if out.type == "value_count":
        # The counted field is the one of the firing event whose value is the newest member's.
        values = {str(m.value) for m in members if m.value is not None}
        out.counted = next((f for f, v in fields.items() if str(v) in values and f.endswith("_id")),
                         next((f for f, v in fields.items() if str(v) in values), None))
    return out


# --- enrichment, inside the desk's decided read ---------------------------------------------------

def enrich(r: Reader, facts: AlertFacts) -> None:
    """Add the entries' full facts and the linked records (read through `r`, which records them)."""
    ids = sorted({e.entry_id for e in facts.entries if e.entry_id is not None})
    entities: list[str] = []
    if ids:
        w = WatchlistEntry
        rows = r.conn.execute(
            select(w.id, w.kind, w.label, w.reason, w.added_at, w.expires_at, w.removed_at, w.birth_date,
                   w.father_name, w.entity_id, Case.reference, Case.basis_kind, Case.basis_ref,
                   Case.authorising_officer, User.username).join(Case, Case.id == w.case_id)
            .join(User, User.id == w.added_by).where(w.id.in_(ids))).all()
        by_id = {row.id: row for row in rows}
        r.disclose(f"watchlist:{i}" for i in by_id)
        now = datetime.now(UTC)
        for entry in facts.entries:
            e = by_id.get(entry.entry_id) if entry.entry_id is not None else None
            if e is None:
                continue
            entry.kind, entry.label, entry.reason = e.kind, e.label, e.reason
            entry.case, entry.basis_kind, entry.basis_ref = e.reference, e.basis_kind, e.basis_ref
            entry.authorised_by, entry.added_by = e.authorising_officer, e.username
            entry.added_at = aware_utc(e.added_at)
            entry.birth_date, entry.father_name, entry.entity_id = e.birth_date, e.father_name, e.entity_id
            entry.active = e.removed_at is None and aware_utc(e.expires_at) > now
            if e.entity_id:
                entities.append(e.entity_id)
    facts.links = linked_records(r, entities, [(s.kind, s.value) for s in facts.seen])


def linked_records(r: Reader, entity_ids: list[str], keys: list[tuple[str, str]]) -> list[Link]:
    """The records an alert leads to: the entries' entities and their resolved clusters, the
    records that reference them (warrants naming the person, FIRs, a vehicle's owner), the records
    holding the seen identifiers, and the records sharing a reference number with those (the FIR a
    warrant cites). Events are left out (the alert is one). At most MAX_LINKS."""
    m = model()
    found: dict[str, str] = dict.fromkeys(entity_ids, "entry")
    if entity_ids:
        for eid in r.same_cluster(entity_ids, per=PER_VALUE):
            found.setdefault(eid, "cluster")
    schemata = r.schemata(found) if found else {}
    # Records pointing at these (Warrant.subject, Vehicle.owner...), and those these point at.
    pairs = [(p.name, eid) for eid, schema in schemata.items() for s in m.schemata.values()
             for p in s.properties.values() if p.is_reference and p.range == schema]
    refs = {p.name for s in m.schemata.values() for p in s.properties.values() if p.is_reference}
    for _eid, _schema, _prop, value in r.values_of(list(schemata), refs) if schemata else []:
        found.setdefault(value, "reference")
    # Records holding what was seen (a CNIC on a warrant, a plate on the excise register).
    by_type = {t: m.props_of_type(t) for t in {k for k, _ in keys}}
    pairs += [(prop, value) for kind, value in keys for prop in by_type.get(kind, ())]
    events = set(m.event_schemata)
    for eid, schema, _prop, _value in r.holders(pairs, PER_VALUE) if pairs else []:
        if schema not in events:
            found.setdefault(eid, "reference" if _prop in refs else "identifier")
    # One hop on reference numbers: the FIR a warrant cites (an FIR is an event, found this way only).
    numbers = m.props_of_type("identifier")
    rows = r.values_of([e for e in found if e not in entity_ids], numbers) if len(found) > len(entity_ids) else []
    for eid, _schema, _prop, _value in r.holders({(p, v) for _, _, p, v in rows}, PER_VALUE) if rows else []:
        found.setdefault(eid, "number")
    schemata = r.schemata(found)
    keep = [e for e in found if e in schemata and (found[e] == "number" or schemata[e] not in events)]
    # The entries' own entities first, then legal records (those with reference numbers), then the rest.
    keep.sort(key=lambda e: (found[e] != "entry", not m.get(schemata[e]).of_type("identifier"), schemata[e], e))
    views = {v.id: v for v in r.entities(keep[:MAX_LINKS])}
    return [_link(views[e], found[e]) for e in keep[:MAX_LINKS] if e in views]


def _link(v: EntityView, via: str) -> Link:
    schema = model().get(v.schema)
    caption = v.caption
    if caption == v.id:  # no name: the kind and an identifier, never the hash
        ids = v.identifiers(1)
        caption = ids[0] if ids else ""
    # A record named by a person's name (a Person) shows only its name: its other values are the
    # entity page's to show, under a case. Records named by a number (a warrant, an FIR, a vehicle)
    # show what makes them a reason: offence, court, date, status.
    named = schema.caption is not None and schema.get(schema.caption).type == "name"
    facts = [] if named else [RecordFact(p.label, val, p.type) for p in schema.properties.values()
                              if p.type in FACT_TYPES for val in v.values(p.name)[:1] if val and val != caption]
    return Link(v.id, v.schema, schema.label, caption, facts[:8], via)


__all__ = ["AlertFacts", "EntryFacts", "Link", "RULE_KINDS", "RecordFact", "Seen", "Where", "Window",
           "WindowMember", "enrich", "facts_of", "linked_records"]
