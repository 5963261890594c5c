"""List entries: core products, technology needs, talent needs and offers. Posted and kept by the unit's
contacts (or the alliance's secretariat for them), curated by the secretariat: published, closed, merged."""

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import Alliance
from cooperation.models import CoreProduct, Offer, TalentNeed, TechnologyNeed
from cooperation.permissions import can_curate, can_edit_entry, can_post, may_post_kind
from cooperation.services.queue import refresh_city_later, refresh_need_later
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from members.models import Membership, Organization

FIELDS = {
    CoreProduct: ("name", "chain", "description", "key_technologies", "year", "visibility"),
    TechnologyNeed: ("title", "description", "chain", "form", "budget_min", "budget_max", "wanted_by", "year",
                     "visibility"),
    TalentNeed: ("position", "major_code", "chain", "education_level", "headcount", "filled", "year", "salary_min",
                 "salary_max", "location", "description", "visibility"),
    Offer: ("kind", "title", "description", "chain", "major_code", "enrolment", "graduates", "audience", "year",
            "visibility"),
}
# The states from which an entry may be closed (a solved need, a filled one, stays as it is).
CLOSABLE = {
    CoreProduct: (CoreProduct.Status.DRAFT, CoreProduct.Status.PUBLISHED),
    TechnologyNeed: (TechnologyNeed.Status.OPEN, TechnologyNeed.Status.MATCHED, TechnologyNeed.Status.CONTRACTED),
    TalentNeed: (TalentNeed.Status.OPEN,),
    Offer: (Offer.Status.OPEN,),
}
NEEDS = (TechnologyNeed, TalentNeed)


def _check_fields(model, fields: dict) -> None:
    unknown = set(fields) - set(FIELDS[model])
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _check_poster(model, alliance: Alliance, organization: Organization) -> None:
    if alliance.status in Alliance.CLOSED_STATUSES:
        raise StateConflict(_("This alliance has been revoked or withdrawn: its lists take no new entries."))
    if not Membership.objects.filter(alliance=alliance, organization=organization,
                                     status=Membership.Status.ACTIVE).exists():
        raise DomainError(_("“%(org)s” is not an active member unit of this alliance.") % {"org": organization.name},
                          field="organization")
    if not may_post_kind(model, organization):
        message = (_("Offers are posted by schools and research institutes.") if model is Offer
                   else _("Core products and needs are posted by enterprises."))
        raise DomainError(message, field="organization")


def _refresh_suggestions(entry) -> None:
    if isinstance(entry, NEEDS):
        refresh_need_later(entry)
    elif isinstance(entry, Offer):
        refresh_city_later(entry.alliance.city_id)


def _follow_headcount(entry) -> None:
    """A talent need is filled when every position is, and open again if fewer are."""
    if isinstance(entry, TalentNeed):
        if entry.status == TalentNeed.Status.OPEN and entry.filled >= entry.headcount:
            entry.status = TalentNeed.Status.FILLED
        elif entry.status == TalentNeed.Status.FILLED and entry.filled < entry.headcount:
            entry.status = TalentNeed.Status.OPEN


@transaction.atomic
def entry_create(*, model, actor, alliance: Alliance, organization: Organization, refresh: bool = True, **fields):
    """Post an entry of `model` for a member unit of the alliance. `refresh=False` leaves the suggestions to
    the caller (an import refreshes them once for all its rows)."""
    if not can_post(actor, alliance=alliance, organization=organization):
        raise NotAllowed(_("Only a contact of the unit or the alliance's secretariat posts for it."))
    _check_fields(model, fields)
    _check_poster(model, alliance, organization)
    if fields.get("year") is None:
        fields["year"] = timezone.localdate().year
    entry = model(alliance=alliance, organization=organization, created_by=actor, **fields)
    _follow_headcount(entry)
    full_clean_or_raise(entry, exclude=["created_by", "published_by", "merged_into"])
    with set_actor(actor):
        entry.save()
    if refresh:
        _refresh_suggestions(entry)
    return entry


def _locked(entry):
    return (type(entry).objects.select_for_update(of=("self",)).select_related("alliance", "organization")
            .get(pk=entry.pk))


