"""The metrics the records already support: member units, the council's business, supply and demand.

Each source below reads one kind of record for every alliance of a batch in one to three queries; the metrics
read their figures from it. Periods include both dates. Supply and demand count as cooperation/metrics.py counts
them (a test holds the two together).
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, AllianceDocument
from assessments.metrics.registry import (
    EVIDENCE_MAX,
    Batch,
    Figure,
    Unit,
    percent,
    register,
    register_aggregate,
)
from cooperation.models import (
    Outcome,
    Project,
    Response,
    SupplyDemandEvent,
    TalentNeed,
    TechnologyNeed,
)
from governance.figures import council_business_by_alliance, council_establishment_by_alliance
from matching.compute import alliances_metrics as alliances_matching_metrics
from members.models import Membership, Organization

PLAN_DOCUMENTS = (AllianceDocument.Kind.CHARTER, AllianceDocument.Kind.DEVELOPMENT_PLAN,
                  AllianceDocument.Kind.CONSTRUCTION_SCHEME)


def _each(batch: Batch, read, figure) -> dict[int, Figure]:
    rows = batch.source(read)
    return {pk: figure(rows[pk]) for pk in batch.alliance_ids}


# Member units ------------------------------------------------------------------------------------

def members_by_type(ids: list[int], start: date, end: date) -> dict[int, dict[str, int]]:
    """Active member units at the end of the period (joined by then), by type."""
    counts = {pk: {} for pk in ids}
    rows = (Membership.objects.filter(alliance_id__in=ids, status=Membership.Status.ACTIVE)
            .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=end))
            .values_list("alliance_id", "organization__type").annotate(n=Count("id")).order_by())
    for alliance_id, kind, n in rows:
        counts[alliance_id][kind] = n
    return counts


register(
    "members_total", label=_("Member units"), unit=Unit.COUNT,
    working=_("%(total)s active member units at the end of the period: %(enterprise)s enterprises, "
              "%(schools)s schools, %(other)s others"),
    source=_("Active memberships joined by the end of the period"),
    compute=lambda batch: _each(batch, members_by_type, lambda by_type: Figure(
        value=sum(by_type.values()),
        counts={"total": sum(by_type.values()), "enterprise": by_type.get(Organization.Type.ENTERPRISE, 0),
                "schools": sum(by_type.get(t, 0) for t in Organization.SCHOOL_TYPES),
                "other": sum(n for t, n in by_type.items()
                             if t != Organization.Type.ENTERPRISE and t not in Organization.SCHOOL_TYPES),
                "by_type": {t: by_type[t] for t in Organization.Type.values if by_type.get(t)}})),
)
register(
    "member_types", label=_("Types of member units"), unit=Unit.COUNT,
    working=_("%(types)s of the %(known)s types of unit among the members"),
    source=_("Active memberships joined by the end of the period"),
    compute=lambda batch: _each(batch, members_by_type, lambda by_type: Figure(
        value=len(by_type), counts={"types": len(by_type), "known": len(Organization.Type.values),
                                    "by_type": {t: by_type[t] for t in Organization.Type.values if by_type.get(t)}})),
)
register(
    "enterprise_share", label=_("Share of enterprises among the members"), unit=Unit.PERCENT,
    working=_("%(enterprise)s enterprises of %(total)s member units"),
    source=_("Active memberships joined by the end of the period"),
    compute=lambda batch: _each(batch, members_by_type, lambda by_type: Figure(
        value=percent(by_type.get(Organization.Type.ENTERPRISE, 0), sum(by_type.values())),
        counts={"enterprise": by_type.get(Organization.Type.ENTERPRISE, 0), "total": sum(by_type.values())})),
)


# The council ---------------------------------------------------------------------------------

def council_business(ids: list[int], start: date, end: date) -> dict[int, dict]:
    return council_business_by_alliance(ids, start=start, end=end)


def council_establishment(ids: list[int], start: date, end: date) -> dict[int, dict]:
    return council_establishment_by_alliance(ids)


def _meetings_evidence(business: dict) -> tuple:
    return tuple({"label": meeting["title"], "url": reverse("governance:meeting", args=[meeting["id"]]),
                  "date": meeting["date"]} for meeting in business["meetings"][:50])


register(
    "council_established", label=_("Council and secretariat established"), unit=Unit.YES_NO,
    working=_("council seats now: %(council_seats)s; secretariat set up: %(secretariat)s"),
    source=_("The alliance's bodies and the council's seats in office"),
    compute=lambda batch: _each(batch, council_establishment, lambda found: Figure(
        value=int(found["council_established"] and found["secretariat_established"]),
        counts={"council_seats": found["council_seats"], "secretariat": int(found["secretariat_established"])})),
)
register(
    "meetings_held", label=_("Meetings held"), unit=Unit.COUNT,
    working=_("%(held)s meetings marked held within the period"),
    source=_("Meetings of the alliance's bodies, marked held, by their date"),
    compute=lambda batch: _each(batch, council_business, lambda business: Figure(
        value=business["meetings_held"], counts={"held": business["meetings_held"]},
        evidence=_meetings_evidence(business))),
)
register(
    "quorum_rate", label=_("Meetings with quorum"), unit=Unit.PERCENT,
    working=_("%(quorate)s of %(held)s meetings held met their quorum, counted with the seats in office and "
              "present when each was held"),
    source=_("Meetings marked held and the quorum recorded when they were held"),
    compute=lambda batch: _each(batch, council_business, lambda business: Figure(
        value=percent(business["meetings_quorate"], business["meetings_held"]),
        counts={"quorate": business["meetings_quorate"], "held": business["meetings_held"]},
        evidence=_meetings_evidence(business))),
)
register(
    "resolutions_adopted", label=_("Resolutions adopted"), unit=Unit.COUNT,
    working=_("%(adopted)s motions adopted within the period"),
    source=_("Motions closed as adopted, by the day they closed"),
    compute=lambda batch: _each(batch, council_business, lambda business: Figure(
        value=business["resolutions_adopted"], counts={"adopted": business["resolutions_adopted"]})),
)
register(
    "tasks_on_time", label=_("Tasks done on time"), unit=Unit.PERCENT,
    working=_("tasks of weight %(on_time)s accepted by their due date, of weight %(due)s due within the period"),
    source=_("Tasks of resolutions due within the period, weighted"),
    compute=lambda batch: _each(batch, council_business, lambda business: Figure(
        value=percent(business["task_weight_on_time"], business["task_weight_due"]),
        counts={"on_time": business["task_weight_on_time"], "due": business["task_weight_due"]})),
)


# Founding documents ----------------------------------------------------------------------------

def plan_documents(ids: list[int], start: date, end: date) -> dict[int, list]:
    """The newest charter, development plan and construction scheme uploaded by the end of the period."""
    found = {pk: {} for pk in ids}
    for document in (AllianceDocument.objects.filter(alliance_id__in=ids, kind__in=PLAN_DOCUMENTS,
                                                     uploaded_at__date__lte=end)
                     .only("id", "alliance_id", "kind", "title", "uploaded_at").order_by("uploaded_at", "id")):
        found[document.alliance_id][document.kind] = document
    return found


register(
    "plan_documents", label=_("Charter, development plan and construction scheme in place"), unit=Unit.COUNT,
    working=_("%(present)s of the 3 documents uploaded"),
    source=_("The alliance's documents of those three kinds uploaded by the end of the period"),
    compute=lambda batch: _each(batch, plan_documents, lambda documents: Figure(
        value=len(documents), counts={"present": len(documents), "kinds": sorted(documents)},
        evidence=tuple({"label": document.title, "date": timezone.localdate(document.uploaded_at),
                        "url": reverse("alliance-document-download", args=[document.alliance_id, document.pk])}
                       for document in documents.values()))),
)


# Supply and demand -------------------------------------------------------------------------------

def supply_and_demand(ids: list[int], start: date, end: date) -> dict[int, dict]:
    """cooperation/metrics.py's figures for many alliances at once, in five queries."""
    figures = {pk: {"events": [], "responses_accepted": 0, "responses_accepted_at_events": 0,
                    "technology_needs_posted": 0, "technology_needs_matched": 0, "talent_needs_posted": 0,
                    "talent_headcount": 0, "talent_filled": 0} for pk in ids}
    for event in (SupplyDemandEvent.objects.filter(alliance_id__in=ids, status=SupplyDemandEvent.Status.HELD,
                                                   starts_at__date__gte=start, starts_at__date__lte=end)
                  .only("id", "alliance_id", "title", "starts_at").order_by("starts_at", "id")):
        figures[event.alliance_id]["events"].append(event)
    accepted = (Response.objects.filter(need__alliance_id__in=ids, status=Response.Status.ACCEPTED,
                                        decided_at__date__gte=start, decided_at__date__lte=end)
                .values("need__alliance_id").annotate(n=Count("id"), at_events=Count("id", filter=Q(event__isnull=False)))
                .order_by())
    for row in accepted:
        figures[row["need__alliance_id"]].update(responses_accepted=row["n"],
                                                 responses_accepted_at_events=row["at_events"])
    unmatched = [TechnologyNeed.Status.OPEN, TechnologyNeed.Status.CLOSED]
    technology = (TechnologyNeed.objects.filter(alliance_id__in=ids, merged_into__isnull=True,
                                                created_at__date__gte=start, created_at__date__lte=end)
                  .values("alliance_id").annotate(n=Count("id"), matched=Count("id", filter=~Q(status__in=unmatched)))
                  .order_by())
    for row in technology:
        figures[row["alliance_id"]].update(technology_needs_posted=row["n"], technology_needs_matched=row["matched"])
    talent = (TalentNeed.objects.filter(alliance_id__in=ids, merged_into__isnull=True, created_at__date__gte=start,
                                        created_at__date__lte=end)
              .values("alliance_id").annotate(n=Count("id"), headcount=Sum("headcount"), filled=Sum("filled"))
              .order_by())
    for row in talent:
        figures[row["alliance_id"]].update(talent_needs_posted=row["n"], talent_headcount=row["headcount"] or 0,
                                           talent_filled=row["filled"] or 0)
    return figures


