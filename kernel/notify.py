"""The notification outbox: one row per message and user, shown in the app and mailed once.

`notify` creates the row idempotently on its unique key, rendered in the recipient's
language. `send_due_mail` (run by the beat every minute) claims one due row at a time with
SELECT ... FOR UPDATE SKIP LOCKED, sends it and marks it sent in the same transaction, so
two senders running at once never mail the same row twice. A failing mail server is retried
with exponential back-off; after MAX_ATTEMPTS the row is marked failed and logged as an error.
A message the server refuses for good (a 5xx to its recipient or content) is marked failed at
once: one row per recipient, so one bad address never resends the others' mail.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kernel.errors import NotAllowed
from kernel.models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)


def _render(text, language: str) -> str:
    """A str or lazy translation (gettext_lazy, format_lazy) rendered in the given language."""
    with translation.override(language):
        return str(text)


def notify(*, user, key: str, subject, body, url: str = "", attachment: tuple[str, str, str] | None = None
           ) -> tuple[Notification, bool]:
    """The notification with this key, created for the user if it does not exist yet.

    Pass the subject and body as lazy translations (gettext_lazy, or format_lazy around
    one): they are rendered here, in the recipient's language. `attachment` is (file name,
    content type, text), mailed with the message. Returns (row, created).
    """
    name, content_type, text = attachment or ("", "", "")
    language = user.language or settings.LANGUAGE_CODE
    # A mail header cannot hold a line break.
    subject_text = " ".join(_render(subject, language).split())
    return Notification.objects.get_or_create(
        key=key,
        defaults={
            "user": user,
            "subject": subject_text[: Notification._meta.get_field("subject").max_length],
            "body": _render(body, language),
            "url": url,
            "mail_status": Notification.MailStatus.PENDING if user.email else Notification.MailStatus.SKIPPED,
            "attachment_name": name,
            "attachment_type": content_type,
            "attachment_text": text,
        },
    )


def existing_keys(keys) -> set[str]:
    """Which of these keys already have a notification (to skip rendering them again)."""
    return set(Notification.objects.filter(key__in=list(keys)).values_list("key", flat=True))


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the first, second, third … failure, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


def _due(now) -> QuerySet[Notification]:
    return Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), mail_status=Notification.MailStatus.PENDING
    )


def _claim_next(now) -> Notification | None:
    """Lock the next due row; rows another sender holds are skipped, not waited for."""
    return (
        _due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .order_by("id")
        .first()
    )


def _message(notification: Notification) -> EmailMessage:
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
    message = EmailMessage(notification.subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
    if notification.attachment_name:
        message.attach(notification.attachment_name, notification.attachment_text, notification.attachment_type)
    return message


def _record_failure(notification: Notification, error: Exception, report: SendReport, *, permanent: bool) -> None:
    notification.mail_attempts += 1
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if permanent or notification.mail_attempts >= MAX_ATTEMPTS:
        notification.mail_status = Notification.MailStatus.FAILED
        notification.next_attempt_at = None
        report.failed += 1
        logger.error(
            "notification %s to %s failed after %d attempts, giving up: %s",
            notification.pk, notification.user.email, notification.mail_attempts, notification.last_error,
        )
    else:
        notification.next_attempt_at = timezone.now() + retry_delay(notification.mail_attempts)
        report.retrying += 1
        logger.warning(
            "notification %s to %s: attempt %d failed (%s); retrying at %s",
            notification.pk, notification.user.email, notification.mail_attempts, notification.last_error,
            notification.next_attempt_at.isoformat(),
        )


def is_permanent(error: Exception) -> bool:
    """Whether the mail server refused this message for good (a 5xx reply to its recipient or its
    content), so that trying again would only mail the same refusal.

    Everything else is retried with back-off: 4xx replies, a server that cannot be reached or hangs
    up, and refusals of the session or of our sender (a wrong password, an unauthorised sender
    address), which are the server's or our configuration's fault and must not fail every
    waiting message at once.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _deliver(notification: Notification, report: SendReport) -> None:
    if not notification.user.email:
        notification.mail_status = Notification.MailStatus.SKIPPED
        report.skipped += 1
    else:
        try:
            _message(notification).send()
        except (smtplib.SMTPException, OSError) as error:
            _record_failure(notification, error, report, permanent=is_permanent(error))
        except Exception as error:
            # A message that can never be built (a bad address, say) must not block the outbox.
            logger.exception("notification %s cannot be mailed", notification.pk)
            _record_failure(notification, error, report, permanent=True)
        else:
            notification.mail_status = Notification.MailStatus.SENT
            notification.mailed_at = timezone.now()
            notification.mail_attempts += 1
            report.sent += 1
    notification.save(
        update_fields=["mail_status", "mail_attempts", "next_attempt_at", "mailed_at", "last_error"]
    )


def send_due_mail(limit: int = 100) -> SendReport:
    """Mail up to `limit` due notifications, each claimed, sent and marked in its own transaction."""
    report = SendReport()
    now = timezone.now()
    for _position in range(limit):
        with transaction.atomic():
            notification = _claim_next(now)
            if notification is None:
                break
            _deliver(notification, report)
    if report.sent or report.retrying or report.failed:
        logger.info("notifications mailed: %s", report)
    return report


@transaction.atomic
def retry_failed(*, notifications: QuerySet[Notification], actor) -> int:
    """Put failed notifications back in the outbox (the admin's "retry" action, e.g. after the mail
    settings were fixed): pending, due at once, attempts counted afresh. Rows in any other state are
    left alone. Returns how many were put back."""
    failed = notifications.filter(mail_status=Notification.MailStatus.FAILED)
    count = failed.update(mail_status=Notification.MailStatus.PENDING, mail_attempts=0, next_attempt_at=None)
    if count:
        logger.info("%d failed notifications put back in the outbox by %s", count, actor)
    return count


@dataclass
class Backlog:
    pending: int
    due: int
    failed: int
    oldest_due_seconds: float


def outbox_backlog() -> Backlog:
    """What waits in the outbox (for the metrics): pending rows, those due now, failed rows and how long
    the oldest due one has waited. Counted on the (mail_status, next_attempt_at) index."""
    now = timezone.now()
    pending = Notification.objects.filter(mail_status=Notification.MailStatus.PENDING)
    due = _due(now)
    oldest = due.order_by("created_at").values_list("created_at", flat=True).first()
    return Backlog(
        pending=pending.count(),
        due=due.count(),
        failed=Notification.objects.filter(mail_status=Notification.MailStatus.FAILED).count(),
        oldest_due_seconds=(now - oldest).total_seconds() if oldest else 0.0,
    )


# Reads and the reader's own writes ------------------------------------------------

def notifications_for_user(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody sees anyone else's."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """Counted once per request (the page and the header badge both show it), cached on the user."""
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(user, "_unread_count"):
        user._unread_count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return user._unread_count


def mark_read(*, user, notification: Notification) -> Notification:
    """Mark the user's own notification read; reading it again keeps the first time."""
    if notification.user_id != user.id:
        raise NotAllowed(_("This notification is not yours."))
    now = timezone.now()
    user.__dict__.pop("_unread_count", None)
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
        notification.read_at = now
    else:
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    user.__dict__.pop("_unread_count", None)
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def mark_keys_read(*, user, keys) -> int:
    """Mark the user's own unread notifications with these keys read (the page they point to was opened)."""
    user.__dict__.pop("_unread_count", None)
    return Notification.objects.filter(user=user, key__in=list(keys), read_at__isnull=True).update(
        read_at=timezone.now())
