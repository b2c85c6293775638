"""A small caseload built by hand, whose indicators are counted by hand in test_indicators.py.

Cases (offset +05:00; regions recorded as a clerk might: `almaty-city` is Almaty):

- KZ-A1 (almaty-city, CC 188 part 2, medium): P1 detained 2024-03-01 10:00, rights explained,
  questioned with counsel, released after 23 h; P2 detained at the same time, questioned
  without counsel, no rights on record, released after 72 h (past the 48 h limit).
- KZ-A2 (almaty-city, 188 part 2): P3 detained 2024-04-01 10:00, rights, questioned with
  counsel; custody petitioned, ordered 2024-04-02 10:00 (24 h: within the limit) until
  06-01; sent to court 2024-05-12 10:00 (40 days of pre-trial custody); custody extended by
  the trial court until 08-01; convicted 2024-06-10; appeal filed 06-15, upheld 07-20;
  admitted to prison 2024-07-01, still there.
- KZ-A3 (almaty-city, 190 part 1): sent to court, P1 acquitted 2024-04-01.
- KZ-A4 (almaty-city, 188 part 1): closed 2024-03-01 for lack of evidence.
- KZ-A5 (almaty-city, 361 part 1, ICCS 0703x): registered by the police 2024-02-10.
- KZ-P (almaty-city, 188 part 3): P1 admitted to prison 2023-06-01, still there.
- KZ-S1 (shymkent, 188 part 2): P1 detained 2024-05-01 10:00, rights, questioned without
  counsel; custody petitioned and refused; released after 23 h; closed 2024-07-01 on
  reconciliation without the victim's consent.
- KZ-S2 (shymkent, 99 part 1, especially grave: 72 h): P1 detained 2023-12-10 10:00, never
  released (past the limit since 12-13); complained of torture 2023-12-11 10:00 (registered
  the same day under ERDR T-0001, examined 23 h later); died in the police cells 2023-12-20,
  of illness.
- KZ-S3 (shymkent, 188 part 2): P1 detained 2024-12-01 10:00, custody petitioned, ordered
  2024-12-02 09:00 (23 h) until 2025-02-01 09:00, never released (past the judge's term).
- KZ-T (shymkent, 146 part 1, the torture case, ERDR T-0001): registered 2023-12-15 by the
  prosecutor, sent to court 2024-03-01, officer O1 convicted 2024-06-01.
- KZ-U (region `atlantis`: unknown, 366 part 1, ICCS 0703x): registered by the
  Anti-Corruption Agency 2024-01-10.
"""

from __future__ import annotations

import json

AGENCY = {
    "investigator": "police-almaty-d1",
    "prosecutor": "prosecutor-almaty",
    "investigating_judge": "court-investigating",
    "judge": "court-district",
    "defence_lawyer": "bar",
    "doctor": "ivs-1",
    "prison_officer": "penitentiary",
    "ombudsman": "ombudsman",
}


def _event(case: str, kind: str, at: str, data: dict, role: str = "investigator", agency: str | None = None) -> dict:
    return {
        "kind": kind,
        "case": case,
        "occurred_at": f"{at}:00+05:00",
        "actor": {"id": f"{role}-1", "role": role, "agency": agency or AGENCY[role]},
        "data": data,
    }


def _case(case, region, article, part, at, agency="police-almaty-d1", role="investigator", erdr=None, **extra):
    return [
        _event(
            case,
            "case.registered",
            at,
            {
                "erdr_number": erdr or case.replace("KZ-", "E"),
                "article": article,
                "part": part,
                "region": region,
                **extra,
            },
            role,
            agency,
        ),
    ]


def _party(case, person, at, role="suspect"):
    return _event(
        case, "party.added", at, {"person": person, "role": role, "name": f"Name {person}", "birth_date": "1990-01-01"}
    )


RIGHTS = {"rights": ["counsel", "silence", "interpreter"]}


