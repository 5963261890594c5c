"""The notification outbox and the assessment reminders.

Real PostgreSQL, Redis and a Celery worker, and a real SMTP server (tests/smtp_server.py) that
refuses the recipients it is told to. The only stand-ins are two mail backends defined here: one
that is slow (so two concurrent senders really overlap) and one that fails like an SMTP server
that drops the connection.
"""

import datetime
import smtplib
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.models import Alliance
from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.tasks import assessment_reminders
from kernel.models import Notification
from kernel.notify import (
    MAX_ATTEMPTS,
    SendReport,
    is_permanent,
    mark_read,
    notify,
    retry_delay,
    send_due_mail,
)
from kernel.tasks import send_notifications
from members import services as member_services
from members.models import Organization, RoleGrant, User
from tests.conftest import load_cast
from tests.factories import UserFactory
from tests.shared import small_framework
from tests.smtp_server import SmtpServer

FRAMEWORK = small_framework("提醒测试指标体系")
FULL = {"A1": "8", "B1": "9", "B2": "4", "C1": "1"}
RECTIFY = {"A1": "7", "B1": "7", "B2": "3.5", "C1": "1"}  # 70 points: rectify


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def open_cycle(official, alliance, *, self_due, review_due, title="2026年度考核"):
    framework = assessment_services.framework_import(actor=official, data=FRAMEWORK)
    framework = assessment_services.framework_publish(framework=framework, actor=official)
    return assessment_services.cycle_open(
        actor=official, framework=framework, city=alliance.city, title=title, opens_on=timezone.localdate(),
        self_assessment_due=self_due, review_due=review_due, alliances=[alliance],
    )


def submit(assessment, secretariat):
    assessment_services.self_assessment_save(assessment=assessment, actor=secretariat, scores=FULL)
    return assessment_services.self_assessment_submit(assessment=assessment, actor=secretariat)


def keys(prefix):
    return sorted(Notification.objects.filter(key__startswith=prefix).values_list("key", flat=True))


# Reminders ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_self_assessment_is_reminded_once_however_often_the_beat_fires(cast, high_tech):
    cycle = open_cycle(cast["official"], high_tech, self_due=days(2), review_due=days(20))
    assessment = cycle.assessments.get()

    assert assessment_reminders() == 1
    assert assessment_reminders() == 0
    assert keys("assessment-self-due:") == [f"assessment-self-due:{assessment.id}:{cast['secretariat'].id}"]

    assert send_due_mail().sent == 1
    assert send_due_mail().sent == 0
    assert [message.to for message in mail.outbox] == [[cast["secretariat"].email]]
    assert high_tech.name in mail.outbox[0].subject
    assert cycle.title in mail.outbox[0].body
    assert mail.outbox[0].body.endswith(reverse("assessments:detail", args=[assessment.id]))


@pytest.mark.django_db
def test_no_reminder_before_the_window_and_the_window_comes_from_settings(cast, high_tech, settings):
    open_cycle(cast["official"], high_tech, self_due=days(10), review_due=days(20))
    assert assessment_reminders() == 0

    settings.ASSESSMENT_REMINDER_DAYS = 10
    assert assessment_reminders() == 1


@pytest.mark.django_db
def test_a_submitted_self_assessment_or_a_closed_cycle_is_not_reminded(cast, high_tech):
    cycle = open_cycle(cast["official"], high_tech, self_due=days(1), review_due=days(20))
    submit(cycle.assessments.get(), cast["secretariat"])
    assert assessment_reminders() == 0

    other = open_cycle(cast["official"], high_tech, self_due=days(1), review_due=days(20), title="另一轮")
    other.status = "closed"
    other.save()
    assert assessment_reminders() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_experts_who_have_not_submitted_are_reminded_before_the_review_deadline(cast, high_tech):
    cycle = open_cycle(cast["official"], high_tech, self_due=days(1), review_due=days(3))
    assessment = submit(cycle.assessments.get(), cast["secretariat"])
    expert1, expert2 = User.objects.get(username="expert1"), User.objects.get(username="expert2")
    reviews = assessment_services.experts_assign(assessment=assessment, actor=cast["official"],
                                                 experts=[expert1, expert2])
    done = next(review for review in reviews if review.expert == expert2)
    assessment_services.review_save(review=done, actor=expert2, scores=FULL, declared_no_conflict=True)
    assessment_services.review_submit(review=done, actor=expert2)

    assert assessment_reminders() == 1
    assert assessment_reminders() == 0
    reminder = Notification.objects.get(key__startswith="assessment-review-due:")
    assert reminder.user == expert1
    assert high_tech.name in reminder.subject
    assert reminder.url == reverse("assessments:review", args=[next(r.pk for r in reviews if r.expert == expert1)])


