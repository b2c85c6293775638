"""The recording forms built from the vocabulary (issue 21 item 1), as HTML: FastAPI's
TestClient. The browser tests (`test_roles_browser.py`) drive them for every role."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from habeas.domain.events import Actor
from habeas.domain.vocabulary import DATA_MODELS

from .test_pages import CASE, NOW, detain, world  # noqa: F401  (the fixture)


def test_the_chooser_and_the_forms_agree_and_every_form_has_a_label_for_every_field(world):  # noqa: F811
    served: set[str] = set()
    for login in ("inv", "pros"):
        client = world.sign_in(login)
        for query in ("", f"?case={CASE}"):
            chooser = client.get(f"/record{query}").text
            offered = set(re.findall(r'<a href="/record/([a-z_.]+)', chooser))
            assert offered, login
            for kind in DATA_MODELS:
                form = client.get(f"/record/{kind}{query}")
                assert form.status_code == (200 if kind in offered else 403), (login, kind, query)
                if form.status_code == 403:  # refused as a POST is: a page saying so, nothing to fill
                    assert 'id="record"' not in form.text and 'class="refusal"' in form.text
                    continue
                served.add(kind)
                ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', form.text)
                assert ids and all(f'for="{i}"' in form.text for i in ids), kind
    assert {"person.detained", "decision.approved", "investigation.extended"} <= served


def test_a_form_the_policy_never_allows_is_refused_in_the_reader_s_language(world):  # noqa: F811
    client = world.sign_in("pros")
    for lang, words in (("en", "Your role may not record"), ("ru", "Ваша роль не может"), ("kk", "Сіздің рөліңіз")):
        refused = client.get(f"/record/person.detained?case={CASE}&lang={lang}")
        assert refused.status_code == 403 and words in refused.text, lang
    chooser = client.get(f"/record?case={CASE}").text
    assert "/record/person.detained" not in chooser and "/record/decision.approved" in chooser


def test_widgets_follow_the_field_types(world):  # noqa: F811
    client = world.sign_in("inv")
    custody = client.get(f"/record/custody.petitioned?case={CASE}").text
    assert re.search(
        r'<input id="occurred_at" name="occurred_at" type="datetime-local"[^>]*value="2026-11-25T09:00"', custody
    )
    assert re.search(r'<select id="data.person"[^>]*>.*<option value="P1"', custody, re.S), "the case's parties"
    registered = client.get("/record/case.registered?case=KZ-2026-000099").text
    assert 'list="data.article-choices"' in registered and '<option value="188">' in registered
    assert re.search(r'<select id="data.region".*<option value="almaty"', registered, re.S)
    questioned = client.get(f"/record/person.questioned?case={CASE}").text
    assert 'type="checkbox" id="data.counsel_present"' in questioned
    client = world.sign_in("pros")
    extended = client.get(f"/record/investigation.extended?case={CASE}").text
    assert 'name="data.until" type="datetime-local"' in extended
    corrected = client.get(f"/record/decision.approved?case={CASE}").text
    assert re.search(r'<select id="data.event"[^>]*>.*party.added', corrected, re.S) or "Party added" in corrected


def test_a_local_time_is_recorded_with_the_region_s_offset_and_a_refusal_sits_under_its_field(world):  # noqa: F811
    client = world.sign_in("inv")
    detain(world, hours_ago=3)
    csrf = world.csrf("/record")
    answer = client.post(
        "/record/custody.petitioned",
        data={"csrf": csrf, "case": CASE, "occurred_at": "2026-11-25T08:30", "data.person": "P1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get(answer.headers["location"]).text
    event = parse_qs(urlsplit(answer.headers["location"]).query)["recorded"][0]
    assert f'data-event-id="{event}"' in page
    item = re.search(rf'<li id="ev-{event}".*?</li>', page, re.S).group(0)
    assert "08:30" in item  # the local time typed, kept with the region's offset
    client = world.sign_in("pros")
    refused = client.post(
        "/record/investigation.extended",
        data={"csrf": world.csrf("/record"), "case": CASE, "occurred_at": "2026-11-25T08:30", "data.until": "soon"},
    )
    assert refused.status_code == 422
    assert re.search(r'aria-describedby="error-data.until".*id="error-data.until"', refused.text, re.S)


def test_the_chooser_offers_what_the_role_may_record_and_the_next_acts(world):  # noqa: F811
    detain(world, hours_ago=2)
    world.submit("person.delivered", CASE, NOW - timedelta(hours=1), {"person": "P1", "place": "Almaty police"})
    client = world.sign_in("inv")
    chooser = client.get(f"/record?case={CASE}").text
    nexts = re.findall(r'<li data-kind="([a-z_.]+)" data-code="([A-Z-]+)"', chooser)
    kinds = {k for k, _ in nexts}
    assert {"detention.protocol_drawn", "relatives.notified", "rights.explained"} <= kinds, nexts
    assert "death.recorded" not in kinds  # it ends a detention, but is no act anyone is asked for
    assert "medical.examined" not in kinds  # the doctor's act, not the investigator's
    assert 'data-kind="custody.ordered"' not in chooser  # the investigating judge's
    case_page = world.read(CASE).text
    assert 'id="next-acts"' in case_page and "/record/detention.protocol_drawn?case=" in case_page
    client = world.sign_in("omb")
    chooser = client.get(f"/record?case={CASE}").text
    assert re.findall(r'<a href="/record/([a-z_.]+)', chooser) == [
        "complaint.filed",
        "facility.visited",
        "record.corrected",
    ]


def test_a_number_that_is_none_is_refused_under_its_field_and_nothing_is_stored(world):  # noqa: F811
    client = world.sign_in("inv")
    before = world.read(CASE).text.count("data-event-id=")
    answer = client.post(
        "/record/suspicion.qualified",
        data={
            "csrf": world.csrf("/record"),
            "case": CASE,
            "occurred_at": "2026-11-25T08:30",
            "data.person": "P1",
            "data.article": "188",
            "data.part": "two",
        },
    )
    assert answer.status_code == 422
    assert re.search(r'id="data.part"[^>]*aria-describedby="error-data.part"', answer.text)
    assert 'id="error-data.part"' in answer.text and 'value="two"' in answer.text
    assert world.read(CASE).text.count("data-event-id=") == before


def test_admitting_counsel_is_a_next_act_when_asked_for_or_mandatory_until_counsel_is_admitted(world):  # noqa: F811
    detain(world, hours_ago=2)
    world.submit("counsel.requested", CASE, NOW - timedelta(hours=1), {"person": "P1"})
    minor = {"person": "P2", "role": "suspect", "name": "Minor Example", "birth_date": "2011-03-01"}
    world.submit("party.added", CASE, NOW - timedelta(minutes=50), minor)  # defence mandatory (CPC art. 67 item 2)
    world.submit("party.added", CASE, NOW - timedelta(minutes=40), {"person": "W1", "role": "witness", "name": "W"})
    adult = {"person": "P3", "role": "suspect", "name": "Adult Example", "birth_date": "1990-01-01"}
    world.submit("party.added", CASE, NOW - timedelta(minutes=39), adult)
    world.submit("counsel.requested", CASE, NOW - timedelta(minutes=38), {"person": "P3"})
    world.submit("counsel.waived", CASE, NOW - timedelta(minutes=37), {"person": "P3"})  # an adult's waiver ends it
    client = world.sign_in("inv")

    def counsel_due() -> set[str]:
        chooser = client.get(f"/record?case={CASE}").text
        found = re.findall(
            r'<li data-kind="counsel.admitted" data-code="KZ-COUNSEL"><a href="[^"]*person=(\w+)"', chooser
        )
        return set(found)

    assert counsel_due() == {"P1", "P2"}  # the witness neither asked nor must have counsel; P3 waived
    case_page = world.read(CASE).text
    assert "/record/counsel.admitted?case=" in case_page and "before: Person questioned" in case_page
    world.submit("counsel.admitted", CASE, NOW - timedelta(minutes=30), {"person": "P1", "lawyer": "adv-1"})
    assert counsel_due() == {"P2"}
    world.submit("counsel.waived", CASE, NOW - timedelta(minutes=20), {"person": "P2"})
    assert counsel_due() == {"P2"}  # a minor's waiver is not accepted (CPC art. 69 part 2)
    form = client.get(f"/record/counsel.admitted?case={CASE}&person=P2").text
    assert re.search(r'<option value="P2" selected>', form)


def test_a_court_and_an_agency_are_chosen_from_the_reference_data_in_the_reader_s_language(world):  # noqa: F811
    client = world.sign_in("pros")
    names = {
        "en": ("Bostandyk District Court of Almaty", "Police Department of Almaty"),
        "ru": ("Бостандыкский районный суд города Алматы", "Департамент полиции города Алматы"),
        "kk": ("Алматы қаласының Бостандық аудандық соты", "Алматы қаласының Полиция департаменті"),
    }
    for lang, (court, agency) in names.items():
        sent = client.get(f"/record/case.sent_to_court?case={CASE}&lang={lang}").text
        assert 'list="data.court-choices"' in sent
        assert f'<option value="court-almaty-district">{court}</option>' in sent, lang
        assert '<option value="court-supreme">' in sent
        assigned = client.get(f"/record/case.assigned?case={CASE}&lang={lang}").text
        assert 'list="data.agency-choices"' in assigned
        assert f'<option value="almaty-police">{agency}</option>' in assigned, lang
    # one of each kind of court in every region the package names
    picker = re.search(r'<select id="data.region".*?</select>', client.get("/record/case.registered").text, re.S)
    regions = set(re.findall(r'<option value="([a-z-]+)"', picker.group(0)))
    assert len(regions) == 20, regions
    sent = client.get(f"/record/case.sent_to_court?case={CASE}").text
    courts = set(re.findall(r'<option value="(court-[a-z-]+)">', sent))
    for region in regions:
        assert {f"court-{region}-{k}" for k in ("regional", "criminal", "district")} <= courts, region


def test_a_case_file_names_its_court_in_the_reader_s_language(world):  # noqa: F811
    prosecutor = Actor("pros", "prosecutor", "almaty-prosecutor")
    world.submit("case.sent_to_court", CASE, NOW - timedelta(hours=1), {"court": "court-almaty-district"}, prosecutor)
    world.sign_in("pros")
    for lang, name in (("ru", "Бостандыкский районный суд города Алматы"), ("kk", "Алматы қаласының Бостандық")):
        page = world.read(CASE, f"lang={lang}").text
        item = re.search(r'<li id="ev-[^"]+" data-event-id="[^"]+" data-kind="case.sent_to_court".*?</li>', page, re.S)
        assert item and name in item.group(0) and "<code>court-almaty-district</code>" in item.group(0), lang