register(
    "supply_demand_events_held", label=_("Supply–demand events held"), unit=Unit.COUNT,
    working=_("%(held)s events marked held within the period"),
    source=_("Supply–demand events marked held, by their date"),
    compute=lambda batch: _each(batch, supply_and_demand, lambda figures: Figure(
        value=len(figures["events"]), counts={"held": len(figures["events"])},
        evidence=tuple({"label": event.title, "url": reverse("cooperation:event", args=[event.pk]),
                        "date": timezone.localdate(event.starts_at)} for event in figures["events"][:50]))),
)


def _supply_count(key: str, label, working, source, unit=Unit.COUNT):
    register(key, label=label, unit=unit, working=working, source=source,
             compute=lambda batch: _each(batch, supply_and_demand, lambda figures: Figure(
                 value=figures[key], counts={"n": figures[key]})))


_supply_count("responses_accepted", _("Responses to technology needs accepted"),
              _("%(n)s responses accepted within the period"), _("Responses to technology needs, by the day accepted"))
_supply_count("responses_accepted_at_events", _("Responses accepted at supply–demand events"),
              _("%(n)s responses made at an event and accepted within the period"),
              _("Responses to technology needs linked to an event, by the day accepted"))
_supply_count("technology_needs_posted", _("Technology needs posted"), _("%(n)s needs posted within the period"),
              _("Technology needs (merged duplicates left out), by the day posted"))
