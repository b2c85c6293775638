"""What every request shares: the engine, the law, the clock, the recorder, where reads go
(`reading`: the primary, and a replica if there is one); and who asks.

A request is signed in by a session token (`services.sessions`): the API's
`Authorization: Bearer TOKEN` only, the web UI's cookie only. A browser sends a cookie on
its own, to requests another page made; it never adds a bearer token: so a session cookie
never authorises an API call (issue 23), and the web UI's forms carry a CSRF token. Without
a session, the asker is the anonymous public, which the policy lets read statistics and the
law, nothing else.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from habeas.access.facts import PUBLIC, Principal
from habeas.bootstrap import Clock, Engine, Reading
from habeas.law.package import Law
from habeas.services import sessions
from habeas.services.group_commit import GroupCommitter
from habeas.services.recording import Recorder
from habeas.services.throttle import Throttle

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
    secret: bytes = b""  # the web UI's CSRF and read tokens (config.web_secret)
    throttle: Throttle = field(default_factory=Throttle)

    def now(self) -> datetime:
        return self.clock.now()

    def statistics(self, spec, as_of: datetime, now: datetime):
        """A public statistics report (`services.statistics.report`) as the API and the web
        page serve it: by this register's law, its released figures read on the replica
        (public, and may lag a little)."""
        from habeas.services import statistics as stats  # not at import time: it brings SciPy

        return stats.report(
            self.engine,
            spec,
            as_of,
            jurisdiction=self.law.jurisdiction,
            load=lambda: self.law,
            now=now,
            replica=self.reading.replica,
        )

    async def pause(self, seconds: float) -> None:
        """Hold a sign-in attempt (`services.throttle`); tests replace it to count the delays."""
        if seconds > 0:
            await asyncio.sleep(seconds)


def context(request: Request) -> Context:
    return request.app.state.habeas


def now_of(request: Request) -> datetime:
    """The register's clock, read once per request: a page, the board, a case file and the
    API judge and record at one instant, so two parts of one answer never disagree."""
    if not hasattr(request.state, "now"):
        request.state.now = request.app.state.habeas.now()
    return request.state.now


def bearer_token(request: Request) -> str | None:
    """The API's session token: `Authorization: Bearer TOKEN`, never a cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def cookie_token(request: Request) -> str | None:
    """The web UI's session token: the `habeas_session` cookie."""
    return request.cookies.get(COOKIE) or None


def signed_in_user(request: Request, ctx: Context, *, cookie: bool = False) -> Principal | None:
    """The user this request's session stands for, looked up once per request; None without
    a valid session. The API asks with the bearer token, the web UI (`cookie`) with the cookie."""
    if not hasattr(request.state, "user"):
        token = cookie_token(request) if cookie else bearer_token(request)
        found = sessions.signed_in(ctx.engine, token, now_of(request)) if token else None
        request.state.user = found.principal if found else None
        request.state.read_after = found.read_after if found else None
        # the session a write of this request is remembered in (`api.replica`)
        request.state.session = token if found else None
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
