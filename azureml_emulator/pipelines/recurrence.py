"""A pipeline schedule's recurrence (the service's ``Recurrence``: frequency, interval, start time,
time zone, and hours, minutes and week days), checked as the service reads it, and when it fires.

The firing times are dateutil's ``rrule`` of the recurrence: from its start time (or, without
one, from when the scheduler first saw the schedule) every ``interval`` units of ``frequency``,
at the hours, minutes and week days given (a unit not given is the start's, as ``rrule`` and
Azure's recurrences take it). Time zones are Windows names ("Pacific Standard Time", the SDK's
`TimeZone` values), mapped to the IANA zone of the same rules by tzlocal's copy of CLDR's table.
"""
from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule
from tzlocal.windows_tz import win_tz

from azureml_emulator.errors import BadRequest

# The service's names, by their enum code (`AE3PServiceCaller.frequency_from_enum`, `week_days_from_enum`).
FREQUENCIES = ("Month", "Week", "Day", "Hour", "Minute")
WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RULES: dict[str, Literal[1, 2, 3, 4, 5]] = {
    "Month": rrule.MONTHLY, "Week": rrule.WEEKLY, "Day": rrule.DAILY, "Hour": rrule.HOURLY, "Minute": rrule.MINUTELY}
_SECONDS = {"Minute": 60, "Hour": 3600, "Day": 86400, "Week": 7 * 86400}


def named(value: object, names: tuple[str, ...], what: str) -> str:
    """A name of ``names``, or its enum code ("0", "1", ...), as the service takes both."""
    text = str(value)
    if text.isdigit() and int(text) < len(names):
        return names[int(text)]
    if text not in names:
        raise BadRequest("Invalid value for {}: {!r}, only one of {} accepted".format(what, value, ", ".join(names)))
    return text


def _numbers(value: object, low: int, high: int, what: str) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        raise BadRequest("{} must be a list of integers, not {!r}".format(what, value))
    if any(n < low or n > high for n in value):
        raise BadRequest("{} must be between {} and {}.".format(what, low, high))
    return sorted(set(value))


def zone(name: str | None) -> tzinfo:
    """The time zone of a Windows time zone name (None: UTC)."""
    if name in (None, "", "UTC"):
        return timezone.utc
    iana = win_tz.get(str(name))
    if iana is None:
        raise BadRequest("Time zone {!r} is not a valid TimeZone: expected one of the names of "
                         "azureml.pipeline.core.TimeZone, such as 'UTC' or 'Pacific Standard Time'".format(name))
    try:
        return ZoneInfo(iana)
    except ZoneInfoNotFoundError:   # pragma: no cover - tzdata ships every zone of CLDR's table
        raise BadRequest("Time zone {!r} is not known to this machine".format(name)) from None


def start_of(recurrence: dict) -> datetime | None:
    text = recurrence.get("StartTime")
    if text in (None, ""):
        return None
    try:
        start = datetime.fromisoformat(str(text))
    except ValueError:
        raise BadRequest("StartTime {!r} is not a date and time: expected YYYY-MM-DDThh:mm:ss".format(text)) from None
    return start if start.tzinfo is not None else start.replace(tzinfo=zone(recurrence.get("TimeZone")))


def checked(recurrence: object) -> dict:
    """The recurrence as the service keeps it (names, not enum codes), or BadRequest saying what is wrong;
    the rules are those `ScheduleRecurrence.validate` states."""
    if not isinstance(recurrence, dict):
        raise BadRequest("A Recurrence schedule needs a Recurrence: its frequency and interval")
    frequency = named(recurrence.get("Frequency"), FREQUENCIES, "frequency")
    interval = recurrence.get("Interval")
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise BadRequest("Interval must be an integer greater than 0.")
    schedule = recurrence.get("Schedule") or {}
    if not isinstance(schedule, dict):
        raise BadRequest("Recurrence.Schedule is {!r}: expected an object of Hours, Minutes and WeekDays".format(
            schedule))
    hours = _numbers(schedule.get("Hours"), 0, 23, "Hours")
    minutes = _numbers(schedule.get("Minutes"), 0, 59, "Minutes")
    days = schedule.get("WeekDays")
    if frequency not in ("Day", "Week") and hours is not None:
        raise BadRequest("Can only specify hours if frequency is Week or Day.")
    if frequency not in ("Day", "Week") and minutes is not None:
        raise BadRequest("Can only specify minutes if frequency is Week or Day.")
    if days is not None and frequency != "Week":
        raise BadRequest("Can only specify week days if frequency is Week.")
    if days is not None and not isinstance(days, list):
        raise BadRequest("WeekDays must be a list of week days, not {!r}".format(days))
    week_days = [named(day, WEEK_DAYS, "week days") for day in days] if days is not None else None
    zone(recurrence.get("TimeZone"))
    start_of(recurrence)
    has_schedule = any(part is not None for part in (hours, minutes, week_days))
    return {"Frequency": frequency, "Interval": interval, "StartTime": recurrence.get("StartTime"),
            "TimeZone": recurrence.get("TimeZone"),
            "Schedule": {"Hours": hours, "Minutes": minutes, "WeekDays": week_days} if has_schedule else None}


def period_seconds(recurrence: dict) -> float:
    """Roughly how long between two firings (a month as 31 days): for showing, not for firing."""
    return recurrence["Interval"] * _SECONDS.get(recurrence["Frequency"], 31 * 86400)


def next_fire(recurrence: dict, anchor: float, after: float) -> float:
    """When the recurrence next fires strictly after ``after`` (seconds since the epoch); it starts
    at its StartTime, or at ``anchor`` without one."""
    tz = zone(recurrence.get("TimeZone"))
    start = start_of(recurrence) or datetime.fromtimestamp(anchor, tz)
    schedule = recurrence.get("Schedule") or {}
    hours, minutes, days = schedule.get("Hours"), schedule.get("Minutes"), schedule.get("WeekDays")
    rule = rrule.rrule(_RULES[recurrence["Frequency"]], interval=recurrence["Interval"], dtstart=start,
                       byhour=hours, byminute=minutes,
                       bysecond=0 if hours is not None or minutes is not None else None,
                       byweekday=[WEEK_DAYS.index(day) for day in days] if days else None)
    following = rule.after(datetime.fromtimestamp(after, tz), inc=False)
    if following is None:   # pragma: no cover - an rrule without an end always has a next one
        raise BadRequest("The recurrence never fires again")
    return following.timestamp()
