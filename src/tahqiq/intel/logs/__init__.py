"""Hacking attempts in logs: readers for Linux auth/syslog, web access logs and Windows event logs
(EVTX and wevtutil XML) that turn lines into events for the rule engine, and the impossible-travel
detector that runs beside it. The rules are `tahqiq/intel/rules/logs.yml`; `tahqiq.intel.scan`
runs both over files. Fields per schema: docs/intel.md, "Hacking attempts in logs"."""

from tahqiq.intel.logs.read import KINDS, SCHEMAS, LogEvent, LogReadStats, detect_kind, read_logs
from tahqiq.intel.logs.syslog import SyslogParser
from tahqiq.intel.logs.travel import TRAVEL_RULE, GeoTable, Place, TravelDetector, distance_km
from tahqiq.intel.logs.weblog import parse_clf, parse_json_line
from tahqiq.intel.logs.winevt import evtx_records, flatten_json, xml_records

__all__ = ["KINDS", "SCHEMAS", "TRAVEL_RULE", "GeoTable", "LogEvent", "LogReadStats", "Place", "SyslogParser",
           "TravelDetector", "detect_kind", "distance_km", "evtx_records", "flatten_json", "parse_clf",
           "parse_json_line", "read_logs", "xml_records"]
