"""`habeas import`: a file of events into the register, all or nothing."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from habeas import bootstrap
from habeas.cli.common import actor_from, database, err, fail, law, out, progress, signed_in
from habeas.cli.options import AsOption, DbOption, LogFileOption

if TYPE_CHECKING:
    from habeas.domain.events import Actor


def import_(
    file: Annotated[Path, typer.Argument(help="JSONL file: one event per line (design §4).")],
    db: DbOption = None,
    registrar: AsOption = None,
    log_file: LogFileOption = None,
) -> None:
    """Import events, all or nothing: any bad line stores nothing and is listed (exit 2).

    A line may hold at most 64 KiB, nest 16 deep, strings of 4,000 characters and numbers of
    20 digits, and times in the years 1900 to 2200. Should the database itself fail, the
    import stores nothing and says which line it was storing and the error's class (exit 1);
    what the database said goes only to --log-file."""
    from habeas.services.register import Register, StorageFailed

    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    law_package = law()
    log_path = _log_to(log_file)
    with database(db) as engine, file.open(encoding="utf-8", errors="strict", newline="\n") as handle:
        who = _importer(engine, law_package, registrar)
        register = Register(engine, law_package, bootstrap.clock())
        try:
            with progress(file.stat().st_size, f"reading {file.name}") as (read, judged):
                report = register.import_lines(handle, who, progress=read, judging=judged)
        except UnicodeDecodeError as exc:
            raise fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}); nothing stored", 2) from None
        except StorageFailed as exc:
            details = f"details in {log_path}" if log_path else "details withheld: see --log-file or HABEAS_LOG_FILE"
            err.print(f"{exc} ({details})", highlight=False, markup=False)
            raise fail("the database failed; nothing was stored", 1) from None
    if report.errors:
        for line_error in report.errors:
            for text in line_error.lines():
                err.print(text, highlight=False, markup=False)
        bad = len(report.errors)
        raise fail(f"{bad} of {report.lines} lines refused; nothing was stored", 2)
    out.print(f"stored {report.stored}, skipped {report.skipped} (already stored)", highlight=False)


def _importer(engine, package, spec: str | None) -> Actor:
    """Who brings the file in: a user (`--as LOGIN`, signed in) who may record others' acts
    (`case:record_for_others`: a registrar), or, for the local operator, ROLE:ID[@AGENCY]."""
    if spec is None or ":" in spec:
        return actor_from(spec)
    from habeas.services import guard

    user = signed_in(engine, spec)
    decision = guard.decide(package, user, "case:record_for_others")
    if not decision.allowed:
        raise fail(
            f"refused: importing others' records needs case:record_for_others (a registrar); {user.id} "
            f"has the role {user.role}"
        )
    return user.actor


def _log_to(option: Path | None) -> Path | None:
    """Send the register's log (what a database said when it failed) to the operator's file."""
    path = option or (Path(os.environ["HABEAS_LOG_FILE"]) if os.environ.get("HABEAS_LOG_FILE") else None)
    if path is None:
        return None
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise fail(f"--log-file {path}: {exc.strerror}", 2) from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("habeas")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
