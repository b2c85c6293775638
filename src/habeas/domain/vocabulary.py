"""The event vocabulary v1 and v2 (design §4): each kind and the model of its `data` (`event_data`).

v2 only adds kinds and optional fields: every v1 event keeps its meaning, and an
absent v2 field means what it meant in v1. Types are strict (the register takes JSON
and coerces nothing): `"yes"` is not a boolean and `"2"` is not a number; times and
dates are ISO 8601 strings, a time with its UTC offset, within the accepted years.

Who may record each kind is law, not vocabulary: it lives in the jurisdiction's
`competence.yaml` and is checked by `habeas.law.competence`.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel

from habeas.domain.event_data import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    ROLES,
    AppealDecided,
    BailOrdered,
    CaseAssigned,
    CaseClosed,
    CaseRegistered,
    CassationCaseReceived,
    CassationDecided,
    ComplaintFiled,
    ComplaintRegistered,
    CounselAdmitted,
    CourtData,
    Data,
    DeathRecorded,
    DecisionData,
    ExtraditionArrested,
    ExtraditionDecided,
    ExtraditionRequested,
    FacilityVisited,
    InterpolNotice,
    InvestigationExtended,
    InvestigationInterrupted,
    LegalAssistance,
    MedicalExamined,
    Nothing,
    PartyAdded,
    PersonData,
    PersonDetained,
    PersonQuestioned,
    PersonReleased,
    PersonUntil,
    PlaceData,
    PrisonerAdmitted,
    RecordCorrected,
    ReportReceived,
    ReviewFiled,
    RightsExplained,
    SentToProsecutor,
    SuspicionQualified,
    TrialStarted,
    VerdictDelivered,
)

# ROLES and the accepted years are part of the vocabulary's contract: importers keep naming them here
__all__ = [
    "CASE_CREATING_KINDS",
    "CASELESS_KINDS",
    "DATA_MODELS",
    "EARLIEST_YEAR",
    "KINDS",
    "KINDS_WITHOUT_FLOATS",
    "LATEST_YEAR",
    "ROLES",
]

DATA_MODELS: dict[str, type[Data]] = {
    # v1
    "report.received": ReportReceived,
    "case.registered": CaseRegistered,
    "party.added": PartyAdded,
    "person.detained": PersonDetained,
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
    "custody.ordered": PersonUntil,
    "custody.extended": PersonUntil,
    "custody.refused": PersonData,
    "person.released": PersonReleased,
    "suspicion.qualified": SuspicionQualified,
    "decision.approved": DecisionData,
    "decision.rejected": DecisionData,
    "investigation.extended": InvestigationExtended,
    "case.sent_to_prosecutor": SentToProsecutor,
    "complaint.filed": ComplaintFiled,
    "complaint.registered": ComplaintRegistered,
    "medical.examined": MedicalExamined,
    "case.closed": CaseClosed,
    "case.sent_to_court": CourtData,
    "trial.started": TrialStarted,
    "verdict.delivered": VerdictDelivered,
    "appeal.filed": ReviewFiled,
    "appeal.decided": AppealDecided,
    "prisoner.admitted": PrisonerAdmitted,
    "prisoner.released": PrisonerAdmitted,
    "death.recorded": DeathRecorded,
    "facility.visited": FacilityVisited,
    "record.corrected": RecordCorrected,
    # v2
    "consulate.notified": PersonData,
    "custody.petition_received": PersonData,
    "house_arrest.ordered": PersonUntil,
    "house_arrest.extended": PersonUntil,
    "bail.ordered": BailOrdered,
    "investigation.interrupted": InvestigationInterrupted,
    "investigation.resumed": Nothing,
    "file_reading.started": PersonData,
    "file_reading.ended": PersonData,
    "verdict.copy_handed": PersonData,
    "cassation.filed": ReviewFiled,
    "cassation.decided": CassationDecided,
    "cassation.case_received": CassationCaseReceived,
    "jury.requested": PersonData,
    "interpol.notice": InterpolNotice,
    "extradition.requested": ExtraditionRequested,
    "extradition.arrested": ExtraditionArrested,
    "extradition.decided": ExtraditionDecided,
    "legal_assistance.requested": LegalAssistance,
    "legal_assistance.answered": LegalAssistance,
    # v2, access (issue 9): who is assigned to a case is a fact with its time
    "case.assigned": CaseAssigned,
    "case.unassigned": CaseAssigned,
}

KINDS: tuple[str, ...] = tuple(DATA_MODELS)

# Events that open a case stream (design §4: the case must exist for all others).
CASE_CREATING_KINDS = frozenset({"report.received", "case.registered"})

# Events about a place, not a case: an NPM visit is filed under the facility.
CASELESS_KINDS = frozenset({"facility.visited"})


def _may_hold_float(annotation: Any) -> bool:
    if annotation is float or annotation is dict or annotation is Any:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_may_hold_float(f.annotation) for f in annotation.model_fields.values())
    return any(_may_hold_float(arg) for arg in typing.get_args(annotation) if not isinstance(arg, str))


# The kinds whose data can hold no float (most): their canonical JSON may be written by a
# faster encoder that spells floats otherwise (`ledger.chain.canonical_json`).
KINDS_WITHOUT_FLOATS = frozenset(kind for kind, model in DATA_MODELS.items() if not _may_hold_float(model))
