"""Governance: identities, cases, the gate every read of personal data passes, the audit log,
evidence custody and retention. See docs/governance.md and docs/architecture.md.

    from tahqiq.govern import Gate, AccessDenied
    gate = Gate(engine)
    me = gate.authenticate_password(username, password)
    with gate.session(me, case="CASE-2026-0001", purpose="investigate FIR 123/2026") as view:
        people = view.find("cnic", "35202-1234567-1")
        with view.read("read.graph", detail={"center": eid}) as reader:   # a feature's own read
            reader.entities(ids)

This module is the room's public surface: feature rooms import what they need from here (and the
tables of `tahqiq.govern.tables` to join cases or users), never the gate's modules themselves.
"""

from tahqiq.govern.audit_verify import Witnessed
from tahqiq.govern.auditlog import AuditLog, AuditRecord, SignedTreeHead, VerifyReport
from tahqiq.govern.base import (
    ADMIN,
    ANALYST,
    AUDITOR,
    READER_ROLES,
    ROLES,
    SUPERVISOR,
    SYSTEM,
    AccessDenied,
    AuthenticationFailed,
    GovernError,
    Principal,
)
from tahqiq.govern.cases import CaseInfo, case_purpose, get_case, list_cases
from tahqiq.govern.checkpoint import Checkpoint, NoteKey, SignedNote
from tahqiq.govern.gate import Gate, aggregate
from tahqiq.govern.markings import may_read, readable_clause
from tahqiq.govern.reader import Reader
from tahqiq.govern.views import CaseView, GrantedCase, JobView, View, Writer, decided_action

__all__ = [
    "Gate", "View", "CaseView", "JobView", "Reader", "Writer", "GrantedCase", "decided_action",
    "CaseInfo", "case_purpose", "get_case", "list_cases",
    "AccessDenied", "AuthenticationFailed", "GovernError", "Principal", "SYSTEM",
    "AuditLog", "AuditRecord", "SignedTreeHead", "VerifyReport", "aggregate",
    "ROLES", "READER_ROLES", "ANALYST", "SUPERVISOR", "AUDITOR", "ADMIN",
    "Checkpoint", "NoteKey", "SignedNote", "Witnessed", "may_read", "readable_clause",
]
