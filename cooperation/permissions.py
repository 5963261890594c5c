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


def can_compare_city(user, city_id: int) -> bool:
    """The participation of a city's alliances side by side: the city's officials."""
    scope = scope_of(user)
    return scope.is_superuser or city_id in scope.official_city_ids


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


# Projects ------------------------------------------------------------------------------------------------------
# The secretariat records a project for any lead unit of its alliance, a lead unit's contacts for their unit; both
# keep it. Each unit of the project (lead or partner) records its own contributions, and the project's outcomes;
# the secretariat records all of them and alone confirms outcomes. The alliance's people read its projects; the
# public reads the projects of public alliances with their confirmed outcomes, never the evidence.


def can_record_project(user, *, alliance, lead: Organization) -> bool:
    return is_secretariat_of(user, alliance) or can_act_for(user, lead)


def can_record_any_project(user) -> bool:
    return can_post_anything(user)


def can_edit_project(user, project) -> bool:
    return is_secretariat_of(user, project.alliance) or can_act_for(user, project.lead)


def project_unit_ids(project) -> set[int]:
    """The lead and the partners (read from the partners prefetched or loaded once)."""
    return {project.lead_id, *(partner.organization_id for partner in project.partners.all())}


def acting_units(user, project) -> set[int]:
    """The units of the project the user is a contact of."""
    return project_unit_ids(project) & set(scope_of(user).contact_organization_ids)


def can_contribute_for(user, project, organization: Organization) -> bool:
    return is_secretariat_of(user, project.alliance) or can_act_for(user, organization)


def can_report_outcomes(user, project) -> bool:
    return is_secretariat_of(user, project.alliance) or bool(acting_units(user, project))


def can_confirm_outcomes(user, alliance) -> bool:
    return is_secretariat_of(user, alliance)


def can_read_project_internals(user, project) -> bool:
    """Unconfirmed outcomes and evidence files: the secretariat, the city's officials and the project's units."""
    return can_read_all(user, project.alliance) or bool(acting_units(user, project))
