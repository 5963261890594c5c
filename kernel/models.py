from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user: shown in the app, and mailed once.

    The unique key makes creating it idempotent (a beat that fires twice creates it once);
    the sender claims pending rows with SELECT ... FOR UPDATE SKIP LOCKED and marks them
    sent in the same transaction, retrying a failing mail server with back-off.
    """

    class MailStatus(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No mail address")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(_("Subject"), max_length=300)
    body = models.TextField(_("Message"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mail_status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A text attachment mailed with the message (a meeting invitation's iCalendar file).
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Notification")
        verbose_name_plural = _("Notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["mail_status", "next_attempt_at"], name="notification_mail_due"),
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
        ]
