"""Governance: identities, cases, the gate every read of personal data passes, the audit log,
evidence custody and retention. See docs/governance.md.

    from tahqiq.govern import Gate, AccessDenied
    gate = Gate(engine)
    me = gate.authenticate_password(username, password)
    with gate.session(me, case="CASE-2026-0001", purpose="investigate FIR 123/2026") as view:
        people = view.find("cnic", "35202-1234567-1")
"""

from tahqiq.govern.auditlog import AuditLog, AuditRecord, SignedTreeHead, VerifyReport
from tahqiq.govern.base import (
    ADMIN,
    ANALYST,
    AUDITOR,
    ROLES,
    SUPERVISOR,
    SYSTEM,
    AccessDenied,
    AuthenticationFailed,
    GovernError,
    Principal,
)
from tahqiq.govern.gate import CaseView, Gate, aggregate

__all__ = [
    "Gate", "CaseView", "AccessDenied", "AuthenticationFailed", "GovernError", "Principal", "SYSTEM",
    "AuditLog", "AuditRecord", "SignedTreeHead", "VerifyReport", "aggregate",
    "ROLES", "ANALYST", "SUPERVISOR", "AUDITOR", "ADMIN",
]
