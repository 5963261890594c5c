"""Who may act for a member unit. Pages and the API both ask these."""

from alliance.scope import scope_of
from members.models import Membership, Organization


def can_act_for(user, organization: Organization) -> bool:
    """The user is a contact of the unit."""
    return organization.id in scope_of(user).contact_organization_ids


def can_register_organization(user) -> bool:
    """Secretariats and officials record new units; everyone else asks them."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.secretariat_alliance_ids or scope.official_city_ids)


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
