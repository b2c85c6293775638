"""Signing in and out of the web UI (the recording forms are `web.forms`)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from habeas.api.context import COOKIE
from habeas.api.signing_in import TooManyAttempts, address_of, open_session
from habeas.services import sessions, users
from habeas.web.common import (
    PRE_SESSION,
    check_csrf,
    context,
    gettext_for,
    local_path,
    page,
    pre_session_ok,
    pre_session_token,
    redirect,
    remember,
)

router = APIRouter(include_in_schema=False)

# -- signing in and out --------------------------------------------------------------------


def _sign_in_page(request: Request, status: int, target: str, error: str | None, login: str):
    """The sign-in form, its CSRF token bound to the pre-session cookie (set here if need be)."""
    value = request.cookies.get(PRE_SESSION) or secrets.token_urlsafe(32)
    response = page(
        request,
        "sign_in.html",
        status=status,
        next=target,
        error=error,
        login=login,
        sign_in_csrf=pre_session_token(value, request),
    )
    if request.cookies.get(PRE_SESSION) != value:
        response.set_cookie(PRE_SESSION, value, httponly=True, samesite="strict", path="/", secure=_secure(request))
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request):
    return _sign_in_page(request, 200, local_path(request.query_params.get("next")), None, "")


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request):
    form = await request.form()
    login, token = str(form.get("login") or "").strip()[:128], str(form.get("token") or "")[:200]
    target = local_path(str(form.get("next") or "/"))
    _ = gettext_for(request)
    if not pre_session_ok(request, str(form.get("csrf") or "")):
        expired = _("The form has expired. Open the page again and resend it.")
        return _sign_in_page(request, 403, target, expired, login)
    ctx = context(request)
    try:
        opened = await open_session(ctx, login, token, address_of(request))
    except TooManyAttempts as exc:
        message = _("Too many failed sign-ins: wait a little and try again.")
        response = _sign_in_page(request, 429, target, message, login)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    except users.SignInRefused:
        return _sign_in_page(request, 401, target, _("Sign-in refused: wrong login or token."), login)
    response = redirect(target)
    seconds = int((opened.expires_at - ctx.now()).total_seconds())
    response.set_cookie(
        COOKIE, opened.token, max_age=seconds, httponly=True, samesite="strict", path="/", secure=_secure(request)
    )
    response.delete_cookie(PRE_SESSION, path="/", httponly=True, samesite="strict")
    remember(request, response)
    return response


@router.post("/sign-out")
async def sign_out(request: Request):
    form = await request.form()
    token = request.cookies.get(COOKIE)
    if token:
        check_csrf(request, str(form.get("csrf") or ""))
        await run_in_threadpool(sessions.close, context(request).engine, token)
    response = redirect("/sign-in")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
