"""Signed checkpoints of the three logs: made, published, and checked against the database.

The signing key lives where the configuration says ($HABEAS_SIGNING_KEY), never beside
a SQLite database (whoever can write the database must not find the key that vouches for
it there): `create_key` (`habeas checkpoint keygen`) makes it, private key readable by its
owner only, the public key beside it (`.pub`, PEM) to publish; nothing makes one silently.

A checkpoint made with a checkpoint log (`publish`, $HABEAS_CHECKPOINT_LOG) names the last
one published there, may be countersigned by an RFC 3161 timestamp authority, and is
appended to it (`services.publication`). `verify_published` checks the database against
every published checkpoint: a rewrite of anything before the last one, however carefully
its hashes were recomputed, no longer matches what was published.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from habeas.access.facts import Principal
from habeas.db import adapters
from habeas.db.engine import writer
from habeas.domain.events import utc_iso
from habeas.law.package import Law
from habeas.ledger import accounts, reads, store, timestamp
from habeas.ledger import checkpoint as signed
from habeas.ledger.chain import GENESIS, ChainWalker, link
from habeas.services import guard, maintenance, publication

Forged = signed.Forged


class NoKey(FileNotFoundError):
    pass


class KeyRefused(ValueError):
    """A signing key that cannot be made or used where it is (the message says why)."""


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def beside_database(key_path: Path, url: str | None) -> bool:
    """Whether the key would lie in a SQLite database's own folder."""
    folder = adapters.database_folder(url)
    return folder is not None and key_path.resolve().parent == folder


def create_key(key_path: Path | None, url: str | None = None) -> Path:
    """Make the signing key pair at `key_path`; never over an existing one, never beside the
    database. Raises NoKey (no place configured), KeyRefused or OSError."""
    if key_path is None:
        raise NoKey("no signing key configured: set HABEAS_SIGNING_KEY to a path outside the database's folder")
    if beside_database(key_path, url):
        raise KeyRefused(f"{key_path} lies in the database's folder: keep the signing key elsewhere")
    if key_path.exists() or public_path(key_path).exists():
        raise KeyRefused(f"a signing key exists at {key_path}: it is kept, not replaced")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    public_path(key_path).write_bytes(public)
    return key_path


def ensure_key(key_path: Path) -> bool:
    """Create the key pair if there is none (tests and tools); True when created."""
    if key_path.exists():
        return False
    create_key(key_path)
    return True


def key_status(key_path: Path | None, url: str | None = None) -> str:
    """What `habeas init` says of the signing key: where it is, or how to make one."""
    if key_path is None:
        return (
            "signing key: none configured (set HABEAS_SIGNING_KEY to a path outside the database's folder,"
            " then run `habeas checkpoint keygen`)"
        )
    if not key_path.exists():
        return f"signing key: none at {key_path} (`habeas checkpoint keygen` makes it)"
    where = " (in the database's folder: move it out)" if beside_database(key_path, url) else ""
    return f"signing key: {key_path}{where} (publish {public_path(key_path)})"


def _private(key_path: Path | None, url: str | None = None) -> Ed25519PrivateKey:
    if key_path is None:
        raise NoKey("no signing key configured: set HABEAS_SIGNING_KEY (`habeas checkpoint keygen` makes one)")
    if not key_path.exists():
        raise NoKey(f"no signing key at {key_path}: `habeas checkpoint keygen` makes one")
    if beside_database(key_path, url):
        raise KeyRefused(
            f"the signing key {key_path} lies in the database's folder: move it out, set HABEAS_SIGNING_KEY"
        )
    return serialization.load_pem_private_key(key_path.read_bytes(), password=None)


def public_key(key_path: Path | None) -> bytes:
    if key_path is not None and public_path(key_path).exists():
        return serialization.load_pem_public_key(public_path(key_path).read_bytes()).public_bytes_raw()
    return _private(key_path).public_key().public_bytes_raw()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def make(
    engine: Engine,
    law: Law,
    by: Principal,
    now: datetime,
    key_path: Path | None,
    publish: Path | None = None,
    countersign: Callable[[bytes], dict[str, Any]] | None = None,
) -> dict:
    """Sign the heads of the three logs as they are, once every chain is walked and holds
    (`checkpoint:write`; a refusal is recorded). With `publish`, the checkpoint names the
    last one published there and is appended to it; with `countersign` (an RFC 3161
    authority, `services.timestamps`), it carries the authority's timestamp of its bytes.
    Raises ValueError for a broken log, Forged for a checkpoint log that does not hold."""
    decision = guard.decide(law, by, "checkpoint:write")
    if not decision.allowed:
        with writer(engine).begin() as conn:
            guard.record(conn, by, decision, now, "checkpoint", None)
        raise guard.Refused(decision.reason)
    key = _private(key_path, _url(engine))
    checked = maintenance.verify(engine)
    if not checked.intact:
        raise ValueError("the logs do not verify: `habeas verify` says where; no checkpoint signed")

    def signed_after(last: dict[str, Any] | None) -> dict[str, Any]:
        previous = None
        if last is not None:
            signed.check(last, key.public_key().public_bytes_raw())
            previous = signed.digest(last)
        body = signed.statement(
            (checked.head_position, checked.head_hash),
            (checked.reads.position, checked.reads.head.hex()),
            utc_iso(now),
            (checked.accounts.position, checked.accounts.head.hex()),
            previous,
        )
        made = signed.sign(body, key)
        if last is not None and (why := signed.older(made, last)) is not None:
            raise ValueError(
                f"the last published checkpoint is newer ({why}): the logs were cut, or the clock is behind"
            )
        if countersign is not None:
            made["timestamp"] = countersign(signed.line(made).encode("utf-8"))
        return made

    if publish is None:
        return signed_after(None)
    return publication.append(publish, signed_after)


