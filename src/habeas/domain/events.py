"""Events: the one shape every fact takes (design §4), and the limits of a line.

Every name of the event is imported from here: the envelope (`Event`, `Actor`, `Problem`,
`Refused`, streams: `domain.envelope`), parsing a raw object into an `Event`
(`domain.parsing`) and the time formats of the canonical record (`domain.times`).

This module keeps the limits of a line: before anything else, a line (or a submitted
object) must keep within them (`decode_line`, `value_problems`), and whatever passes them
can be validated, stored and printed on either store without an exception.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from habeas.domain.envelope import (
    FACILITY_STREAM,
    IDENTIFIER,
    INTERNAL,
    MAX_STREAM,
    Actor,
    Event,
    Problem,
    Refused,
    case_of,
    label,
    shown,
    stream_of,
)
from habeas.domain.parsing import parse_actor, parse_event, parse_time, validate_data
from habeas.domain.times import from_utc, offset_text, utc_iso

__all__ = [
    "FACILITY_STREAM",
    "IDENTIFIER",
    "INTERNAL",
    "MAX_DEPTH",
    "MAX_LINE_BYTES",
    "MAX_NUMBER_DIGITS",
    "MAX_STREAM",
    "MAX_STRING",
    "Actor",
    "DuplicateKey",
    "Event",
    "Problem",
    "Refused",
    "case_of",
    "check_limits",
    "decode_line",
    "from_utc",
    "label",
    "offset_text",
    "parse_actor",
    "parse_event",
    "parse_time",
    "shown",
    "stream_of",
    "unique_keys",
    "utc_iso",
    "validate_data",
    "value_problems",
]

# --- the limits of a line -----------------------------------------------------------------
# What a line of an import (or one submitted event) may hold. Everything inside them is
# checked by the envelope and the vocabulary; everything outside is refused here, with
# the same verdict on SQLite and PostgreSQL, before any of it reaches a database.
#
# - a line: at most MAX_LINE_BYTES bytes of UTF-8 (the longest valid event is a few KB);
# - nesting: at most MAX_DEPTH objects/arrays inside one another (a valid event needs 4:
#   the event, its data, a correction's data, a sentence or a list inside it);
# - a string: at most MAX_STRING characters (the vocabulary's longest free text; names and
#   identifiers are shorter, see IDENTIFIER and the vocabulary), valid Unicode (no lone
#   surrogate) and no NUL character (PostgreSQL cannot store one);
# - a number: an integer of at most MAX_NUMBER_DIGITS digits; a fraction or exponent of at
#   most MAX_NUMBER_DIGITS + 10 characters, finite (no NaN, no Infinity, no 1e400);
# - a time: in the years EARLIEST_YEAR to LATEST_YEAR (domain.vocabulary), in its offset
#   and in UTC, with a UTC offset of whole minutes.
MAX_LINE_BYTES = 65_536
MAX_DEPTH = 16
MAX_STRING = 4_000
MAX_NUMBER_DIGITS = 20

# A line needs the slow, exact checks of `value_problems` only when a cheap scan of its
# text says it might break a limit: more brackets than MAX_DEPTH, or an escape of NUL
# or of a surrogate (a valid pair, an emoji escaped as two surrogates, also lands here).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class _OutOfBounds(ValueError):
    """Raised by the JSON decoder's number hooks: the problem to report."""


def _int(text: str) -> int:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_NUMBER_DIGITS:
        raise _OutOfBounds(f"a number of {digits} digits; at most {MAX_NUMBER_DIGITS}")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise _OutOfBounds(f"a number of {len(text)} characters; at most {MAX_NUMBER_DIGITS + 10}")
    value = float(text)
    if math.isinf(value):
        raise _OutOfBounds(f"the number {text} is out of range")
    return value


def _constant(text: str) -> Any:
    raise _OutOfBounds(f"{text} is not a JSON number")


