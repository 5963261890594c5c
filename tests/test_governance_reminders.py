"""The council's reminders and invitations: each sent once, however often the beat fires.

Real PostgreSQL, Redis and a Celery worker (the worker tests); mail goes to Django's locmem
backend, or to a backend defined here that fails like an SMTP server dropping the connection.
"""

import datetime
import smtplib

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from alliance.models import Alliance
from config.celery import app
from governance.models import Minutes, Motion
from governance.services import meetings, minutes, tasks, votes
from governance.tasks import close_due_motions, governance_reminders
from kernel.models import Notification
from kernel.notify import retry_delay, send_due_mail
from members.models import Organization, User
from tests.conftest import load_cast
from tests.governance_data import council, open_motion, planned_meeting, record_attendance, seats
from tests.worker import tasks_seen

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def locmem(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.SITE_URL = "https://alliance.example.cn"
    mail.outbox = []
    return settings


def keys(prefix: str) -> list[str]:
    return sorted(Notification.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def nothing_else(report: dict, **expected) -> dict:
    return {name: expected.get(name, 0) for name in report}


# Meeting reminders -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_meeting_reminder_goes_to_each_invited_seat_once(cast, high_tech, locmem):
    secretariat = cast["secretariat"]
    meeting = planned_meeting(council(high_tech), secretariat, hours_ahead=5)
    meetings.invitations_send(meeting=meeting, actor=secretariat)
    declining = seats(meeting.body)[1].user
    meetings.rsvp(meeting=meeting, actor=declining, response="declined")

    first = governance_reminders()
    assert first == nothing_else(first, meetings=8)
    assert governance_reminders() == nothing_else(first)
    reminded = Notification.objects.filter(key__contains=":reminder:")
    assert reminded.count() == 8
    assert declining not in {n.user for n in reminded}
    assert {n.url for n in reminded} == {reverse("governance:meeting", args=[meeting.pk])}


@pytest.mark.django_db
def test_no_meeting_reminder_before_the_lead_time_from_settings(cast, high_tech, settings):
    secretariat = cast["secretariat"]
    meeting = planned_meeting(council(high_tech), secretariat, hours_ahead=30)
    meetings.invitations_send(meeting=meeting, actor=secretariat)
    assert governance_reminders()["meetings"] == 0

    settings.MEETING_REMINDER_HOURS = 36
    assert governance_reminders()["meetings"] == 9


@pytest.mark.django_db
def test_a_cancelled_or_uninvited_meeting_is_not_reminded(cast, high_tech):
    secretariat = cast["secretariat"]
    planned_meeting(council(high_tech), secretariat, hours_ahead=3, title="未发通知的会议")
    cancelled = planned_meeting(council(high_tech), secretariat, hours_ahead=3, title="取消的会议")
    meetings.invitations_send(meeting=cancelled, actor=secretariat)
    meetings.meeting_cancel(meeting=cancelled, actor=secretariat)
    assert governance_reminders()["meetings"] == 0


# Vote reminders ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_seats_that_have_not_voted_are_reminded_once_before_the_motion_closes(cast, high_tech):
    secretariat = cast["secretariat"]
    body = council(high_tech)
    motion = open_motion(secretariat, body=body, closes_at=timezone.now() + datetime.timedelta(hours=12))
    body_seats = seats(body)
    for seat in body_seats[:3]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")

    first = governance_reminders()
    assert first == nothing_else(first, votes=6)
    assert governance_reminders() == nothing_else(first)
    reminded = {n.user_id for n in Notification.objects.filter(key__startswith=f"motion:{motion.pk}:remind:")}
    assert reminded == {seat.user_id for seat in body_seats[3:]}


@pytest.mark.django_db
def test_a_vote_closing_later_than_the_lead_time_is_not_reminded_yet(cast, high_tech, settings):
    motion = open_motion(cast["secretariat"], body=council(high_tech),
                         closes_at=timezone.now() + datetime.timedelta(hours=30))
    assert governance_reminders()["votes"] == 0
    settings.VOTE_REMINDER_HOURS = 48
    assert governance_reminders()["votes"] == 9
    assert len(keys(f"motion:{motion.pk}:remind:")) == 9


# Task and minutes reminders -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_due_soon_is_reminded_to_the_owner_units_contacts_once(cast, high_tech):
    owner = Organization.objects.get(contacts__user=cast["contact"])
    task = tasks.task_create(alliance=high_tech, actor=cast["secretariat"], owner=owner, title="建设共享实训基地",
                             target_value="2", target_unit="个", due_on=timezone.localdate() + datetime.timedelta(days=3))
    later = tasks.task_create(alliance=high_tech, actor=cast["secretariat"], owner=owner, title="年度培训",
                              target_value="500", target_unit="人次",
                              due_on=timezone.localdate() + datetime.timedelta(days=30))

    first = governance_reminders()
    assert first == nothing_else(first, tasks=1)
    assert governance_reminders() == nothing_else(first)
    assert keys(f"task:{task.pk}:due:") == [f"task:{task.pk}:due:{task.due_on.isoformat()}:{cast['contact'].pk}"]
    assert keys(f"task:{later.pk}:due:") == []


@pytest.fixture
def circulated_minutes(cast, high_tech):
    secretariat = cast["secretariat"]
    meeting = record_attendance(planned_meeting(council(high_tech), secretariat), secretariat)
    meetings.meeting_mark_held(meeting=meeting, actor=secretariat)
    record = minutes.minutes_save(meeting=meeting, actor=secretariat, text="会议纪要正文。")
    return minutes.minutes_circulate(minutes=record, actor=secretariat)


@pytest.mark.django_db
def test_minutes_circulated_long_ago_and_not_put_to_a_vote_are_reminded_to_the_secretariat_once(
        cast, circulated_minutes, settings):
    assert governance_reminders()["minutes"] == 0, "reminded before MINUTES_REMINDER_DAYS"
    Minutes.objects.filter(pk=circulated_minutes.pk).update(
        circulated_at=timezone.now() - datetime.timedelta(days=settings.MINUTES_REMINDER_DAYS, hours=1))

    first = governance_reminders()
    assert first == nothing_else(first, minutes=1)
    assert governance_reminders() == nothing_else(first)
    assert keys(f"minutes:{circulated_minutes.pk}:approval-reminder:") == [
        f"minutes:{circulated_minutes.pk}:approval-reminder:{cast['secretariat'].pk}"]


@pytest.mark.django_db
def test_minutes_with_an_approval_motion_are_not_reminded(cast, high_tech, circulated_minutes):
    Minutes.objects.filter(pk=circulated_minutes.pk).update(circulated_at=timezone.now() - datetime.timedelta(days=60))
    open_motion(cast["secretariat"], body=council(high_tech), title="关于批准会议纪要的议案",
                approves_minutes=circulated_minutes, opened=False)
    assert governance_reminders()["minutes"] == 0


# Invitations by mail ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_invitation_mail_carries_the_meeting_as_an_ics_file(cast, high_tech, locmem):
    secretariat = cast["secretariat"]
    meeting = planned_meeting(council(high_tech), secretariat, hours_ahead=72, title="第四次理事会会议")
    assert meetings.invitations_send(meeting=meeting, actor=secretariat) == 9
    assert meetings.invitations_send(meeting=meeting, actor=secretariat) == 0

    assert send_due_mail().sent == 9
    assert send_due_mail().sent == 0
    director = cast["director"]
    [message] = [m for m in mail.outbox if m.to == [director.email]]
    assert "第四次理事会会议" in message.subject
    [(name, content, content_type)] = message.attachments
    assert (name, content_type) == ("invite.ics", "text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "第四次理事会会议"
    assert event.decoded("DTSTART") == meeting.starts_at.replace(microsecond=0)
    assert str(event["URL"]) == f"https://alliance.example.cn/governance/meetings/{meeting.pk}/"
    assert message.body.endswith(f"https://alliance.example.cn/governance/meetings/{meeting.pk}/")


@pytest.mark.django_db
def test_a_moved_meeting_is_invited_again_with_the_new_time(cast, high_tech, locmem):
    secretariat = cast["secretariat"]
    meeting = planned_meeting(council(high_tech), secretariat, hours_ahead=72)
    meetings.invitations_send(meeting=meeting, actor=secretariat)
    send_due_mail()
    new_start = meeting.starts_at + datetime.timedelta(days=1)
    meetings.meeting_update(meeting=meeting, actor=secretariat, starts_at=new_start,
                            ends_at=new_start + datetime.timedelta(hours=2))
    mail.outbox = []
    assert send_due_mail().sent == 9
    message = next(m for m in mail.outbox if m.to == [cast["director"].email])
    [event] = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert event.decoded("DTSTART") == new_start.replace(microsecond=0)
    assert event["SEQUENCE"] > 0


class DroppingServer(EmailBackend):
    """Drops the connection for the first `failures` messages, then delivers (to mail.outbox)."""

    failures = 0

    def send_messages(self, messages):
        if DroppingServer.failures > 0:
            DroppingServer.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_an_invitation_is_retried_with_back_off_when_the_mail_server_fails(cast, high_tech, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.DroppingServer"
    DroppingServer.failures = 2
    secretariat = cast["secretariat"]
    body = council(high_tech)
    meeting = planned_meeting(body, secretariat, hours_ahead=72)
    meetings.invitations_send(meeting=meeting, actor=secretariat)
    invitation = Notification.objects.filter(key__startswith=f"meeting:{meeting.pk}:invite:").order_by("id").first()
    Notification.objects.exclude(pk=invitation.pk).update(mail_status=Notification.MailStatus.SKIPPED)
    mail.outbox = []
    try:
        for attempt in (1, 2):
            before = timezone.now()
            assert send_due_mail().retrying == 1
            invitation.refresh_from_db()
            assert (invitation.mail_status, invitation.mail_attempts) == ("pending", attempt)
            assert "SMTPServerDisconnected" in invitation.last_error
            assert invitation.next_attempt_at - before >= retry_delay(attempt)
            assert send_due_mail().retrying == 0, "retried before its time"
            Notification.objects.filter(pk=invitation.pk).update(
                next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
        assert send_due_mail().sent == 1
    finally:
        DroppingServer.failures = 0
    invitation.refresh_from_db()
    assert (invitation.mail_status, invitation.mail_attempts) == ("sent", 3)
    [message] = mail.outbox
    assert message.attachments[0][0] == "invite.ics"
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and f"notification {invitation.pk} " in r.getMessage()]
    assert len(warnings) == 2


# Through a real worker ------------------------------------------------------------------------


def high_tech_people():
    from alliance.demo import HIGH_TECH

    return Alliance.objects.get(name=HIGH_TECH), User.objects.get(username="secretariat")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_reminder_once_when_the_beat_fires_twice():
    assert django_settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    load_cast()
    app.control.purge()
    high_tech, secretariat = high_tech_people()
    body = council(high_tech)
    meeting = planned_meeting(body, secretariat, hours_ahead=5)
    meetings.invitations_send(meeting=meeting, actor=secretariat)
    motion = open_motion(secretariat, body=body, closes_at=timezone.now() + datetime.timedelta(hours=12))
    votes.ballot_cast(motion=motion, actor=seats(body)[0].user, choice="no")
    expected = {"reminder": 9, "remind": 8}

    def created():
        return {kind: Notification.objects.filter(key__contains=f":{kind}:").count() for kind in expected}

    with tasks_seen() as seen, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert seen.wait(governance_reminders.delay(), governance_reminders.delay()), "the worker did not run both"
        assert created() == expected
        assert seen.wait(governance_reminders.delay()), "the worker did not run the third"
    assert created() == expected


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_closes_a_written_consent_motion_at_its_deadline_and_numbers_it():
    assert django_settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    load_cast()
    app.control.purge()
    high_tech, secretariat = high_tech_people()
    body = council(high_tech)
    motion = open_motion(secretariat, body=body, closes_at=timezone.now() + datetime.timedelta(hours=1))
    for seat in seats(body)[:7]:
        votes.ballot_cast(motion=motion, actor=seat.user, choice="yes")

    with tasks_seen() as seen, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert seen.wait(close_due_motions.delay()), "the worker did not run close_due_motions"
        assert Motion.objects.get(pk=motion.pk).state == "open", "closed before its deadline"
        # The deadline comes (moved to now rather than waited for): the next run closes it.
        deadline = timezone.now()
        Motion.objects.filter(pk=motion.pk).update(closes_at=deadline)
        assert seen.wait(close_due_motions.delay()), "the worker did not run close_due_motions"
        assert Motion.objects.get(pk=motion.pk).state == "closed", "the worker did not close it"

    motion.refresh_from_db()
    assert motion.closed_at >= deadline
    assert (motion.yes_count, motion.eligible, motion.present, motion.quorum_met, motion.adopted) == (7, 9, 7, True,
                                                                                                      True)
    assert motion.resolution_number == f"{timezone.localdate(motion.closed_at).year}-01"
    assert Notification.objects.filter(key__startswith=f"motion:{motion.pk}:result:").count() == 9
