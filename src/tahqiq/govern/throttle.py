"""Sign-in throttling: per account and per client address, kept in the store.

Password guessing is slowed in two ways. An account (the user name as typed, whether or not it
exists, so that a lock tells nothing about which names are real) is locked after `account_limit`
failed sign-ins within `window`; an address after `address_limit` failures within the window,
whatever names it tried. A lock lasts `first_lock` and doubles with each further lock of the same
key (up to `longest_lock`); a key whose last lock ended more than `forget_after` ago starts afresh.
While a key is locked every attempt is refused before the password is looked at, so a right
password is refused too: otherwise the lock would tell a guesser when a guess was right.

The counters live in the table `signin_throttle`, so a lock holds on every server process and
after a restart. Every failure, every lock and every refusal during one is an audit entry
(`auth.login` denials and `auth.lockout`), with the address but never the password.

    throttle = SigninThrottle()                       # the policy below, the real clock
    throttle.refuse_if_locked(audit, "ayesha", "10.0.0.7")   # SigninThrottled (audited) while locked
    throttle.note_failure(audit, "ayesha", "10.0.0.7")
    throttle.note_success(audit, "ayesha")
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from tahqiq.govern.auditlog import AuditLog
from tahqiq.govern.base import ADMIN, AuthenticationFailed, Principal, aware_utc, utcnow
from tahqiq.govern.entries import record, require_role
from tahqiq.govern.tables import SigninThrottle as Row

ACCOUNT, ADDRESS = "account", "address"
KEY_LENGTH = 255  # "account:" + a user name (at most 64 characters; a longer guess is cut)


@dataclass(frozen=True)
class ThrottlePolicy:
    account_limit: int = 5
    address_limit: int = 20
    window: timedelta = timedelta(minutes=15)
    first_lock: timedelta = timedelta(minutes=5)
    longest_lock: timedelta = timedelta(hours=24)
    forget_after: timedelta = timedelta(days=1)

    def lock_for(self, lockouts: int) -> timedelta:
        """How long the `lockouts`-th lock in a row lasts (1 for the first)."""
        doubled: timedelta = self.first_lock * (2 ** min(max(lockouts - 1, 0), 20))
        return min(doubled, self.longest_lock)


class SigninThrottled(AuthenticationFailed):
    """A sign-in refused because the account or the address is locked; `retry_after` in seconds."""

    def __init__(self, scope: str, retry_after: int, audit_seq: int | None) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(f"too many failed sign-ins from this {scope}: try again in {minutes} minute"
                         f"{'s' if minutes != 1 else ''}", audit_seq)
        self.scope, self.retry_after = scope, retry_after


@dataclass(frozen=True)
class Lock:
    scope: str  # ACCOUNT or ADDRESS
    subject: str  # the user name or the address
    until: datetime

    def retry_after(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    return [(ACCOUNT, username), (ADDRESS, address)] if address else [(ACCOUNT, username)]


def _key(scope: str, subject: str) -> str:
    return f"{scope}:{subject}"[:KEY_LENGTH]


def _who(username: str) -> Principal:
    return Principal(0, username, "", "", 0)


@dataclass
class SigninThrottle:
    """The throttle with its policy and clock (tests pass a clock they move)."""

    policy: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    clock: Callable[[], datetime] = utcnow

    def locked(self, audit: AuditLog, username: str, address: str | None) -> Lock | None:
        """The lock that holds now for this account or address (the longer one), if any."""
        now = self.clock()
        found: Lock | None = None
        with audit.engine.connect() as conn:
            for scope, subject in _keys(username, address):
                until = conn.execute(select(Row.locked_until).where(Row.key == _key(scope, subject))).scalar()
                if until is not None and aware_utc(until) > now and (found is None or aware_utc(until) > found.until):
                    found = Lock(scope, subject, aware_utc(until))
        return found

    def refuse_if_locked(self, audit: AuditLog, username: str, address: str | None) -> None:
        """Raise SigninThrottled, after writing the refusal to the log, while a lock holds."""
        lock = self.locked(audit, username, address)
        if lock is None:
            return
        wait = lock.retry_after(self.clock())
        rec = record(audit, _who(username), "auth.login", decision="deny", target=username,
                     detail={"reason": f"{lock.scope} locked after failed sign-ins", "address": address,
                             "retry_after": wait})
        raise SigninThrottled(lock.scope, wait, rec.seq)

    def note_failure(self, audit: AuditLog, username: str, address: str | None) -> list[Lock]:
        """Count a failed sign-in against the account and the address; lock those that reach their
        limit (each lock an audit entry). Returns the locks this failure started."""
        now = self.clock()
        started: list[Lock] = []
        with audit.engine.begin() as conn:
            conn.execute(delete(Row).where(Row.updated_at < now - self.policy.forget_after - self.policy.longest_lock))
            for scope, subject in _keys(username, address):
                limit = self.policy.account_limit if scope == ACCOUNT else self.policy.address_limit
                lock = self._count(conn, scope, subject, limit, now)
                if lock is not None:
                    started.append(lock)
        for lock in started:
            record(audit, _who(username), "auth.lockout", decision="info",
                   target=lock.subject, detail={"scope": lock.scope, "address": address,
                                                "until": lock.until.isoformat(timespec="seconds"),
                                                "seconds": lock.retry_after(now)})
        return started

    def _count(self, conn: Connection, scope: str, subject: str, limit: int, now: datetime) -> Lock | None:
        key = _key(scope, subject)
        _insert_if_missing(conn, key, now)
        # Locked for update: two server processes counting the same key take turns.
        row = conn.execute(select(Row.failures, Row.window_start, Row.locked_until, Row.lockouts)
                           .where(Row.key == key).with_for_update()).one()
        window_start = aware_utc(row.window_start) if row.window_start else None
        last_lock = aware_utc(row.locked_until) if row.locked_until else None
        failures, lockouts = int(row.failures), int(row.lockouts)
        if last_lock is not None and last_lock > now:
            return None  # already locked (a refusal raced this failure): the lock stands as it is
        if last_lock is not None and now - last_lock > self.policy.forget_after:
            lockouts = 0
        if window_start is None or now - window_start > self.policy.window:
            failures, window_start = 0, now
        failures += 1
        lock: Lock | None = None
        values: dict[str, object] = {"failures": failures, "window_start": window_start, "updated_at": now}
        if failures >= limit:
            lockouts += 1
            lock = Lock(scope, subject, now + self.policy.lock_for(lockouts))
            values.update(failures=0, window_start=None, lockouts=lockouts, locked_until=lock.until)
        else:
            values["lockouts"] = lockouts
        conn.execute(update(Row).where(Row.key == key).values(**values))
        return lock

    def note_success(self, audit: AuditLog, username: str) -> None:
        """A right password outside any lock: the account's count starts again (the address's does
        not: one good account must not wash a guesser's address clean)."""
        key = _key(ACCOUNT, username)
        with audit.engine.begin() as conn:
            # Looked up first: most sign-ins follow no failure, and a DELETE would take SQLite's write lock.
            if conn.execute(select(Row.key).where(Row.key == key)).first() is not None:
                conn.execute(delete(Row).where(Row.key == key))


def _insert_if_missing(conn: Connection, key: str, now: datetime) -> None:
    values = {"key": key, "failures": 0, "lockouts": 0, "updated_at": now}
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(Row).values(**values).on_conflict_do_nothing())
    else:
        conn.execute(insert(Row).prefix_with("OR IGNORE").values(**values))


def unlock(audit: AuditLog, actor: Principal, username: str | None = None, address: str | None = None) -> int:
    """Lift the locks of an account and/or an address before they expire (an admin's act, audited).
    Returns how many keys were cleared."""
    require_role(audit, actor, "auth.unlock", (ADMIN,), target=username or address)
    keys = [_key(ACCOUNT, username)] if username else []
    keys += [_key(ADDRESS, address)] if address else []
    with audit.transaction() as conn:
        cleared = conn.execute(delete(Row).where(Row.key.in_(keys))).rowcount if keys else 0
        record(audit, actor, "auth.unlock", decision="info", target=username or address,
               detail={"account": username, "address": address, "cleared": cleared}, conn=conn)
    return int(cleared)


__all__ = ["ACCOUNT", "ADDRESS", "Lock", "SigninThrottle", "SigninThrottled", "ThrottlePolicy", "unlock"]
