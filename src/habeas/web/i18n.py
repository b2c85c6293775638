"""Languages of the web UI: which one a request gets, its words, and dates and numbers.

The words are Babel catalogues (`web/locale/<lang>/LC_MESSAGES/messages.po`), read at
start from the .po itself (compiled in memory: there is no build step to forget). A
finding's own words come from the law package's catalogues (`presentation.findings`).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from babel.dates import format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LANGUAGES = ("en", "ru", "kk")
NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DEFAULT = "en"
LANG_COOKIE = "habeas_lang"
LOCALE = Path(__file__).with_name("locale")

# Times the register holds in UTC (a read's time, "now") are shown in the jurisdiction's
# local time; a recorded time keeps the offset it was recorded with (the agency's). One
# offset per jurisdiction: Kazakhstan has kept one time zone, UTC+5, since 1 March 2024.
LOCAL_OFFSET = {"kz": timedelta(hours=5)}


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


@cache
def translations(lang: str) -> NullTranslations:
    path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def local_zone(jurisdiction: str) -> timezone:
    return timezone(LOCAL_OFFSET.get(jurisdiction, timedelta(0)))


class Formats:
    """Dates, numbers and durations in one language, for templates (`fmt.when(...)`)."""

    def __init__(self, lang: str, jurisdiction: str):
        self.lang = lang
        self.zone = local_zone(jurisdiction)

    def moment(self, value: str | datetime | None) -> datetime | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def when(self, value: str | datetime | None) -> str:
        """A time in the offset it was recorded with; a UTC time in the local one."""
        moment = self.moment(value)
        if moment is None:
            return "—" if value in (None, "") else str(value)
        zone = self.zone if moment.utcoffset() == timedelta(0) else moment.tzinfo
        local = moment.astimezone(zone)
        offset = local.strftime("%z")
        shown = format_datetime(local, "d MMM y, HH:mm", tzinfo=zone, locale=self.lang)
        return f"{shown} (UTC{offset[:3]}:{offset[3:]})"

    def iso(self, value: str | datetime | None) -> str:
        moment = self.moment(value)
        return moment.isoformat() if moment else ""

    def number(self, value) -> str:
        if isinstance(value, bool) or value is None:
            return "" if value is None else str(value)
        if isinstance(value, float):
            return format_decimal(value, format="#,##0.0", locale=self.lang)
        if isinstance(value, int):
            return format_decimal(value, locale=self.lang)
        return str(value)

    def duration(self, delta: timedelta) -> str:
        """Days and hours (hours and minutes under a day), in words of the language."""
        seconds = abs(int(delta.total_seconds()))
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes = rest // 60
        units = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
        parts = [
            format_timedelta(timedelta(**{unit + "s": amount}), granularity=unit, threshold=10**6, locale=self.lang)
            for amount, unit in units
            if amount
        ]
        return " ".join(parts) or format_timedelta(timedelta(0), granularity="minute", locale=self.lang)

    def left(self, due: str | None, at: datetime) -> tuple[str, bool] | None:
        """(how long until `due`, or how long past it; whether it is past) as of `at`."""
        moment = self.moment(due)
        if moment is None:
            return None
        delta = moment - at
        return self.duration(delta), delta.total_seconds() < 0
