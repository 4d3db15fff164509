"""A small generated province shared by the generator tests (generated once per test session)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tahqiq.generate import generate

PERSONS = 1500
SEED = 4


@pytest.fixture(scope="session")
def province(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(PERSONS, SEED, out, progress=False)
    return out


@pytest.fixture(scope="session")
def manifest(province) -> dict:
    return json.loads((province / "manifest.json").read_text("utf-8"))


def entries(manifest: dict) -> dict[str, dict]:
    return {**manifest["sources"], **manifest["streams"]}


def read_rows(out: Path, entry: dict) -> list[dict]:
    """Rows of one generated file as dicts of strings/values, read with its declared encoding."""
    path = out / entry["file"]
    if entry["format"] == "csv":
        with open(path, encoding=entry["encoding"], newline="") as fh:
            return list(csv.DictReader(fh))
    if entry["format"] == "jsonl":
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    return pq.read_table(path).to_pylist()


@pytest.fixture(scope="session")
def rows(province, manifest) -> dict[str, list[dict]]:
    return {name: read_rows(province, e) for name, e in entries(manifest).items()}


@pytest.fixture(scope="session")
def truth(province) -> dict[str, list[dict]]:
    out = {}
    for f in sorted((province / "truth").glob("*.csv")):
        with open(f, encoding="utf-8", newline="") as fh:
            out[f.stem] = list(csv.DictReader(fh))
    return out
