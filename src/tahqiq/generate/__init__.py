"""`tahqiq generate`: a synthetic, deterministic, multi-agency dataset for Punjab.

    from tahqiq.generate import generate
    manifest = generate(persons=10_000, seed=4, out="demo-data")

writes source extracts (NADRA, police, excise, telecom, banks, cybercrime, OSINT), event streams
(checkpoint checks, ANPR reads, transactions), a mapping file for each, and the ground truth that
says which records are the same real person, phone, vehicle or account, which transactions are
laundering (and which legitimate patterns only look like it), and which complaints belong to one
scam campaign. `tahqiq.generate.bank.generate_bank` writes a standalone bank ledger instead. Everything is synthetic:
no real person's data is used; names, places and identifier formats are realistic. The same
(persons, seed) always gives byte-identical files. See docs/generate.md.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from tahqiq.generate import crime, events, finance, people, sources
from tahqiq.generate.progress import Progress
from tahqiq.generate.timefmt import REFERENCE_DATE
from tahqiq.generate.writers import Truth
from tahqiq.model.geography import geography

GENERATOR_VERSION = 1

__all__ = ["generate", "Manifest", "GENERATOR_VERSION", "REFERENCE_DATE", "sizes"]


@dataclass
class Manifest:
    """What `generate` wrote (also saved as DIR/manifest.json)."""

    out: Path
    persons: int
    seed: int
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": "tahqiq",
            "version": GENERATOR_VERSION,
            "synthetic": True,
            "persons": self.persons,
            "seed": self.seed,
            "reference_date": REFERENCE_DATE.isoformat(),
            "timezone": "+05:00",
            "sources": self.sources,
            "streams": self.streams,
            "truth": self.truth,
            "entities": self.entities,
        }

    @classmethod
    def load(cls, directory: str | Path) -> Manifest:
        directory = Path(directory)
        raw = json.loads((directory / "manifest.json").read_text("utf-8"))
        return cls(directory, raw["persons"], raw["seed"], raw["sources"], raw["streams"], raw.get("truth", {}),
                   raw.get("entities", {}))


def sizes(persons: int) -> dict[str, int]:
    """How many FIRs, stream events and so on a population of `persons` gets."""
    return {
        "firs": max(200, persons * 25 // 1000),
        "checks": max(200, persons * 3 // 10),
        "reads": max(200, persons * 3 // 10),
        "transactions": max(500, persons * 8 // 10),
        "osint": max(60, persons * 15 // 10000),
    }


def mapping_text(source: str) -> str:
    """The shipped mapping file for one generated source or stream."""
    return files("tahqiq.generate").joinpath("mappings", f"{source}.yml").read_text("utf-8")


def generate(persons: int, seed: int, out: str | Path, progress: bool = True, hard: bool = False) -> Manifest:
    """Write the synthetic dataset to `out` and return its manifest.

    `out` is created if needed; the files listed in the manifest are overwritten, nothing else in
    `out` is touched. `progress` shows a Rich progress display on stderr. `hard` writes the same
    world through sloppier clerks (see sources.DIFFICULTY), for evaluating resolution.
    """
    if persons < 50:
        raise ValueError("persons must be at least 50 (households, crime and finance need a minimum population)")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    # Millions of small, long-lived objects and almost no reference cycles: the cyclic garbage
    # collector would rescan them over and over (a third of the run time at 1M persons).
    was_enabled = gc.isenabled()
    gc.disable()
    sources.DIFFICULTY.hard = hard
    try:
        return _generate(persons, seed, Path(out), progress)
    finally:
        sources.DIFFICULTY.hard = False
        if was_enabled:
            gc.enable()


def _generate(persons: int, seed: int, out: Path, progress: bool) -> Manifest:
    out.mkdir(parents=True, exist_ok=True)  # files we write are overwritten; nothing else is touched
    n = sizes(persons)
    with Progress(enabled=progress) as prog:
        prog.stage("Reading Punjab geography")
        geo = geography()
        prog.stage(f"Creating {persons:,} people, their SIMs, accounts and vehicles")
        pop = people.build_population(persons, seed, geo)
        prog.stage("Simulating crime (FIRs, wanted list)")
        cr = crime.build_crime(pop, geo, seed, n["firs"])
        prog.stage("Simulating transactions and laundering")
        fin = finance.build_finance(pop, seed, n["transactions"])
        prog.stage("Simulating checkpoint checks, ANPR reads, OSINT")
        cps, checks = events.build_checks(pop, geo, seed, n["checks"])
        cams, reads = events.build_reads(pop, geo, cr, seed, n["reads"])
        osint = events.build_osint(geo, seed, n["osint"])
        truth = Truth(out / "truth")
        world = sources.World(out, seed, geo, pop, cr, fin, cps, checks, cams, reads, osint, truth, prog.tick)
        expected = {
            "nadra_id_registry": persons, "police_fir": len(cr.firs), "police_wanted": len(cr.warrants),
            "excise_vehicles": len(pop.vehicles.plate), "telecom_subscribers": len(pop.phones.number),
            "bank_accounts": pop.accounts.n_personal, "bank_str": len(fin.strs),
            "cybercrime_complaints": len(fin.complaints), "osint_events": len(osint),
            "checkpoint_checks": len(checks.time), "anpr_reads": len(reads.time), "transactions": len(fin.tx.order),
        }
        manifest = Manifest(out, persons, seed)
        for name, writer in sources.WRITERS.items():
            prog.file(name, expected[name])
            sink = writer(world)
            sink.close()
            rel, fmt, enc = (sources.SOURCE_FILES.get(name) or sources.STREAM_FILES[name])
            entry: dict[str, Any] = {"file": rel, "rows": sink.rows, "format": fmt, "encoding": enc,
                                     "mapping": f"mappings/{name}.yml", "columns": sources.COLUMNS[name]}
            if name in sources.STREAM_FILES:
                entry["time_field"] = "occurred_at"
                manifest.streams[name] = entry
            else:
                manifest.sources[name] = entry
        prog.stage("Writing ground truth and mappings")
        counts = truth.close()
        manifest.truth = {k: {"file": f"truth/{k}.csv", "rows": v} for k, v in counts.items()}
        (out / "mappings").mkdir(parents=True, exist_ok=True)
        for name in sources.WRITERS:
            (out / "mappings" / f"{name}.yml").write_text(mapping_text(name), "utf-8")
        manifest.entities = {
            "persons": persons, "households": len(pop.households.district), "phones": len(pop.phones.number),
            "vehicles": len(pop.vehicles.plate), "accounts": len(pop.accounts.iban),
            "laundering_patterns": len(fin.patterns), "lookalikes": len(fin.lookalikes),
            "scam_campaigns": len({c.campaign for c in fin.complaints if c.campaign >= 0}),
        }
        (out / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return manifest
