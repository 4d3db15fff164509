"""Checkpoints: the audit log's tree heads in the transparency-log convention, so that witnesses
and monitors outside Tahqiq can hold them (c2sp.org/signed-note, tlog-checkpoint, tlog-cosignature).

A signed note is a text ending in a newline, a blank line, and signature lines

    — <key name> base64(key ID (4 bytes) || signature)

Ed25519 (signature type 0x01) signs the text; the key ID is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || 32-byte public key). A checkpoint's text is three lines:
origin, tree size in decimal, base64 of the RFC 6962 root hash (then optional extension lines).
A witness's cosignature (type 0x04) is a note signature whose bytes are
key ID || uint64be(timestamp) || Ed25519 over "cosignature/v1\\ntime <timestamp>\\n" || text.

The audit log's hashing (merkle.py, RFC 9162 section 2.1) is RFC 6962's, so a checkpoint's root is
the same number the log's signed tree heads carry. This module is pure: no database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tahqiq.govern.keys import public_key_raw, verify_signature

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "— "  # U+2014 EM DASH, then a space
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16


class NoteError(ValueError):
    """A note, checkpoint or signature that is malformed or does not verify."""


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """The signed-note key ID: SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


def check_name(name: str) -> str:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")
    return name


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"

    @classmethod
    def parse(cls, line: str) -> NoteSignature:
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"not a signature line: {line[:40]!r}")
        name, sep, blob = line[len(SIGNATURE_PREFIX):].rstrip("\n").partition(" ")
        check_name(name)
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error:
            raise NoteError(f"signature of {name} is not base64") from None
        if not sep or len(raw) < 5:
            raise NoteError(f"signature of {name} is too short")
        return cls(name, raw[:4], raw[4:])


@dataclass(frozen=True)
class SignedNote:
    text: str
    signatures: tuple[NoteSignature, ...] = ()

    def serialize(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def with_signatures(self, extra: Iterable[NoteSignature]) -> SignedNote:
        return SignedNote(self.text, self.signatures + tuple(extra))

    @classmethod
    def parse(cls, note: str) -> SignedNote:
        """Split a note at its last blank line into the text and the signature lines."""
        if any(ord(c) < 0x20 and c != "\n" for c in note):
            raise NoteError("a note may contain no control characters other than newline")
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise NoteError("not a signed note (no blank line before the signatures, or no final newline)")
        text, sig_block = note[: split + 1], note[split + 2 :]
        lines = sig_block.splitlines(keepends=True)
        if not lines or len(lines) > MAX_SIGNATURES:
            raise NoteError(f"a note needs 1 to {MAX_SIGNATURES} signature lines, this one has {len(lines)}")
        return cls(text, tuple(NoteSignature.parse(line) for line in lines))


@dataclass(frozen=True)
class NoteKey:
    """A trusted key: its name, signature type and raw Ed25519 public key."""

    name: str
    sig_type: int
    public_key: Ed25519PublicKey

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.sig_type, public_key_raw(self.public_key))

    def vkey(self) -> str:
        """The verifier-key string of golang.org/x/mod/sumdb/note: name+hex(key ID)+base64(type||key)."""
        material = base64.b64encode(bytes([self.sig_type]) + public_key_raw(self.public_key)).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteKey:
        name, _, rest = vkey.strip().partition("+")
        hex_id, _, material = rest.partition("+")
        try:
            raw = base64.b64decode(material, validate=True)
            expected = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError):
            raise NoteError(f"not a verifier key: {vkey[:60]!r}") from None
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError("only Ed25519 (type 0x01) and cosignature/v1 (type 0x04) keys are supported")
        key = cls(check_name(name), raw[0], Ed25519PublicKey.from_public_bytes(raw[1:]))
        if key.key_id != expected:
            raise NoteError(f"verifier key {name}: key ID {hex_id} does not match its key")
        return key

    def matches(self, sig: NoteSignature) -> bool:
        return sig.name == self.name and sig.key_id == self.key_id


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> NoteSignature:
    """An Ed25519 (type 0x01) note signature over `text` by the key called `name`."""
    _check_text(text)
    kid = key_id(check_name(name), ED25519, public_key_raw(private_key.public_key()))
    return NoteSignature(name, kid, private_key.sign(text.encode()))


