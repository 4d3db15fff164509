"""The TLP policy of the gate: `may_read` for one row and `readable_clause` for a query agree, for
every level, role, agency and recipient list."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, insert, select

from tahqiq.govern.base import SYSTEM, Principal
from tahqiq.govern.markings import may_read, readable_clause

ayesha = Principal(2, "ayesha", "analyst", "PUNJAB-POLICE", 1)
sana = Principal(3, "sana", "supervisor", "PUNJAB-POLICE", 1)
omar = Principal(4, "omar", "analyst", "FIA", 2)
audrey = Principal(5, "audrey", "auditor", "PUNJAB-POLICE", 1)
root = Principal(6, "root", "admin", "PUNJAB-POLICE", 1)
odd = Principal(7, "o_d%d", "analyst", "FIA", 2)  # LIKE wildcards in a username match only themselves
PEOPLE = [ayesha, sana, omar, audrey, root, odd, SYSTEM]
LEVELS = ["clear", "green", "amber", "amber+strict", "red", "purple"]
OWNERS = ["PUNJAB-POLICE", "FIA", ""]
RECIPIENTS = [(), ("ayesha",), ("omar", "sana"), ("oxd1d",), ("system",)]


def test_the_policy_by_level():
    assert may_read(omar, "green", "PUNJAB-POLICE", ())
    assert may_read(ayesha, "amber", "PUNJAB-POLICE", ()) and not may_read(omar, "amber", "PUNJAB-POLICE", ())
    assert not may_read(omar, "amber+strict", "PUNJAB-POLICE", ()) and may_read(SYSTEM, "amber+strict", "FIA", ())
    assert may_read(ayesha, "red", "FIA", ("ayesha",)) and not may_read(sana, "red", "PUNJAB-POLICE", ("ayesha",))
    assert not may_read(SYSTEM, "red", "FIA", ("ayesha",)) and may_read(SYSTEM, "red", "FIA", ("system",))
    assert not may_read(audrey, "clear", "PUNJAB-POLICE", ()) and not may_read(root, "green", "", ())
    assert not may_read(audrey, "red", "PUNJAB-POLICE", ("audrey",))
    assert not may_read(ayesha, "amber", "", ())  # no owning agency: no person reads it
    assert not may_read(ayesha, "purple", "PUNJAB-POLICE", ())


@pytest.mark.parametrize("who", PEOPLE, ids=lambda p: p.username)
def test_the_clause_agrees_with_may_read(who):
    engine = create_engine("sqlite://")
    meta = MetaData()
    rows = Table("rows", meta, Column("id", Integer, primary_key=True), Column("tlp", String),
                 Column("owner_agency", String), Column("recipients", JSON))
    meta.create_all(engine)
    combos = list(itertools.product(LEVELS, OWNERS, RECIPIENTS))
    with engine.begin() as conn:
        conn.execute(insert(rows), [{"id": n, "tlp": t, "owner_agency": o, "recipients": list(r)}
                                    for n, (t, o, r) in enumerate(combos)])
        got = set(conn.execute(select(rows.c.id).where(readable_clause(who, rows))).scalars())
    expected = {n for n, (t, o, r) in enumerate(combos) if may_read(who, t, o, r)}
    assert got == expected
    assert who not in (audrey, root) or not got
