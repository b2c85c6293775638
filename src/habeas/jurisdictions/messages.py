"""Finding messages a clerk understands, in the jurisdiction's languages.

The law core returns a message key and parameters (`Finding.message`, `Finding.params`);
the words live in gettext catalogues `<jurisdiction>/messages/<lang>.po` (msgid = key),
read here with Babel. Times are shown in the local time of the case's region (`zones`).
"""

from __future__ import annotations

import io
import string
from collections.abc import Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from babel.messages.pofile import read_po

from habeas.jurisdictions import package_root, zones

DEFAULT_LANGUAGE = "en"
MISSING = "—"


@cache
def catalogue(jurisdiction: str, language: str) -> dict[str, str]:
    """{key: text} of one language; an unknown language falls back to English."""
    root = package_root(jurisdiction) / "messages"
    path = root / f"{language}.po"
    if not path.is_file():
        if language == DEFAULT_LANGUAGE:
            return {}
        return catalogue(jurisdiction, DEFAULT_LANGUAGE)
    with io.BytesIO(path.read_bytes()) as handle:
        po = read_po(handle, locale=None)
    return {m.id: m.string for m in po if m.id and m.string}


def languages(jurisdiction: str) -> list[str]:
    root = package_root(jurisdiction) / "messages"
    if not root.is_dir():
        return []
    return sorted(p.name[:-3] for p in root.iterdir() if p.name.endswith(".po"))


@lru_cache(maxsize=4096)  # a case's findings show the same few times again and again
def _show_time(value: str, jurisdiction: str = "kz", region: str | None = None) -> str:
    try:
        moment = zones.local(datetime.fromisoformat(value), jurisdiction, region)
    except ValueError:
        return value
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})" if offset else f"{moment:%Y-%m-%d %H:%M}"


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return MISSING


def text(jurisdiction: str, key: str, language: str = DEFAULT_LANGUAGE) -> str:
    words = catalogue(jurisdiction, language)
    return words.get(key) or catalogue(jurisdiction, DEFAULT_LANGUAGE).get(key) or key


def render(
    key: str,
    params: Mapping[str, Any] | None = None,
    language: str = DEFAULT_LANGUAGE,
    jurisdiction: str = "kz",
    region: str | None = None,
) -> str:
    """The message `key` in `language`, its placeholders filled from `params` (times in the
    local time of `region`)."""
    template = text(jurisdiction, key, language)
    shown = _Params()
    for name, value in (params or {}).items():
        if value is None:
            continue
        if name.endswith("_at") or name in ("until", "allowed_until"):
            value = _show_time(str(value), jurisdiction, region)
        elif name == "unit":
            value = text(jurisdiction, f"unit.{value}", language)
        elif name == "gravity":
            value = text(jurisdiction, f"gravity.{value}", language)
        elif name.endswith("_kind"):
            value = str(value)
        shown[name] = value
    try:
        return string.Formatter().vformat(template, (), shown)
    except (ValueError, IndexError, KeyError):
        return template


def render_finding(
    finding: Any, at: datetime | None = None, language: str = DEFAULT_LANGUAGE, jurisdiction: str = "kz"
) -> str:
    """A finding (a `Finding` or its `to_dict`) as one line: status and message."""
    if isinstance(finding, Mapping):
        key, params, status = finding.get("message"), finding.get("params"), finding.get("status")
    else:
        key, params = finding.message, finding.params
        status = finding.status_at(at) if at is not None else None
    body = render(key or finding_code(finding), params, language, jurisdiction)
    if status:
        return f"{text(jurisdiction, f'status.{status}', language)}: {body}"
    return body


def finding_code(finding: Any) -> str:
    return finding["code"] if isinstance(finding, Mapping) else finding.code
