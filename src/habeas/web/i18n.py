"""Which language a web request gets (`?lang=`, the cookie, Accept-Language).

The words, dates, numbers and durations themselves are `presentation.wording`'s, shared
with the CLI and the API: `Formats` is its `Wording`, `translations` its catalogues.
"""

from __future__ import annotations

from starlette.requests import Request

from habeas.presentation.wording import DEFAULT, LANGUAGES, NAMES, translations
from habeas.presentation.wording import Wording as Formats

__all__ = ["DEFAULT", "LANGUAGES", "NAMES", "Formats", "accepted", "choose", "translations"]

LANG_COOKIE = "habeas_lang"


def choose(request: Request) -> tuple[str, bool]:
    """(language, whether to remember it): `?lang=`, then the cookie, then Accept-Language."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, request.cookies.get(LANG_COOKIE) != asked
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LANGUAGES:
        return kept, False
    return accepted(request.headers.get("accept-language", "")), False


def accepted(header: str) -> str:
    """The best of our languages in an Accept-Language header (`ru-RU,ru;q=0.9,en;q=0.8`)."""
    ranked = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, n, tag.strip().lower().split("-")[0]))
    for _, _, tag in sorted(ranked):
        if tag in LANGUAGES:
            return tag
    return DEFAULT
