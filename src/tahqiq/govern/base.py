"""Types shared by the governance modules: who is asking, and how a refusal looks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tahqiq.store.base import aware, aware_utc, utcnow

ANALYST, SUPERVISOR, AUDITOR, ADMIN = "analyst", "supervisor", "auditor", "admin"
ROLES = (ANALYST, SUPERVISOR, AUDITOR, ADMIN)
# Roles that may read personal data at all (and then only as members of a valid case).
READER_ROLES = (ANALYST, SUPERVISOR)


@dataclass(frozen=True)
class Principal:
    """An authenticated user (or the system itself, for scheduled jobs)."""

    user_id: int
    username: str
    role: str
    agency: str
    agency_id: int
    token_id: int | None = None

    @property
    def is_system(self) -> bool:
        return self.role == "system"


SYSTEM = Principal(0, "system", "system", "", 0)


class GovernError(Exception):
    """A request that cannot be carried out (bad input, unknown name)."""


class AccessDenied(GovernError):
    """A refusal by the gate. `reason` says why in plain words; `audit_seq` is the log entry that
    records the refusal (None only for failed authentication before any user is known)."""

    def __init__(self, reason: str, audit_seq: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.audit_seq = audit_seq


class AuthenticationFailed(AccessDenied):
    pass


def orm(conn: Connection) -> Session:
    """An ORM session on `conn` (joining its transaction), for queries that return mapped objects."""
    return Session(bind=conn, expire_on_commit=False)


__all__ = ["ADMIN", "ANALYST", "AUDITOR", "READER_ROLES", "ROLES", "SUPERVISOR", "SYSTEM", "AccessDenied",
           "AuthenticationFailed", "GovernError", "Principal", "aware", "aware_utc", "orm", "utcnow"]
