"""Evidence custody and court bundles; retention."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text, update

from tahqiq.govern import SYSTEM, AccessDenied
from tahqiq.govern.cases import close_case
from tahqiq.govern.retention import run_retention
from tahqiq.store.tables import Entity, QuarantinedRow, SourceRecord, Statement

from .conftest import add_entity


def run_bundle_check(bundle, *extra) -> subprocess.CompletedProcess:
    # The copy inside the bundle, run from the bundle: what a court's expert would do.
    return subprocess.run([sys.executable, "verify_standalone.py", ".", *map(str, extra)], cwd=bundle,
                          capture_output=True, text=True)


def test_court_bundle_verifies_offline(world, cli, tmp_path):
    photo = tmp_path / "cctv-still.jpg"
    photo.write_bytes(b"\xff\xd8\xff fake jpeg bytes " * 100)
    memo = tmp_path / "seizure-memo.pdf"
    memo.write_bytes(b"%PDF-1.4 seizure memo")
    for f in (photo, memo):
        res = cli("evidence", "add", f, "--case", world.case, "--purpose", "seized at the scene",
                  "--description", f.name, user="ayesha")
        assert res.exit_code == 0, res.output
    # Outsiders can neither add nor export.
    assert cli("evidence", "add", photo, "--case", world.case, "--purpose", "x" * 10, user="bilal").exit_code == 3
    bundle = tmp_path / "bundle"
    assert cli("evidence", "export", bundle, "--case", world.case, "--purpose", "x" * 10, user="bilal").exit_code == 3
    res = cli("evidence", "export", bundle, "--case", world.case, "--purpose", "for the trial court", user="ayesha")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in bundle.iterdir()) == ["README.txt", "bundle.json", "files", "public_key.pem",
                                                        "verify_standalone.py"]
    key = tmp_path / "published.pem"
    key.write_text(cli("audit", "public-key").stdout)
    ok = run_bundle_check(bundle, "--public-key", key)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK: 4 entries" in ok.stdout and "2 file(s)" in ok.stdout  # 2 intakes + 2 exports
    doc = json.loads((bundle / "bundle.json").read_text())
    actions = [json.loads(c["entry"])["action"] for c in doc["custody"]]
    assert actions == ["evidence.add", "evidence.add", "evidence.export", "evidence.export"]
    # The whole log still verifies, and the custody entries are in it.
    assert cli("audit", "verify").exit_code == 0

    # Tampering with a file, a custody entry, a proof or the head is caught.
    def broken(mutate) -> subprocess.CompletedProcess:
        copy = tmp_path / f"copy{len(list(tmp_path.iterdir()))}"
        shutil.copytree(bundle, copy)
        mutate(copy)
        return run_bundle_check(copy, "--public-key", key)

    def edit_file(b):
        f = next((b / "files").iterdir())
        f.write_bytes(f.read_bytes() + b"x")

    def edit_json(fn):
        def m(b):
            d = json.loads((b / "bundle.json").read_text())
            fn(d)
            (b / "bundle.json").write_text(json.dumps(d))
        return m

    cases = {
        "file": edit_file,
        "entry": edit_json(lambda d: d["custody"][0].update(entry=d["custody"][0]["entry"].replace("ayesha", "bilal"))),
        "proof": edit_json(lambda d: d["custody"][1]["inclusion_path"].reverse()),
        "head": edit_json(lambda d: d["tree_head"].update(tree_size=d["tree_head"]["tree_size"] + 1)),
        "dropped intake": edit_json(lambda d: d.update(custody=d["custody"][2:])),
    }
    for name, mutate in cases.items():
        res = broken(mutate)
        assert res.returncode == 1 and "NOT VERIFIED" in res.stdout, (name, res.stdout)


def _age(engine, days: int, *ids: str) -> None:
    old = datetime.now(UTC) - timedelta(days=days)
    with engine.begin() as conn:
        conn.execute(update(Entity).where(Entity.id.in_(ids)).values(created_at=old))
        conn.execute(update(Statement).where(Statement.entity_id.in_(ids)).values(seen_at=old))
        conn.execute(update(SourceRecord).where(SourceRecord.record_id.in_([f"r-{i}" for i in ids]))
                     .values(ingested_at=old))


def test_retention_spares_open_cases_and_is_audited(world, engine, cli):
    gate = world.gate
    closed_subject, fresh = "e" + "4" * 31, "e" + "5" * 31
    with engine.begin() as conn:
        add_entity(conn, closed_subject, "Person", "nadra", {"name": ["old case"]})
        add_entity(conn, fresh, "Person", "nadra", {"name": ["fresh record"]})
        conn.execute(update(QuarantinedRow).values(created_at=datetime.now(UTC) - timedelta(days=40)))
    from tahqiq.govern.cases import open_case

    open_case(gate.audit, world.users["sana"], "CASE-2025-0099", basis_kind="fir", basis_ref="9/2025",
              authorising_officer="SP Saddar", purpose="old case", days=10, members=["ayesha"])
    with gate.session(world.users["ayesha"], "CASE-2025-0099", "attach old subject") as view:
        view.attach_subject(closed_subject)
    close_case(gate.audit, world.users["sana"], "CASE-2025-0099", "disposed")
    # nadra keeps 30 days: age everything but `fresh` past it; telco has no period.
    _age(engine, 40, world.subject, world.bystander, closed_subject, world.phone)

    # Only admins (or the scheduled job) run retention.
    assert cli("retention", "run", user="sana").exit_code == 3
    dry = cli("retention", "run", "--dry-run", user="admin")
    assert dry.exit_code == 0 and "nothing deleted" in dry.output, dry.output
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Entity)).scalar() == 5

    report = run_retention(gate.audit, SYSTEM)
    (nadra,) = report.sources
    assert (nadra.entities, nadra.protected, nadra.quarantine) == (2, 1, 1)
    with engine.connect() as conn:
        left = set(conn.execute(select(Entity.id)).scalars())
        records = set(conn.execute(select(SourceRecord.record_id)).scalars())
        orphans = conn.execute(text("select count(*) from statements "
                                    "where entity_id not in (select id from entities)")).scalar()
    assert left == {world.subject, fresh, world.phone}  # case subject kept, fresh kept, telco untouched
    assert records == {f"r-{world.subject}", f"r-{fresh}", f"r-{world.phone}"}
    assert orphans == 0
    deleted = [r for r in gate.audit.records(limit=10_000) if r.action == "retention.delete"]
    assert sorted(deleted[0].detail["ids"]) == sorted([world.bystander, closed_subject])
    assert deleted[0].actor == "system"
    assert any(r.action == "retention.run" and r.detail.get("dry_run") is False
               for r in gate.audit.records(limit=10_000))
    # Once the case closes, its subject goes too.
    close_case(gate.audit, world.users["sana"], world.case, "done")
    assert run_retention(gate.audit, SYSTEM).entities == 1
    assert gate.audit.verify().ok


def test_quarantine_and_export_through_the_gate(world, cli, tmp_path, monkeypatch):
    res = cli("quarantine", "show", "7", "--case", world.case, "--purpose", "fix the bad cnic", user="ayesha")
    assert res.exit_code == 0 and "3520X" in res.output and "bad checksum" in res.output, res.output
    res = cli("quarantine", "show", "7", "--case", world.case, "--purpose", "curious", user="bilal")
    assert res.exit_code == 3 and "not a member" in res.output
    out = tmp_path / "case.jsonl"
    res = cli("export", out, "--case", world.case, "--purpose", "share with prosecution", user="ayesha")
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 1 and lines[0]["schema"] == "Person"
    assert cli("export", out, "--all", "--case", world.case, "--purpose", "everything", user="ayesha").exit_code == 3
    res = cli("export", out, "--all", "--case", world.case, "--purpose", "bulk for analysis", user="sana")
    assert res.exit_code == 0 and "exported 3 entities" in res.output, res.output
    try:
        with world.gate.session(world.users["irfan"], world.case, "audit check") as view:
            view.subjects()
        raise AssertionError("auditor read personal data")
    except AccessDenied:
        pass


def test_retention_takes_what_resolution_derived_from_deleted_data(world, engine, cli):
    from tahqiq.resolve.tables import features_cache
    from tahqiq.store.tables import MatchLink, ResolutionRun, ResolvedEntity

    gate = world.gate
    cache = features_cache("Person")
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"prepared features (copies of values)")
    with engine.begin() as conn:
        run = conn.execute(ResolutionRun.__table__.insert().values(
            schema="Person", kind="full", backend="duckdb", actor="system", link_threshold=0.9, model={},
            stats={})).inserted_primary_key[0]
        for eid in (world.subject, world.bystander):
            conn.execute(ResolvedEntity.__table__.insert().values(entity_id=eid, cluster_id="c" * 32, schema="Person",
                                                                  run_id=run))
        conn.execute(MatchLink.__table__.insert().values(run_id=run, left_id=world.subject, right_id=world.bystander,
                                                         match_weight=5.0, match_probability=0.97, status="link",
                                                         fields=[]))
    _age(engine, 40, world.bystander)  # the subject is in an open case and stays

    dry = cli("retention", "run", "--dry-run", user="admin")
    assert dry.exit_code == 0 and cache.exists(), dry.output
    res = cli("retention", "run", user="admin")
    assert res.exit_code == 0 and "removed the resolution feature cache" in res.output, res.output
    assert not cache.exists()
    with engine.connect() as conn:
        members = set(conn.execute(select(ResolvedEntity.entity_id)).scalars())
        links = conn.execute(select(func.count()).select_from(MatchLink)).scalar()
    assert members == {world.subject} and links == 0
    run_entry = [r for r in gate.audit.records(limit=10_000) if r.action == "retention.run"][-1]
    assert run_entry.detail["feature_caches_removed"] == ["person-features.parquet"]
