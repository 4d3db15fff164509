"""A witness for the audit log (c2sp.org/tlog-witness): it keeps the newest checkpoint of the log it
has cosigned and cosigns a new one only if a consistency proof shows that the new one extends it.

It runs apart from Tahqiq's database and keys, ideally on an oversight body's machine: it is given
the log's origin and public key (trusted), and a state folder (0700) holding its own Ed25519 key
(generated on first run, 0600), its name, and the newest cosigned checkpoint. Once it has cosigned
a log of N entries, no log of fewer entries, and no other history of the first N, is ever cosigned
again: `tahqiq audit verify --witness` then exposes a cut tail or a rewritten log.

    state/witness-ed25519.pem   the witness's private key
    state/witness-name          its name in cosignatures (e.g. oversight.example/tahqiq-witness)
    state/checkpoint            the newest cosigned checkpoint: the log's signature and the witness's
    state/conflicts/            checkpoints the log signed that the witness could not reconcile with
                                the one it held (another root, a proof that fails): evidence
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tahqiq.config import private_dir
from tahqiq.govern import merkle
from tahqiq.govern.checkpoint import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    NoteError,
    NoteKey,
    SignedNote,
    check_name,
    cosign,
    open_checkpoint,
    trusted_cosignatures,
)
from tahqiq.govern.keys import default_name, load_or_create, load_or_create_ed25519

KEY_FILE = "witness-ed25519.pem"
NAME_FILE = "witness-name"
CHECKPOINT_FILE = "checkpoint"
MAX_PROOF_LINES = 63  # tlog-witness: a client sends at most 63 consistency proof lines


class WitnessError(Exception):
    """A refused add-checkpoint, with the HTTP status tlog-witness prescribes. `size` is the tree
    size the witness holds, sent back on a conflict (409) so the log can retry or see it is behind."""

    def __init__(self, status: int, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.size = size


@dataclass(frozen=True)
class AddCheckpoint:
    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note as sent

    def body(self) -> str:
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in self.proof)
        return f"old {self.old_size}\n{proof}\n{self.checkpoint}"

    @classmethod
    def parse(cls, body: str) -> AddCheckpoint:
        head, sep, note = body.partition("\n\n")
        lines = head.split("\n")
        if not sep or not lines[0].startswith("old "):
            raise WitnessError(400, "the body must be an 'old N' line, proof lines, a blank line and a checkpoint")
        size = lines[0][4:]
        if not size.isdigit() or (size != "0" and size.startswith("0")):
            raise WitnessError(400, f"old size {size!r} is not a decimal without leading zeroes")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise WitnessError(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
        try:
            proof = tuple(base64.b64decode(line, validate=True) for line in lines[1:])
        except binascii.Error:
            raise WitnessError(400, "a consistency proof line is not base64") from None
        if any(len(h) != 32 for h in proof):
            raise WitnessError(400, "a consistency proof hash is not 32 bytes")
        return cls(int(size), proof, note)


class Witness:
    def __init__(self, state: Path, origin: str, log_key: Ed25519PublicKey, name: str | None = None) -> None:
        self.state = private_dir(state)
        self.log_key = NoteKey(check_name(origin), ED25519, log_key)
        self.name, self._private = witness_identity(self.state, name)
        self.key = NoteKey(self.name, COSIGNATURE_V1, self._private.public_key())
        self._lock = threading.Lock()
        self.latest()  # refuse to start on a state that does not verify, rather than start afresh

    def latest(self) -> str | None:
        """The newest cosigned checkpoint (the log's signature and this witness's), or None."""
        return self._held()[1]

    def _held(self) -> tuple[Checkpoint | None, str | None]:
        path = self.state / CHECKPOINT_FILE
        if not path.exists():
            return None, None
        text = path.read_text(encoding="utf-8")
        try:
            checkpoint, note = open_checkpoint(text, self.log_key)
            if not trusted_cosignatures(note, [self.key]):
                raise NoteError("it carries no cosignature of this witness")
        except NoteError as exc:
            # Starting again from nothing would cosign a truncated log: a person must look.
            raise RuntimeError(f"{path} does not verify ({exc}); restore it from a backup") from None
        return checkpoint, text

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        # Checking the old size and storing the new checkpoint must be one step (tlog-witness),
        # across threads and across processes sharing this state folder.
        with self._lock, open(self.state / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str) -> str:
        """Cosign `note` if it extends the held checkpoint; returns the cosignature line."""
        try:
            signed = SignedNote.parse(note)
            checkpoint = Checkpoint.parse(signed.text)
        except NoteError as exc:
            raise WitnessError(400, f"malformed checkpoint: {exc}") from None
        if checkpoint.origin != self.log_key.name:
            raise WitnessError(404, f"this witness does not know the log {checkpoint.origin!r}")
        try:
            open_checkpoint(signed, self.log_key)
        except NoteError as exc:
            raise WitnessError(403, f"the checkpoint is not signed by the log's key: {exc}") from None
        if old_size > checkpoint.size:
            raise WitnessError(400, f"old size {old_size} is larger than the checkpoint's size {checkpoint.size}")
        with self._exclusive():
            held, _ = self._held()
            held_size = held.size if held else 0
            if old_size != held_size:
                raise WitnessError(409, f"this witness holds a checkpoint of size {held_size}, not {old_size}",
                                   held_size)
            held_root = held.root if held else merkle.EMPTY_ROOT
            if old_size == checkpoint.size:
                if checkpoint.root != held_root:
                    self._keep_conflict(signed)
                    raise WitnessError(409, f"a different root at size {held_size}: the log forked", held_size)
            elif old_size == 0:
                if proof:
                    raise WitnessError(422, "the consistency proof from size 0 must be empty")
            elif not merkle.verify_consistency(old_size, checkpoint.size, held_root, checkpoint.root, list(proof)):
                self._keep_conflict(signed)
                raise WitnessError(422, f"the checkpoint of size {checkpoint.size} does not extend the one of size "
                                        f"{old_size} this witness holds: the log's history was rewritten")
            log_signatures = tuple(s for s in signed.signatures if self.log_key.matches(s))
            cosignature = cosign(signed.text, self.name, self._private, int(time.time()))
            stored = SignedNote(signed.text, log_signatures + (cosignature,))
            write_atomically(self.state / CHECKPOINT_FILE, stored.serialize().encode())
        return cosignature.line()

    def _keep_conflict(self, note: SignedNote) -> None:
        """A checkpoint the log signed that contradicts the held one is proof of misbehaviour: keep it."""
        folder = private_dir(self.state / "conflicts")
        name = hashlib.sha256(note.serialize().encode()).hexdigest()[:16]
        write_atomically(folder / f"{int(time.time())}-{name}.checkpoint", note.serialize().encode())


def witness_identity(state: Path, name: str | None = None) -> tuple[str, Ed25519PrivateKey]:
    """The witness's name and private key, kept in `state` (created on first use, 0700/0600)."""
    private_dir(state)
    stored = load_or_create(state / NAME_FILE, lambda: (name or default_name("witness")).encode() + b"\n")
    fixed = check_name(stored.decode().strip())
    if name and name != fixed:
        raise ValueError(f"{state} belongs to witness {fixed!r}, not {name!r}: the cosignatures it handed out "
                         "carry that name")
    return fixed, load_or_create_ed25519(state / KEY_FILE)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old file or the new one, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut
    finally:
        os.close(folder)


__all__ = ["AddCheckpoint", "Witness", "WitnessError", "witness_identity", "write_atomically"]
