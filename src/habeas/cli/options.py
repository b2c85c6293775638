"""The options that several commands share, with their help (what `--help` shows)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $HABEAS_DATABASE_URL or sqlite:///habeas.db).")
]
ReadDbOption = Annotated[
    str | None,
    typer.Option(
        "--read-db",
        help="A PostgreSQL streaming replica to read from: what may lag a little (lists, statistics)"
        " (default: $HABEAS_READ_DATABASE_URL; none: the primary).",
    ),
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="Evaluate as of this time (ISO 8601 with offset; default now).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who brings the file in: a registrar's LOGIN (signed in with $HABEAS_TOKEN), or for the local"
        " operator ROLE:ID[@AGENCY] (default $HABEAS_ACTOR or registrar:<login>).",
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this user (default $HABEAS_USER; without one, the local operator, role admin);"
        " the user's token comes from $HABEAS_TOKEN or is asked for.",
    ),
]
PublishOption = Annotated[
    Path | None,
    typer.Option(
        "--publish",
        help="The checkpoint log to append to, outside the database (default: $HABEAS_CHECKPOINT_LOG).",
    ),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        help="The published checkpoint log to check against (default: $HABEAS_CHECKPOINT_LOG, if set).",
    ),
]
KeyOption = Annotated[
    Path | None, typer.Option("--key", help="The published public key (default: this register's own, .pub).")
]
TsaCertOption = Annotated[
    Path | None,
    typer.Option(
        "--tsa-cert",
        help="The timestamp authority's certificate (PEM): every published checkpoint must carry its"
        " timestamp (default: $HABEAS_TSA_CERT).",
    ),
]


LangOption = Annotated[str, typer.Option("--lang", help="Language of finding messages: en, ru or kk.")]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Why you read this (logged with the read).")]


LogFileOption = Annotated[
    Path | None,
    typer.Option(
        "--log-file",
        help="Append what the database said, should it fail, to this file (default: $HABEAS_LOG_FILE;"
        " without one the details are not kept: they may quote other cases' data).",
    ),
]
