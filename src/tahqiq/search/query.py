"""Search within a case: one box that takes a CNIC, a phone number, a plate, an IBAN, a chassis
number, an entity id or a name (Roman or Urdu script, any common spelling).

The query is tried as each of the model's searchable types (schema.yml: `search: true`, in order)
with its normaliser (tahqiq.model.types); what parses is looked up exactly, with `view.find`, in
every property of that type ("35202-1234567-1" finds the NADRA record's `cnic`, a phone's
`subscriberCnic` and an FIR's `accusedCnic`). A query that is no identifier is taken as a name
(`names.find_by_name`). Every lookup is a read through the gate: decided for the case and audited
with a keyed hash of the value, never the value. The API and the pages both call `search`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tahqiq.govern import CaseView, GovernError
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model
from tahqiq.model.types import InvalidValue, normalise
from tahqiq.search.names import find_by_name

ENTITY_ID = re.compile(r"[0-9a-f]{32}")
MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    kind: str  # what the query was taken for: cnic, phone, plate, iban, chassis, name, id
    entity: EntityView


def detect(q: str) -> list[tuple[str, str]]:
    """What the query can be: [(kind, normalised value)], most specific first."""
    q = q.strip()
    if ENTITY_ID.fullmatch(q.lower()):
        return [("id", q.lower())]
    found = []
    for kind in model().search_types:
        try:
            found.append((kind, normalise(kind, q)))
        except InvalidValue:
            continue
    if not found and any(ch.isalpha() for ch in q):
        found.append(("name", q))
    return found


def search(view: CaseView, q: str, limit: int = 50) -> list[Hit]:
    """Entities matching `q` under the view's case, each once (under the first kind that found it)."""
    q = (q or "").strip()
    if not q:
        raise GovernError("type a CNIC, phone, plate, IBAN, chassis number or name")
    if len(q) > MAX_QUERY:
        raise GovernError(f"a search is at most {MAX_QUERY} characters")
    kinds = detect(q)
    if not kinds:
        raise GovernError(f"{q!r} is not a CNIC, phone, plate, IBAN or chassis number, and has no letters for a name")
    hits: dict[str, Hit] = {}
    for kind, value in kinds:
        if kind == "id":
            found = view.entities([value])
        elif kind == "name":
            found = find_by_name(view, value, limit=limit)
        else:
            found = [e for prop in model().props_of_type(kind) for e in view.find(prop, value, limit=limit)]
        for entity in found:
            hits.setdefault(entity.id, Hit(kind, entity))
        if len(hits) >= limit:
            break
    return list(hits.values())[:limit]


def detected_kinds(q: str) -> list[str]:
    return [k for k, _ in detect(q or "")]


__all__ = ["Hit", "detect", "detected_kinds", "search"]