@pytest.mark.django_db
def test_rectification_items_not_done_are_reminded_before_their_deadline(cast, high_tech):
    cycle = open_cycle(cast["official"], high_tech, self_due=days(1), review_due=days(3))
    assessment = submit(cycle.assessments.get(), cast["secretariat"])
    expert1 = User.objects.get(username="expert1")
    [review] = assessment_services.experts_assign(assessment=assessment, actor=cast["official"], experts=[expert1])
    assessment_services.review_save(review=review, actor=expert1, scores=RECTIFY, declared_no_conflict=True)
    assessment_services.review_submit(review=review, actor=expert1)
    assessment = assessment_services.assessment_decide(
        assessment=Assessment.objects.get(pk=assessment.pk), actor=cast["official"], rectify_by=days(2),
        rectification_items=["补齐理事会会议纪要", "完善年度工作计划"],
    )
    assert assessment.grade == "rectify"
    first = assessment.rectification_items.get(text="补齐理事会会议纪要")
    assessment_services.rectification_done(item=first, actor=cast["secretariat"], note="已补齐")

    assert assessment_reminders() == 1
    assert assessment_reminders() == 0
    reminder = Notification.objects.get(key__startswith="assessment-rectify-due:")
    assert reminder.user == cast["secretariat"]
    assert reminder.url == reverse("assessments:detail", args=[assessment.pk])
    assert "完善年度工作计划" in reminder.body
    assert "补齐理事会会议纪要" not in reminder.body


@pytest.mark.django_db
def test_reminders_are_rendered_in_each_recipients_language(cast, high_tech):
    english = UserFactory(username="en_secretary", language="en")
    RoleGrant.objects.create(user=english, role="secretariat", alliance=high_tech)
    open_cycle(cast["official"], high_tech, self_due=days(2), review_due=days(20))

    assert assessment_reminders() == 2
    send_due_mail()
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[english.email].startswith("Self-assessment due on ")
    chinese = subjects[cast["secretariat"].email]
    assert chinese.startswith("自评将于") and "Self-assessment" not in chinese
    assert high_tech.name in chinese


@pytest.mark.django_db
def test_every_reminder_also_appears_in_the_users_own_list(cast, high_tech, client_for):
    open_cycle(cast["official"], high_tech, self_due=days(2), review_due=days(20))
    assessment_reminders()
    reminder = Notification.objects.get()

    page = client_for(cast["secretariat"]).get(reverse("notification-list")).content.decode()
    assert reminder.subject in page
    assert f'id="notification-{reminder.pk}"' in page
    other = client_for(cast["official"]).get(reverse("notification-list")).content.decode()
    assert reminder.subject not in other


# The outbox ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notify_is_idempotent_on_its_key(cast):
    first, created = notify(user=cast["contact"], key="k:1", subject="第一次", body="正文")
    again, created_again = notify(user=cast["contact"], key="k:1", subject="第二次", body="另一正文")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Notification.objects.get(key="k:1").subject == "第一次"


@pytest.mark.django_db
def test_the_mail_carries_the_link(cast, settings):
    settings.SITE_URL = "https://alliance.example.cn"
    notify(user=cast["contact"], key="k:link", subject="有新消息", body="请查看。", url="/alliances/1/")
    send_due_mail()
    assert mail.outbox[0].body.endswith("https://alliance.example.cn/alliances/1/")


class FlakyServer(EmailBackend):
    """Drops the connection for the first `failures` messages, then delivers (to mail.outbox)."""

    failures = 0

    def send_messages(self, messages):
        if FlakyServer.failures > 0:
            FlakyServer.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def flaky_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyServer"
    yield FlakyServer
    FlakyServer.failures = 0


def make_due(notification):
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


