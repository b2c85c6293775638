"""The data of each event kind (design §4): the field types and one model per kind's `data`.

Types are strict (the register takes JSON and coerces nothing): `"yes"` is not a boolean and
`"2"` is not a number; times and dates are ISO 8601 strings, a time with its UTC offset, within
the accepted years. Which kind has which model is the vocabulary's table (`vocabulary.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
)

ROLES: tuple[str, ...] = (
    "investigator",
    "inquiry_officer",
    "prosecutor",
    "investigating_judge",
    "judge",
    "court_clerk",
    "prison_officer",
    "doctor",
    "defence_lawyer",
    "ombudsman",
    "analyst",
    "registrar",
    "admin",
    "person",
)

# The years a recorded time or date may fall in: wide enough for any birth date or
# sentence end of a living person, narrow enough that every term counted from it stays
# far inside what a datetime can hold (so no calendar sum can overflow).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def iso_text(value: Any) -> Any:
    """Times and dates come as ISO 8601 strings, never as numbers (no epoch coercion)."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 string")
    return value


def in_accepted_years(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must lie in the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    if isinstance(value, datetime) and not EARLIEST_YEAR <= value.utctimetuple().tm_year <= LATEST_YEAR:
        raise ValueError(f"must lie in the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(iso_text), AfterValidator(in_accepted_years)]
Day = Annotated[date, BeforeValidator(iso_text), AfterValidator(in_accepted_years)]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]  # an id or a name
Article = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,4}(-[0-9]{1,2})?$")]
Part = Annotated[StrictInt, Field(ge=1, le=20)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PersonData(Data):
    person: Ref


class ReportReceived(Data):
    channel: Text
    summary: Text
    victim: Ref | None = None


ACCUSED_AGENCIES = (
    "police",
    "penitentiary",
    "prosecutor",
    "court",
    "anticorruption",
    "knb",
    "customs",
    "tax",
    "local_government",
    "military",
    "other",
)


class CaseRegistered(Data):
    erdr_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,40}$")]
    article: Article
    part: Part | None = None
    region: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    # v2: the form of the pre-trial investigation; absent means a preliminary investigation
    form: Literal["inquiry", "preliminary", "expedited", "protocol"] | None = None
    # v2: for an offence by an official (corruption, torture, abuse of office), the agency the
    # accused official serves in; absent means not recorded (as in v1). A closed list, so that
    # it can never carry a name.
    accused_agency: Literal[ACCUSED_AGENCIES] | None = None


PARTY_ROLES = ("suspect", "accused", "victim", "witness", "counsel", "legal_representative")


class PartyAdded(PersonData):
    role: Literal["suspect", "accused", "victim", "witness", "counsel", "legal_representative"]
    name: Text
    birth_date: Day | None = None
    # v2: ISO 3166-1 alpha-2 (absent means Kazakh); v1 files may carry alpha-3
    citizenship: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}$")] | None = None
    language: Annotated[str, StringConstraints(min_length=2, max_length=8)] | None = None
    # v3: true when physical or mental disabilities keep the person from exercising the right
    # of defence on their own (CPC art. 67 part 1 item 3); absent means not recorded (as before)
    disability: StrictBool | None = None


class PlaceData(PersonData):
    place: Text


DETENTION_GROUNDS = ("mass_riots", "criminal_group", "remoteness", "emergency")


class PersonDetained(PlaceData):
    # v2: exceptional grounds the detaining officer records (CPC art. 131 part 4 items 3, 4, 6)
    grounds: list[Literal["mass_riots", "criminal_group", "remoteness", "emergency"]] | None = None


class RightsExplained(PersonData):
    """The rights explained, as they were. A list that leaves out `counsel` or `silence`
    (or `interpreter`) is recorded as the truth and judged by the law
    (KZ-DETENTION-RIGHTS), not refused: refusing it would hide the breach."""

    rights: list[Code] = Field(min_length=1, max_length=40)


class CounselAdmitted(PersonData):
    lawyer: Name


class PersonQuestioned(PersonData):
    counsel_present: StrictBool


class PersonUntil(PersonData):
    until: Moment


class PersonReleased(PersonData):
    ground: Text


