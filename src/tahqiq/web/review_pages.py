"""The review queue of entity resolution under a case: uncertain record pairs side by side, and an
analyst's merge or split with a reason (the same gate and decisions as `tahqiq resolve decide`).

    GET  /cases/{ref}/review?page=N          one page of undecided pairs, most likely first
    POST /cases/{ref}/review/decide          htmx: record a decision; answers with its result

Each pair is shown as the analyst compares it: the two records' values aligned by property, values
that differ highlighted, and beside each compared property what the model made of it (the level it
found and how strongly that spoke for or against a match, in words). The page is one audited read
(`resolve.review.review_page`) that discloses exactly the records shown; a decision is one audited
write (`resolve.decide`), after which the pair is no longer in the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tahqiq import resolve
from tahqiq.api import deps
from tahqiq.api.models import refuse_nul
from tahqiq.govern import AccessDenied, CaseView, GovernError, Principal
from tahqiq.model.entity import EntityView, Value
from tahqiq.model.schema import model
from tahqiq.resolve import FieldContribution, LinkExplanation, review_page
from tahqiq.resolve.spec import PARENTAGE
from tahqiq.web.entities import summary
from tahqiq.web.i18n import gettext as _
from tahqiq.web.render import MAX_PAGE, page, purpose_of, speak, under_case

# A NUL (0x00) in a path or query would end as a PostgreSQL error: refused with 400 first.
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])

PAGE_SIZE = 10
MIN_REASON = 5  # the same floor as resolve.decide: a few words that will be read later


@dataclass(frozen=True)
class Strength:
    """How strongly one compared field spoke for or against a match, as a code the page phrases."""

    code: str  # rules-out | strong-against | against | weak-against | neutral | weak-for | for | strong-for | decisive
    weight: float | None  # log2 Bayes factor; None when infinite either way


def strength(f: FieldContribution) -> Strength:
    """Splink's log2 Bayes factor in bands an analyst can read: about 1 bit is "twice as likely",
    6.6 bits "a hundred times"; a factor of 0 rules the pair out and an infinite one decides it."""
    if f.log2_bayes_factor is None:
        if f.bayes_factor is None:
            return Strength("decisive", None)
        return Strength("rules-out" if f.bayes_factor == 0 else "neutral", None)
    w = f.log2_bayes_factor
    bands = ((6.6, "strong-for"), (2.0, "for"), (0.3, "weak-for"), (-0.3, "neutral"), (-2.0, "weak-against"),
             (-6.6, "against"))
    return Strength(next((code for floor, code in bands if w >= floor), "strong-against"), w)


def strength_words() -> dict[str, str]:
    """The page's words for each band (translated at render time, in the reader's language)."""
    return {"rules-out": _("rules the match out"), "strong-against": _("strong evidence against"),
            "against": _("evidence against"), "weak-against": _("weak evidence against"),
            "neutral": _("no evidence either way"), "weak-for": _("weak evidence for"),
            "for": _("evidence for"), "strong-for": _("strong evidence for"), "decisive": _("decisive evidence for")}


@dataclass
class Row:
    """One property of the comparison: both records' values and what the model made of them."""

    prop: str
    label: str
    left: list[Value]
    right: list[Value]
    state: str  # same | differs | one-side
    level: str | None = None  # the model's comparison level ("same canonical name"), when compared
    strength: Strength | None = None
    # Where a missing value was read from by resolution: a father's name from "Aslam s/o Akram".
    read_from: str | None = None
    # Identifiers and dates run left to right even in an Urdu line ("+923001234567", not "923001234567+").
    ltr: bool = False


@dataclass
class Pair:
    number: int  # position in the whole queue, from 1
    link: LinkExplanation
    left: dict[str, Any]
    right: dict[str, Any]
    rows: list[Row] = field(default_factory=list)


def _key(v: Value) -> str:
    return " ".join(v.value.casefold().split())


def compare(left: EntityView, right: EntityView, fields: list[FieldContribution]) -> list[Row]:
    """The two records' values aligned by property: the compared fields first (in the model's order
    of comparison), then every other plain value either record has. References to other entities
    are left out: their values are ids, and the records' links are on their entity pages."""
    schema = model().schemata.get(left.schema) or model().schemata.get(right.schema)
    order = list(schema.properties) if schema else []
    compared = {f.field: f for f in fields}
    others = sorted((set(left.properties) | set(right.properties)) - set(compared),
                    key=lambda p: (order.index(p) if p in order else len(order), p))
    rows: list[Row] = []
    for prop in [*compared, *others]:
        spec = schema.properties.get(prop) if schema else None
        if spec is not None and spec.is_reference:
            continue
        lv, rv = left.properties.get(prop, []), right.properties.get(prop, [])
        f = compared.get(prop)
        found = strength(f) if f else None
        if not lv and not rv and (found is None or found.code == "neutral"):
            continue  # missing on both records and no weight either way: nothing to compare
        if lv and rv:
            state = "same" if {_key(v) for v in lv} & {_key(v) for v in rv} else "differs"
        else:
            state = "one-side"
        rows.append(Row(prop, spec.label if spec else model().property_label(prop), lv, rv, state,
                        f.level if f else None, found, PARENTAGE.get(left.schema, {}).get(prop),
                        ltr=bool(spec and (spec.type in model().identifier_types or spec.type == "date"))))
    return rows


