"""Vocabulary v2: `case.registered` may name the accused official's agency (for C1, corruption
cases by agency). Optional, from a closed list (so it can never carry a name); a v1 event
without it keeps its meaning (not recorded)."""

import pytest
from pydantic import ValidationError

from habeas.domain.vocabulary import DATA_MODELS

V1 = {"erdr_number": "241500031000123", "article": "366", "part": 1, "region": "almaty"}


def test_a_v1_registration_stays_valid_and_names_no_agency():
    assert DATA_MODELS["case.registered"].model_validate(V1).accused_agency is None


@pytest.mark.parametrize("agency", ["police", "penitentiary", "local_government", "other"])
def test_the_accused_agency_is_one_of_the_list(agency):
    assert DATA_MODELS["case.registered"].model_validate({**V1, "accused_agency": agency}).accused_agency == agency


@pytest.mark.parametrize("bad", ["Sergeant Ivanov", "POLICE", "", 3, None.__class__.__name__])
def test_anything_else_is_refused(bad):
    with pytest.raises(ValidationError):
        DATA_MODELS["case.registered"].model_validate({**V1, "accused_agency": bad})


def test_the_other_complaint_and_case_kinds_still_refuse_unknown_fields():
    with pytest.raises(ValidationError):
        DATA_MODELS["complaint.filed"].model_validate(
            {"complaint": "C1", "person": "P1", "about": "torture", "accused_agency": "police"}
        )
