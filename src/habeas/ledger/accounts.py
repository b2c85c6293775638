"""The account log: who may sign in, with which rights, and which sessions were opened.

`users` and `sessions` are what the services read to decide who asks; a row changed there
(a prison officer's role set to `admin`, a session inserted or prolonged) would grant
rights no one gave. So every change to them is also a record of a hash chain of its own,
built as the read log's (SHA-256 of the previous hash and the record's canonical JSON, the
first linking to 32 zero bytes; `account_head` keeps the last position so a cut tail
shows), appended in the same transaction as the change, and signed by checkpoints with
the event and read logs. `verify` walks the chain and replays it: every user's role,
agency, region, person, title, token and state, and every session's user, expiry and end,
must be what the log says. A token is kept in the log only as a fingerprint (the SHA-256
of its stored hash), so the log can be exported without handing out anything to sign in
with. The sign-in counters (`failures`, `blocked_until`) are not rights and not covered.

Not the event log: these are not facts of a case (no stream, no law judges them), they
hold credentials' fingerprints that a register's export must not carry, and signing in
must not wait for an import's append lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from habeas.db import adapters, paging
from habeas.db.schema import account_head, accounts, sessions, users
from habeas.ledger.chain import GENESIS, Break, canonical_json, link
from habeas.ledger.rows import load_json

ACCOUNTS_LOCK_KEY = 0x6861626163  # "habac": the account log's advisory lock on PostgreSQL


def fingerprint(secret: str) -> str:
    """What the log keeps of a stored credential hash: its SHA-256, never the hash itself."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def time_text(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(position: int, at: str, by_id: str, by_role: str, kind: str, login: str, detail: str) -> bytes:
    """The canonical bytes of a record (`detail` is canonical JSON already)."""
    record = {
        "at": at,
        "by": {"id": by_id, "role": by_role},
        "detail": load_json(detail),
        "kind": kind,
        "login": login,
        "position": position,
    }
    return canonical_json(record).encode("utf-8")


def record_of(row) -> dict:
    """A stored record as the outsider's export writes it (its canonical members)."""
    return {
        "at": row.at,
        "by": {"id": row.by_id, "role": row.by_role},
        "detail": load_json(row.detail),
        "kind": row.kind,
        "login": row.login,
        "position": row.id,
    }


def _lock(conn: Connection) -> None:
    adapters.of(conn).lock(conn, ACCOUNTS_LOCK_KEY)


def head(conn: Connection) -> tuple[int, bytes]:
    row = conn.execute(select(account_head.c.position, account_head.c.hash)).first()
    return (0, GENESIS) if row is None else (row.position, bytes.fromhex(row.hash))


def append(conn: Connection, by: tuple[str, str], now: datetime, kind: str, login: str, detail: dict) -> int:
    """Chain one record after the head, in the caller's (writer's) transaction; its position."""
    _lock(conn)
    position, digest = head(conn)
    position += 1
    at, spelt = time_text(now), canonical_json(detail)
    digest = link(digest, canonical(position, at, by[0], by[1], kind, login, spelt))
    conn.execute(
        accounts.insert().values(
            id=position, at=at, by_id=by[0], by_role=by[1], kind=kind, login=login, detail=spelt, hash=digest.hex()
        )
    )
    done = conn.execute(
        account_head.update().where(account_head.c.id == 1).values(position=position, hash=digest.hex())
    )
    if done.rowcount == 0:
        conn.execute(account_head.insert().values(id=1, position=position, hash=digest.hex()))
    return position


def user_detail(row) -> dict:
    """What the log says of a user row (added or adopted)."""
    person = [row.person_case, row.person_party] if row.person_case else None
    return {
        "agency": row.agency,
        "person": person,
        "region": row.region,
        "role": row.role,
        "secret": fingerprint(row.secret_hash),
        "title": row.title,
    }


def adopt(conn: Connection, now: datetime) -> int:
    """Chain the users and sessions stored before the account log existed (as `user.adopted`
    and `session.adopted` records, by `habeas init`); how many. Nothing once chained."""
    if conn.execute(select(account_head.c.id)).first() is not None:
        return 0
    count = 0
    by = ("habeas-init", "admin")
    for row in conn.execute(select(users).order_by(users.c.login)).fetchall():
        append(conn, by, now, "user.adopted", row.login, {**user_detail(row), "disabled": bool(row.disabled)})
        count += 1
    for row in conn.execute(select(sessions).order_by(sessions.c.token_hash)).fetchall():
        expires = time_text(row.expires_at)
        detail = {"ended": bool(row.ended), "expires_at": expires, "session": fingerprint(row.token_hash)}
        append(conn, by, now, "session.adopted", row.login, detail)
        count += 1
    return count


def rows(conn: Connection, after: int = 0, batch: int = 5_000) -> Iterator:
    return paging.by_id(conn, accounts, after, batch)


