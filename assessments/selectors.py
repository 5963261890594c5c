"""Reads of frameworks, cycles, assessments and reviews, scoped to the user.

Experts see what they are assigned; secretariats their alliance's; officials their
city's; everyone else only published results.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from assessments.models import Assessment, Cycle, Framework, Report, Review
from assessments.permissions import can_get_report
from kernel.scope import scope_of
from kernel.selectors import get_or_404
from members.models import RoleGrant, User


def frameworks_for_user(user) -> QuerySet[Framework]:
    """Published frameworks are public (the criteria are no secret); drafts only to officials."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Framework.objects.all()
    visible = Q(status=Framework.Status.PUBLISHED)
    if scope.official_city_ids:
        visible |= Q(city_id__in=scope.official_city_ids)
    return Framework.objects.filter(visible)


def assessments_for_user(user) -> QuerySet[Assessment]:
    scope = scope_of(user)
    queryset = Assessment.objects.select_related("cycle", "alliance", "cycle__framework")
    if scope.is_superuser:
        return queryset
    visible = Q(published_at__isnull=False)
    if scope.official_city_ids:
        visible |= Q(cycle__city_id__in=scope.official_city_ids)
    if scope.secretariat_alliance_ids:
        visible |= Q(alliance_id__in=scope.secretariat_alliance_ids)
    if scope.is_authenticated:
        visible |= Q(id__in=Review.objects.filter(expert=user).values("assessment_id"))
    return queryset.filter(visible)


def published_results(alliance) -> QuerySet[Assessment]:
    """The alliance's published assessment results, newest first: public, whoever asks."""
    return Assessment.objects.filter(alliance=alliance, published_at__isnull=False).select_related(
        "cycle").order_by("-published_at", "-id")


def assessment_get_for_user(user, pk, *, for_update: bool = False) -> Assessment:
    queryset = assessments_for_user(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_404(queryset, pk)


def cycles_for_user(user) -> QuerySet[Cycle]:
    scope = scope_of(user)
    queryset = Cycle.objects.select_related("framework", "city")
    if scope.is_superuser:
        return queryset
    return queryset.filter(
        Q(city_id__in=scope.official_city_ids) | Q(id__in=assessments_for_user(user).values("cycle_id"))
    )


def reviews_for_user(user) -> QuerySet[Review]:
    """Experts see their own reviews; officials those of their city. Nobody else."""
    scope = scope_of(user)
    queryset = Review.objects.select_related("assessment__cycle__framework", "assessment__alliance", "expert")
    if scope.is_superuser:
        return queryset
    visible = Q(pk__in=[])
    if scope.is_authenticated:
        visible |= Q(expert=user)
    if scope.official_city_ids:
        visible |= Q(assessment__cycle__city_id__in=scope.official_city_ids)
    return queryset.filter(visible)


def review_get_for_user(user, pk, *, for_update: bool = False) -> Review:
    queryset = reviews_for_user(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_404(queryset, pk)


def report_subject_for_user(user, kind: str, pk) -> dict:
    """The assessment or cycle a report of this kind is about, if the user may see it; 404 otherwise."""
    if kind == Report.Kind.ASSESSMENT_PDF:
        return {"assessment": assessment_get_for_user(user, pk)}
    if kind in (Report.Kind.CITY_PDF, Report.Kind.CITY_XLSX):
        return {"cycle": get_or_404(cycles_for_user(user), pk)}
    raise Http404


def report_get_for_user(user, pk) -> Report:
    """The report if the user may get it; 404 for missing, hidden and forbidden alike."""
    report = get_or_404(Report.objects.all(), pk)
    subject = report_subject_for_user(user, report.kind, report.assessment_id or report.cycle_id)
    if not can_get_report(user, report.kind, **subject):
        raise Http404
    report.assessment = subject.get("assessment")
    report.cycle = subject.get("cycle")
    return report


def expert_reviewers() -> QuerySet:
    """Users who hold the expert role, for an official choosing reviewers."""
    return User.objects.filter(role_grants__role=RoleGrant.Role.EXPERT).distinct().order_by("username")