def verify_note(note: SignedNote, key: NoteKey) -> NoteSignature:
    """The signature by `key` on `note`; NoteError if there is none, or if it does not verify."""
    found = [s for s in note.signatures if key.matches(s)]
    if not found:
        raise NoteError(f"the note carries no signature by {key.name} (key ID {key.key_id.hex()})")
    for sig in found:  # a known key's failed signature rejects the whole note
        if key.sig_type == ED25519:
            ok = verify_signature(key.public_key, sig.signature, note.text.encode())
        else:
            ok = cosignature_time(note.text, sig, key) is not None
        if not ok:
            raise NoteError(f"the signature by {key.name} does not verify: the note was changed")
    return found[0]


def cosignature_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def cosign(text: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> NoteSignature:
    """A cosignature/v1 (type 0x04) over a checkpoint's text at `timestamp` (POSIX seconds)."""
    _check_text(text)
    if not 0 <= timestamp < 2**63:
        raise NoteError("cosignature timestamp out of range")
    kid = key_id(check_name(name), COSIGNATURE_V1, public_key_raw(private_key.public_key()))
    sig = private_key.sign(cosignature_message(text, timestamp))
    return NoteSignature(name, kid, struct.pack(">Q", timestamp) + sig)


def cosignature_time(text: str, sig: NoteSignature, key: NoteKey) -> int | None:
    """The timestamp of a valid cosignature by `key`, or None if it does not verify."""
    if not key.matches(sig) or len(sig.signature) != 8 + 64:
        return None
    (timestamp,) = struct.unpack(">Q", sig.signature[:8])
    ok = verify_signature(key.public_key, sig.signature[8:], cosignature_message(text, timestamp))
    return timestamp if ok else None


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = field(default=())

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise NoteError("a checkpoint is at least three non-empty lines, each ending in a newline")
        origin, size, root, *extensions = lines[:-1]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError(f"checkpoint tree size {size!r} is not a decimal without leading zeroes")
        try:
            digest = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("checkpoint root hash is not base64") from None
        if len(digest) != 32:
            raise NoteError("checkpoint root hash is not 32 bytes")
        return cls(origin, int(size), digest, tuple(extensions))


def open_checkpoint(note: str | SignedNote, log_key: NoteKey) -> tuple[Checkpoint, SignedNote]:
    """Parse a checkpoint note and check the log's signature on it (and that it is the log's)."""
    signed = note if isinstance(note, SignedNote) else SignedNote.parse(note)
    verify_note(signed, log_key)
    checkpoint = Checkpoint.parse(signed.text)
    if checkpoint.origin != log_key.name:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not the log's ({log_key.name!r})")
    return checkpoint, signed


def trusted_cosignatures(note: SignedNote, keys: Sequence[Ed25519PublicKey | NoteKey]) -> list[tuple[str, int]]:
    """(witness name, timestamp) of every valid cosignature by a trusted key. A bare public key (a
    PEM given without a name) trusts whatever name its key ID was derived from."""
    found = []
    for sig in note.signatures:
        for k in keys:
            key = k if isinstance(k, NoteKey) else NoteKey(sig.name, COSIGNATURE_V1, k)
            if key.sig_type != COSIGNATURE_V1 or not key.matches(sig):
                continue
            timestamp = cosignature_time(note.text, sig, key)
            if timestamp is None:
                raise NoteError(f"the cosignature by witness {sig.name} does not verify: the checkpoint was changed")
            found.append((sig.name, timestamp))
    return found


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text must end in a newline and contain no blank line or control character")


__all__ = ["COSIGNATURE_V1", "ED25519", "Checkpoint", "NoteError", "NoteKey", "NoteSignature", "SignedNote",
           "check_name", "cosign", "cosignature_message", "cosignature_time", "key_id", "open_checkpoint",
           "sign_note", "trusted_cosignatures", "verify_note"]
