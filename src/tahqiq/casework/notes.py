"""Case notes: free text that analysts write in a case workspace.

A note may name people, so it is treated like personal data: writing one needs the same access as a
read (an open, unexpired case the author is a member of) and is an audit entry committed in the same
transaction as the note; reading a case's notes is a decided and audited read like any other.

    with gate.session(me, case, purpose) as view:
        add_note(view, "The CNIC on the FIR matches the NADRA record", entity_id=eid)
        notes = list_notes(view)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from tahqiq.casework.tables import CaseNote
from tahqiq.govern import CaseView, GovernError
from tahqiq.govern.tables import User
from tahqiq.store.base import aware_utc, inserted_id, utcnow

MAX_NOTE = 20_000


@dataclass(frozen=True)
class Note:
    id: int
    case: str
    author: str
    body: str
    entity_id: str | None
    created_at: datetime
    audit_seq: int


def add_note(view: CaseView, body: str, entity_id: str | None = None) -> Note:
    """Add a note to the view's case (optionally about one entity)."""
    body = (body or "").strip()
    if not body:
        raise GovernError("a note needs some text")
    if len(body) > MAX_NOTE:
        raise GovernError(f"a note may hold at most {MAX_NOTE} characters; attach long texts as evidence")
    if entity_id is not None and len(entity_id) > 32:
        raise GovernError("entity ids are at most 32 characters")
    now = utcnow()
    # The log keeps the note's length, not its text: the log is read by people (auditors) who may
    # not read personal data, and the text stays in the case file.
    with view.write("note.add", target=entity_id, detail={"chars": len(body)}) as w:
        assert w.case is not None
        rec = w.record()
        nid = inserted_id(w.conn.execute(insert(CaseNote).values(
            case_id=w.case.id, author_id=view.principal.user_id, entity_id=entity_id, body=body, created_at=now,
            audit_seq=rec.seq)))
    return Note(nid, view.case, view.principal.username, body, entity_id, now, rec.seq)


def list_notes(view: CaseView, entity_id: str | None = None, limit: int = 500) -> list[Note]:
    """The case's notes, oldest first (only those about `entity_id` when given)."""
    with view.read("read.notes", target=entity_id) as r:
        assert r.case is not None
        q = (select(CaseNote, User.username).join(User, User.id == CaseNote.author_id)
             .where(CaseNote.case_id == r.case.id).order_by(CaseNote.id).limit(max(1, min(limit, 5000))))
        if entity_id is not None:
            q = q.where(CaseNote.entity_id == entity_id)
        notes = [Note(n.id, view.case, username, n.body, n.entity_id, aware_utc(n.created_at), n.audit_seq)
                 for n, username in r.session.execute(q).all()]
        r.disclose(n.id for n in notes)
    return notes


__all__ = ["MAX_NOTE", "Note", "add_note", "list_notes"]
