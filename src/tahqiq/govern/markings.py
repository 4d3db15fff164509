"""Who may read marked intelligence: FIRST's Traffic Light Protocol (TLP 2.0), decided in the gate.

    may_read(principal, "amber", "PUNJAB-POLICE", ())        # one row, in Python
    select(t).where(readable_clause(principal, t))            # the same policy as SQL, for lists

The policy, per level:

* clear, green: every reader role (analyst, supervisor) and the scheduled jobs (SYSTEM);
* amber, amber+strict: the owning agency's readers (the agency that imported it), and the scheduled
  jobs; TLP 2.0 lets AMBER reach the recipient's clients, but within one platform the agency is
  the widest circle it can name, so both AMBER forms stop at the agency;
* red: only the people named as recipients when it was imported (by username), and only if they
  hold a reader role. A scheduled job reads RED only when "system" is named among the recipients.

Auditors and administrators read no marked values at all: an auditor learns that an indicator was
imported, read or marked (the audit log records every such act and its TLP level), never its value.
A row with an unknown level, or an AMBER row with no owning agency, is read by no person.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, or_, true

from tahqiq.govern.base import READER_ROLES, Principal

__all__ = ["AGENCY_LEVELS", "OPEN_LEVELS", "RED", "may_read", "readable_clause"]

OPEN_LEVELS = ("clear", "green")
AGENCY_LEVELS = ("amber", "amber+strict")
RED = "red"


def _is_reader(principal: Principal) -> bool:
    return principal.is_system or principal.role in READER_ROLES


def may_read(principal: Principal, tlp: str, owner_agency: str, recipients: tuple[str, ...] | list[str]) -> bool:
    """Whether `principal` may read a row marked `tlp`, owned by `owner_agency`, naming `recipients`."""
    if not _is_reader(principal):
        return False
    level = (tlp or "").lower()
    if level in OPEN_LEVELS:
        return True
    if level in AGENCY_LEVELS:
        return principal.is_system or (bool(owner_agency) and principal.agency == owner_agency)
    if level == RED:
        return principal.username in set(recipients or ())
    return False


def readable_clause(principal: Principal, table: Any) -> ColumnElement[bool]:
    """A WHERE clause with `may_read`'s policy over a table (or mapped class) that has the columns
    `tlp`, `owner_agency` and `recipients` (a JSON list of usernames)."""
    cols = table.c if hasattr(table, "c") else table.__table__.c
    if not _is_reader(principal):
        return false()
    agency = true() if principal.is_system else and_(cols.owner_agency != "", cols.owner_agency == principal.agency)
    # recipients is a JSON list: '["ayesha", "bilal"]' on every dialect; the quotes make it exact.
    named = cast(cols.recipients, String).contains(f'"{principal.username}"', autoescape=True)
    return or_(cols.tlp.in_(OPEN_LEVELS), and_(cols.tlp.in_(AGENCY_LEVELS), agency), and_(cols.tlp == RED, named))
