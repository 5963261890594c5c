"""Writes to organisations, memberships, contacts and role grants.

Each runs in a transaction, checks the lifecycle explicitly, raises DomainError
with a translated message and leaves an audit record (django-auditlog). Membership
applications and decisions put their notices into the outbox in the same transaction
(members/notices.py).
"""

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from alliance.models import Alliance
from alliance.permissions import can_manage_members
from alliance.scope import forget_scope
from members import notices
from members.models import Contact, Membership, Organization, RoleGrant
from members.permissions import (
    can_act_for,
    can_edit_organization,
    can_grant,
    can_register_organization,
)
from members.uscc import normalize

ORGANIZATION_FIELDS = ("name", "name_en", "uscc", "type", "size", "city", "address", "website", "description")


@transaction.atomic
def organization_create(*, actor, **fields) -> Organization:
    if not can_register_organization(actor):
        raise NotAllowed(_("Only secretariats and officials can register member units."))
    unknown = set(fields) - set(ORGANIZATION_FIELDS) - {"is_demo"}
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    fields["uscc"] = normalize(fields.get("uscc", ""))
    if fields.get("type") != Organization.Type.ENTERPRISE:
        fields["size"] = ""
    with set_actor(actor):
        organization = Organization(**fields)
        full_clean_or_raise(organization)
        organization.save()
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor, **changes) -> Organization:
    if not can_edit_organization(actor, organization):
        raise NotAllowed(_("You may not change this unit's profile."))
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "uscc" in changes:
        changes["uscc"] = normalize(changes["uscc"])
    with set_actor(actor):
        for name, value in changes.items():
            setattr(organization, name, value)
        if organization.type != Organization.Type.ENTERPRISE:
            organization.size = ""
        full_clean_or_raise(organization)
        organization.save()
    return organization


def _ensure_no_open_membership(alliance: Alliance, organization: Organization) -> None:
    existing = (
        Membership.objects.filter(alliance=alliance, organization=organization, status__in=Membership.OPEN_STATUSES)
        .values_list("status", flat=True)
        .first()
    )
    if existing == Membership.Status.ACTIVE:
        raise StateConflict(_("“%(org)s” is already a member of this alliance.") % {"org": organization.name})
    if existing == Membership.Status.APPLIED:
        raise StateConflict(_("“%(org)s” has already applied; the application is being processed.") % {"org": organization.name})


def _save_new_membership(membership: Membership) -> Membership:
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        # A concurrent request created the open membership first.
        raise StateConflict(_("This unit already has an application or membership in this alliance.")) from exc
    return membership


def _ensure_alliance_accepts_members(alliance: Alliance) -> None:
    if alliance.status in Alliance.CLOSED_STATUSES:
        raise StateConflict(_("This alliance has been revoked or withdrawn and takes no members."))


@transaction.atomic
def membership_apply(*, alliance: Alliance, organization: Organization, actor, statement: str = "") -> Membership:
    """A member unit's contact applies to join an alliance."""
    if not can_act_for(actor, organization):
        raise NotAllowed(_("Only a contact of the unit can apply on its behalf."))
    _ensure_alliance_accepts_members(alliance)
    _ensure_no_open_membership(alliance, organization)
    with set_actor(actor):
        membership = _save_new_membership(
            Membership(
                alliance=alliance, organization=organization, status=Membership.Status.APPLIED,
                applied_on=timezone.localdate(), statement=statement,
            )
        )
    notices.membership_applied(membership)
    return membership


@transaction.atomic
def membership_add(*, alliance: Alliance, organization: Organization, actor, role: str = Membership.Role.MEMBER,
                   joined_on=None) -> Membership:
    """The secretariat enrols a unit directly as an active member."""
    if not can_manage_members(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat can enrol members."))
    _ensure_alliance_accepts_members(alliance)
    _ensure_no_open_membership(alliance, organization)
    today = timezone.localdate()
    with set_actor(actor):
        membership = Membership(
            alliance=alliance, organization=organization, role=role, status=Membership.Status.ACTIVE,
            applied_on=today, joined_on=joined_on or today, decided_by=actor,
        )
        full_clean_or_raise(membership)
        _save_new_membership(membership)
    return membership


@transaction.atomic
def membership_enrol(*, alliance: Alliance, actor, uscc: str, role: str = Membership.Role.MEMBER, joined_on=None,
                     organization: Organization | None = None, **new_unit) -> Membership:
    """Enrol a unit by its credit code: the registered one, or a new one from `new_unit` (name, type ...)."""
    organization = organization or Organization.objects.filter(uscc=normalize(uscc)).first()
    if organization is None:
        organization = organization_create(actor=actor, uscc=uscc, city=alliance.city, **new_unit)
    return membership_add(alliance=alliance, organization=organization, actor=actor, role=role, joined_on=joined_on)


def _decide(membership: Membership, actor, *, allowed_from, to_status, reason: str, require_reason: bool,
            verb: str) -> Membership:
    if not can_manage_members(actor, membership.alliance):
        raise NotAllowed(_("Only the alliance's secretariat can decide on memberships."))
    if membership.status not in allowed_from:
        raise StateConflict(
            _("The current status is “%(status)s”: it cannot be %(verb)s.") % {"status": membership.get_status_display(), "verb": verb}
        )
    if require_reason and not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    with set_actor(actor):
        membership.status = to_status
        membership.decision_reason = reason.strip()
        membership.decided_by = actor
        if to_status == Membership.Status.ACTIVE:
            membership.joined_on = timezone.localdate()
        elif to_status in (Membership.Status.WITHDRAWN, Membership.Status.EXPELLED):
            membership.left_on = timezone.localdate()
        membership.save()
    if to_status == Membership.Status.EXPELLED:
        _end_seats_of(membership)
    notices.membership_decided(membership)
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, actor, role: str | None = None, reason: str = "") -> Membership:
    membership = Membership.objects.select_for_update().select_related("alliance", "organization").get(pk=membership.pk)
    if role:
        if role not in Membership.Role.values:
            raise DomainError(_("Unknown member role."), field="role")
        membership.role = role
    return _decide(membership, actor, allowed_from=(Membership.Status.APPLIED,), to_status=Membership.Status.ACTIVE,
                   reason=reason, require_reason=False, verb=_("approved"))


