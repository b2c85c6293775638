"""The log's integrity and what is built from it: `verify`, `rebuild`, `export`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from habeas import bootstrap, config
from habeas.cli.checkpoints import published_log, trusted_key
from habeas.cli.common import database, fail, guarded, law, out, signed_in
from habeas.cli.options import CheckpointsOption, DbOption, KeyOption, PurposeOption, TsaCertOption, UserOption


def verify(
    db: DbOption = None,
    checkpoints_file: CheckpointsOption = None,
    key: KeyOption = None,
    tsa_cert: TsaCertOption = None,
    deep: Annotated[
        bool,
        typer.Option("--deep", help="Also replay cases and compare the projections (alerts, statistics) with them."),
    ] = False,
    sample: Annotated[int, typer.Option("--sample", min=1, help="With --deep: how many cases, drawn at random.")] = 200,
    full: Annotated[bool, typer.Option("--full", help="With --deep: every case, not a sample.")] = False,
) -> None:
    """Walk every chain (events, reads, accounts) and check users and sessions against theirs.
    With a published checkpoint log, the logs must also be what every checkpoint there signs.
    Exit 1 at the first record that is not what was stored."""
    from habeas.services import checkpoints, maintenance, projection_check

    published = checkpoints_file or config.checkpoint_log_path()
    if checkpoints_file is None and published is not None and not published.exists():
        out.print(f"checkpoint log {published}: none published yet (`habeas checkpoint`)", highlight=False)
        published = None
    log = published_log(published, trusted_key(key), tsa_cert or config.timestamp_authority()[1]) if published else None
    with database(db) as engine:
        result = maintenance.verify(engine)
        mismatches = checkpoints.verify_published(engine, log) if log else []
        replayed = projection_check.check(engine, law(), None if full else sample) if deep else None
    broken = _said_of_chains(result)
    if log is not None:
        for problem in mismatches:
            out.print(f"checkpoint log: {problem}", highlight=False)
        if not mismatches:
            out.print(f"checkpoint log: the logs are what its {len(log)} checkpoint(s) sign", highlight=False)
    if replayed is not None:
        for name, position in replayed.behind.items():
            out.print(
                f"projection {name} is behind the log (at {position}): `habeas rebuild --catch-up` first",
                highlight=False,
            )
        for problem in replayed.differences:
            out.print(f"projections: {problem}", highlight=False)
        if replayed.holds:
            out.print(f"projections hold: {replayed.checked} of {replayed.cases} cases replayed agree", highlight=False)
    if broken or mismatches or (replayed is not None and not replayed.holds):
        raise typer.Exit(1)


def _said_of_chains(result) -> bool:
    """Print what the walk found of each chain; True when one is broken."""
    # The verdict is the command's answer, so it goes to stdout like "intact"; the exit code says it.
    # Position 0 is no record: the chain head record itself is what is wrong.
    if result.bad_position is None:
        out.print(f"intact: {result.count} events, head {result.head_position} {result.head_hash}", highlight=False)
    else:
        where = "broken" if result.bad_position == 0 else f"broken at position {result.bad_position}"
        out.print(f"{where}: {result.reason} ({result.count} events verified)", highlight=False)
        return True
    reads_chain, broken = result.reads, False
    if reads_chain.broken is None:
        out.print(
            f"reads intact: {reads_chain.count} records, head {reads_chain.position} {reads_chain.head.hex()}",
            highlight=False,
        )
    else:
        gap = reads_chain.broken
        where = "broken" if gap.position == 0 else f"broken at read {gap.position}"
        out.print(f"reads {where}: {gap.reason} ({reads_chain.count} records verified)", highlight=False)
        broken = True
    chain = result.accounts
    if chain.broken is not None:
        gap = chain.broken
        where = "broken" if gap.position == 0 else f"broken at record {gap.position}"
        out.print(f"accounts {where}: {gap.reason} ({chain.count} records verified)", highlight=False)
        return True
    if chain.differences:
        for problem in chain.differences:
            out.print(f"accounts: {problem}", highlight=False)
        return True
    out.print(
        f"accounts intact: {chain.count} records, head {chain.position} {chain.head.hex()}; users and sessions agree",
        highlight=False,
    )
    return broken


def rebuild(
    db: DbOption = None,
    catch_up: Annotated[
        bool,
        typer.Option(
            "--catch-up",
            help="Only read what each projection has not read yet (all of it, for one judged under another law).",
        ),
    ] = False,
) -> None:
    """Drop every projection and rebuild it from the log (or, with --catch-up, complete it)."""
    from habeas.services import maintenance

    with database(db) as engine:
        if not catch_up:
            count = maintenance.rebuild(engine, law())
            out.print(f"rebuilt projections from {count} events", highlight=False)
            return
        caught = maintenance.catch_up(engine, law())
    if not caught.was:
        out.print(f"projections up to date at position {caught.head}", highlight=False)
    for name, position in caught.was.items():
        out.print(f"caught up {name} from position {position} to {caught.head}", highlight=False)


def export(
    db: DbOption = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="jsonl: events in the import format (round-trips); log: the stored records with their"
            " positions, recorded times and hashes (for `python -m habeas.verify_export`).",
        ),
    ] = "jsonl",
    reader: UserOption = None,
    purpose: PurposeOption = "export",
) -> None:
    """The whole log (export:read; the export is logged as a read of every case)."""
    from habeas.services import maintenance

    if format not in maintenance.FORMATS:
        raise fail(f"unknown format {format!r}: one of {', '.join(maintenance.FORMATS)}", 2)
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        write = sys.stdout.write
        for line in maintenance.export_lines(engine, law(), who, bootstrap.now(), format, purpose):
            write(line + "\n")
