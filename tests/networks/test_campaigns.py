"""Scam campaigns: the value-index clustering equals the pairwise definition, hubs do not link,
spellings of one value merge, explanations hold, and the money around a campaign is found."""

from __future__ import annotations

import itertools
import random

import duckdb
import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tahqiq.networks.campaign_money import linked_transactions
from tahqiq.networks.campaigns import campaign_accounts, campaign_id, cluster
from tahqiq.networks.complaints import ComplaintRow, complaints_from_arrays, complaints_from_frame
from tahqiq.networks.transactions import connect
from tahqiq.networks.values import DEFAULT_STOP_LIST, canonical, is_public_number

DAY = 86_400
FIELDS = {"phone": "phones", "iban": "ibans", "wallet": "wallets", "domain": "urls", "device": "devices"}

# Small pools so random complaints share values often; several spellings of the same values.
PHONES = ["0300-1234567", "+923001234567", "0092 300 1234567", "0321-7654321", "+92 321 7654321", "15", "1122",
          "0800-26526"]
IBANS = ["PK36SCBL0000001123456702", "pk36 scbl 0000 0011 2345 6702", "PK20NBPA0000000000000005"]
URLS = ["https://www.offer-1.com.pk/a", "http://offer-1.com.pk/b", "https://evil.github.io/x",
        "https://other.github.io/y", "https://facebook.com/page", "bit.ly/abc"]
WALLETS = ["0321 7654321", "JazzCash 0300-1234567", "TWx9abc", "0x52908400098527886E0F7030069857D2E4169EE7"]
DEVICES = ["35-209900-176148-1", "352099001761481", "861234567890123"]


def naive(rows: list[ComplaintRow], max_per_value: int, min_complaints: int = 2) -> set[frozenset[str]]:
    """The definition: compare every pair of complaints, join those sharing a non-hub value."""
    values = [{canonical(kind, raw) for kind, attr in FIELDS.items() for raw in getattr(r, attr)} - {""}
              for r in rows]
    named_by: dict[str, int] = {}
    for vs in values:
        for v in vs:
            named_by[v] = named_by.get(v, 0) + 1
    hubs = {v for v, n in named_by.items() if n > max_per_value or is_public_number(v)} | DEFAULT_STOP_LIST
    g = nx.Graph()
    g.add_nodes_from(r.complaint_id for r in rows)
    for (a, va), (b, vb) in itertools.combinations(zip(rows, values, strict=True), 2):
        if (va & vb) - hubs:
            g.add_edge(a.complaint_id, b.complaint_id)
    return {frozenset(c) for c in nx.connected_components(g) if len(c) >= min_complaints}


