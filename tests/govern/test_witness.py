"""Witnessed checkpoints: the C2SP formats against published vectors, the witness's rules, and a cut
tail, a rewritten state and a forked history caught by `tahqiq audit verify --witness` on a real log."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from tahqiq.govern import AuditLog, merkle
from tahqiq.govern.checkpoint import (
    Checkpoint,
    NoteError,
    NoteKey,
    SignedNote,
    cosign,
    cosignature_time,
    open_checkpoint,
    sign_note,
    trusted_cosignatures,
    verify_note,
)
from tahqiq.govern.keys import load_origin, public_key_pem
from tahqiq.govern.witness import AddCheckpoint, Witness, WitnessError
from tahqiq.govern.witness_app import create_app

# --- the formats, against vectors published with the specifications --------------------------------

# golang.org/x/mod/sumdb/note (note_test.go, and the package's example): key, text and signature.
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + ("\n— PeterNeumann "
                     "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
# c2sp.org/signed-note test vector.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n— example.com/foo "
             "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")
# A checkpoint of a public CT log with witnesses' cosignatures (cosignature/v1, type 0x04).
CT_LOG_VKEY = "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
CT_WITNESS_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
CT_CHECKPOINT = (
    "arche2025h1.staging.ct.transparency.dev\n1432088532\nU7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n\n"
    "— arche2025h1.staging.ct.transparency.dev "
    "ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=\n"
    "— transparency.dev/DEV:witness-little-garden "
    "2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==\n"
    "— remora.n621.de "
    "2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==\n"
)


def test_notes_match_the_published_vectors():
    # Ed25519 is deterministic: our signature over Go's example text is Go's, byte for byte.
    signature = sign_note(GO_TEXT, "PeterNeumann", Ed25519PrivateKey.from_private_bytes(GO_SEED))
    assert SignedNote(GO_TEXT, (signature,)).serialize() == GO_NOTE
    go_key = NoteKey.from_vkey(GO_VKEY)
    assert go_key.vkey() == GO_VKEY and signature.key_id.hex() == "c74f20a3"
    assert SignedNote.parse(GO_NOTE).serialize() == GO_NOTE
    verify_note(SignedNote.parse(GO_NOTE), go_key)
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(SignedNote.parse(GO_NOTE.replace("cryptography", "cryptographY")), go_key)
    verify_note(SignedNote.parse(SPEC_NOTE), NoteKey.from_vkey(SPEC_VKEY))
    with pytest.raises(NoteError, match="no signature by"):
        verify_note(SignedNote.parse(SPEC_NOTE), go_key)  # an unknown key's signature is ignored

    checkpoint, note = open_checkpoint(CT_CHECKPOINT, NoteKey.from_vkey(CT_LOG_VKEY))
    assert checkpoint.size == 1432088532 and checkpoint.text() == note.text
    witness = NoteKey.from_vkey(CT_WITNESS_VKEY)
    assert trusted_cosignatures(note, [witness]) == [("remora.n621.de", 1779573024)]
    assert trusted_cosignatures(note, [witness.public_key]) == [("remora.n621.de", 1779573024)]  # a bare PEM key
    forged = CT_CHECKPOINT.replace("1432088532", "1432088531")
    with pytest.raises(NoteError):
        open_checkpoint(forged, NoteKey.from_vkey(CT_LOG_VKEY))
    with pytest.raises(NoteError, match="witness remora.n621.de does not verify"):
        trusted_cosignatures(SignedNote.parse(forged), [witness])


def test_checkpoint_body_round_trips_and_rejects_malformed_ones():
    cp = Checkpoint("tahqiq.example/audit", 2326, bytes(range(32)))
    assert cp.text() == "tahqiq.example/audit\n2326\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    assert Checkpoint.parse(cp.text()) == cp
    assert Checkpoint.parse(cp.text() + "ext\n").extensions == ("ext",)
    for bad in ("o\n012\nAAAA\n", "o\n1\n" + base64.b64encode(b"x" * 31).decode() + "\n", "o\n1\n", "o\n1\nAA==\n\n"):
        with pytest.raises(NoteError):
            Checkpoint.parse(bad)
    key = Ed25519PrivateKey.generate()
    sig = cosign(cp.text(), "oversight.example/w", key, 1_700_000_000)
    assert len(sig.signature) == 8 + 64 and sig.signature[:8] == (1_700_000_000).to_bytes(8, "big")
    wkey = NoteKey("oversight.example/w", 0x04, key.public_key())
    assert cosignature_time(cp.text(), sig, wkey) == 1_700_000_000
    assert cosignature_time(cp.text().replace("2326", "2325"), sig, wkey) is None
    assert NoteKey.from_vkey(wkey.vkey()).key_id == wkey.key_id == sig.key_id


# --- the witness's rules, with no database ---------------------------------------------------------

ORIGIN = "tahqiq.test/audit"


class ToyLog:
    """Leaves, their roots and proofs computed by the RFC's definitions; checkpoints signed by a key."""

    def __init__(self, leaves: list[bytes], key: Ed25519PrivateKey) -> None:
        self.leaves, self.key = leaves, key

    def nodes(self, need):
        return {(lv, i): merkle.reference_root(self.leaves[i << lv:(i + 1) << lv]) for lv, i in need}

    def note(self, size: int, key: Ed25519PrivateKey | None = None, origin: str = ORIGIN) -> str:
        text = Checkpoint(origin, size, merkle.reference_root(self.leaves[:size])).text()
        return SignedNote(text, (sign_note(text, origin, key or self.key),)).serialize()

    def proof(self, old: int, new: int) -> list[bytes]:
        return merkle.prove(merkle.consistency_ranges(old, new), self.nodes) if 0 < old < new else []