@pytest.mark.django_db
def test_a_failing_mail_server_is_retried_with_back_off_and_recorded(cast, flaky_server, caplog):
    flaky_server.failures = 3
    notification, _ = notify(user=cast["contact"], key="k:flaky", subject="会议通知", body="正文")

    for attempt in (1, 2, 3):
        before = timezone.now()
        assert send_due_mail().retrying == 1
        notification.refresh_from_db()
        assert (notification.mail_status, notification.mail_attempts) == ("pending", attempt)
        assert "SMTPServerDisconnected" in notification.last_error
        wait = notification.next_attempt_at - before
        assert retry_delay(attempt) <= wait <= retry_delay(attempt) + datetime.timedelta(seconds=5)
        assert send_due_mail().retrying == 0, "retried before its time"
        make_due(notification)

    assert send_due_mail().sent == 1
    notification.refresh_from_db()
    assert (notification.mail_status, notification.mail_attempts) == ("sent", 4)
    assert notification.mailed_at is not None
    assert [message.subject for message in mail.outbox] == ["会议通知"]
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and f"notification {notification.pk} " in r.getMessage()]
    assert len(warnings) == 3


@pytest.mark.django_db
def test_a_mail_that_keeps_failing_is_marked_failed_and_logged_as_an_error(cast, flaky_server, caplog):
    flaky_server.failures = 1000
    notification, _ = notify(user=cast["contact"], key="k:dead", subject="会议通知", body="正文")
    for _attempt in range(MAX_ATTEMPTS):
        send_due_mail()
        make_due(notification)

    notification.refresh_from_db()
    assert (notification.mail_status, notification.mail_attempts) == ("failed", MAX_ATTEMPTS)
    assert "SMTPServerDisconnected" in notification.last_error
    errors = [r for r in caplog.records if r.levelname == "ERROR" and f"notification {notification.pk} " in r.getMessage()]
    assert len(errors) == 1
    left = flaky_server.failures
    send_due_mail()
    assert flaky_server.failures == left, "a failed mail was tried again"
    assert mail.outbox == []


# A real SMTP server (tests/smtp_server.py) ----------------------------------------------


@pytest.fixture
def smtp_server(settings):
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        yield server


@pytest.mark.django_db
def test_a_recipient_refused_for_good_fails_at_once_and_the_others_get_the_application_once(
        cast, smtp_server, caplog):
    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    refused, *others = secretaries = UserFactory.create_batch(3)
    for user in secretaries:
        RoleGrant.objects.create(user=user, role="secretariat", alliance=electronic)
    smtp_server.refuse[refused.email] = 550
    membership = member_services.membership_apply(
        alliance=electronic, organization=Organization.objects.get(contacts__user=cast["contact"]),
        actor=cast["contact"],
    )

    report = send_due_mail()

    assert (report.sent, report.failed, report.retrying) == (2, 1, 0)
    rows = {row.user_id: row for row in Notification.objects.filter(key__startswith=f"membership:{membership.pk}:")}
    assert (rows[refused.pk].mail_status, rows[refused.pk].mail_attempts) == ("failed", 1)
    assert "550" in rows[refused.pk].last_error
    assert [(rows[user.pk].mail_status, rows[user.pk].mail_attempts) for user in others] == [("sent", 1)] * 2
    assert smtp_server.recipients() == sorted(user.email for user in others)
    errors = [r for r in caplog.records if r.levelname == "ERROR" and refused.email in r.getMessage()]
    assert len(errors) == 1

    assert send_due_mail() == SendReport()
    assert smtp_server.recipients() == sorted(user.email for user in others), "a mail was sent again"


@pytest.mark.django_db
def test_a_recipient_refused_for_now_is_retried_and_then_mailed(cast, smtp_server):
    smtp_server.refuse[cast["contact"].email] = 450
    notification, _ = notify(user=cast["contact"], key="k:busy", subject="会议通知", body="正文")

    assert send_due_mail().retrying == 1
    notification.refresh_from_db()
    assert (notification.mail_status, notification.mail_attempts) == ("pending", 1)
    assert "450" in notification.last_error

    del smtp_server.refuse[cast["contact"].email]
    make_due(notification)
    assert send_due_mail().sent == 1
    assert smtp_server.recipients() == [cast["contact"].email]


@pytest.mark.django_db
def test_an_unreachable_mail_server_is_retried(cast, settings):
    with SmtpServer() as stopped:
        pass
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", stopped.port
    notification, _ = notify(user=cast["contact"], key="k:down", subject="会议通知", body="正文")

    assert send_due_mail().retrying == 1
    notification.refresh_from_db()
    assert (notification.mail_status, notification.mail_attempts) == ("pending", 1)


