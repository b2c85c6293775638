"""The shape of every parameter, checked before anything reaches a database (issue 23): a
case, person, region, agency, code or login is an identifier of the register's own shape
(`domain.events.IDENTIFIER`: at most 128 characters, printable, no NUL); a stage a word; a
purpose printable text; a cursor the URL-safe Base64 this API gives. Bad input is a 422 on
both stores alike, never a database's error (PostgreSQL refuses a NUL, a column's length)."""

from __future__ import annotations

import re

from habeas.domain.events import IDENTIFIER

ID = IDENTIFIER.pattern.replace(r"\Z", "$")  # the same shape, as OpenAPI and Pydantic spell it
ID_LENGTH = 128
WORD = r"^[a-z][a-z0-9_]{0,39}$"  # a stage
TEXT = r"^[^\x00-\x1f\x7f]*$"  # printable text: no NUL, no control character
CURSOR = r"^[A-Za-z0-9_=-]{1,400}$"

_ID, _WORD, _TEXT = (
    re.compile(IDENTIFIER.pattern),
    re.compile(WORD.replace("$", r"\Z")),
    re.compile(r"\A[^\x00-\x1f\x7f]*\Z"),
)


def is_id(value: str) -> bool:
    return bool(_ID.match(value))


def is_word(value: str) -> bool:
    return bool(_WORD.match(value))


def is_text(value: str) -> bool:
    return bool(_TEXT.match(value))
