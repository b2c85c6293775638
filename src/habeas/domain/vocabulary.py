"""The event vocabulary v1 (design §4): each kind and the schema of its `data`.

Who may record each kind is law, not vocabulary: it lives in the jurisdiction's
`competence.yaml` and is checked by `habeas.access`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

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

Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Article = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,4}(-[0-9]{1,2})?$")]
Part = Annotated[int, Field(ge=1, le=20)]


Moment = AwareDatetime


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PersonData(Data):
    person: Ref


class ReportReceived(Data):
    channel: Text
    summary: Text
    victim: Ref | None = None


class CaseRegistered(Data):
    erdr_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,40}$")]
    article: Article
    part: Part | None = None
    region: Annotated[str, StringConstraints(min_length=1, max_length=128)]


PARTY_ROLES = ("suspect", "accused", "victim", "witness", "counsel", "legal_representative")


class PartyAdded(PersonData):
    role: Literal["suspect", "accused", "victim", "witness", "counsel", "legal_representative"]
    name: Text
    birth_date: date | None = None
    citizenship: Annotated[str, StringConstraints(min_length=2, max_length=3)] | None = None
    language: Annotated[str, StringConstraints(min_length=2, max_length=8)] | None = None


class PlaceData(PersonData):
    place: Text


class RightsExplained(PersonData):
    """The rights explained, as they were. A list that leaves out `counsel` or `silence`
    (or `interpreter`) is recorded as the truth and judged by the law
    (KZ-DETENTION-RIGHTS), not refused: refusing it would hide the breach."""

    rights: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]] = Field(min_length=1)


class CounselAdmitted(PersonData):
    lawyer: Annotated[str, StringConstraints(min_length=1, max_length=200)]  # an id or a name


class PersonQuestioned(PersonData):
    counsel_present: bool


class CustodyUntil(PersonData):
    until: Moment


class PersonReleased(PersonData):
    ground: Text


class SuspicionQualified(PersonData):
    article: Article
    part: Part | None = None


class DecisionData(Data):
    event: Ref
    reason: Text | None = None


class InvestigationExtended(Data):
    until: Moment


class ComplaintFiled(PersonData):
    complaint: Ref
    about: Literal["torture", "ill_treatment", "unlawful_detention", "other"]


class ComplaintRegistered(Data):
    complaint: Ref
    erdr_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,40}$")]


class MedicalExamined(PersonData):
    injuries: bool
    notes: Text | None = None


class CaseClosed(Data):
    ground: Literal["reconciliation", "no_crime", "no_evidence", "amnesty", "other"]
    victim_consent: bool | None = None


class CourtData(Data):
    court: Annotated[str, StringConstraints(min_length=1, max_length=200)]  # an id or a name


class Sentence(Data):
    kind: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")]
    months: Annotated[int, Field(ge=0, le=1200)] | None = None


class VerdictDelivered(PersonData):
    outcome: Literal["convicted", "acquitted"]
    sentence: Sentence | None = None


class AppealFiled(PersonData):
    by: Annotated[str, StringConstraints(min_length=1, max_length=200)]  # who filed: an id, a role or a name


class AppealDecided(Data):
    outcome: Text
    person: Ref | None = None


class PrisonerAdmitted(PersonData):
    facility: Text
    ground: Text | None = None


class DeathRecorded(PersonData):
    place: Text
    cause: Text


class FacilityVisited(Data):
    facility: Text
    findings: Text


class RecordCorrected(Data):
    """`data` holds the corrected fields; `occurred_at` there corrects the event's time."""

    event: Ref
    reason: Text
    data: dict = Field(min_length=1)


DATA_MODELS: dict[str, type[Data]] = {
    "report.received": ReportReceived,
    "case.registered": CaseRegistered,
    "party.added": PartyAdded,
    "person.detained": PlaceData,
    "person.delivered": PlaceData,
    "detention.protocol_drawn": PersonData,
    "rights.explained": RightsExplained,
    "counsel.requested": PersonData,
    "counsel.admitted": CounselAdmitted,
    "counsel.waived": PersonData,
    "person.questioned": PersonQuestioned,
    "relatives.notified": PersonData,
    "prosecutor.notified": PersonData,
    "custody.petitioned": PersonData,
    "custody.ordered": CustodyUntil,
    "custody.extended": CustodyUntil,
    "custody.refused": PersonData,
    "person.released": PersonReleased,
    "suspicion.qualified": SuspicionQualified,
    "decision.approved": DecisionData,
    "decision.rejected": DecisionData,
    "investigation.extended": InvestigationExtended,
    "complaint.filed": ComplaintFiled,
    "complaint.registered": ComplaintRegistered,
    "medical.examined": MedicalExamined,
    "case.closed": CaseClosed,
    "case.sent_to_court": CourtData,
    "trial.started": CourtData,
    "verdict.delivered": VerdictDelivered,
    "appeal.filed": AppealFiled,
    "appeal.decided": AppealDecided,
    "prisoner.admitted": PrisonerAdmitted,
    "prisoner.released": PrisonerAdmitted,
    "death.recorded": DeathRecorded,
    "facility.visited": FacilityVisited,
    "record.corrected": RecordCorrected,
}

KINDS: tuple[str, ...] = tuple(DATA_MODELS)

# Events that open a case stream (design §4: the case must exist for all others).
CASE_CREATING_KINDS = frozenset({"report.received", "case.registered"})

# Events about a place, not a case: an NPM visit is filed under the facility.
CASELESS_KINDS = frozenset({"facility.visited"})
