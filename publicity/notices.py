"""An announcement's messages, put into the notification outbox (kernel/notify.py): one per recipient, keyed by
announcement and user, so that sending or reminding twice delivers once. Our own words are lazy translations
rendered in each recipient's language; the secretariat's text goes as written."""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kernel.notify import notify


def delivery_key(announcement, user) -> str:
    return f"announcement:{announcement.pk}:{user.pk}"


def reminder_key(announcement, user) -> str:
    return f"announcement:{announcement.pk}:remind:{user.pk}"


def announcement_url(announcement) -> str:
    return reverse("publicity:announcement", args=[announcement.pk])


def announcement_delivered(announcement, user) -> bool:
    _row, created = notify(
        user=user, key=delivery_key(announcement, user),
        subject=format_lazy(_("Announcement from {alliance}: {title}"), alliance=announcement.alliance.name,
                            title=announcement.title),
        body=format_lazy(_("{alliance} announces to its member units:\n\n{title}\n\n{body}"),
                         alliance=announcement.alliance.name, title=announcement.title, body=announcement.body),
        url=announcement_url(announcement),
    )
    return created


def announcement_reminder(announcement, user) -> bool:
    _row, created = notify(
        user=user, key=reminder_key(announcement, user),
        subject=format_lazy(_("Please read: {title}"), title=announcement.title),
        body=format_lazy(_("{alliance} sent you an important announcement, “{title}”, which you have not read yet. "
                           "Please read it in the application."),
                         alliance=announcement.alliance.name, title=announcement.title),
        url=announcement_url(announcement),
    )
    return created
