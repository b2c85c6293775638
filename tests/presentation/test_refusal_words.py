"""Every reason the register can give for refusing a fact or an act is worded in Kazakh and
Russian (issue 20 item 4: never English on a Kazakh page).

The reasons are read from the source itself: every `Problem(field, reason)` and every
refusal the access policy words. Each f-string's parts are filled with a sample value named
in SAMPLES by the expression the source writes, so a new reason, or a new part of one, fails
here until the refusal patterns (`presentation/refusals.py`) know its shape and the
catalogues word it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import habeas
from habeas.presentation.refusals import message
from habeas.presentation.wording import Wording
from habeas.services.setup import EXPLANATIONS

SOURCE = Path(habeas.__file__).parent

# a sample for each part of a reason, by the expression that gives it in the source
SAMPLES = {
    "shown(value)": "'2024-03-01 10:00'",
    "shown(kind)": "'person.arested'",
    "shown(role)": "'sherif'",
    "example": "2024-03-01T10:00+05:00",
    "value[:10]": "2024-03-01",
    "value[10:]": "+05:00",
    "EARLIEST_YEAR": "1991",
    "LATEST_YEAR": "2100",
    "named": "unknown role 'sherif'",
    "', '.join(ROLES)": "investigator, prosecutor, judge",
    "_names(extra)": "'colour'",
    "_names(unknown)": "'colour'",
    "kind": "checkpoint.published",
    "_SUBJECT[kind]": "facility",
    "MAX_STREAM - len(FACILITY_STREAM)": "119",
    "size": "2000001",
    "MAX_LINE_BYTES": "1000000",
    "exc.msg": "Expecting value",
    "exc.colno": "7",
    "MAX_DEPTH": "32",
    "type(exc).__name__": "ValueError",
    "MAX_NUMBER_DIGITS": "100",
    "reason": "contains a control character",
    "type(item).__name__": "float",
    "event.kind": "custody.ordered",
    "law.jurisdiction": "kz",
    "_a(role)": "an",
    "role": "investigator",
    "', '.join(allowed)": "judge",
    "cited": " (CPC art. 147)",
    "target_id": "ev-17",
    "target_id!r": "'ev-17'",
    "event.case": "KZ-2024-000001",
    "_a(original_role)": "a",
    "original_role": "judge",
    "', '.join(may)": "judge, prosecutor",
    "value": "2024-03-01T10:00:00+05:00",
    "check.reason": "the term a judge sets ends after the order that sets it (CPC art. 148, 151)",
    "person!r": "'P1'",
    "document.parties.reason": "a person an act is about is named by their party id in the case (design §4)",
    "moment.isoformat()": "2026-12-07T10:00:00+05:00",
    "latest.isoformat()": "2026-12-07T09:05:00+05:00",
    "event.case!r": "'KZ-2024-000001'",
    "correction.data['event']!r": "'ev-17'",
    "correction.case": "KZ-2024-000001",
    "decision.section": "detention_and_complaints",
    "principal.person[1]": "P1",
    "rule.what": "naming another region ",
    "rule.needs": "case:transfer",
    "needed.reason.removeprefix('refused: ')": (
        "case:transfer on KZ-2024-000001 needs the right to act on a case of your region"
    ),
    "action": "case:read",
    "on": " on KZ-2024-000001",
    "needs": "on a case assigned to you or anywhere as the head",
    "acts.py:named": "P2",
    "who.role": "analyst",
    "signing_in.py:exc": "wrong login or token",
    "ledger.py:exc": "no signing key at /srv/habeas/key: `habeas checkpoint keygen` makes one",
    "key_path": "/srv/habeas/key",
    "exc.seconds": "60",
    "len(report.errors)": "2",
    "first['line']": "3",
    "first['field']": "data.person",
    "first['reason']": "required",
    "reason_for(failed)": "the disk (or the temporary space) of the database is full",
    "case!r": "'KZ-2024-000001'",
    "f'{label(exc.key)}: {exc}'": "x",
    "label(exc.key)": "data.person",
    "exc": "the key 'person' is given twice in one object: which value is meant cannot be known",
    "MAX_BATCH_BYTES // 2 ** 20": "64",
    "exc.start": "17",
    "code!r": "'KZ-NO-SUCH-RULE'",
    "len(text)": "10001",
    "MAX_STRING": "10000",
    "digits": "120",
    "MAX_NUMBER_DIGITS + 10": "110",
    "text": "1e999",
    "key!r": "'person'",
    "rule.names_self.field": "lawyer",
    "own!r": "'adv-1'",
    "value!r": "'adv-2'",
    "principal.role": "defence_lawyer",
}
# where else a reason is made: the functions that return one, the errors that carry one
MAKERS = {"_string_problem", "_OutOfBounds", "DuplicateKey"}
# reasons passed on from elsewhere: worded where they are made, or by their own patterns
PASSED_ON = {"err['msg']", "str(exc)", "str(problems[0])", "reason", "p.reason", "why", "message"}


def _sample(node: ast.expr, file: str) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(part.value)
            else:
                expr = ast.unparse(part.value) + ("!r" if part.conversion == ord("r") else "")
                sample = SAMPLES.get(f"{file}:{expr}", SAMPLES.get(expr))
                assert sample is not None, f"no sample for {expr!r}: add one to SAMPLES"
                parts.append(sample)
        return "".join(parts)
    assert ast.unparse(node) in PASSED_ON, f"a reason of an unknown form: {ast.unparse(node)}"
    return None


def reasons() -> list[tuple[str, str]]:
    """(where, a sample reason) for every refusal the source words."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(SOURCE)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Problem":
                if len(node.args) >= 2 and (sample := _sample(node.args[1], path.name)) is not None:
                    found.append((where, sample))
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ApiError" and len(node.args) >= 3:
                if (sample := _sample(node.args[2], path.name)) is not None:  # the API's own errors
                    found.append((where, sample))
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in MAKERS:
                found += [(f"{where} {node.name}", sample) for sample in _made(node, path.name)]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_OutOfBounds", "NoKey"):
                found.append((where, _sample(node.args[0], path.name)))
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.JoinedStr):
                text = ast.unparse(node.value)
                if text.startswith(("f'refused:", 'f"refused:')):
                    found.append((where, _sample(node.value, path.name)))
    return found


