"""Writes to organisations, memberships, contacts and role grants.

Each runs in a transaction, checks the lifecycle explicitly, raises DomainError
with a translated message and leaves an audit record (django-auditlog).
"""

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import Alliance, City
from alliance.permissions import can_manage_members
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from kernel.scope import forget_scope, scope_of
from members import notices
from members.models import Contact, IdentityChange, Membership, Organization, RoleGrant
from members.permissions import (
    can_act_for,
    can_change_identity,
    can_decide_membership,
    can_edit_organization,
    can_grant,
    can_register_organization,
    can_request_membership,
    is_official_for,
    needs_consent,
)
from members.sessions import access_end_if_roleless
from members.signals import membership_ended
from members.uscc import normalize

ORGANIZATION_FIELDS = ("name", "name_en", "uscc", "type", "size", "city", "address", "website", "description")


IDENTITY_FIELDS = ("name", "uscc")


def _save_organization(organization: Organization) -> Organization:
    """Save a unit checked by full_clean(); a concurrent request that took its credit code first
    answers like the check would have."""
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:
        raise DomainError(_("A unit with this credit code is already registered."), field="uscc") from exc
    return organization


@transaction.atomic
def organization_create(*, actor, registered_by_alliance: Alliance | None = None, **fields) -> Organization:
    """Register a unit. A secretariat registers it for its alliance, which keeps the record until
    the unit is claimed (see members/permissions.py)."""
    if not can_register_organization(actor):
        raise NotAllowed(_("Only secretariats and officials can register member units."))
    unknown = set(fields) - set(ORGANIZATION_FIELDS) - {"is_demo"}
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if registered_by_alliance is not None and not can_manage_members(actor, registered_by_alliance):
        raise NotAllowed(_("Only the alliance's secretariat can enrol members."))
    fields["uscc"] = normalize(fields.get("uscc", ""))
    with set_actor(actor):
        organization = Organization(registered_by_alliance=registered_by_alliance, **fields)
        full_clean_or_raise(organization)
        _save_organization(organization)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, actor, **changes) -> Organization:
    """Change a unit's profile. Its legal name and credit code change only through an official of its
    city (or its registrar while unclaimed); its contacts ask for that with identity_change_request."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not can_edit_organization(actor, organization):
        raise NotAllowed(_("You may not change this unit's profile."))
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "uscc" in changes:
        changes["uscc"] = normalize(changes["uscc"])
    identity = {name for name in IDENTITY_FIELDS if name in changes and changes[name] != getattr(organization, name)}
    if identity and not can_change_identity(actor, organization):
        raise NotAllowed(_("The legal name and credit code are changed on request, approved by an official "
                           "of the unit's city."))
    with set_actor(actor):
        for name, value in changes.items():
            setattr(organization, name, value)
        full_clean_or_raise(organization)
        _save_organization(organization)
    return organization


@transaction.atomic
def identity_change_request(*, organization: Organization, actor, name: str = "", uscc: str = "",
                            reason: str) -> IdentityChange:
    """A unit's contact asks an official of its city to change its legal name or credit code."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not can_act_for(actor, organization):
        raise NotAllowed(_("Only a contact of the unit can ask to change its legal name or credit code."))
    name = name.strip()
    uscc = normalize(uscc)
    if name == organization.name:
        name = ""
    if uscc == organization.uscc:
        uscc = ""
    if not (name or uscc):
        raise DomainError(_("Give a new legal name or a new credit code."), field="name")
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    if organization.identity_changes.filter(status=IdentityChange.Status.PENDING).exists():
        raise StateConflict(_("A change of this unit's legal name or credit code is already waiting for a decision."))
    if uscc and Organization.objects.filter(uscc=uscc).exclude(pk=organization.pk).exists():
        raise DomainError(_("A unit with this credit code is already registered."), field="uscc")
    with set_actor(actor):
        change = IdentityChange(
            organization=organization, name=name, uscc=uscc, old_name=organization.name,
            old_uscc=organization.uscc, reason=reason.strip(), requested_by=actor,
        )
        full_clean_or_raise(change, exclude=["organization", "requested_by"])
        try:
            with transaction.atomic():
                change.save()
        except IntegrityError as exc:
            raise StateConflict(
                _("A change of this unit's legal name or credit code is already waiting for a decision.")
            ) from exc
    notices.identity_change_requested(change)
    return change


