"""Reads of the lists, offers, responses, events and suggestions, scoped to the user.

Who reads an entry:
- anyone: entries the secretariat has published whose poster marked them public, of a public alliance,
  neither closed nor a merged duplicate (and, for core products, published);
- the contacts of the alliance's active member units and its seats: every entry of the alliance except
  core products not yet published;
- the unit's own contacts, the alliance's secretariat and the city's officials: all of them.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from alliance.models import Alliance
from alliance.selectors import every_row
from cooperation.models import (
    Contribution,
    CoreProduct,
    Offer,
    Outcome,
    OutcomeEvidence,
    Project,
    ProjectPartner,
    Response,
    Suggestion,
    SupplyDemandEvent,
    TalentNeed,
    TechnologyNeed,
)
from cooperation.permissions import POSTERS, RESPONDERS, can_read_all, project_unit_ids
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


# Projects ------------------------------------------------------------------------------------------------------
# Who reads a project: the public, those of public alliances; the alliance's people (its secretariat, seats and
# the contacts of its active member units), the city's officials and the contacts of the project's units, all of
# the alliance's. Unconfirmed outcomes and evidence only the secretariat, the officials and the project's units.


def _project_unit_filter(organization_ids, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}lead_id__in": organization_ids})
            | Q(**{f"{prefix}pk__in": ProjectPartner.objects.filter(
                organization_id__in=organization_ids).values("project_id")}))


def project_filter(user) -> Q:
    if scope_of(user).is_superuser:
        return every_row()
    return Q(alliance__status__in=Alliance.PUBLIC_STATUSES) | insider_project_filter(user)


def insider_project_filter(user, prefix: str = "") -> Q:
    """The projects the user reads as one of the alliance's people (not as the public): what each unit put in is
    theirs to read, not the public's."""
    scope = scope_of(user)
    if scope.is_superuser:
        return every_row()
    visible = Q(**{f"{prefix}pk__in": []})
    if scope.official_city_ids:
        visible |= Q(**{f"{prefix}alliance__city_id__in": scope.official_city_ids})
    own = scope.secretariat_alliance_ids | scope.seat_alliance_ids
    if own:
        visible |= Q(**{f"{prefix}alliance_id__in": own})
    if scope.contact_organization_ids:
        visible |= Q(**{f"{prefix}alliance_id__in": _member_alliances(scope.contact_organization_ids)})
        visible |= _project_unit_filter(scope.contact_organization_ids, prefix=prefix)
    return visible


def visible_outcome_filter(user) -> Q:
    """Outcomes this user reads: confirmed ones, and all of the projects whose internals the user reads."""
    scope = scope_of(user)
    if scope.is_superuser:
        return every_row()
    visible = Q(confirmed_at__isnull=False)
    if scope.official_city_ids:
        visible |= Q(project__alliance__city_id__in=scope.official_city_ids)
    if scope.secretariat_alliance_ids:
        visible |= Q(project__alliance_id__in=scope.secretariat_alliance_ids)
    if scope.contact_organization_ids:
        visible |= _project_unit_filter(scope.contact_organization_ids, prefix="project__")
    return visible


def projects_for_user(user) -> QuerySet[Project]:
    return Project.objects.filter(project_filter(user)).select_related("alliance", "lead")


def with_project_details(queryset: QuerySet[Project], user) -> QuerySet[Project]:
    """Partners, contributions and the outcomes the user reads (with their evidence), prefetched: a fixed number of
    queries whatever the number of projects."""
    outcomes = Outcome.objects.filter(visible_outcome_filter(user)).prefetch_related(
        Prefetch("evidence", queryset=OutcomeEvidence.objects.order_by("id"))).order_by("year", "metric", "id")
    return queryset.prefetch_related(
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("organization").order_by("id")),
        Prefetch("contributions", queryset=Contribution.objects.filter(
            insider_project_filter(user, prefix="project__")).select_related("organization").order_by("year", "id")),
        Prefetch("outcomes", queryset=outcomes),
    )


def project_get_for_user(user, pk) -> Project:
    """The project with its details if this user may read it; 404 for missing and hidden alike."""
    return get_or_404(with_project_details(projects_for_user(user).select_related(
        "alliance__city", "need", "talent_need"), user), pk)


def outcome_get_for_user(user, pk) -> Outcome:
    return get_or_404(Outcome.objects.filter(visible_outcome_filter(user), project__in=projects_for_user(user))
                      .select_related("project", "project__alliance", "project__lead"), pk)


def contribution_get_for_user(user, pk) -> Contribution:
    return get_or_404(contributions_for_user(user).select_related("project", "project__alliance"), pk)


def contributions_for_user(user) -> QuerySet[Contribution]:
    """What the projects' units put in: for the alliance's people, not the public."""
    return Contribution.objects.filter(insider_project_filter(user, prefix="project__")).select_related(
        "organization")


