"""What the API and the pages share beyond the gate: who read an entity (from the audit log), and
taking an upload into a temporary file with a size limit."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from tahqiq.govern import AUDITOR, SUPERVISOR, AccessDenied, AuditRecord, Gate, Principal

MAX_UPLOAD = 512 * 1024 * 1024
READERS_SHOWN = 200


class UploadTooLarge(ValueError):
    pass


def viewers(gate: Gate, who: Principal, entity_id: str) -> tuple[list[AuditRecord] | None, str | None]:
    """Who read this entity (granted reads, newest first), for those who may read the audit log;
    else (None, why not)."""
    if who.role not in (SUPERVISOR, AUDITOR):
        return None, "The audit trail of this record is shown to supervisors and auditors."
    try:
        records = gate.access_log(who, entity=entity_id, limit=READERS_SHOWN)
    except AccessDenied as exc:
        return None, exc.reason
    return [r for r in reversed(records) if r.action.startswith("read.") and r.decision == "grant"], None


def safe_name(name: str | None) -> str:
    """An uploaded file's name without any directory part (nothing can be written outside the
    temporary folder)."""
    base = Path((name or "").replace("\\", "/")).name.strip().lstrip(".")
    return base[:200] or "upload.bin"


@contextmanager
def spooled(file: UploadFile, limit: int = MAX_UPLOAD) -> Iterator[Path]:
    """The upload written to a temporary file (removed afterwards); UploadTooLarge past `limit`."""
    with tempfile.TemporaryDirectory(prefix="tahqiq-upload-") as tmp:
        path = Path(tmp) / safe_name(file.filename)
        size = 0
        with open(path, "wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"uploads are limited to {limit >> 20} MiB here; use `tahqiq evidence add` "
                                         "for larger files")
                out.write(chunk)
        yield path


__all__ = ["MAX_UPLOAD", "UploadTooLarge", "safe_name", "spooled", "viewers"]
