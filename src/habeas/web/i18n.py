"""Which language a web request gets (`?lang=`, the cookie, Accept-Language).

The words, dates, numbers and durations themselves are `presentation.wording`'s, shared
with the CLI and the API: `Formats` is its `Wording`, `translations` its catalogues.
"""

from __future__ import annotations

from starlette.requests import Request

from habeas.presentation.wording import DEFAULT, LANGUAGES, NAMES, accepted, translations
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
