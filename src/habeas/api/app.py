"""The ASGI application: the API under `/api/v1` and the web UI beside it, one service."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from habeas import bootstrap
from habeas.api import errors
from habeas.api.context import Context
from habeas.api.security import Guard
from habeas.bootstrap import Settings  # the server's settings, built by the composition root

__all__ = ["API", "Settings", "create_app"]

API = "/api/v1"
DESCRIPTION = """The register's API (design §6). Every fact is an event in an append-only, hash-chained
log; the law in force judges it. Sign in with `POST /api/v1/sessions` and send the session token as
`Authorization: Bearer TOKEN`. Every read of personal data is checked by the access policy and logged:
`GET /api/v1/cases/{case}/reads` shows who read a case, `GET /api/v1/me/reads` a person who read theirs.
Errors are `{"error": {"code", "message", "field"}}` with a 4xx status. Lists are paginated with `cursor`."""


def create_app(settings: Settings | None = None, *, law_loader: Callable | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="habeas",
        version="1.0.0",
        summary="A criminal-justice register: the law as dated data, every fact an event in a hash-chained log.",
        description=DESCRIPTION,
        lifespan=_lifespan(settings, law_loader),
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
    from habeas.services.register import StorageFailed

    for failure in (*bootstrap.DATABASE_ERRORS, bootstrap.Unavailable, StorageFailed):
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


def _lifespan(settings: Settings, law_loader: Callable | None):
    """While the app runs: its engines, law and clock from the composition root, the projections
    caught up, and one group committer for its writes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from habeas.services import maintenance
        from habeas.services.group_commit import GroupCommitter
        from habeas.services.recording import Recorder
        from habeas.services.register import Register

        with bootstrap.running(settings, law_loader) as running:
            engine, law = running.engine, running.law
            maintenance.current(engine, lambda: law)  # the projections answer the lists
            committer = GroupCommitter(Register(engine, law, running.clock))
            app.state.habeas = Context(
                engine=engine,
                law=law,
                clock=running.clock,
                committer=committer,
                recorder=Recorder(engine, law, committer),
                signing_key=running.signing_key,
                reading=running.reading,
                secret=running.secret,
            )
            yield

    return lifespan


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
