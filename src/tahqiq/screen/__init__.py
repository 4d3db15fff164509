"""Screening: match records and queries against watchlists of people, phones, vehicles and indicators.

    from tahqiq.screen import WatchlistIndex, screen_record
    index = WatchlistIndex.load(gate, SYSTEM, "detection worker")
    screen_record(index, {"cnic": "35202-1234567-1", "name": "Mohd Aslam s/o Ghulam Rasool"})

The public names are imported on first use, so that `tahqiq.govern.watchlists` can use this
package's keys and tables while the index, in turn, loads entries through the gate.
"""

from tahqiq.screen.hits import KEY_KINDS, KeyLookup, WatchHit

_LAZY = {
    "WatchlistIndex": "tahqiq.screen.index",
    "screen_record": "tahqiq.screen.screening",
    "screen_store": "tahqiq.screen.screening",
    "normalise_key": "tahqiq.screen.keys",
    "normalise_indicator": "tahqiq.screen.keys",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tahqiq.screen' has no attribute {name!r}")


__all__ = ["KEY_KINDS", "KeyLookup", "WatchHit", *_LAZY]