@transaction.atomic
def identity_change_decide(*, change: IdentityChange, actor, approve: bool, note: str = "") -> IdentityChange:
    """An official of the unit's city approves (the record changes) or rejects (with a note) the request."""
    change = IdentityChange.objects.select_for_update().select_related("organization").get(pk=change.pk)
    organization = Organization.objects.select_for_update().get(pk=change.organization_id)
    if not is_official_for(actor, organization):
        raise NotAllowed(_("Only an official of the unit's city decides changes of its legal name or credit code."))
    if change.status != IdentityChange.Status.PENDING:
        raise StateConflict(_("This request has already been decided."))
    if not approve and not note.strip():
        raise DomainError(_("Give a reason."), field="note")
    with set_actor(actor):
        if approve:
            if change.name:
                organization.name = change.name
            if change.uscc:
                organization.uscc = change.uscc
            full_clean_or_raise(organization)
            _save_organization(organization)
        change.status = IdentityChange.Status.APPROVED if approve else IdentityChange.Status.REJECTED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.decision_note = note.strip()
        change.save()
    notices.identity_change_decided(change)
    return change


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
def membership_request(*, alliance: Alliance, organization: Organization, actor,
                       role: str = Membership.Role.MEMBER, statement: str = "") -> Membership:
    """Open a membership as `applied`, whoever asks: the unit's contacts apply (and so consent), the
    alliance's secretariat invites (and the unit's contacts answer the invitation)."""
    if not can_request_membership(actor, alliance, organization):
        raise NotAllowed(_("Only a contact of the unit or the alliance's secretariat can open a membership."))
    if role not in Membership.Role.values:
        raise DomainError(_("Unknown member role."), field="role")
    _ensure_alliance_accepts_members(alliance)
    _ensure_no_open_membership(alliance, organization)
    from_the_unit = can_act_for(actor, organization)
    now = timezone.now()
    with set_actor(actor):
        membership = _save_new_membership(
            Membership(
                alliance=alliance, organization=organization, role=role, status=Membership.Status.APPLIED,
                applied_on=timezone.localdate(), statement=statement, requested_by=actor,
                consented_by=actor if from_the_unit else None, consented_at=now if from_the_unit else None,
            )
        )
    notices.membership_event(membership, "applied" if from_the_unit else "invited")
    return membership


def membership_apply(*, alliance: Alliance, organization: Organization, actor, statement: str = "") -> Membership:
    """A member unit's contact applies to join an alliance."""
    if not can_act_for(actor, organization):
        raise NotAllowed(_("Only a contact of the unit can apply on its behalf."))
    return membership_request(alliance=alliance, organization=organization, actor=actor, statement=statement)


@transaction.atomic
def membership_accept(*, membership: Membership, actor) -> Membership:
    """A contact of the unit accepts the alliance's invitation: the unit's consent."""
    membership = _locked(membership)
    if not can_act_for(actor, membership.organization):
        raise NotAllowed(_("Only a contact of the unit can answer the invitation."))
    if membership.status != Membership.Status.APPLIED or membership.consented_at is not None:
        raise StateConflict(_("There is no invitation waiting for an answer."))
    with set_actor(actor):
        membership.consented_by = actor
        membership.consented_at = timezone.now()
        membership.save()
    notices.membership_event(membership, "accepted")
    return membership


