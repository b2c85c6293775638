"""`habeas checkpoint [keygen|verify]`: the heads of the logs, signed and published."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from habeas import bootstrap, config
from habeas.cli.common import database, err, fail, guarded, law, out, signed_in
from habeas.cli.options import CheckpointsOption, DbOption, KeyOption, PublishOption, TsaCertOption, UserOption


def checkpoint(
    ctx: typer.Context,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write it here (default: print it).")] = None,
    publish: PublishOption = None,
    db: DbOption = None,
    reader: UserOption = None,
) -> None:
    """Sign the head position and hash of the event, read and account logs (checkpoint:write),
    and append the checkpoint to the checkpoint log when one is configured."""
    from habeas.services import checkpoints, timestamps

    if ctx.invoked_subcommand is not None:
        return
    publish = publish or config.checkpoint_log_path()
    tsa_url, _ = config.timestamp_authority()
    countersign = timestamps.authority(tsa_url) if tsa_url else None
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        try:
            made = checkpoints.make(
                engine, law(), who, bootstrap.now(), config.signing_key_path(), publish, countersign
            )
        except (checkpoints.NoKey, checkpoints.KeyRefused, timestamps.Unanswered) as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"checkpoint log {publish}: {exc}") from None
        except ValueError as exc:  # a broken log, or a checkpoint log that does not hold
            raise fail(str(exc)) from None
    text = json.dumps(made, indent=2, sort_keys=True)
    heads = f"events {made['events']['position']} and reads {made['reads']['position']}"
    if publish is not None:
        err.print(f"checkpoint of {heads} published to {publish}", highlight=False)
    if out_file is None:
        print(text)
        return
    out_file.write_text(text + "\n", encoding="utf-8")
    out.print(f"checkpoint of {heads} written to {out_file}", highlight=False)


def checkpoint_keygen(db: DbOption = None) -> None:
    """Make the signing key at $HABEAS_SIGNING_KEY (never over one, never in the database's folder)."""
    from habeas.services import checkpoints

    key = config.signing_key_path()
    try:
        checkpoints.create_key(key, config.database_url(db))
    except (checkpoints.NoKey, checkpoints.KeyRefused) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"signing key {key}: {exc.strerror}") from None
    out.print(f"signing key created: {key} (publish {checkpoints.public_path(key)})", highlight=False)


def published_log(path: Path | None, trusted: bytes, tsa_cert: Path | None) -> list[dict] | None:
    """The published checkpoint log at `path`, checked whole (exit 1 if it does not hold)."""
    from habeas.services import checkpoints, publication

    if path is None:
        return None
    try:
        log = publication.published(path, trusted)
        checkpoints.check_timestamps(log, tsa_cert)
    except OSError as exc:
        raise fail(f"checkpoint log {path}: {exc.strerror or exc}", 2) from None
    except checkpoints.Forged as exc:
        out.print(f"checkpoint log refused: {exc}", highlight=False)
        raise typer.Exit(1) from None
    return log


def trusted_key(key: Path | None) -> bytes:
    from habeas.services import checkpoints

    try:
        return _public_key(key) if key else checkpoints.public_key(config.signing_key_path())
    except (OSError, ValueError) as exc:
        raise fail(f"public key: {exc}", 2) from None


def checkpoint_verify(
    file: Annotated[Path, typer.Argument(help="A checkpoint written by `habeas checkpoint`.")],
    key: KeyOption = None,
    checkpoints_file: CheckpointsOption = None,
    tsa_cert: TsaCertOption = None,
    db: DbOption = None,
) -> None:
    """Check a checkpoint against the database: its signature by the key given, not older than
    the last published checkpoint, and each log's hash at its positions."""
    from habeas.services import checkpoints

    try:
        statement = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"{file}: cannot read a checkpoint ({exc})", 2) from None
    trusted = trusted_key(key)
    configured = config.checkpoint_log_path()
    path = checkpoints_file or (configured if configured is not None and configured.exists() else None)
    log = published_log(path, trusted, tsa_cert or config.timestamp_authority()[1])
    with database(db) as engine:
        try:
            said = checkpoints.verify(engine, statement, trusted, log)
        except checkpoints.Forged as exc:
            out.print(f"refused: {exc}", highlight=False)
            raise typer.Exit(1) from None
    out.print(f"checkpoint holds: {said}", highlight=False)


def _public_key(path: Path) -> bytes:
    from habeas.verify_export import read_key  # the outsider's reading of a published key

    return read_key(path)
