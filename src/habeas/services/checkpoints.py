"""Signed checkpoints of both logs: made, and checked against the database.

The signing key is created by `habeas init` outside the database (`config.signing_key_path`:
a file beside a SQLite database, or where $HABEAS_SIGNING_KEY says), private key readable
by its owner only, the public key beside it (`.pub`, PEM) to publish.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from habeas.access.facts import Principal
from habeas.db.engine import writer
from habeas.domain.events import utc_iso
from habeas.law.package import Law
from habeas.ledger import checkpoint as signed
from habeas.ledger import reads, store
from habeas.ledger.chain import GENESIS, ChainWalker, link
from habeas.services import guard, maintenance

Forged = signed.Forged


class NoKey(FileNotFoundError):
    pass


def public_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".pub")


def ensure_key(key_path: Path) -> bool:
    """Create the signing key pair if there is none; True when created."""
    if key_path.exists():
        return False
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    public_path(key_path).write_bytes(public)
    return True


def _private(key_path: Path) -> Ed25519PrivateKey:
    if not key_path.exists():
        raise NoKey(f"no signing key at {key_path}: `habeas init` creates one")
    return serialization.load_pem_private_key(key_path.read_bytes(), password=None)


def public_key(key_path: Path) -> bytes:
    return _private(key_path).public_key().public_bytes_raw()


def make(engine: Engine, law: Law, by: Principal, now: datetime, key_path: Path) -> dict:
    """Sign the heads of both logs as they are, once both chains are walked and hold
    (`checkpoint:write`; a refusal is recorded). Raises ValueError for a broken log."""
    decision = guard.decide(law, by, "checkpoint:write")
    if not decision.allowed:
        with writer(engine).begin() as conn:
            guard.record(conn, by, decision, now, "checkpoint", None)
        raise guard.Refused(decision.reason)
    key = _private(key_path)
    checked = maintenance.verify(engine)
    if not checked.intact:
        raise ValueError("the logs do not verify: `habeas verify` says where; no checkpoint signed")
    body = signed.statement(
        (checked.head_position, checked.head_hash),
        (checked.reads.position, checked.reads.head.hex()),
        utc_iso(now),
    )
    return signed.sign(body, key)


def verify(engine: Engine, checkpoint: object, trusted: bytes | None) -> str:
    """What the database says of a checkpoint: its signature holds, and each log's hash at
    the checkpoint's position is the one it signs. Raises Forged (naming what is wrong)."""
    statement = signed.check(checkpoint, trusted)
    with engine.connect() as conn:
        event_hash = _event_hash_at(conn, statement["events"]["position"])
        read_hash = _read_hash_at(conn, statement["reads"]["position"])
    for log, found in (("events", event_hash), ("reads", read_hash)):
        position = statement[log]["position"]
        if found is None:
            raise Forged(f"the {log} log does not reach position {position}, or is broken before it")
        if found != statement[log]["hash"]:
            raise Forged(f"the {log} log at position {position} is not what the checkpoint signs")
    return f"events up to {statement['events']['position']} and reads up to {statement['reads']['position']} match"


def _event_hash_at(conn, position: int) -> str | None:
    walker = ChainWalker()
    if position == 0:
        return GENESIS.hex()
    for page in store.iter_pages(conn):
        if not walker.walk([r for r in page if r[0] <= position]):
            return None
        if walker.position >= position:
            return walker.head.hex()
    return None


def _read_hash_at(conn, position: int) -> str | None:
    digest, at = GENESIS, 0
    if position == 0:
        return digest.hex()
    for row in reads.rows(conn):
        if row.id != at + 1:
            return None
        digest, at = link(digest, reads.canonical(row.id, row)), row.id
        if digest.hex() != row.hash:
            return None
        if at == position:
            return digest.hex()
    return None
