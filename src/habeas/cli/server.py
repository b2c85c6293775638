"""Setting a register up and running it: `init`, `serve`, `demo`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from habeas import bootstrap, config
from habeas.cli.common import database, law, law_digest, out, reading
from habeas.cli.options import DbOption, ReadDbOption


def init(db: DbOption = None) -> None:
    """Create or migrate the database (safe to run twice). Says where the signing key is; never makes one."""
    from habeas.services import checkpoints

    with database(db) as engine:
        revision = bootstrap.prepare(engine)
    url = config.database_url(db)
    out.print(f"database ready: {url} (schema {revision})", highlight=False)
    out.print(checkpoints.key_status(config.signing_key_path(), url), highlight=False)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (one core each; appends stay serialised).")
    ] = 1,
    db: DbOption = None,
    read_db: ReadDbOption = None,
) -> None:
    """Serve the REST API (/api/v1, /openapi.json) and the web UI."""
    import uvicorn

    from habeas.services import maintenance

    # a clear error now, not a traceback from the server's start
    with database(db) as engine, reading(engine, read_db):
        maintenance.current(engine, law, law_digest)  # the projections caught up once, before the workers start
    out.print(f"habeas on http://{host}:{port}/ (API: /api/v1, contract: /openapi.json)", highlight=False)
    # each worker process builds the app itself, from the same settings (the environment)
    os.environ[config.ENV_DATABASE_URL] = config.database_url(db)
    if read_db:
        os.environ[config.ENV_READ_DATABASE_URL] = read_db
    os.environ.setdefault(config.ENV_WEB_SECRET, config.web_secret().hex())  # one CSRF key for every worker
    uvicorn.run("habeas.api:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")


def demo(
    db: Annotated[str, typer.Option("--db", help="Database URL for the demo.")] = "sqlite:///habeas-demo.db",
    cases: Annotated[int, typer.Option("--cases", min=1, help="Sample cases to generate.")] = 300,
) -> None:
    """A register with a sample caseload: import, verify, the most urgent alerts, one case file."""
    from habeas.demo import main as run_demo  # the demo itself renders through this module

    raise typer.Exit(run_demo(["--db", db, "--cases", str(cases)]))
