"""An indicator's life: when it may match, and how much it is still worth.

An indicator matches only while it is active: not revoked by its producer, not marked a false
positive by an analyst, and inside its validity window (valid_from <= at < valid_until). Nothing has
to delete an expired indicator: `is_active` and `next_change` let a matcher drop it by itself and
know when to rebuild.

Confidence decays, because an indicator ages at the speed of the thing it names:

* with both valid_from and valid_until, the producer said how long it holds: the confidence falls
  linearly to 0 across that window;
* otherwise by a half-life per kind (`HALF_LIFE_DAYS`), counted from valid_from (else created,
  else modified). IP addresses churn fastest (cloud, dynamic and NAT addresses pass to someone else
  within weeks: 30 days); domains and URLs are taken down, sinkholed or expire over months (90
  days); phones, e-mail addresses and IBANs used for fraud are abandoned or frozen on a similar
  scale (90-180 days); a file hash names the same bytes forever and a wallet address is permanent
  on its chain, so they never decay (only revocation or a false-positive mark ends them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from tahqiq.intel.model import Indicator

__all__ = ["HALF_LIFE_DAYS", "decay_start", "effective_confidence", "is_active", "is_false_positive", "matchable",
           "next_change"]

HALF_LIFE_DAYS: dict[str, float | None] = {
    "ipv4": 30, "ipv6": 30, "cidr": 30, "domain": 90, "url": 90, "email": 90, "phone": 90, "iban": 180,
    "pattern": 90, "md5": None, "sha1": None, "sha256": None, "sha512": None, "wallet": None,
}


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def is_false_positive(ind: Indicator) -> bool:
    """Whether an analyst marked it a false positive (the store sets extra["false_positive"])."""
    return bool(ind.extra.get("false_positive"))


def is_active(ind: Indicator, at: datetime | None = None) -> bool:
    """Not revoked, not a false positive, and valid_from <= at < valid_until (an open end is open)."""
    now = _utc(at)
    if ind.revoked or is_false_positive(ind):
        return False
    if ind.valid_from is not None and _utc(ind.valid_from) > now:
        return False
    return ind.valid_until is None or now < _utc(ind.valid_until)


def decay_start(ind: Indicator) -> datetime | None:
    """The moment the decay is counted from: valid_from, else created, else modified."""
    start = ind.valid_from or ind.created or ind.modified
    return None if start is None else _utc(start)


def effective_confidence(ind: Indicator, at: datetime | None = None) -> float:
    """The confidence (0-100) the indicator still deserves at `at`; 0 when it is not active."""
    now = _utc(at)
    if not is_active(ind, now):
        return 0.0
    base = float(max(0, min(100, ind.confidence)))
    if ind.valid_from is not None and ind.valid_until is not None:
        start, end = _utc(ind.valid_from), _utc(ind.valid_until)
        span = (end - start).total_seconds()
        if span <= 0:
            return 0.0
        return base * max(0.0, min(1.0, 1 - (now - start).total_seconds() / span))
    half_life = HALF_LIFE_DAYS.get(ind.kind)
    began = decay_start(ind)
    if half_life is None or began is None or now <= began:
        return base
    age_days = (now - began).total_seconds() / 86400
    return base * 0.5 ** (age_days / half_life)


def matchable(indicators: Iterable[Indicator], at: datetime | None = None, *,
              min_confidence: float = 0.0) -> list[Indicator]:
    """The indicators a matcher built at `at` should hold: active, and (when asked) still worth at
    least `min_confidence` after decay."""
    now = _utc(at)
    return [i for i in indicators
            if is_active(i, now) and (min_confidence <= 0 or effective_confidence(i, now) >= min_confidence)]


def next_change(indicators: Iterable[Indicator], at: datetime | None = None) -> datetime | None:
    """The first moment after `at` when one of these indicators starts or stops being valid: when a
    matcher built now must be rebuilt (None: never, by time alone)."""
    now = _utc(at)
    moments = [_utc(t) for i in indicators if not i.revoked and not is_false_positive(i)
               for t in (i.valid_from, i.valid_until) if t is not None and _utc(t) > now]
    return min(moments) if moments else None

