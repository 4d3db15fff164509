"""The shape each laundering typology must have, checked on one pattern's transactions.

A transaction here is (tx_id, payer, payee) with "" or None for the cash side; tx ids sort in time
order in both layouts. Shared by the world tests (test_truth) and the bank tests (test_bank).
"""

from __future__ import annotations

import collections

Tx = tuple[str, str | None, str | None]


def _chain(txs: list[Tx]) -> bool:
    """Each transfer is paid by the account the previous one paid into."""
    return all(b[1] == a[2] for a, b in zip(txs, txs[1:], strict=False))


def assert_shape(kind: str, txs: list[Tx]) -> None:
    txs = sorted(txs)
    transfers = [t for t in txs if t[1] and t[2]]
    cash = [t for t in txs if not (t[1] and t[2])]
    payers = {t[1] for t in transfers}
    payees = {t[2] for t in transfers}
    inflow = collections.Counter(t[2] for t in transfers)
    if kind == "fan_out":  # one source pays 5+ mules once each; mules then draw cash
        assert len(payers) == 1 and len(payees) == len(transfers) >= 5, txs
        assert all(t[1] in payees and not t[2] for t in cash), txs
    elif kind == "fan_in":  # 5+ payers into one collector, which then sends the money on
        collector, n_in = inflow.most_common(1)[0]
        incoming = [t for t in transfers if t[2] == collector]
        outgoing = [t for t in txs if t[1] == collector]
        assert n_in >= 5 and len({t[1] for t in incoming}) == n_in, txs
        assert outgoing and len(incoming) + len(outgoing) == len(txs), txs
        assert min(t[0] for t in outgoing) > max(t[0] for t in incoming), txs
    elif kind == "cycle":  # a ring: every account pays once and the money comes back to the start
        assert not cash and len(transfers) >= 3 and payers == payees and len(payers) == len(transfers), txs
        assert _chain(transfers) and transfers[-1][2] == transfers[0][1], txs
    elif kind == "scatter_gather":  # source -> 3+ mules -> one destination
        sources = payers - payees
        sinks = payees - payers
        assert len(sources) == 1 and len(sinks) == 1 and not cash, txs
        mids = payers & payees
        assert len(mids) >= 3 and len(transfers) == 2 * len(mids), txs
    elif kind == "gather_scatter":  # 3+ payers -> hub -> 3+ payees, out only after everything came in
        hub, n_in = inflow.most_common(1)[0]
        outgoing = [t for t in transfers if t[1] == hub]
        assert n_in >= 3 and len(outgoing) >= 3 and n_in + len(outgoing) == len(txs), txs
        assert min(t[0] for t in outgoing) > max(t[0] for t in transfers if t[2] == hub), txs
    elif kind == "bipartite":  # two disjoint groups, money only from the first to the second
        assert not cash and len(payers) >= 2 and len(payees) >= 2 and not payers & payees, txs
    elif kind == "stack":  # three layers: A -> B -> C
        a, b, c = payers - payees, payers & payees, payees - payers
        assert not cash and len(a) >= 2 and len(b) >= 2 and len(c) >= 2, txs
        assert all((t[1] in a and t[2] in b) or (t[1] in b and t[2] in c) for t in transfers), txs
    elif kind == "random":  # a walk: each hop starts where the last one ended, never straight back
        assert not cash and len(transfers) >= 4 and _chain(transfers), txs
        assert all(x[1] != y[2] for x, y in zip(transfers, transfers[1:], strict=False)), txs
    else:
        raise AssertionError(f"unknown typology {kind!r}")
