"""`habeas` on the command line (design §5). Parse, call a service, render.

One module a group of commands; this one makes the application and names every command, in
the order `habeas --help` lists them. The engines, the law and the clock come from the
composition root (`habeas.bootstrap`).
"""

from __future__ import annotations

import os

import typer

from habeas import config
from habeas.cli import cases, checkpoints, events, integrity, law, server, simulate, statistics, users
from habeas.cli.options import DbOption

app = typer.Typer(no_args_is_help=True, add_completion=False, help="habeas: a criminal-justice register.")
case_app = typer.Typer(no_args_is_help=True, help="Case files.")
law_app = typer.Typer(no_args_is_help=True, help="The law in force, as data.")
user_app = typer.Typer(no_args_is_help=True, help="Users: who may sign in, with which role.")
checkpoint_app = typer.Typer(
    invoke_without_command=True, help="Signed checkpoints: the head of both logs, signed (Ed25519)."
)


app.add_typer(case_app, name="case")
app.add_typer(law_app, name="law")
app.add_typer(user_app, name="user")
app.add_typer(checkpoint_app, name="checkpoint")


@app.callback()
def _everywhere(db: DbOption = None) -> None:
    """habeas: a criminal-justice register. `--db` may come before the command too."""
    if db:  # a command's own --db still wins (config.database_url)
        os.environ[config.ENV_DATABASE_URL] = db


app.command()(server.init)
app.command()(simulate.simulate)
app.command("import")(events.import_)
app.command()(cases.alerts)
app.command()(integrity.verify)
app.command()(integrity.rebuild)
app.command()(integrity.export)
app.command()(cases.reads)
app.command()(statistics.report)
app.command()(server.serve)
app.command()(server.demo)

case_app.command("list")(cases.case_list)
case_app.command("show")(cases.case_show)
case_app.command("assign")(cases.case_assign)
law_app.command("show")(law.law_show)
user_app.command("add")(users.user_add)
user_app.command("list")(users.user_list)
user_app.command("disable")(users.user_disable)
checkpoint_app.callback()(checkpoints.checkpoint)
checkpoint_app.command("keygen")(checkpoints.checkpoint_keygen)
checkpoint_app.command("verify")(checkpoints.checkpoint_verify)


def main() -> None:
    app()
