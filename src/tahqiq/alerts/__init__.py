"""Alerts: what detection raises, and the desk where people read and act on them.

    desk = AlertDesk(gate)
    desk.triage(me, AlertFilter(status=("open",)), sort="severity")   # a control room's page (audited)
    desk.explain(me, alert_id)                  # what it means: seen, where, when, the entry and why
    desk.act(me, alert_id, "acknowledge")       # each step by a named user, in the audit log
    desk.act(me, alert_id, "dispatch", note="stop and check", unit="PS Gulberg")
    desk.supervise(supervisor)                  # time to acknowledge, workload per district

The detection worker (`tahqiq.stream`) writes alerts through `write_alerts`, handed to it by whoever
starts it; users read and act on them only through the desk, which goes through the gate.
"""

from tahqiq.alerts.desk import (
    ALIASES,
    ALL_DISTRICTS,
    MAX_LIST,
    TRANSITIONS,
    AlertDesk,
    AlertGroupView,
    AlertNotFound,
    AlertView,
    DispatchIncomplete,
    TriagePage,
)
from tahqiq.alerts.explain import RULE_KINDS, AlertFacts, EntryFacts, Link, RecordFact, Seen, Where, Window
from tahqiq.alerts.network_alerts import (
    hit_detections,
    hit_severity,
    hit_title,
    is_network_rule,
    write_hit_alerts,
)
from tahqiq.alerts.store import alert_row, write_alerts
from tahqiq.alerts.tables import ALERT_STATUSES, Alert, AlertAction, ControlRoomRoute, RuleFeedback
from tahqiq.alerts.triage import (
    GROUP_WINDOW_S,
    OPEN,
    SEVERITY_ORDER,
    SORTS,
    AlertFilter,
    Counts,
    DistrictLoad,
    Facets,
    Supervision,
)

__all__ = ["ALERT_STATUSES", "ALIASES", "ALL_DISTRICTS", "GROUP_WINDOW_S", "MAX_LIST", "OPEN", "RULE_KINDS",
           "SEVERITY_ORDER", "SORTS", "TRANSITIONS", "Alert", "AlertAction", "AlertDesk", "AlertFacts", "AlertFilter",
           "AlertGroupView", "AlertNotFound", "AlertView", "ControlRoomRoute", "Counts", "DispatchIncomplete",
           "DistrictLoad", "EntryFacts", "Facets", "Link", "RecordFact", "RuleFeedback", "Seen", "Supervision",
           "TriagePage", "Where", "Window", "alert_row", "write_alerts",
           "hit_detections", "hit_severity", "hit_title", "is_network_rule", "write_hit_alerts"]
