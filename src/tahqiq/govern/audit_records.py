"""The audit log's shapes and signed formats: an entry as a record, a signed tree head, a
verification report, and the exact bytes that are hashed and signed (docs/governance.md)."""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tahqiq.govern.keys import key_id, verify_signature

ENTRY_PREFIX = b"tahqiq-entry-v1\x00"
STH_PREFIX = b"tahqiq-sth-v1\x00"
ENTRY_VERSION = 1


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_message(seq: int, leaf: bytes) -> bytes:
    return ENTRY_PREFIX + struct.pack(">Q", seq) + leaf


def sth_message(tree_size: int, timestamp_ms: int, root: bytes) -> bytes:
    return STH_PREFIX + struct.pack(">QQ", tree_size, timestamp_ms) + root


def iso_utc(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    time: str
    actor: str
    role: str | None
    action: str
    case: str | None
    purpose: str | None
    decision: str
    target: str | None
    detail: dict[str, Any]
    leaf_hash: str

    @classmethod
    def from_entry(cls, entry: str, leaf_hash: str) -> AuditRecord:
        e = json.loads(entry)
        return cls(
            e["seq"], e["time"], e["actor"], e.get("role"), e["action"], e.get("case"), e.get("purpose"),
            e["decision"], e.get("target"), e.get("detail") or {}, leaf_hash,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SignedTreeHead:
    tree_size: int
    root_hash: str
    timestamp_ms: int
    key_id: str
    signature: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["timestamp"] = iso_utc(datetime.fromtimestamp(self.timestamp_ms / 1000, UTC))
        d["signed_message"] = "b'tahqiq-sth-v1\\x00' || uint64be(tree_size) || uint64be(timestamp_ms) || root_hash"
        return d

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        return key_id(public_key) == self.key_id and verify_signature(
            public_key,
            bytes.fromhex(self.signature),
            sth_message(self.tree_size, self.timestamp_ms, bytes.fromhex(self.root_hash)),
        )


@dataclass
class VerifyReport:
    entries: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_entry: int | None = None
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad(self, seq: int | None, message: str) -> None:
        if seq is not None and (self.first_bad_entry is None or seq < self.first_bad_entry):
            self.first_bad_entry = seq
        if len(self.problems) < 100:
            self.problems.append(message)
        else:
            self.truncated = True


__all__ = ["ENTRY_PREFIX", "ENTRY_VERSION", "STH_PREFIX", "AuditRecord", "SignedTreeHead", "VerifyReport", "canonical",
           "entry_message", "iso_utc", "sth_message"]
