"""The web UI: server-rendered pages (Jinja2) on the same services as the API.

Forms work without JavaScript; the one script (`static/board.js`) refreshes the
detention board. Every asset is served from this package: the register must work
on a closed network, so there is no CDN and no external font.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")


def mount(app: FastAPI) -> None:
    """Add the web UI's routes and static files to `app`."""
    from habeas.web import common, forms, home, pages, signing

    app.include_router(signing.router)
    app.include_router(forms.router)
    app.include_router(home.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def sign_in_first(request: Request, exc: common.SignInFirst):
        return common.redirect(common.sign_in_url(exc.next_path))

    async def page_error(request: Request, exc: common.PageError):
        return error_page(request, exc.status, exc.message)

    app.add_exception_handler(common.SignInFirst, sign_in_first)
    app.add_exception_handler(common.PageError, page_error)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page of the UI (the API answers JSON): 403, 404, … A reason the
    register gave in its own English (a policy's refusal) is worded in the page's language."""
    from habeas.presentation import refusals
    from habeas.presentation.wording import Wording
    from habeas.web import common

    lang = common.language(request)
    worded = refusals.message(message, Wording(lang)) if lang != "en" else None
    return common.page(request, "error.html", status=status, code=status, message=worded or message)
