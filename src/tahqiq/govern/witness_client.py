"""The log's side of witnessing: publish checkpoints to witnesses (`tahqiq audit publish`) and fetch
the newest witnessed checkpoint to verify the log against (`tahqiq audit verify --witness`).

Publishing signs a tree head over the whole log (if entries arrived since the last one), turns it
into a checkpoint signed by the log's key, asks the witness which size it holds, proves consistency
from that size and submits (c2sp.org/tlog-witness). A witness that holds more entries than the log,
or another history of them, refuses: that refusal is the alarm this exists for. The cosigned
checkpoint is kept in TAHQIQ_HOME/keys/witnessed/ (outside the database).
"""

from __future__ import annotations

import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tahqiq.config import private_dir
from tahqiq.govern.audit_verify import Witnessed
from tahqiq.govern.auditlog import AuditLog
from tahqiq.govern.checkpoint import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteError,
    NoteKey,
    NoteSignature,
    SignedNote,
    open_checkpoint,
    trusted_cosignatures,
)
from tahqiq.govern.keys import keys_dir, load_public_key
from tahqiq.govern.witness import AddCheckpoint, write_atomically

TIMEOUT_S = 15.0
log = logging.getLogger("tahqiq.witness")
WitnessKey = Ed25519PublicKey | NoteKey


class PublishRefused(Exception):
    """The witness did not cosign; the message says why in words (truncation, fork, unreachable)."""


@dataclass(frozen=True)
class Published:
    url: str
    size: int
    witness: str
    cosigned: str  # the checkpoint with the log's signature and the witness's cosignature
    saved_to: Path


def load_witness_key(text: str) -> WitnessKey:
    """A witness's public key: a PEM (any name it signs under), or a verifier key
    `name+keyid+base64` of type 0x04 (that name only)."""
    if "BEGIN PUBLIC KEY" in text:
        return load_public_key(text)
    key = NoteKey.from_vkey(text)
    if key.sig_type != COSIGNATURE_V1:
        raise NoteError(f"{key.name}: a witness's verifier key has type 0x04 (cosignature/v1)")
    return key


