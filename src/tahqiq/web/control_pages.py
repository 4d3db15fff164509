"""The control room: live alerts for the operator's districts (server-sent events from
`GET /api/alerts/stream`), their lifecycle buttons (`POST /api/alerts/{id}/{action}`) and the
evidence behind each alert. The alert desk (tahqiq.alerts) decides who sees which alert and
audits every action; this page only draws what the API returns."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tahqiq.alerts import TRANSITIONS
from tahqiq.api import deps
from tahqiq.govern import Principal
from tahqiq.web.render import page

router = APIRouter(include_in_schema=False)
# The buttons, in the order of the lifecycle. Which one applies to an alert's status comes from the
# desk's own transition table, so the page never offers a move the desk would refuse.
ACTIONS = (("acknowledge", "Acknowledge"), ("verify", "Verified"), ("false_positive", "False positive"),
           ("dispatch", "Dispatch"), ("close", "Close"))


def lifecycle() -> dict[str, list[str]]:
    """action -> the statuses it may follow (from the alert desk's TRANSITIONS)."""
    return {action: list(allowed) for action, (allowed, _) in TRANSITIONS.items()}


@router.get("/control-room")
def control_room(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    transitions = lifecycle()
    actions = [(a, label) for a, label in ACTIONS if a in transitions]
    return page(request, "control_room.html", who, nav="control", actions=actions, transitions=transitions)


__all__ = ["router", "ACTIONS"]
