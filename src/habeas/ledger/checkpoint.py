"""Checkpoints: a signed statement "the event log up to position N has head hash H, and the
read log up to M has head R" (design §2), Ed25519. Pure: the key is handed in as bytes.

The statement is canonical JSON (`chain.canonical_json`) of every member but `signature`;
the signature is over those bytes. The public key travels in the statement, but a
verifier that is handed the published key (`trusted`) refuses a statement signed by another.
"""

from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from habeas.ledger.chain import canonical_json

FORMAT = "habeas-checkpoint/1"


class Forged(ValueError):
    """Not a checkpoint signed by the key: the message says what is wrong."""


def statement(events: tuple[int, str], reads: tuple[int, str], signed_at: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "events": {"position": events[0], "hash": events[1]},
        "reads": {"position": reads[0], "hash": reads[1]},
        "signed_at": signed_at,
    }


def _signed_bytes(checkpoint: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in checkpoint.items() if k != "signature"}).encode("utf-8")


def sign(unsigned: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    public = private_key.public_key().public_bytes_raw().hex()
    body = {**unsigned, "public_key": public}
    return {**body, "signature": private_key.sign(_signed_bytes(body)).hex()}


def check(checkpoint: Any, trusted: bytes | None = None) -> dict[str, Any]:
    """The checkpoint, if its signature holds (and it was signed by `trusted`, if given)."""
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise Forged(f"not a {FORMAT} statement")
    try:
        for log in ("events", "reads"):
            position, digest = checkpoint[log]["position"], checkpoint[log]["hash"]
            if not isinstance(position, int) or isinstance(position, bool) or position < 0:
                raise Forged(f"{log}.position: not a position")
            bytes.fromhex(digest)
        key = bytes.fromhex(checkpoint["public_key"])
        signature = bytes.fromhex(checkpoint["signature"])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, Forged):
            raise
        raise Forged(f"malformed checkpoint: {exc!r}") from None
    if trusted is not None and key != trusted:
        raise Forged("signed by another key than the one given")
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, _signed_bytes(checkpoint))
    except (InvalidSignature, ValueError):
        raise Forged("the signature does not match the statement") from None
    return checkpoint
