"""Wording and formatting, one place for every driver (CLI, demo, API, web).

A `Wording` is one language in one jurisdiction: the register's codes in words (event kinds,
fields, roles, stages, regions — `labels.LABELS` through the catalogues), times in the local
time of the case's region to the minute (the zone from the package's reference data, the
offset of the day from the time-zone database), numbers with the language's separators,
durations and time left. The words are Babel catalogues (`presentation/locale/<lang>/
LC_MESSAGES/messages.po`), read from the .po itself (compiled in memory: no build step to
forget). A finding's own words come from the law package's catalogues (`findings`).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from habeas.jurisdictions import messages, zones
from habeas.presentation import refusals
from habeas.presentation.labels import LABELS

LANGUAGES = ("en", "ru", "kk")
NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DEFAULT = "en"
LOCALE = Path(__file__).with_name("locale")
# a citation as `Law.citation_text` writes it: an act, then its article and part
CITATION = re.compile(r"^(?P<act>.+?)(?: art\. (?P<article>.+?))?(?: part (?P<part>.+))?$")
# `1, 2`, `484-498` (a range: the second number the greater), but not `108-1`, `3-1`, `1-1`:
# an article or part inserted later is numbered after the one it follows
_SEVERAL = re.compile(r"^\s*(?:\S+\s*(?:,|–|\band\b)\s*\S+.*|(\d+)-(\d+))\s*$")


def several(numbers: str | None) -> bool:
    """Whether a citation's article (or part) names more than one: Kazakh words them apart
    (`484-498-баптары`, `1, 2-бөліктері`), where one is `108-1-бабы`."""
    found = _SEVERAL.match(numbers or "")
    if found is None:
        return False
    first, last = found.groups()
    return first is None or int(last) > int(first)


# a parameter's unit in words (the catalogues translate them); count, flag and text need none
UNITS = {"hours": "h", "days": "days", "months": "months", "years": "years"}


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
    """The catalogue of `lang` (English, the msgids themselves, for `en` or an unknown one)."""
    path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def moment(value: str | datetime | None) -> datetime | None:
    """A stored time (ISO text or datetime; naive is UTC), or None if it is none."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def compact_duration(delta: timedelta) -> str:
    """`26 h`, `3 d 2 h`: the JSON's `overdue` and `remaining` (units as symbols, any language)."""
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h" if hours < 48 else f"{hours // 24} d {hours % 24} h"


class Wording:
    """Words, dates, numbers and durations of one language (`fmt.when(...)` in templates)."""

    def __init__(self, lang: str = DEFAULT, jurisdiction: str = "kz"):
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.jurisdiction = jurisdiction
        self.translations = translations(self.lang)

    # -- words ---------------------------------------------------------------------------------

    def gettext(self, text: str, **values: Any) -> str:
        """`text` in the language, `%(name)s` filled from `values`."""
        found = self.translations.gettext(text)
        return found % values if values else found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def label(self, code: Any) -> str:
        """A code of the register in words (`person.detained`, `investigator`, `almaty`…); a
        code with no words is shown as stored."""
        if code is None:
            return ""
        words = LABELS.get(str(code))
        return self.translations.gettext(words) if words else str(code)

    kind = field = role = label

    def code(self, code: Any) -> str:
        """A code in words: the register's labels, then the law package's (`gravity.minor`)."""
        if str(code) in LABELS:
            return self.label(code)
        found = messages.text(self.jurisdiction, f"gravity.{code}", self.lang)
        return str(code) if found == f"gravity.{code}" else found

    def region(self, code: str | None) -> str:
        """A region's name (reference data; code, alias or KATO code) in the language."""
        if not code:
            return ""
        name = zones.region_name(self.jurisdiction, code)
        return self.translations.gettext(name) if name else str(code)

    def status(self, code: str) -> str:
        return self.label(code)

    def citation(self, text: str | None) -> str:
        """`CPC art. 131 part 4; CC art. 68` in the language's way of citing (`ч. 4 ст. 131
        УПК`, `ҚПК 131-бабының 4-бөлігі`): each act's name and the pattern from the catalogue."""
        if not text:
            return ""
        shown = []
        for piece in text.split("; "):
            found = CITATION.match(piece)
            if found is None:
                shown.append(self.translations.gettext(piece))
                continue
            act, article, part = found.group("act", "article", "part")
            values = {"act": self.translations.gettext(act), "article": article, "part": part}
            if part:
                pattern = (
                    "%(act)s art. %(article)s parts %(part)s"
                    if several(part)
                    else "%(act)s art. %(article)s part %(part)s"
                )
            else:
                pattern = "%(act)s arts. %(article)s" if several(article) else "%(act)s art. %(article)s"
            shown.append(self.gettext(pattern, **values) if article else values["act"])
        return "; ".join(shown)

    def value(self, value: Any, unit: str | None = None) -> str:
        """A parameter's value with its unit: `48 h`, `yes`, `CC 296, CC 297`."""
        if isinstance(value, bool):
            return self.gettext("yes") if value else self.gettext("no")
        if isinstance(value, list):  # codes (gravities, kinds) in words where the register has them
            value = ", ".join(self.code(item) for item in value)
        if isinstance(value, dict):  # a value by case (the competent body by what it is about)
            value = "; ".join(f"{self.code(key)}: {self.code(item)}" for key, item in value.items())
        shown = self.number(value) if isinstance(value, int | float) else str(value)
        words = UNITS.get(unit or "")
        return f"{shown} {self.translations.gettext(words)}" if words else shown

    def refusal(self, reason: str) -> str:
        """A refusal's reason (`Problem.reason`) in the language (`refusals`)."""
        return refusals.refusal(reason, self)

    # -- times ---------------------------------------------------------------------------------

    moment = staticmethod(moment)

    def local(self, value: str | datetime | None, region: str | None = None) -> datetime | None:
        """A time in the region's local time (the jurisdiction's zone without a region)."""
        found = moment(value)
        return zones.local(found, self.jurisdiction, region) if found else None

    def when(self, value: str | datetime | None, region: str | None = None) -> str:
        """`3 мар. 2024, 10:00 (UTC+05:00)`: local time to the minute, and its offset."""
        local = self.local(value, region)
        if local is None:
            return "—" if value in (None, "") else str(value)
        shown = format_datetime(local, "d MMM y, HH:mm", tzinfo=local.tzinfo, locale=self.lang)
        return f"{shown} (UTC{_offset(local)})"

    def stamp(self, value: str | datetime | None, region: str | None = None) -> str | None:
        """`2024-03-03 10:00 (+05:00)`: local time to the minute, as a table's cell scans."""
        local = self.local(value, region)
        if local is None:
            return None if value in (None, "") else str(value)
        return f"{local:%Y-%m-%d %H:%M} ({_offset(local)})"

    def day(self, value: str | datetime | None, region: str | None = None) -> str:
        local = self.local(value, region)
        return format_datetime(local, "d MMM y", tzinfo=local.tzinfo, locale=self.lang) if local else "—"

    def picker(self, value: str | datetime | None, region: str | None = None) -> str:
        """The value of an `<input type="datetime-local">`: local time, no offset."""
        local = self.local(value, region)
        return local.strftime("%Y-%m-%dT%H:%M") if local else ""

    def now_picker(self, now: datetime, region: str | None = None) -> str:
        """Now in the region's local time, to the minute: a time field's default."""
        return self.picker(now, region)

    def read_time(self, text: str, region: str | None = None) -> str:
        """A time typed in a form, read in the region's local time when it has no offset: the
        ISO text the register takes. Text that is no time is returned as typed (the register
        refuses it, under its field, in the reader's language)."""
        try:
            return zones.read_local(text, self.jurisdiction, region).isoformat()
        except ValueError:
            return text

    def iso(self, value: str | datetime | None) -> str:
        found = moment(value)
        return found.isoformat() if found else ""

    # -- numbers and durations -----------------------------------------------------------------

    def number(self, value: Any) -> str:
        """1 234 567 and 12,5 in Russian and Kazakh; 1,234,567 and 12.5 in English."""
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

    def left(self, due: str | datetime | None, at: datetime) -> tuple[str, bool] | None:
        """(how long until `due`, or how long past it; whether it is past) as of `at`."""
        found = moment(due)
        if found is None:
            return None
        delta = found - at
        return self.duration(delta), delta.total_seconds() < 0

    def timing(self, finding: dict) -> str | None:
        """`26 h overdue`, `3 d 2 h left`: a finding explained by `findings.explain`."""
        if finding.get("overdue"):
            return self.gettext("%(time)s overdue", time=finding["overdue"])
        if finding.get("remaining"):
            return self.gettext("%(time)s left", time=finding["remaining"])
        return None


def _offset(local: datetime) -> str:
    offset = local.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"