_supply_count("talent_needs_posted", _("Talent needs posted"), _("%(n)s needs posted within the period"),
              _("Talent needs (merged duplicates left out), by the day posted"))
_supply_count("talent_headcount", _("Headcount of the talent needs"),
              _("%(n)s people asked for by the needs posted within the period"),
              _("Talent needs (merged duplicates left out), by the day posted"))
_supply_count("talent_filled", _("Talent needs filled (people)"),
              _("%(n)s people placed on the needs posted within the period"),
              _("Talent needs (merged duplicates left out), by the day posted"))

register(
    "technology_needs_matched", label=_("Technology needs matched"), unit=Unit.COUNT,
    working=_("%(matched)s of the %(posted)s needs posted within the period are matched, contracted or solved"),
    source=_("Technology needs (merged duplicates left out), by the day posted, and their status now"),
    compute=lambda batch: _each(batch, supply_and_demand, lambda figures: Figure(
        value=figures["technology_needs_matched"],
        counts={"matched": figures["technology_needs_matched"], "posted": figures["technology_needs_posted"]})),
)
register(
    "talent_fill_rate", label=_("Share of the talent headcount filled"), unit=Unit.PERCENT,
    working=_("%(filled)s of %(headcount)s people asked for by the needs posted within the period were placed"),
    source=_("Talent needs (merged duplicates left out), by the day posted"),
    compute=lambda batch: _each(batch, supply_and_demand, lambda figures: Figure(
        value=percent(figures["talent_filled"], figures["talent_headcount"]),
        counts={"filled": figures["talent_filled"], "headcount": figures["talent_headcount"]})),
)


