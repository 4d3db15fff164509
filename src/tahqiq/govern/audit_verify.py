"""Verifying the audit log from its stored entries alone: every leaf hash, every entry's signature,
every stored subtree hash, every signed tree head's root and signature, and the log's state. Names
the first bad entry: an edit, a deletion, an insertion or a reordering (`tahqiq audit verify`).

The stored data alone cannot reveal a cut tail: whoever deletes the newest entries, the heads above
them and rewrites the log's state leaves a shorter log that is consistent in itself. What reveals it
is a checkpoint held outside the database (a witness's, `Witnessed`): the log must still contain it,
i.e. have at least its size and, recomputed from the entries, the same root at that size."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, Row, select

from tahqiq.config import local_zone
from tahqiq.govern import merkle
from tahqiq.govern.audit_records import VerifyReport, entry_message, sth_message
from tahqiq.govern.keys import key_id, verify_signature
from tahqiq.govern.tables import AuditEntry, AuditState, TreeHead
from tahqiq.store.base import table_of

_entries = table_of(AuditEntry)
_state = table_of(AuditState)
_heads = table_of(TreeHead)


@dataclass(frozen=True)
class Witnessed:
    """A checkpoint a witness cosigned (its signatures already checked): what the log must contain."""

    size: int
    root: bytes
    witness: str
    timestamp: int  # the witness's cosignature time, POSIX seconds

    @property
    def seen(self) -> str:
        return datetime.fromtimestamp(self.timestamp, local_zone()).strftime("%Y-%m-%d %H:%M:%S %Z")


def verify_log(engine: Engine, keys: list[Ed25519PublicKey], batch: int = 5000,
               witnessed: Sequence[Witnessed] = ()) -> VerifyReport:
    """Recompute every leaf, subtree, root and signature from the stored entries; check that every
    witnessed checkpoint is still in the log."""
    by_id = {key_id(k): k for k in keys}
    by_size: dict[int, list[Witnessed]] = {}
    for w in witnessed:
        by_size.setdefault(w.size, []).append(w)
    report = VerifyReport()
    with engine.connect() as conn:
        heads = list(conn.execute(select(_heads).order_by(_heads.c.tree_size, _heads.c.id)))
        state = conn.execute(select(_state).where(_state.c.id == 1)).first()
        report.heads = len(heads)
        prev_ts = prev_size = -1
        for h in sorted(heads, key=lambda r: r.id):
            if h.tree_size < prev_size or h.timestamp_ms < prev_ts:
                report.bad(None, f"tree head #{h.id} (size {h.tree_size}) goes back in size or time")
            prev_size, prev_ts = h.tree_size, h.timestamp_ms
        head_i = 0
        frontier: list[bytes] = []
        pos = 0

        def check_heads(size: int) -> None:
            nonlocal head_i
            root = None
            for w in by_size.get(size, ()):
                root = root or merkle.frontier_root(frontier)
                if root != w.root:
                    report.bad(None, f"the log's first {size:,} entries are not the ones witness {w.witness} saw on "
                                     f"{w.seen}: the log was rewritten (a forked history)")
            while head_i < len(heads) and heads[head_i].tree_size == size:
                h = heads[head_i]
                root = root or merkle.frontier_root(frontier)
                key = by_id.get(h.key_id)
                msg = sth_message(h.tree_size, h.timestamp_ms, bytes.fromhex(h.root_hash))
                if key is None:
                    report.bad(None, f"tree head #{h.id} (size {size}) is signed by unknown key {h.key_id[:16]}")
                elif not verify_signature(key, bytes.fromhex(h.signature), msg):
                    report.bad(None, f"tree head #{h.id} (size {size}): signature invalid (head edited)")
                if h.root_hash != root.hex():
                    report.bad(
                        None,
                        f"tree head #{h.id} (size {size}): root does not match the entries "
                        f"(some entry before {size} was changed)",
                    )
                head_i += 1

        check_heads(0)
        last = -1
        while True:
            rows = conn.execute(
                select(_entries).where(_entries.c.seq > last).order_by(_entries.c.seq).limit(batch)
            ).all()
            if not rows:
                break
            for row in rows:
                _check_entry(row, pos, frontier, keys, report)
                pos += 1
                check_heads(pos)
            last = rows[-1].seq
        report.entries = pos
        for w in witnessed:
            if w.size > pos:
                report.bad(pos, f"the log has {pos:,} entries but witness {w.witness} saw {w.size:,} on {w.seen}: "
                                f"entries {pos:,}..{w.size - 1:,} were deleted (the tail was cut)")
        for h in heads[head_i:]:
            report.bad(pos, f"tree head #{h.id} covers {h.tree_size} entries but the log has only {pos}: "
                            f"entries {pos}..{h.tree_size - 1} were deleted")
        if state is not None:
            if state.size != pos:
                report.bad(min(state.size, pos), f"the log state records {state.size} entries but {pos} are stored")
            elif state.frontier != ",".join(f.hex() for f in frontier):
                report.bad(None, "the log state's frontier does not match the entries")
    return report


def _check_entry(row: Row[Any], pos: int, frontier: list[bytes], keys: list[Ed25519PublicKey],
                 report: VerifyReport) -> None:
    seq = row.seq
    if seq != pos:
        if seq > pos:
            report.bad(pos, f"entry {pos} is missing (deleted): the log jumps from {pos - 1} to {seq}")
        else:
            report.bad(seq, f"entry {seq} appears out of order")
    data = row.entry.encode()
    leaf = merkle.leaf_hash(data)
    try:
        body = json.loads(data)
    except ValueError:
        report.bad(seq, f"entry {seq}: content is not valid JSON (edited)")
        body = {}
    if body and body.get("seq") != seq:
        report.bad(seq, f"entry {seq}: its signed content says seq {body.get('seq')} (inserted or reordered)")
    if leaf.hex() != row.leaf_hash:
        report.bad(seq, f"entry {seq}: content does not match its leaf hash (edited)")
    if not any(verify_signature(k, bytes.fromhex(row.signature or "00"), entry_message(seq, leaf)) for k in keys):
        report.bad(seq, f"entry {seq}: signature invalid (edited, inserted or forged)")
    if body:
        columns = {
            "recorded_at": "time", "actor": "actor", "role": "role", "action": "action",
            "case_ref": "case", "decision": "decision", "target": "target",
        }
        for col, key in columns.items():
            if getattr(row, col) != body.get(key):
                report.bad(seq, f"entry {seq}: column {col}={getattr(row, col)!r} differs from the signed "
                                f"entry ({body.get(key)!r}) (edited)")
    completed = merkle.frontier_append(frontier, pos, leaf)
    if (row.nodes or "") != "".join(h.hex() for h in completed):
        report.bad(seq, f"entry {seq}: stored subtree hashes are wrong (edited)")


__all__ = ["Witnessed", "verify_log"]
