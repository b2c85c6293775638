"""Sessions: what signing in gives a user of the API or the web UI.

A user's own token is checked with argon2 (`users.sign_in`), slow on purpose and so
once per sign-in, not per request. Signing in opens a session with a random token of
its own, stored only as its SHA-256: the API's bearer token and the web UI's cookie.
A session expires (`LIFETIME`, a working day) and ends when the user signs out or is
disabled; each request finds the user again, so a disabled user's sessions stop at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, select, text

from habeas.access.facts import Principal
from habeas.db import adapters
from habeas.db.engine import writer
from habeas.db.schema import sessions, users
from habeas.ledger import accounts
from habeas.projections.base import naive_utc
from habeas.services import users as users_service

LIFETIME = timedelta(hours=10)  # an operational setting, not law: a working day and a little more


@dataclass(frozen=True)
class Session:
    token: str  # given to the client once; only its hash is stored
    principal: Principal
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(engine: Engine, login: str, token: str, now: datetime) -> Session:
    """Sign in (`users.sign_in`: SignInRefused, recorded, on a wrong token) and open a session."""
    principal = users_service.sign_in(engine, login, token, now)
    session_token = secrets.token_urlsafe(32)
    expires = now + LIFETIME
    with writer(engine).begin() as conn:
        conn.execute(
            sessions.insert().values(
                token_hash=_hash(session_token),
                login=principal.id,
                created_at=naive_utc(now),
                expires_at=naive_utc(expires),
                ended=False,
            )
        )
        accounts.record_session(conn, _hash(session_token), now)
    return Session(session_token, principal, expires)


# Built once: every request asks it, and building a statement costs more than running it.
_WHO = (
    select(users, sessions.c.expires_at, sessions.c.ended, sessions.c.read_after)
    .join(sessions, sessions.c.login == users.c.login)
    .where(sessions.c.token_hash == bindparam("token_hash"))
)


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    read_after: str | None  # the primary's WAL position after the user's last write (with a replica)


def signed_in(engine: Engine, token: str, now: datetime) -> SignedIn | None:
    """The signed-in user a session token stands for, and what their reads must show; None
    for a token unknown, expired, ended, or of a disabled user. Read on the primary: a
    session ended or a user disabled stops at once."""
    if not token or len(token) > 200:
        return None
    with engine.connect() as conn:
        row = conn.execute(_WHO, {"token_hash": _hash(token)}).first()
    if row is None or row.ended or row.disabled or naive_utc(now) >= row.expires_at:
        return None
    return SignedIn(users_service.principal_of_row(row), row.read_after)


def principal_of(engine: Engine, token: str, now: datetime) -> Principal | None:
    """The signed-in user a session token stands for, or None (unknown, expired, ended, disabled)."""
    found = signed_in(engine, token, now)
    return found.principal if found else None


def remember_writes(engine: Engine, token: str) -> None:
    """After the session's user wrote (their transaction committed): keep the primary's WAL
    position now in the session, which the user's next reads wait for a replica to pass
    (`replicas.Reading.for_user`). PostgreSQL only; committed without waiting for the disk:
    a crash losing it costs a read that may lag, nothing stored."""
    adapter = adapters.of(engine)
    remember = text(f"UPDATE sessions SET read_after = {adapter.write_position()} WHERE token_hash = :token_hash")
    with engine.begin() as conn:
        adapter.relax_durability(conn)
        conn.execute(remember, {"token_hash": _hash(token)})


def close(engine: Engine, token: str, now: datetime | None = None) -> None:
    """Sign out: the session ends for good (unknown tokens are ignored)."""
    with writer(engine).begin() as conn:
        ended = sessions.c.ended.is_(False)
        done = conn.execute(sessions.update().where(sessions.c.token_hash == _hash(token), ended).values(ended=True))
        if done.rowcount:
            accounts.record_session(conn, _hash(token), now or datetime.now(UTC), ended=True)