# Matching of majors and industry (matching/; framework leaf B1) ---------------------------------------------

def matching_of_the_year(ids: list[int], start: date, end: date) -> dict[int, dict]:
    """Each alliance's matching measures in the year the period ends in (matching.compute.alliances_metrics: a
    fixed number of queries per city, whatever the number of alliances)."""
    return alliances_matching_metrics(Alliance.objects.filter(id__in=ids).only("id", "city_id"), end.year)


def _matching(key: str, label, working):
    register(key, label=label, unit=Unit.INDEX, working=working,
             source=_("The majors' enrolment and graduates of the member schools and the city's industry figures, "
                      "in the year the period ends in"),
             compute=lambda batch: _each(batch, matching_of_the_year, lambda found: Figure(
                 value=found.get(key), counts={"year": batch.end.year})))


_matching("mean_abs_deviation", _("Structural deviation of majors and industry (mean |D|)"),
          _("the mean of |supply share / industry share − 1| over the sectors in %(year)s (0 is a perfect match)"))
_matching("similarity", _("Similarity of majors and industry (S)"),
          _("the cosine of the supply and industry shares over the sectors in %(year)s (1 is a perfect match)"))
_matching("coupling_d", _("Coupling coordination of education and industry (D)"),
          _("the coupling coordination degree of the education and industry subsystems in %(year)s, from 0 to 1"))


# Cooperation projects and their confirmed outcomes (cooperation/; framework leaves B1–B10) -----------------

def _project_evidence(project) -> dict:
    return {"label": project.title, "url": reverse("cooperation:project", args=[project.pk]),
            "date": project.starts_on}


register_aggregate(
    "projects_started", label=_("Cooperation projects started"), source=_("Cooperation projects, by their start date"),
    queryset=lambda: Project.objects.exclude(status=Project.Status.TERMINATED).select_related(None),
    alliance="alliance_id", date_field="starts_on", evidence=_project_evidence,
    working=_("%(rows)s projects (not terminated) started within the period"),
)

_OUTCOME_UNITS = {Outcome.Metric.TRAINEES: Unit.PERSON_TIMES, Outcome.Metric.CONTRACT_VALUE: Unit.YUAN}


def confirmed_outcomes(ids: list[int], start: date, end: date) -> dict[int, dict]:
    """Per alliance and outcome metric, the confirmed outcomes of the period's years: {"rows", "total"} and the
    projects they belong to (the evidence), in two queries for all the outcome metrics."""
    found = {pk: {"totals": {}, "projects": {}} for pk in ids}
    outcomes = Outcome.objects.filter(project__alliance_id__in=ids, confirmed_at__isnull=False,
                                      year__gte=start.year, year__lte=end.year)
    for row in outcomes.values("project__alliance_id", "metric").annotate(rows=Count("id"), total=Sum("value")) \
            .order_by():
        found[row["project__alliance_id"]]["totals"][row["metric"]] = {"rows": row["rows"], "total": row["total"]}
    for alliance_id, metric, pk, title, starts_on in outcomes.order_by("project_id").values_list(
            "project__alliance_id", "metric", "project_id", "project__title", "project__starts_on").distinct():
        listed = found[alliance_id]["projects"].setdefault(metric, [])
        if len(listed) < EVIDENCE_MAX:
            listed.append({"label": title, "url": reverse("cooperation:project", args=[pk]), "date": starts_on})
    return found


def _outcome(key: str):
    return lambda batch: _each(batch, confirmed_outcomes, lambda found: Figure(
        value=Decimal(found["totals"].get(key, {}).get("total", 0)),
        counts=found["totals"].get(key, {"rows": 0, "total": 0}),
        evidence=tuple(found["projects"].get(key, ()))))


for _metric, _label in Outcome.Metric.choices:
    register(_metric, label=_label, unit=_OUTCOME_UNITS.get(_metric, Unit.COUNT),
             working=_("%(total)s in %(rows)s confirmed outcomes of the period's years"),
             source=_("Outcomes of cooperation projects confirmed by the secretariat, by their year"),
             compute=_outcome(_metric))
