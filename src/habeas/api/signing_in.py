"""Sessions: sign in with a user's token, get a session token; sign out."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from habeas.access.facts import Principal
from habeas.api.context import Asker, Context, Ctx, bearer_token
from habeas.api.errors import ApiError, answers
from habeas.api.models import SessionOut, SignIn, User
from habeas.services import sessions, users

router = APIRouter(tags=["sessions"])


def user_view(principal: Principal) -> User:
    person = f"{principal.person[0]}:{principal.person[1]}" if principal.person else None
    return User(
        login=principal.id, role=principal.role, agency=principal.agency, region=principal.region, person=person
    )


def signed_in(request: Request, principal: Principal) -> Principal:
    """The signed-in user, or 401: a route that names persons is no public one."""
    if not getattr(request.state, "signed_in", False):
        raise ApiError(401, "unauthenticated", "sign in first: no valid session token")
    return principal


class TooManyAttempts(Exception):
    def __init__(self, seconds: float):
        self.seconds = max(1, math.ceil(seconds))


async def open_session(ctx: Context, login: str, token: str, address: str | None) -> sessions.Session:
    """Sign in through the throttle (`services.throttle`), for the API and the web UI alike:
    an address that keeps failing waits (TooManyAttempts), a login that keeps failing is only
    slowed down; every other failure is `users.SignInRefused`, with one message."""
    throttle = ctx.throttle
    wait = throttle.address_wait(address, ctx.now())
    if wait > 0:
        raise TooManyAttempts(wait)
    await ctx.pause(throttle.login_delay(login, ctx.now()))
    try:
        opened = await run_in_threadpool(sessions.open_session, ctx.engine, login, token, ctx.now())
    except users.SignInRefused:
        throttle.failed(login, address, ctx.now())
        raise
    throttle.succeeded(login, address)
    return opened


def address_of(request: Request) -> str | None:
    """The client's address (a trusted proxy's `X-Forwarded-For`, as the server was told)."""
    return request.client.host if request.client else None


@router.post("/sessions", status_code=201, response_model=SessionOut, responses=answers(401, 422, 429))
async def sign_in(request: Request, form: SignIn, ctx: Ctx) -> SessionOut:
    """Sign in with your login and token: the answer's token is your session (a working day).
    Failures in a row slow the next attempts down; an address that keeps failing waits (429)."""
    try:
        opened = await open_session(ctx, form.login, form.token, address_of(request))
    except TooManyAttempts as exc:
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many failed sign-ins from this address: try again in {exc.seconds} s",
            headers={"Retry-After": str(exc.seconds)},
        ) from None
    except users.SignInRefused as exc:
        raise ApiError(401, "unauthenticated", f"sign-in refused: {exc}") from None
    return SessionOut(token=opened.token, expires_at=opened.expires_at.isoformat(), user=user_view(opened.principal))


@router.delete("/sessions/current", status_code=204, responses=answers(401))
def sign_out(request: Request, ctx: Ctx, who: Asker) -> Response:
    """End this session for good."""
    signed_in(request, who)
    sessions.close(ctx.engine, bearer_token(request) or "")
    return Response(status_code=204)


@router.get("/me", response_model=User, responses=answers(401))
def me(request: Request, who: Asker) -> User:
    """Who you are signed in as."""
    return user_view(signed_in(request, who))
