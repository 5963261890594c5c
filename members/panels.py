"""The members' card on an alliance's page and their section of its public page (registered with
alliance/extensions.py)."""

from alliance.permissions import can_manage_members
from members.selectors import members_by_type


def alliance_members(request, alliance) -> dict:
    return {
        "alliance": alliance,
        "members_by_type": members_by_type(alliance),
        "can_manage_members": can_manage_members(request.user, alliance),
    }


def public_members(alliance) -> dict:
    """The public page's section: active member units by type (alliance/extensions.py)."""
    return {"alliance": alliance, "members_by_type": members_by_type(alliance)}
