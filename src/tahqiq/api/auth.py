"""Browser sessions: signed cookies, CSRF tokens, login and logout.

A session is a cookie holding {user id, session id, CSRF token, issue time}, signed with
itsdangerous under a 256-bit key kept in TAHQIQ_HOME/keys/web-session.key (mode 0600, like the audit
signing key). The cookie is HttpOnly, SameSite=Strict and, unless the server runs on plain http for
development, Secure. Who the user is, their role and whether the account is still active are read
from the store on every request, so disabling an account ends its sessions at once.

CSRF: a cookie-authenticated request with an unsafe method must carry the session's CSRF token in the
`X-CSRF-Token` header or a `csrf_token` form field; templates find it in `request.state.csrf_token`.
Requests with `Authorization: Bearer` carry no ambient credential and need none. Logins are
audited: failures by the gate, successes and logouts here.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, insert, select

from tahqiq.govern import Gate, Principal
from tahqiq.govern.keys import keys_dir, load_or_create
from tahqiq.govern.tables import EndedSession

SESSION_COOKIE = "tahqiq_session"
SESSION_KEY_FILE = "web-session.key"
SESSION_MAX_AGE = 12 * 3600  # one working shift; then sign in again
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Session:
    user_id: int
    session_id: str
    csrf_token: str
    issued: float


class Sessions:
    """Issues and checks session cookies. Signed-out session ids are kept in the store (table
    ended_sessions, until the cookie would have expired anyway), so that a copied cookie dies with
    the logout on every server process and after a restart."""

    def __init__(self, engine, key: bytes | None = None) -> None:
        key = key or load_or_create(keys_dir() / SESSION_KEY_FILE, lambda: secrets.token_bytes(32))
        self._serializer = URLSafeTimedSerializer(key, salt="tahqiq-session-v1")
        self._engine = engine

    def issue(self, principal: Principal) -> tuple[str, Session]:
        session = Session(principal.user_id, secrets.token_urlsafe(16), secrets.token_urlsafe(32), time.time())
        cookie = self._serializer.dumps({"u": session.user_id, "s": session.session_id, "c": session.csrf_token})
        return cookie, session

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data, signed_at = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE, return_timestamp=True)
            session = Session(int(data["u"]), str(data["s"]), str(data["c"]), signed_at.timestamp())
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        with self._engine.connect() as conn:
            ended = conn.execute(select(EndedSession.session_id)
                                 .where(EndedSession.session_id == session.session_id)).first()
        return None if ended else session

    def end(self, session: Session) -> None:
        now = datetime.now(UTC)
        expires = datetime.fromtimestamp(session.issued + SESSION_MAX_AGE, UTC)
        with self._engine.begin() as conn:
            conn.execute(delete(EndedSession).where(EndedSession.expires_at < now))
            if not conn.execute(select(EndedSession.session_id)
                                .where(EndedSession.session_id == session.session_id)).first():
                conn.execute(insert(EndedSession).values(session_id=session.session_id, user_id=session.user_id,
                                                         ended_at=now, expires_at=expires))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def audit_login(gate: Gate, principal: Principal, session: Session, how: str) -> None:
    # The session id is logged so that an auditor can tie a session's actions to its sign-in.
    gate.record(principal, "auth.login", decision="grant", target=principal.username,
                detail={"via": how, "session": session.session_id})


def audit_logout(gate: Gate, principal: Principal | None, session: Session) -> None:
    # A user removed meanwhile is still named, by id.
    who = principal or Principal(session.user_id, f"user#{session.user_id}", "", "", 0)
    gate.record(who, "auth.logout", target=principal.username if principal else None,
                detail={"session": session.session_id})
