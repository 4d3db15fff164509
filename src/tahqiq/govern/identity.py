"""Users, agencies, roles and API tokens.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 defaults). Tokens are 256-bit random
strings shown once; only their SHA-256 is stored. Every change to identities is in the audit log.
Password sign-ins pass the sign-in throttle (govern.throttle): per account always, per client
address when the caller knows it (the web server does).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, func, insert, select, update

from tahqiq.govern.auditlog import AuditLog
from tahqiq.govern.base import (
    ADMIN,
    ROLES,
    AuthenticationFailed,
    GovernError,
    Principal,
    aware,
    aware_utc,
    orm,
    utcnow,
)
from tahqiq.govern.entries import deny, record, require_role
from tahqiq.govern.tables import Agency, ApiToken, User
from tahqiq.govern.throttle import SigninThrottle
from tahqiq.store.base import inserted_id

TOKEN_PREFIX = "tq_"
MIN_PASSWORD = 12
USERNAME_RE = re.compile(r"[a-z][a-z0-9._-]{1,63}")

_hasher = PasswordHasher()
_dummy_hash: str | None = None
_throttle = SigninThrottle()


def set_password_hasher(hasher: PasswordHasher) -> None:
    """Replace the argon2 parameters (tests use cheap ones; existing hashes keep verifying)."""
    global _hasher, _dummy_hash
    _hasher, _dummy_hash = hasher, None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _principal(user: User, agency: Agency, token_id: int | None = None) -> Principal:
    return Principal(user.id, user.username, user.role, agency.code, agency.id, token_id)


def count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(User)).scalar_one())


def _agency_id(conn: Connection, code: str, name: str | None, create: bool) -> int:
    found = conn.execute(select(Agency.id).where(Agency.code == code)).scalar()
    if found is not None:
        return found
    if not create:
        raise GovernError(f"no agency {code!r}")
    return inserted_id(conn.execute(insert(Agency).values(code=code, name=name or code, created_at=utcnow())))


def add_user(
    audit: AuditLog,
    actor: Principal | None,
    username: str,
    password: str,
    role: str,
    agency: str,
    *,
    full_name: str | None = None,
    agency_name: str | None = None,
) -> int:
    """Create a user. `actor` must be an admin, except for the very first user (an admin), which
    bootstraps an empty installation. A new agency code is created on the way."""
    if actor is None:
        if count_users(audit.engine):
            raise deny(audit, None, "user.add", "only an admin may add users (users already exist)",
                       target=username, exc=AuthenticationFailed)
        if role != ADMIN:
            raise GovernError("the first user must be an admin")
    else:
        require_role(audit, actor, "user.add", (ADMIN,), target=username)
    if role not in ROLES:
        raise GovernError(f"role must be one of {', '.join(ROLES)}")
    if not USERNAME_RE.fullmatch(username):
        raise GovernError("username: 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter")
    if len(password) < MIN_PASSWORD:
        raise GovernError(f"password must be at least {MIN_PASSWORD} characters")
    if not agency:
        raise GovernError("every user belongs to an agency")
    password_hash = hash_password(password)
    with audit.transaction() as conn:
        if conn.execute(select(User.id).where(User.username == username)).scalar() is not None:
            raise GovernError(f"user {username!r} already exists")
        agency_id = _agency_id(conn, agency, agency_name, create=True)
        uid = inserted_id(conn.execute(
            insert(User).values(
                username=username, full_name=full_name, agency_id=agency_id, role=role,
                password_hash=password_hash, disabled=False, created_at=utcnow(),
            )
        ))
        # The bootstrap admin adds itself: the entry names the new user as the actor.
        record(audit, actor or Principal(uid, username, role, agency, agency_id), "user.add", decision="info",
               target=username, detail={"role": role, "agency": agency, "bootstrap": actor is None}, conn=conn)
    return uid


def list_users(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.username, User.full_name, User.role, Agency.code, User.disabled, User.created_at)
            .join(Agency, Agency.id == User.agency_id)
            .order_by(User.username)
        )
        return [
            {"username": r.username, "full_name": r.full_name, "role": r.role, "agency": r.code,
             "disabled": r.disabled, "created_at": aware(r.created_at)}
            for r in rows
        ]


def disable_user(audit: AuditLog, actor: Principal, username: str) -> None:
    require_role(audit, actor, "user.disable", (ADMIN,), target=username)
    if username == actor.username:
        raise GovernError("you cannot disable yourself")
    with audit.transaction() as conn:
        n = conn.execute(
            update(User).where(User.username == username).values(disabled=True, disabled_at=utcnow())
        ).rowcount
        if not n:
            raise GovernError(f"no user {username!r}")
        record(audit, actor, "user.disable", decision="info", target=username, conn=conn)


def create_token(
    audit: AuditLog, actor: Principal, name: str, *, username: str | None = None, days: int = 30
) -> tuple[str, int]:
    """A new API token for `actor` (or, for an admin, for `username`). Returns (token, token id);
    the token is not stored and cannot be shown again."""
    username = username or actor.username
    if username != actor.username:
        require_role(audit, actor, "token.create", (ADMIN,), target=username)
    if not 0 < days <= 366:
        raise GovernError("tokens expire within 1 to 366 days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with audit.transaction() as conn:
        user = orm(conn).execute(select(User).where(User.username == username)).scalar()
        if user is None or user.disabled:
            raise GovernError(f"no active user {username!r}")
        expires = utcnow() + timedelta(days=days)
        tid = inserted_id(conn.execute(
            insert(ApiToken).values(
                user_id=user.id, name=name, token_hash=token_digest(token), created_at=utcnow(), expires_at=expires
            )
        ))
        record(audit, actor, "token.create", decision="info", target=username,
            detail={"token_id": tid, "name": name, "expires": expires.isoformat()}, conn=conn,
        )
    return token, tid


def list_tokens(engine: Engine, actor: Principal) -> list[dict[str, Any]]:
    q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if actor.role != ADMIN:
        q = q.where(ApiToken.user_id == actor.user_id)
    with engine.connect() as conn:
        return [
            {"id": r.ApiToken.id, "user": r.username, "name": r.ApiToken.name,
             "expires_at": aware(r.ApiToken.expires_at), "revoked": r.ApiToken.revoked_at is not None}
            for r in orm(conn).execute(q)
        ]


def revoke_token(audit: AuditLog, actor: Principal, token_id: int) -> None:
    with audit.transaction() as conn:
        row = conn.execute(select(ApiToken.user_id).where(ApiToken.id == token_id)).first()
        if row is None:
            raise GovernError(f"no token {token_id}")
        if row.user_id != actor.user_id and actor.role != ADMIN:
            raise deny(audit, actor, "token.revoke", "only an admin may revoke another user's token",
                       target=str(token_id))
        conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked_at=utcnow()))
        record(audit, actor, "token.revoke", decision="info", target=str(token_id), conn=conn)


def _fail(audit: AuditLog, username: str | None, how: str, address: str | None = None) -> AuthenticationFailed:
    # The same words whatever went wrong, so that failures do not reveal which usernames exist;
    # the log keeps the real cause (and where the attempt came from, never the password tried).
    who = Principal(0, username, "", "", 0) if username else None
    detail: dict[str, Any] = {"reason": how, **({"address": address} if address else {})}
    rec = record(audit, who, "auth.login", decision="deny", target=username, detail=detail)
    return AuthenticationFailed("authentication failed: wrong username, password or token, "
                                "or the account is disabled", rec.seq)


def authenticate_password(audit: AuditLog, username: str, password: str, *, address: str | None = None,
                          throttle: SigninThrottle | None = None) -> Principal:
    """The principal for this user name and password, or AuthenticationFailed (audited). While the
    account or `address` is locked by the throttle, SigninThrottled, whatever the password."""
    throttle = throttle or _throttle
    throttle.refuse_if_locked(audit, username, address)
    try:
        who = _check_password(audit, username, password, address)
    except AuthenticationFailed:
        throttle.note_failure(audit, username, address)
        raise
    throttle.note_success(audit, username)
    return who


def _check_password(audit: AuditLog, username: str, password: str, address: str | None) -> Principal:
    global _dummy_hash
    with audit.engine.connect() as conn:
        row = orm(conn).execute(
            select(User, Agency).join(Agency, Agency.id == User.agency_id).where(User.username == username)
        ).first()
    if row is None:
        _dummy_hash = _dummy_hash or _hasher.hash(secrets.token_hex(8))
        try:  # spend the same time as for a real user
            _hasher.verify(_dummy_hash, password)
        except VerificationError:
            pass
        raise _fail(audit, username, "unknown user", address)
    user, agency = row.User, row.Agency
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise _fail(audit, username, "wrong password", address) from None
    if user.disabled:
        raise _fail(audit, username, "account disabled", address)
    if _hasher.check_needs_rehash(user.password_hash):
        with audit.engine.begin() as conn:
            conn.execute(update(User).where(User.id == user.id).values(password_hash=_hasher.hash(password)))
    return _principal(user, agency)


def authenticate_token(audit: AuditLog, token: str) -> Principal:
    with audit.engine.connect() as conn:
        row = orm(conn).execute(
            select(ApiToken, User, Agency)
            .join(User, User.id == ApiToken.user_id)
            .join(Agency, Agency.id == User.agency_id)
            .where(ApiToken.token_hash == token_digest(token))
        ).first()
    if row is None:
        raise _fail(audit, None, "unknown token")
    tok, user, agency = row.ApiToken, row.User, row.Agency
    if tok.revoked_at is not None:
        raise _fail(audit, user.username, f"token {tok.id} revoked")
    if aware_utc(tok.expires_at) <= utcnow():
        raise _fail(audit, user.username, f"token {tok.id} expired")
    if user.disabled:
        raise _fail(audit, user.username, "account disabled")
    return _principal(user, agency, tok.id)


def user_principal(engine: Engine, user_id: int) -> Principal | None:
    """The active user with this id, as a Principal (None when missing or disabled): who a signed
    browser session belongs to, read afresh on every request."""
    with engine.connect() as conn:
        row = conn.execute(
            select(User.id, User.username, User.role, User.disabled, Agency.code, Agency.id.label("agency_id"))
            .join(Agency, Agency.id == User.agency_id).where(User.id == user_id)).first()
    if row is None or row.disabled:
        return None
    return Principal(row.id, row.username, row.role, row.code, row.agency_id)


def still_valid(conn: Connection, principal: Principal) -> str | None:
    """Why `principal` may no longer act (disabled, token revoked or expired), or None."""
    if principal.is_system:
        return None
    disabled = conn.execute(select(User.disabled).where(User.id == principal.user_id)).scalar()
    if disabled is None or disabled:
        return "the account is disabled"
    if principal.token_id is not None:
        tok = conn.execute(select(ApiToken.revoked_at, ApiToken.expires_at)
                           .where(ApiToken.id == principal.token_id)).first()
        if tok is None or tok.revoked_at is not None:
            return "the API token was revoked"
        if aware_utc(tok.expires_at) <= utcnow():
            return "the API token has expired"
    return None