class SuspicionQualified(PersonData):
    article: Article
    part: Part | None = None


PROSECUTOR_LEVELS = ("district", "regional", "general")


class DecisionData(Data):
    event: Ref
    reason: Text | None = None
    # v3: the level of the prosecutor who approved or agreed (district and equal, regional and
    # equal, the Prosecutor General or a deputy): the custody ladder names one per step (CPC
    # art. 151); absent means not recorded (as before)
    level: Literal["district", "regional", "general"] | None = None


class InvestigationExtended(Data):
    until: Moment
    # v3: the level of the prosecutor who extended the term (CPC art. 192 parts 4-5: district to
    # 3 months, regional to 12, the Prosecutor General beyond); absent means not recorded
    level: Literal["district", "regional", "general"] | None = None


class SentToProsecutor(Data):
    """v3: the investigator sends the finished case to the prosecutor: the pre-trial
    investigation's term ends here (CPC art. 192 part 2), with the document it went with."""

    document: (
        Literal[
            "report",
            "indictment_protocol",
            "expedited_protocol",
            "misdemeanour_protocol",
            "summary_order",
            "closure",
            "medical_measures",
        ]
        | None
    ) = None


class ComplaintFiled(PersonData):
    complaint: Ref
    about: Literal["torture", "ill_treatment", "unlawful_detention", "other"]


class ComplaintRegistered(Data):
    complaint: Ref
    erdr_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,40}$")]


class MedicalExamined(PersonData):
    injuries: StrictBool
    notes: Text | None = None


class CaseClosed(Data):
    ground: Literal["reconciliation", "no_crime", "no_evidence", "amnesty", "other"]
    victim_consent: StrictBool | None = None


class CourtData(Data):
    court: Name


class TrialStarted(CourtData):
    jury: StrictBool | None = None  # v2: absent means no jury


class Sentence(Data):
    kind: Code
    months: Annotated[StrictInt, Field(ge=0, le=1200)] | None = None


class VerdictDelivered(PersonData):
    outcome: Literal["convicted", "acquitted"]
    sentence: Sentence | None = None


class ReviewFiled(PersonData):
    by: Name  # who filed: an id, a role or a name


class AppealDecided(Data):
    outcome: Text
    person: Ref | None = None


class CassationDecided(Data):
    outcome: Literal["upheld", "quashed", "changed", "returned"]
    person: Ref | None = None


class CassationCaseReceived(Data):
    """v2: the cassation court received the case it asked for (CPC art. 492 part 1, as amended
    by Law No. 136-VIII from 2025-07-01): its term to decide runs from here (part 3)."""

    court: Name | None = None
    person: Ref | None = None


class PrisonerAdmitted(PersonData):
    facility: Text
    ground: Text | None = None


class DeathRecorded(PersonData):
    place: Text
    cause: Text


class FacilityVisited(Data):
    facility: Name
    findings: Text


class BailOrdered(PersonData):
    amount: Annotated[StrictInt | StrictFloat, Field(ge=0, le=10**15)]


class InvestigationInterrupted(Data):
    ground: Text  # CPC art. 45 part 7


class Nothing(Data):
    """A fact whose kind says it all."""


class InterpolNotice(PersonData):
    notice: Literal["red", "blue", "yellow", "diffusion"]
    status: Literal["requested", "published", "withdrawn"]


class ExtraditionRequested(PersonData):
    direction: Literal["to_kazakhstan", "from_kazakhstan"]
    state: Name


class ExtraditionArrested(PersonData):
    until: Moment | None = None


class ExtraditionDecided(PersonData):
    outcome: Literal["granted", "refused"]
    reason: Text | None = None


class LegalAssistance(Data):
    request: Ref
    state: Name


class RecordCorrected(Data):
    """`data` holds the corrected fields; `occurred_at` there corrects the event's time."""

    event: Ref
    reason: Text
    data: dict = Field(min_length=1)


class CaseAssigned(Data):
    """An official assigned to a case, or whose assignment ends (`case.unassigned`): the
    access policy reads who is assigned from these facts (`habeas.access.facts`)."""

    official: Ref
    role: Literal[ROLES] | None = None
    agency: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
