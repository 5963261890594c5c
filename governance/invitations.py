"""Invitations to a council or committee seat: governance's kind of members' invitations
(members/invitations.py), registered in GovernanceConfig.ready(). Who may invite is who keeps the seats;
accepting creates the seat through seat_create, acting as the inviter."""

from django.utils.translation import gettext as _

from governance.models import Body, Seat
from governance.permissions import can_manage_seats
from governance.services.seats import seat_create
from kernel.errors import DomainError, NotAllowed, StateConflict
from members.invitations import InvitationKind
from members.models import Membership, Organization


def _prepare(actor, payload: dict) -> dict:
    body = Body.objects.select_related("alliance").filter(pk=payload.get("body")).first()
    if body is None:
        raise DomainError(_("Choose a body."), field="body")
    if not can_manage_seats(actor, body.alliance):
        raise NotAllowed(_("Seats are kept by the secretariat and the city's officials."))
    organization = Organization.objects.filter(pk=payload.get("organization")).first()
    if organization is None or not Membership.objects.filter(
        alliance_id=body.alliance_id, organization=organization, status=Membership.Status.ACTIVE
    ).exists():
        raise DomainError(_("A seat is held for an active member unit of the alliance."), field="organization")
    office = payload.get("office") or Seat.Office.DIRECTOR
    if office not in Seat.Office.values:
        raise DomainError(_("Unknown office."), field="office")
    if Seat.objects.filter(body=body, organization=organization, term_end__isnull=True).exists():
        raise StateConflict(_("This unit already holds a seat on this body."), field="organization")
    return {"body": body.pk, "organization": organization.pk, "office": office}


def _describe(payload: dict) -> str:
    body = Body.objects.select_related("alliance").filter(pk=payload["body"]).first()
    organization = Organization.objects.filter(pk=payload["organization"]).first()
    return _("%(office)s of %(body)s, %(alliance)s, for %(org)s") % {
        "office": Seat.Office(payload["office"]).label, "body": body.name if body else "—",
        "alliance": body.alliance.name if body else "—", "org": organization.name if organization else "—",
    }


def _holds(user, payload: dict) -> bool:
    return Seat.objects.filter(body_id=payload["body"], user=user, term_end__isnull=True).exists()


def _fulfil(actor, user, payload: dict) -> None:
    body = Body.objects.select_related("alliance").filter(pk=payload["body"]).first()
    organization = Organization.objects.filter(pk=payload["organization"]).first()
    if body is None or organization is None:
        raise StateConflict(_("What this invitation grants no longer exists."))
    seat_create(body=body, actor=actor, user=user, organization=organization, office=payload["office"])


SEAT_INVITATION = InvitationKind(prepare=_prepare, describe=_describe, holds=_holds, fulfil=_fulfil)
