"""The one function that writes an audit entry for a person's (or the system's) act, and the
refusal built on it. Every room's entries pass through here (the gate's reads and writes, cases,
identities, evidence, retention), so an entry always has the same shape: who (name and role), what
(action, target), under which case and purpose, the decision, and details.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from tahqiq.govern.auditlog import AuditLog, AuditRecord
from tahqiq.govern.base import AccessDenied, Principal

DECISIONS = ("grant", "deny", "info")


def record(audit: AuditLog, who: Principal | None, action: str, *, decision: str = "grant",
           case: str | None = None, purpose: str | None = None, target: str | None = None,
           detail: dict[str, Any] | None = None, conn: Connection | None = None) -> AuditRecord:
    """Append one entry for `who` doing `action`. With `conn`, the entry commits in the caller's
    transaction (with the change it records); otherwise it is committed before this returns."""
    return audit.append(who.username if who else "anonymous", action, role=(who.role or None) if who else None,
                        case=case, purpose=purpose, decision=decision, target=target, detail=detail or {},
                        conn=conn)


def deny(audit: AuditLog, who: Principal | None, action: str, reason: str, *, target: str | None = None,
         case: str | None = None, purpose: str | None = None, detail: dict[str, Any] | None = None,
         exc: type[AccessDenied] = AccessDenied) -> AccessDenied:
    """Record a refusal and return the exception to raise (its `audit_seq` names the entry)."""
    rec = record(audit, who, action, decision="deny", case=case, purpose=purpose, target=target,
                 detail={"reason": reason, **(detail or {})})
    return exc(reason, rec.seq)


def require_role(audit: AuditLog, who: Principal, action: str, roles: tuple[str, ...], *,
                 target: str | None = None) -> None:
    """Refuse (audited) unless `who` has one of `roles`."""
    if who.role not in roles:
        raise deny(audit, who, action, f"role {who.role!r} may not do this (needs {' or '.join(roles)})", target=target)


__all__ = ["DECISIONS", "record", "deny", "require_role"]
