"""Where people live: weighted picks of tehsils and places, home addresses as NADRA records them,
and the way other agencies rewrite the same address.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate

from tahqiq.model.geography import GENERIC_LOCALITIES, District


class CumulativeWeights:
    """Cumulative weights for repeated weighted picks (random.choices rebuilds them every call)."""

    __slots__ = ("cum", "total")

    def __init__(self, weights: Iterable[float]):
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, u: float) -> int:
        return bisect(self.cum, u * self.total)


_TEHSIL_WEIGHTS: dict[int, CumulativeWeights] = {}
_PLACE_WEIGHTS: dict[tuple[int, int], CumulativeWeights] = {}


def tehsil_weights(d: District) -> CumulativeWeights:
    """The district's tehsils weighted by population (built once per district)."""
    c = _TEHSIL_WEIGHTS.get(id(d))
    if c is None:
        c = _TEHSIL_WEIGHTS[id(d)] = CumulativeWeights([t.weight for t in d.tehsils])
    return c


def _place_weights(d: District, ti: int) -> CumulativeWeights:
    c = _PLACE_WEIGHTS.get((id(d), ti))
    if c is None:
        c = _PLACE_WEIGHTS[(id(d), ti)] = CumulativeWeights([p.weight for p in d.tehsils[ti].places])
    return c


def home_address(d: District, ti: int, r: random.Random) -> tuple[str, float, float]:
    """(address, latitude, longitude) of a new home in tehsil `ti` of `d`."""
    t = d.tehsils[ti]
    city = d.name if d.name != "Dera Ghazi Khan" else "D.G. Khan"
    rnd = r.random
    u = rnd()
    if d.chak_suffixes and u < 0.28:
        n = 1 + int(rnd() * 599)
        suffix = d.chak_suffixes[int(rnd() * len(d.chak_suffixes))]
        text = f"Chak No. {n}/{suffix}, Tehsil {t.name}, District {d.name}"
        return text, t.lat + (rnd() - 0.5) * 0.3, t.lon + (rnd() - 0.5) * 0.3
    place = t.places[_place_weights(d, ti).pick(rnd())]
    h = 1 + int(rnd() * 899)
    if place.kind == "neighbourhood":
        if rnd() < 0.5:
            text = f"House No. {h}, Street No. {1 + int(rnd() * 39)}, {place.name}, {city}"
        else:
            text = f"House No. {h}, Block {'ABCDEFGHJKL'[int(rnd() * 11)]}, {place.name}, {city}"
        jit = 0.012
    elif place.kind == "tehsil":
        loc = GENERIC_LOCALITIES[int(rnd() * len(GENERIC_LOCALITIES))]
        text = f"House No. {h}, Street No. {1 + int(rnd() * 29)}, {loc}, {place.name}"
        jit = 0.04
    elif place.weight >= 5:  # a town
        loc = GENERIC_LOCALITIES[int(rnd() * len(GENERIC_LOCALITIES))]
        text = f"Mohalla {loc}, {place.name}, Tehsil {t.name}"
        jit = 0.03
    else:
        text = f"Mauza {place.name}, Tehsil {t.name}, District {d.name}"
        jit = 0.02
    return text, place.lat + (rnd() - 0.5) * jit, place.lon + (rnd() - 0.5) * jit


def address_variant(text: str, r: random.Random, p: float) -> str:
    """How another agency writes the same address: abbreviations, dropped parts, case."""
    if r.random() >= p:
        return text
    u = r.random()
    if u < 0.3:
        text = text.replace("House No. ", "H# ").replace("Street No. ", "St# ").replace("Mohalla ", "Mohallah ")
    elif u < 0.5:
        text = text.replace("House No. ", "H.No.").replace("Street No. ", "Gali No. ")
    elif u < 0.7:
        parts = text.split(", ")
        if len(parts) > 2:
            parts.pop(0)
        text = ", ".join(parts)
    elif u < 0.85:
        text = text.replace("Tehsil ", "Teh. ").replace("District ", "Distt. ")
    else:
        text = text.upper()
    return text
