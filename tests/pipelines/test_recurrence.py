"""When a schedule's recurrence fires (`pipelines.recurrence`), and what the service refuses in one."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from azureml_emulator.errors import BadRequest
from azureml_emulator.pipelines import recurrence


def at(text, zone=timezone.utc):
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def test_every_interval_from_the_start_time_and_the_next_after_a_past_one():
    rule = recurrence.checked({"Frequency": "Minute", "Interval": 15, "StartTime": "2020-01-13T12:55:00",
                               "TimeZone": "UTC"})
    assert recurrence.next_fire(rule, 0, at("2020-01-13T12:00:00")) == at("2020-01-13T12:55:00")
    assert recurrence.next_fire(rule, 0, at("2020-01-13T12:55:00")) == at("2020-01-13T13:10:00")
    assert recurrence.next_fire(rule, 0, at("2026-12-06T16:50:00")) == at("2026-12-06T16:55:00")


def test_without_a_start_time_the_recurrence_counts_from_its_anchor():
    rule = recurrence.checked({"Frequency": "Hour", "Interval": 2})
    anchor = at("2026-12-06T10:20:30")
    assert recurrence.next_fire(rule, anchor, anchor) == at("2026-12-06T12:20:30")


def test_week_days_hours_and_minutes_in_a_windows_time_zone():
    rule = recurrence.checked({"Frequency": "Week", "Interval": 1, "StartTime": "2026-12-01T00:00:00",
                               "TimeZone": "Pacific Standard Time",
                               "Schedule": {"Hours": [18], "Minutes": [30], "WeekDays": ["Monday", "4"]}})
    assert rule["Schedule"]["WeekDays"] == ["Monday", "Friday"]   # the enum code is read as the service does
    pacific = ZoneInfo("America/Los_Angeles")
    # Sunday 6 December 2026, noon in Los Angeles: next is Monday 18:30 there, then Friday 18:30
    first = recurrence.next_fire(rule, 0, at("2026-12-06T12:00:00", pacific))
    assert first == at("2026-12-07T18:30:00", pacific)
    assert recurrence.next_fire(rule, 0, first) == at("2026-12-11T18:30:00", pacific)


@pytest.mark.parametrize("bad, message", [
    ({"Frequency": "Second", "Interval": 1}, "Invalid value for frequency"),
    ({"Frequency": "Minute", "Interval": 0}, "Interval must be an integer greater than 0."),
    ({"Frequency": "Hour", "Interval": 1, "Schedule": {"Hours": [3]}},
     "Can only specify hours if frequency is Week or Day."),
    ({"Frequency": "Day", "Interval": 1, "Schedule": {"WeekDays": ["Monday"]}}, "Can only specify week days"),
    ({"Frequency": "Day", "Interval": 1, "Schedule": {"Hours": [24]}}, "Hours must be between 0 and 23."),
    ({"Frequency": "Day", "Interval": 1, "TimeZone": "Mars Standard Time"}, "is not a valid TimeZone"),
    ({"Frequency": "Day", "Interval": 1, "StartTime": "tomorrow"}, "is not a date and time"),
    ({"Frequency": "Day", "Interval": 1, "Schedule": [6, 30]}, "expected an object of Hours, Minutes and WeekDays"),
    ("hourly", "needs a Recurrence"),
])
def test_what_the_service_refuses_in_a_recurrence(bad, message):
    with pytest.raises(BadRequest, match=message):
        recurrence.checked(bad)
