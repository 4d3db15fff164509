"""What a watchlist match looks like, shared by screening (`tahqiq.screen`) and the rule engine
(`tahqiq.stream`): both ask a watchlist index `hits(kind, value)` with an already-normalised key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Key kinds a watchlist entry can carry; values are normalised with tahqiq.model.types first
# (cnic "35202-1234567-1", phone E.164 "+923001234567", plate "LEA-1234", chassis, iban, indicator).
KEY_KINDS = ("cnic", "phone", "plate", "chassis", "iban", "indicator")


@dataclass(frozen=True)
class WatchHit:
    """One watchlist entry that a key (or a name) matched."""

    entry_id: int
    kind: str  # one of KEY_KINDS, or "name"
    value: str  # the entry's normalised key (or its name)
    case: str  # case reference whose legal basis the entry rests on
    basis: str  # "warrant 123/2026" / "FIR 45/2026"
    label: str  # what to show an operator: the wanted person's name, the vehicle, the indicator
    score: float = 1.0  # 1.0 for exact keys; name similarity in [0, 1] for names
    explanation: dict = field(default_factory=dict, compare=False, hash=False)


class KeyLookup(Protocol):
    """Anything that answers exact-key watchlist lookups (screen.WatchlistIndex does)."""

    def hits(self, kind: str, value: str) -> Sequence[WatchHit]: ...
