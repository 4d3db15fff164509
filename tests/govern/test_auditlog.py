"""The audit log: RFC 9162 hashing, signed tree heads, proofs, and tamper detection on a real database."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tahqiq.govern import AuditLog, merkle
from tahqiq.govern.auditlog import canonical, sth_message
from tahqiq.govern.keys import Signer

from .conftest import PASSWORD

STANDALONE = Path(__file__).parents[2] / "src" / "tahqiq" / "govern" / "verify_standalone.py"


def standalone(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(STANDALONE), *map(str, args)], capture_output=True, text=True)


def build(gate, n: int = 12) -> AuditLog:
    for i in range(n):
        gate.audit.append("ayesha", "read.entities", role="analyst", case="CASE-2026-0001", purpose="investigate",
                          decision="grant", target=f"e{i:031d}", detail={"ids": [f"e{i:031d}"], "count": 1})
    gate.audit.sign_head()
    return gate.audit


# --- pure Merkle ---------------------------------------------------------------------------------


def test_merkle_matches_rfc_9162_definition():
    leaves = [merkle.leaf_hash(f"entry {i}".encode()) for i in range(40)]
    assert merkle.root_of([]) == merkle.EMPTY_ROOT == bytes.fromhex(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert merkle.leaf_hash(b"") == bytes.fromhex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")

    def nodes(need):
        return {(lv, i): merkle.reference_root(leaves[i << lv:(i + 1) << lv]) for lv, i in need}

    for n in range(1, 40):
        root = merkle.reference_root(leaves[:n])
        assert merkle.root_of(leaves[:n]) == root
        for i in range(n):
            path = merkle.prove(merkle.inclusion_ranges(i, n), nodes)
            assert merkle.verify_inclusion(i, n, leaves[i], path, root)
            assert not merkle.verify_inclusion(i, n, leaves[(i + 1) % 40], path, root) or n == 1 and i == 0
        for m in range(1, n + 1):
            proof = merkle.prove(merkle.consistency_ranges(m, n), nodes)
            assert merkle.verify_consistency(m, n, merkle.reference_root(leaves[:m]), root, proof)


def test_standalone_checker_imports_nothing_of_tahqiq():
    tree = ast.parse(STANDALONE.read_text())
    imported = {a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"hashlib", "json", "struct", "sys", "pathlib", "cryptography"}


# --- the log on a database -----------------------------------------------------------------------


def test_appends_proofs_and_heads(gate, engine):
    log = AuditLog(engine, gate.audit.signer, head_every_entries=10, head_every_seconds=3600)
    for i in range(25):
        rec = log.append("sana", "case.open", target=str(i), detail={"i": i})
        assert rec.seq == i
    with engine.connect() as conn:
        sizes = conn.execute(text("select tree_size from tree_heads order by id")).scalars().all()
    assert sizes == [1, 11, 21]
    head = log.sign_head()
    assert head.tree_size == 25 and head.verify(log.signer.public_key)
    assert log.sign_head() is None  # nothing new to sign
    leaves = [bytes.fromhex(r.leaf_hash) for r in log.records(limit=100)]
    assert bytes.fromhex(head.root_hash) == merkle.reference_root(leaves) == log.root(25)
    for seq in range(25):
        assert merkle.verify_inclusion(seq, 25, leaves[seq], log.inclusion_path(seq, 25), log.root(25))
    for old in (1, 11, 21):
        assert merkle.verify_consistency(old, 25, log.root(old), log.root(25), log.consistency_path(old, 25))
    # Entries are canonical JSON and the leaf is SHA-256(0x00 || entry).
    first = log.records(limit=1)[0]
    with engine.connect() as conn:
        raw = conn.execute(text("select entry from audit_entries where seq = 0")).scalar()
    assert raw.encode() == canonical(json.loads(raw))
    assert merkle.leaf_hash(raw.encode()).hex() == first.leaf_hash
    # Time-based heads: at least every `head_every_seconds`.
    quick = AuditLog(engine, gate.audit.signer, head_every_entries=1000, head_every_seconds=0.05)
    quick.append("sana", "x")
    time.sleep(0.06)
    quick.append("sana", "y")
    assert quick.latest_head().tree_size == 27
    assert quick.verify().ok


def test_concurrent_appenders_keep_one_consistent_log(gate, engine):
    logs = [AuditLog(engine, gate.audit.signer) for _ in range(3)]
    errors = []

    def work(log, k):
        try:
            for i in range(30):
                log.append(f"worker{k}", "read.entities", detail={"i": i})
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(log, k)) for k, log in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    gate.audit.sign_head()
    report = gate.audit.verify()
    assert report.ok, report.problems
    assert report.entries == 90
    for log in logs:
        log.dispose()


# --- tampering, detected by `tahqiq audit verify` ------------------------------------------------


def _forged_row(seq: int, sig: str = "00" * 64) -> dict:
    entry = canonical({"v": 1, "seq": seq, "time": "2026-01-01T00:00:00.000000Z", "actor": "ayesha",
                       "role": "analyst", "action": "read.entities", "case": "CASE-2026-0001",
                       "purpose": "investigate", "decision": "grant", "target": None, "detail": {}}).decode()
    return {"seq": seq, "recorded_at": "2026-01-01T00:00:00.000000Z", "actor": "ayesha", "role": "analyst",
            "action": "read.entities", "case_ref": "CASE-2026-0001", "decision": "grant", "target": None,
            "entry": entry, "leaf_hash": merkle.leaf_hash(entry.encode()).hex(), "nodes": None, "signature": sig}


INSERT = text("insert into audit_entries (seq, recorded_at, actor, role, action, case_ref, decision, target, entry, "
              "leaf_hash, nodes, signature) values (:seq, :recorded_at, :actor, :role, :action, :case_ref, "
              ":decision, :target, :entry, :leaf_hash, :nodes, :signature)")


def tamper(conn, kind: str) -> None:
    sql = lambda stmt, **p: conn.execute(text(stmt), p)  # noqa: E731
    if kind == "edit":  # hide who read it
        sql("update audit_entries set entry = replace(entry, 'ayesha', 'bilal'), actor = 'bilal' where seq = 5")
    elif kind == "edit-column":  # change only the queryable column
        sql("update audit_entries set decision = 'deny' where seq = 5")
    elif kind == "edit-rehashed":  # change the entry and recompute its leaf hash (no key, no signature)
        entry = sql("select entry from audit_entries where seq = 5").scalar().replace("investigate", "routine")
        sql("update audit_entries set entry = :e, leaf_hash = :h where seq = 5",
            e=entry, h=merkle.leaf_hash(entry.encode()).hex())
    elif kind == "delete":
        sql("delete from audit_entries where seq = 5")
    elif kind == "delete-last":
        sql("delete from audit_entries where seq = 11")
    elif kind == "insert":  # slip a forged entry in at 5, renumbering the rest
        sql("update audit_entries set seq = seq + 1000 where seq >= 5")
        sql("update audit_entries set seq = seq - 999 where seq >= 1000")
        conn.execute(INSERT, _forged_row(5))
    elif kind == "append-forged":
        conn.execute(INSERT, _forged_row(12))
    elif kind == "reorder":
        sql("update audit_entries set seq = seq + 1000 where seq in (5, 6)")
        sql("update audit_entries set seq = 6 where seq = 1005")
        sql("update audit_entries set seq = 5 where seq = 1006")
    elif kind == "head-signature":
        sig = sql("select signature from tree_heads order by id desc limit 1").scalar()
        sql("update tree_heads set signature = :s where id = (select max(id) from tree_heads)",
            s=("1" if sig[0] != "1" else "2") + sig[1:])
    elif kind == "head-root":
        sql("update tree_heads set root_hash = :r where id = (select max(id) from tree_heads)", r="ab" * 32)
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize("kind,first_bad", [
    ("edit", 5), ("edit-column", 5), ("edit-rehashed", 5), ("delete", 5), ("delete-last", 11), ("insert", 5),
    ("append-forged", 12), ("reorder", 5), ("head-signature", None), ("head-root", None),
])
def test_audit_verify_detects_tampering(gate, engine, cli, kind, first_bad):
    build(gate)
    ok = cli("audit", "verify")
    assert ok.exit_code == 0 and "OK" in ok.output, ok.output
    with engine.begin() as conn:
        tamper(conn, kind)
    bad = cli("audit", "verify")
    assert bad.exit_code == 1, bad.output
    assert "does NOT verify" in bad.output
    if first_bad is None:
        assert "tree head" in bad.output and ("signature invalid" in bad.output or "root does not match" in bad.output)
    else:
        assert f"first bad entry: {first_bad};" in bad.output, bad.output


def test_tree_heads_verify_with_the_public_key_alone(gate, engine, cli, tmp_path):
    build(gate)
    assert cli("audit", "head", "--out", tmp_path / "head.json").exit_code == 0
    key = cli("audit", "public-key")
    (tmp_path / "key.pem").write_text(key.stdout)
    res = standalone(tmp_path / "head.json", "--public-key", tmp_path / "key.pem")
    assert res.returncode == 0 and "OK: tree head of size 12" in res.stdout, res.stdout + res.stderr
    head = json.loads((tmp_path / "head.json").read_text())
    # Signature over exactly the documented bytes.
    msg = sth_message(head["tree_size"], head["timestamp_ms"], bytes.fromhex(head["root_hash"]))
    gate.audit.signer.public_key.verify(bytes.fromhex(head["signature"]), msg)
    for field, value in (("tree_size", 11), ("root_hash", "00" * 32), ("timestamp_ms", head["timestamp_ms"] + 1)):
        (tmp_path / "bad.json").write_text(json.dumps({**head, field: value}))
        res = standalone(tmp_path / "bad.json", "--public-key", tmp_path / "key.pem")
        assert res.returncode == 1 and "signature is INVALID" in res.stdout
    # Another key does not verify it.
    other = tmp_path / "other.pem"
    from tahqiq.govern.keys import public_key_pem

    other.write_text(public_key_pem(Signer.generate().public_key))
    assert standalone(tmp_path / "head.json", "--public-key", other).returncode == 1


def test_prove_and_consistency_check_offline(world, engine, cli, tmp_path):
    gate = world.gate
    first = gate.audit.sign_head(force=True)
    build(gate, 5)
    res = cli("audit", "prove", "3", "--out", tmp_path / "p.json", user="irfan")
    assert res.exit_code == 0, res.output
    key = tmp_path / "key.pem"
    key.write_text(cli("audit", "public-key").stdout)
    ok = standalone(tmp_path / "p.json", "--public-key", key)
    assert ok.returncode == 0 and "OK: 1 entry" in ok.stdout, ok.stdout
    proof = json.loads((tmp_path / "p.json").read_text())
    proof["entry"] = canonical({**json.loads(proof["entry"]), "actor": "someone-else"}).decode()
    (tmp_path / "p2.json").write_text(json.dumps(proof))
    assert standalone(tmp_path / "p2.json", "--public-key", key).returncode == 1
    # Analysts cannot pull entries out of the log.
    assert cli("audit", "prove", "3", user="ayesha").exit_code == 3
    res = cli("audit", "consistency", str(first.tree_size), "--out", tmp_path / "c.json")
    assert res.exit_code == 0, res.output
    ok = standalone(tmp_path / "c.json", "--public-key", key)
    assert ok.returncode == 0 and "OK: consistency" in ok.stdout, ok.stdout


def test_signing_key_is_private_and_stable(gate, tahqiq_home):
    s1 = gate.audit.signer
    key_file = tahqiq_home / "keys" / "audit-ed25519.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (tahqiq_home / "keys").stat().st_mode & 0o777 == 0o700
    from tahqiq.govern.keys import load_signer

    assert load_signer().key_id == s1.key_id


def test_passwords_are_argon2(world, engine):
    with engine.connect() as conn:
        hashes = conn.execute(text("select password_hash from users")).scalars().all()
    assert all(h.startswith("$argon2id$") for h in hashes) and PASSWORD not in hashes


def test_docs_show_the_shipped_script():
    doc = (Path(__file__).parents[2] / "docs" / "verify_bundle.md").read_text()
    block = doc.split("```python\n", 1)[1].rsplit("```", 1)[0]
    assert block == STANDALONE.read_text(), "docs/verify_bundle.md must embed verify_standalone.py verbatim"