class DuplicateKey(ValueError):
    """A JSON object names a key twice: which value is meant cannot be known (issue 20)."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"the key {key!r} is given twice in one object: which value is meant cannot be known")


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members as a dict, refusing a key given twice (`object_pairs_hook`)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return found


# One decoder for the process (json.loads with hooks would build one per call). Only the
# rare number that is not a plain integer of a few digits costs a Python call.
_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=unique_keys)


def decode_line(text: str, size: int | None = None) -> Any:
    """One line of an import as a JSON value within the limits of a line, or raise `Refused`.

    `size` is the line's length in UTF-8 bytes when the caller has measured it by encoding
    it strictly (so the text holds no lone surrogate). Cheap scans of the text (two counts,
    a one-character search) decide whether the exact checks of `value_problems` are needed
    at all; for a usual line they are not. The decoder checks numbers as it reads them."""
    exact = False
    if size is None:
        if text.isascii():  # O(1) in CPython
            size = len(text)
        else:
            try:
                size = len(text.encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate in the text itself
                size, exact = len(text.encode("utf-8", "surrogatepass")), True
    if size > MAX_LINE_BYTES:
        raise Refused([Problem("event", f"a line of {size} bytes; at most {MAX_LINE_BYTES}")])
    try:
        value = _DECODER.decode(text)
    except _OutOfBounds as exc:
        raise Refused([Problem("json", str(exc))]) from None
    except DuplicateKey as exc:
        raise Refused([Problem(label(exc.key), str(exc))]) from None
    except json.JSONDecodeError as exc:
        raise Refused([Problem("json", f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
    except RecursionError:  # nested far deeper than MAX_DEPTH: name where, from the text
        raise Refused([Problem(_deep_path(text), f"nested more than {MAX_DEPTH} deep")]) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise Refused([Problem("json", f"not valid JSON: {type(exc).__name__}")]) from None
    if exact or text.count("[") + text.count("{") > MAX_DEPTH or ("\\" in text and _SUSPECT_ESCAPE.search(text)):
        problems = value_problems(value)
        if problems:
            raise Refused(problems)
    return value


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def _deep_path(text: str) -> str:
    """The field (its first three path components) where a text nests beyond MAX_DEPTH."""
    path: list[str] = []  # the key or index at each open level
    kinds: list[str] = []
    last = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            kinds.append(token)
            path.append("0" if token == "[" else "")
            if len(kinds) > MAX_DEPTH:
                return ".".join(path[:-1][:3]) or "event"  # path[i]: the key or index inside level i
        elif token in "]}":
            kinds and kinds.pop()
            path and path.pop()
        elif token == ",":
            if kinds and kinds[-1] == "[":
                path[-1] = str(int(path[-1]) + 1)
        elif token == ":" and kinds and kinds[-1] == "{" and last.startswith('"'):
            path[-1] = label(last[1:-1])
        last = token
    return "event"


def check_limits(raw: Any) -> None:
    """Raise `Refused` if an object given as such (not as a line) breaks the limits of a line."""
    problems = value_problems(raw, numbers=True)
    if problems:
        raise Refused(problems)


def value_problems(value: Any, numbers: bool = False) -> list[Problem]:
    """Every string, key and nesting level of a JSON value against the limits of a line.

    Names the field (the path to it) and the reason; stops descending at MAX_DEPTH, so a
    value nested any deeper costs no more than one nested that deep. `numbers` checks
    numbers too (a decoded line's numbers were checked by the decoder)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack and len(problems) < 10:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            reason = _string_problem(item)
            if reason:
                problems.append(Problem(path or "event", reason))
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                named = ".".join(path.split(".")[:3])  # where the nesting starts, not all of it
                problems.append(Problem(named or "event", f"nested more than {MAX_DEPTH} deep"))
                continue
            if isinstance(item, dict):
                for key, inner in item.items():
                    if not isinstance(key, str):
                        problems.append(Problem(path or "event", "object keys must be strings"))
                        continue
                    reason = _string_problem(key)
                    if reason:
                        problems.append(Problem(path or "event", f"a field name {reason}"))
                        continue
                    stack.append((inner, f"{path}.{label(key)}" if path else label(key), depth + 1))
            else:
                stack.extend((inner, f"{path}.{n}" if path else str(n), depth + 1) for n, inner in enumerate(item))
        elif numbers and isinstance(item, int) and not isinstance(item, bool):
            if abs(item) >= 10**MAX_NUMBER_DIGITS:
                problems.append(Problem(path or "event", f"a number of more than {MAX_NUMBER_DIGITS} digits"))
        elif numbers and isinstance(item, float):
            if not math.isfinite(item):
                problems.append(Problem(path or "event", "a number must be finite"))
        elif item is not None and not isinstance(item, bool | int | float):
            problems.append(Problem(path or "event", f"not a JSON value: {type(item).__name__}"))
    problems.sort(key=lambda p: p.field)
    return problems


def _string_problem(text: str) -> str | None:
    if len(text) > MAX_STRING:
        return f"a string of {len(text)} characters; at most {MAX_STRING}"
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (\\ud800-\\udfff): not Unicode text"
    return None
