"""Same --persons and --seed: byte-identical output. Different seed: different data."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tahqiq.generate import generate

from .conftest import PERSONS, SEED


def digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*")) if p.is_file()
    }


def test_same_seed_gives_identical_bytes(province, tmp_path):
    again = tmp_path / "again"
    generate(PERSONS, SEED, again, progress=False)
    first, second = digests(province), digests(again)
    assert first.keys() == second.keys()
    different = [k for k in first if first[k] != second[k]]
    assert not different, f"files differ between two runs with the same seed: {different}"


def test_different_seed_gives_different_data(province, tmp_path):
    other = tmp_path / "other"
    generate(PERSONS, SEED + 1, other, progress=False)
    first, second = digests(province), digests(other)
    data = [k for k in first if k.startswith(("sources/", "streams/"))]
    assert data and all(first[k] != second[k] for k in data)
    # mappings do not depend on the seed
    assert all(first[k] == second[k] for k in first if k.startswith("mappings/"))


def test_output_does_not_depend_on_the_directory_name(tmp_path):
    a, b = tmp_path / "a", tmp_path / "some" / "other" / "place"
    generate(200, 9, a, progress=False)
    generate(200, 9, b, progress=False)
    assert digests(a) == digests(b)
