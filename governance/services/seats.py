"""Seats on the council and committees, kept by the secretariat and the city's officials.
A seat is held for an active member unit; it ends when the membership ends (members/signals.py)."""

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Body, Seat
from governance.permissions import can_manage_seats
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from members.models import Membership
from members.sessions import access_end_if_roleless


@transaction.atomic
def seat_create(*, body: Body, actor, user, organization, office: str = Seat.Office.DIRECTOR, term_start=None,
                alternate=None) -> Seat:
    if not can_manage_seats(actor, body.alliance):
        raise NotAllowed(_("Seats are kept by the secretariat and the city's officials."))
    if not Membership.objects.filter(alliance=body.alliance_id, organization=organization,
                                     status=Membership.Status.ACTIVE).exists():
        raise DomainError(_("A seat is held for an active member unit of the alliance."), field="organization")
    seat = Seat(body=body, user=user, organization=organization, office=office, alternate=alternate,
                term_start=term_start or timezone.localdate())
    if alternate is not None and alternate.pk == user.pk:
        raise DomainError(_("The alternate must be another person."), field="alternate")
    full_clean_or_raise(seat, exclude=["body", "user", "organization", "alternate"], validate_constraints=False)
    try:
        with transaction.atomic(), set_actor(actor):
            seat.save()
    except IntegrityError as error:
        raise StateConflict(_("This unit already holds a seat on this body.")) from error
    return seat


@transaction.atomic
def seat_end(*, seat: Seat, actor, term_end=None) -> Seat:
    seat = Seat.objects.select_for_update(of=("self",)).select_related("body__alliance").get(pk=seat.pk)
    if not can_manage_seats(actor, seat.body.alliance):
        raise NotAllowed(_("Seats are kept by the secretariat and the city's officials."))
    if seat.term_end is not None:
        raise StateConflict(_("This seat's term has already ended."))
    seat.term_end = term_end or timezone.localdate()
    if seat.term_end < seat.term_start:
        raise DomainError(_("A term cannot end before it starts."), field="term_end")
    with set_actor(actor):
        seat.save(update_fields=["term_end"])
    access_end_if_roleless(user=seat.user)
    return seat


def end_seats_of_departed_unit(*, membership, actor, **_signal) -> None:
    """Receiver of members.signals.membership_ended: the unit's open seats on the alliance's bodies end
    today, each saved (so audited) under the actor who ended the membership."""
    today = timezone.localdate()
    seats = Seat.objects.select_for_update(of=("self",)).filter(
        body__alliance_id=membership.alliance_id, organization_id=membership.organization_id, term_end__isnull=True
    )
    with set_actor(actor):
        for seat in seats:
            seat.term_end = max(today, seat.term_start)
            seat.save(update_fields=["term_end"])
    for user in {seat.user for seat in seats}:
        access_end_if_roleless(user=user)
