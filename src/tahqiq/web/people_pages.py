"""The pages where an analyst meets people: search within a case and the page of one entity.
Every read happens inside `under_case` (a gate session, audited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from tahqiq import casework, graph
from tahqiq.api import deps
from tahqiq.api.trail import viewers
from tahqiq.govern import CaseView, GovernError, Principal
from tahqiq.search import detected_kinds, search
from tahqiq.web.entities import link_rows, summary, value_rows
from tahqiq.web.explain import resolution_of
from tahqiq.web.render import page, purpose_of, under_case

router = APIRouter(include_in_schema=False)


@router.get("/cases/{ref}/search")
def search_page(request: Request, ref: str, q: str = "", who: Principal = Depends(deps.page_principal)) -> Response:
    purpose = purpose_of(request)
    q = q.strip()

    def build(view: CaseView) -> Response:
        hits, problem = [], None
        if q:
            try:
                hits = [{"kind": h.kind, **summary(h.entity)} for h in search(view, q)]
            except GovernError as exc:  # a query that is nothing searchable: say so on the page
                problem = str(exc)
        return page(request, "search.html", who, case_ref=ref, q=q, hits=hits, problem=problem,
                    detected=detected_kinds(q) if q else [], purpose=view.purpose, purpose_given=purpose is not None)

    return under_case(request, who, ref, purpose, build)


@router.get("/cases/{ref}/entities/{entity_id}")
def entity_page(request: Request, ref: str, entity_id: str, who: Principal = Depends(deps.page_principal)) -> Response:
    purpose = purpose_of(request)

    def build(view: CaseView) -> Response:
        entity = view.entity(entity_id)
        if entity is None:
            raise HTTPException(404, f"no entity {entity_id} in the store")
        resolved = resolution_of(view, entity_id)
        links = graph.neighbours(view, entity_id, limit=100)
        entity_notes = casework.list_notes(view, entity_id)
        readers, readers_note = viewers(deps.gate(request), who, entity_id)
        return page(request, "entity.html", who, case_ref=ref, entity=summary(entity), values=value_rows(entity),
                    resolved=resolved, links=link_rows(entity_id, links), notes=entity_notes, viewers=readers,
                    viewers_note=readers_note, purpose=view.purpose, purpose_given=purpose is not None)

    return under_case(request, who, ref, purpose, build)


__all__ = ["router"]
