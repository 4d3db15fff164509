"""Search within a case: one box that takes a CNIC, a phone number, a plate, an IBAN, a chassis
number, an entity id or a name (Roman or Urdu script, any common spelling).

The query is tried as each of the model's searchable types (schema.yml: `search: true`, in order)
with its normaliser (tahqiq.model.types); what parses is looked up exactly in every property of that
type ("35202-1234567-1" finds the NADRA record's `cnic`, a phone's `subscriberCnic` and an FIR's
`accusedCnic`). A query that is no identifier is taken as a name (the in-memory name index of
`names`). A whole query is ONE read through the gate ("read.search"): decided for the case and
audited once, its detail listing a keyed hash of every interpretation tried (`queried`), never the
value, so that oversight finds a search by computing the same keys from a name or a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tahqiq.govern import CaseView, GovernError, Reader
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model
from tahqiq.model.types import InvalidValue, normalise
from tahqiq.names import canonical_tokens, name_key
from tahqiq.search.names import NameIndex, best_name_similarity, index_for

ENTITY_ID = re.compile(r"[0-9a-f]{32}")
MAX_QUERY = 200


class BadQuery(GovernError):
    """A query that is nothing searchable; `code` says which rule it broke (the web layer phrases it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Hit:
    kind: str  # what the query was taken for: cnic, phone, plate, iban, chassis, name, id
    entity: EntityView


@dataclass(frozen=True)
class Candidate:
    """A record the query matched, before its values are read: how, and how well."""

    id: str
    kind: str
    exact: bool  # an identifier, an id or the whole name matched (not merely every name token)


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


def detected_kinds(q: str) -> list[str]:
    return [k for k, _ in detect(q or "")]


def interpret(q: str) -> list[tuple[str, str]]:
    """`detect`, with the reasons a query is refused (as BadQuery with a code)."""
    q = (q or "").strip()
    if not q:
        raise BadQuery("empty", "type a CNIC, phone, plate, IBAN, chassis number or name")
    if len(q) > MAX_QUERY:
        raise BadQuery("too_long", f"a search is at most {MAX_QUERY} characters")
    kinds = detect(q)
    if not kinds:
        raise BadQuery("nothing", f"{q!r} is not a CNIC, phone, plate, IBAN or chassis number, and has no letters "
                                  "for a name")
    if kinds == [("name", q)] and not canonical_tokens(q):
        raise BadQuery("no_letters", "give a name with at least one letter")
    return kinds


def query_key(view: CaseView, kind: str, value: str) -> str:
    """The audit log's key of one interpretation: `<kind>#<keyed digest>`. A name's key is the digest
    of its canonical key, the same for every script and spelling the search accepts."""
    if kind == "name":
        return f"name#{view.gate.digest('name', name_key(value))}"
    return f"{kind}#{view.gate.digest(kind, value)}"


def candidates(r: Reader, index: NameIndex, kinds: list[tuple[str, str]], cap: int) -> tuple[list[Candidate], bool]:
    """Up to `cap` records matching any interpretation, exact matches first, and whether more
    matched. Ids only (exploration, and the name index of the store): the caller reads the values
    of those it shows."""
    found: dict[str, Candidate] = {}
    more = False
    for kind, value in kinds:
        if kind == "id":
            ids, exact_ids = list(r.schemata([value])), None
        elif kind == "name":
            exact, partial = index.candidates(value)
            ids, exact_ids = exact + partial, set(exact)
        else:
            # Every property of this type at once: one batched lookup, not one query per property.
            pairs = [(p, value) for p in model().props_of_type(kind)]
            ids, exact_ids = list(dict.fromkeys(row[0] for row in r.holders(pairs, cap + 1))), None
        for eid in ids:
            if eid in found:
                continue
            if len(found) >= cap:
                more = True
                break
            found[eid] = Candidate(eid, kind, exact_ids is None or eid in exact_ids)
    ordered = sorted(found.values(), key=lambda c: not c.exact)  # stable: each kind's own order within
    return ordered, more


def rank(entity: EntityView, cand: Candidate, q: str) -> tuple[int, float]:
    """How well a record matched: exact matches first, then by name similarity to the query."""
    sim = best_name_similarity(entity, q) if cand.kind == "name" else 1.0
    return (0 if cand.exact else 1, -sim)


def search(view: CaseView, q: str, limit: int = 50) -> list[Hit]:
    """Records matching `q` under the view's case, best first, each once (under the first kind that
    found it): one audited read."""
    kinds = interpret(q)
    keys = [query_key(view, k, v) for k, v in kinds]
    limit = max(1, min(int(limit), 500))
    with view.read("read.search", target=keys[0], detail={"queried": keys, "kinds": [k for k, _ in kinds]}) as r:
        found, more = candidates(r, index_for(view.gate), kinds, limit)
        by_id = {c.id: c for c in found}
        entities = r.entities(list(by_id))
        r.note(records=len(entities), more=more)
    text = q.strip()
    entities.sort(key=lambda e: rank(e, by_id[e.id], text))
    return [Hit(by_id[e.id].kind, e) for e in entities]


__all__ = ["BadQuery", "Candidate", "Hit", "MAX_QUERY", "candidates", "detect", "detected_kinds", "interpret",
           "query_key", "rank", "search"]
