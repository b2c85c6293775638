"""`python -m habeas.verify_export LOG.jsonl [CHECKPOINT] --key PUBLIC_KEY [--checkpoints PUBLISHED]`:
an outsider's check.

With only an export of the logs (`habeas export --format log`: the event log's records,
then the read log's and the account log's), the register's published public key, and a
checkpoint or the published checkpoint log, confirm that nothing up to the checkpoint was
changed: every record's canonical bytes are rebuilt from the export and chained from 32
zero bytes (`ledger.chain`), and each log's hash at the checkpoint's position must be the
one it signs. A checkpoint signed by any other key than the one given is refused; with
the published checkpoint log (`--checkpoints`), the log must hold whole (each checkpoint
signed by the key, naming the one before, none older than the one before), a checkpoint
given must not be older than the last published one, and the export must agree with every
published checkpoint (without a CHECKPOINT, the last published is the one checked). With
`--tsa-cert`, every published checkpoint must carry an RFC 3161 timestamp by that
authority, close to the time it says it was signed.

No database and no SQLAlchemy: this reads files. Exit 0 when they agree, 1 when not
(naming the first line that is wrong), 2 for unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from habeas.ledger import checkpoint as signed
from habeas.ledger import timestamp
from habeas.ledger.chain import GENESIS, canonical_json, canonical_row, link
from habeas.ledger.checkpoint import Forged, check

LOGS = ("events", "reads", "accounts")


def read_key(path: Path) -> bytes:
    text = path.read_bytes()
    if text.startswith(b"-----BEGIN"):
        return serialization.load_pem_public_key(text).public_bytes_raw()
    return bytes.fromhex(text.decode().strip())


def _canonical(record: dict) -> tuple[str, int, bytes]:
    """(log, position, canonical bytes) of an exported record (KeyError, TypeError, ValueError)."""
    log = record.get("log", "events")
    if log == "events":
        row = (
            record["position"],
            record["id"],
            record["stream"],
            record["version"],
            record["kind"],
            record["occurred_at"],
            record["offset"],
            record["recorded_at"],
            canonical_json(record["actor"]),
            None if record["registrar"] is None else canonical_json(record["registrar"]),
            canonical_json(record["data"]),
        )
        return log, row[0], canonical_row(*row)
    if log not in LOGS:
        raise ValueError(f"unknown log {log!r}")
    body = {k: v for k, v in record.items() if k not in ("hash", "log")}
    return log, body["position"], canonical_json(body).encode("utf-8")


def verify(lines, checkpoint: dict, published: list[dict] | None = None) -> tuple[bool, str]:
    """Walk the exported records of every log; (agrees, what was found). The hash at each
    position the checkpoint (and every published checkpoint) signs must be the signed one."""
    wanted: dict[str, dict[int, list[str]]] = {log: {} for log in LOGS}
    for statement in [*(published or []), checkpoint]:
        for log in signed.logs(statement):
            wanted[log].setdefault(statement[log]["position"], []).append(statement[log]["hash"])
    heads = dict.fromkeys(LOGS, GENESIS)
    at = dict.fromkeys(LOGS, 0)
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            log, position, canonical = _canonical(record)
        except (ValueError, KeyError, TypeError, AttributeError):
            return False, f"line {number}: not a stored record (export with --format log)"
        if position != at[log] + 1:
            return False, f"line {number}: {log} position {position} where {at[log] + 1} was due"
        heads[log] = link(heads[log], canonical)
        if heads[log].hex() != record.get("hash"):
            return False, f"line {number}: {log} position {position} is not what was chained"
        at[log] = position
        if any(h != heads[log].hex() for h in wanted[log].get(position, ())):
            return False, f"the {log} hash at position {position} is not the one a checkpoint signs"
    for log in LOGS:
        for position, hashes in wanted[log].items():
            if position > at[log]:
                return False, f"the export's {log} end at position {at[log]}, before a checkpoint's {position}"
            if position == 0 and any(h != GENESIS.hex() for h in hashes):
                return False, f"the {log} hash at position 0 is not the one a checkpoint signs"
    others = ", ".join(f"{log} up to {checkpoint[log]['position']}" for log in signed.logs(checkpoint)[1:])
    events = checkpoint["events"]
    return True, f"intact up to position {events['position']}, head {events['hash']}; {others}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m habeas.verify_export", description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="the export: habeas export --format log")
    parser.add_argument("checkpoint", type=Path, nargs="?", help="a checkpoint (default: the last published)")
    parser.add_argument("--key", type=Path, required=True, help="the register's published public key (PEM or hex)")
    parser.add_argument("--checkpoints", type=Path, help="the published checkpoint log (JSON lines)")
    parser.add_argument("--tsa-cert", type=Path, help="the timestamp authority's certificate (PEM)")
    args = parser.parse_args(argv)
    if args.checkpoint is None and args.checkpoints is None:
        parser.error("give a CHECKPOINT, the published --checkpoints, or both")
    try:
        trusted = read_key(args.key)
        published = None
        if args.checkpoints is not None:
            published = signed.published(args.checkpoints.read_text(encoding="utf-8").splitlines(), trusted)
            roots = timestamp.read_certificates(args.tsa_cert.read_bytes()) if args.tsa_cert else None
            timestamp.check_published(published, roots)
        if args.checkpoint is not None:
            checkpoint = check(json.loads(args.checkpoint.read_text(encoding="utf-8")), trusted)
            signed.not_older_than_published(checkpoint, published or [])
        elif published:
            checkpoint = published[-1]
        else:
            print("checkpoint refused: the published checkpoint log is empty")
            return 1
    except Forged as exc:
        print(f"checkpoint refused: {exc}")
        return 1
    except (OSError, ValueError) as exc:
        print(f"cannot read: {exc}", file=sys.stderr)
        return 2
    with args.log.open(encoding="utf-8") as handle:
        agrees, said = verify(handle, checkpoint, published)
    print(said if agrees else f"broken: {said}")
    return 0 if agrees else 1


if __name__ == "__main__":
    sys.exit(main())
