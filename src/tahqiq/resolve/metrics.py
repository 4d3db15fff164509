"""Accuracy of a clustering against the truth: pairwise and B-cubed (cluster) precision and recall.

Pairwise counts every pair of records put together (a cluster of n holds n(n-1)/2 pairs), so a big
wrong cluster costs a lot; B-cubed averages, over records, how much of a record's cluster is right
(precision) and how much of its true group it found (recall). Both are reported; "F1" means the
pairwise F1 of the clusters, the usual figure for FEBRL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scores:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    b3_precision: float
    b3_recall: float
    b3_f1: float

    def lines(self) -> list[str]:
        return [
            f"records evaluated      {self.records:,}",
            f"true pairs             {self.true_pairs:,}",
            f"predicted pairs        {self.predicted_pairs:,}",
            f"correct pairs          {self.correct_pairs:,}",
            f"pairwise  precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}",
            f"cluster   precision {self.b3_precision:.4f}  recall {self.b3_recall:.4f}  F1 {self.b3_f1:.4f}  (B-cubed)",
        ]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def score(predicted: dict[str, str], truth: pd.Series) -> Scores:
    """`predicted`: record -> cluster id; `truth`: Series record -> true entity (NaN = unknown)."""
    truth = truth.dropna()
    df = pd.DataFrame({"truth": truth.to_numpy(), "pred": [predicted.get(u, f"solo:{u}") for u in truth.index]})
    both = df.groupby(["pred", "truth"]).size()
    pred_sizes = df.groupby("pred").size()
    true_sizes = df.groupby("truth").size()
    correct, pred_pairs, true_pairs = _pairs(both), _pairs(pred_sizes), _pairs(true_sizes)
    p = correct / pred_pairs if pred_pairs else 1.0
    r = correct / true_pairs if true_pairs else 1.0
    # B-cubed: for each record, |pred ∩ true| / |pred| and / |true|.
    inter = both.rename("n").reset_index()
    inter["ps"] = inter["pred"].map(pred_sizes)
    inter["ts"] = inter["truth"].map(true_sizes)
    n = len(df)
    b3p = float((inter["n"] * inter["n"] / inter["ps"]).sum() / n) if n else 1.0
    b3r = float((inter["n"] * inter["n"] / inter["ts"]).sum() / n) if n else 1.0
    return Scores(n, true_pairs, pred_pairs, correct, p, r, _f1(p, r), b3p, b3r, _f1(b3p, b3r))
