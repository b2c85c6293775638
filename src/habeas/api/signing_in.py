"""Sessions: sign in with a user's token, get a session token; sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from habeas.access.facts import Principal
from habeas.api.context import Asker, Ctx, session_token
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


@router.post("/sessions", status_code=201, response_model=SessionOut, responses=answers(401, 422))
def sign_in(form: SignIn, ctx: Ctx) -> SessionOut:
    """Sign in with your login and token: the answer's token is your session (a working day)."""
    try:
        opened = sessions.open_session(ctx.engine, form.login, form.token, ctx.now())
    except users.SignInRefused as exc:
        raise ApiError(401, "unauthenticated", f"sign-in refused: {exc}") from None
    return SessionOut(token=opened.token, expires_at=opened.expires_at.isoformat(), user=user_view(opened.principal))


@router.delete("/sessions/current", status_code=204, responses=answers(401))
def sign_out(request: Request, ctx: Ctx, who: Asker) -> Response:
    """End this session for good."""
    signed_in(request, who)
    sessions.close(ctx.engine, session_token(request) or "")
    return Response(status_code=204)


@router.get("/me", response_model=User, responses=answers(401))
def me(request: Request, who: Asker) -> User:
    """Who you are signed in as."""
    return user_view(signed_in(request, who))
