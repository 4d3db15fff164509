"""Complaints as the campaign clustering reads them: an id, a time, a district, the amount lost and the
identifiers the complainant names (as written; `cluster` brings each to its canonical form).

Built from the gate's bulk read (`reader.schema_table("Complaint", COMPLAINT_PROPS)`) or from plain
arrays. Only complaint identifiers are read: never the complainant's name, CNIC or phone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from tahqiq.model.types import PAKISTAN_TIME

__all__ = ["ComplaintRow", "COMPLAINT_PROPS", "complaints_from_frame", "complaints_from_arrays"]

# The Complaint properties the clustering reads, in schema.yml's names. suspectWallet and suspectDevice
# are read when the store has them (a frame without those columns gives no wallets or devices).
COMPLAINT_PROPS = ["complaintNumber", "reportedAt", "district", "amountLost", "suspectPhone", "suspectIban",
                   "suspectWallet", "suspectUrl", "suspectDevice"]

_FIELD_OF_PROP = {"suspectPhone": "phones", "suspectIban": "ibans", "suspectWallet": "wallets",
                  "suspectUrl": "urls", "suspectDevice": "devices"}


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    """One complaint. `time` is epoch seconds (None when the complaint has no readable time); `urls`
    may be full URLs or bare domains (campaigns link on the registrable domain)."""

    complaint_id: str
    time: int | None
    district: str = ""
    amount_lost: float = 0.0
    phones: tuple[str, ...] = ()
    ibans: tuple[str, ...] = ()
    wallets: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()


def _values(cell: object) -> tuple[str, ...]:
    """A cell's identifiers: none for a blank, several for a list or a string joined by ';'."""
    if cell is None:
        return ()
    if isinstance(cell, str):
        if ";" in cell:
            return tuple(p.strip() for p in cell.split(";") if p.strip())
        return (cell.strip(),) if cell.strip() else ()
    if isinstance(cell, float) and math.isnan(cell):
        return ()
    if isinstance(cell, Iterable):
        return tuple(v for c in cell for v in _values(c))
    return (str(cell),)


def _amount(cell: object) -> float:
    if cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell == "":
        return 0.0
    try:
        return float(str(cell).replace(",", ""))
    except ValueError:
        raise ValueError(f"amount lost {cell!r} is not a number") from None


def _epoch_second(value: object) -> int | None:
    """ISO-8601 text (a naive time is Pakistan time, as the model stores it), a datetime or epoch
    seconds; None for a missing or unreadable value."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return int(value)
    if isinstance(value, datetime):
        stamp = value
    else:
        try:
            stamp = datetime.fromisoformat(str(value).strip())
        except ValueError:
            return None
    return int((stamp if stamp.tzinfo else stamp.replace(tzinfo=PAKISTAN_TIME)).timestamp())


def complaints_from_arrays(ids: Sequence[str], times: Sequence[object], *,
                           districts: Sequence[object] | None = None, amounts: Sequence[object] | None = None,
                           phones: Sequence[object] | None = None, ibans: Sequence[object] | None = None,
                           wallets: Sequence[object] | None = None, urls: Sequence[object] | None = None,
                           devices: Sequence[object] | None = None) -> list[ComplaintRow]:
    """Rows from parallel sequences, one item per complaint. An identifier item may be None, a string
    (several joined by ';') or a list. Times as ISO-8601 text,
    datetimes or epoch seconds; an unreadable time becomes None."""
    n = len(ids)
    columns = {"districts": districts, "amounts": amounts, "phones": phones, "ibans": ibans,
               "wallets": wallets, "urls": urls, "devices": devices, "times": times}
    for label, column in columns.items():
        if column is not None and len(column) != n:
            raise ValueError(f"{label} has {len(column)} items for {n} complaint ids")
    none: list[object] = [None] * n
    epoch = [_epoch_second(t) for t in times]
    return [ComplaintRow(str(cid), t, "" if d is None or d != d else str(d), _amount(a),
                         _values(p), _values(i), _values(w), _values(u), _values(v))
            for cid, t, d, a, p, i, w, u, v in zip(
                ids, epoch, districts if districts is not None else none, amounts if amounts is not None else none,
                phones if phones is not None else none, ibans if ibans is not None else none,
                wallets if wallets is not None else none, urls if urls is not None else none,
                devices if devices is not None else none, strict=True)]


def complaints_from_frame(df: pd.DataFrame) -> list[ComplaintRow]:
    """Rows from `schema_table("Complaint", COMPLAINT_PROPS)` (or any frame with those columns). The
    complaint id is `complaintNumber`, or the entity's `unique_id` where a complaint has none."""
    if "complaintNumber" not in df.columns and "unique_id" not in df.columns:
        raise ValueError("a complaint frame needs a complaintNumber or a unique_id column")
    if "reportedAt" not in df.columns:
        raise ValueError("a complaint frame needs a reportedAt column (the complaint's time)")
    ids = df["complaintNumber"] if "complaintNumber" in df.columns else df["unique_id"]
    if "unique_id" in df.columns:
        ids = ids.where(ids.notna() & (ids.astype(str) != ""), df["unique_id"])
    if ids.isna().any():
        raise ValueError(f"{int(ids.isna().sum())} complaints have neither a complaintNumber nor a unique_id")

    def column(name: str) -> list[object] | None:
        return df[name].to_numpy(dtype=object, na_value=None).tolist() if name in df.columns else None

    identifiers = {field: column(prop) for prop, field in _FIELD_OF_PROP.items()}
    return complaints_from_arrays(ids.astype(str).tolist(), np.asarray(df["reportedAt"], dtype=object).tolist(),
                                  districts=column("district"), amounts=column("amountLost"), **identifiers)
