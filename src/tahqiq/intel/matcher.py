"""The compiled indicator matcher: every indicator in memory, indexed for the lookups logs need.

    matcher = IndicatorMatcher.build(indicators, exclude=false_positive_ids)
    matcher.match("ip", "10.1.2.3", at=event_time, field="src_ip")   # list[IndicatorHit]
    matcher.match_many("domain", names)                              # indicator ids per name (the fast path)
    matcher.match_fields(event)                                      # every field, kinds guessed
    matcher.match_observation({"file:hashes.'SHA-256'": "…"})        # STIX patterns too

Layout, chosen for about a million lookups a second on one core:
  exact values    one dict per kind family (hashes of every length share one; lengths differ)
  domains         a dict; a name is looked up with each of its parent names, so "evil.com" matches
                  "a.evil.com" (a label boundary) and never "notevil.com"
  IP addresses    addresses and networks together as intervals. CIDR blocks nest or are disjoint, never
                  partly overlap, so the space cuts into elementary gaps each covered by one innermost
                  block; every block keeps the list of all indicators on its chain of enclosing blocks.
                  A lookup is one searchsorted (numpy, batched: uint32 for IPv4, 16-byte big-endian
                  strings for IPv6) and one list index, and reports nested networks all at once.
  patterns        simple ones ("any of these values") are indexed as values; the rest are compiled
                  predicates, tried only for observations holding one of the paths they read.

Revoked indicators and the excluded ids (false positives) are left out at build; validity windows are
kept per indicator and checked against the observation time at match, so an indicator stops matching
at its valid_until instant (exclusive; valid_from is inclusive) without a rebuild. When an id comes
more than once, its latest version (by `modified`) is the one used, so a revocation wins.

A long-running service that builds a large matcher should call gc.freeze() after the build: the
collector then stops walking the million long-lived objects on every cycle the batch results trigger.
"""

from __future__ import annotations

import socket
import time
from array import array
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial

import numpy as np

from tahqiq.intel.model import Indicator, IndicatorHit
from tahqiq.intel.observables import guess_kinds as _guess_kinds
from tahqiq.intel.observables import (
    hash_values,
    normalise,
    normalise_cidr,
    normalise_domain,
    normalise_ip,
    url_and_host,
)
from tahqiq.intel.patterns import CompiledPattern, PatternError, compile_pattern, normalise_observation, simple_atoms

__all__ = ["IndicatorMatcher"]

Positions = tuple[int, ...]   # indicator positions; tuples of ints, unlike lists, leave the GC's tracking
_EMPTY: Positions = ()
_INF = float("inf")
_TOP = {4: 1 << 32, 6: 1 << 128}
_pton4 = partial(socket.inet_pton, socket.AF_INET)
_pton6 = partial(socket.inet_pton, socket.AF_INET6)
_MAPPED_PREFIX = bytes(10) + b"\xff\xff"
_KIND_ALIASES = {"ipv4": "ip", "ipv6": "ip", "cidr": "ip", "md5": "hash", "sha1": "hash", "sha256": "hash",
                 "sha512": "hash"}
_HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_LOOKUP_KINDS = frozenset({"ip", "domain", "url", "hash", "email", "phone", "iban", "wallet"})
_OBSERVATION_KINDS = {"ipv4-addr:value": "ip", "ipv6-addr:value": "ip", "domain-name:value": "domain",
                      "url:value": "url", "email-addr:value": "email", "file:hashes.MD5": "hash",
                      "file:hashes.SHA-1": "hash", "file:hashes.SHA1": "hash", "file:hashes.SHA-256": "hash",
                      "file:hashes.SHA256": "hash", "file:hashes.SHA-512": "hash", "file:hashes.SHA512": "hash"}


def _epoch(value: datetime | float | int | None) -> float:
    if value is None:
        return time.time()
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return float(value)


def _bound(value: datetime | None, default: float) -> float:
    if value is None:
        return default
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