def _side(entity: EntityView | None, entity_id: str) -> dict[str, Any]:
    # A record that vanished since the run (retention) still needs a caption that is not its id.
    if entity is None:
        return {"id": entity_id, "schema": "", "source": "", "label": _("a record no longer in the store"),
                "identifiers": [], "missing": True}
    return {**summary(entity), "missing": False}


def pairs_of(offset: int, links: list[LinkExplanation], records: dict[str, EntityView]) -> list[Pair]:
    out = []
    for i, link in enumerate(links):
        left, right = records.get(link.left_id), records.get(link.right_id)
        rows = compare(left, right, link.fields) if left is not None and right is not None else []
        out.append(Pair(offset + i + 1, link, _side(left, link.left_id), _side(right, link.right_id), rows))
    return out


def _page_number(raw: str | None) -> int:
    try:
        return min(MAX_PAGE, max(1, int(raw or 1)))
    except ValueError:
        return 1


@router.get("/cases/{ref}/review")
def review(request: Request, ref: str, who: Principal = Depends(deps.page_principal)) -> Response:
    speak(request)  # the evidence words are phrased before the page renders
    purpose = purpose_of(request)
    number = _page_number(request.query_params.get("page"))

    def build(view: CaseView) -> Response:
        found = review_page(view, (number - 1) * PAGE_SIZE, PAGE_SIZE)
        pages = max(1, math.ceil(found.total / PAGE_SIZE))
        if number > pages and found.total:
            # Decisions shrink the queue: a page past its end shows the last page instead.
            return RedirectResponse(_review_url(ref, pages, purpose), status_code=303)
        return page(request, "review.html", who, case_ref=ref, purpose=view.purpose, purpose_given=purpose is not None,
                    pairs=pairs_of(found.offset, found.pairs, found.records), total=found.total, page_no=number,
                    pages=pages, page_size=PAGE_SIZE, words=strength_words(),
                    prev_url=_review_url(ref, number - 1, purpose) if number > 1 else None,
                    next_url=_review_url(ref, number + 1, purpose) if number < pages else None)

    return under_case(request, who, ref, purpose, build)


def _review_url(ref: str, number: int, purpose: str | None) -> str:
    query = {"page": str(number), **({"purpose": purpose} if purpose else {})}
    return f"/cases/{quote(ref, safe='')}/review?{urlencode(query)}"


@router.post("/cases/{ref}/review/decide", dependencies=[Depends(deps.csrf_check)])
def decide(request: Request, ref: str, left_id: str = Form(...), right_id: str = Form(...), decision: str = Form(""),
           reason: str = Form(""), purpose: str = Form(""), page_no: int = Form(1), number: int = Form(0),
           who: Principal = Depends(deps.page_principal)) -> Response:
    """Record a merge or split. htmx gets the pair's decision block back (its result, or the form
    with what to fix, 422); a plain form post is sent back to the queue."""
    speak(request)  # the decision's problems are phrased before the fragment renders
    htmx = request.headers.get("HX-Request") == "true"
    reason = reason.strip()

    def answer(view: CaseView, *, decided: int | None, problem: str | None) -> Response:
        if not htmx and problem is None:
            return RedirectResponse(_review_url(ref, page_no, purpose or None), status_code=303)
        if not htmx:
            return page(request, "error.html", who, status_code=422, message=problem, case_ref=ref,
                        back=_review_url(ref, page_no, purpose or None))
        return page(request, "partials/review_decision.html", who, case_ref=ref, purpose=view.purpose,
                    purpose_given=bool(purpose), left_id=left_id, right_id=right_id, decision=decision,
                    reason=reason, decided=decided, problem=problem, page_no=page_no, number=number,
                    status_code=200 if problem is None else 422)

    def build(view: CaseView) -> Response:
        if decision not in resolve.DECISIONS:
            return answer(view, decided=None, problem=_("Choose merge or split."))
        if len(reason) < MIN_REASON:
            return answer(view, decided=None, problem=_(
                "Say why in a few words: the decision is kept with your name and read by whoever checks it."))
        try:
            did = resolve.decide(view, left_id, right_id, decision, reason)
        except GovernError as exc:
            if isinstance(exc, AccessDenied):
                raise
            # The gate's and resolution's refusals (two CNICs, an unknown record) are facts the
            # analyst must read; they arrive as the room's own words.
            return answer(view, decided=None, problem=str(exc))
        return answer(view, decided=did, problem=None)

    return under_case(request, who, ref, purpose or None, build)


__all__ = ["PAGE_SIZE", "Pair", "Row", "Strength", "compare", "pairs_of", "router", "strength", "strength_words"]
