"""Screening: watchlists of people (under a warrant), phones, vehicles and indicators, each entry
under a case, and matching records and queries against them.

    with gate.session(me, case, purpose) as view:
        add_entry(view, "person", keys={"name": ["Mohd Aslam"], "cnic": ["35202-1234567-1"]}, ...)
    index = WatchlistIndex.load(gate, SYSTEM, "detection worker")        # one audited bulk read
    screen_record(index, {"cnic": "35202-1234567-1", "name": "Mohd Aslam s/o Ghulam Rasool"})
"""

from tahqiq.screen.hits import KEY_KINDS, KeyLookup, WatchHit
from tahqiq.screen.index import WatchlistIndex
from tahqiq.screen.keys import normalise_indicator, normalise_key
from tahqiq.screen.screening import screen_record, screen_store
from tahqiq.screen.watchlists import (
    EntryInfo,
    WatchlistInputError,
    active_entries,
    add_entry,
    audit_screening,
    entry_case,
    expire_entry,
    import_rows,
    list_entries,
    watch_status,
)

__all__ = ["KEY_KINDS", "EntryInfo", "KeyLookup", "WatchHit", "WatchlistIndex", "WatchlistInputError",
           "active_entries", "add_entry", "audit_screening", "entry_case", "expire_entry", "import_rows",
           "list_entries", "normalise_indicator", "normalise_key", "screen_record", "screen_store",
           "watch_status"]
