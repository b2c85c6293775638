"""What every request shares: the engine, the law, the clock, the recorder, where reads go
(`reading`: the primary, and a replica if there is one); and who asks.

A request is signed in by a session token (`services.sessions`): the API's
`Authorization: Bearer TOKEN`, or the web UI's cookie. Without one, the asker is the
anonymous public, which the policy lets read statistics and the law, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from habeas.access.facts import PUBLIC, Principal
from habeas.clock import Clock
from habeas.law.package import Law
from habeas.services import sessions
from habeas.services.group_commit import GroupCommitter
from habeas.services.recording import Recorder
from habeas.services.replicas import Reading

COOKIE = "habeas_session"
ANONYMOUS = Principal("public", PUBLIC)


@dataclass
class Context:
    engine: Engine
    law: Law
    clock: Clock
    committer: GroupCommitter
    recorder: Recorder
    signing_key: Path
    reading: Reading

    def now(self) -> datetime:
        return self.clock.now()


def context(request: Request) -> Context:
    return request.app.state.habeas


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(COOKIE)


def signed_in_user(request: Request, ctx: Context) -> Principal | None:
    """The user this request's session stands for (bearer token or cookie), looked up once
    per request; None without a valid session. The API and the web UI both ask here."""
    if not hasattr(request.state, "user"):
        token = session_token(request)
        found = sessions.signed_in(ctx.engine, token, ctx.now()) if token else None
        request.state.user = found.principal if found else None
        request.state.read_after = found.read_after if found else None
    return request.state.user


def listing(request: Request, ctx: Context) -> Engine:
    """Where this request's lists are read (the case list, the rows of alerts and the board):
    the replica, unless it has not yet replayed the signed-in user's own last write."""
    signed_in_user(request, ctx)
    return ctx.reading.for_user(request.state.read_after)


async def asker(request: Request, ctx: Annotated[Context, Depends(context)]) -> Principal:
    """Who asks: the signed-in user, or the anonymous public.

    A coroutine that does its short look-up on the event loop: as a plain function it would
    take its own trip through the thread pool before the route's (a fifth of a request's
    cost under load, bench/http.py), for one indexed row."""
    found = signed_in_user(request, ctx)
    request.state.signed_in = found is not None
    return found or ANONYMOUS


Ctx = Annotated[Context, Depends(context)]
Asker = Annotated[Principal, Depends(asker)]
