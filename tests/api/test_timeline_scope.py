"""What a case's timeline contains, and that hubs and people around the subject cannot flood it.

The world of conftest.py, plus: an account held by the subject with 700 transactions (a hub), a
relative of the subject (a Family edge) who is accused in an FIR of their own, and a person who shares
a phone number with the subject (given one here) but not their CNIC, stopped at a checkpoint.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from tahqiq.graph.events import HOLDING_FANOUT
from tahqiq.store.tables import IngestBatch, Source, Statement
from tests.api.conftest import member_headers
from tests.govern.conftest import add_entity

ACCOUNT = "a" + "7" * 31
RELATIVE = "p" + "7" * 31
FAMILY = "f" + "7" * 31
RELATIVE_FIR = "r" + "7" * 31
PHONE_SHARER = "s" + "7" * 31
SHARER_CHECK = "c" + "7" * 31
IBAN = "PK36SCBL0000001123456702"
SHARED_PHONE = "+923009998877"
N_TX = 700


def _tx(i: int) -> str:
    return f"t{i:031d}"


def _populate(api) -> None:
    w = api.world
    with w.gate.engine.begin() as conn:
        conn.execute(Source.__table__.insert().values(name="bank", label="bank"))
        conn.execute(IngestBatch.__table__.insert().values(id=9, source="bank", mapping_fingerprint="f" * 32,
                                                           input_name="tx.csv", input_sha256="9" * 64))
        add_entity(conn, ACCOUNT, "BankAccount", "bank", {"iban": [IBAN], "holder": [w.subject]}, batch=9)
        for i in range(N_TX):
            day = i // 24
            add_entity(conn, _tx(i), "Transaction", "bank",
                       {"payerAccount": [ACCOUNT], "payerIban": [IBAN], "amount": ["1000"],
                        "occurredAt": [f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}T{i % 24:02d}:00:00"]}, batch=9)
        add_entity(conn, RELATIVE, "Person", "police", {"name": ["Bilal Raza"], "cnic": ["35202-7654321-3"]}, batch=5)
        add_entity(conn, FAMILY, "Family", "police", {"person": [w.subject], "relative": [RELATIVE]}, batch=5)
        add_entity(conn, RELATIVE_FIR, "FirIncident", "police",
                   {"firNumber": ["9/2026"], "accused": [RELATIVE], "occurredAt": ["2026-06-01T10:00:00"]}, batch=5)
        conn.execute(insert(Statement).values(id="x" * 32, entity_id=w.subject, schema="Person", prop="phone",
                                              value=SHARED_PHONE, source="nadra", record_id=f"r-{w.subject}",
                                              batch_id=1, seen_at=datetime.now(UTC)))
        add_entity(conn, PHONE_SHARER, "Person", "police", {"name": ["Kamran"], "phone": [SHARED_PHONE]}, batch=5)
        add_entity(conn, SHARER_CHECK, "CheckpointCheck", "police",
                   {"person": [PHONE_SHARER], "occurredAt": ["2026-07-01T10:00:00"]}, batch=5)


def _timeline(api, **params) -> list[dict]:
    r = api.client.get(f"/api/cases/{api.world.case}/timeline", params=params, headers=member_headers(api))
    assert r.status_code == 200, r.text
    return r.json()


def test_timeline_holds_the_subjects_events_not_other_peoples(api):
    _populate(api)
    events = _timeline(api)
    ids = [e["id"] for e in events]
    # The subject's own (via the vehicle and the same-CNIC record) and the held account's transactions...
    assert {api.world.ids["read1"], api.world.ids["read2"], api.world.ids["fir"], _tx(N_TX - 1)} <= set(ids)
    # ...but not a relative's FIR nor the checkpoint check of someone who merely shares a phone number.
    assert RELATIVE_FIR not in ids and SHARER_CHECK not in ids
    times = [e["time"] or "" for e in events]
    assert times == sorted(times, reverse=True)


def test_a_hub_account_is_capped_and_the_limit_keeps_the_newest(api):
    _populate(api)
    events = _timeline(api, limit=5000)
    tx = [e for e in events if e["kind"] == "Transaction"]
    # Each relation (payerAccount, same_iban) contributes at most HOLDING_FANOUT transactions.
    assert HOLDING_FANOUT <= len(tx) <= min(N_TX, 2 * HOLDING_FANOUT)
    newest = _timeline(api, limit=3)
    assert [e["id"] for e in newest] == [e["id"] for e in events[:3]]
    assert all(ACCOUNT in e["involves"] for e in tx)  # each names what in the case it involves
