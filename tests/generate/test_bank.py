"""`generate_bank`: the bank layout, its ground truth, the HI/LI settings and unbiased mule selection."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from scipy.stats import chi2_contingency
from typer.testing import CliRunner

from tahqiq.cli import generate_cmds
from tahqiq.generate.bank import generate_bank
from tahqiq.generate.laundering import CHANNELS, LOOKALIKES, TYPOLOGIES
from tahqiq.generate.timefmt import PKT

from .shapes import assert_shape

ACCOUNTS, TRANSACTIONS, SEED = 20_000, 200_000, 11


@pytest.fixture(scope="module")
def banks(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for setting in ("HI", "LI"):
        out[setting] = tmp_path_factory.mktemp(f"bank-{setting}")
        generate_bank(out[setting], accounts=ACCOUNTS, transactions=TRANSACTIONS, seed=SEED, setting=setting,
                      progress=False)
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def hi(banks) -> dict:
    d = banks["HI"]
    return {"tx": pq.read_table(d / "transactions.parquet"), "accounts": pq.read_table(d / "accounts.parquet"),
            "laundering": _csv(d / "truth" / "laundering.csv"),
            "patterns": _csv(d / "truth" / "laundering_patterns.csv"),
            "lookalikes": _csv(d / "truth" / "lookalikes.csv"),
            "manifest": json.loads((d / "manifest.json").read_text("utf-8"))}


def test_files_follow_the_bank_layout(hi):
    tx, acc = hi["tx"], hi["accounts"]
    assert tx.schema == pa.schema([("tx_id", pa.string()), ("ts", pa.int64()), ("payer", pa.string()),
                                   ("payee", pa.string()), ("amount", pa.float64()), ("channel", pa.string())])
    assert acc.schema == pa.schema([("iban", pa.string()), ("kind", pa.string()), ("holder_age", pa.int16()),
                                    ("holder_gender", pa.string()), ("district", pa.string())])
    assert tx.num_rows == TRANSACTIONS and acc.num_rows == ACCOUNTS
    ids = tx["tx_id"].to_pylist()
    assert ids[0] == "TX000000001" and ids == sorted(ids) and len(set(ids)) == TRANSACTIONS
    ts = tx["ts"].to_numpy()
    assert (np.diff(ts) >= 0).all()
    first = datetime.fromtimestamp(int(ts[0]), PKT)
    assert first.year == 2026 and first.month == 6
    assert set(tx["channel"].to_pylist()) <= set(CHANNELS)
    ibans = set(acc["iban"].to_pylist())
    payer, payee, channel = tx["payer"].to_pylist(), tx["payee"].to_pylist(), tx["channel"].to_pylist()
    assert {p for p in payer if p} <= ibans and {p for p in payee if p} <= ibans
    assert all(c == "branch" for p, c in zip(payer, channel, strict=True) if p is None)  # cash deposits
    assert all(c in ("atm", "branch") for p, c in zip(payee, channel, strict=True) if p is None)  # withdrawals
    assert not any(p is None and q is None for p, q in zip(payer, payee, strict=True))
    assert set(acc["kind"].to_pylist()) == {"personal", "business", "merchant", "employer"}
    assert (tx["amount"].to_numpy() > 0).all()


def test_every_typology_has_its_shape_and_the_truth_adds_up(hi):
    tx = hi["tx"]
    by_id = dict(zip(tx["tx_id"].to_pylist(), zip(tx["payer"].to_pylist(), tx["payee"].to_pylist(),
                                                   tx["ts"].to_pylist(), strict=True), strict=True))
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row in hi["laundering"]:
        payer, payee, _ts = by_id[row["transaction_id"]]
        groups[(row["pattern_id"], row["typology"])].append((row["transaction_id"], payer, payee))
    assert {kind for _pid, kind in groups} == set(TYPOLOGIES)
    listed = {p["pattern_id"]: p for p in hi["patterns"]}
    assert {pid for pid, _kind in groups} == set(listed)
    for (pid, kind), txs in groups.items():
        assert_shape(kind, txs)
        p = listed[pid]
        assert p["typology"] == kind and int(p["n_tx"]) == len(txs)
        assert {a for t in txs for a in t[1:] if a} == set(p["accounts"].split(";"))
        times = [by_id[t[0]][2] for t in txs]
        assert (int(p["first_ts"]), int(p["last_ts"])) == (min(times), max(times))
    m = hi["manifest"]
    assert m["kind"] == "bank" and m["setting"] == "HI" and m["seed"] == SEED
    assert m["illicit_transactions"] == len(hi["laundering"])
    assert m["patterns"] == {t: sum(p["typology"] == t for p in hi["patterns"]) for t in TYPOLOGIES}
    assert m["lookalikes"] == {k: sum(p["kind"] == k for p in hi["lookalikes"]) for k in LOOKALIKES}


def test_lookalikes_are_in_the_ledger_and_not_labelled(hi):
    tx = hi["tx"]
    payer, payee, ts = tx["payer"].to_pylist(), tx["payee"].to_pylist(), tx["ts"].to_numpy()
    kinds = {p["kind"] for p in hi["lookalikes"]}
    assert kinds == set(LOOKALIKES)
    illicit = {r["transaction_id"] for r in hi["laundering"]}
    ids = tx["tx_id"].to_pylist()
    edges: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (a, b) in enumerate(zip(payer, payee, strict=True)):
        if a and b:
            edges[(a, b)].append(i)
    for p in hi["lookalikes"]:
        accounts = p["accounts"].split(";")
        centre, rest = accounts[0], accounts[1:]
        lo, hi_ = int(p["first_ts"]), int(p["last_ts"])
        pairs = [(centre, r) if p["kind"] == "payroll" else (r, centre) for r in rest]
        if p["kind"] == "family_cycle":
            pairs = list(zip(accounts, accounts[1:] + accounts[:1], strict=True))
        rows = [i for e in pairs for i in edges.get(e, ()) if lo <= ts[i] <= hi_]
        assert len(rows) >= int(p["n_tx"]), p["pattern_id"]
        assert not illicit & {ids[i] for i in rows}
        if p["kind"] == "payroll":  # paid on the same day of each month
            days = {datetime.fromtimestamp(int(ts[i]), PKT).day for i in rows}
            assert len(days) == 1, p["pattern_id"]


def test_hi_has_more_illicit_than_li_at_the_aml_world_rates(banks):
    m = {s: json.loads((d / "manifest.json").read_text("utf-8")) for s, d in banks.items()}
    hi_rate = m["HI"]["illicit_transactions"] / TRANSACTIONS
    li_rate = m["LI"]["illicit_transactions"] / TRANSACTIONS
    assert hi_rate > 1.5 * li_rate
    assert 1 / 1300 < hi_rate < 1 / 800
    assert 1 / 2600 < li_rate < 1 / 1200


def _demographic_independence(acc: pa.Table, chosen: set[str]) -> float:
    """Smallest p-value of chi-square tests of gender, age band and district against being chosen,
    among personal accounts."""
    personal = [i for i, k in enumerate(acc["kind"].to_pylist()) if k == "personal"]
    iban = acc["iban"].to_pylist()
    picked = np.array([iban[i] in chosen for i in personal])
    gender = np.array(acc["holder_gender"].to_pylist())[personal]
    age = np.digitize(acc["holder_age"].to_numpy()[personal], [25, 35, 45, 60])
    district = np.array(acc["district"].to_pylist())[personal]
    big = {d for d in set(district) if (district == d).sum() >= 400}  # enough rows for chi-square's approximation
    district = np.where(np.isin(district, list(big)), district, "other")
    ps = []
    for attr in (gender, age, district):
        values = sorted(set(attr.tolist()))
        table = [[int(((attr == v) & picked).sum()) for v in values],
                 [int(((attr == v) & ~picked).sum()) for v in values]]
        ps.append(chi2_contingency(table)[1])
    return min(ps)


def test_mule_selection_is_independent_of_demographics(hi):
    acc = hi["accounts"]
    kind = dict(zip(acc["iban"].to_pylist(), acc["kind"].to_pylist(), strict=True))
    mules = {a for p in hi["patterns"] for a in p["accounts"].split(";") if kind[a] == "personal"}
    assert len(mules) >= 60
    assert _demographic_independence(acc, mules) > 0.001
    # The same test, on as many accounts, catches a selection that leans on demographics: men under
    # 35 only (what a stereotype would pick), and a 5:1 preference for them over everyone else.
    g = np.random.default_rng(0)
    iban = acc["iban"].to_pylist()
    personal = np.array([i for i, k in enumerate(acc["kind"].to_pylist()) if k == "personal"])
    young_men = (np.array(acc["holder_gender"].to_pylist())[personal] == "M") & (
        acc["holder_age"].to_numpy()[personal] < 35)
    for weight in (np.where(young_men, 1.0, 0.0), np.where(young_men, 5.0, 1.0)):
        biased = g.choice(personal, size=len(mules), replace=False, p=weight / weight.sum())
        assert _demographic_independence(acc, {iban[int(i)] for i in biased}) < 0.001


def _digests(d: Path) -> dict[str, str]:
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.rglob("*"))
            if p.is_file()}


def test_same_seed_gives_identical_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for d, seed in ((a, 5), (b, 5), (c, 6)):
        generate_bank(d, accounts=3_000, transactions=30_000, seed=seed, setting="LI", progress=False)
    assert _digests(a) == _digests(b)
    assert len(_digests(a)) == 6
    assert _digests(a)["transactions.parquet"] != _digests(c)["transactions.parquet"]


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match="setting"):
        generate_bank(tmp_path, accounts=5_000, transactions=50_000, seed=1, setting="MID", progress=False)
    with pytest.raises(ValueError, match="accounts"):
        generate_bank(tmp_path, accounts=10, transactions=50_000, seed=1, progress=False)
    with pytest.raises(ValueError, match="transactions"):
        generate_bank(tmp_path, accounts=5_000, transactions=50, seed=1, progress=False)


def test_cli_bank_subcommand_and_province_command_coexist(tmp_path):
    app = typer.Typer()
    generate_cmds.register(app)

    @app.command("noop", hidden=True)
    def noop() -> None:  # a second command keeps `generate` a subcommand
        pass

    runner = CliRunner()
    out = tmp_path / "bank"
    result = runner.invoke(app, ["generate", "bank", "--accounts", "2000", "--transactions", "20000", "--seed", "3",
                                 "--setting", "LI", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "illicit transactions" in result.output and "fan_out" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["setting"] == "LI" and manifest["transactions"] == 20_000
    assert not (tmp_path / "demo-data").exists() and not Path("demo-data/manifest.json").exists()
    result = runner.invoke(app, ["generate", "bank", "--setting", "XX", "--out", str(out)])
    assert result.exit_code != 0 and "HI or LI" in result.output
