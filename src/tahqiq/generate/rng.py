"""Deterministic random streams.

Every part of the generator draws from its own named stream derived from the user's seed, so adding
draws in one part never shifts the values of another, and the same (persons, seed) always gives the
same bytes. Nothing here reads the clock or relies on hash randomisation (``PYTHONHASHSEED``).
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def _derive(seed: int, name: str) -> int:
    digest = hashlib.sha256(f"tahqiq-generate/{seed}/{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def stream(seed: int, name: str) -> random.Random:
    """A `random.Random` for one named part of the generator."""
    return random.Random(_derive(seed, name))


def np_stream(seed: int, name: str) -> np.random.Generator:
    """A numpy Generator (PCG64) for one named part of the generator."""
    return np.random.Generator(np.random.PCG64(_derive(seed, name)))