@pytest.mark.parametrize(("error", "permanent"), [
    (smtplib.SMTPRecipientsRefused({"a@test.invalid": (550, b"no such user")}), True),
    (smtplib.SMTPRecipientsRefused({"a@test.invalid": (450, b"mailbox busy")}), False),
    (smtplib.SMTPDataError(554, b"rejected as spam"), True),
    (smtplib.SMTPDataError(451, b"try again later"), False),
    # Our configuration's fault, the same for every message: retried, not every message failed at once.
    (smtplib.SMTPSenderRefused(550, b"sender not allowed", "alliance@localhost"), False),
    (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
    (smtplib.SMTPConnectError(421, b"too busy"), False),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
    (ConnectionRefusedError(111, "Connection refused"), False),
], ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value))
def test_only_a_5xx_refusal_of_the_recipient_or_the_content_is_permanent(error, permanent):
    assert is_permanent(error) is permanent


def test_the_back_off_doubles_from_a_minute_up_to_six_hours():
    minutes = [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4, 9, 10, 30)]
    assert minutes == [1, 2, 4, 8, 256, 360, 360]


@pytest.mark.django_db
def test_users_without_a_mail_address_are_skipped_but_still_notified_in_the_app(cast):
    no_mail = UserFactory(email="")
    notification, _ = notify(user=no_mail, key="k:nomail", subject="通知", body="正文")
    assert notification.mail_status == "skipped"

    removed, _ = notify(user=cast["contact"], key="k:removed", subject="通知", body="正文")
    User.objects.filter(pk=cast["contact"].pk).update(email="")
    assert send_due_mail().skipped == 1
    removed.refresh_from_db()
    assert removed.mail_status == "skipped"
    assert mail.outbox == []
    assert Notification.objects.filter(user=no_mail).count() == 1