def evidence_get_for_user(user, pk) -> OutcomeEvidence | None:
    """An evidence file the user may download: of a project whose internals the user reads."""
    scope = scope_of(user)
    evidence = (OutcomeEvidence.objects.filter(outcome__project__in=projects_for_user(user))
                .select_related("outcome__project__alliance").filter(pk=pk).first())
    if evidence is None:
        return None
    project = evidence.outcome.project
    if scope.is_superuser or can_read_all(user, project.alliance) or (
            set(scope.contact_organization_ids) & project_unit_ids(project)):
        return evidence
    return None


def pending_outcomes(alliance_ids) -> QuerySet[Outcome]:
    """The outcomes of these alliances that await the secretariat's confirmation, oldest first."""
    return (Outcome.objects.filter(project__alliance_id__in=alliance_ids, confirmed_at__isnull=True)
            .select_related("project").order_by("recorded_at", "id"))


def project_unit_choices(user, alliance=None):
    """The alliances a user may record a project in and the units that may lead it: for a secretariat, its
    alliances and their active members; for a contact, the alliances its units are active members of and those
    units. Partners are any active member of the alliance (the service checks)."""
    scope = scope_of(user)
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    alliances = Alliance.objects.exclude(status__in=Alliance.CLOSED_STATUSES)
    leads = Organization.objects.all()
    if not scope.is_superuser:
        leads = leads.filter(Q(id__in=scope.contact_organization_ids) | Q(id__in=active.filter(
            alliance_id__in=scope.secretariat_alliance_ids).values("organization_id")))
        alliances = alliances.filter(Q(id__in=scope.secretariat_alliance_ids) | Q(id__in=active.filter(
            organization_id__in=scope.contact_organization_ids).values("alliance_id")))
    if alliance is not None:
        leads = leads.filter(id__in=active.filter(alliance=alliance).values("organization_id"))
    return alliances.only("id", "name").order_by("name"), leads.only("id", "name").order_by("name", "id")


def active_members(alliance) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__alliance=alliance,
                                       memberships__status=Membership.Status.ACTIVE).only("id", "name").order_by(
        "name", "id")


# Figures for the assessment -------------------------------------------------------------------------------------


def _overlapping(alliance, start: datetime.date, end: datetime.date) -> QuerySet[Project]:
    """The alliance's projects whose dates overlap the period (whatever their status now)."""
    return _overlapping_in([alliance.pk], start, end)


def _overlapping_in(alliance_ids, start: datetime.date, end: datetime.date) -> QuerySet[Project]:
    return Project.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), alliance_id__in=alliance_ids,
                                  starts_on__lte=end)


