"""What every page shares: the templates, the language, who is signed in, and the CSRF token.

The web UI signs a user in with the same sessions as the API (`services.sessions`), held
in the `habeas_session` cookie (HttpOnly, SameSite=Strict: another site's link or form
arrives without it). Every form carries a `csrf` field, an HMAC under the server's key
(`config.web_secret`) of the session token, or before signing in of a random pre-session
cookie (`habeas_pre`): another page can make a browser send a cookie, but cannot read ours
to learn the token. A case file is read, with its purpose, only from a link or form of
our own pages: they carry a read token bound to the session and the case (`read_token`).
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
    return signed_in_user(request, context(request), cookie=True)


def required(request: Request) -> Principal:
    found = user(request)
    if found is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInFirst(path)
    return found


PRE_SESSION = "habeas_pre"  # before signing in: what the sign-in form's CSRF token is bound to


def _mac(request: Request, *parts: str) -> str:
    message = "\x00".join(parts).encode("utf-8")
    return hmac.new(context(request).secret, message, hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token of this session's forms (empty without a session)."""
    token = request.cookies.get(COOKIE) or ""
    return _mac(request, "csrf", token) if token else ""


def check_csrf(request: Request, sent: str | None) -> None:
    if not request.cookies.get(COOKIE) or not hmac.compare_digest(csrf_token(request), sent or ""):
        raise PageError(403, gettext_for(request)("The form has expired. Open the page again and resend it."))


def pre_session_token(value: str, request: Request) -> str:
    """The sign-in form's CSRF token, bound to the pre-session cookie's value."""
    return _mac(request, "sign-in", value)


def pre_session_ok(request: Request, sent: str | None) -> bool:
    value = request.cookies.get(PRE_SESSION) or ""
    return bool(value) and hmac.compare_digest(pre_session_token(value, request), sent or "")


def read_token(request: Request, case: str) -> str:
    """What a link of our own pages to a case file carries: bound to this session and case,
    so no other site's link can make a signed-in official read a case (and log a purpose)."""
    token = request.cookies.get(COOKIE) or ""
    return _mac(request, "read", token, case)[:32] if token else ""


def read_token_ok(request: Request, case: str, sent: str | None) -> bool:
    expected = read_token(request, case)
    return bool(expected) and hmac.compare_digest(expected, sent or "")


def case_href(request: Request, case: str, purpose: str | None = None, **params: str) -> str:
    """A link to a case file that reads it (the read token, and the purpose to log)."""
    query = [("read", read_token(request, case))]
    if purpose:
        query.append(("purpose", purpose))
    query += [(k, v) for k, v in params.items() if v]
    return f"/cases/{quote(case, safe='')}?" + urlencode(query)


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
    wording = i18n.Formats(lang, ctx.law.jurisdiction)
    tr = wording.translations
    who = user(request)
    html = ENV.get_template(template).render(
        request=request,
        lang=lang,
        _=words(tr),
        label=wording.label,
        ngettext=tr.ngettext,
        fmt=wording,
        who=who,
        reads_cases=who is not None and guard.reads_cases(ctx.law, who),
        csrf=csrf_token(request) if who else "",
        case_href=lambda case, purpose=None, **params: case_href(request, case, purpose, **params),
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