def _check_open(entry) -> None:
    if entry.merged_into_id or entry.status == entry.CLOSED:
        raise StateConflict(_("This entry is closed: it can no longer be changed."))


@transaction.atomic
def entry_update(*, entry, actor, refresh: bool = True, **changes):
    entry = _locked(entry)
    if not can_edit_entry(actor, entry):
        raise NotAllowed(_("Only a contact of the unit or the alliance's secretariat changes this entry."))
    model = type(entry)
    _check_fields(model, changes)
    _check_open(entry)
    if model is TechnologyNeed and entry.status == TechnologyNeed.Status.SOLVED:
        raise StateConflict(_("This need is solved: it can no longer be changed."))
    with set_actor(actor):
        for name, value in changes.items():
            setattr(entry, name, value)
        _follow_headcount(entry)
        full_clean_or_raise(entry, exclude=["created_by", "published_by", "merged_into"])
        entry.save()
    if refresh:
        _refresh_suggestions(entry)
    return entry


@transaction.atomic
def entry_publish(*, entry, actor):
    """The secretariat publishes an entry: it enters the alliance's official lists (and, if marked public,
    the public ones)."""
    entry = _locked(entry)
    if not can_curate(actor, entry.alliance):
        raise NotAllowed(_("Only the alliance's secretariat curates its lists."))
    _check_open(entry)
    if entry.published_at is not None:
        raise StateConflict(_("This entry is already published."))
    with set_actor(actor):
        entry.published_at, entry.published_by = timezone.now(), actor
        if isinstance(entry, CoreProduct):
            entry.status = CoreProduct.Status.PUBLISHED
        entry.save()
    return entry


@transaction.atomic
def entry_close(*, entry, actor):
    """Close a stale entry: its unit's contacts or the secretariat."""
    entry = _locked(entry)
    if not can_edit_entry(actor, entry):
        raise NotAllowed(_("Only a contact of the unit or the alliance's secretariat changes this entry."))
    if entry.status not in CLOSABLE[type(entry)] or entry.merged_into_id:
        raise StateConflict(_("The entry is “%(status)s”: it cannot be closed.")
                            % {"status": entry.get_status_display()})
    with set_actor(actor):
        entry.status = entry.CLOSED
        entry.save()
    _refresh_suggestions(entry)
    return entry


@transaction.atomic
def entry_merge(*, entry, into, actor):
    """The secretariat closes `entry` as a duplicate of `into`: the same unit's entry of the same list."""
    model = type(entry)
    if type(into) is not model:
        raise DomainError(_("An entry merges into an entry of the same list."), field="into")
    entry, into = _locked(entry), _locked(into)
    if not can_curate(actor, entry.alliance):
        raise NotAllowed(_("Only the alliance's secretariat curates its lists."))
    if into.pk == entry.pk:
        raise DomainError(_("An entry cannot be a duplicate of itself."), field="into")
    if (into.alliance_id, into.organization_id) != (entry.alliance_id, entry.organization_id):
        raise DomainError(_("A duplicate is the same unit's entry in the same alliance."), field="into")
    _check_open(entry)
    if into.merged_into_id or into.status == into.CLOSED:
        raise StateConflict(_("The entry to keep is closed."))
    if model is TechnologyNeed and entry.responses.exists():
        raise StateConflict(_("The duplicate has responses: decide them, or close it instead."))
    with set_actor(actor):
        entry.status, entry.merged_into = entry.CLOSED, into
        entry.save()
    _refresh_suggestions(entry)
    return entry


@transaction.atomic
def need_solve(*, need: TechnologyNeed, actor) -> TechnologyNeed:
    need = _locked(need)
    if not can_edit_entry(actor, need):
        raise NotAllowed(_("Only a contact of the unit or the alliance's secretariat changes this entry."))
    if need.status not in (TechnologyNeed.Status.MATCHED, TechnologyNeed.Status.CONTRACTED):
        raise StateConflict(_("Only a matched or contracted need can be marked solved."))
    with set_actor(actor):
        need.status = TechnologyNeed.Status.SOLVED
        need.save()
    return need
