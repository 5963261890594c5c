"""The lists' card on an alliance's page (registered with alliance/extensions.py)."""

from django.db.models import Sum
from django.urls import reverse

from cooperation.kinds import KINDS
from cooperation.models import Outcome, Project
from cooperation.permissions import can_curate, can_read_all, can_read_events
from cooperation.selectors import list_counts_for_alliance


def alliance_lists(request, alliance) -> dict:
    return {
        "alliance": alliance,
        "counts": list_counts_for_alliance(request.user, alliance),
        "can_curate": can_curate(request.user, alliance),
        "reads_all": can_read_all(request.user, alliance),
        "reads_events": request.user.is_authenticated and can_read_events(request.user, alliance),
        "imports": [(kind.slug, kind.plural) for kind in KINDS.values()],
    }


PUBLIC_PROJECTS = 10


def public_projects(alliance) -> dict:
    """The public page's section: the alliance's latest projects and the totals of their confirmed outcomes
    (alliance/extensions.py). Two queries."""
    totals = dict(Outcome.objects.filter(project__alliance=alliance, confirmed_at__isnull=False).order_by()
                  .values_list("metric").annotate(total=Sum("value")))
    labels = dict(Outcome.Metric.choices)
    return {"alliance": alliance,
            "projects": list(Project.objects.filter(alliance=alliance).select_related("lead")
                             .order_by("-starts_on", "-id")[:PUBLIC_PROJECTS]),
            "outcomes": [(labels[metric], totals[metric]) for metric in Outcome.Metric.values if totals.get(metric)]}


def projects_of_resolution(alliance_id: int, pk: int) -> list[dict]:
    """The projects that name a resolution as where they came from (registered with alliance/extensions.py)."""
    return [{"kind": Project._meta.verbose_name, "label": project.title,
             "url": reverse("cooperation:project", args=[project.pk])}
            for project in Project.objects.filter(alliance_id=alliance_id, resolution=pk).only("id", "title")
            .order_by("id")]
