"""Scam campaigns: complaints joined by the phones, IBANs, wallets, domains and devices they share.

Two complaints belong to one campaign when a chain of shared identifiers connects them. The work is
linear in the number of (complaint, value) mentions and never compares complaints pairwise (a
pairwise correlation table grows with the square of a popular value's complaints, which is how MISP's
reached hundreds of gigabytes):

1. every mention is brought to its canonical form (`values.canonical`) and the distinct values are
   numbered (`pandas.factorize`);
2. a value index keeps, for each value, the first complaint that names it; each other complaint
   naming the value gets one edge to that first complaint, so a value named by k complaints adds
   k - 1 edges, not k(k - 1)/2;
3. the connected components of those edges are the campaigns (`scipy.sparse.csgraph`'s union-find
   in C: over the 1M linking mentions of 1M complaints it took 0.13 s where a Python union-find with
   path compression and union by size took 1.3 s, `bench/bench_campaigns.py --compare-unionfind`).

Hubs do not link. A value named by more than `max_complaints_per_value` complaints, on the stop list
(big platforms' domains, link shorteners, banks' helplines) or an organisation's number (short codes
such as 15 and 1122, toll-free 0800 and 111 universal access numbers, which scammers spoof on caller
ID) is public knowledge rather than a scammer's tool: one bank helpline that a thousand victims
mention would otherwise merge every campaign that touched that bank into one. Campaigns still
report the hubs their complaints name.

A campaign is a lead for an analyst, not a finding about anyone: `why(a, b)` shows the values that
put two complaints together, so each join can be checked.
"""

from __future__ import annotations

import gc
import hashlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tahqiq.networks.complaints import ComplaintRow
from tahqiq.networks.values import DEFAULT_STOP_LIST, KINDS, canonical, is_public_number

__all__ = ["Campaign", "Link", "Step", "cluster", "campaign_accounts", "campaign_id",
           "MAX_COMPLAINTS_PER_VALUE"]

# Measured with bench/bench_campaigns.py --sweep (1M complaints, campaigns of up to 400): pairwise
# recall 0.60 at 50, 0.947 at 200, 0.986 at 500 and at 2,000 (precision 0.99 throughout); with no
# limit five popular values merged 234,000 complaints into one campaign (precision 0.0004).
MAX_COMPLAINTS_PER_VALUE = 500

_FIELDS = ("phones", "ibans", "wallets", "urls", "devices")  # in the order of values.KINDS


@dataclass(frozen=True)
class Link:
    """A value that joins complaints of a campaign, with the kinds it was named as (a mobile-wallet
    number is also a phone) and the complaints that name it."""

    value: str
    kinds: tuple[str, ...]
    complaints: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One hop of an explanation: `complaint` and `to` both name `value`."""

    complaint: str
    value: str
    to: str


@dataclass(frozen=True)
class Campaign:
    """Complaints joined by shared identifiers. `complaints` is in time order with `times` beside it
    (the timeline; a complaint without a time comes last with None); `districts` holds counts only;
    `values` maps kind -> value -> number of complaints naming it; `hubs` the hub values named and
    how many complaints name them; `links` the values that join, most shared first."""

    id: str
    complaints: tuple[str, ...]
    times: tuple[int | None, ...]
    first_time: int | None
    last_time: int | None
    districts: dict[str, int]
    total_lost: float
    values: dict[str, dict[str, int]]
    links: tuple[Link, ...]
    hubs: dict[str, int] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.complaints)

    def why(self, a: str, b: str) -> list[Step]:
        """The shortest chain of shared values from complaint `a` to complaint `b` ([] when a == b).
        Raises ValueError when either is not in this campaign."""
        for c in (a, b):
            if c not in self.complaints:
                raise ValueError(f"complaint {c!r} is not in campaign {self.id}")
        if a == b:
            return []
        values_of: dict[str, list[Link]] = {}
        for link in self.links:
            for c in link.complaints:
                values_of.setdefault(c, []).append(link)
        came_from: dict[str, Step | None] = {a: None}
        queue = deque([a])
        while queue:
            here = queue.popleft()
            for link in values_of.get(here, ()):
                for there in link.complaints:
                    if there not in came_from:
                        came_from[there] = Step(here, link.value, there)
                        if there == b:
                            return _path(came_from, b)
                        queue.append(there)
        raise ValueError(f"complaints {a!r} and {b!r} share no chain of values in campaign {self.id}")


def _path(came_from: dict[str, Step | None], end: str) -> list[Step]:
    steps: list[Step] = []
    step = came_from[end]
    while step is not None:
        steps.append(step)
        step = came_from[step.complaint]
    return steps[::-1]


def campaign_id(complaint_ids: Iterable[str]) -> str:
    """Stable across runs and inputs: derived from the campaign's smallest complaint id."""
    return "CMP-" + hashlib.sha256(min(complaint_ids).encode()).hexdigest()[:10]


