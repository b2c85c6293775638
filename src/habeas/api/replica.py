"""Read-your-writes across API processes: after a signed-in user's write, their session keeps
the primary's WAL position, before the answer leaves (`services.replicas`)."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from habeas.bootstrap import DATABASE_ERRORS

READS_ONLY = ("GET", "HEAD", "OPTIONS")
log = logging.getLogger(__name__)


class ReadYourWrites:
    """A request that may write (not GET, HEAD or OPTIONS), made in a session and answered
    under 400, marks the session (`Reading.remember`) as its answer starts: whichever process
    serves the user's next read then knows what the replica must have replayed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS_ONLY:
            await self.app(scope, receive, send)
            return

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await _remember(scope)
            await send(message)

        await self.app(scope, receive, answer)


async def _remember(scope: Scope) -> None:
    ctx = getattr(scope["app"].state, "habeas", None)
    # the session this request was signed in by (`context.signed_in_user`): the API's bearer
    # token or the web UI's cookie, never one the request merely carried
    token = (scope.get("state") or {}).get("session")
    if ctx is None or ctx.reading.replica is None or not token:
        return
    try:
        await run_in_threadpool(ctx.reading.remember, token)
    except DATABASE_ERRORS:  # the write is stored; only the user's next read may lag
        log.warning("could not keep the session's read position", exc_info=True)