@dataclass
class Replay:
    """Users and sessions as the account log has them."""

    users: dict[str, dict] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)

    def apply(self, kind: str, login: str, detail: dict) -> None:
        if kind in ("user.added", "user.adopted"):
            self.users[login] = {**detail, "disabled": bool(detail.get("disabled", False))}
        elif kind == "user.token_renewed" and login in self.users:
            self.users[login]["secret"] = detail["secret"]
        elif kind == "user.disabled" and login in self.users:
            self.users[login]["disabled"] = True
        elif kind in ("session.opened", "session.adopted"):
            ended = bool(detail.get("ended", False))
            self.sessions[detail["session"]] = {"login": login, "expires_at": detail["expires_at"], "ended": ended}
        elif kind == "session.ended" and detail["session"] in self.sessions:
            self.sessions[detail["session"]]["ended"] = True


@dataclass
class AccountChain:
    count: int
    position: int
    head: bytes
    broken: Break | None
    differences: list[str]  # where `users` or `sessions` are not what the log says


def verify(conn: Connection, shown: int = 10) -> AccountChain:
    """Walk the account log, then compare `users` and `sessions` with its replay."""
    adapters.of(conn).snapshot(conn)
    stored = conn.execute(select(account_head.c.position, account_head.c.hash)).first()
    position, digest, count = 0, GENESIS, 0
    replay = Replay()
    broken = None
    for row in rows(conn):
        if row.id != position + 1:
            broken = Break(position + 1, f"account record {position + 1} is missing")
            break
        following = link(digest, canonical(row.id, row.at, row.by_id, row.by_role, row.kind, row.login, row.detail))
        if following.hex() != row.hash:
            broken = Break(row.id, "hash does not match the stored account record")
            break
        replay.apply(row.kind, row.login, load_json(row.detail))
        position, digest, count = row.id, following, count + 1
    if broken is None:
        if stored is None:
            broken = None if position == 0 else Break(0, "the account log's head is missing")
        elif stored.position > position:
            broken = Break(position + 1, f"the account log ends at {position} but its head says {stored.position}")
        elif stored.position < position:
            broken = Break(stored.position + 1, f"account record {stored.position + 1} lies past the head")
        elif stored.hash != digest.hex():
            broken = Break(stored.position, "the stored head does not match the account log")
    differences = [] if broken is not None else _differences(conn, replay, shown)
    return AccountChain(count, position, digest, broken, differences)


def _differences(conn: Connection, replay: Replay, shown: int) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    for row in conn.execute(select(users).order_by(users.c.login)):
        seen.add(row.login)
        want = replay.users.get(row.login)
        if want is None:
            found.append(f"user {row.login!r} is not in the account log")
            continue
        have = {**user_detail(row), "disabled": bool(row.disabled)}
        for key in sorted(have):
            if have[key] != want.get(key):
                what = "token" if key == "secret" else key
                found.append(f"user {row.login!r}: {what} is not what the account log says")
    found += [f"user {login!r} of the account log is missing" for login in sorted(set(replay.users) - seen)]
    kept: set[str] = set()
    for row in conn.execute(select(sessions).order_by(sessions.c.token_hash)):
        mark = fingerprint(row.token_hash)
        kept.add(mark)
        want = replay.sessions.get(mark)
        have = {"login": row.login, "expires_at": time_text(row.expires_at), "ended": bool(row.ended)}
        if want is None:
            found.append(f"a session of {row.login!r} is not in the account log")
        elif have != want:
            changed = ", ".join(k for k in sorted(have) if have[k] != want[k])
            found.append(f"a session of {row.login!r}: {changed} not what the account log says")
    missing = len(set(replay.sessions) - kept)
    if missing:
        found.append(f"{missing} session(s) of the account log are missing")
    return found[:shown] + ([f"... and {len(found) - shown} more"] if len(found) > shown else [])


# What the services call, in the transaction that changes `users` or `sessions`.


def record_user(conn: Connection, by: tuple[str, str], now: datetime, kind: str, login: str) -> None:
    """Chain a change to the user `login` as it now stands (`user.added`, `user.token_renewed`,
    `user.disabled`)."""
    row = conn.execute(select(users).where(users.c.login == login)).first()
    if row is None:
        return
    if kind == "user.added":
        detail = user_detail(row)
    elif kind == "user.token_renewed":
        detail = {"secret": fingerprint(row.secret_hash)}
    else:
        detail = {}
    append(conn, by, now, kind, login, detail)


def record_session(conn: Connection, token_hash: str, now: datetime, *, ended: bool = False) -> None:
    """Chain a session opened (or, `ended`, ended) as `sessions` now holds it."""
    row = conn.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
    if row is None:
        return
    user = conn.execute(select(users.c.role).where(users.c.login == row.login)).first()
    by = (row.login, user.role if user is not None else "unknown")
    if ended:
        append(conn, by, now, "session.ended", row.login, {"session": fingerprint(token_hash)})
    else:
        detail = {"expires_at": time_text(row.expires_at), "session": fingerprint(token_hash)}
        append(conn, by, now, "session.opened", row.login, detail)
