"""The laundering typologies and their look-alikes (built directly), and the world's scam campaigns."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

import numpy as np
import pytest

from tahqiq.generate import laundering as ml
from tahqiq.generate.campaigns import HUB_NUMBERS, build_complaints

from .shapes import assert_shape

WINDOW = ml.Window(date(2026, 6, 3), 120, 1_000_000_000)
PERSONAL = np.arange(5_000, dtype=np.int64)
FIRMS = np.arange(5_000, 5_200, dtype=np.int64)


def _launder(seed: int = 3, patterns: int = 80, scam: bool = False) -> ml.Batch:
    g = np.random.default_rng(seed)
    mules = g.choice(PERSONAL, size=300, replace=False)
    return ml.build_laundering(g, WINDOW, ml.Pools(mules, mules, mules), patterns=patterns, scam_fan_in=scam)


def _by_pattern(batch: ml.Batch) -> dict[int, list[int]]:
    f = batch.flows()
    out: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(f.pattern.tolist()):
        out[p].append(i)
    return out


def _txs(f: ml.Flows, rows: list[int]) -> list[tuple[str, str | None, str | None]]:
    """(time-sortable id, payer, payee) with None on the cash side, as the shape checker wants."""
    def side(a: int) -> str | None:
        return None if a == ml.CASH else str(a)
    return [(f"{f.ts[i]:012d}{i:06d}", side(int(f.payer[i])), side(int(f.payee[i]))) for i in rows]


@pytest.fixture(scope="module")
def batch() -> ml.Batch:
    return _launder()


def test_every_typology_is_built_with_its_shape(batch):
    f = batch.flows()
    assert {p.kind for p in batch.patterns} == set(ml.TYPOLOGIES)
    assert [p.kind for p in batch.patterns[:8]] == list(ml.TYPOLOGIES)
    for pid, rows in _by_pattern(batch).items():
        assert_shape(batch.patterns[pid].kind, _txs(f, rows))


def test_pattern_records_match_their_transfers(batch):
    f = batch.flows()
    for pid, rows in _by_pattern(batch).items():
        p = batch.patterns[pid]
        touched = {int(a) for i in rows for a in (f.payer[i], f.payee[i]) if a != ml.CASH}
        assert set(p.accounts) == touched and len(p.accounts) == len(touched)
        assert p.n_tx == len(rows)
        assert (p.first_ts, p.last_ts) == (int(f.ts[rows].min()), int(f.ts[rows].max()))
        assert WINDOW.start <= p.first_ts and p.last_ts <= WINDOW.end
    assert batch.n_tx == len(f.ts) == sum(p.n_tx for p in batch.patterns)


def test_spans_delays_fees_and_structuring(batch):
    f = batch.flows()
    spans = np.array([p.last_ts - p.first_ts for p in batch.patterns])
    assert spans.min() < 12 * ml.HOUR and spans.max() > 7 * ml.DAY  # hours to weeks
    kept = []
    for pid, rows in _by_pattern(batch).items():
        kind = batch.patterns[pid].kind
        amt, payer, payee = f.amount[rows], f.payer[rows], f.payee[rows]
        if kind == "cycle":  # end to end (all the way round), the ring keeps 80..98% of the money moving
            hop = (amt[-1] / amt[0]) ** (1 / (len(rows) - 1))
            kept.append(hop ** len(rows))
        elif kind == "scatter_gather":
            src = batch.patterns[pid].accounts[0]
            kept.append(amt[payer != src].sum() / amt[payer == src].sum())
        elif kind == "fan_in":
            collector = batch.patterns[pid].accounts[0]
            kept.append(amt[payer == collector].sum() / amt[payee == collector].sum())
    kept_a = np.array(kept)
    assert kept_a.size and (kept_a > 0.79).all() and (kept_a < 0.99).all(), kept_a
    # some patterns keep every amount just under the reporting threshold
    under = [all(0.9 * ml.REPORTING_THRESHOLD <= a < ml.REPORTING_THRESHOLD for a in f.amount[rows][:3])
             for rows in _by_pattern(batch).values()]
    assert 0.1 < np.mean(under) < 0.6
    # money moves on after it arrives: a cycle's hops are hours to days apart
    for pid, rows in _by_pattern(batch).items():
        if batch.patterns[pid].kind == "cycle":
            gaps = np.diff(f.ts[rows])
            assert (gaps >= 1200).all() and (gaps <= 5 * ml.DAY).all()


def test_mules_are_reused_across_patterns(batch):
    seen = Counter(a for p in batch.patterns for a in set(p.accounts))
    assert sum(n >= 2 for n in seen.values()) >= 20


def test_scam_fan_in_is_small_sums_from_victims():
    b = _launder(seed=5, patterns=8, scam=True)
    f = b.flows()
    p = b.patterns[1]
    rows = [i for i in range(len(f.ts)) if f.pattern[i] == 1 and f.payee[i] == p.accounts[0]]
    assert p.kind == "fan_in" and len(rows) >= 6
    assert (f.amount[rows] >= 5_000).all() and (f.amount[rows] <= 500_000).all()


def test_same_seed_same_patterns_and_different_seed_differs():
    a, b, c = _launder(7, 20).flows(), _launder(7, 20).flows(), _launder(8, 20).flows()
    for x, y in zip((a.ts, a.payer, a.payee, a.amount, a.channel), (b.ts, b.payer, b.payee, b.amount, b.channel),
                    strict=True):
        assert np.array_equal(x, y)
    assert not np.array_equal(a.ts[:20], c.ts[:20])


def _days(ts: np.ndarray) -> list[date]:
    return [WINDOW.first_day + timedelta(days=int(t - WINDOW.start) // ml.DAY) for t in ts]


@pytest.fixture(scope="module")
def lookalikes() -> ml.Batch:
    counts = {"payroll": 6, "merchant": 6, "family_cycle": 6, "rent_split": 6}
    families = [np.array([10, 11, 12]), np.array([20, 21, 22, 23])]
    return ml.build_lookalikes(np.random.default_rng(2), WINDOW, counts, employers=FIRMS, merchants=FIRMS,
                               personal=PERSONAL, families=families)


def test_lookalikes_share_a_shape_but_not_the_details(lookalikes):
    f = lookalikes.flows()
    assert Counter(p.kind for p in lookalikes.patterns) == {k: 6 for k in ml.LOOKALIKES}
    for pid, rows in _by_pattern(lookalikes).items():
        p = lookalikes.patterns[pid]
        payer, payee, amt, ts = f.payer[rows], f.payee[rows], f.amount[rows], f.ts[rows]
        assert set(p.accounts) == set(payer.tolist()) | set(payee.tolist())
        if p.kind == "payroll":  # a fan-out that repeats on the same day of every month, same salaries
            assert set(payer.tolist()) == {p.accounts[0]} and len(set(payee.tolist())) >= 10
            days = _days(ts)
            assert len({d.day for d in days}) == 1 and len({(d.year, d.month) for d in days}) >= 3
            by_employee = defaultdict(list)
            for e, a in zip(payee.tolist(), amt.tolist(), strict=True):
                by_employee[e].append(a)
            same = [Counter(v).most_common(1)[0][1] >= len(v) - 1 for v in by_employee.values()]
            assert np.mean(same) > 0.9
        elif p.kind == "merchant":  # a fan-in of many small card/online payments
            assert set(payee.tolist()) == {p.accounts[0]} and len(set(payer.tolist())) >= 10
            assert set(f.channel[rows].tolist()) <= {ml.channel_code("pos"), ml.channel_code("online")}
            assert ts.max() - ts.min() <= 4 * ml.DAY and np.median(amt) < 20_000
        elif p.kind == "family_cycle":  # round sums going round relatives over weeks, no fee taken
            assert set(payer.tolist()) == set(payee.tolist()) and 3 <= len(set(payer.tolist())) <= 5
            assert (amt % 5000 == 0).all() and (np.diff(ts) >= 2 * ml.DAY).all()
        else:  # rent: 2..5 flatmates pay one landlord the same share every month
            assert set(payee.tolist()) == {p.accounts[0]} and 2 <= len(set(payer.tolist())) <= 5
            assert len(set(amt.tolist())) == 1 and len({(d.year, d.month) for d in _days(ts)}) >= 3
    families = [p.accounts for p in lookalikes.patterns if p.kind == "family_cycle"][:2]
    assert [set(a) for a in families] == [{10, 11, 12}, {20, 21, 22, 23}]


def test_bad_input_is_refused():
    g = np.random.default_rng(1)
    with pytest.raises(ValueError, match="mule"):
        ml.build_laundering(g, WINDOW, ml.Pools(PERSONAL[:5], PERSONAL[:5], PERSONAL[:5]), patterns=3)
    with pytest.raises(ValueError, match="look-alike kinds"):
        ml.build_lookalikes(g, WINDOW, {"salary": 1}, employers=FIRMS, merchants=FIRMS, personal=PERSONAL)


# --- the world generator: laundering, look-alikes and scam campaigns in the province ---------------

SUSPECT = ("suspect_phone", "suspect_iban", "suspect_url", "suspect_wallet", "suspect_device")


def test_world_has_lookalikes_in_its_transactions(truth, rows):
    assert {p["kind"] for p in truth["lookalikes"]} == set(ml.LOOKALIKES)
    edges = {(r["payer_iban"], r["payee_iban"]) for r in rows["transactions"]}
    for p in truth["lookalikes"]:
        centre, *rest = p["accounts"].split(";")
        if p["kind"] == "payroll":
            assert all((centre, e) in edges for e in rest)
        elif p["kind"] in ("merchant", "rent_split"):
            assert all((e, centre) in edges for e in rest)


def test_world_complaints_come_in_campaigns(truth, rows):
    complaints = {r["complaint_no"]: r for r in rows["cybercrime_complaints"]}
    campaign_of = {t["complaint_number"]: t["campaign_id"] for t in truth["campaigns"]}
    assert set(campaign_of) <= set(complaints) and len(set(campaign_of.values())) >= 3
    accounts_in_tx = {a for r in rows["transactions"] for a in (r["payer_iban"], r["payee_iban"]) if a}
    members: dict[str, list[dict]] = defaultdict(list)
    for no, cid in campaign_of.items():
        members[cid].append(complaints[no])
    for cid, cs in members.items():
        for c in cs:  # one or two identifiers each; an IBAN named is a mule account in the transactions
            assert 1 <= sum(bool(c[k]) for k in SUSPECT) <= 2, c
            if c["suspect_iban"]:
                assert c["suspect_iban"].replace(" ", "") in accounts_in_tx
        values = Counter(c[k] for c in cs for k in SUSPECT if c[k])
        assert values.most_common(1)[0][1] < len(cs), f"{cid}: one value names every complaint"
    # campaigns do not share identifiers, except the hubs
    owner: dict[str, set[str]] = defaultdict(set)
    for no, cid in campaign_of.items():
        for k in SUSPECT:
            if complaints[no][k] and complaints[no][k] not in HUB_NUMBERS:
                owner[complaints[no][k].replace(" ", "")].add(cid)
    assert all(len(v) == 1 for v in owner.values())
    assert len(complaints) > len(campaign_of)  # and noise complaints outside any campaign


def test_helpline_hubs_are_named_across_campaigns():
    from tahqiq.generate import finance, people
    from tahqiq.model.geography import geography

    pop = people.build_population(1500, 4, geography())
    fin = finance.build_finance(pop, 4, 1200)
    out = build_complaints(pop, fin.tx, fin.patterns, random.Random(1), 600)
    campaigns_naming = defaultdict(set)
    for c in out:
        if c.suspect_number:
            assert c.suspect_number in HUB_NUMBERS
            campaigns_naming[c.suspect_number].add(c.campaign)
    assert max(len(v) for v in campaigns_naming.values()) >= 5
    gang_phones = Counter(c.suspect_phone for c in out if c.suspect_phone >= 0 and c.campaign >= 0)
    assert gang_phones and max(gang_phones.values()) < 60  # no gang value is anywhere near as common
