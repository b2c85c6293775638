"""RFC 3161 timestamps of published checkpoints: the request, and the check of a token.

A timestamp authority (TSA) countersigns the SHA-256 of a checkpoint's line (signature
included) with the time it saw it (`genTime`). A checkpoint signed after a rewrite and
backdated then carries a timestamp long after the time it claims, or none from the
authority the verifier trusts. Building the request and reading the answer is
`rfc3161-client`'s; sending it is `services.timestamps`'. No clock, no network here.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from habeas.ledger.checkpoint import Forged, line

# How long after the time a checkpoint says it was signed its timestamp may be: the
# round trip to the authority and a little clock skew; a backdated checkpoint is later.
SLACK = timedelta(minutes=10)


def request(data: bytes) -> tuple[bytes, int | None]:
    """A TimeStampReq (DER) for `data` (SHA-256, a nonce, the TSA's certificate asked for)."""
    built = TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256).build()
    return built.as_bytes(), built.nonce


def stamp(authority: str, response: bytes, nonce: int | None, data: bytes) -> dict[str, Any]:
    """What a checkpoint carries of a TSA's answer, once it answers `data` (and the nonce)."""
    decoded = decode_timestamp_response(response)
    info = decoded.tst_info
    if decoded.status not in (0, 1):
        raise ValueError(f"the timestamp authority refused: status {decoded.status}")
    if nonce is not None and info.nonce != nonce:
        raise ValueError("the timestamp authority answered another request (nonce)")
    _imprint(decoded, data)
    return {
        "authority": authority,
        "at": _utc(info.gen_time).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "token": base64.b64encode(response).decode("ascii"),
    }


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _imprint(decoded, data: bytes) -> None:
    if decoded.tst_info.message_imprint.message != hashlib.sha256(data).digest():
        raise Forged("the timestamp is of other bytes than this checkpoint's")


def check(stamped: dict[str, Any], data: bytes, signed_at: str, roots: list[x509.Certificate] | None) -> datetime:
    """The authority's time of a checkpoint's timestamp, once it holds: of `data`, signed by
    an authority whose certificate chains to one of `roots` (when given), no earlier than
    `signed_at` less the slack and no later than it plus the slack. Raises Forged."""
    try:
        decoded = decode_timestamp_response(base64.b64decode(stamped["token"], validate=True))
    except (KeyError, TypeError, ValueError) as exc:
        raise Forged(f"timestamp: not an RFC 3161 response ({exc})") from None
    _imprint(decoded, data)
    if roots:
        builder = VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        try:
            builder.build().verify_message(decoded, data)
        except VerificationError as exc:
            raise Forged(f"timestamp: not signed by the authority given ({exc})") from None
    at = _utc(decoded.tst_info.gen_time)
    claimed = datetime.fromisoformat(signed_at.replace("Z", "+00:00"))
    if at > claimed + SLACK:
        raise Forged(f"timestamped at {at.isoformat()}, long after it says it was signed ({signed_at}): backdated")
    if at < claimed - SLACK:
        raise Forged(f"timestamped at {at.isoformat()}, before it says it was signed ({signed_at})")
    return at


def check_published(log: list[dict[str, Any]], roots: list[x509.Certificate] | None) -> None:
    """Every timestamp of a published checkpoint log holds; with `roots` (the authority's
    certificate given), every checkpoint must carry one. Raises Forged naming the line."""
    for number, checkpoint in enumerate(log, start=1):
        stamped = checkpoint.get("timestamp")
        if stamped is None:
            if roots:
                raise Forged(f"checkpoint log line {number}: no timestamp from the authority given")
            continue
        unstamped = {k: v for k, v in checkpoint.items() if k != "timestamp"}
        try:
            check(stamped, line(unstamped).encode("utf-8"), checkpoint["signed_at"], roots)
        except Forged as exc:
            raise Forged(f"checkpoint log line {number}: {exc}") from None


def read_certificates(data: bytes) -> list[x509.Certificate]:
    """The certificates of a PEM file (a TSA's, or its root)."""
    return x509.load_pem_x509_certificates(data)
