"""Cyber threat intelligence and OSINT: STIX 2.1 and MISP in and out, indicator matching, hacking
attempts in logs, Sigma rules, aggregate event trends. See docs/intel.md.

    with gate.scope(SYSTEM, "CERT feed") as job:
        import_paths(job, [Path("feed.json")], source="pkcert", owner_agency="FIA")
        matcher = IndicatorMatcher.build(active_indicators(job))   # what this principal may read, active now
    scan = scan_logs([Path("/var/log/auth.log")], matcher=matcher)  # detections per rule
    loaded = load_sigma([Path("sigma/rules/linux")])                # Sigma -> the stream engine's rules

Indicators are about systems and accounts used in crime (addresses, domains, hashes, phones, IBANs,
wallets), never a score of a person; event trends are counts by district, week and theme, and keep
no text. The names below load their libraries (stix2, pymisp, pySigma, evtx) only when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from tahqiq.intel.model import (
    INDICATOR_KINDS,
    KIND_LABELS,
    MISP_DISTRIBUTION_TLP,
    TLP_LEVELS,
    Indicator,
    IndicatorHit,
    IntelObject,
)

if TYPE_CHECKING:
    from tahqiq.intel.export import ExportRefused, export_case, to_misp_event, to_stix_bundle
    from tahqiq.intel.lifecycle import effective_confidence, is_active
    from tahqiq.intel.matcher import IndicatorMatcher
    from tahqiq.intel.parse_misp import parse_misp
    from tahqiq.intel.parse_stix import parse_stix
    from tahqiq.intel.parsed import ParsedIntel, Rejected
    from tahqiq.intel.patterns import PatternError, compile_pattern
    from tahqiq.intel.scan import LogScan, scan_logs
    from tahqiq.intel.service import (
        ImportResult,
        IndicatorNotFound,
        IndicatorPage,
        active_indicators,
        attach_to_case,
        case_indicators,
        case_objects,
        import_paths,
        list_indicators,
        mark_false_positive,
        revoke,
    )
    from tahqiq.intel.sigma import Refusal, SigmaLoad, load_sigma

_LAZY = {
    "parse_stix": "parse_stix", "parse_misp": "parse_misp", "ParsedIntel": "parsed", "Rejected": "parsed",
    "effective_confidence": "lifecycle", "is_active": "lifecycle",
    "IndicatorMatcher": "matcher", "compile_pattern": "patterns", "PatternError": "patterns",
    "import_paths": "service", "active_indicators": "service", "list_indicators": "service",
    "mark_false_positive": "service", "revoke": "service", "attach_to_case": "service",
    "case_indicators": "service", "case_objects": "service", "ImportResult": "service",
    "IndicatorPage": "service", "IndicatorNotFound": "service",
    "to_stix_bundle": "export", "to_misp_event": "export", "export_case": "export", "ExportRefused": "export",
    "scan_logs": "scan", "LogScan": "scan", "load_sigma": "sigma", "SigmaLoad": "sigma", "Refusal": "sigma",
}

__all__ = ["INDICATOR_KINDS", "KIND_LABELS", "MISP_DISTRIBUTION_TLP", "TLP_LEVELS", "Indicator", "IndicatorHit",
           "IntelObject", "ExportRefused", "ImportResult", "IndicatorMatcher", "IndicatorNotFound", "IndicatorPage",
           "LogScan", "ParsedIntel", "PatternError", "Refusal", "Rejected", "SigmaLoad", "active_indicators",
           "attach_to_case", "case_indicators", "case_objects", "compile_pattern", "effective_confidence",
           "export_case", "import_paths", "is_active", "list_indicators", "load_sigma", "mark_false_positive",
           "parse_misp", "parse_stix", "revoke", "scan_logs", "to_misp_event", "to_stix_bundle"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tahqiq.intel' has no attribute {name!r}")
    return getattr(import_module(f"tahqiq.intel.{module}"), name)
