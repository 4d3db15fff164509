"""Evidence custody: a content-addressed store (SHA-256) whose every movement is in the audit log.

Files live under TAHQIQ_HOME/evidence/<first two hex digits>/<sha256>, readable by the owner alone
(files 0400, folders 0700). An empty file is refused: it proves nothing and hashes like every
other empty file. Adding a file and
exporting it are custody entries in the audit log. `export_bundle` writes a court bundle that
verifies offline without Tahqiq:

    bundle/
      files/<sha256>          the evidence, byte for byte
      bundle.json             items, custody entries with inclusion proofs, the signed tree head
      public_key.pem          the log's Ed25519 public key (compare its id with the published one)
      verify_standalone.py    the checker: python3 verify_standalone.py bundle/
      README.txt
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files as package_files
from pathlib import Path

from sqlalchemy import insert, select

from tahqiq.config import private_dir, private_file, settings
from tahqiq.govern.base import GovernError, aware_utc, utcnow
from tahqiq.govern.keys import public_key_pem
from tahqiq.govern.tables import AuditEntry, EvidenceItem, User
from tahqiq.govern.views import CaseView
from tahqiq.store.base import inserted_id, table_of

CHUNK = 1 << 20
BLOB_MODE = 0o400  # evidence is never changed in place: read-only, and for the owner alone


class EmptyEvidence(GovernError):
    """A 0-byte file offered as evidence."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is empty (0 bytes): there is nothing to take into custody")


@dataclass(frozen=True)
class EvidenceInfo:
    id: int
    sha256: str
    case: str
    filename: str
    size_bytes: int
    description: str | None
    added_by: str
    added_at: datetime
    custody_seq: int


def evidence_root(home: Path | None = None) -> Path:
    return (home or settings().home) / "evidence"


