"""Merkle tree hashing and proofs exactly as RFC 9162 (Certificate Transparency 2.0) section 2.1.

    leaf hash  = SHA-256(0x00 || entry bytes)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()                        (the empty tree)

This is RFC 6962's tree, unchanged by RFC 9162: the same hashes, roots and consistency proofs (RFC
6962 2.1.2), which is what checkpoints and witnesses (c2sp.org/tlog-checkpoint, tlog-witness) assume.

Leaves are numbered from 0. A tree of size n splits at k, the largest power of two smaller than n,
so every left subtree is perfect. The log keeps a *frontier* (the roots of the perfect subtrees that
make up the tree, largest first), which makes an append O(log n), and it keeps the hash of every
perfect subtree, which makes any proof a handful of lookups.

This module is pure: no database, no Tahqiq imports.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- frontier (compact range [0, n)) ---------------------------------------------------------------


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[bytes]:
    """Add `leaf` as leaf number `size` to `frontier` (in place). Returns the perfect-subtree hashes
    completed by this append, from level 1 upwards (level L covers 2**L leaves ending at this leaf)."""
    completed: list[bytes] = []
    node = leaf
    n = size
    while n & 1:
        node = node_hash(frontier.pop(), node)
        completed.append(node)
        n >>= 1
    frontier.append(node)
    return completed


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree whose frontier this is."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for left in reversed(frontier[:-1]):
        root = node_hash(left, root)
    return root


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH over leaf hashes, streaming in O(log n) memory."""
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier_append(frontier, size, leaf)
    return frontier_root(frontier)


# --- subtrees and proofs ---------------------------------------------------------------------------


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def perfect_cover(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, index) that make up leaves [start, end), left to right.

    Every subtree RFC 9162 recursion visits starts on a boundary aligned to its own size, so this
    greedy cover reproduces its shape; its hash is the right fold of the covering hashes."""
    out: list[tuple[int, int]] = []
    while start < end:
        level = (start & -start).bit_length() - 1 if start else (end - start).bit_length() - 1
        while (1 << level) > end - start:
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


NodeGetter = Callable[[list[tuple[int, int]]], dict[tuple[int, int], bytes]]


def _range_hash(start: int, end: int, nodes: dict[tuple[int, int], bytes]) -> bytes:
    cover = perfect_cover(start, end)
    return frontier_root([nodes[c] for c in cover])


def _inclusion_ranges(m: int, start: int, end: int, out: list[tuple[int, int]]) -> None:
    # RFC 9162 2.1.3.1 PATH(m, D[start:end]), collecting the sibling ranges leaf-first.
    n = end - start
    if n == 1:
        return
    k = _largest_power_of_two_below(n)
    if m - start < k:
        _inclusion_ranges(m, start, start + k, out)
        out.append((start + k, end))
    else:
        _inclusion_ranges(m, start + k, end, out)
        out.append((start, start + k))


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    out: list[tuple[int, int]] = []
    _inclusion_ranges(index, 0, size, out)
    return out


def _consistency_ranges(m: int, start: int, end: int, whole: bool, out: list[tuple[int, int]]) -> None:
    # RFC 9162 2.1.4.1 SUBPROOF(m, D[start:end], b)
    n = end - start
    if m == n:
        if not whole:
            out.append((start, end))
        return
    k = _largest_power_of_two_below(n)
    if m <= k:
        _consistency_ranges(m, start, start + k, whole, out)
        out.append((start + k, end))
    else:
        _consistency_ranges(m - k, start + k, end, False, out)
        out.append((start, start + k))


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == new_size:
        return []
    out: list[tuple[int, int]] = []
    _consistency_ranges(old_size, 0, new_size, True, out)
    return out


def prove(ranges: list[tuple[int, int]], get_nodes: NodeGetter) -> list[bytes]:
    """Hashes of these leaf ranges, fetching all needed perfect subtrees in one call."""
    needed = sorted({c for a, b in ranges for c in perfect_cover(a, b)})
    nodes = get_nodes(needed)
    return [_range_hash(a, b, nodes) for a, b in ranges]


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2, written independently of the generators) --------


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ValueError("leaf index out of range")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ValueError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("inclusion proof too short")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    try:
        return root_from_inclusion_proof(index, size, leaf, path) == root
    except ValueError:
        return False


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    if old_size == new_size:
        return old_root == new_root and not proof
    if not 0 < old_size < new_size or not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def reference_root(leaves: Sequence[bytes]) -> bytes:
    """MTH by the RFC's recursive definition (slow; for tests)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = _largest_power_of_two_below(n)
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))