def project_choices_for_year(alliance, year: int) -> list[tuple[int, str]]:
    """(id, title) of the alliance's projects running at some time of the year, for a choice."""
    return list(_overlapping(alliance, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
                .order_by("starts_on", "id").values_list("id", "title"))


def project_figures(alliance, start: datetime.date, end: datetime.date) -> dict:
    """The alliance's project figures of the period from `start` to `end` (both included): the projects whose
    dates overlap it, by kind; the confirmed outcomes of the years it touches, by metric (only confirmed outcomes
    count); the funds put in during those years. Three queries."""
    projects = dict(_overlapping(alliance, start, end).order_by().values_list("kind").annotate(n=Count("id")))
    outcomes = dict(Outcome.objects.filter(project__alliance=alliance, confirmed_at__isnull=False,
                                           year__gte=start.year, year__lte=end.year)
                    .order_by().values_list("metric").annotate(total=Sum("value")))
    funds = Contribution.objects.filter(project__alliance=alliance, kind=Contribution.Kind.FUNDS,
                                        year__gte=start.year, year__lte=end.year).aggregate(total=Sum("amount"))
    return {
        "projects": sum(projects.values()),
        "projects_by_kind": {kind: projects.get(kind, 0) for kind in Project.Kind.values},
        **{metric: int(outcomes.get(metric) or 0) for metric in Outcome.Metric.values},
        "funds_contributed": str(funds["total"] or 0),
    }


# Contributions and participation (seed 000 §4.3) -----------------------------------------------------------------


def participation(alliance, year: int) -> dict:
    """What each active member unit of the alliance put into its projects during the year and what it took part
    in, with the share of units active and the concentration on the lead units (`participation_by_alliance`)."""
    return participation_by_alliance([alliance], year)[alliance.pk]


def participation_by_alliance(alliances, year: int) -> dict[int, dict]:
    """{alliance id: its participation in the year}, for several alliances at once (their lead units loaded):
    what each active member unit put into its projects during the year and what it took part in — projects it led
    or was a partner of (running at some time of the year), the contributions it recorded for the year (funds in
    yuan summed; other kinds counted), the list entries it posted. Beside them, the share of units that took part
    in anything, and the concentration on the lead units (the alliance's lead school and lead enterprise): their
    share of the year's projects led and of the funds put in. A fixed number of queries, however many alliances."""
    alliances = list(alliances)
    ids = [alliance.pk for alliance in alliances]
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    members: dict[int, list] = {pk: [] for pk in ids}
    for membership in (Membership.objects.filter(alliance_id__in=ids, status=Membership.Status.ACTIVE)
                       .select_related("organization")
                       .only("alliance_id", "organization__id", "organization__name", "organization__name_en",
                             "organization__type")
                       .order_by("organization__name", "organization_id")):
        members[membership.alliance_id].append(membership.organization)
    running = _overlapping_in(ids, start, end)
    led: dict[tuple, int] = {(alliance_id, lead_id): n for alliance_id, lead_id, n in
                             running.order_by().values_list("alliance_id", "lead_id").annotate(n=Count("id"))}
    partnered = {(alliance_id, organization_id): n for alliance_id, organization_id, n in
                 ProjectPartner.objects.filter(project__in=running).order_by()
                 .values_list("project__alliance_id", "organization_id").annotate(n=Count("id"))}
    contributed: dict[tuple, dict] = {}
    for row in (Contribution.objects.filter(project__alliance_id__in=ids, year=year).order_by()
                .values("project__alliance_id", "organization_id", "kind").annotate(n=Count("id"),
                                                                                     total=Sum("amount"))):
        contributed.setdefault((row["project__alliance_id"], row["organization_id"]), {})[row["kind"]] = row
    posted: dict[tuple, int] = {}
    for model in ENTRY_MODELS:
        for alliance_id, organization_id, n in (model.objects.filter(alliance_id__in=ids, year=year,
                                                                     merged_into__isnull=True)
                                                .order_by().values_list("alliance_id", "organization_id")
                                                .annotate(n=Count("id"))):
            posted[(alliance_id, organization_id)] = posted.get((alliance_id, organization_id), 0) + n
    projects: dict[int, int] = {}
    for (alliance_id, _lead_id), n in led.items():
        projects[alliance_id] = projects.get(alliance_id, 0) + n
    return {alliance.pk: _participation_of(alliance, year, members[alliance.pk], projects.get(alliance.pk, 0), led,
                                           partnered, contributed, posted)
            for alliance in alliances}


def city_participation(city, year: int) -> list[dict]:
    """The city's alliances (all but the revoked and withdrawn) side by side for the year: each one's share of
    units active and concentration on its lead units (`participation_by_alliance`, without the units' rows). A
    fixed number of queries, however many alliances."""
    alliances = list(Alliance.objects.filter(city=city).exclude(status__in=Alliance.CLOSED_STATUSES)
                     .only("id", "name", "name_en", "lead_school_id", "lead_enterprise_id").order_by("name", "id"))
    figures = participation_by_alliance(alliances, year)
    return [{"alliance": alliance, **{key: value for key, value in figures[alliance.pk].items() if key != "rows"}}
            for alliance in alliances]


def _participation_of(alliance, year, members, projects_total, led, partnered, contributed, posted) -> dict:
    lead_ids = {pk for pk in (alliance.lead_school_id, alliance.lead_enterprise_id) if pk}
    rows, active = [], 0
    for unit in members:
        key = (alliance.pk, unit.pk)
        given = contributed.get(key, {})
        row = {
            "organization": unit, "is_lead_unit": unit.pk in lead_ids,
            "projects_led": led.get(key, 0), "projects_partnered": partnered.get(key, 0),
            "funds": given.get("funds", {}).get("total") or 0,
            "contributions": sum(item["n"] for item in given.values()),
            "entries_posted": posted.get(key, 0),
        }
        row["active"] = bool(row["projects_led"] or row["projects_partnered"] or row["contributions"]
                             or row["entries_posted"])
        active += row["active"]
        rows.append(row)
    rows.sort(key=lambda row: (-row["projects_led"] - row["projects_partnered"], -row["funds"],
                               row["organization"].name))
    funds_total = sum(row["funds"] for row in rows)
    by_leads = sum(led.get((alliance.pk, pk), 0) for pk in lead_ids)
    funds_by_leads = sum(row["funds"] for row in rows if row["is_lead_unit"])
    return {
        "year": year, "rows": rows, "members": len(members), "active": active,
        "active_share": _share(active, len(members)),
        "projects": projects_total, "projects_by_lead_units": by_leads,
        "lead_unit_project_share": _share(by_leads, projects_total),
        "funds": funds_total, "lead_unit_funds_share": _share(funds_by_leads, funds_total),
    }


def _share(part, whole) -> Decimal | None:
    """A percentage with one decimal; None when there is nothing to share."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
