import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from members.models import Membership, RoleGrant

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, retry_backoff_max=3600, max_retries=8)
def notify_membership_event(membership_id: int, event: str) -> int:
    """Mail a membership event, each recipient in their own language.

    An application goes to the alliance's secretariat; a decision to the unit's contacts.
    """
    membership = Membership.objects.select_related("alliance", "organization").filter(pk=membership_id).first()
    if membership is None:
        return 0
    if event == Membership.Status.APPLIED:
        recipients = [
            grant.user
            for grant in RoleGrant.objects.filter(role=RoleGrant.Role.SECRETARIAT, alliance=membership.alliance)
            .select_related("user")
        ]
    else:
        recipients = [contact.user for contact in membership.organization.contacts.select_related("user")]
    sent = 0
    for user in recipients:
        if not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {"membership": membership, "event": event, "user": user}
            subject = render_to_string("members/email/membership_event_subject.txt", context).strip()
            body = render_to_string("members/email/membership_event.txt", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    logger.info("membership %s event %s mailed to %d recipients", membership_id, event, sent)
    return sent
