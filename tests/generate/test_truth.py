"""Ground truth is consistent with the files it describes."""

from __future__ import annotations

import collections

from tahqiq.generate.laundering import TYPOLOGIES
from tahqiq.ingest.mapping import load_mapping

from .conftest import PERSONS
from .shapes import assert_shape

TRUTH_ID = {"persons": "person_id", "phones": "phone_id", "vehicles": "vehicle_id", "accounts": "account_id"}
TRUTH_SCHEMA = {"persons": {"Person"}, "phones": {"Phone"}, "vehicles": {"Vehicle"}, "accounts": {"BankAccount"}}


def test_every_truth_row_points_to_an_existing_record_and_mapped_entity(province, rows, truth):
    record_ids = {name: {r["record_id"] for r in rs} for name, rs in rows.items()}
    for kind, id_col in TRUTH_ID.items():
        assert truth[kind], f"truth/{kind}.csv is empty"
        for t in truth[kind]:
            assert t["record_id"] in record_ids[t["source"]], t
            assert t[id_col]
        entities = {(t["source"], t["entity"]) for t in truth[kind]}
        for source, entity in entities:
            m = load_mapping(province / "mappings" / f"{source}.yml")
            assert entity in m.entities, f"{source}: truth names entity {entity!r} that the mapping lacks"
            assert m.entities[entity].schema_ in TRUTH_SCHEMA[kind]


def test_record_ids_are_unique_within_each_source(rows):
    for name, rs in rows.items():
        ids = [r["record_id"] for r in rs]
        assert len(ids) == len(set(ids)), name
        assert all(isinstance(i, str) and i for i in ids)


def test_id_registry_has_one_row_per_person(rows, truth):
    nadra = rows["nadra_id_registry"]
    assert len(nadra) == PERSONS
    people = [t["person_id"] for t in truth["persons"] if t["source"] == "nadra_id_registry"]
    assert len(people) == len(set(people)) == PERSONS
    assert len({r["cnic"] for r in nadra}) == PERSONS


def test_people_appear_in_several_sources_with_different_spellings(rows, truth):
    name_column = {
        ("nadra_id_registry", "person"): "name", ("police_fir", "complainant"): "complainant_name",
        ("police_fir", "accused"): "accused_name", ("police_wanted", "subject"): "name",
        ("excise_vehicles", "owner"): "owner_name", ("telecom_subscribers", "subscriber"): "subscriber_name",
        ("bank_accounts", "holder"): "account_title", ("bank_str", "subject"): "subject_name",
        ("cybercrime_complaints", "complainant"): "complainant_name",
    }
    by_id = {name: {r["record_id"]: r for r in rs} for name, rs in rows.items()}
    seen: dict[str, dict[str, set[str]]] = collections.defaultdict(lambda: collections.defaultdict(set))
    for t in truth["persons"]:
        col = name_column.get((t["source"], t["entity"]))
        if col:
            seen[t["person_id"]][t["source"]].add(by_id[t["source"]][t["record_id"]][col])
    varied = [p for p, s in seen.items() if len(s) >= 3 and len({n for names in s.values() for n in names}) >= 3]
    assert len(varied) >= 50, f"only {len(varied)} people in 3+ sources with 3+ spellings"


def test_phones_vehicles_accounts_link_across_sources(truth):
    for kind, id_col in (("phones", "phone_id"), ("vehicles", "vehicle_id"), ("accounts", "account_id")):
        sources = collections.defaultdict(set)
        for t in truth[kind]:
            sources[t[id_col]].add(t["source"])
        assert sum(len(s) >= 2 for s in sources.values()) >= 20, kind


def test_laundering_labels_point_to_transactions(rows, truth):
    tx = {r["transaction_id"]: r for r in rows["transactions"]}
    labels = truth["laundering"]
    assert labels
    assert {t["typology"] for t in labels} == set(TYPOLOGIES)
    for t in labels:
        assert t["transaction_id"] in tx
    # STRs refer to transactions in the stream, and some of them to laundering
    strs = rows["bank_str"]
    assert strs and all(s["transaction_id"] in tx for s in strs)
    laundering = {t["transaction_id"] for t in labels}
    assert any(s["transaction_id"] in laundering for s in strs)


def test_patterns_have_their_shape(truth, rows):
    tx = {r["transaction_id"]: r for r in rows["transactions"]}
    patterns = collections.defaultdict(list)
    for t in truth["laundering"]:
        r = tx[t["transaction_id"]]
        patterns[(t["pattern_id"], t["typology"])].append((r["transaction_id"], r["payer_iban"], r["payee_iban"]))
    for (_pid, kind), txs in patterns.items():
        assert_shape(kind, txs)
    listed = {p["pattern_id"]: p for p in truth["laundering_patterns"]}
    assert {pid for pid, _kind in patterns} == set(listed)
    for (pid, kind), txs in patterns.items():
        assert listed[pid]["typology"] == kind and int(listed[pid]["n_tx"]) == len(txs)
        assert {a for t in txs for a in t[1:] if a} == set(listed[pid]["accounts"].split(";"))


def test_nothing_sensitive_is_recorded(rows):
    banned = {"religion", "sect", "caste", "ethnicity", "politics", "political", "party", "tribe", "post", "tweet"}
    for name, rs in rows.items():
        assert not banned & set(rs[0]), name
