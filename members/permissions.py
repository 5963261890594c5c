"""Who may do what to a member unit, its memberships and role grants. Pages, the API and the
Excel import all ask these (the rules are written out in docs/architecture.md).

A unit's shared record belongs to the unit: its contacts keep it, an official of its city
oversees it, and the alliance that registered it keeps it only until someone else claims it.
An alliance's secretariat acts on its own alliance's membership of a unit, never on the unit.
"""

import operator
from functools import reduce

from django.db.models import Q

from alliance.permissions import can_edit_alliance, can_manage_members
from kernel.scope import scope_of
from members.models import Membership, Organization, RoleGrant


def can_act_for(user, organization: Organization) -> bool:
    """The user is a contact of the unit."""
    return organization.id in scope_of(user).contact_organization_ids


def is_official_for(user, organization: Organization) -> bool:
    """An official of the unit's city (who decides changes of its legal name and credit code)."""
    scope = scope_of(user)
    return scope.is_superuser or (organization.city_id is not None and organization.city_id in scope.official_city_ids)


def can_register_organization(user) -> bool:
    """Secretariats and officials record new units; everyone else asks them."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.secretariat_alliance_ids or scope.official_city_ids)


def is_claimed_elsewhere(organization: Organization) -> bool:
    """Someone besides its registering alliance holds the unit: it has contacts, or it has joined
    (or agreed to join) another alliance."""
    if organization.contacts.exists():
        return True
    others = Membership.objects.filter(organization=organization).exclude(
        alliance_id=organization.registered_by_alliance_id
    )
    return others.filter(Q(joined_on__isnull=False) | Q(consented_at__isnull=False)).exists()


def is_registrar_of(user, organization: Organization) -> bool:
    """The secretariat of the alliance that registered the unit, while nobody else has claimed it."""
    alliance_id = organization.registered_by_alliance_id
    return (
        alliance_id is not None
        and alliance_id in scope_of(user).secretariat_alliance_ids
        and not is_claimed_elsewhere(organization)
    )


def can_edit_organization(user, organization: Organization) -> bool:
    """The unit's profile (type, size, website, address, description, English name) and its contacts."""
    return can_act_for(user, organization) or is_official_for(user, organization) or is_registrar_of(user, organization)


def can_change_identity(user, organization: Organization) -> bool:
    """Legal name and credit code, changed directly: an official of its city, or its registrar while the
    unit is unclaimed. Its contacts ask for the change instead (identity_change_request)."""
    return is_official_for(user, organization) or is_registrar_of(user, organization)


def can_view_contacts(user, organization: Organization) -> bool:
    """Who acts for the unit (names, e-mail): those who keep the record and the secretariats of the
    alliances it is an active member of."""
    if can_edit_organization(user, organization):
        return True
    alliance_ids = scope_of(user).secretariat_alliance_ids
    return bool(alliance_ids) and Membership.objects.filter(
        organization=organization, alliance_id__in=alliance_ids, status=Membership.Status.ACTIVE
    ).exists()


def contacts_visible_filter(user) -> Q | None:
    """can_view_contacts for many units at once: a filter over Organization, or None when the user sees no
    unit's contacts. (A unit its registrar may still edit is unclaimed, so it has no contacts to show.)"""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    parts = []
    if scope.contact_organization_ids:
        parts.append(Q(pk__in=scope.contact_organization_ids))
    if scope.official_city_ids:
        parts.append(Q(city_id__in=scope.official_city_ids))
    if scope.secretariat_alliance_ids:
        parts.append(Q(pk__in=Membership.objects.filter(
            alliance_id__in=scope.secretariat_alliance_ids, status=Membership.Status.ACTIVE).values("organization_id")))
    return reduce(operator.or_, parts) if parts else None


def can_request_membership(user, alliance, organization: Organization) -> bool:
    """A unit's contacts apply for it; an alliance's secretariat invites a unit into its own alliance."""
    return can_act_for(user, organization) or can_manage_members(user, alliance)


def needs_consent(membership: Membership) -> bool:
    """Approval waits for the unit's consent unless the alliance registered the unit itself and
    nobody else has claimed it."""
    if membership.consented_at is not None:
        return False
    organization = membership.organization
    return organization.registered_by_alliance_id != membership.alliance_id or is_claimed_elsewhere(organization)


def can_answer_invitation(user, membership: Membership) -> bool:
    return (
        membership.status == Membership.Status.APPLIED
        and membership.consented_at is None
        and can_act_for(user, membership.organization)
    )


def can_decide_membership(user, membership: Membership) -> bool:
    """Approve, reject or expel: the membership's own alliance's secretariat."""
    return can_manage_members(user, membership.alliance)


def can_apply_for_membership(user) -> bool:
    """A unit's contacts apply, on its behalf, to join an alliance."""
    return bool(scope_of(user).contact_organization_ids)


def can_withdraw_membership(user, membership: Membership) -> bool:
    """Leaving (or taking back an application, or declining an invitation) is the unit's own act."""
    return membership.status in Membership.OPEN_STATUSES and can_act_for(user, membership.organization)


def can_manage_roles(user) -> bool:
    """Officials and secretariats grant the roles within their reach (can_grant says which)."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.official_city_ids or scope.secretariat_alliance_ids)


def can_grant(actor, *, role: str, alliance, city) -> bool:
    """Only who holds authority over a grant's scope grants or revokes it: the secretariat role of an
    alliance by its secretariat or its city's officials; the official role of a city and the expert
    roles a city lists by that city's officials; nationwide experts by an administrator."""
    scope = scope_of(actor)
    if scope.is_superuser:
        return True
    if role == RoleGrant.Role.SECRETARIAT and alliance is not None:
        return can_edit_alliance(actor, alliance)
    if role in (RoleGrant.Role.OFFICIAL, RoleGrant.Role.EXPERT) and city is not None:
        return city.id in scope.official_city_ids
    return False