def campaign_accounts(campaign: Campaign) -> list[str]:
    """The IBANs the campaign's complaints name (those that link and those named once), most named
    first; hub IBANs are left out."""
    named = campaign.values.get("iban", {})
    return sorted((v for v in named if v not in campaign.hubs), key=lambda v: (-named[v], v))


@dataclass
class _Mentions:
    """Every distinct (value, complaint, kind) mention, sorted by value then complaint."""

    value: np.ndarray  # value number
    row: np.ndarray  # complaint index
    kind: np.ndarray  # index into KINDS
    names: np.ndarray  # value number -> canonical string
    first: np.ndarray  # the complaint's first mention of the value (one complaint may name it as two kinds)


def _mentions(rows: Sequence[ComplaintRow]) -> _Mentions:
    row_parts: list[np.ndarray] = []
    kind_parts: list[np.ndarray] = []
    value_parts: list[np.ndarray] = []
    n = len(rows)
    for k, (kind_name, attr) in enumerate(zip(KINDS, _FIELDS, strict=True)):
        column = list(map(attrgetter(attr), rows))
        if str in set(map(type, column)):
            raise ValueError(f"ComplaintRow.{attr} must be a tuple of values, not a string")
        lengths = np.fromiter(map(len, column), dtype=np.int64, count=n)
        total = int(lengths.sum())
        if total == 0:
            continue
        idx = np.repeat(np.arange(n, dtype=np.int64), lengths)
        raw = np.fromiter(chain.from_iterable(column), dtype=object, count=total)
        # Normalise each distinct spelling once: far fewer calls than mentions.
        codes, spellings = pd.factorize(raw)
        canon = np.asarray([canonical(kind_name, s) for s in spellings], dtype=object)[codes]
        keep = canon != ""
        row_parts.append(idx[keep])
        kind_parts.append(np.full(int(keep.sum()), k, dtype=np.int64))
        value_parts.append(canon[keep])
    if not value_parts:
        empty = np.zeros(0, dtype=np.int64)
        return _Mentions(empty, empty, empty, np.zeros(0, dtype=object), np.zeros(0, dtype=bool))
    value, names = pd.factorize(np.concatenate(value_parts))
    row, kind = np.concatenate(row_parts), np.concatenate(kind_parts)
    key = (value.astype(np.int64) * max(len(rows), 1) + row) * len(KINDS) + kind
    key, _ = _counted(key)  # sorted by value, then complaint, then kind, without repeats
    kind = key % len(KINDS)
    row = (key // len(KINDS)) % max(len(rows), 1)
    value = key // len(KINDS) // max(len(rows), 1)
    first = np.r_[True, (value[1:] != value[:-1]) | (row[1:] != row[:-1])]
    return _Mentions(value, row, kind, np.asarray(names, dtype=object), first)


def cluster(rows: Sequence[ComplaintRow], *, min_complaints: int = 2,
            max_complaints_per_value: int = MAX_COMPLAINTS_PER_VALUE,
            stop: Iterable[str] = DEFAULT_STOP_LIST) -> list[Campaign]:
    """Campaigns of at least `min_complaints` complaints, largest first. `stop` holds canonical values
    that never link (see values.DEFAULT_STOP_LIST); a value named by more than
    `max_complaints_per_value` complaints does not link either."""
    if min_complaints < 1:
        raise ValueError("min_complaints must be at least 1")
    if max_complaints_per_value < 2:
        raise ValueError("max_complaints_per_value must be at least 2 (a value links two complaints)")
    n = len(rows)
    if n == 0:
        return []
    ids = [r.complaint_id for r in rows]
    if len(set(ids)) != n:
        raise ValueError("complaint ids must be unique")
    with _collector_paused():
        return _cluster(rows, ids, min_complaints, max_complaints_per_value, stop)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Clustering allocates millions of small objects that live until it returns; Python's cyclic
    collector would walk all of them again and again (a sixth of the time at 1M complaints)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _cluster(rows: Sequence[ComplaintRow], ids: list[str], min_complaints: int, max_complaints_per_value: int,
             stop: Iterable[str]) -> list[Campaign]:
    m = _mentions(rows)
    named_by = np.bincount(m.value[m.first], minlength=len(m.names))
    names = pd.Series(m.names, dtype=object)
    stopped = (names.isin(set(stop)) | names.map(is_public_number)).to_numpy(dtype=bool)
    hub = stopped | (named_by > max_complaints_per_value)
    links = m.first & ~hub[m.value] & (named_by[m.value] >= 2)
    labels = _components(len(rows), m.value[links], m.row[links])
    return _campaigns(rows, ids, m, hub, links, labels, min_complaints)


def _components(n: int, value: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Component label per complaint, from linking mentions sorted by value then complaint."""
    if len(value) == 0:
        return np.arange(n)
    # The value index: each value's first complaint (mentions are sorted, so its first mention).
    starts = np.r_[True, value[1:] != value[:-1]]
    first = row[starts][np.cumsum(starts) - 1]
    graph = coo_matrix((np.ones(len(row), dtype=np.int8), (row, first)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _campaigns(rows: Sequence[ComplaintRow], ids: list[str], m: _Mentions, hub: np.ndarray,
               links: np.ndarray, labels: np.ndarray, min_complaints: int) -> list[Campaign]:
    """The campaigns' facts, grouped with numpy so that Python touches each campaign's distinct
    values once rather than each mention."""
    sizes = np.bincount(labels)
    kept = np.flatnonzero(sizes >= min_complaints)
    if len(kept) == 0:
        return []
    n_campaigns, n_values = len(kept), len(m.names)
    campaign_of_label = np.full(len(sizes), -1, dtype=np.int64)
    campaign_of_label[kept] = np.arange(n_campaigns)
    campaign_of_row = campaign_of_label[labels]
    rows_in = np.flatnonzero(campaign_of_row >= 0)
    # The timeline: each campaign's complaints by time (unknown times last), equal times by id.
    times = [r.time for r in rows]
    unknown = np.iinfo(np.int64).max
    time_key = np.fromiter((unknown if t is None else t for t in times), dtype=np.int64, count=len(rows))
    members = rows_in[np.lexsort((time_key[rows_in], campaign_of_row[rows_in]))]
    _order_ties_by_id(members, campaign_of_row, time_key, ids)
    starts = np.r_[0, np.cumsum(sizes[kept])]
    position = np.empty(len(rows), dtype=np.int64)
    position[members] = np.arange(len(members))
    known = np.where(time_key == unknown, -1, time_key)
    last_known = np.maximum.reduceat(known[members], starts[:-1])
    lost = np.bincount(campaign_of_row[rows_in], weights=[rows[i].amount_lost for i in rows_in.tolist()],
                       minlength=n_campaigns)
    districts = _district_counts(rows, members, campaign_of_row)

    mc = campaign_of_row[m.row]
    inside = mc >= 0
    # Values by kind: mentions are distinct (value, complaint, kind), so a group's size is its complaints.
    key, count = _counted((mc[inside] * len(KINDS) + m.kind[inside]) * n_values + m.value[inside])
    value_groups = _slices(key // (len(KINDS) * n_values), n_campaigns)
    value_kind = ((key // n_values) % len(KINDS)).tolist()
    value_name = m.names[key % n_values].tolist()
    value_count = count.tolist()
    hub_rows = inside & hub[m.value] & m.first
    hub_key, hub_count = _counted(mc[hub_rows] * n_values + m.value[hub_rows])
    hub_groups = _slices(hub_key // n_values, n_campaigns)
    hub_name, hub_count_list = m.names[hub_key % n_values].tolist(), hub_count.tolist()
    # Links: each joining value's complaints, in the campaign's time order.
    linking = np.flatnonzero(inside & links)
    linking = linking[np.lexsort((position[m.row[linking]], m.value[linking], mc[linking]))]
    link_campaign, link_value = mc[linking], m.value[linking]
    link_start = np.flatnonzero(np.r_[True, (link_campaign[1:] != link_campaign[:-1])
                                      | (link_value[1:] != link_value[:-1])][:len(linking)])
    link_groups = _slices(link_campaign[link_start], n_campaigns)
    link_bounds = np.r_[link_start, len(linking)].tolist()
    link_name = m.names[link_value[link_start]].tolist()
    link_ids = [ids[i] for i in m.row[linking].tolist()]

    member_ids = [ids[i] for i in members.tolist()]
    member_times = [times[i] for i in members.tolist()]
    out: list[Campaign] = []
    for c in range(n_campaigns):
        lo, hi = int(starts[c]), int(starts[c + 1])
        values: dict[str, dict[str, int]] = {}
        kinds_of: dict[str, list[str]] = {}
        for j in range(*value_groups[c]):
            kind, name = KINDS[value_kind[j]], value_name[j]
            values.setdefault(kind, {})[name] = value_count[j]
            kinds_of.setdefault(name, []).append(kind)
        joined = [Link(link_name[j], tuple(kinds_of[link_name[j]]), tuple(link_ids[link_bounds[j]:link_bounds[j + 1]]))
                  for j in range(*link_groups[c])]
        joined.sort(key=lambda lk: (-len(lk.complaints), lk.value))
        first = member_times[lo]
        complaint_ids = tuple(member_ids[lo:hi])
        out.append(Campaign(
            id=campaign_id(complaint_ids),
            complaints=complaint_ids,
            times=tuple(member_times[lo:hi]),
            first_time=first,
            last_time=int(last_known[c]) if last_known[c] >= 0 else None,
            districts=districts[c],
            total_lost=float(lost[c]),
            values={k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in values.items()},
            links=tuple(joined),
            hubs=dict(sorted(((hub_name[j], hub_count_list[j]) for j in range(*hub_groups[c])),
                             key=lambda kv: (-kv[1], kv[0]))),
        ))
    out.sort(key=lambda cmp: (-cmp.size, cmp.first_time if cmp.first_time is not None else 0, cmp.id))
    return out


def _counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, sorted, and how often each occurs. np.unique does the same, but numpy 2's
    hashing path for it took 20 s on 3M random int64 keys where a sort takes 0.1 s."""
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]][:len(ordered)])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def _slices(group: np.ndarray, n: int) -> list[tuple[int, int]]:
    """(start, end) of each of n groups in a sorted array of group numbers."""
    bounds = np.searchsorted(group, np.arange(n + 1), side="left").tolist()
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _order_ties_by_id(members: np.ndarray, campaign: np.ndarray, time_key: np.ndarray, ids: list[str]) -> None:
    """Within runs of equal (campaign, time), put complaints in id order (in place), so the order does
    not depend on the order the rows came in. Runs are rare: times are in seconds."""
    c, t = campaign[members], time_key[members]
    same = (c[1:] == c[:-1]) & (t[1:] == t[:-1])
    if not same.any():
        return
    edges = np.flatnonzero(np.diff(np.r_[0, same.astype(np.int8), 0]))
    for lo, hi in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
        run = members[lo:hi + 1].tolist()
        members[lo:hi + 1] = sorted(run, key=ids.__getitem__)


def _district_counts(rows: Sequence[ComplaintRow], members: np.ndarray, campaign: np.ndarray) -> list[dict[str, int]]:
    """Per campaign: district -> number of its complaints, most first (aggregate counts only)."""
    names = [rows[i].district for i in members.tolist()]
    codes, districts = pd.factorize(np.asarray(names, dtype=object))
    key, count = _counted(campaign[members] * (len(districts) + 1) + codes)
    out: list[dict[str, int]] = [{} for _ in range(int(campaign.max()) + 1)]
    for k, n in zip(key.tolist(), count.tolist(), strict=True):
        name = districts[k % (len(districts) + 1)]
        if name:
            out[k // (len(districts) + 1)][name] = n
    return [dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))) for d in out]
