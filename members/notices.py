"""Messages about memberships and units, put into the notification outbox (kernel/notify.py).

Rows are written inside the service's transaction: a broker outage delays the mail and loses
none, a rolled-back change notifies nobody, and each recipient has a row of their own (keyed by
event and user), so one bad address never makes the others receive a message twice.
"""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kernel.notify import notify
from members.models import IdentityChange, Membership
from members.selectors import officials_by_city, secretaries_of

# Who hears of each event: the alliance's secretariat, or the unit's contacts.
TO_SECRETARIAT = {"applied", "accepted", Membership.Status.WITHDRAWN}

SUBJECTS = {
    "applied": _("{org} applied to join {alliance}"),
    "invited": _("{alliance} invites {org} to join"),
    "accepted": _("{org} accepted the invitation of {alliance}"),
}
BODIES = {
    "applied": _("{org} has applied to join {alliance}. Please review the application."),
    "invited": _("The secretariat of {alliance} invites {org} to become a member. As a contact of the unit, "
                 "please accept or decline the invitation in the application."),
    "accepted": _("{org} accepted the invitation to join {alliance}. The membership can now be approved."),
}


def _contacts(organization) -> list:
    return [contact.user for contact in organization.contacts.select_related("user") if contact.user.is_active]


def membership_event(membership: Membership, event: str) -> None:
    """Tell the other side of a membership what happened to it."""
    recipients = (secretaries_of(membership.alliance) if event in TO_SECRETARIAT
                  else _contacts(membership.organization))
    names = {"org": membership.organization.name, "alliance": membership.alliance.name}
    if event in SUBJECTS:
        subject = format_lazy(SUBJECTS[event], **names)
        body = format_lazy(BODIES[event], **names)
    else:
        status = Membership.Status(event).label
        subject = format_lazy(_("Membership of {alliance}: {status}"), alliance=membership.alliance.name,
                              status=status)
        body = format_lazy(_("The membership of {org} in {alliance} is now: {status}."), status=status, **names)
        if membership.decision_reason:
            body = format_lazy("{body}\n{label}: {reason}", body=body, label=_("Reason"),
                               reason=membership.decision_reason)
    for user in recipients:
        notify(user=user, key=f"membership:{membership.pk}:{event}:{user.pk}", subject=subject, body=body,
               url=reverse("membership-detail", args=[membership.pk]))


def identity_change_requested(change: IdentityChange) -> None:
    """Officials of the unit's city decide the request."""
    organization = change.organization
    officials = officials_by_city([organization.city_id])[organization.city_id] if organization.city_id else []
    for user in officials:
        notify(
            user=user, key=f"identity-change:{change.pk}:requested:{user.pk}",
            subject=format_lazy(_("{org} asks to change its legal name or credit code"), org=change.old_name),
            body=format_lazy(
                _("{org} asks to change its legal name to “{name}” and its credit code to “{uscc}”. Reason: {reason}"),
                org=change.old_name, name=change.name or change.old_name, uscc=change.uscc or change.old_uscc,
                reason=change.reason,
            ),
            url=reverse("organization-detail", args=[organization.pk]),
        )


def identity_change_decided(change: IdentityChange) -> None:
    for user in _contacts(change.organization):
        notify(
            user=user, key=f"identity-change:{change.pk}:{change.status}:{user.pk}",
            subject=format_lazy(_("Change of legal name or credit code: {status}"), status=IdentityChange.Status(change.status).label),
            body=format_lazy(
                _("The requested change of {org}'s legal name or credit code was {status}. {note}"),
                org=change.old_name, status=IdentityChange.Status(change.status).label, note=change.decision_note,
            ),
            url=reverse("organization-detail", args=[change.organization_id]),
        )
