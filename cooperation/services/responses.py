"""Responses to technology needs: a school or institute responds with a note; the need's enterprise accepts
(the need is then matched) or declines. Each step tells the other side once, through the outbox."""

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation import notices
from cooperation.models import Response, SupplyDemandEvent, TechnologyNeed
from cooperation.permissions import RESPONDERS, can_curate, can_decide_response
from kernel.errors import DomainError, NotAllowed, StateConflict
from members.models import Organization
from members.permissions import can_act_for

NOTE_MAX = 5000


@transaction.atomic
def need_respond(*, need: TechnologyNeed, organization: Organization, actor, note: str,
                 event: SupplyDemandEvent | None = None) -> Response:
    need = TechnologyNeed.objects.select_for_update(of=("self",)).select_related("organization", "alliance").get(
        pk=need.pk)
    if not can_act_for(actor, organization):
        raise NotAllowed(_("Only a contact of the unit responds for it."))
    if organization.type not in RESPONDERS:
        raise DomainError(_("Schools and research institutes respond to technology needs."), field="organization")
    if organization.pk == need.organization_id:
        raise DomainError(_("A unit does not respond to its own need."), field="organization")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what your unit can offer."), field="note")
    if len(note) > NOTE_MAX:
        raise DomainError(_("At most %(max)d characters.") % {"max": NOTE_MAX}, field="note")
    if event is not None and event.alliance_id != need.alliance_id:
        raise DomainError(_("The event is not one of this need's alliance."), field="event")
    if need.status != TechnologyNeed.Status.OPEN:
        raise StateConflict(_("This need is no longer open for responses."))
    if need.responses.filter(organization=organization, status__in=["proposed", "accepted"]).exists():
        raise StateConflict(_("Your unit has already responded to this need."))
    try:
        with transaction.atomic(), set_actor(actor):
            response = Response.objects.create(need=need, organization=organization, note=note, event=event,
                                               created_by=actor)
    except IntegrityError as exc:
        raise StateConflict(_("Your unit has already responded to this need.")) from exc
    notices.response_proposed(response)
    return response


def _locked(response: Response) -> Response:
    response = Response.objects.select_for_update(of=("self",)).select_related("organization").get(pk=response.pk)
    response.need = TechnologyNeed.objects.select_for_update(of=("self",)).select_related(
        "organization", "alliance").get(pk=response.need_id)
    return response


def _decide(response: Response, actor, status: str, note: str) -> Response:
    if not can_decide_response(actor, response):
        raise NotAllowed(_("Only a contact of the need's enterprise accepts or declines a response."))
    if response.status != Response.Status.PROPOSED:
        raise StateConflict(_("This response has already been decided."))
    need = response.need
    if status == Response.Status.ACCEPTED and need.status not in (TechnologyNeed.Status.OPEN,
                                                                   TechnologyNeed.Status.MATCHED):
        raise StateConflict(_("The need is “%(status)s”: no more responses can be accepted.")
                            % {"status": need.get_status_display()})
    with set_actor(actor):
        response.status, response.decided_by, response.decided_at = status, actor, timezone.now()
        response.decision_note = (note or "").strip()[:NOTE_MAX]
        response.save()
        if status == Response.Status.ACCEPTED and need.status == TechnologyNeed.Status.OPEN:
            need.status = TechnologyNeed.Status.MATCHED
            need.save()
    notices.response_decided(response)
    return response


@transaction.atomic
def response_accept(*, response: Response, actor, note: str = "") -> Response:
    return _decide(_locked(response), actor, Response.Status.ACCEPTED, note)


@transaction.atomic
def response_decline(*, response: Response, actor, note: str = "") -> Response:
    return _decide(_locked(response), actor, Response.Status.DECLINED, note)


@transaction.atomic
def response_link_event(*, response: Response, event: SupplyDemandEvent | None, actor) -> Response:
    """The secretariat records that a response came of a supply–demand event (or of none)."""
    response = _locked(response)
    if not can_curate(actor, response.need.alliance):
        raise NotAllowed(_("Only the alliance's secretariat curates its lists."))
    if event is not None and event.alliance_id != response.need.alliance_id:
        raise DomainError(_("The event is not one of this need's alliance."), field="event")
    with set_actor(actor):
        response.event = event
        response.save(update_fields=["event"])
    return response
