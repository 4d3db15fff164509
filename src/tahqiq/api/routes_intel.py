"""Threat-intelligence routes: sharing a case's indicators with FIA, PTA, banks and CERTs.

    GET /api/cases/{ref}/intel/export?format=stix|misp   the case's indicators, markings kept

The export is a read of the case (the gate's session: members only, audited with the counts per TLP
level). TLP:RED indicators leave only with `allow_red` (their named recipients share them by other
means); a refusal is a 403 written to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from tahqiq.api import deps
from tahqiq.api.models import DENIED, SIGNED_IN, UNDER_CASE
from tahqiq.intel.export import export_case

router = APIRouter(prefix="/api/cases", tags=["intel"], dependencies=SIGNED_IN, responses=DENIED)


@router.get("/{ref}/intel/export", response_class=Response, responses=UNDER_CASE)
def intel_export(request: Request, ref: str, format: Literal["stix", "misp"] = "stix", allow_red: bool = False,
                 purpose: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    """The case's indicators as a STIX 2.1 bundle or a MISP event (TLP:RED only with allow_red)."""
    with deps.case_view(request, ref, purpose) as view:  # a refusal (TLP:RED too) is AccessDenied: 403
        name, data = export_case(view, ref, format, allow_red=allow_red)
    return Response(data, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})


__all__ = ["router"]
