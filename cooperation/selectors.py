"""Reads of the lists, offers, responses, events and suggestions, scoped to the user.

Who reads an entry:
- anyone: entries the secretariat has published whose poster marked them public, of a public alliance,
  neither closed nor a merged duplicate (and, for core products, published);
- the contacts of the alliance's active member units and its seats: every entry of the alliance except
  core products not yet published;
- the unit's own contacts, the alliance's secretariat and the city's officials: all of them.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from alliance.models import Alliance
from alliance.selectors import every_row
from cooperation.models import (
    CoreProduct,
    Offer,
    Response,
    Suggestion,
    SupplyDemandEvent,
    TalentNeed,
    TechnologyNeed,
)
from cooperation.permissions import POSTERS, RESPONDERS
from kernel.scope import scope_of
from kernel.selectors import get_or_404
from members.models import Membership, Organization

ENTRY_MODELS = (CoreProduct, TechnologyNeed, TalentNeed, Offer)
# Closed entries (and merged duplicates, which are closed) leave the public lists.
LIVE = {CoreProduct: Q(status=CoreProduct.Status.PUBLISHED), TechnologyNeed: ~Q(status=TechnologyNeed.Status.CLOSED),
        TalentNeed: ~Q(status=TalentNeed.Status.CLOSED), Offer: ~Q(status=Offer.Status.CLOSED)}
# What members of the alliance read besides the public: all but unpublished core products.
FOR_MEMBERS = {CoreProduct: ~Q(status=CoreProduct.Status.DRAFT), TechnologyNeed: every_row(),
               TalentNeed: every_row(), Offer: every_row()}


def public_entry_filter(model) -> Q:
    return (Q(visibility="public", published_at__isnull=False, merged_into__isnull=True,
              alliance__status__in=Alliance.PUBLIC_STATUSES) & LIVE[model])


def _member_alliances(organization_ids):
    return Membership.objects.filter(organization_id__in=organization_ids,
                                     status=Membership.Status.ACTIVE).values("alliance_id")


def entry_filter(user, model) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return every_row()
    visible = public_entry_filter(model)
    if scope.official_city_ids:
        visible |= Q(alliance__city_id__in=scope.official_city_ids)
    if scope.secretariat_alliance_ids:
        visible |= Q(alliance_id__in=scope.secretariat_alliance_ids)
    if scope.contact_organization_ids:
        visible |= Q(organization_id__in=scope.contact_organization_ids)
        visible |= Q(alliance_id__in=_member_alliances(scope.contact_organization_ids)) & FOR_MEMBERS[model]
    if scope.seat_alliance_ids:
        visible |= Q(alliance_id__in=scope.seat_alliance_ids) & FOR_MEMBERS[model]
    return visible


def entries_for_user(user, model) -> QuerySet:
    return model.objects.filter(entry_filter(user, model)).select_related("alliance", "organization", "chain")


def entry_get_for_user(user, model, pk):
    """The entry if this user may read it; 404 for missing and hidden alike."""
    return get_or_404(entries_for_user(user, model).select_related("alliance__city"), pk)


def live_response_count() -> Coalesce:
    """A technology need's live (proposed or accepted) responses: a subquery PostgreSQL runs for the rows of the
    page only, after the sort and the limit."""
    live = (Response.objects.filter(need=OuterRef("pk"), status__in=["proposed", "accepted"]).order_by()
            .values("need").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(live, output_field=IntegerField()), 0)


def technology_needs_for_user(user) -> QuerySet[TechnologyNeed]:
    return entries_for_user(user, TechnologyNeed).annotate(response_count=live_response_count())


def responses_for_user(user) -> QuerySet[Response]:
    """The two sides of a response (the need's enterprise and the responding unit), the need's secretariat
    and its city's officials."""
    scope = scope_of(user)
    queryset = Response.objects.select_related("need", "need__organization", "need__alliance", "organization", "event")
    if scope.is_superuser:
        return queryset
    visible = Q(pk__in=[])
    if scope.contact_organization_ids:
        visible |= Q(organization_id__in=scope.contact_organization_ids)
        visible |= Q(need__organization_id__in=scope.contact_organization_ids)
    if scope.secretariat_alliance_ids:
        visible |= Q(need__alliance_id__in=scope.secretariat_alliance_ids)
    if scope.official_city_ids:
        visible |= Q(need__alliance__city_id__in=scope.official_city_ids)
    return queryset.filter(visible)


def response_get_for_user(user, pk) -> Response:
    return get_or_404(responses_for_user(user), pk)


def responses_of_need(user, need: TechnologyNeed) -> list[Response]:
    return list(responses_for_user(user).filter(need=need).select_related("created_by").order_by("-id"))


def suggestions_of(need) -> list[Suggestion]:
    """The suggestions of one need, best first: one query."""
    field = "technology_need" if isinstance(need, TechnologyNeed) else "talent_need"
    return list(Suggestion.objects.filter(**{field: need}).select_related("organization").order_by("rank", "id"))


def suggestions_for_units(user, organization_ids, limit: int = 10) -> list[Suggestion]:
    """Open technology needs the user may read on which these units are suggested, best first."""
    visible = entries_for_user(user, TechnologyNeed).filter(status=TechnologyNeed.Status.OPEN)
    return list(
        Suggestion.objects.filter(organization_id__in=organization_ids, technology_need__in=visible.values("pk"))
        .select_related("technology_need", "technology_need__organization", "organization")
        .order_by("rank", "-score", "-id")[:limit]
    )


LIVE_OR_DRAFT = {CoreProduct: ~Q(status=CoreProduct.Status.CLOSED), TechnologyNeed: LIVE[TechnologyNeed],
                 TalentNeed: LIVE[TalentNeed], Offer: LIVE[Offer]}


def list_counts_for_alliance(user, alliance) -> dict[str, int]:
    """Live entries of each list of the alliance that this user may read."""
    counts = {}
    for key, model in (("products", CoreProduct), ("technology_needs", TechnologyNeed),
                       ("talent_needs", TalentNeed), ("offers", Offer)):
        counts[key] = model.objects.filter(entry_filter(user, model), LIVE_OR_DRAFT[model], alliance=alliance,
                                           merged_into__isnull=True).count()
    return counts



def events_for_user(user) -> QuerySet[SupplyDemandEvent]:
    scope = scope_of(user)
    queryset = SupplyDemandEvent.objects.select_related("alliance")
    if scope.is_superuser:
        return queryset
    visible = Q(pk__in=[])
    if scope.official_city_ids:
        visible |= Q(alliance__city_id__in=scope.official_city_ids)
    own = scope.secretariat_alliance_ids | scope.seat_alliance_ids
    if own:
        visible |= Q(alliance_id__in=own)
    if scope.contact_organization_ids:
        visible |= Q(alliance_id__in=_member_alliances(scope.contact_organization_ids))
    return queryset.filter(visible)


def event_get_for_user(user, pk) -> SupplyDemandEvent:
    return get_or_404(events_for_user(user), pk)


def posting_choices(user, model):
    """The alliances and units the user may post an entry of `model` for: their own units (of the kind that
    posts it) and the alliances these are active members of; for a secretariat, its alliances and their
    active member units. The service checks the pair."""
    scope = scope_of(user)
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    organizations = Organization.objects.filter(type__in=POSTERS[model])
    alliances = Alliance.objects.exclude(status__in=Alliance.CLOSED_STATUSES)
    if not scope.is_superuser:
        own = Q(id__in=scope.contact_organization_ids) | Q(id__in=active.filter(
            alliance_id__in=scope.secretariat_alliance_ids).values("organization_id"))
        organizations = organizations.filter(own)
        alliances = alliances.filter(Q(id__in=scope.secretariat_alliance_ids) | Q(id__in=active.filter(
            organization_id__in=scope.contact_organization_ids).values("alliance_id")))
    return alliances.only("id", "name").order_by("name"), organizations.only("id", "name").order_by("name", "id")


def responder_units(user):
    """The user's own units that may respond to technology needs."""
    return Organization.objects.filter(id__in=scope_of(user).contact_organization_ids,
                                       type__in=RESPONDERS).order_by("name")


def unpublished_counts(alliance_ids) -> list[dict]:
    """For a secretariat's home page: the live entries of each list not yet published, per alliance (one query
    per list, whatever the number of alliances)."""
    rows = {}
    for key, model in (("products", CoreProduct), ("technology_needs", TechnologyNeed),
                       ("talent_needs", TalentNeed), ("offers", Offer)):
        counts = (model.objects.filter(alliance_id__in=alliance_ids, published_at__isnull=True,
                                       merged_into__isnull=True).exclude(status=model.CLOSED)
                  .order_by().values("alliance_id", "alliance__name").annotate(n=Count("id")))
        for row in counts:
            entry = rows.setdefault(row["alliance_id"], {"alliance_id": row["alliance_id"],
                                                         "alliance_name": row["alliance__name"]})
            entry[key] = row["n"]
    return sorted(rows.values(), key=lambda row: row["alliance_name"])


def major_supply(alliance_ids) -> list[dict]:
    """The majors the alliances' schools offer, per alliance, unit, year and major code, with their enrolment and
    graduates (merged duplicates left out), for the matching of majors and industry: one query. The caller has
    checked that its user may read these alliances' figures."""
    return list(Offer.objects.filter(alliance_id__in=alliance_ids, kind=Offer.Kind.MAJOR, merged_into__isnull=True)
                .order_by().values("alliance_id", "organization_id", "year", "major_code", "major_category")
                .annotate(enrolment=Sum("enrolment"), graduates=Sum("graduates")))


def needs_posted(alliance_ids) -> list[dict]:
    """Per alliance and year: technology needs and talent needs posted (merged duplicates left out), and the
    talent needs' headcount and filled positions: two queries."""
    rows: dict[tuple, dict] = {}
    for model, key in ((TechnologyNeed, "technology_needs_posted"), (TalentNeed, "talent_needs_posted")):
        extra = {"headcount": Sum("headcount"), "filled": Sum("filled")} if model is TalentNeed else {}
        for row in (model.objects.filter(alliance_id__in=alliance_ids, merged_into__isnull=True).order_by()
                    .values("alliance_id", "year").annotate(n=Count("id"), **extra)):
            entry = rows.setdefault((row["alliance_id"], row["year"]), {
                "alliance_id": row["alliance_id"], "year": row["year"], "technology_needs_posted": 0,
                "talent_needs_posted": 0, "talent_headcount": 0, "talent_filled": 0})
            entry[key] = row["n"]
            if model is TalentNeed:
                entry["talent_headcount"] = row["headcount"] or 0
                entry["talent_filled"] = row["filled"] or 0
    return list(rows.values())