def _made(maker: ast.FunctionDef | ast.ClassDef, file: str) -> list[str]:
    """The reasons a maker returns, or passes to its error's constructor."""
    made = []
    for node in ast.walk(maker):
        if (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.JoinedStr)
            or (isinstance(node, ast.Return) and isinstance(node.value, ast.Constant) and node.value.value is not None)
        ):
            made.append(_sample(node.value, file))
        elif isinstance(node, ast.Call) and ast.unparse(node.func) == "super().__init__" and node.args:
            made.append(_sample(node.args[0], file))
    return made


REASONS = reasons() + [
    (f"services/setup.py EXPLANATIONS[{k!r}]", f"the database is unavailable ({v}); nothing was stored: try again")
    for k, v in EXPLANATIONS.items()
]


def test_the_source_gives_reasons_to_word():
    assert len(REASONS) > 50


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(("where", "reason"), REASONS, ids=[w for w, _ in REASONS])
def test_every_refusal_is_worded_in_the_readers_language(where, reason, lang):
    wording = Wording(lang)
    worded = message(reason, wording)
    assert worded is not None, f"{where}: no pattern words {reason!r}"
    assert worded != reason, f"{where}: {reason!r} is not translated into {lang}"
    assert not any(word in worded.split() for word in ("the", "must", "may", "not", "is", "needs")), worded


@pytest.mark.parametrize(("lang", "refused"), [("ru", "отказано"), ("kk", "бас тартылды")])
def test_an_acts_refusal_quoting_the_policys_says_refused_once(lang, refused):
    reason = (
        "refused: case.registered naming another region needs case:transfer"
        " (case:transfer on KZ-2024-000001 needs the right to act on a case of your region)"
    )
    worded = message(reason, Wording(lang))
    assert worded.startswith(refused) and worded.count(refused) == 1, worded
    assert "KZ-2024-000001" in worded and "case:transfer" not in worded, worded