class _Ranges:
    """IP addresses and networks of one version as elementary gaps over a sorted boundary array."""

    def __init__(self, entries: list[tuple[int, int, int]], version: int) -> None:
        self.version = version
        groups: dict[tuple[int, int], list[int]] = {}
        for first, last, index in entries:
            groups.setdefault((first, last), []).append(index)
        keys = sorted(groups, key=lambda k: (k[0], -k[1]))
        top = _TOP[version]
        self.chains: list[Positions] = [_EMPTY]     # node 0: no indicator covers the gap
        stack: list[tuple[int, int]] = []           # (last address, node) of the enclosing blocks
        for node, (first, last) in enumerate(keys, 1):
            while stack and stack[-1][0] < first:
                stack.pop()
            self.chains.append(tuple(groups[(first, last)]) + (self.chains[stack[-1][1]] if stack else ()))
            stack.append((last, node))
        cuts = {0}
        for first, last in keys:
            cuts.add(first)
            if last + 1 < top:
                cuts.add(last + 1)
        bounds = sorted(cuts)
        self.bounds = self._array(bounds)
        # single lookups bisect a plain sequence (a numpy call per value costs more than the search)
        self.plain: Sequence[int] = array("I", bounds) if version == 4 else bounds
        gap_node = np.zeros(len(bounds), dtype=np.int32)
        position = {b: i for i, b in enumerate(bounds)}
        # Outer blocks first, so inner ones paint over them.
        for node in sorted(range(1, len(keys) + 1), key=lambda n: keys[n - 1][0] - keys[n - 1][1]):
            first, last = keys[node - 1]
            lo = position[first]
            hi = position[last + 1] if last + 1 < top else len(bounds)
            if hi == lo + 1:
                gap_node[lo] = node
            else:
                gap_node[lo:hi] = node
        self.gap_node = gap_node

    def _array(self, numbers: Sequence[int]) -> np.ndarray:
        if self.version == 4:
            return np.array(numbers, dtype=np.uint32)
        return np.array([n.to_bytes(16, "big") for n in numbers], dtype="S16")

    def __len__(self) -> int:
        return len(self.chains) - 1

    def lookup(self, queries: np.ndarray) -> list[Positions]:
        """Positions per query; only the covered ones cost a Python step."""
        nodes = self.gap_node[np.searchsorted(self.bounds, queries, side="right") - 1]
        found = [_EMPTY] * len(nodes)
        covered = np.flatnonzero(nodes)
        chains = self.chains
        for at, node in zip(covered.tolist(), nodes[covered].tolist(), strict=True):
            found[at] = chains[node]
        return found

    def one(self, number: int) -> Positions:
        return self.chains[int(self.gap_node[bisect_right(self.plain, number) - 1])]