@transaction.atomic
def membership_reject(*, membership: Membership, actor, reason: str) -> Membership:
    membership = Membership.objects.select_for_update().select_related("alliance", "organization").get(pk=membership.pk)
    return _decide(membership, actor, allowed_from=(Membership.Status.APPLIED,), to_status=Membership.Status.REJECTED,
                   reason=reason, require_reason=True, verb=_("rejected"))


@transaction.atomic
def membership_expel(*, membership: Membership, actor, reason: str) -> Membership:
    membership = Membership.objects.select_for_update().select_related("alliance", "organization").get(pk=membership.pk)
    return _decide(membership, actor, allowed_from=(Membership.Status.ACTIVE,), to_status=Membership.Status.EXPELLED,
                   reason=reason, require_reason=True, verb=_("expelled"))


@transaction.atomic
def membership_withdraw(*, membership: Membership, actor, reason: str = "") -> Membership:
    """The unit leaves (or takes back its application); its contact or the secretariat may do it."""
    membership = Membership.objects.select_for_update().select_related("alliance", "organization").get(pk=membership.pk)
    if not (can_act_for(actor, membership.organization) or can_manage_members(actor, membership.alliance)):
        raise NotAllowed(_("Only a contact of the unit or the alliance's secretariat can withdraw it."))
    if membership.status not in Membership.OPEN_STATUSES:
        raise StateConflict(
            _("The current status is “%(status)s”: it cannot be %(verb)s.")
            % {"status": membership.get_status_display(), "verb": _("withdrawn")}
        )
    with set_actor(actor):
        membership.status = Membership.Status.WITHDRAWN
        membership.decision_reason = reason.strip()
        membership.left_on = timezone.localdate()
        membership.save()
    _end_seats_of(membership)
    return membership


def _end_seats_of(membership: Membership) -> None:
    from governance.models import Seat

    Seat.objects.filter(
        body__alliance=membership.alliance, organization=membership.organization, term_end__isnull=True
    ).update(term_end=timezone.localdate())


@transaction.atomic
def contact_add(*, organization: Organization, user, actor, title: str = "") -> Contact:
    if not can_edit_organization(actor, organization):
        raise NotAllowed(_("You may not add contacts to this unit."))
    if Contact.objects.filter(user=user, organization=organization).exists():
        raise StateConflict(_("%(user)s is already a contact of this unit.") % {"user": user})
    with set_actor(actor):
        contact = Contact(user=user, organization=organization, title=title)
        full_clean_or_raise(contact, validate_unique=False)
        contact.save()
    forget_scope(user)
    return contact


@transaction.atomic
def contact_remove(*, contact: Contact, actor) -> None:
    if not can_edit_organization(actor, contact.organization):
        raise NotAllowed(_("You may not change this unit's contacts."))
    with set_actor(actor):
        contact.delete()
    forget_scope(contact.user)


@transaction.atomic
def role_grant_create(*, actor, user, role: str, alliance: Alliance | None = None, city=None) -> RoleGrant:
    if role not in RoleGrant.Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if role == RoleGrant.Role.SECRETARIAT:
        city = None
        if alliance is None:
            raise DomainError(_("A secretariat role needs an alliance."), field="alliance")
    elif role == RoleGrant.Role.OFFICIAL:
        alliance = None
        if city is None:
            raise DomainError(_("An official role needs a city."), field="city")
    else:
        alliance = city = None
    if not can_grant(actor, role=role, alliance=alliance, city=city):
        raise NotAllowed(_("You may not grant this role."))
    if RoleGrant.objects.filter(user=user, role=role, alliance=alliance, city=city).exists():
        raise StateConflict(_("The user already has this role."))
    with set_actor(actor):
        try:
            with transaction.atomic():
                grant = RoleGrant.objects.create(user=user, role=role, alliance=alliance, city=city, granted_by=actor)
        except IntegrityError as exc:
            raise StateConflict(_("The user already has this role.")) from exc
    forget_scope(user)
    return grant


@transaction.atomic
def role_grant_revoke(*, grant: RoleGrant, actor) -> None:
    if not can_grant(actor, role=grant.role, alliance=grant.alliance, city=grant.city):
        raise NotAllowed(_("You may not revoke this role."))
    if grant.user_id == actor.id and grant.role == RoleGrant.Role.OFFICIAL:
        raise StateConflict(_("You cannot revoke your own official role."))
    with set_actor(actor):
        grant.delete()
