"""`python -m habeas.verify_export LOG.jsonl CHECKPOINT [--key PUBLIC_KEY]`: an outsider's check.

With only an export of the log (`habeas export --format log`), a checkpoint and the
register's published public key, confirm that nothing up to the checkpoint was changed:
every record's canonical bytes are rebuilt from the export and chained from 32 zero bytes
(`ledger.chain`), and the hash at the checkpoint's position must be the one it signs.
No database and no SQLAlchemy: this reads two files. Exit 0 when they agree, 1 when not
(naming the first line that is wrong), 2 for unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from habeas.ledger.chain import GENESIS, canonical_json, canonical_row, link
from habeas.ledger.checkpoint import Forged, check


def read_key(path: Path) -> bytes:
    text = path.read_bytes()
    if text.startswith(b"-----BEGIN"):
        return serialization.load_pem_public_key(text).public_bytes_raw()
    return bytes.fromhex(text.decode().strip())


def verify(lines, checkpoint: dict) -> tuple[bool, str]:
    """Walk the exported records up to the checkpoint's position; (agrees, what was found)."""
    want, signed = checkpoint["events"]["position"], checkpoint["events"]["hash"]
    head, position = GENESIS, 0
    for number, line in enumerate(lines, start=1):
        if position == want:
            break
        try:
            r = json.loads(line)
            row = (
                r["position"],
                r["id"],
                r["stream"],
                r["version"],
                r["kind"],
                r["occurred_at"],
                r["offset"],
                r["recorded_at"],
                canonical_json(r["actor"]),
                None if r["registrar"] is None else canonical_json(r["registrar"]),
                canonical_json(r["data"]),
            )
        except (ValueError, KeyError, TypeError):
            return False, f"line {number}: not a stored record (export with --format log)"
        if row[0] != position + 1:
            return False, f"line {number}: position {row[0]} where {position + 1} was due"
        head = link(head, canonical_row(*row))
        if head.hex() != r.get("hash"):
            return False, f"line {number}: position {row[0]} is not what was chained"
        position = row[0]
    if position != want:
        return False, f"the export ends at position {position}, before the checkpoint's {want}"
    if head.hex() != signed:
        return False, f"the hash at position {want} is not the one the checkpoint signs"
    return True, f"intact up to position {want}, head {signed}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m habeas.verify_export", description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="the export: habeas export --format log")
    parser.add_argument("checkpoint", type=Path, help="a checkpoint: habeas checkpoint --out FILE")
    parser.add_argument("--key", type=Path, help="the register's published public key (PEM or hex)")
    args = parser.parse_args(argv)
    try:
        trusted = read_key(args.key) if args.key else None
        checkpoint = check(json.loads(args.checkpoint.read_text(encoding="utf-8")), trusted)
    except Forged as exc:
        print(f"checkpoint refused: {exc}")
        return 1
    except (OSError, ValueError) as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return 2
    if trusted is None:
        print(f"note: no --key given; signed by {checkpoint['public_key']}: compare it with the published key")
    with args.log.open(encoding="utf-8") as handle:
        agrees, said = verify(handle, checkpoint)
    print(said if agrees else f"broken: {said}")
    return 0 if agrees else 1


if __name__ == "__main__":
    sys.exit(main())
