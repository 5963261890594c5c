"""Supply–demand events (供需对接会): planned by the secretariat like a meeting, held or cancelled; they record
the needs discussed and the responses that came of them."""

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperation.models import SupplyDemandEvent
from cooperation.permissions import can_curate
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise

EVENT_FIELDS = ("title", "starts_at", "ends_at", "location", "description")


def _check_needs(alliance, technology_needs, talent_needs) -> None:
    for field, needs in (("technology_needs", technology_needs), ("talent_needs", talent_needs)):
        if any(need.alliance_id != alliance.pk for need in needs):
            raise DomainError(_("Only this alliance's needs can be discussed at its event."), field=field)


@transaction.atomic
def event_create(*, alliance, actor, technology_needs=(), talent_needs=(), **fields) -> SupplyDemandEvent:
    if not can_curate(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat plans its supply–demand events."))
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_needs(alliance, technology_needs, talent_needs)
    event = SupplyDemandEvent(alliance=alliance, created_by=actor, **fields)
    full_clean_or_raise(event, exclude=["created_by"])
    with set_actor(actor):
        event.save()
        event.technology_needs.set(technology_needs)
        event.talent_needs.set(talent_needs)
    return event


def _locked(event) -> SupplyDemandEvent:
    return SupplyDemandEvent.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=event.pk)


@transaction.atomic
def event_update(*, event, actor, technology_needs=None, talent_needs=None, **fields) -> SupplyDemandEvent:
    """Change the event and the needs it discusses (a held event too: its record is written afterwards)."""
    event = _locked(event)
    if not can_curate(actor, event.alliance):
        raise NotAllowed(_("Only the alliance's secretariat plans its supply–demand events."))
    unknown = set(fields) - set(EVENT_FIELDS) - {"summary"}
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if event.status == SupplyDemandEvent.Status.CANCELLED:
        raise StateConflict(_("This event was cancelled."))
    _check_needs(event.alliance, technology_needs or (), talent_needs or ())
    with set_actor(actor):
        for name, value in fields.items():
            setattr(event, name, value)
        full_clean_or_raise(event, exclude=["created_by"])
        event.save()
        if technology_needs is not None:
            event.technology_needs.set(technology_needs)
        if talent_needs is not None:
            event.talent_needs.set(talent_needs)
    return event


@transaction.atomic
def event_mark_held(*, event, actor, summary: str = "") -> SupplyDemandEvent:
    event = _locked(event)
    if not can_curate(actor, event.alliance):
        raise NotAllowed(_("Only the alliance's secretariat plans its supply–demand events."))
    if event.status != SupplyDemandEvent.Status.PLANNED:
        raise StateConflict(_("Only a planned event can be marked held."))
    if event.starts_at > timezone.now():
        raise StateConflict(_("The event has not started yet."))
    with set_actor(actor):
        event.status = SupplyDemandEvent.Status.HELD
        if summary.strip():
            event.summary = summary.strip()
        event.save()
    return event


@transaction.atomic
def event_cancel(*, event, actor) -> SupplyDemandEvent:
    event = _locked(event)
    if not can_curate(actor, event.alliance):
        raise NotAllowed(_("Only the alliance's secretariat plans its supply–demand events."))
    if event.status != SupplyDemandEvent.Status.PLANNED:
        raise StateConflict(_("Only a planned event can be cancelled."))
    with set_actor(actor):
        event.status = SupplyDemandEvent.Status.CANCELLED
        event.save()
    return event