def fetch(source: str) -> str | None:
    """The newest cosigned checkpoint from a witness URL (None if it holds none) or from a file."""
    if not re.match(r"https?://", source):
        return Path(source).read_text(encoding="utf-8")
    try:
        with urllib.request.urlopen(source.rstrip("/") + "/checkpoint", timeout=TIMEOUT_S) as resp:
            text: str = resp.read().decode("utf-8")
            return text
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise PublishRefused(f"witness {source} answered {exc.code}: {_body(exc)}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise PublishRefused(f"cannot reach witness {source}: {getattr(exc, 'reason', exc)}") from None


def witnessed(source: str, log_keys: Sequence[NoteKey], witness_keys: Sequence[WitnessKey]) -> Witnessed:
    """The newest checkpoint the witness cosigned, its log signature (by one of `log_keys`) and its
    cosignature (by one of `witness_keys`) checked."""
    if not witness_keys:
        raise NoteError("give the witness's public key (--witness-key or TAHQIQ_WITNESS_KEYS): a checkpoint "
                        "is only evidence if its cosignature is checked against a key you obtained separately")
    text = fetch(source)
    if text is None:
        raise PublishRefused(f"witness {source} has cosigned no checkpoint yet: run `tahqiq audit publish` first")
    checkpoint, note = _open(text, log_keys)
    cosignatures = trusted_cosignatures(note, witness_keys)
    if not cosignatures:
        raise NoteError(f"the checkpoint from {source} carries no cosignature by a trusted witness key")
    name, timestamp = max(cosignatures, key=lambda c: c[1])
    return Witnessed(checkpoint.size, checkpoint.root, name, timestamp)


def publish(audit: AuditLog, origin: str, url: str, witness_keys: Sequence[WitnessKey] = (),
            home: Path | None = None) -> Published:
    """Sign a head over the whole log, have the witness at `url` cosign its checkpoint, keep it."""
    head = audit.sign_head() or audit.latest_head() or audit.sign_head(force=True)
    assert head is not None  # forced
    note = audit.signed_checkpoint(head, origin)
    held = fetch(url)
    old = Checkpoint.parse(SignedNote.parse(held).text).size if held else 0
    for attempt in range(2):
        if old > head.tree_size:
            raise PublishRefused(
                f"witness {url} has cosigned {old:,} entries{_seen(held, witness_keys)} but the log has only "
                f"{head.tree_size:,}: entries were deleted from the log (the tail was cut) or it was rolled back")
        proof = audit.consistency_path(old, head.tree_size) if 0 < old < head.tree_size else []
        status, body = _post(url, AddCheckpoint(old, tuple(proof), note.serialize()).body())
        if status == 409 and body.strip().isdigit() and int(body) != old and attempt == 0:
            old, held = int(body), fetch(url)  # the witness moved on since we asked: once more
            continue
        break
    if status == 409:
        raise PublishRefused(f"witness {url} holds another checkpoint of {head.tree_size:,} entries"
                             f"{_seen(held, witness_keys)}: the log's history was rewritten (a fork)")
    if status == 422:
        raise PublishRefused(f"witness {url} refused: the log at {head.tree_size:,} entries does not extend the "
                             f"{old:,} it cosigned{_seen(held, witness_keys)}; the log's history was rewritten")
    if status != 200:
        raise PublishRefused(f"witness {url} answered {status}: {body.strip()}")
    try:
        cosigned = note.with_signatures(NoteSignature.parse(line) for line in body.splitlines(keepends=True))
    except NoteError as exc:
        raise PublishRefused(f"witness {url} answered with something other than cosignatures: {exc}") from None
    trusted = trusted_cosignatures(cosigned, witness_keys) if witness_keys else []
    if witness_keys and not trusted:
        raise PublishRefused(f"witness {url} cosigned, but not with the key you pinned for it")
    name = trusted[0][0] if trusted else cosigned.signatures[-1].name
    folder = private_dir(keys_dir(home) / "witnessed")
    path = folder / (re.sub(r"[^A-Za-z0-9.-]", "_", name) + ".checkpoint")
    write_atomically(path, cosigned.serialize().encode())
    return Published(url, head.tree_size, name, cosigned.serialize(), path)


def start_publishing(audit: AuditLog, origin: str, urls: Sequence[str], witness_keys: Sequence[WitnessKey] = (),
                     *, interval: float = 60.0, home: Path | None = None) -> threading.Event:
    """Publish to every witness every `interval` seconds from a background thread (the server does
    this when witnesses are configured). A refusal is the alarm this exists for: it is logged as an
    error each time, never swallowed; an unreachable witness is a warning, retried next time. Set the
    returned event to stop."""
    stop = threading.Event()

    def run() -> None:
        while True:
            for url in urls:
                try:
                    done = publish(audit, origin, url, witness_keys, home=home)
                    log.debug("witness %s cosigned %d entries", done.witness, done.size)
                except (PublishRefused, NoteError) as exc:
                    log.error("AUDIT LOG ALARM: %s", exc)
                except OSError as exc:
                    log.warning("witness %s unreachable (%s); trying again in %.0f s", url, exc, interval)
                except Exception:  # noqa: BLE001 - one bad tick must not end the publishing
                    log.exception("publishing to witness %s failed", url)
            if stop.wait(interval):
                return

    threading.Thread(target=run, name="tahqiq-witness-publisher", daemon=True).start()
    return stop


def _open(text: str, log_keys: Sequence[NoteKey]) -> tuple[Checkpoint, SignedNote]:
    problem = NoteError("no log key to check the checkpoint with")
    for key in log_keys:
        try:
            return open_checkpoint(text, key)
        except NoteError as exc:
            problem = exc
    raise problem


def _post(url: str, body: str) -> tuple[int, str]:
    request = urllib.request.Request(url.rstrip("/") + "/add-checkpoint", data=body.encode(), method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, _body(exc)
    except (urllib.error.URLError, OSError) as exc:
        raise PublishRefused(f"cannot reach witness {url}: {getattr(exc, 'reason', exc)}") from None


def _body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")[:500]
    except OSError:
        return ""


def _seen(held: str | None, keys: Sequence[WitnessKey]) -> str:
    """' on <local time>' from the held checkpoint's trusted cosignature, if one can be checked."""
    if not held or not keys:
        return ""
    try:
        note = SignedNote.parse(held)
        times = [t for _, t in trusted_cosignatures(note, keys)]
        cp = Checkpoint.parse(note.text)
    except NoteError:
        return ""
    return f" on {Witnessed(cp.size, cp.root, '', max(times)).seen}" if times else ""


__all__ = ["PublishRefused", "Published", "WitnessKey", "fetch", "load_witness_key", "publish", "start_publishing",
           "witnessed"]
