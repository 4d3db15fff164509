"""Alerts: what detection raises, and the desk where people read and act on them.

    desk = AlertDesk(gate)
    desk.list(me, newest_first=True)            # the alerts routed to my control room (audited)
    desk.act(me, alert_id, "acknowledge")       # each step by a named user, in the audit log

The detection worker (`tahqiq.stream`) writes alerts through `write_alerts`, handed to it by whoever
starts it; users read and act on them only through the desk, which goes through the gate.
"""

from tahqiq.alerts.desk import ALIASES, ALL_DISTRICTS, MAX_LIST, TRANSITIONS, AlertDesk, AlertView
from tahqiq.alerts.store import alert_row, write_alerts
from tahqiq.alerts.tables import ALERT_STATUSES, Alert, AlertAction, ControlRoomRoute, RuleFeedback

__all__ = ["ALERT_STATUSES", "ALIASES", "ALL_DISTRICTS", "Alert", "AlertAction", "AlertDesk", "AlertView", "MAX_LIST",
           "TRANSITIONS", "ControlRoomRoute", "RuleFeedback", "alert_row", "write_alerts"]
