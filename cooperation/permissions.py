"""Who may do what to the lists, the offers, the responses and the events. Pages and the API both ask these.

- A unit's contacts post and keep its entries; the alliance's secretariat keeps every entry of its alliance
  and curates the lists (publishes, closes, merges, imports); the city's officials read everything of
  their city's alliances.
- Enterprises post core products and needs; schools and research institutes post offers and respond to
  technology needs. The need's enterprise accepts or declines a response.
"""

from alliance.permissions import is_official_of, is_secretariat_of
from cooperation.models import CoreProduct, Offer, TalentNeed, TechnologyNeed
from kernel.scope import scope_of
from members.models import Membership, Organization
from members.permissions import can_act_for

# Which kinds of unit post which entries.
NEED_POSTERS = (Organization.Type.ENTERPRISE,)
OFFER_POSTERS = (*Organization.SCHOOL_TYPES, Organization.Type.RESEARCH_INSTITUTE)
RESPONDERS = OFFER_POSTERS
POSTERS = {CoreProduct: NEED_POSTERS, TechnologyNeed: NEED_POSTERS, TalentNeed: NEED_POSTERS, Offer: OFFER_POSTERS}


def can_curate(user, alliance) -> bool:
    """Publish, close, merge, import and export an alliance's lists; plan its supply–demand events."""
    return is_secretariat_of(user, alliance)


def can_read_all(user, alliance) -> bool:
    """Every entry of the alliance, drafts and closed ones included."""
    return is_secretariat_of(user, alliance) or is_official_of(user, alliance)


def may_post_kind(model, organization: Organization) -> bool:
    return organization.type in POSTERS[model]


def can_post(user, *, alliance, organization: Organization) -> bool:
    """A unit's contacts post for it; the secretariat posts for any unit of its alliance."""
    return can_act_for(user, organization) or can_curate(user, alliance)


def can_post_anything(user) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.contact_organization_ids or scope.secretariat_alliance_ids)


def can_edit_entry(user, entry) -> bool:
    return can_act_for(user, entry.organization) or can_curate(user, entry.alliance)


def can_respond_for(user, organization: Organization) -> bool:
    return organization.type in RESPONDERS and can_act_for(user, organization)


def can_decide_response(user, response) -> bool:
    """The need's enterprise (its contacts) accepts or declines."""
    return can_act_for(user, response.need.organization)


def can_see_suggestions(user, need) -> bool:
    return can_edit_entry(user, need) or can_read_all(user, need.alliance)


def can_read_events(user, alliance) -> bool:
    """The alliance's people: its secretariat, seats and officials, and the contacts of its member units."""
    scope = scope_of(user)
    return (can_read_all(user, alliance) or alliance.id in scope.seat_alliance_ids
            or alliance.id in member_alliance_ids(user))


def member_alliance_ids(user) -> set[int]:
    """The alliances the user's units are active members of."""
    scope = scope_of(user)
    if not scope.contact_organization_ids:
        return set()
    return set(Membership.objects.filter(
        organization_id__in=scope.contact_organization_ids, status=Membership.Status.ACTIVE,
    ).values_list("alliance_id", flat=True))
