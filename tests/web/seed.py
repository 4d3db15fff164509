"""A small, real Tahqiq site for the browser tests: a generated Punjab dataset ingested through the
real mappings into a SQLite store, users of every role, and a case whose subjects have vehicles,
phones and plate reads (so the graph, the timeline and the map have something to show)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, func, select

from tahqiq.govern import Gate, Principal, identity
from tahqiq.govern.cases import open_case
from tahqiq.store.tables import Statement

PASSWORD = "correct horse battery staple"
CASE = "CASE-2026-0101"
OTHER_CASE = "CASE-2026-0102"
AGENCY = "PUNJAB-POLICE"


@dataclass
class Site:
    engine: Engine
    gate: Gate
    data_dir: Path
    users: dict[str, Principal] = field(default_factory=dict)
    subject: str = ""          # a vehicle owner (the excise record's person)
    vehicle: str = ""          # their registered vehicle, seen by ANPR cameras
    second_subject: str = ""   # the NADRA record with the owner's CNIC
    owner_cnic: str = ""
    plate: str = ""
    # A person on the wanted list whose cluster holds a NADRA record (test_people.py): the wanted-list
    # record, its warrant, the Urdu name and the birth date that only the NADRA record gives.
    wanted: str = ""
    warrant: str = ""
    warrant_number: str = ""
    wanted_urdu_name: str = ""
    wanted_birth_date: str = ""
    wanted_nadra: str = ""


def ingest_generated(engine: Engine, out: Path, persons: int, seed: int = 4) -> None:
    from tahqiq.cli.demo_cmds import find_input
    from tahqiq.generate import generate
    from tahqiq.ingest import ingest, load_mapping

    generate(persons=persons, seed=seed, out=out, progress=False)
    for path in sorted((out / "mappings").glob("*.yml")):
        ingest(engine, load_mapping(path), find_input(path, out))


def _value(conn, entity_id: str, prop: str) -> str | None:
    return conn.execute(select(Statement.value).where(Statement.entity_id == entity_id, Statement.prop == prop)
                        .order_by(Statement.id).limit(1)).scalar()


def pick_subjects(site: Site) -> None:
    """The registered vehicle seen most often by ANPR cameras, its owner, and the NADRA record of the
    owner's CNIC. Plate reads name a vehicle of their own (keyed by the plate), which the graph links
    to the excise registration through `same_plate`: owner -> vehicle -> plate -> reads. Chosen from
    the data rather than hard-coded, so the tests follow the generator."""
    with site.engine.connect() as conn:
        reads = func.count().label("reads")
        seen = conn.execute(
            select(Statement.value, reads).where(Statement.schema == "PlateRead", Statement.prop == "vehicle")
            .group_by(Statement.value).order_by(reads.desc(), Statement.value).limit(30)).all()
        for stub, _ in seen:
            plate = _value(conn, stub, "registrationNumber")
            registered = conn.execute(select(Statement.entity_id).where(
                Statement.source == "excise_vehicles", Statement.prop == "registrationNumber",
                Statement.value == plate).order_by(Statement.entity_id)).scalars().all()
            for vehicle in registered:
                owner, cnic = _value(conn, vehicle, "owner"), _value(conn, vehicle, "ownerCnic")
                nadra = conn.execute(select(Statement.entity_id).where(
                    Statement.prop == "cnic", Statement.value == cnic, Statement.source == "nadra_id_registry",
                    Statement.schema == "Person")).scalar() if cnic else None
                if owner and nadra:
                    site.vehicle, site.subject, site.owner_cnic, site.second_subject = vehicle, owner, cnic, nadra
                    site.plate = plate
                    return
    raise RuntimeError("the generated data has no ANPR-seen vehicle whose owner is in the NADRA extract")


def plate_reads(site: Site) -> list[dict]:
    """The ANPR stream records (as generated, before ingest) of the subjects' vehicle."""
    from tahqiq.stream.events import normalise_key, read_records

    return [r for r in read_records(site.data_dir / "streams" / "anpr_reads.jsonl")
            if normalise_key("plate", r["plate"]) == site.plate]