class IndicatorMatcher:
    """Indicators compiled for matching; build with `IndicatorMatcher.build`."""

    def __init__(self) -> None:
        self._indicators: list[Indicator] = []
        self._ids: list[str] = []
        self._from: list[float] = []
        self._until: list[float] = []
        self._position: dict[str, int] = {}
        self._exact: dict[str, dict[str, Positions]] = {k: {} for k in ("url", "hash", "email", "phone", "iban",
                                                                         "wallet")}
        self._domains: dict[str, Positions] = {}
        self._tails: set[str] = set()            # last two labels of every indicator domain: a cheap first test
        self._single_label = False                # an indicator on a top-level name ("zip") disables that test
        self._repeats = False                     # a pattern indexed under several values may hit twice
        self._v4_entries: list[tuple[int, int, int]] = []
        self._v6_entries: list[tuple[int, int, int]] = []
        self._v4 = _Ranges([], 4)
        self._v6 = _Ranges([], 6)
        self._compiled: list[tuple[int, CompiledPattern]] = []
        self._by_path: dict[str, list[int]] = {}
        self._counts: dict[str, int] = {}
        self._dropped = {"revoked": 0, "excluded": 0, "superseded": 0, "rejected": 0}
        self._build_seconds = 0.0

    # --- build -------------------------------------------------------------------------------------
    @classmethod
    def build(cls, indicators: Iterable[Indicator], *, exclude: Collection[str] = ()) -> IndicatorMatcher:
        started = time.perf_counter()
        matcher = cls()
        latest: dict[str, Indicator] = {}
        for ind in indicators:
            prev = latest.get(ind.id)
            if prev is not None:
                matcher._dropped["superseded"] += 1
                if (ind.modified or datetime.min.replace(tzinfo=UTC)) < (prev.modified or
                                                                          datetime.min.replace(tzinfo=UTC)):
                    continue
            latest[ind.id] = ind
        excluded = set(exclude)
        for ind in latest.values():
            if ind.revoked:
                matcher._dropped["revoked"] += 1
            elif ind.id in excluded:
                matcher._dropped["excluded"] += 1
            else:
                matcher._add(ind)
        matcher._v4 = _Ranges(matcher._v4_entries, 4)
        matcher._v6 = _Ranges(matcher._v6_entries, 6)
        matcher._v4_entries, matcher._v6_entries = [], []
        matcher._build_seconds = time.perf_counter() - started
        return matcher

    def _add(self, ind: Indicator) -> None:
        index = len(self._ids)
        self._indicators.append(ind)
        self._ids.append(ind.id)
        self._from.append(_bound(ind.valid_from, -_INF))
        self._until.append(_bound(ind.valid_until, _INF))
        self._position[ind.id] = index
        if ind.kind == "pattern":
            atoms = simple_atoms(ind.pattern)
            if atoms is not None:
                self._repeats = self._repeats or len(atoms) > 1
                ok = [self._index(kind, value, index) for kind, value in atoms]
                indexed = any(ok)
            else:
                try:
                    compiled = compile_pattern(ind.pattern)
                except PatternError:
                    indexed = False
                else:
                    slot = len(self._compiled)
                    self._compiled.append((index, compiled))
                    for path in compiled.paths:
                        self._by_path.setdefault(path, []).append(slot)
                    indexed = True
        else:
            indexed = self._index(ind.kind, ind.value, index)
        if indexed:
            self._counts[ind.kind] = self._counts.get(ind.kind, 0) + 1
        else:
            self._dropped["rejected"] += 1

    def _index(self, kind: str, value: str, index: int) -> bool:
        if kind in ("ipv4", "ipv6", "cidr"):
            net = normalise_cidr(value)
            if net is None:
                return False
            _, version, first, last = net
            (self._v4_entries if version == 4 else self._v6_entries).append((first, last, index))
            if version == 6 and first <= 0xFFFF00000000 and last >= 0xFFFFFFFFFFFF:
                self._v4_entries.append((0, 0xFFFFFFFF, index))   # it holds every IPv4-mapped address
            return True
        if kind == "domain":
            domain = normalise_domain(value)
            if domain is None:
                return False
            self._domains[domain] = self._domains.get(domain, ()) + (index,)
            cut = domain.rfind(".")
            if cut < 0:
                self._single_label = True
            else:
                self._tails.add(domain[domain.rfind(".", 0, cut) + 1:])
            return True
        family = _KIND_ALIASES.get(kind, kind)
        table = self._exact.get(family)
        key = normalise(kind, value) if table is not None else None
        if table is None or key is None:
            return False
        table[key] = table.get(key, ()) + (index,)
        return True

    # --- lookups returning indicator positions -------------------------------------------------------
    def _domain(self, name: str) -> Positions:
        table = self._domains
        hits = table.get(name, _EMPTY)
        cut = name.find(".")
        while cut >= 0:
            name = name[cut + 1:]
            more = table.get(name)
            if more:
                hits = more if not hits else hits + more
            cut = name.find(".")
        return hits

    def _ip(self, number: int, version: int) -> Positions:
        return (self._v4 if version == 4 else self._v6).one(number)

    def _host(self, host: str) -> tuple[Positions, str]:
        """(positions, host as normalised) for a URL's host: an address or a domain."""
        if host[-1].isdigit() or ":" in host:
            ip = normalise_ip(host)
            if ip is not None:
                return self._ip(ip[2], ip[1]), ip[0]
        return self._domain_hit(host), host

    def _domain_hit(self, name: str) -> Positions:
        """Positions for a normalised domain, after the cheap test on its last two labels."""
        cut = name.rfind(".")
        if cut >= 0 and name[name.rfind(".", 0, cut) + 1:] not in self._tails and not self._single_label:
            return _EMPTY
        return self._domain(name)

    def _lookup(self, kind: str, value: object) -> list[tuple[Positions, str]]:
        """(positions, the observed value as normalised) for one value; never raises on odd values."""
        if kind == "ip":
            if isinstance(value, str) and "," in value:                 # X-Forwarded-For: a, b
                return [hit for part in value.split(",") for hit in self._lookup("ip", part)]
            ip = normalise_ip(value)
            return [] if ip is None else [(self._ip(ip[2], ip[1]), ip[0])]
        if kind == "domain":
            domain = normalise_domain(value)
            return [] if domain is None else [(self._domain_hit(domain), domain)]
        if kind == "url":
            parts = url_and_host(value)
            if parts is None:
                return []
            return [(self._exact["url"].get(parts[0], _EMPTY), parts[0]), self._host(parts[1])]
        if kind == "hash":
            table = self._exact["hash"]
            return [(table.get(digest, _EMPTY), digest) for _, digest in hash_values(value)]
        key = normalise(kind, value)
        return [] if key is None else [(self._exact[kind].get(key, _EMPTY), key)]

    def _valid(self, positions: Sequence[int], t: float) -> list[int]:
        vf, vu = self._from, self._until
        valid = [i for i in positions if vf[i] <= t < vu[i]]
        return list(dict.fromkeys(valid)) if len(valid) > 1 else valid

    # --- public matching -------------------------------------------------------------------------------
    def match(self, kind: str, value: str, *, at: datetime | float | None = None,
              field: str = "") -> list[IndicatorHit]:
        """Hits for one observed value of `kind` ("ip", "domain", "url", "hash", "email", "phone", "iban",
        "wallet"; an indicator kind such as "ipv4" or "sha256" is accepted too)."""
        family = _kind(kind)
        t = _epoch(at)
        hits: list[IndicatorHit] = []
        for positions, observed in self._lookup(family, value):
            if family == "hash" and kind != "hash" and _HASH_LENGTHS[kind] != len(observed):
                continue
            for i in self._valid(positions, t) if positions else ():
                hits.append(IndicatorHit(self._ids[i], self._indicators[i].kind, observed, field))
        return hits

    def match_many(self, kind: str, values: Sequence[str], *, at: datetime | float | None = None) -> list[list[str]]:
        """Indicator ids for each value, in order: the batch path for throughput."""
        family = _kind(kind)
        t = _epoch(at)
        found: list[Positions]
        if family == "ip":
            found = self._ip_many(values)
        elif family == "domain":
            found = self._domains_many(values)
        elif family == "url":
            found = self._urls_many(values)
        elif family == "hash":
            table = self._exact["hash"]
            digests = self._bulk_lower(values)
            if digests is not None:
                found = [table.get(v, _EMPTY) for v in digests]
            else:
                found = [tuple(i for p, _ in self._lookup("hash", v) for i in p) for v in values]
                digests = [v.strip().lower() if isinstance(v, str) else "" for v in values]
            if kind != "hash":                                        # md5, sha1…: that length only
                length = _HASH_LENGTHS[kind]
                found = [p if len(d) == length else _EMPTY for p, d in zip(found, digests, strict=True)]
        else:
            table = self._exact[family]
            found = [table.get(normalise(family, v) or "", _EMPTY) for v in values]
        ids, vf, vu = self._ids, self._from, self._until
        if self._repeats:
            return [[ids[i] for i in self._valid(p, t)] if p else [] for p in found]
        return [[ids[i] for i in p if vf[i] <= t < vu[i]] if p else [] for p in found]

    def _ip_many(self, values: Sequence[str]) -> list[Positions]:
        try:
            packed = b"".join(map(_pton4, values))                  # every value a plain IPv4 address
        except (OSError, TypeError, ValueError):
            pass
        else:
            return self._v4.lookup(np.frombuffer(packed, dtype=">u4").astype(np.uint32))
        found: list[Positions] = [_EMPTY] * len(values)
        v4_at: list[int] = []
        v4: list[int] = []
        v6_at: list[int] = []
        v6: list[bytes] = []
        for n, value in enumerate(values):
            try:
                if ":" in value:
                    packed = _pton6(value)
                    if packed[:12] != _MAPPED_PREFIX:
                        v6_at.append(n)
                        v6.append(packed)
                        continue
                    packed = packed[12:]
                else:
                    packed = _pton4(value)
                v4_at.append(n)
                v4.append(int.from_bytes(packed, "big"))
                continue
            except (OSError, TypeError, ValueError):
                pass
            ip = normalise_ip(value)
            if ip is None:
                continue
            if ip[1] == 4:
                v4_at.append(n)
                v4.append(ip[2])
            else:
                v6_at.append(n)
                v6.append(ip[2].to_bytes(16, "big"))
        if v4:
            for n, positions in zip(v4_at, self._v4.lookup(np.array(v4, dtype=np.uint32)), strict=True):
                found[n] = positions
        if v6:
            for n, positions in zip(v6_at, self._v6.lookup(np.array(v6, dtype="S16")), strict=True):
                found[n] = positions
        return found

    def _bulk_lower(self, values: Sequence[str]) -> list[str] | None:
        """The values lower-cased and trimmed in a few C calls, or None when they need one by one."""
        try:
            joined = "\n".join(values)
        except TypeError:
            return None
        if not values or not joined.isascii() or joined.count("\n") != len(values) - 1:
            return None
        joined = joined.lower()
        if " " in joined or "\t" in joined or ".\n" in joined or joined.endswith("."):
            return [v.strip().rstrip(".") for v in joined.split("\n")]
        return joined.split("\n")

    def _domains_many(self, values: Sequence[str]) -> list[Positions]:
        names = self._bulk_lower(values)
        if names is None or self._single_label:
            return [self._domain_hit(d) if (d := normalise_domain(v)) else _EMPTY for v in values]
        tails, checked = self._tails, self._domain_checked
        return [checked(name) if name[name.rfind(".", 0, name.rfind(".")) + 1:] in tails else _EMPTY
                for name in names]

    def _domain_checked(self, name: str) -> Positions:
        return self._domain(name) if normalise_domain(name) == name else _EMPTY

    def _urls_many(self, values: Sequence[str]) -> list[Positions]:
        urls = self._exact["url"]
        host_hits = self._host
        found: list[Positions] = []
        append = found.append
        for value in values:
            parts = url_and_host(value)
            if parts is None:
                append(_EMPTY)
                continue
            hits = urls.get(parts[0], _EMPTY)
            more = host_hits(parts[1])[0]
            append(more if not hits else hits + more if more else hits)
        return found

    def match_fields(self, fields: Mapping[str, object], *, at: datetime | float | None = None) -> list[IndicatorHit]:
        """Hits in one event's fields, each field's kinds guessed from its name or its value's shape."""
        hits: list[IndicatorHit] = []
        seen: set[tuple[str, str]] = set()
        for name, raw in fields.items():
            values = raw if isinstance(raw, list | tuple | set | frozenset) else (raw,)
            for value in values:
                if value is None or isinstance(value, bool):
                    continue
                if isinstance(value, int | float):
                    value = str(value)
                for kind in _guess_kinds(name, value):
                    for hit in self.match(kind, value, at=at, field=name):    # type: ignore[arg-type]
                        if (hit.indicator_id, name) not in seen:
                            seen.add((hit.indicator_id, name))
                            hits.append(hit)
        return hits

    def match_observation(self, observation: Mapping[str, object], *,
                          at: datetime | float | None = None) -> list[str]:
        """Ids of every indicator one STIX-shaped observation matches: the compiled patterns that hold for
        it, and the indexed values (plain indicators and simple patterns) its value paths hit."""
        obs = normalise_observation(observation)
        t = _epoch(at)
        positions: list[int] = []
        for key, observed in obs.items():
            family = _OBSERVATION_KINDS.get(key)
            if family is None:
                continue
            for value in observed if isinstance(observed, list | tuple) else (observed,):
                for found, _ in self._lookup(family, value):
                    positions.extend(found)
        slots: set[int] = set()
        for key in obs:
            slots.update(self._by_path.get(key, ()))
        for slot in sorted(slots):
            index, compiled = self._compiled[slot]
            if compiled(obs):
                positions.append(index)
        return [self._ids[i] for i in self._valid(positions, t)] if positions else []

    # --- about the matcher ------------------------------------------------------------------------------
    def get(self, indicator_id: str) -> Indicator | None:
        """The indicator behind a hit (its source and confidence are the alert's evidence)."""
        position = self._position.get(indicator_id)
        return None if position is None else self._indicators[position]

    def __len__(self) -> int:
        return sum(self._counts.values())

    def stats(self) -> dict[str, object]:
        return {
            "indicators": len(self), "by_kind": dict(sorted(self._counts.items())), "dropped": dict(self._dropped),
            "ipv4_blocks": len(self._v4), "ipv6_blocks": len(self._v6), "domains": len(self._domains),
            "exact_values": {k: len(v) for k, v in self._exact.items()}, "compiled_patterns": len(self._compiled),
            "build_seconds": round(self._build_seconds, 3),
        }


def _kind(kind: str) -> str:
    family = _KIND_ALIASES.get(kind, kind)
    if family not in _LOOKUP_KINDS:
        raise ValueError(f"cannot match values of kind {kind!r}")
    return family
