"""The API's documents (Pydantic): what `/openapi.json` promises each route answers.

The event itself is the import format of design §4 (`EventIn`, validated by the register's
vocabulary, not here: one set of rules and errors for the CLI, the API and the web UI)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The documented examples are facts a fresh register takes as they are written (a test
# posts each one): a case opened by the signed-in investigator (`actor` defaults to them),
# and a batch that opens another case with its suspect and the suspect's detention.
EVENT_EXAMPLE = {
    "id": "ev-0001",
    "kind": "case.registered",
    "case": "KZ-2024-000124",
    "occurred_at": "2024-03-01T10:00:00+05:00",
    "data": {"erdr_number": "247510000124", "article": "188", "part": 1, "region": "almaty"},
}
_OFFICER = {"id": "inv-1", "role": "investigator", "agency": "police-almaty-bostandyk"}
BATCH_EXAMPLE = [
    {
        "id": "ev-0101",
        "kind": "case.registered",
        "case": "KZ-2024-000125",
        "occurred_at": "2024-03-01T09:00:00+05:00",
        "actor": _OFFICER,
        "data": {"erdr_number": "247510000125", "article": "188", "part": 2, "region": "almaty"},
    },
    {
        "id": "ev-0102",
        "kind": "party.added",
        "case": "KZ-2024-000125",
        "occurred_at": "2024-03-01T09:30:00+05:00",
        "actor": _OFFICER,
        "data": {"person": "P1", "role": "suspect", "name": "Aidar Example", "birth_date": "1990-02-03"},
    },
    {
        "id": "ev-0103",
        "kind": "person.detained",
        "case": "KZ-2024-000125",
        "occurred_at": "2024-03-01T10:00:00+05:00",
        "actor": _OFFICER,
        "data": {"person": "P1", "place": "Almaty, Bostandyk district police"},
    },
]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ActorOut(Open):
    id: str
    role: str
    agency: str | None = None


class EventIn(Open):
    """One event in the format of design §4; `actor` defaults to the signed-in user."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EVENT_EXAMPLE]})

    id: str | None = Field(None, description="Client-chosen id; re-sending it is idempotent")
    kind: str = Field(description="The event kind (design §4), e.g. person.detained")
    case: str | None = Field(None, description="The case number (absent for caseless kinds)")
    occurred_at: str = Field(description="When it happened: ISO 8601 with its UTC offset")
    actor: dict[str, Any] | None = Field(None, description="Who did it: {id, role, agency}")
    data: dict[str, Any] = Field(default_factory=dict, description="The kind's fields")


class Stored(BaseModel):
    id: str
    status: str = Field(description="stored, or skipped: this id was stored already with the same content")
    position: int
    hash: str
    recorded_at: str | None = None


class BatchStored(BaseModel):
    lines: int
    stored: int
    skipped: int
    head_position: int


class User(BaseModel):
    login: str
    role: str
    agency: str | None = None
    region: str | None = None
    person: str | None = Field(None, description="A person's user: CASE:PARTY")


class SignIn(BaseModel):
    login: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$")
    token: str = Field(
        min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$", description="The token `habeas user add` printed"
    )


class SessionOut(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer TOKEN`")
    expires_at: str
    user: User


class CaseRow(BaseModel):
    case: str
    stage: str | None = None
    region: str | None = None
    article: str | None = None
    part: int | None = None
    events: int
    registered_at: str | None = None


class Page(BaseModel):
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; null on the last")


class CasePage(Page):
    items: list[CaseRow]


class Finding(Open):
    code: str
    status: str = Field(description="open (deadline ahead) or breached")
    person: str | None = None
    due_at: str | None = None
    citation: Any = None
    evidence: list[str] = []
    evidence_withheld: int | None = Field(
        None, description="How many of its evidence events lie outside the reader's section of the file (withheld)"
    )
    text: str | None = Field(None, description="The finding in the reader's language")


class Alert(Finding):
    case: str


class AlertPage(Page):
    items: list[Alert]
    total: int | None = Field(None, description="Every alert on the board: for a reader who may read every case")


class CaseFile(Open):
    case: str
    at: str
    summary: dict[str, Any]
    parties: list[dict[str, Any]]
    events: list[dict[str, Any]]
    findings: list[Finding]
    section: str | None = None


class ReadRecord(BaseModel):
    position: int
    read_at: str
    actor: ActorOut
    case: str | None
    person: str | None
    persons: list[str] | None = Field(None, description="Whose data the read showed (none named: the whole case)")
    what: str
    purpose: str | None
    action: str
    allowed: bool
    assigned: bool
    reason: str | None


class Rule(Open):
    code: str


class LogHead(BaseModel):
    position: int
    hash: str


class LedgerHead(BaseModel):
    events: LogHead
    reads: LogHead
    accounts: LogHead | None = None  # the account log (users and sessions), since issue 23


class Checkpoint(Open):
    signature: str | None = None
