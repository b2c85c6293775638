"""Users: who may sign in, with which role, agency and region (issue 9).

A user is added by someone holding `user:admin` (the local operator) and gets a token,
shown once; only its argon2 hash is stored, and neither is ever logged. Signing in checks
the token; a wrong one, a disabled user or an unknown login is refused alike, with one
message; failures are counted per user and slowed down by `services.throttle`, never a lock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select

from habeas.access import policy as access
from habeas.access.facts import Principal
from habeas.db.engine import writer
from habeas.db.schema import users
from habeas.domain.events import IDENTIFIER
from habeas.domain.vocabulary import ROLES
from habeas.law.package import Law
from habeas.ledger import accounts
from habeas.projections.base import naive_utc
from habeas.services import guard

HASHER = PasswordHasher()
_NO_ONE = HASHER.hash("no such user")  # checked for an unknown login, so it takes as long


class UserError(ValueError):
    """A user that cannot be added or changed as asked (the message says why)."""


class SignInRefused(PermissionError):
    pass


def operator(login: str) -> Principal:
    """The local operator: whoever runs the command line on this machine, role `admin`."""
    return Principal(login, "admin", "local")


@dataclass(frozen=True)
class NewUser:
    login: str
    token: str  # shown once, never stored


def add(
    engine: Engine,
    law: Law,
    by: Principal,
    now: datetime,
    login: str,
    role: str,
    agency: str | None = None,
    region: str | None = None,
    person: tuple[str, str] | None = None,
    title: str | None = None,
) -> NewUser:
    if not IDENTIFIER.match(login or ""):
        raise UserError(f"login {login!r}: letters, digits and . _ - only, beginning with a letter or digit")
    if role not in ROLES:
        raise UserError(f"role {role!r}: one of {', '.join(ROLES)}")
    if role == "person" and person is None:
        raise UserError("a person's user needs --person CASE:PARTY (the case and their party id in it)")
    if title is not None and title not in access.titles_of(access.of(law), role):
        held = access.titles_of(access.of(law), role)
        raise UserError(f"title {title!r}: a {role} may hold {', '.join(held) if held else 'no title'}")
    token = secrets.token_urlsafe(24)
    _admin(engine, law, by, now, f"user:add {login}")
    with writer(engine).begin() as conn:
        if conn.execute(select(users.c.login).where(users.c.login == login)).first() is not None:
            raise UserError(f"user {login!r} already exists")
        conn.execute(
            users.insert().values(
                login=login,
                role=role,
                agency=agency,
                region=region,
                person_case=person[0] if person else None,
                person_party=person[1] if person else None,
                title=title,
                secret_hash=HASHER.hash(token),
                disabled=False,
                created_at=naive_utc(now),
            )
        )
        accounts.record_user(conn, (by.id, by.role), now, "user.added", login)
    return NewUser(login, token)


def listed(engine: Engine, law: Law, by: Principal, now: datetime) -> list[dict]:
    _admin(engine, law, by, now, "user:list")
    with engine.connect() as conn:
        rows = conn.execute(select(users).order_by(users.c.login)).fetchall()
    return [
        {
            "login": r.login,
            "role": r.role,
            "agency": r.agency,
            "region": r.region,
            "person": f"{r.person_case}:{r.person_party}" if r.person_case else None,
            "title": r.title,
            "disabled": bool(r.disabled),
            "created_at": r.created_at.isoformat() + "Z",
        }
        for r in rows
    ]


def renew_token(engine: Engine, law: Law, by: Principal, now: datetime, login: str) -> str:
    """A new token for `login` (a lost one, or the demo's users on a second run): the old
    token stops working, the user's sessions stay until they expire. Shown once, as `add`."""
    _admin(engine, law, by, now, f"user:renew {login}")
    token = secrets.token_urlsafe(24)
    with writer(engine).begin() as conn:
        done = conn.execute(
            users.update().where(users.c.login == login).values(secret_hash=HASHER.hash(token), failures=0)
        )
        if done.rowcount == 0:
            raise UserError(f"no user {login!r}")
        accounts.record_user(conn, (by.id, by.role), now, "user.token_renewed", login)
    return token


def disable(engine: Engine, law: Law, by: Principal, now: datetime, login: str) -> None:
    _admin(engine, law, by, now, f"user:disable {login}")
    with writer(engine).begin() as conn:
        done = conn.execute(users.update().where(users.c.login == login).values(disabled=True))
        if done.rowcount == 0:
            raise UserError(f"no user {login!r}")
        accounts.record_user(conn, (by.id, by.role), now, "user.disabled", login)


def _admin(engine: Engine, law: Law, by: Principal, now: datetime, what: str) -> None:
    """Raises `guard.Refused` unless `by` holds `user:admin`; the refused attempt is recorded."""
    decision = guard.decide(law, by, "user:admin")
    if decision.allowed:
        return
    with writer(engine).begin() as conn:
        guard.record(conn, by, decision, now, what, None)
    raise guard.Refused(decision.reason)


def sign_in(engine: Engine, login: str, token: str, now: datetime) -> Principal:
    """The user `login` if `token` is theirs and they are not disabled; SignInRefused else,
    with one message whatever the reason (no telling which logins exist). A failure adds
    one to the user's count of failures in a row (`failures`), and nothing to the read log:
    a failed sign-in reads no one's data, and writing each one let anyone flood the log.
    Slowing failures down is the callers' (`services.throttle`)."""
    if not IDENTIFIER.match(login or ""):  # no such login can exist: checked as an unknown one
        _checks(None, token)
        raise SignInRefused(REFUSED)
    with writer(engine).begin() as conn:
        row = conn.execute(select(users).where(users.c.login == login)).first()
        if _checks(row, token):
            if row.failures or row.blocked_until is not None:
                conn.execute(users.update().where(users.c.login == login).values(failures=0, blocked_until=None))
            return principal_of_row(row)
        if row is not None:
            conn.execute(users.update().where(users.c.login == login).values(failures=users.c.failures + 1))
    raise SignInRefused(REFUSED)


REFUSED = "wrong login or token"


def failures_of(engine: Engine, login: str) -> int:
    """The user's failed sign-ins in a row (0 for an unknown login)."""
    if not IDENTIFIER.match(login or ""):
        return 0
    with engine.connect() as conn:
        return conn.execute(select(users.c.failures).where(users.c.login == login)).scalar() or 0


def _checks(row, token: str) -> bool:
    try:
        HASHER.verify(row.secret_hash if row is not None else _NO_ONE, token or "")
    except (VerificationError, InvalidHashError):
        return False
    return row is not None and not row.disabled


def principal_of_row(row) -> Principal:
    person = (row.person_case, row.person_party) if row.person_case else None
    return Principal(row.login, row.role, row.agency, row.region, person, row.title)
