"""What role grants and contacts open up to a user: its part of the request scope (kernel/scope.py)."""

from kernel.scope import contributes_to_scope
from members.models import Contact, RoleGrant


@contributes_to_scope
def grants_and_contacts(user) -> dict:
    secretariat, official, expert = set(), set(), False
    for role, alliance_id, city_id in RoleGrant.objects.filter(user=user).values_list("role", "alliance_id", "city_id"):
        if role == RoleGrant.Role.SECRETARIAT:
            secretariat.add(alliance_id)
        elif role == RoleGrant.Role.OFFICIAL:
            official.add(city_id)
        elif role == RoleGrant.Role.EXPERT:
            expert = True
    return {
        "secretariat_alliance_ids": frozenset(secretariat),
        "official_city_ids": frozenset(official),
        "is_expert": expert,
        "contact_organization_ids": frozenset(
            Contact.objects.filter(user=user).values_list("organization_id", flat=True)
        ),
    }
