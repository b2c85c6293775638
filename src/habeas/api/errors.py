"""Errors as the API contract says (design §6): JSON `{"error": {"code", "message", "field"?}}`,
a 4xx status, never a 500. Every route declares the errors it may answer with (`answers`),
so the OpenAPI document lists them with their schema."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("habeas.api")
RETRY_AFTER = "5"  # seconds, on a 503


class Translation(BaseModel):
    """The error in the language the request's Accept-Language prefers (ru, kk): for a client
    that shows it to a person. `message` stays the register's English, which other systems
    read; only the reasons whose shape the catalogues know are translated."""

    lang: str
    message: str | None = None
    lines: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None
    lines: list[dict[str, Any]] | None = None  # events:batch: every refused line
    translation: Translation | None = None


class Error(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None, lines=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.lines = status, code, message, field, lines
        self.headers = headers


DESCRIPTIONS = {
    400: "The request is not one the API can read",
    401: "No valid session: sign in (POST /api/v1/sessions) and send `Authorization: Bearer TOKEN`",
    403: "The access policy or the law refuses this act to you (the message names the missing right)",
    404: "No such case, rule or page",
    409: "This event id is stored already, with other content",
    413: "The body is larger than the register accepts",
    422: "Invalid input: the field and the reason",
    429: "Too many failed sign-ins from this address: wait as `Retry-After` says",
    503: "The database is unavailable; nothing was stored",
}
EXAMPLES = {
    401: {"code": "unauthenticated", "message": "sign in first: no valid session token"},
    403: {"code": "forbidden", "message": "refused: case:read on KZ-1 needs the right to act on a case of your unit"},
    404: {"code": "not_found", "message": "no case 'KZ-404' in the register"},
    409: {"code": "conflict", "message": "id: already stored with other content", "field": "id"},
    422: {"code": "invalid", "message": "occurred_at: must carry a UTC offset", "field": "occurred_at"},
}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: these error statuses, each with the error schema."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": Error, "description": DESCRIPTIONS[status]}
        if status in EXAMPLES:
            entry["content"] = {"application/json": {"example": {"error": EXAMPLES[status]}}}
        out[status] = entry
    return out


def body(code: str, message: str, field: str | None = None, lines=None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    if lines is not None:
        error["lines"] = lines
    return {"error": error}


def translated(request: Request, answer: dict) -> dict:
    """`answer` (a `body`) with its `translation` when the request prefers Russian or Kazakh
    and a reason in it has a known shape (`presentation.refusals`)."""
    from habeas import config
    from habeas.presentation.refusals import message as worded
    from habeas.presentation.wording import Wording, accepted

    lang = accepted(request.headers.get("accept-language", ""))
    if lang == "en":
        return answer
    wording = Wording(lang, config.jurisdiction())
    error = answer["error"]
    translation: dict[str, Any] = {"lang": lang}
    said = worded(error["message"], wording)
    if said is not None:
        translation["message"] = said
    lines = [
        {"line": line.get("line"), "reason": reason}
        for line in error.get("lines") or ()
        if isinstance(line, dict) and (reason := worded(str(line.get("reason", "")), wording)) is not None
    ]
    if lines:
        translation["lines"] = lines
    if len(translation) > 1:
        error["translation"] = translation
    return answer


def _field(location: tuple) -> str | None:
    if len(location) == 2 and location[0] == "body" and isinstance(location[1], int):
        return None  # a JSON syntax error: the number is a character's position, not a field
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


async def api_error(request: Request, exc: ApiError) -> JSONResponse:
    response = JSONResponse(
        translated(request, body(exc.code, exc.message, exc.field, exc.lines)),
        status_code=exc.status,
        headers=exc.headers,
    )
    if exc.status == 503:  # a passing fault (a lock, a full disk being cleared): worth trying again
        response.headers["Retry-After"] = RETRY_AFTER
    return response


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """The database failed under a request (full, locked past the timeout, read-only, gone):
    503 and nothing stored, never a 500 — and never what the database said, which may quote
    stored data (it goes to the log)."""
    from habeas.bootstrap import reason_for

    reason = reason_for(exc)
    logger.error("database unavailable for %s %s: %s", request.method, request.url.path, reason, exc_info=exc)
    message = f"the database is unavailable ({reason}); nothing was stored: try again"
    if _a_page(request):
        from habeas.web import error_page

        response = error_page(request, 503, message)
    else:
        response = JSONResponse(body("unavailable", message), status_code=503)
    response.headers["Retry-After"] = RETRY_AFTER
    return response


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    field = _field(tuple(first.get("loc", ())))
    message = f"{field}: {first['msg']}" if field else str(first["msg"])
    return JSONResponse(translated(request, body("invalid", message, field)), status_code=422)


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    codes = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    if _a_page(request):
        from habeas.web import error_page  # a person at a browser gets a page, not JSON

        return error_page(request, status, str(exc.detail))
    if status == 400:  # the framework could not read the body (not JSON): bad input, as any other
        return JSONResponse(body("invalid", f"the body is not valid JSON: {exc.detail}"), status_code=422)
    return JSONResponse(
        body(codes.get(status, "bad_request"), str(exc.detail)), status_code=status, headers=exc.headers
    )


def _a_page(request: Request) -> bool:
    """A path of the web UI (not the API, not the OpenAPI document), where the UI is mounted."""
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path.endswith(".json"):
        return False
    return any(getattr(route, "name", None) == "static" for route in request.app.routes)
