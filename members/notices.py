"""Messages about memberships, put into the notification outbox (alliance/notify.py).

The services call these inside their transaction: the change and its notices commit together,
and the beat's `send_notifications` mails them. Nothing is sent to the Celery broker on the way,
so a broker outage only delays the mail. One row per recipient, keyed by membership, event and
recipient: a second call notifies nobody twice, and one recipient's refused mail never resends
the others'. Subjects and bodies are lazy, rendered in each recipient's language.
"""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alliance.notify import notify
from members.models import Membership
from members.selectors import contacts_of, secretaries_of


def _notify_all(users, membership: Membership, event: str, subject, body) -> None:
    url = reverse("membership-detail", args=[membership.pk])
    for user in users:
        notify(user=user, key=f"membership:{membership.pk}:{event}:{user.pk}", subject=subject, body=body, url=url)


def membership_applied(membership: Membership) -> None:
    """A unit applied: the alliance's secretariat (its active users) is asked to review it."""
    names = {"org": membership.organization.name, "alliance": membership.alliance.name}
    _notify_all(
        secretaries_of(membership.alliance), membership, "applied",
        subject=format_lazy(_("{org} applied to join {alliance}"), **names),
        body=format_lazy(_("{org} has applied to join {alliance}. Please review the application."), **names),
    )


def membership_decided(membership: Membership) -> None:
    """The secretariat decided (approved, rejected, expelled): the unit's contacts are told."""
    status = Membership.Status(membership.status).label
    body = format_lazy(
        _("The membership of {org} in {alliance} is now: {status}."),
        org=membership.organization.name, alliance=membership.alliance.name, status=status,
    )
    if membership.decision_reason:
        body = format_lazy("{text}\n{label}: {reason}", text=body, label=_("Reason"),
                           reason=membership.decision_reason)
    _notify_all(
        contacts_of(membership.organization), membership, membership.status,
        subject=format_lazy(_("Membership of {alliance}: {status}"), alliance=membership.alliance.name,
                            status=status),
        body=body,
    )
