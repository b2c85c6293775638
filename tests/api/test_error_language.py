"""Errors in the reader's language (issue 20 item 4): the API keeps the register's English
`message`, which other systems read, and adds its translation when Accept-Language prefers
Russian or Kazakh."""

from __future__ import annotations

import json

from tests.api.conftest import DETENTION_CASE, detention_case, is_error

BATCH = "/api/v1/events:batch"
NEW_CASE = "KZ-2024-000901"


def batch(api, language: str | None, *events: dict):
    headers = {"content-type": "application/x-ndjson", **api.sign_in("registrar")}
    if language:
        headers["accept-language"] = language
    body = ("\n".join(json.dumps(e) for e in events) + "\n").encode()
    return api.client.post(BATCH, content=body, headers=headers)


def test_a_refused_line_is_worded_in_kazakh_and_russian_beside_the_english(sqlite_api):
    good = detention_case(NEW_CASE)
    no_offset = {**good[2], "occurred_at": "2024-02-29T09:00:00"}
    english = is_error(batch(sqlite_api, None, good[0], good[1], no_offset), 422, "invalid")
    assert "translation" not in english
    kazakh = is_error(batch(sqlite_api, "kk-KZ,kk;q=0.9,ru;q=0.8", good[0], good[1], no_offset), 422, "invalid")
    assert kazakh["message"] == english["message"]  # the contract's words stay
    assert kazakh["lines"] == english["lines"]
    assert kazakh["translation"]["lang"] == "kk"
    assert kazakh["translation"]["lines"] == [
        {
            "line": 3,
            "reason": "2024-02-29T09:00:00 уақытында UTC ығысуы жоқ (мысалы, 2024-02-29T09:00:00+05:00 деп жазыңыз)",
        }
    ]
    russian = is_error(batch(sqlite_api, "ru", good[0], good[1], no_offset), 422, "invalid")
    assert russian["translation"]["lang"] == "ru"
    (line,) = russian["translation"]["lines"]
    assert line["line"] == 3 and line["reason"] != english["lines"][0]["reason"]
    assert line["reason"].startswith("у времени 2024-02-29T09:00:00 нет смещения от UTC")


def test_the_apis_own_answers_are_worded_too(sqlite_api):
    answer = sqlite_api.client.get("/api/v1/law/KZ-NO-SUCH-RULE", headers={"accept-language": "kk"})
    error = is_error(answer, 404, "not_found")
    assert "KZ-NO-SUCH-RULE" in error["message"] and error["message"].startswith("no rule")
    assert error["translation"] == {"lang": "kk", "message": "'KZ-NO-SUCH-RULE' ережесі жоқ; тізімі — GET /api/v1/law"}


def test_a_message_of_no_known_shape_is_not_translated_rather_than_half_translated():
    from habeas.presentation.refusals import message
    from habeas.presentation.wording import Wording

    assert message("the moon is made of cheese", Wording("kk")) is None
    assert message("data.person: the moon is made of cheese", Wording("ru")) is None


def test_a_policy_refusal_is_worded_in_the_readers_language(sqlite_api):
    """A prosecutor of another region refused a case file: the missing right, in Russian and
    Kazakh beside the English the contract keeps."""
    headers = sqlite_api.sign_in("pr-12")
    path = f"/api/v1/cases/{DETENTION_CASE}?purpose=review"
    english = is_error(sqlite_api.client.get(path, headers=headers), 403, "forbidden")
    assert english["message"].startswith("refused: case:read") and "translation" not in english
    for lang, word in (("ru", "отказано"), ("kk", "бас тартылды")):
        error = is_error(sqlite_api.client.get(path, headers={**headers, "accept-language": lang}), 403, "forbidden")
        assert error["message"] == english["message"]
        said = error["translation"]["message"]
        assert said.startswith(word) and DETENTION_CASE in said and "case:read" not in said, said
