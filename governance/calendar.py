"""Meetings as iCalendar: the invitation's attachment and each user's personal feed.

The mailed invitation is a request (METHOD:REQUEST) from the secretariat (ORGANIZER, DEFAULT_FROM_EMAIL)
to its invitee (ATTENDEE, RSVP), so calendar programs offer to accept or decline; a cancelled meeting's
file cancels it (METHOD:CANCEL). Every event carries a reminder (VALARM) MEETING_REMINDER_HOURS ahead.

A meeting's SEQUENCE is the number of times it was changed after it was created (its audit
log), so a moved or cancelled meeting always carries a higher one than the copy a calendar
already holds: clients ignore an update whose sequence is not higher.
"""

from datetime import timedelta

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from governance.models import Meeting


def _uid(meeting) -> str:
    return f"meeting-{meeting.pk}@{settings.SITE_URL.split('//')[-1].split('/')[0] or 'alliance'}"


def _revisions(meetings) -> dict[int, tuple[int, object]]:
    """{meeting id: (changes since it was created, time of the last change)} in one query."""
    rows = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Meeting),
                                object_id__in=[meeting.pk for meeting in meetings])
        .exclude(action=LogEntry.Action.CREATE)
        .values("object_id").annotate(changes=Count("id"), last=Max("timestamp")).order_by()
    )
    return {row["object_id"]: (row["changes"], row["last"]) for row in rows}


def _address(email: str, name: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    return address


def _organizer(meeting) -> vCalAddress:
    return _address(settings.DEFAULT_FROM_EMAIL, _("Secretariat of %(alliance)s") % {"alliance": meeting.body.alliance.name})


def _attendee(user) -> vCalAddress:
    attendee = _address(user.email, str(user))
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    return attendee


def _alarm(meeting) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", meeting.title)
    alarm.add("trigger", -timedelta(hours=settings.MEETING_REMINDER_HOURS))
    return alarm


def _event(meeting, revision: tuple[int, object] | None, stamp=None) -> Event:
    changes, changed_at = revision or (0, meeting.created_at)
    event = Event()
    event.add("uid", _uid(meeting))
    # With a METHOD (the mailed file) DTSTAMP is when the file was made; in a feed, the last change.
    event.add("dtstamp", stamp or changed_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.location or meeting.online_link)
    url = f"{settings.SITE_URL}{reverse('governance:meeting', args=[meeting.pk])}"
    event.add("url", url)
    event.add("description", f"{meeting.body.name}\n{url}")
    # A cancelled meeting stays in the feed as cancelled, so calendars remove it.
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    event.add("sequence", changes)
    event.add("organizer", _organizer(meeting))
    if meeting.status != "cancelled":
        event.add_component(_alarm(meeting))
    return event


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Alliance//Council meetings//ZH")
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def meeting_ics(meeting, attendee=None) -> str:
    """The meeting as a file: for `attendee` (a user with an email), a request to answer (or the cancellation);
    without one, a copy to add to a calendar."""
    cancelled = meeting.status == "cancelled"
    invites = attendee is not None and bool(attendee.email)
    calendar = _calendar(("CANCEL" if cancelled else "REQUEST") if invites else "PUBLISH")
    with translation.override(getattr(attendee, "language", None) or translation.get_language()):
        event = _event(meeting, _revisions([meeting]).get(meeting.pk), stamp=timezone.now())
    if invites:
        event.add("attendee", _attendee(attendee))
    calendar.add_component(event)
    return calendar.to_ical().decode()


def feed_ics(meetings, *, language: str = settings.LANGUAGE_CODE) -> str:
    """A user's feed, named in their language (Chinese by default)."""
    calendar = _calendar()
    meetings = list(meetings)
    revisions = _revisions(meetings)
    with translation.override(language):
        calendar.add("x-wr-calname", _("Council meetings"))
        for meeting in meetings:
            calendar.add_component(_event(meeting, revisions.get(meeting.pk)))
    return calendar.to_ical().decode()
