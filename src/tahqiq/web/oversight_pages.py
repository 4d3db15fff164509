"""Oversight pages for supervisors and auditors: the audit log with filters, the latest signed tree
head with its verification status, and access statistics per user and case.

The page calls the same functions as the JSON API (tahqiq.api.routes_audit), which read the log
through `Gate.access_log` (auditors everything, supervisors their agency's part; each read of the log
is itself an audit entry). The log holds no personal values, only ids and keyed hashes, so these
pages need no case.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from tahqiq.api import deps, routes_audit
from tahqiq.govern import Principal
from tahqiq.web.render import denial, error, page

router = APIRouter(include_in_schema=False)
FILTERS = ("case", "actor", "entity", "action", "prop", "value")
PAGE_SIZES = (50, 200, 1000)
STATS_WINDOW = 100_000  # the access statistics cover the latest entries (the whole log: the JSON API's `since`)


@router.get("/oversight")
def oversight(request: Request, full: bool = False, limit: int = 200,
              who: Principal = Depends(deps.page_principal)) -> Response:
    filters = {k: (request.query_params.get(k) or "").strip() or None for k in FILTERS}
    limit = limit if limit in PAGE_SIZES else 200
    try:
        # The log first: the gate decides (and audits) a refusal there, so a refused visit is on the record.
        records = routes_audit.audit_log(request, who=who, since=0, limit=limit, newest_first=True, **filters)
        head = routes_audit.audit_head(request, full=full, who=who)
        since = max(0, head.log_size - STATS_WINDOW)
        stats = routes_audit.audit_stats(request, who=who, since=since, limit=200)
    except HTTPException as exc:
        if exc.status_code == 403:
            return denial(request, who, str(exc.detail))
        return error(request, who, str(exc.detail), status_code=exc.status_code, back="/oversight")
    return page(request, "oversight.html", who, nav="oversight", head=head, records=records, stats=stats.rows,
                stats_since=since,
                filters=filters, limit=limit, page_sizes=PAGE_SIZES, full=full,
                actions=sorted({r.action for r in records}))


__all__ = ["router"]
