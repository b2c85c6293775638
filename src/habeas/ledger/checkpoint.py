"""Checkpoints: a signed statement "the event log up to position N has head hash H, the read
log up to M has head R, the account log up to A has head C" (design §2), Ed25519. Pure: the
key is handed in, files are read by the caller.

The statement is canonical JSON (`chain.canonical_json`) of every member but `signature`
and `timestamp`; the signature is over those bytes. The public key travels in the
statement, but a verifier refuses a statement signed by any key other than the one it was
given (`trusted`).

**Published checkpoints.** `habeas checkpoint` appends each checkpoint, as one line of
canonical JSON, to a checkpoint log kept outside the database (a file on another machine,
an object store, a mailing list's archive). Each names the one before it (`previous`: the
SHA-256 of that line) and may carry an RFC 3161 timestamp (`timestamp`: a countersignature
of the signed bytes by a timestamp authority). `published` checks such a log whole: every
line signed by the trusted key, chained to the one before, and none older than the one
before (its time, or a log's position, going back): so a checkpoint signed after a rewrite
and backdated cannot be slipped in, and one older than the last published is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from habeas.ledger.chain import canonical_json

FORMAT_1 = "habeas-checkpoint/1"  # events and reads
FORMAT = "habeas-checkpoint/2"  # and the account log, and the previous published checkpoint
FORMATS = (FORMAT_1, FORMAT)
LOGS = {FORMAT_1: ("events", "reads"), FORMAT: ("events", "reads", "accounts")}
UNSIGNED = ("signature", "timestamp")  # members outside the signed bytes


class Forged(ValueError):
    """Not a checkpoint signed by the key: the message says what is wrong."""


def statement(
    events: tuple[int, str],
    reads: tuple[int, str],
    signed_at: str,
    accounts: tuple[int, str] = (0, bytes(32).hex()),
    previous: str | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "events": {"position": events[0], "hash": events[1]},
        "reads": {"position": reads[0], "hash": reads[1]},
        "accounts": {"position": accounts[0], "hash": accounts[1]},
        "previous": previous,
        "signed_at": signed_at,
    }


def signed_bytes(checkpoint: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in checkpoint.items() if k not in UNSIGNED}).encode("utf-8")


def sign(unsigned: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    public = private_key.public_key().public_bytes_raw().hex()
    body = {**unsigned, "public_key": public}
    return {**body, "signature": private_key.sign(signed_bytes(body)).hex()}


def line(checkpoint: dict[str, Any]) -> str:
    """The checkpoint as a line of the checkpoint log (canonical JSON, no newline)."""
    return canonical_json(checkpoint)


def digest(checkpoint: dict[str, Any]) -> str:
    """What the next published checkpoint names as its `previous`: the SHA-256 of this one's line."""
    return hashlib.sha256(line(checkpoint).encode("utf-8")).hexdigest()


def logs(checkpoint: dict[str, Any]) -> tuple[str, ...]:
    """The logs a (checked) checkpoint signs a position of."""
    return LOGS[checkpoint["format"]]


def check(checkpoint: Any, trusted: bytes | None = None) -> dict[str, Any]:
    """The checkpoint, if its signature holds (and it was signed by `trusted`, if given)."""
    if not isinstance(checkpoint, dict) or checkpoint.get("format") not in FORMATS:
        raise Forged(f"not a {FORMAT} statement")
    try:
        for log in LOGS[checkpoint["format"]]:
            position, hashed = checkpoint[log]["position"], checkpoint[log]["hash"]
            if not isinstance(position, int) or isinstance(position, bool) or position < 0:
                raise Forged(f"{log}.position: not a position")
            bytes.fromhex(hashed)
        if not isinstance(checkpoint["signed_at"], str):
            raise Forged("signed_at: not a time")
        previous = checkpoint.get("previous")
        if previous is not None:
            bytes.fromhex(previous)
        key = bytes.fromhex(checkpoint["public_key"])
        signature = bytes.fromhex(checkpoint["signature"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, Forged):
            raise
        raise Forged(f"malformed checkpoint: {exc!r}") from None
    if trusted is not None and key != trusted:
        raise Forged("signed by another key than the one given")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, signed_bytes(checkpoint))
    except (InvalidSignature, ValueError):
        raise Forged("the signature does not match the statement") from None
    return checkpoint


def _position(checkpoint: dict[str, Any], log: str) -> int:
    return checkpoint[log]["position"] if log in logs(checkpoint) else 0


def older(checkpoint: dict[str, Any], than: dict[str, Any]) -> str | None:
    """How `checkpoint` is older than `than` (signed earlier, or a log's position behind), or None.
    Times are compared as signed: `signed_at` is always written in UTC, `…Z`."""
    if checkpoint["signed_at"] < than["signed_at"]:
        return f"signed at {checkpoint['signed_at']}, before {than['signed_at']}"
    for log in ("events", "reads", "accounts"):
        if _position(checkpoint, log) < _position(than, log):
            return f"its {log} position {_position(checkpoint, log)} is behind {_position(than, log)}"
    return None


def published(lines: Iterable[str], trusted: bytes) -> list[dict[str, Any]]:
    """Every checkpoint of a checkpoint log, in order, once the whole log holds: each line a
    checkpoint signed by `trusted`, naming the line before it, and not older than it.
    Raises Forged naming the first line that does not hold."""
    found: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            checkpoint = check(json.loads(text), trusted)
        except ValueError as exc:  # Forged, or not JSON
            raise Forged(f"checkpoint log line {number}: {exc}") from None
        named = checkpoint.get("previous")
        if previous is None and found == [] and named is not None:
            pass  # the log may begin after an earlier, archived part: its first line names it
        elif previous is not None and named != digest(previous):
            raise Forged(f"checkpoint log line {number}: does not name the checkpoint before it")
        if previous is not None and (why := older(checkpoint, previous)) is not None:
            raise Forged(f"checkpoint log line {number}: older than the one before it ({why})")
        found.append(checkpoint)
        previous = checkpoint
    return found


def not_older_than_published(checkpoint: dict[str, Any], log: list[dict[str, Any]]) -> None:
    """Refuse a checkpoint older than the last published one, unless it is one of those
    published (a checkpoint signed later and backdated is neither)."""
    if not log:
        return
    if any(signed_bytes(checkpoint) == signed_bytes(p) for p in log):
        return
    why = older(checkpoint, log[-1])
    if why is not None:
        raise Forged(f"older than the last published checkpoint and not among the published ({why})")
