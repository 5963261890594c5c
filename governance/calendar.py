"""Meetings as iCalendar: the invitation's attachment and each user's personal feed."""

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event


def _uid(meeting) -> str:
    return f"meeting-{meeting.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0] or 'alliance'}"


def _event(meeting) -> Event:
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("dtstamp", meeting.created_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.location or meeting.online_link)
    url = f"{settings.SITE_URL}{reverse('governance:meeting', args=[meeting.pk])}"
    event.add("url", url)
    event.add("description", f"{meeting.body.name}\n{url}")
    # A cancelled meeting stays in the feed as cancelled, so calendars remove it.
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    event.add("sequence", int(meeting.starts_at.timestamp()) // 60 % 100000)
    return event


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Alliance//Council meetings//ZH")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def meeting_ics(meeting) -> str:
    calendar = _calendar("PUBLISH")
    calendar.add_component(_event(meeting))
    return calendar.to_ical().decode()


def feed_ics(meetings) -> str:
    calendar = _calendar()
    calendar.add("x-wr-calname", "Council meetings")
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical().decode()
