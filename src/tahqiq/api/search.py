"""Search within a case: one box that takes a CNIC, a phone number, a plate, an IBAN, a chassis
number, an entity id or a name (Roman or Urdu script, any common spelling).

The query is tried against each identifier normaliser of the model (tahqiq.model.types); what parses
is looked up exactly, with `view.find`, in every property of that type ("35202-1234567-1" finds the
NADRA record's `cnic`, a phone's `subscriberCnic` and an FIR's `accusedCnic`). A query that is no
identifier is taken as a name (tahqiq.govern.name_search). Every lookup is a read through the gate:
decided for the case and audited with a keyed hash of the value, never the value.
"""

from __future__ import annotations

import re
from functools import cache

from tahqiq.govern import CaseView, GovernError
from tahqiq.govern.name_search import find_by_name
from tahqiq.model.schema import model
from tahqiq.model.types import InvalidValue, normalise

# Identifier types in the order they are tried; a query may be taken as more than one.
KINDS = ("cnic", "iban", "phone", "plate", "chassis")
ENTITY_ID = re.compile(r"[0-9a-f]{32}")
MAX_QUERY = 200


@cache
def props_of(kind: str) -> tuple[str, ...]:
    """Every property name that holds values of this type, in any schema."""
    return tuple(sorted({p.name for s in model().schemata.values() for p in s.properties.values() if p.type == kind}))


def detect(q: str) -> list[tuple[str, str]]:
    """What the query can be: [(kind, normalised value)], most specific first."""
    q = q.strip()
    if ENTITY_ID.fullmatch(q.lower()):
        return [("id", q.lower())]
    found = []
    for kind in KINDS:
        try:
            found.append((kind, normalise(kind, q)))
        except InvalidValue:
            continue
    if not found and any(ch.isalpha() for ch in q):
        found.append(("name", q))
    return found


def search(view: CaseView, q: str, limit: int = 50) -> list[dict]:
    """Entities matching `q` under the view's case: [{"kind": ..., "entity": EntityView}], each
    entity once (under the first kind that found it)."""
    q = (q or "").strip()
    if not q:
        raise GovernError("type a CNIC, phone, plate, IBAN, chassis number or name")
    if len(q) > MAX_QUERY:
        raise GovernError(f"a search is at most {MAX_QUERY} characters")
    kinds = detect(q)
    if not kinds:
        raise GovernError(f"{q!r} is not a CNIC, phone, plate, IBAN or chassis number, and has no letters for a name")
    hits: dict[str, dict] = {}
    for kind, value in kinds:
        if kind == "id":
            found = view.entities([value])
        elif kind == "name":
            found = find_by_name(view, value, limit=limit)
        else:
            found = [e for prop in props_of(kind) for e in view.find(prop, value, limit=limit)]
        for entity in found:
            hits.setdefault(entity.id, {"kind": kind, "entity": entity})
        if len(hits) >= limit:
            break
    return list(hits.values())[:limit]


def detected_kinds(q: str) -> list[str]:
    return [k for k, _ in detect(q or "")]
