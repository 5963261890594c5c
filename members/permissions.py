"""Who may act for a member unit. Pages and the API both ask these."""

from alliance.permissions import can_edit_alliance
from alliance.scope import scope_of
from members.models import Membership, Organization, RoleGrant


def can_act_for(user, organization: Organization) -> bool:
    """The user is a contact of the unit."""
    return organization.id in scope_of(user).contact_organization_ids


def can_register_organization(user) -> bool:
    """Secretariats and officials record new units; everyone else asks them."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.secretariat_alliance_ids or scope.official_city_ids)


def can_grant(actor, *, role: str, alliance, city) -> bool:
    """Officials grant roles in their city (secretariats of its alliances, officials, experts); a
    secretariat grants the secretariat role of its own alliance."""
    scope = scope_of(actor)
    if scope.is_superuser:
        return True
    if role == RoleGrant.Role.SECRETARIAT and alliance is not None:
        return can_edit_alliance(actor, alliance)
    if role == RoleGrant.Role.OFFICIAL and city is not None:
        return city.id in scope.official_city_ids
    if role == RoleGrant.Role.EXPERT:
        return bool(scope.official_city_ids)
    return False


def can_edit_organization(user, organization: Organization) -> bool:
    scope = scope_of(user)
    if scope.is_superuser or can_act_for(user, organization):
        return True
    if not scope.secretariat_alliance_ids:
        return False
    return Membership.objects.filter(
        organization=organization,
        alliance_id__in=scope.secretariat_alliance_ids,
        status__in=Membership.OPEN_STATUSES,
    ).exists()