def blob_path(sha256: str, home: Path | None = None) -> Path:
    return evidence_root(home) / sha256[:2] / sha256


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def _store_blob(src: Path) -> tuple[str, int]:
    """Copy `src` into the store under its SHA-256 (hashing the bytes actually written)."""
    root = private_dir(evidence_root())
    tmp = root / f".incoming-{os.getpid()}-{os.urandom(4).hex()}"
    h, size = hashlib.sha256(), 0
    try:
        with open(src, "rb") as fin, open(tmp, "wb", opener=_private_opener) as fout:
            while chunk := fin.read(CHUNK):
                h.update(chunk)
                fout.write(chunk)
                size += len(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        if size == 0:  # emptied since it was checked
            raise EmptyEvidence(src.name)
        digest = h.hexdigest()
        dest = blob_path(digest)
        private_dir(dest.parent)
        if dest.exists():
            if sha256_file(dest) != digest:
                raise GovernError(f"evidence store corrupted: {dest} does not hash to its name")
            private_file(dest, BLOB_MODE)  # a blob stored before evidence was private
        else:
            private_file(tmp, BLOB_MODE)
            os.replace(tmp, dest)
        return digest, size
    finally:
        tmp.unlink(missing_ok=True)


def add_evidence(view: CaseView, path: Path | str, description: str | None = None) -> EvidenceInfo:
    """Take `path` into custody for the view's case."""
    path = Path(path)
    if not path.is_file():
        raise GovernError(f"{path} is not a file")
    if path.stat().st_size == 0:
        raise EmptyEvidence(path.name)
    with view.write("evidence.add", target=path.name) as w:
        assert w.case is not None
        digest, size = _store_blob(path)
        if w.conn.execute(select(EvidenceItem.id).where(EvidenceItem.case_id == w.case.id,
                                                        EvidenceItem.sha256 == digest)).first():
            raise GovernError(f"{path.name} (sha256 {digest[:12]}…) is already evidence in {view.case}")
        w.target = digest
        # The log keeps the description's length, not its words (like a note's text): auditors read
        # the log and may not read personal data; the description stays in the case file.
        rec = w.record(sha256=digest, filename=path.name, size=size, description_chars=len(description or ""))
        now = utcnow()
        eid = inserted_id(w.conn.execute(insert(EvidenceItem).values(
            sha256=digest, case_id=w.case.id, filename=path.name, size_bytes=size, description=description,
            added_by=view.principal.user_id, added_at=now, custody_seq=rec.seq)))
    return EvidenceInfo(eid, digest, view.case, path.name, size, description, view.principal.username, now, rec.seq)


def list_evidence(view: CaseView) -> list[EvidenceInfo]:
    with view.read("evidence.list") as r:
        assert r.case is not None
        rows = r.session.execute(
            select(EvidenceItem, User.username).join(User, User.id == EvidenceItem.added_by)
            .where(EvidenceItem.case_id == r.case.id).order_by(EvidenceItem.id)
        ).all()
        items = [EvidenceInfo(e.id, e.sha256, view.case, e.filename, e.size_bytes, e.description, username,
                              aware_utc(e.added_at), e.custody_seq) for e, username in rows]
        r.note(count=len(items))
    return items


def export_bundle(view: CaseView, out_dir: Path | str, sha256s: list[str] | None = None) -> Path:
    """Write a court bundle of the case's evidence (or of the given items) to `out_dir`."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise GovernError(f"{out} exists and is not empty")
    with view.read("evidence.export", target=str(out)) as r:
        assert r.case is not None
        q = select(EvidenceItem).where(EvidenceItem.case_id == r.case.id).order_by(EvidenceItem.id)
        items = list(r.session.execute(q).scalars())
        r.note(items=len(items))
    audit = view.gate.audit
    if sha256s:
        wanted = set(sha256s)
        items = [i for i in items if i.sha256 in wanted]
        missing = wanted - {i.sha256 for i in items}
        if missing:
            raise GovernError(f"not evidence in {view.case}: {', '.join(sorted(missing))}")
    if not items:
        raise GovernError(f"case {view.case} holds no evidence to export")
    private_dir(out / "files")
    private_dir(out)  # the bundle holds the evidence: as private as the store it came from
    for item in items:
        src = blob_path(item.sha256)
        if sha256_file(src) != item.sha256:
            raise GovernError(f"evidence {item.sha256} in the store does not match its hash: stop and investigate")
        shutil.copyfile(src, out / "files" / item.sha256)
    # The export is itself custody: record it, then sign a head that covers it, then prove.
    for item in items:
        view.note("evidence.export", target=item.sha256,
                  detail={"sha256": item.sha256, "filename": item.filename, "bundle": out.name})
    head = audit.sign_head(force=True)
    assert head is not None  # forced
    e = table_of(AuditEntry).c
    with audit.engine.connect() as conn:
        custody_rows = conn.execute(
            select(e.seq, e.entry, e.leaf_hash, e.target)
            .where(e.case_ref == view.case, e.target.in_([i.sha256 for i in items]),
                   e.action.in_(["evidence.add", "evidence.export"]), e.seq < head.tree_size)
            .order_by(e.seq)
        ).all()
        proofs = [
            {"leaf_index": r.seq, "entry": r.entry, "leaf_hash": r.leaf_hash,
             "inclusion_path": [p.hex() for p in audit.inclusion_path(r.seq, head.tree_size, conn)]}
            for r in custody_rows
        ]
    pem = public_key_pem(audit.signer.public_key)
    bundle = {
        "format": "tahqiq-court-bundle-v1",
        "case": view.case,
        "exported_by": view.principal.username,
        "exported_at": utcnow().isoformat(),
        "items": [{"sha256": i.sha256, "filename": i.filename, "size": i.size_bytes, "description": i.description,
                   "file": f"files/{i.sha256}"} for i in items],
        "custody": proofs,
        "tree_head": head.to_dict(),
        "public_key_pem": pem,
    }
    (out / "bundle.json").write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "public_key.pem").write_text(pem)
    script = package_files("tahqiq.govern").joinpath("verify_standalone.py").read_text(encoding="utf-8")
    (out / "verify_standalone.py").write_text(script, encoding="utf-8")
    (out / "README.txt").write_text(
        f"Court bundle for case {view.case}, exported by {view.principal.username}.\n\n"
        "Check it with Python 3 and the 'cryptography' package (no Tahqiq needed):\n\n"
        "    python3 verify_standalone.py .  [--public-key KEY.pem]\n\n"
        "Pass the log's public key obtained separately (e.g. published by the oversight body) with\n"
        f"--public-key; its key id must be {head.key_id}.\n",
        encoding="utf-8",
    )
    return out