def refused(witness: Witness, old: int, proof, note: str) -> WitnessError:
    with pytest.raises(WitnessError) as info:
        witness.add_checkpoint(old, proof, note)
    return info.value


def test_witness_cosigns_growth_only_and_survives_a_restart(tmp_path):
    key = Ed25519PrivateKey.generate()
    log = ToyLog([merkle.leaf_hash(f"entry {i}".encode()) for i in range(20)], key)
    forked = ToyLog(log.leaves[:3] + [merkle.leaf_hash(b"forged")] + log.leaves[4:], key)
    state = tmp_path / "witness"
    w = Witness(state, ORIGIN, key.public_key(), name="oversight.test/w1")
    assert w.latest() is None
    line = w.add_checkpoint(0, [], log.note(5))
    cosigned = SignedNote.parse(w.latest())
    assert line == cosigned.signatures[-1].line() and trusted_cosignatures(cosigned, [w.key])
    assert w.add_checkpoint(5, log.proof(5, 9), log.note(9))
    assert os.stat(state).st_mode & 0o777 == 0o700
    assert {p.name: p.stat().st_mode & 0o777 for p in state.iterdir() if not p.name.startswith(".")} == {
        "checkpoint": 0o600, "witness-ed25519.pem": 0o600, "witness-name": 0o600}

    assert (refused(w, 5, log.proof(5, 12), log.note(12)).status, refused(w, 5, [], log.note(12)).size) == (409, 9)
    assert refused(w, 9, [], log.note(5)).status == 400  # a smaller tree
    assert refused(w, 9, [], forked.note(9)).status == 409  # another root at the same size
    assert refused(w, 9, forked.proof(9, 12), forked.note(12)).status == 422  # a proof from another history
    assert refused(w, 9, log.proof(9, 12)[1:], log.note(12)).status == 422  # a broken proof
    assert refused(w, 9, log.proof(9, 12), log.note(12, key=Ed25519PrivateKey.generate())).status == 403
    assert refused(w, 9, log.proof(9, 12), log.note(12, origin="other.test/log")).status == 404
    assert len(list((state / "conflicts").iterdir())) == 3  # log-signed checkpoints it could not reconcile

    # A restart reads the held checkpoint back: the rules still hold, the name and key stay the same.
    again = Witness(state, ORIGIN, key.public_key())
    assert again.key == w.key and Checkpoint.parse(SignedNote.parse(again.latest()).text).size == 9
    assert refused(again, 0, [], log.note(3)).size == 9
    assert again.add_checkpoint(9, log.proof(9, 20), log.note(20))
    assert again.add_checkpoint(20, [], log.note(20))  # the same checkpoint again: cosigned again
    with pytest.raises(ValueError, match="belongs to witness"):
        Witness(state, ORIGIN, key.public_key(), name="someone.else/w")
    # A state that does not verify stops the witness rather than letting it start from nothing.
    (state / "checkpoint").write_text(log.note(20))  # the log's signature alone, no cosignature
    with pytest.raises(RuntimeError, match="does not verify"):
        Witness(state, ORIGIN, key.public_key())


