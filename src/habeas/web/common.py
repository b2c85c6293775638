"""What every page shares: the templates, the language, who is signed in, and the CSRF token.

The web UI signs a user in with the same sessions as the API (`services.sessions`), held
in the `habeas_session` cookie (HttpOnly, SameSite=Lax). A form that changes something
carries a `csrf` field derived from the session token: another site can make a browser
send the cookie, but cannot read the page to learn the token.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from habeas.access.facts import Principal
from habeas.api.context import COOKIE, Context, signed_in_user
from habeas.services import guard
from habeas.web import i18n
from habeas.web.labels import LABELS

TEMPLATES = Path(__file__).with_name("templates")
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
)
ENV.filters["sentence"] = lambda text: text[:1].upper() + text[1:]  # a label that begins a line


class SignInFirst(Exception):
    """An anonymous visitor asked for a page that needs a user: off to the sign-in page."""

    def __init__(self, next_path: str):
        self.next_path = next_path


class PageError(Exception):
    """A refusal or a missing thing, shown as an HTML page with its status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def context(request: Request) -> Context:
    return request.app.state.habeas


def user(request: Request) -> Principal | None:
    """The signed-in user of this request (the session cookie), or None."""
    return signed_in_user(request, context(request))


def required(request: Request) -> Principal:
    found = user(request)
    if found is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInFirst(path)
    return found


def csrf_token(request: Request) -> str:
    token = request.cookies.get(COOKIE) or ""
    return hmac.new(b"habeas-web-csrf", token.encode("utf-8"), hashlib.sha256).hexdigest()


def check_csrf(request: Request, sent: str | None) -> None:
    if not request.cookies.get(COOKIE) or not hmac.compare_digest(csrf_token(request), sent or ""):
        raise PageError(403, gettext_for(request)("The form has expired. Open the page again and resend it."))


def language(request: Request) -> str:
    if not hasattr(request.state, "lang"):
        request.state.lang, request.state.remember_lang = i18n.choose(request)
    return request.state.lang


def gettext_for(request: Request):
    return i18n.translations(language(request)).gettext


def lang_links(request: Request) -> list[dict[str, str]]:
    """The language switch: this page in each language, its other query parameters kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "partial")]
    return [
        {"lang": lang, "name": i18n.NAMES[lang], "href": "?" + urlencode([*params, ("lang", lang)])}
        for lang in i18n.LANGUAGES
    ]


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """Render `template` in the request's language, with the layout's needs."""
    lang = language(request)
    ctx = context(request)
    tr = i18n.translations(lang)
    who = user(request)
    html = ENV.get_template(template).render(
        request=request,
        lang=lang,
        _=words(tr),
        label=lambda code: tr.gettext(LABELS[code]) if code in LABELS else code,
        ngettext=tr.ngettext,
        fmt=i18n.Formats(lang, ctx.law.jurisdiction),
        who=who,
        reads_cases=who is not None and guard.reads_cases(ctx.law, who),
        csrf=csrf_token(request) if who else "",
        languages=lang_links(request),
        path=request.url.path,
        **values,
    )
    response = HTMLResponse(html, status_code=status)
    remember(request, response)
    return response


def words(tr):
    """`_("text %(name)s", name=…)` in templates: translate, then fill in."""

    def translate(text: str, **values: Any) -> str:
        found = tr.gettext(text)
        return found % values if values else found

    return translate


def remember(request: Request, response) -> None:
    language(request)
    if getattr(request.state, "remember_lang", False):
        response.set_cookie(i18n.LANG_COOKIE, request.state.lang, max_age=365 * 86400, samesite="lax", path="/")


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def sign_in_url(next_path: str) -> str:
    return "/sign-in?next=" + quote(next_path, safe="/")


def local_path(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (no `//host`, no scheme)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value
