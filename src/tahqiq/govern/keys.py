"""The audit log's keys, kept under TAHQIQ_HOME/keys (directory 0700, files 0600).

audit-ed25519.pem   Ed25519 private key that signs tree heads and entries (created on first use)
audit-pepper.key    32 random bytes: the HMAC key for search values written to the audit log
audit-origin        the log's name in its checkpoints (c2sp.org/tlog-checkpoint), fixed on first use:
                    witnesses know the log by it, so it must never change (edit it before the first
                    `tahqiq audit publish` if the default, tahqiq.<host name>/audit, does not suit)

Several servers sharing one database must share these files. The public key is what an oversight
body or a court needs; export it with `tahqiq audit public-key`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tahqiq.config import private_dir, settings

SIGNING_KEY_FILE = "audit-ed25519.pem"
PEPPER_FILE = "audit-pepper.key"
ORIGIN_FILE = "audit-origin"


def keys_dir(home: Path | None = None) -> Path:
    private_dir(home or settings().home)
    return private_dir((home or settings().home) / "keys")


def _create_exclusive(path: Path, data: bytes) -> None:
    """Write `data` to `path` only if it does not exist yet (atomic against a concurrent creator)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process won the race; then we use theirs
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def load_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    """The key in `path`, created with `make` (owner-only, exclusively) when it does not exist yet."""
    if not path.exists():
        _create_exclusive(path, make())
    return path.read_bytes()


def public_key_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, hex: how tree heads name the key that signed them."""
    return hashlib.sha256(public_key_raw(public_key)).hexdigest()


def load_public_key(pem: bytes | str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


@dataclass(frozen=True)
class Signer:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    @classmethod
    def generate(cls) -> Signer:
        return cls(Ed25519PrivateKey.generate())


def verify_signature(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
        return True
    except InvalidSignature:
        return False


def load_or_create_ed25519(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in `path` (PEM), generated (mode 0600) the first time it is needed."""

    def make() -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    key = serialization.load_pem_private_key(load_or_create(path, make), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_signer(home: Path | None = None) -> Signer:
    """The audit signing key, created (mode 0600) the first time it is needed."""
    return Signer(load_or_create_ed25519(keys_dir(home) / SIGNING_KEY_FILE))


def default_name(role: str) -> str:
    """`tahqiq.<host name>/<role>`: a stable, schema-less name for a key in checkpoints."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"
    return f"tahqiq.{host}/{role}"


def load_origin(home: Path | None = None) -> str:
    """The log's origin line (its name in checkpoints), fixed in the key directory on first use."""
    origin = load_or_create(keys_dir(home) / ORIGIN_FILE, lambda: default_name("audit").encode() + b"\n")
    name = origin.decode().strip()
    if not name or any(c.isspace() or c == "+" for c in name):
        raise ValueError(f"{keys_dir(home) / ORIGIN_FILE}: the origin {name!r} may contain no spaces or '+'")
    return name


def load_pepper(home: Path | None = None) -> bytes:
    return load_or_create(keys_dir(home) / PEPPER_FILE, lambda: secrets.token_bytes(32))


def value_digest(pepper: bytes, prop: str, value: str) -> str:
    """Keyed hash of a searched value: the audit log can show *that* a CNIC was searched, and an
    auditor who is given the CNIC can find those searches, without the log holding the CNIC."""
    return hmac.new(pepper, f"{prop}\x00{value}".encode(), hashlib.sha256).hexdigest()[:32]
