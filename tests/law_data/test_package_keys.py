"""Every key of the law package matters. Taken over the package itself (not a hand list):
a misspelt key never loads; a deleted key loads only where the schema gives its absence a
meaning, and never silently changes what a rule needs (design §1.1: the law is data)."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest

from habeas.access import policy
from habeas.jurisdictions import read_documents
from habeas.law.package import Law, LawDataError
from habeas.law.rules.loading import validate_law

DOCUMENTS = read_documents("kz")
# Keys whose absence has a meaning the schema documents (an optional field or a free-form map).
OPTIONAL = {
    # a violation's optional conditions (CPC art. 67, 69: mandatory defence and its waiver): each
    # absent one does not narrow the violation; the ladder's last step has no upper bound
    "party_fields",
    "recorded",
    "held",
    "not_waived",
    "revoke",
    "up_to",
    "valid_until",
    "verified",
    "note",
    "title",
    "source",
    "part",
    "article",
    "certainty",
    "citations",
    "description",
    "overlay",
    "unit",
    "fields",
    "where",
    "contains",
    "contains_any",
    "not_fields",
    "report",
    "extend",
    "cancel",
    "pauses",
    "base",
    "or_stop",
    "or_start",
    "when",
    "unless_preceded_by",
    "roles",
    "enabled_by",
    "ensured_by",  # a check rule's act due first (counsel admitted): absent, only no suggestion
    "reset_kinds",
    "until_kinds",
    "first_kinds",
    "first",
    "cancel_kinds",
    "by_stage",
    "supervisors",
    "match",
    "look",
    "reset",
    "only_when",
    "by_due",
    "minus",
    "parameter",
    "valid_from",
    "not_moved",
    "start_day_counted",
    "last_day_off",
    "hours",
    "days",
    "months",
    "years",
    "days_off",
    "working_days",
    "calendar",
    "negligent",
    "no_imprisonment",
    "kind",  # gravity.yaml: a crime's category without it still takes only what reaches it after the misdemeanours
    "excluded",  # offences/chNN.yaml: a chapter with no article excluded
    "title_kk",
    "file",
    "commit",
    "waiver",
    "entered_by",
    "section",  # policy.yaml: a grant without one reads the whole case file
    "acts",  # policy.yaml: without it every act is judged by case:record alone
    "needs",  # policy.yaml acts: an act that needs no right of its own
    "field",  # policy.yaml acts: the act needs its right whatever it names
    "what",  # policy.yaml acts: words for a refusal
    "names_self",  # policy.yaml acts: the act may name anyone
    "contradiction",  # rules.yaml, an order pair: absent means `before` (the first edition's only kind)
    "differs",  # an `after` pair without it: any related first
    "shorter",  # an `after` pair without it: any related first
    "limits",  # episodes.yaml: an episode no rule limits (bail)
    "renews",  # an episode no act renews
    "term_ends",  # an episode whose term only its closing acts end
    "pre_trial_ends",  # an episode with no pre-trial part counted apart
    "counts_toward",  # time that counts toward nothing else
}
# Maps whose keys are names chosen by the data (a kind, a year, a field), not schema keys.
FREE_FORM = {
    "party_fields",  # a violation's test of the party's fields (mandatory defence): any field
    "fields",
    "contains",
    "where",
    "not_fields",
    "contains_any",
    "years",
    "supervisors",
    "by_stage",
    "stages",
    "roles",  # policy.yaml: a role left out has no right at all (deny by default)
    "acts",  # policy.yaml: an act left out is judged by case:record alone
    "episodes",  # episodes.yaml: an episode the law lacks is one no one is ever under
}
# Maps whose keys are names the package gives and nothing else refers to: renaming one is a
# change of the law's words (a stage called otherwise), not a misspelling to refuse.
NAMES = {"stages"}


def _paths(node, path=()) -> Iterator[tuple]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


CASES = [
    (name, path)
    for name, document in sorted(DOCUMENTS.items())
    if not name.endswith(".csv")
    for path in _paths(document)
    # the offence catalogue's chapter lists share one schema: the first chapter, and the first
    # entries of its lists, stand for the rest (hundreds of articles, each a load of the package)
    if not name.startswith("offences/")
    or (name == "offences/ch01.yaml" and not any(isinstance(step, int) and step > 0 for step in path))
]


def _load_with(name: str, path: tuple, change: str) -> Law:
    documents = dict(DOCUMENTS)
    document = documents[name] = copy.deepcopy(DOCUMENTS[name])
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    value = parent.pop(path[-1])
    if change == "misspell":
        parent[f"{path[-1]}_misspelt"] = value
    law = validate_law(Law.from_documents(documents))
    policy.of(law)  # the access policy is validated with the package (jurisdictions.load)
    return law


def _named(error: LawDataError, name: str, key) -> bool:
    return error.file == name or str(key) in str(error)


@pytest.mark.parametrize(("name", "path"), CASES, ids=[f"{n}:{'.'.join(map(str, p))}" for n, p in CASES])
def test_a_misspelt_key_does_not_load(name, path):
    if len(path) > 1 and path[-2] in NAMES:  # refused where it is referred to, else renamed
        try:
            assert f"{path[-1]}_misspelt" in _load_with(name, path, "misspell").cache["stages"].stages
        except LawDataError as error:
            assert str(path[-1]) in str(error)
        return
    with pytest.raises(LawDataError) as info:
        _load_with(name, path, "misspell")
    assert _named(info.value, name, path[-1]), str(info.value)


@pytest.mark.parametrize(("name", "path"), CASES, ids=[f"{n}:{'.'.join(map(str, p))}" for n, p in CASES])
def test_a_deleted_key_loads_only_where_its_absence_means_something(name, path):
    try:
        _load_with(name, path, "delete")
    except LawDataError:
        return  # refused: the error may name what now lacks the key (a rule, a parameter)
    parent = path[-2] if len(path) > 1 else None
    assert path[-1] in OPTIONAL or parent in FREE_FORM, f"{name}: {'.'.join(map(str, path))} deleted and still loads"


def test_a_rule_never_loses_the_age_of_majority_silently():
    # the first-edition gap: without it a 15-year-old was judged as an adult
    documents = copy.deepcopy(DOCUMENTS)
    del documents["parameters/detention.yaml"]["parameters"]["person.age_of_majority"]
    with pytest.raises(LawDataError, match="person.age_of_majority"):
        validate_law(Law.from_documents(documents))
