"""Reads of organisations, memberships and role grants, scoped to the user."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from alliance.models import Alliance
from alliance.selectors import private_alliance_filter
from kernel.scope import scope_of
from kernel.selectors import get_or_404
from members.models import Membership, Organization, RoleGrant, User


def memberships_for_user(user) -> QuerySet[Membership]:
    scope = scope_of(user)
    queryset = Membership.objects.select_related("organization", "alliance")
    if scope.is_superuser:
        return queryset
    visible = (Q(status=Membership.Status.ACTIVE, alliance__status__in=Alliance.PUBLIC_STATUSES)
               | private_alliance_filter(user, "alliance__"))
    if scope.contact_organization_ids:
        visible |= Q(organization_id__in=scope.contact_organization_ids)
    return queryset.filter(visible)


def membership_get_for_user(user, pk, *, for_update: bool = False) -> Membership:
    queryset = memberships_for_user(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_404(queryset, pk)


def organizations_for_user(user) -> QuerySet[Organization]:
    """Units with a public active membership, plus those the user's roles open up.

    One membership subquery (not an OR of EXISTS): PostgreSQL plans it as a hashed
    subplan, where ORed EXISTS made it cost every row and JIT-compile each request.
    """
    scope = scope_of(user)
    if scope.is_superuser:
        return Organization.objects.all()
    member_rows = Q(status=Membership.Status.ACTIVE, alliance__status__in=Alliance.PUBLIC_STATUSES)
    if scope.is_authenticated:
        member_rows |= private_alliance_filter(user, "alliance__")
    visible = Q(id__in=Membership.objects.filter(member_rows).values("organization_id"))
    if scope.official_city_ids:
        visible |= Q(city_id__in=scope.official_city_ids)
    if scope.contact_organization_ids:
        visible |= Q(id__in=scope.contact_organization_ids)
    return Organization.objects.filter(visible)


def organization_get_for_user(user, pk) -> Organization:
    return get_or_404(organizations_for_user(user).select_related("city"), pk)


def role_grants_for_user(user) -> QuerySet[RoleGrant]:
    """Grants the user may see and manage: their city's and their alliance's."""
    scope = scope_of(user)
    queryset = RoleGrant.objects.select_related("user", "alliance", "city", "granted_by").order_by("role", "id")
    if scope.is_superuser:
        return queryset
    visible = Q(pk__in=[])
    if scope.official_city_ids:
        visible |= Q(city_id__in=scope.official_city_ids) | Q(alliance__city_id__in=scope.official_city_ids)
    if scope.secretariat_alliance_ids:
        visible |= Q(alliance_id__in=scope.secretariat_alliance_ids)
    return queryset.filter(visible)


def active_member_counts_by_type(alliance: Alliance) -> dict[str, int]:
    return dict(
        alliance.memberships.filter(status=Membership.Status.ACTIVE)
        .values_list("organization__type")
        .annotate(n=Count("id"))
        .order_by()
    )


def members_by_type(alliance: Alliance) -> list[dict]:
    """Active member units of the alliance counted by type, in the order of the type list."""
    counts = active_member_counts_by_type(alliance)
    return [
        {"type": value, "label": label, "count": counts[value]}
        for value, label in Organization.Type.choices
        if counts.get(value)
    ]


def secretaries_by_alliance(alliance_ids) -> dict[int, list]:
    """{alliance id: the active users of its secretariat}, in one query."""
    grants = RoleGrant.objects.filter(
        role=RoleGrant.Role.SECRETARIAT, alliance_id__in=set(alliance_ids), user__is_active=True
    ).select_related("user")
    secretaries = defaultdict(list)
    for grant in grants:
        secretaries[grant.alliance_id].append(grant.user)
    return secretaries


def officials_by_city(city_ids) -> dict[int, list]:
    """{city id: the active users who are its officials}, in one query."""
    grants = RoleGrant.objects.filter(
        role=RoleGrant.Role.OFFICIAL, city_id__in=set(city_ids), user__is_active=True
    ).select_related("user")
    officials = defaultdict(list)
    for grant in grants:
        officials[grant.city_id].append(grant.user)
    return officials


def secretaries_of(alliance) -> list:
    return secretaries_by_alliance([alliance.pk]).get(alliance.pk, [])


def contacts_of(organization) -> list:
    """The active users who are the unit's contacts."""
    return list(User.objects.filter(contacts__organization=organization, is_active=True).order_by("id"))


def membership_history_filter(alliance) -> Q:
    """The alliance's memberships and role grants in the audit log (alliance/extensions.py). Grants are
    deleted when revoked, so they are found by the alliance in their logged [old, new] values."""
    types = ContentType.objects.get_for_models(Membership, RoleGrant)
    pk = str(alliance.pk)
    return Q(
        content_type=types[Membership], object_id__in=Membership.objects.filter(alliance=alliance).values("pk")
    ) | (Q(content_type=types[RoleGrant]) & (Q(changes__alliance__0=pk) | Q(changes__alliance__1=pk)))
