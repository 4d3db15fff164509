"""The pages where an analyst meets people: search within a case (one card per person, facets,
pages) and the page of one person (every value of their records merged, warrants and FIRs first).
Every read happens inside `under_case` (a gate session, audited)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from tahqiq import casework, graph
from tahqiq.api import deps
from tahqiq.api.models import refuse_nul
from tahqiq.api.trail import viewers
from tahqiq.govern import CaseView, Principal
from tahqiq.model.schema import model
from tahqiq.screen import watch_status
from tahqiq.search import FACETS, BadQuery, PeopleResult, profile, search_people
from tahqiq.search.query import MAX_QUERY
from tahqiq.web.entities import fact_rows, group_facts, link_rows, profile_summary
from tahqiq.web.explain import resolution_of
from tahqiq.web.i18n import N_
from tahqiq.web.i18n import gettext as _
from tahqiq.web.labels import refusal
from tahqiq.web.render import MAX_PAGE, error, page, purpose_of, speak, under_case

# A NUL (0x00) in a path or query would end as a PostgreSQL error: refused with 400 first.
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
# tahqiq.api.trail.viewers says why a reader sees no trail with this sentence.
TRAIL_HIDDEN = N_("The audit trail of this record is shown to supervisors and auditors.")


def problem_text(exc: BadQuery) -> str:
    """The search room's refusal, in the reader's language."""
    return {
        "empty": _("Type a name, CNIC, phone number, plate, IBAN or chassis number."),
        "too_long": _("A search is at most 200 characters."),
        "nothing": _("This is not a CNIC, phone number, plate, IBAN or chassis number, and has no letters for a "
                     "name."),
        "no_letters": _("Give a name with at least one letter."),
    }.get(exc.code, str(exc))


class SearchLinks:
    """URLs of this search with one thing changed (a facet chosen or cleared, another page)."""

    def __init__(self, ref: str, q: str, purpose: str | None, filters: dict[str, str], page: int) -> None:
        self.base = f"/cases/{ref}/search"
        self.q, self.purpose, self.filters, self.page = q, purpose, filters, page

    def url(self, page: int = 1, **changes: str | None) -> str:
        filters: dict[str, str | None] = {**self.filters, **changes}
        params = {"q": self.q, **{k: v for k, v in filters.items() if v}}
        if self.purpose:
            params["purpose"] = self.purpose
        if page > 1:
            params["page"] = str(page)
        return f"{self.base}?{urlencode(params)}"

    def facet(self, name: str, value: str) -> str:
        """Choosing a facet value filters by it; choosing the chosen one clears it."""
        changes: dict[str, str | None] = {name: None if self.filters.get(name) == value else value}
        return self.url(1, **changes)

    def to_page(self, n: int) -> str:
        return self.url(page=n)


@router.get("/cases/{ref}/search")
def search_page(request: Request, ref: str, q: str = "",
                who: Principal = Depends(deps.page_principal)) -> Response:
    speak(request)  # messages phrased before the page renders (a refusal of the query, a 404)
    purpose = purpose_of(request)
    q = q.strip()
    if len(q) > MAX_QUERY:  # refused before the gate: nothing is read, nothing this long is echoed back
        return error(request, who, problem_text(BadQuery("too_long", "")), status_code=422, case_ref=ref,
                     back=f"/cases/{ref}/search")
    params = request.query_params
    filters = {f: (params.get(f) or "").strip()[:64] for f in FACETS}
    filters = {k: v for k, v in filters.items() if v}
    try:
        page_no = min(MAX_PAGE, max(1, int(params.get("page") or 1)))
    except ValueError:
        page_no = 1

    def build(view: CaseView) -> Response:
        res: PeopleResult | None = None
        problem = None
        if q:
            try:
                res = search_people(view, q, page=page_no, filters=filters)
            except BadQuery as exc:  # a query that is nothing searchable: say so on the page
                problem = problem_text(exc)
        links = SearchLinks(ref, q, purpose, filters, res.page if res else 1)
        return page(request, "search.html", who, case_ref=ref, q=q, res=res, problem=problem, links=links,
                    filters=filters, fact_groups=group_facts, identifier_types=model().identifier_types,
                    purpose=view.purpose, purpose_given=purpose is not None)

    return under_case(request, who, ref, purpose, build)


@router.get("/cases/{ref}/entities/{entity_id}")
def entity_page(request: Request, ref: str, entity_id: str, who: Principal = Depends(deps.page_principal)) -> Response:
    speak(request)  # messages phrased before the page renders (a refusal of the query, a 404)
    purpose = purpose_of(request)

    def build(view: CaseView) -> Response:
        merged = profile(view, entity_id)
        if merged is None:
            raise HTTPException(404, _("There is no entity with this id in the store."))
        resolved = resolution_of(view, entity_id) if merged.cluster_id else None
        links = graph.neighbours(view, entity_id, limit=100)
        entity_notes = casework.list_notes(view, entity_id)
        watches = watch_status(view, merged.member_ids or [entity_id], [(f.type, f.value) for f in merged.facts])
        readers, readers_note = viewers(deps.gate(request), who, entity_id)
        if readers_note == TRAIL_HIDDEN:  # the api's reason, phrased in the reader's language
            readers_note = _(TRAIL_HIDDEN)
        elif readers_note:  # a refusal by the gate
            readers_note = refusal(readers_note)
        return page(request, "entity.html", who, case_ref=ref, profile=merged, entity=profile_summary(merged),
                    facts=fact_rows(merged), resolved=resolved, links=link_rows(entity_id, links),
                    identifier_types=model().identifier_types, notes=entity_notes, viewers=readers,
                    viewers_note=readers_note, watches=watches, purpose=view.purpose,
                    purpose_given=purpose is not None)

    return under_case(request, who, ref, purpose, build)


__all__ = ["SearchLinks", "problem_text", "router"]