def sample(pool: list[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(pool), max_size=2).map(tuple)


complaint_rows = st.lists(
    st.tuples(sample(PHONES), sample(IBANS), sample(WALLETS), sample(URLS), sample(DEVICES),
              st.integers(0, 100 * DAY), st.sampled_from(["Lahore", "Multan", ""])),
    max_size=25,
).map(lambda items: [ComplaintRow(f"C{i:03d}", t, d, 100.0 * i, ph, ib, wa, ur, dv)
                     for i, (ph, ib, wa, ur, dv, t, d) in enumerate(items)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(complaint_rows, st.integers(2, 6), st.integers(1, 3))
def test_cluster_equals_pairwise_definition(rows, max_per_value, min_complaints):
    found = cluster(rows, max_complaints_per_value=max_per_value, min_complaints=min_complaints)
    assert {frozenset(c.complaints) for c in found} == naive(rows, max_per_value, min_complaints)
    for c in found:
        assert c.id == campaign_id(c.complaints)
        assert c.total_lost == pytest.approx(sum(r.amount_lost for r in rows if r.complaint_id in c.complaints))
        assert sum(c.districts.values()) == sum(1 for r in rows if r.complaint_id in c.complaints and r.district)
        if c.size > 1:  # every pair of a campaign is explained by a chain of shared values
            a, b = c.complaints[0], c.complaints[-1]
            steps = c.why(a, b)
            assert steps[0].complaint == a and steps[-1].to == b
            for s, nxt in itertools.pairwise(steps):
                assert s.to == nxt.complaint
            links = {lk.value: set(lk.complaints) for lk in c.links}
            for s in steps:
                assert {s.complaint, s.to} <= links[s.value]
                assert s.value not in c.hubs


def test_spellings_of_one_phone_iban_wallet_and_domain_merge():
    rows = [ComplaintRow("A", 1, phones=("0300-1234567",)),
            ComplaintRow("B", 2, phones=("0092 300 1234567",), ibans=("pk36 scbl 0000 0011 2345 6702",)),
            ComplaintRow("C", 3, ibans=("PK36-SCBL-0000-0011-2345-6702",)),
            ComplaintRow("D", 4, wallets=("Easypaisa 0300 1234567",)),  # a mobile wallet is its phone number
            ComplaintRow("E", 5, urls=("hxxps://www[.]offer-1.com.pk/claim/9",)),
            ComplaintRow("F", 6, urls=("offer-1.com.pk",), devices=("35 209900 176148 1",)),
            ComplaintRow("G", 7, devices=("352099001761481",)),
            ComplaintRow("H", 8, urls=("https://evil.github.io/x",)),  # another site on a shared host
            ComplaintRow("I", 9, urls=("https://other.github.io/x",))]
    found = cluster(rows)
    assert sorted(sorted(c.complaints) for c in found) == [["A", "B", "C", "D"], ["E", "F", "G"]]
    first = next(c for c in found if "A" in c.complaints)
    assert first.values["phone"] == {"+923001234567": 2}
    assert first.values["wallet"] == {"+923001234567": 1}
    link = next(lk for lk in first.links if lk.value == "+923001234567")
    assert link.kinds == ("phone", "wallet") and link.complaints == ("A", "B", "D")
    assert campaign_accounts(first) == ["PK36SCBL0000001123456702"]
    assert [(s.complaint, s.value, s.to) for s in first.why("A", "C")] == [
        ("A", "+923001234567", "B"), ("B", "PK36SCBL0000001123456702", "C")]


def test_hubs_do_not_merge_campaigns_but_are_reported():
    # Two campaigns, every complaint also naming a bank helpline and facebook.com (stop list), a
    # toll-free number (an organisation's, whatever its count) and one number that 4 complaints
    # name, above a limit of 3.
    rows = [ComplaintRow(f"X{i}", i, phones=("0300-1111111", "021-111-111-425", "0345-9999999", "0800-26526"),
                         urls=("https://www.facebook.com/x",)) for i in range(2)]
    rows += [ComplaintRow(f"Y{i}", i, phones=("0321-2222222", "021 111 111 425", "0345 9999999", "080026526"),
                          urls=("facebook.com",)) for i in range(2)]
    found = cluster(rows, max_complaints_per_value=3)
    assert sorted(c.complaints for c in found) == [("X0", "X1"), ("Y0", "Y1")]
    for c in found:
        assert c.hubs == {"+9221111111425": 2, "+923459999999": 2, "+9280026526": 2, "facebook.com": 2}
        assert [lk.value for lk in c.links] in (["+923001111111"], ["+923212222222"])
    merged = cluster(rows, max_complaints_per_value=4, stop=())
    assert [c.size for c in merged] == [4]


def test_campaign_pages_facts_and_errors():
    rows = complaints_from_arrays(
        ["K2", "K1", "K3", "K4"], ["2024-03-02T09:00:00+05:00", "2024-03-01T09:00:00", None, 1_709_500_000],
        districts=["Lahore", "Lahore", "Multan", None], amounts=["1500.50", None, "20", 5],
        phones=["0300-1234567; 0321-7654321", "+923001234567", "0321 7654321", ["0321 7654321"]])
    (c,) = cluster(rows)
    assert c.complaints == ("K1", "K2", "K4", "K3")  # time order; no time last
    assert c.first_time == 1_709_265_600 and c.last_time == 1_709_500_000 and c.times[-1] is None
    assert c.districts == {"Lahore": 2, "Multan": 1} and c.total_lost == pytest.approx(1525.5)
    assert c.id == campaign_id(["K1"])
    with pytest.raises(ValueError, match="not in campaign"):
        c.why("K1", "nope")
    with pytest.raises(ValueError, match="unique"):
        cluster([ComplaintRow("A", 1), ComplaintRow("A", 2)])
    with pytest.raises(ValueError, match="items for 1 complaint"):
        complaints_from_arrays(["A"], [1, 2])
    assert cluster([]) == []


def test_rows_from_the_gates_frame():
    # schema_table's shape: unique_id, source_dataset, record_id and one column per property.
    df = pd.DataFrame({"unique_id": ["e1", "e2", "e3"], "source_dataset": ["fia"] * 3, "record_id": ["1", "2", "3"],
                       "complaintNumber": ["CC-1", None, "CC-3"],
                       "reportedAt": ["2024-01-01T10:00:00+05:00", "2024-01-02T10:00:00+05:00", "2024-01-03"],
                       "district": ["Lahore", None, "Multan"], "amountLost": ["1500.00", None, "20"],
                       "suspectPhone": ["+923001234567", None, None], "suspectIban": [None, None, None],
                       "suspectUrl": [None, "https://offer-1.com.pk/a", "http://www.offer-1.com.pk/b"]})
    rows = complaints_from_frame(df)
    assert [r.complaint_id for r in rows] == ["CC-1", "e2", "CC-3"]
    assert rows[0].time == 1_704_085_200 and rows[0].amount_lost == 1500.0 and rows[1].district == ""
    assert [sorted(c.complaints) for c in cluster(rows)] == [["CC-3", "e2"]]
    with pytest.raises(ValueError, match="reportedAt"):
        complaints_from_frame(df.drop(columns=["reportedAt"]))


def test_linked_transactions_and_mule_candidates():
    con = connect()
    tx = [("T1", 0, "PKV1", "PKS", 100.0, "ibft"),  # victim pays the scam account
          ("T2", DAY, "PKS", "PKM1", 90.0, "ibft"),  # sent on within a day: mule candidate
          ("T3", 9 * DAY, "PKS", "PKM2", 5.0, "ibft"),  # 8 days after the last arrival: not
          ("T4", 2 * DAY, "PKS", None, 3.0, "atm"),  # cash out
          ("T5", 3 * DAY, "PKX", "PKY", 7.0, "ibft"),  # unrelated
          ("T6", DAY, "PKV2", "PKS2", 50.0, "raast"),
          ("T7", DAY + 5, "PKS2", "PKS", 50.0, "raast"),  # between the campaign's own accounts
          ("T8", 2 * DAY, "PKS2", "PKM1", 20.0, "raast"),
          ("T9", 3 * DAY, "PKS", "PKM3", 10.0, "ibft")]
    con.executemany("INSERT INTO tx VALUES (?, ?, ?, ?, ?, ?)", tx)
    money = linked_transactions(con, ["PKS", "PKS2"])
    assert [t.tx_id for t in money.transactions] == ["T1", "T2", "T6", "T7", "T4", "T8", "T9", "T3"]
    assert money.total_in == 150.0 and money.total_out == 90.0 + 3.0 + 5.0 + 20.0 + 10.0
    assert [(m.iban, m.received, m.transfers, m.from_accounts) for m in money.mules] == [
        ("PKM1", 110.0, 2, ("PKS", "PKS2")), ("PKM3", 10.0, 1, ("PKS",))]
    # In the window only T7 arrives in PKS: T2 went out before it, T3 more than 7 days after it.
    window = linked_transactions(con, ["PKS"], between=(DAY + 1, 10 * DAY))
    assert [t.tx_id for t in window.transactions] == ["T7", "T4", "T9", "T3"]
    assert [m.iban for m in window.mules] == ["PKM3"]
    assert linked_transactions(con, []).transactions == ()
    with pytest.raises(ValueError, match="no tx table"):
        linked_transactions(duckdb.connect(), ["PKS"])


def planted(seed: int, n_campaigns: int = 40, noise: int = 400):
    """Campaigns whose complaints each name some of the campaign's values in different spellings,
    unrelated complaints with values of their own, and a helpline everyone mentions."""
    r = random.Random(seed)
    rows: list[ComplaintRow] = []
    truth: dict[str, int] = {}
    for c in range(n_campaigns):
        phone = f"03{c % 5}{c:08d}"[:11]
        iban = f"PK00TEST{c:016d}"
        for j in range(r.randint(2, 30)):
            cid = f"P{c:03d}-{j:02d}"
            spelled = (phone, "+92" + phone[1:], phone[:4] + "-" + phone[4:])[j % 3]
            both = r.random() < 0.5
            rows.append(ComplaintRow(cid, j, phones=(spelled, "021-111-111-425") if j % 2 else (spelled,),
                                     ibans=(iban.lower(),) if both else ()))
            truth[cid] = c
    for k in range(noise):
        rows.append(ComplaintRow(f"N{k:04d}", k, phones=(f"0345{k:07d}",), urls=("https://www.facebook.com/a",)))
    r.shuffle(rows)
    return rows, truth


def test_planted_campaigns_are_recovered():
    rows, truth = planted(3)
    found = cluster(rows)
    label = {cid: i for i, c in enumerate(found) for cid in c.complaints}
    ids = [r.complaint_id for r in rows]
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        same_truth = a in truth and b in truth and truth[a] == truth[b]
        same_found = a in label and b in label and label[a] == label[b]
        tp += same_truth and same_found
        fp += same_found and not same_truth
        fn += same_truth and not same_found
    # Every planted complaint names its campaign's phone: all are found, nothing else is joined.
    assert tp > 0 and fp == 0 and fn == 0
    assert len(found) == len(set(truth.values()))