class SlowServer(EmailBackend):
    """Takes a little time per message, so that two senders overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_mail_each_notification_once(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowServer"
    users = UserFactory.create_batch(4)
    for number in range(40):
        notify(user=users[number % 4], key=f"k:race:{number}", subject=f"通知 {number}", body="正文")
    start = threading.Barrier(2)
    reports, failures = [], []

    def sender():
        try:
            start.wait()
            reports.append(send_due_mail())
        except Exception as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    subjects = [message.subject for message in mail.outbox]
    assert sorted(subjects) == sorted(f"通知 {number}" for number in range(40))
    assert all(report.sent > 0 for report in reports), "the two senders did not overlap"
    assert sum(report.sent for report in reports) == 40
    assert set(Notification.objects.values_list("mail_status", "mail_attempts")) == {("sent", 1)}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_creates_the_reminder_and_mails_it():
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from alliance.demo import HIGH_TECH
    from config.celery import app
    from tests.worker import tasks_seen

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    load_cast()
    app.control.purge()
    high_tech = Alliance.objects.get(name=HIGH_TECH)
    secretariat = User.objects.get(username="secretariat")
    open_cycle(User.objects.get(username="official"), high_tech, self_due=days(1), review_due=days(20))
    mail.outbox = []

    with tasks_seen() as seen, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert seen.wait(assessment_reminders.delay()), "the worker did not run assessment_reminders"
        assert Notification.objects.filter(user=secretariat).exists(), "no reminder created"
        assert seen.wait(send_notifications.delay()), "the worker did not run send_notifications"

    assert [message.to for message in mail.outbox] == [[secretariat.email]]
    assert high_tech.name in mail.outbox[0].subject
    assert Notification.objects.get(user=secretariat).mail_status == "sent"


def test_the_beat_schedules_every_periodic_job_and_the_worker_knows_them():
    from config.celery import app

    jobs = {"kernel.tasks.send_notifications", "assessments.tasks.assessment_reminders",
            "governance.tasks.close_due_motions", "governance.tasks.governance_reminders",
            "cooperation.tasks.refresh_all_suggestions",
            "publicity.tasks.announcement_reminders", "assessments.tasks.check_early_warnings"}
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} == jobs
    assert jobs <= set(app.tasks)


# The pages ------------------------------------------------------------------------------

ROLES = ["anonymous", "official", "secretariat", "director", "contact", "expert", "outsider", "weifang_official",
         "weifang_secretariat"]


@pytest.fixture
def secretariat_note(cast):
    notification, _ = notify(user=cast["secretariat"], key="k:sec", subject="秘书处的通知", body="仅秘书处可见")
    return notification


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_user_sees_only_their_own_notifications(cast, client_for, secretariat_note, role):
    response = client_for(cast[role]).get(reverse("notification-list"))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == 200
    assert ("秘书处的通知" in response.content.decode()) == (role == "secretariat")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_can_mark_a_notification_read(cast, client_for, secretariat_note, role):
    response = client_for(cast[role]).post(reverse("notification-read", args=[secretariat_note.pk]))
    secretariat_note.refresh_from_db()
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif role == "secretariat":
        assert response.status_code == 302 and response["Location"] == reverse("notification-list")
        assert secretariat_note.read_at is not None
        return
    else:
        assert response.status_code == 404
    assert secretariat_note.read_at is None


@pytest.mark.django_db
def test_marking_read_is_a_post_and_keeps_the_first_time(cast, client_for, secretariat_note):
    browser = client_for(cast["secretariat"])
    assert browser.get(reverse("notification-read", args=[secretariat_note.pk])).status_code == 405
    assert browser.post(reverse("notification-read", args=[999999999])).status_code == 404
    browser.post(reverse("notification-read", args=[secretariat_note.pk]))
    first = Notification.objects.get(pk=secretariat_note.pk).read_at
    browser.post(reverse("notification-read", args=[secretariat_note.pk]))
    assert Notification.objects.get(pk=secretariat_note.pk).read_at == first


@pytest.mark.django_db
def test_mark_read_refuses_someone_elses_notification(cast, secretariat_note):
    from kernel.errors import NotAllowed

    with pytest.raises(NotAllowed):
        mark_read(user=cast["outsider"], notification=secretariat_note)


@pytest.mark.django_db
def test_marking_read_goes_back_only_to_our_own_pages(cast, client_for, secretariat_note):
    browser = client_for(cast["secretariat"])
    url = reverse("notification-read", args=[secretariat_note.pk])
    assert browser.post(url, {"next": "https://evil.example/"})["Location"] == reverse("notification-list")
    assert browser.post(url, {"next": "/notifications/?page=2"})["Location"] == "/notifications/?page=2"


@pytest.mark.django_db
def test_mark_all_read_touches_only_the_users_own(cast, client_for, secretariat_note):
    mine, _ = notify(user=cast["outsider"], key="k:out", subject="外部", body="正文")
    client_for(cast["outsider"]).post(reverse("notification-read-all"))
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=secretariat_note.pk).read_at is None


@pytest.mark.django_db
def test_the_list_is_newest_first_with_unread_highlighted(cast, client_for):
    user = cast["contact"]
    old, _ = notify(user=user, key="k:old", subject="较早的通知", body="正文")
    new, _ = notify(user=user, key="k:new", subject="最新的通知", body="正文")
    mark_read(user=user, notification=old)
    page = client_for(user).get(reverse("notification-list")).content.decode()
    assert page.index("最新的通知") < page.index("较早的通知")
    assert f'class="card unread" id="notification-{new.pk}"' in page
    assert f'class="card" id="notification-{old.pk}"' in page


@pytest.mark.django_db
def test_the_badge_counts_the_users_unread(cast, secretariat_note):
    notify(user=cast["secretariat"], key="k:sec2", subject="第二条", body="正文")
    mark_read(user=cast["secretariat"], notification=secretariat_note)
    template = Template("{% load notifications %}{% notification_badge %}")

    def badge(user):
        request = RequestFactory().get("/")
        request.user = user
        return template.render(Context({"request": request}))

    assert '<span class="badge unread"' in badge(cast["secretariat"]) and ">1</span>" in badge(cast["secretariat"])
    assert "badge unread" not in badge(cast["outsider"])
    from django.contrib.auth.models import AnonymousUser

    assert badge(AnonymousUser()).strip() == ""


def add_notifications(user, count, start):
    Notification.objects.bulk_create(
        Notification(user=user, key=f"k:count:{user.pk}:{number}", subject=f"通知 {number}", body="正文")
        for number in range(start, start + count)
    )


@pytest.mark.django_db
def test_the_list_query_count_does_not_grow_with_rows(cast, client_for):
    user = cast["contact"]
    browser = client_for(user)
    add_notifications(user, 10, 0)
    browser.get(reverse("notification-list"))  # warm the session

    def count():
        with CaptureQueriesContext(connection) as context:
            response = browser.get(reverse("notification-list"))
        assert response.status_code == 200
        return len(context.captured_queries), context, response

    small, _context, response = count()
    assert response.content.decode().count('class="card unread"') == 10
    add_notifications(user, 90, 10)
    large, context, response = count()
    assert response.content.decode().count('class="card unread"') == 25
    assert large == small, "\n".join(query["sql"] for query in context.captured_queries)