@transaction.atomic
def membership_enrol(*, alliance: Alliance, actor, uscc: str, role: str = Membership.Role.MEMBER, joined_on=None,
                     organization: Organization | None = None, **new_unit) -> Membership:
    """The secretariat enrols a unit by its credit code: a new unit is registered for the alliance and
    joins at once; a registered one is invited, and joins at once only if it needs no consent."""
    if not can_manage_members(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat can enrol members."))
    organization = organization or Organization.objects.filter(uscc=normalize(uscc)).first()
    if organization is None:
        organization = organization_create(
            actor=actor, uscc=uscc, city=alliance.city, registered_by_alliance=alliance, **new_unit
        )
    membership = membership_request(alliance=alliance, organization=organization, actor=actor, role=role)
    if needs_consent(membership):
        return membership
    return membership_approve(membership=membership, actor=actor, joined_on=joined_on)


def _locked(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("alliance", "organization").get(pk=membership.pk)


def _decide(membership: Membership, actor, *, allowed_from, to_status, reason: str, require_reason: bool,
            verb: str, joined_on=None) -> Membership:
    if not can_decide_membership(actor, membership):
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
            membership.joined_on = joined_on or timezone.localdate()
        elif to_status in (Membership.Status.WITHDRAWN, Membership.Status.EXPELLED):
            membership.left_on = timezone.localdate()
        membership.save()
    if to_status == Membership.Status.EXPELLED:
        membership_ended.send(sender=Membership, membership=membership, actor=actor)
    notices.membership_event(membership, to_status)
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, actor, role: str | None = None, reason: str = "",
                       joined_on=None) -> Membership:
    """The secretariat approves: the unit has consented, or the alliance registered it and nobody else
    has claimed it."""
    membership = _locked(membership)
    if role:
        if role not in Membership.Role.values:
            raise DomainError(_("Unknown member role."), field="role")
        membership.role = role
    if (can_decide_membership(actor, membership) and membership.status == Membership.Status.APPLIED
            and needs_consent(membership)):
        raise StateConflict(_("“%(org)s” has not accepted the invitation yet: its contacts must agree before "
                              "it can join.") % {"org": membership.organization.name})
    return _decide(membership, actor, allowed_from=(Membership.Status.APPLIED,), to_status=Membership.Status.ACTIVE,
                   reason=reason, require_reason=False, verb=_("approved"), joined_on=joined_on)


@transaction.atomic
def membership_reject(*, membership: Membership, actor, reason: str) -> Membership:
    membership = _locked(membership)
    return _decide(membership, actor, allowed_from=(Membership.Status.APPLIED,), to_status=Membership.Status.REJECTED,
                   reason=reason, require_reason=True, verb=_("rejected"))


@transaction.atomic
def membership_expel(*, membership: Membership, actor, reason: str) -> Membership:
    membership = _locked(membership)
    return _decide(membership, actor, allowed_from=(Membership.Status.ACTIVE,), to_status=Membership.Status.EXPELLED,
                   reason=reason, require_reason=True, verb=_("expelled"))


@transaction.atomic
def membership_withdraw(*, membership: Membership, actor, reason: str = "") -> Membership:
    """The unit leaves, takes back its application or declines an invitation: its contacts' act alone.
    The alliance ends a membership by expelling, with a reason."""
    membership = _locked(membership)
    if not can_act_for(actor, membership.organization):
        raise NotAllowed(_("Only a contact of the unit can withdraw it; the alliance's secretariat may expel a "
                           "member, with a reason."))
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
    membership_ended.send(sender=Membership, membership=membership, actor=actor)
    notices.membership_event(membership, Membership.Status.WITHDRAWN)
    return membership


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
    access_end_if_roleless(user=contact.user)


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
        # An expert is listed by a city's officials; one official city is taken as the scope.
        alliance = None
        official_cities = scope_of(actor).official_city_ids
        if city is None and len(official_cities) == 1:
            city = City.objects.get(pk=next(iter(official_cities)))
        if city is None and not scope_of(actor).is_superuser:
            raise DomainError(_("Choose the city that lists this expert."), field="city")
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
    access_end_if_roleless(user=grant.user)