def resolve_site(site: Site) -> None:
    """A resolution run over the person records, as `tahqiq resolve` starts it (a supervisor's)."""
    from tahqiq.resolve.store_run import run_resolution

    run_resolution(site.engine, site.gate, site.users["sana"])


def pick_wanted(site: Site) -> None:
    """A wanted-list person resolved together with their NADRA record, which alone carries the
    birth date and has an Urdu-script name; chosen from the data, so the tests follow the generator."""
    from tahqiq.store.tables import ResolvedEntity

    with site.engine.connect() as conn:
        warrants = conn.execute(select(Statement.entity_id, Statement.value).where(
            Statement.schema == "Warrant", Statement.prop == "subject").order_by(Statement.entity_id)).all()
        for warrant, person in warrants:
            cluster = conn.execute(select(ResolvedEntity.cluster_id).where(ResolvedEntity.entity_id == person)).scalar()
            if cluster is None:
                continue
            members = conn.execute(select(ResolvedEntity.entity_id).where(ResolvedEntity.cluster_id == cluster)
                                   ).scalars().all()
            nadra = conn.execute(select(Statement.entity_id).where(
                Statement.entity_id.in_(members), Statement.source == "nadra_id_registry",
                Statement.schema == "Person")).scalar()
            if nadra is None or _value(conn, person, "birthDate"):
                continue
            birth, urdu = _value(conn, nadra, "birthDate"), conn.execute(select(Statement.value).where(
                Statement.entity_id == nadra, Statement.script == "Arab",
                Statement.prop.in_(("name", "alias", "nameUrdu")))
                .order_by(Statement.id)).scalar()
            if birth and urdu:
                site.wanted, site.warrant, site.wanted_nadra = person, warrant, nadra
                site.warrant_number = _value(conn, warrant, "warrantNumber") or ""
                site.wanted_birth_date, site.wanted_urdu_name = birth, urdu
                return
    raise RuntimeError("no wanted person is resolved with a NADRA record that has a birth date and an Urdu name")


def build_site(root: Path, persons: int = 300) -> Site:
    """Generate, ingest, add users and cases. `root` must be TAHQIQ_HOME's parent (keys live there)."""
    from tahqiq.store import open_store

    engine = open_store(f"sqlite:///{root / 'store.db'}")
    ingest_generated(engine, root / "data", persons)
    gate = Gate(engine)
    site = Site(engine, gate, root / "data")
    audit = gate.audit
    identity.add_user(audit, None, "admin", PASSWORD, "admin", AGENCY)
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role, agency in [("sana", "supervisor", AGENCY), ("ayesha", "analyst", AGENCY),
                               ("bilal", "analyst", AGENCY), ("irfan", "auditor", "OVERSIGHT")]:
        identity.add_user(audit, admin, name, PASSWORD, role, agency)
    site.users = {n: gate.authenticate_password(n, PASSWORD) for n in ("admin", "sana", "ayesha", "bilal", "irfan")}
    pick_subjects(site)
    resolve_site(site)
    pick_wanted(site)
    sana = site.users["sana"]
    open_case(audit, sana, CASE, basis_kind="fir", basis_ref="123/2026 PS Model Town",
              authorising_officer="SP Investigation Lahore", purpose="vehicle snatching investigation", days=30,
              members=["ayesha"])
    open_case(audit, sana, OTHER_CASE, basis_kind="warrant", basis_ref="W-77/2026 ATC Lahore",
              authorising_officer="Judge ATC-1", purpose="absconder search", days=30, members=["sana"])
    # ayesha staffs the control room of the districts where the subjects' vehicle was read.
    from tahqiq.alerts import AlertDesk

    desk = AlertDesk(gate)
    for district in sorted({r["district"] for r in plate_reads(site)}):
        desk.route(sana, "ayesha", district)
    with gate.session(site.users["ayesha"], CASE, "attach the suspects") as view:
        view.attach_subject(site.subject, "registered owner")
        view.attach_subject(site.vehicle, "vehicle seen near the scene")
        view.attach_subject(site.second_subject, "NADRA record of the owner's CNIC")
    return site
