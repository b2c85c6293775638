from datetime import date, datetime, timedelta, timezone

import pytest

from habeas.law import calendar

ALMATY = timezone(timedelta(hours=5))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_hours_are_exact_and_keep_the_offset():
    due = calendar.add(at("2024-03-01T10:00:00+05:00"), 48, "hours")
    assert due == at("2024-03-03T10:00:00+05:00")
    assert due.utcoffset() == timedelta(hours=5)


def test_hours_across_offsets_count_the_instant():
    due = calendar.add(at("2024-03-01T10:00:00+06:00"), 24, "hours")
    assert due == at("2024-03-02T09:00:00+05:00")


def test_next_hour_leaves_out_the_hour_the_term_starts_in():
    # CPC art. 48 part 2: the hour a term starts in is not counted
    assert calendar.add(at("2024-03-01T09:40:00+05:00"), 24, "hours", "next_hour") == at("2024-03-02T10:00:00+05:00")
    assert calendar.add(at("2024-03-01T09:00:00+05:00"), 24, "hours", "next_hour") == at("2024-03-02T10:00:00+05:00")
    assert calendar.add(at("2024-03-01T23:59:00+05:00"), 1, "hours", "next_hour").utcoffset() == timedelta(hours=5)


def test_days_end_at_midnight_of_the_last_day():
    due = calendar.add(at("2024-05-26T09:00:00+05:00"), 15, "days", "end_of_day")
    assert due == at("2024-06-11T00:00:00+05:00")


def test_days_exact():
    assert calendar.add(at("2024-05-26T09:00:00+05:00"), 15, "days") == at("2024-06-10T09:00:00+05:00")


@pytest.mark.parametrize(
    ("start", "months", "last_day"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),
        (date(2024, 3, 1), 2, date(2024, 5, 1)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
    ],
)
def test_calendar_months_clamp_to_the_month_end(start, months, last_day):
    assert calendar.add_months(start, months) == last_day


def test_months_end_of_day_and_exact():
    start = at("2024-03-01T10:00:00+05:00")
    assert calendar.add(start, 2, "months", "end_of_day") == at("2024-05-02T00:00:00+05:00")
    assert calendar.add(start, 2, "months") == at("2024-05-01T10:00:00+05:00")


def test_end_of_day_uses_the_local_day_of_the_start():
    # 23:30 local on 31 January is still 31 January where it happened
    start = at("2024-01-31T23:30:00+05:00")
    assert calendar.add(start, 1, "days", "end_of_day") == at("2024-02-02T00:00:00+05:00")


def test_age():
    assert calendar.age_on(date(2000, 3, 2), date(2018, 3, 1)) == 17
    assert calendar.age_on(date(2000, 3, 1), date(2018, 3, 1)) == 18
    assert calendar.age_on(date(2000, 2, 29), date(2018, 2, 28)) == 18


def test_bad_input_is_a_clear_error():
    with pytest.raises(calendar.CalendarError):
        calendar.add(datetime(2024, 1, 1), 1, "hours")
    with pytest.raises(calendar.CalendarError):
        calendar.add(at("2024-01-01T00:00:00+05:00"), 1, "weeks")
    with pytest.raises(calendar.CalendarError):
        calendar.add(at("2024-01-01T00:00:00+05:00"), 1.5, "months")