def caseload() -> list[dict]:
    e = _event
    out: list[dict] = []
    # KZ-A1
    out += _case("KZ-A1", "almaty-city", "188", 2, "2024-02-01T10:00")
    out += [
        _party("KZ-A1", "P1", "2024-02-01T11:00"),
        _party("KZ-A1", "P2", "2024-02-01T11:00"),
        e("KZ-A1", "person.detained", "2024-03-01T10:00", {"person": "P1", "place": "street"}),
        e("KZ-A1", "person.detained", "2024-03-01T10:00", {"person": "P2", "place": "street"}),
        e("KZ-A1", "rights.explained", "2024-03-01T10:30", {"person": "P1", **RIGHTS}),
        e("KZ-A1", "person.questioned", "2024-03-01T12:00", {"person": "P1", "counsel_present": True}),
        e("KZ-A1", "person.questioned", "2024-03-01T13:00", {"person": "P2", "counsel_present": False}),
        e("KZ-A1", "person.released", "2024-03-02T09:00", {"person": "P1", "ground": "no grounds"}),
        e("KZ-A1", "person.released", "2024-03-04T10:00", {"person": "P2", "ground": "no grounds"}),
    ]
    # KZ-A2
    out += _case("KZ-A2", "almaty-city", "188", 2, "2024-03-20T10:00")
    out += [
        _party("KZ-A2", "P3", "2024-03-20T11:00"),
        e("KZ-A2", "person.detained", "2024-04-01T10:00", {"person": "P3", "place": "flat"}),
        e("KZ-A2", "rights.explained", "2024-04-01T10:20", {"person": "P3", **RIGHTS}),
        e("KZ-A2", "person.questioned", "2024-04-01T11:00", {"person": "P3", "counsel_present": True}),
        e("KZ-A2", "custody.petitioned", "2024-04-02T01:00", {"person": "P3"}, "prosecutor"),
        e(
            "KZ-A2",
            "custody.ordered",
            "2024-04-02T10:00",
            {"person": "P3", "until": "2024-06-01T10:00:00+05:00"},
            "investigating_judge",
        ),
        e("KZ-A2", "case.sent_to_court", "2024-05-12T10:00", {"court": "district court"}, "prosecutor"),
        e("KZ-A2", "trial.started", "2024-05-20T10:00", {"court": "district court"}, "judge"),
        e(
            "KZ-A2",
            "custody.extended",
            "2024-05-25T10:00",
            {"person": "P3", "until": "2024-08-01T10:00:00+05:00"},
            "judge",
        ),
        e(
            "KZ-A2",
            "verdict.delivered",
            "2024-06-10T10:00",
            {"person": "P3", "outcome": "convicted", "sentence": {"kind": "imprisonment", "months": 36}},
            "judge",
        ),
        e("KZ-A2", "appeal.filed", "2024-06-15T10:00", {"person": "P3", "by": "defence"}, "defence_lawyer"),
        e("KZ-A2", "prisoner.admitted", "2024-07-01T10:00", {"person": "P3", "facility": "ec-1"}, "prison_officer"),
        e("KZ-A2", "appeal.decided", "2024-07-20T10:00", {"outcome": "upheld"}, "judge"),
    ]
    # KZ-A3
    out += _case("KZ-A3", "almaty-city", "190", 1, "2024-01-15T10:00")
    out += [
        _party("KZ-A3", "P1", "2024-01-15T11:00"),
        e("KZ-A3", "case.sent_to_court", "2024-03-01T10:00", {"court": "district court"}, "prosecutor"),
        e("KZ-A3", "trial.started", "2024-03-10T10:00", {"court": "district court"}, "judge"),
        e("KZ-A3", "verdict.delivered", "2024-04-01T10:00", {"person": "P1", "outcome": "acquitted"}, "judge"),
    ]
    # KZ-A4
    out += _case("KZ-A4", "almaty-city", "188", 1, "2024-02-01T10:00")
    out += [e("KZ-A4", "case.closed", "2024-03-01T10:00", {"ground": "no_evidence"}, "prosecutor")]
    # KZ-A5
    out += _case("KZ-A5", "almaty-city", "361", 1, "2024-02-10T10:00")
    # KZ-P
    out += _case("KZ-P", "almaty-city", "188", 3, "2023-01-10T10:00")
    out += [
        _party("KZ-P", "P1", "2023-01-10T11:00"),
        e("KZ-P", "prisoner.admitted", "2023-06-01T10:00", {"person": "P1", "facility": "ec-2"}, "prison_officer"),
    ]
    # KZ-S1
    out += _case("KZ-S1", "shymkent", "188", 2, "2024-04-20T10:00")
    out += [
        _party("KZ-S1", "P1", "2024-04-20T11:00"),
        e("KZ-S1", "person.detained", "2024-05-01T10:00", {"person": "P1", "place": "market"}),
        e("KZ-S1", "rights.explained", "2024-05-01T10:10", {"person": "P1", **RIGHTS}),
        e("KZ-S1", "person.questioned", "2024-05-01T11:00", {"person": "P1", "counsel_present": False}),
        e("KZ-S1", "custody.petitioned", "2024-05-02T00:00", {"person": "P1"}, "prosecutor"),
        e("KZ-S1", "custody.refused", "2024-05-02T08:00", {"person": "P1"}, "investigating_judge"),
        e("KZ-S1", "person.released", "2024-05-02T09:00", {"person": "P1", "ground": "custody refused"}),
        e(
            "KZ-S1",
            "case.closed",
            "2024-07-01T10:00",
            {"ground": "reconciliation", "victim_consent": False},
            "prosecutor",
        ),
    ]
    # KZ-S2
    out += _case("KZ-S2", "shymkent", "99", 1, "2023-12-01T10:00")
    out += [
        _party("KZ-S2", "P1", "2023-12-01T11:00"),
        e("KZ-S2", "person.detained", "2023-12-10T10:00", {"person": "P1", "place": "home"}),
        e(
            "KZ-S2",
            "complaint.filed",
            "2023-12-11T10:00",
            {"complaint": "C1", "person": "P1", "about": "torture"},
            "ombudsman",
        ),
        e(
            "KZ-S2",
            "complaint.registered",
            "2023-12-11T20:00",
            {"complaint": "C1", "erdr_number": "T-0001"},
            "prosecutor",
        ),
        e("KZ-S2", "medical.examined", "2023-12-12T09:00", {"person": "P1", "injuries": True}, "doctor"),
        e(
            "KZ-S2",
            "death.recorded",
            "2023-12-20T10:00",
            {"person": "P1", "place": "police cells", "cause": "Illness"},
            "prison_officer",
        ),
    ]
    # KZ-S3
    out += _case("KZ-S3", "shymkent", "188", 2, "2024-11-20T10:00")
    out += [
        _party("KZ-S3", "P1", "2024-11-20T11:00"),
        e("KZ-S3", "person.detained", "2024-12-01T10:00", {"person": "P1", "place": "street"}),
        e("KZ-S3", "custody.petitioned", "2024-12-01T20:00", {"person": "P1"}, "prosecutor"),
        e(
            "KZ-S3",
            "custody.ordered",
            "2024-12-02T09:00",
            {"person": "P1", "until": "2025-02-01T09:00:00+05:00"},
            "investigating_judge",
        ),
    ]
    # KZ-T
    out += _case("KZ-T", "shymkent", "146", 1, "2023-12-15T10:00", "prosecutor-shymkent", "prosecutor", "T-0001")
    out += [
        _party("KZ-T", "O1", "2023-12-15T11:00"),
        e("KZ-T", "case.sent_to_court", "2024-03-01T10:00", {"court": "district court"}, "prosecutor"),
        e("KZ-T", "trial.started", "2024-03-10T10:00", {"court": "district court"}, "judge"),
        e("KZ-T", "verdict.delivered", "2024-06-01T10:00", {"person": "O1", "outcome": "convicted"}, "judge"),
    ]
    # KZ-U
    out += _case(
        "KZ-U", "atlantis", "366", 1, "2024-01-10T10:00", "anticorruption-astana", accused_agency="police"
    )  # a police officer's bribe, registered by the Anti-Corruption Agency
    return out


def lines() -> list[str]:
    return [json.dumps(e) for e in caseload()]