def verify(engine: Engine, checkpoint: object, trusted: bytes | None, log: list[dict] | None = None) -> str:
    """What the database says of a checkpoint: its signature holds, it is not older than the
    last of a published `log` (unless one of them), and each log's hash at the checkpoint's
    position is the one it signs. Raises Forged (naming what is wrong)."""
    statement = signed.check(checkpoint, trusted)
    if log is not None:
        signed.not_older_than_published(statement, log)
    mismatch = _mismatches(engine, [statement])
    if mismatch:
        raise Forged(mismatch[0])
    said = " and ".join(f"{name} up to {statement[name]['position']}" for name in signed.logs(statement))
    return f"{said} match"


def verify_published(engine: Engine, log: list[dict]) -> list[str]:
    """Where the database is not what the published checkpoints sign (empty: it is)."""
    return _mismatches(engine, log)


def _mismatches(engine: Engine, checkpoints_: list[dict]) -> list[str]:
    wanted: dict[str, set[int]] = {"events": set(), "reads": set(), "accounts": set()}
    for statement in checkpoints_:
        for name in signed.logs(statement):
            wanted[name].add(statement[name]["position"])
    with engine.connect() as conn:
        found = {
            "events": _event_hashes(conn, wanted["events"]),
            "reads": _chained_hashes(
                reads.rows(conn), wanted["reads"], lambda r: r.id, lambda r: reads.canonical(r.id, r)
            ),
            "accounts": _chained_hashes(
                accounts.rows(conn),
                wanted["accounts"],
                lambda r: r.id,
                lambda r: accounts.canonical(r.id, r.at, r.by_id, r.by_role, r.kind, r.login, r.detail),
            ),
        }
    problems = []
    for number, statement in enumerate(checkpoints_, start=1):
        for name in signed.logs(statement):
            position = statement[name]["position"]
            at = found[name].get(position)
            which = f"checkpoint {number} of {len(checkpoints_)} (signed {statement['signed_at']})"
            if at is None:
                problems.append(f"the {name} log does not reach position {position}, or is broken before it: {which}")
            elif at != statement[name]["hash"]:
                problems.append(f"the {name} log at position {position} is not what {which} signs")
    return problems


def _event_hashes(conn, positions: set[int]) -> dict[int, str]:
    found = {0: GENESIS.hex()} if 0 in positions else {}
    last = max(positions, default=0)
    if last == 0:
        return found
    walker = ChainWalker()
    marks = sorted(positions)
    for page in store.iter_pages(conn):
        start = 0
        for mark in [m for m in marks if page[0][0] <= m <= page[-1][0]]:
            cut = mark - page[0][0] + 1  # positions are consecutive in a page that holds
            if not walker.walk(page[start:cut]):
                return found
            if walker.position == mark:
                found[mark] = walker.head.hex()
            start = cut
        if page[-1][0] > last or not walker.walk(page[start:]):
            return found
    return found


def _chained_hashes(rows, positions: set[int], position_of, canonical_of) -> dict[int, str]:
    """The chain's hash at each of `positions`, walking stored rows from the genesis (each
    rebuilt from its columns; a gap or a stored hash that disagrees stops the walk)."""
    found = {0: GENESIS.hex()} if 0 in positions else {}
    last = max(positions, default=0)
    digest, at = GENESIS, 0
    if last == 0:
        return found
    for row in rows:
        if position_of(row) != at + 1:
            return found
        digest, at = link(digest, canonical_of(row)), position_of(row)
        if digest.hex() != row.hash:
            return found
        if at in positions:
            found[at] = digest.hex()
        if at >= last:
            return found
    return found


def check_timestamps(log: list[dict], tsa_cert: Path | None) -> None:
    """Every RFC 3161 timestamp in a published log holds; given the authority's certificate
    (PEM), every checkpoint must carry one it signed. Raises Forged, OSError."""
    roots = timestamp.read_certificates(tsa_cert.read_bytes()) if tsa_cert is not None else None
    timestamp.check_published(log, roots)