def test_add_checkpoint_body_is_the_tlog_witness_format():
    key = Ed25519PrivateKey.generate()
    log = ToyLog([merkle.leaf_hash(bytes([i])) for i in range(8)], key)
    req = AddCheckpoint(3, tuple(log.proof(3, 8)), log.note(8))
    body = req.body()
    assert body.startswith("old 3\n") and body.split("\n\n", 1)[1] == log.note(8)
    assert AddCheckpoint.parse(body) == req
    for bad in ("old 03\n\nx", "old 1\nnot base64!\n\nx", "new 1\n\nx", "old 1\n" + "AA==\n" * 64 + "\nx"):
        with pytest.raises(WitnessError) as info:
            AddCheckpoint.parse(bad)
        assert info.value.status == 400


# --- a real log, a witness over HTTP, and the attack -----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def witness_url(gate, tmp_path):
    """A witness for this installation's log, served over HTTP on a free port (in a thread)."""
    witness = Witness(tmp_path / "witness", load_origin(), gate.audit.signer.public_key, name="oversight.test/w1")
    (tmp_path / "witness.vkey").write_text(witness.key.vkey() + "\n")
    server = uvicorn.Server(uvicorn.Config(create_app(witness), host="127.0.0.1", port=free_port(),
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(5)


def build(engine, signer, n: int) -> None:
    log = AuditLog(engine, signer, head_every_entries=50, head_every_seconds=3600)
    with log.transaction() as conn:
        for i in range(n):
            log.append("ayesha", "read.entities", role="analyst", case="CASE-2026-0001", purpose="investigate",
                       decision="grant", target=f"e{i:031d}", detail={"count": 1}, conn=conn)
    log.sign_head()
    log.dispose()


def cut_tail(conn, keep: int) -> None:
    """What an insider with write access to the database, and no key, can do: delete the newest
    entries and the heads above them, and rewrite the log's state to match what is left."""
    conn.execute(text("delete from audit_entries where seq >= :k"), {"k": keep})
    conn.execute(text("delete from tree_heads where tree_size > :k"), {"k": keep})
    frontier: list[bytes] = []
    for i, leaf in enumerate(conn.execute(text("select leaf_hash from audit_entries order by seq")).scalars()):
        merkle.frontier_append(frontier, i, bytes.fromhex(leaf))
    last = conn.execute(text("select tree_size, timestamp_ms from tree_heads order by id desc limit 1")).one()
    conn.execute(text("update audit_state set size = :s, frontier = :f, last_head_size = :h, last_head_ms = :t"),
                 {"s": keep, "f": ",".join(h.hex() for h in frontier), "h": last.tree_size, "t": last.timestamp_ms})


def heads(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("select count(*) from tree_heads")).scalar()


@pytest.mark.parametrize("cut", [1, 3, 500])
def test_a_cut_tail_verifies_without_a_witness_and_fails_with_one(gate, engine, cli, witness_url, tmp_path, cut):
    build(engine, gate.audit.signer, 600)
    with_witness = ("--witness", witness_url, "--witness-key", tmp_path / "witness.vkey")
    published = cli("audit", "publish", *with_witness)
    assert published.exit_code == 0 and "600 entries" in published.output, published.output
    assert cli("audit", "verify", *with_witness).exit_code == 0
    with engine.begin() as conn:
        cut_tail(conn, 600 - cut)

    blind = cli("audit", "verify")
    assert blind.exit_code == 0 and "cannot detect a truncated tail" in blind.output, blind.output
    before = heads(engine)
    assert cli("audit", "head").exit_code == 0 and heads(engine) == before  # reading signs nothing

    caught = cli("audit", "verify", *with_witness)
    assert caught.exit_code == 1, caught.output
    assert f"the log has {600 - cut:,} entries but witness oversight.test/w1 saw 600 on" in caught.output
    assert f"first bad entry: {600 - cut};" in caught.output
    # The saved copy of the cosigned checkpoint (outside the database) tells the same.
    kept = tmp_path / "home" / "keys" / "witnessed" / "oversight.test_w1.checkpoint"
    saved = cli("audit", "verify", "--witness", kept, "--witness-key", tmp_path / "witness.vkey")
    assert saved.exit_code == 1 and "saw 600" in saved.output, saved.output
    # Publishing the shorter log is refused: the alarm a cron job raises within a minute.
    again = cli("audit", "publish", *with_witness)
    assert again.exit_code == 1 and "has cosigned 600 entries on" in again.output, again.output
    assert "the tail was cut" in again.output


def test_a_forked_history_is_refused_and_detected(gate, engine, cli, witness_url, tmp_path):
    build(engine, gate.audit.signer, 40)
    with_witness = ("--witness", witness_url, "--witness-key", tmp_path / "witness.vkey")
    assert cli("audit", "publish", *with_witness).exit_code == 0
    with engine.begin() as conn:
        cut_tail(conn, 37)
    build(engine, gate.audit.signer, 10)  # the log goes on from the cut: 47 entries, another history
    assert cli("audit", "verify").exit_code == 0  # consistent in itself, signed by the log's own key
    caught = cli("audit", "verify", *with_witness)
    assert caught.exit_code == 1 and "first 40 entries are not the ones witness oversight.test/w1 saw" in caught.output
    refused_ = cli("audit", "publish", *with_witness)
    assert refused_.exit_code == 1 and "history was rewritten" in refused_.output, refused_.output
    # Without the witness's key a checkpoint proves nothing, and verify says so.
    keyless = cli("audit", "verify", "--witness", witness_url, env={"TAHQIQ_WITNESS_KEYS": None})
    assert keyless.exit_code == 2 and "--witness-key" in keyless.output


READING = [("audit", "head"), ("audit", "consistency", "{first}"), ("audit", "prove", "3", "--user", "irfan"),
           ("audit", "log", "--user", "irfan"), ("audit", "verify"), ("audit", "public-key")]


def test_reading_commands_sign_no_tree_head(world, engine, cli):
    first = world.gate.audit.sign_head(force=True).tree_size
    build(engine, world.gate.audit.signer, 12)  # ends with a head; the entry below is not under one
    world.gate.audit.append("sana", "case.open", decision="info")
    for command in READING:
        before, size = heads(engine), world.gate.audit.size()
        res = cli(*(arg.format(first=first) for arg in command))
        assert res.exit_code == 0, (command, res.output)
        assert heads(engine) == before, command
        if "--user" in command:  # reads are still audited
            assert world.gate.audit.size() > size, command


def test_head_signs_only_when_asked_and_prove_needs_a_covering_head(world, engine, cli):
    world.gate.audit.sign_head(force=True)
    newest = world.gate.audit.append("sana", "case.open", decision="info").seq
    before = heads(engine)
    res = cli("audit", "prove", str(newest), user="irfan")
    assert res.exit_code == 2 and "not yet under a signed tree head" in res.output, res.output
    assert heads(engine) == before
    signed = cli("audit", "head", "--sign")
    assert signed.exit_code == 0 and json.loads(signed.stdout)["tree_size"] > newest
    assert heads(engine) == before + 1
    assert cli("audit", "prove", str(newest), user="irfan").exit_code == 0


def test_witness_serve_runs_as_its_own_process(tmp_path):
    key = Ed25519PrivateKey.generate()
    log = ToyLog([merkle.leaf_hash(b"entry")], key)
    (tmp_path / "log.pem").write_text(public_key_pem(key.public_key()))
    port = free_port()
    env = {**os.environ, "TAHQIQ_HOME": str(tmp_path / "elsewhere")}  # the witness's machine: no store, no keys
    proc = subprocess.Popen([sys.executable, "-m", "tahqiq", "audit", "witness", "serve", "--state", tmp_path / "w",
                             "--log-key", tmp_path / "log.pem", "--origin", ORIGIN, "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "/checkpoint", timeout=1)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404  # up, and holding nothing yet
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.1)
        note = log.note(1)

        def post(old: int):
            req = urllib.request.Request(url + "/add-checkpoint", data=AddCheckpoint(old, (), note).body().encode(),
                                         method="POST")
            try:
                with urllib.request.urlopen(req, timeout=5) as resp:
                    return resp.status, resp.headers.get("content-type"), resp.read().decode()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.headers.get("content-type"), exc.read().decode()

        status, _, line = post(0)
        assert status == 200 and line.startswith("— tahqiq.") and line.endswith("\n")  # tahqiq.<host>/witness
        assert post(0)[:3] == (409, "text/x.tlog.size", "1\n")
        with urllib.request.urlopen(url + "/checkpoint", timeout=5) as resp:
            assert resp.read().decode() == note + line
        assert (tmp_path / "w").stat().st_mode & 0o777 == 0o700
        assert not (tmp_path / "elsewhere").exists()  # it opened no store
    finally:
        proc.terminate()
        proc.wait(10)


def test_the_saved_checkpoint_is_private(gate, engine, cli, witness_url, tmp_path):
    build(engine, gate.audit.signer, 3)
    assert cli("audit", "publish", "--witness", witness_url,
               env={"TAHQIQ_WITNESS_KEYS": str(tmp_path / "witness.vkey")}).exit_code == 0
    saved = Path(tmp_path / "home" / "keys" / "witnessed" / "oversight.test_w1.checkpoint")
    assert saved.stat().st_mode & 0o777 == 0o600
    assert saved.parent.stat().st_mode & 0o777 == 0o700
    assert saved.read_text().startswith(f"{load_origin()}\n3\n")


def test_the_server_publishes_on_its_own_and_raises_the_alarm_when_the_tail_is_cut(gate, engine, witness_url,
                                                                                   tmp_path, caplog):
    """What `tahqiq serve --witness URL` runs: a publisher every interval, whose refusal is logged as
    an alarm each time (never swallowed)."""
    from tahqiq.govern.witness_client import start_publishing

    build(engine, gate.audit.signer, 120)
    kept = tmp_path / "home" / "keys" / "witnessed" / "oversight.test_w1.checkpoint"
    caplog.set_level("WARNING", logger="tahqiq.witness")
    stop = start_publishing(gate.audit, load_origin(), [witness_url], interval=0.2)
    try:
        deadline = time.monotonic() + 20
        while not (kept.exists() and "\n120\n" in kept.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "\n120\n" in kept.read_text()  # the checkpoint body: origin, size, root
        with engine.begin() as conn:
            cut_tail(conn, 100)
        deadline = time.monotonic() + 20
        while "AUDIT LOG ALARM" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    assert "AUDIT LOG ALARM" in caplog.text and "has cosigned 120 entries" in caplog.text, caplog.text
