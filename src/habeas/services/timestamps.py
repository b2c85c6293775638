"""Asking an RFC 3161 timestamp authority to countersign a checkpoint (`HABEAS_TSA_URL`).

The request and the reading of the answer are `ledger.timestamp`'s; this sends it, over
HTTP(S) as RFC 3161 §3.4 says (`application/timestamp-query`).
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

from habeas.ledger import timestamp

TIMEOUT = 30  # seconds: a checkpoint waits for its timestamp, not for ever


class Unanswered(OSError):
    """The timestamp authority could not be asked, or did not answer as RFC 3161 says."""


def authority(url: str) -> Callable[[bytes], dict[str, Any]]:
    """A countersigner for `checkpoints.make`: the authority at `url` timestamps the bytes."""

    def countersign(data: bytes) -> dict[str, Any]:
        body, nonce = timestamp.request(data)
        asked = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/timestamp-query"}
        )
        try:
            with urllib.request.urlopen(asked, timeout=TIMEOUT) as answer:  # noqa: S310 (configured URL)
                response = answer.read()
        except OSError as exc:
            raise Unanswered(f"timestamp authority {url}: {exc}") from None
        try:
            return timestamp.stamp(url, response, nonce, data)
        except ValueError as exc:
            raise Unanswered(f"timestamp authority {url}: {exc}") from None

    return countersign
