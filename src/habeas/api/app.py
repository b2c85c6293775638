"""The ASGI application: the API under `/api/v1` and the web UI beside it, one service."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from habeas import config
from habeas.api import errors
from habeas.api.context import Context
from habeas.api.security import Guard
from habeas.clock import Clock, SystemClock

API = "/api/v1"
DESCRIPTION = """The register's API (design §6). Every fact is an event in an append-only, hash-chained
log; the law in force judges it. Sign in with `POST /api/v1/sessions` and send the session token as
`Authorization: Bearer TOKEN`. Every read of personal data is checked by the access policy and logged:
`GET /api/v1/cases/{case}/reads` shows who read a case, `GET /api/v1/me/reads` a person who read theirs.
Errors are `{"error": {"code", "message", "field"}}` with a 4xx status. Lists are paginated with `cursor`."""


@dataclass
class Settings:
    database_url: str = field(default_factory=config.database_url)
    read_database_url: str | None = field(default_factory=config.read_database_url)  # a replica
    jurisdiction: str = field(default_factory=config.jurisdiction)
    clock: Clock = field(default_factory=SystemClock)
    signing_key: Path | None = None  # default: config.signing_key_path(database_url)
    web: bool = True  # the web UI beside the API
    docs: bool = True  # Swagger UI at /api/docs, from the package's own files (swagger-ui-bundle)
    secret: bytes = field(default_factory=config.web_secret)


def create_app(settings: Settings | None = None, *, law_loader: Callable | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from habeas.jurisdictions import load as load_law
        from habeas.services import maintenance, setup
        from habeas.services.group_commit import GroupCommitter
        from habeas.services.recording import Recorder
        from habeas.services.register import Register
        from habeas.services.replicas import open_reading

        law = (law_loader or load_law)(settings.jurisdiction)
        with (
            setup.open_database(settings.database_url) as engine,
            open_reading(engine, settings.read_database_url) as reading,
        ):
            maintenance.current(engine, lambda: law)  # the projections answer the lists
            committer = GroupCommitter(Register(engine, law, settings.clock))
            app.state.habeas = Context(
                engine=engine,
                law=law,
                clock=settings.clock,
                committer=committer,
                recorder=Recorder(engine, law, committer),
                signing_key=settings.signing_key or config.signing_key_path(settings.database_url),
                reading=reading,
                secret=settings.secret,
            )
            yield

    app = FastAPI(
        title="habeas",
        version="1.0.0",
        summary="A criminal-justice register: the law as dated data, every fact an event in a hash-chained log.",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI from the package's files, never a CDN: `api.docs`
        redoc_url=None,
        license_info={"name": "AGPL-3.0-or-later"},
    )
    from habeas.api.replica import ReadYourWrites

    app.add_middleware(ReadYourWrites)
    app.add_middleware(Guard)  # security headers, body limits: before any parsing
    app.add_exception_handler(errors.ApiError, errors.api_error)
    app.add_exception_handler(RequestValidationError, errors.invalid_request)
    app.add_exception_handler(StarletteHTTPException, errors.http_error)
    from habeas.services import setup
    from habeas.services.register import StorageFailed

    for failure in (*setup.DATABASE_ERRORS, setup.Unavailable, StorageFailed):
        app.add_exception_handler(failure, errors.database_unavailable)

    from habeas.api import cases, events, ledger, public, signing_in

    for module in (signing_in, events, cases, ledger, public):
        app.include_router(module.router, prefix=API)
    if settings.docs:
        from habeas.api import docs

        docs.mount(app)
    if settings.web:
        from habeas.web import mount

        mount(app)
    app.openapi = lambda: _contract(app)
    return app


def _contract(app: FastAPI) -> dict:
    """The OpenAPI document of the API alone (not the web pages), where every 422 is the
    register's error shape, not FastAPI's default (the handlers answer that shape)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            license_info=app.license_info,
        )
        document["paths"] = {path: ops for path, ops in document.get("paths", {}).items() if path.startswith(API)}
        error = {"$ref": "#/components/schemas/Error"}
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.setdefault("responses", {})
                if "401" in answers:  # a route that needs a session says so
                    operation["security"] = [{"session": []}]
                if operation.get("parameters") or operation.get("requestBody"):
                    invalid = answers.setdefault("422", {"description": errors.DESCRIPTIONS[422]})
                    invalid["content"] = {"application/json": {"schema": error}}
        document.setdefault("components", {})["securitySchemes"] = {
            "session": {"type": "http", "scheme": "bearer", "description": "The token of POST /api/v1/sessions"}
        }
        schemas = document["components"].get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
    return app.openapi_schema
