"""Who may do what to an alliance. Pages and the API both ask these."""

from alliance.models import Alliance
from kernel.scope import scope_of


def is_official_of(user, alliance: Alliance) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or alliance.city_id in scope.official_city_ids


def is_secretariat_of(user, alliance: Alliance) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or alliance.id in scope.secretariat_alliance_ids


def can_create_alliance(user, city=None) -> bool:
    """Officials register alliances in their own city (any of them when city is None)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return True
    return city.id in scope.official_city_ids if city is not None else bool(scope.official_city_ids)


def can_edit_alliance(user, alliance: Alliance) -> bool:
    return is_secretariat_of(user, alliance) or is_official_of(user, alliance)


def status_targets_for(user, alliance: Alliance) -> list[str]:
    """The lifecycle states this user may move the alliance to now."""
    allowed = alliance.allowed_transitions()
    if is_official_of(user, alliance):
        return allowed
    if is_secretariat_of(user, alliance) and alliance.status == Alliance.Status.PROPOSED:
        # The secretariat submits its own proposal for review; officials decide the rest.
        return [s for s in allowed if s == Alliance.Status.UNDER_REVIEW]
    return []


def can_manage_members(user, alliance: Alliance) -> bool:
    return is_secretariat_of(user, alliance)


def can_view_private(user, alliance: Alliance) -> bool:
    """Non-public details: pending applications, contacts, documents of a proposal."""
    scope = scope_of(user)
    return (
        can_edit_alliance(user, alliance)
        or alliance.id in scope.seat_alliance_ids
    )
