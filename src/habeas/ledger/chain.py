"""The hash chain: canonical bytes of a stored record and the link between records.

Each record's hash is SHA-256 over the previous record's hash (32 zero bytes for
the first) followed by the record's canonical bytes: JSON with sorted keys, no
spaces, UTF-8, timestamps in UTC ISO 8601 (design §3). The offset an event was
recorded with is kept beside its UTC time so the local time is protected too.

`canonical_row` builds the same bytes straight from the stored column texts
(actor, registrar and data are stored as canonical JSON already), so `verify`
never parses JSON: it stays as fast as reading and hashing the rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring  # C-accelerated; ensure_ascii=False spelling
from typing import Any

import msgspec

GENESIS = bytes(32)


# One encoder for the process: json.dumps with options builds a new encoder per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# msgspec writes the same text for every value without a float, 7x faster; a float it may
# spell otherwise (1e16 where Python writes 1e+16), and the chain's bytes are Python's.
_SORTED = msgspec.json.Encoder(order="sorted")


def canonical_json(value: Any, floats: bool = True) -> str:
    """The one spelling of a JSON value: sorted keys, no spaces, UTF-8 text.

    `floats=False` is the caller's promise that the value holds no float (e.g. the data of
    a kind in `vocabulary.KINDS_WITHOUT_FLOATS`, as validated)."""
    return _CANONICAL.encode(value) if floats else _SORTED.encode(value).decode()


def canonical_row(
    position: int,
    event_id: str,
    stream: str,
    version: int,
    kind: str,
    occurred_at: str,
    utc_offset: str,
    recorded_at: str,
    actor: str,
    registrar: str | None,
    data: str,
) -> bytes:
    """Canonical bytes of a record, from its stored columns (keys in sorted order)."""
    q = encode_basestring
    return (
        f'{{"actor":{actor},"data":{data},"id":{q(event_id)},"kind":{q(kind)},"occurred_at":{q(occurred_at)},'
        f'"offset":{q(utc_offset)},"position":{position},"recorded_at":{q(recorded_at)},'
        f'"registrar":{"null" if registrar is None else registrar},"stream":{q(stream)},"version":{version}}}'
    ).encode()


def canonical_record(record: Mapping[str, Any]) -> bytes:
    """The reference definition: the same bytes via json.dumps (used by tests and tools)."""
    return canonical_json(record).encode("utf-8")


def link(previous_hash: bytes, canonical: bytes) -> bytes:
    """The hash of a record: SHA-256(previous hash || canonical bytes)."""
    return hashlib.sha256(previous_hash + canonical).digest()


@dataclass(frozen=True, slots=True)
class Break:
    """Where the chain stops being the chain: first bad position and why.

    Position 0 is no event: it names the chain head record (missing, or not the chain's)."""

    position: int
    reason: str


class ChainWalker:
    """Folds rows in position order and reports the first break, if any."""

    __slots__ = ("head", "position", "count", "broken")

    def __init__(self) -> None:
        self.head = GENESIS
        self.position = 0
        self.count = 0
        self.broken: Break | None = None

    def walk(self, rows) -> bool:
        """Check rows (canonical_row's arguments, then the stored hash); False once the chain breaks."""
        head, position, sha256 = self.head, self.position, hashlib.sha256
        try:
            for row in rows:
                if row[0] != position + 1:
                    self.broken = Break(position + 1, f"position {position + 1} is missing (next stored is {row[0]})")
                    return False
                digest = sha256(head + canonical_row(*row[:11])).digest()
                if digest.hex() != row[11]:
                    self.broken = Break(row[0], "hash does not match the stored record")
                    return False
                head, position = digest, row[0]
                self.count += 1
            return True
        finally:
            self.head, self.position = head, position
