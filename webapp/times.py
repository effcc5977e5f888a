"""Moments shown as the clock at the venue shows them.

Timestamps are stored in UTC (SQLite hands them back naive). Every page,
message and export shows them in the event's time zone with its
abbreviation; pages add the date unless the whole event is on one day.
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import Event


@dataclass(frozen=True)
class Clock:
    """What showing an event's times needs, safe to keep after a commit."""

    timezone: str = "UTC"
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def clock_of(event) -> Clock:
    return Clock(event.timezone, getattr(event, "starts_at", None),
                 getattr(event, "ends_at", None))


def zone_of(event: Event | str | None) -> ZoneInfo:
    name = getattr(event, "timezone", event) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_event_zone(value: datetime, event: Event | str | None) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(zone_of(event))


def spans_one_day(event) -> bool:
    """Whether a clock time alone is unambiguous (start and end are local)."""
    starts, ends = getattr(event, "starts_at", None), getattr(event, "ends_at", None)
    return bool(starts and ends and starts.date() == ends.date())


def event_time(value: datetime | None, event: Event | str | None, *,
               seconds: bool = False, date: bool | None = None) -> str:
    """A moment as "Sat 5 Dec 09:12 CET", or "09:12 CET" on a one-day event."""
    if value is None:
        return ""
    local = in_event_zone(value, event)
    clock = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    if date is None:
        date = not spans_one_day(event)
    day = f"{local:%a} {local.day} {local:%b} " if date else ""
    return f"{day}{clock} {local:%Z}"


def event_iso(value: datetime | None, event: Event | str | None) -> str:
    """ISO 8601 with the venue's offset, for exports."""
    if value is None:
        return ""
    return in_event_zone(value, event).isoformat(timespec="seconds")
