"""What a user may act on, read once per request from role grants, contacts and seats."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    is_authenticated: bool = False
    is_superuser: bool = False
    secretariat_alliance_ids: frozenset[int] = field(default_factory=frozenset)
    official_city_ids: frozenset[int] = field(default_factory=frozenset)
    contact_organization_ids: frozenset[int] = field(default_factory=frozenset)
    seat_alliance_ids: frozenset[int] = field(default_factory=frozenset)
    seat_ids: frozenset[int] = field(default_factory=frozenset)
    is_expert: bool = False

    @property
    def roles(self) -> list[str]:
        roles = []
        if self.is_superuser:
            roles.append("admin")
        if self.official_city_ids:
            roles.append("official")
        if self.secretariat_alliance_ids:
            roles.append("secretariat")
        if self.seat_ids:
            roles.append("director")
        if self.contact_organization_ids:
            roles.append("contact")
        if self.is_expert:
            roles.append("expert")
        return roles


ANONYMOUS = Scope()


def scope_of(user) -> Scope:
    """The user's scope, computed once and cached on the user object."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_alliance_scope", None)
    if cached is not None:
        return cached
    from django.db.models import Q

    from governance.models import Seat
    from members.models import Contact, RoleGrant

    secretariat, official, expert = set(), set(), False
    for role, alliance_id, city_id in RoleGrant.objects.filter(user=user).values_list("role", "alliance_id", "city_id"):
        if role == RoleGrant.Role.SECRETARIAT:
            secretariat.add(alliance_id)
        elif role == RoleGrant.Role.OFFICIAL:
            official.add(city_id)
        elif role == RoleGrant.Role.EXPERT:
            expert = True
    # An alternate acts for a seat at meetings, so sees its alliance's council business too.
    held, alternate_alliances = [], set()
    for seat_id, alliance_id, holder_id in Seat.objects.filter(
        Q(user=user) | Q(alternate=user), term_end__isnull=True
    ).values_list("id", "body__alliance_id", "user_id"):
        if holder_id == user.id:
            held.append((seat_id, alliance_id))
        else:
            alternate_alliances.add(alliance_id)
    scope = Scope(
        is_authenticated=True,
        is_superuser=user.is_superuser,
        secretariat_alliance_ids=frozenset(secretariat),
        official_city_ids=frozenset(official),
        contact_organization_ids=frozenset(Contact.objects.filter(user=user).values_list("organization_id", flat=True)),
        seat_alliance_ids=frozenset(alliance_id for _, alliance_id in held) | alternate_alliances,
        seat_ids=frozenset(seat_id for seat_id, _ in held),
        is_expert=expert,
    )
    user._alliance_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's grants changed."""
    if hasattr(user, "_alliance_scope"):
        del user._alliance_scope
