"""Writes to alliances. Each runs in a transaction, checks the rules and is audited."""

from auditlog.context import set_actor
from django.db import transaction
from django.utils.translation import gettext as _

from alliance.models import Alliance, AllianceDocument, AllianceStatusChange
from alliance.permissions import can_create_alliance, can_edit_alliance, status_targets_for
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise

ALLIANCE_EDITABLE_FIELDS = (
    "name", "name_en", "park", "level", "level_batch", "level_notice", "entity_form",
    "lead_park_admin", "lead_school", "lead_enterprise", "founded_on", "description",
)


@transaction.atomic
def alliance_create(*, actor, city, name: str, reason: str = "", chains=(), **fields) -> Alliance:
    if not can_create_alliance(actor, city):
        raise NotAllowed(_("Only the city's officials can register an alliance."))
    with set_actor(actor):
        alliance = Alliance(city=city, name=name, status=Alliance.Status.PROPOSED, **fields)
        full_clean_or_raise(alliance)
        alliance.save()
        alliance.chains.set(chains)
        AllianceStatusChange.objects.create(
            alliance=alliance, from_status="", to_status=alliance.status, actor=actor,
            reason=reason or _("Registered"),
        )
    return alliance


@transaction.atomic
def alliance_update(*, alliance: Alliance, actor, chains=None, **changes) -> Alliance:
    if not can_edit_alliance(actor, alliance):
        raise NotAllowed(_("You may not change this alliance."))
    unknown = set(changes) - set(ALLIANCE_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with set_actor(actor):
        for name, value in changes.items():
            setattr(alliance, name, value)
        full_clean_or_raise(alliance)
        alliance.save()
        if chains is not None:
            alliance.chains.set(chains)
    return alliance


@transaction.atomic
def alliance_transition(*, alliance: Alliance, to_status: str, reason: str, actor) -> Alliance:
    """Move the alliance along its lifecycle, recording who, when and why."""
    locked = Alliance.objects.select_for_update().get(pk=alliance.pk)
    if to_status not in Alliance.Status.values:
        raise DomainError(_("Unknown status: %(status)s") % {"status": to_status}, field="to_status")
    if not reason or not reason.strip():
        raise DomainError(_("Give a reason for the status change."), field="reason")
    if to_status not in locked.allowed_transitions():
        raise StateConflict(
            _("The status cannot change from “%(from)s” to “%(to)s”.")
            % {"from": locked.get_status_display(), "to": Alliance.Status(to_status).label}
        )
    if to_status not in status_targets_for(actor, locked):
        raise NotAllowed(_("You may not make this status change."))
    with set_actor(actor):
        AllianceStatusChange.objects.create(
            alliance=locked, from_status=locked.status, to_status=to_status, actor=actor, reason=reason.strip()
        )
        locked.status = to_status
        locked.save(update_fields=["status"])
    alliance.status = to_status
    return locked


@transaction.atomic
def alliance_document_add(*, alliance: Alliance, actor, kind: str, title: str, file, approved_on=None) -> AllianceDocument:
    """Add a document; a new upload of the same kind becomes its next version."""
    if not can_edit_alliance(actor, alliance):
        raise NotAllowed(_("You may not upload documents for this alliance."))
    Alliance.objects.select_for_update().filter(pk=alliance.pk).first()
    latest = alliance.documents.filter(kind=kind).order_by("-version").values_list("version", flat=True).first()
    document = AllianceDocument(
        alliance=alliance, kind=kind, title=title, file=file, approved_on=approved_on,
        version=(latest or 0) + 1, uploaded_by=actor,
    )
    full_clean_or_raise(document)
    document.save()
    return document
