"""The annual cycle over the API: `annual-plans/` and `annual-reports/` of the alliances a secretariat runs or an
official oversees (as the pages show them). Writes go through assessments.annual.services: POST creates the
year's plan or report (409 when it exists), PATCH changes a draft (409 once submitted), `submit` submits it."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alliance.selectors import alliance_get_for_user
from assessments.annual import document, services
from assessments.annual.plans import (
    executions,
    is_late,
    plan_due,
    plans_for,
    report_due,
    reports_for,
)
from assessments.metrics import metric
from assessments.models import AnnualPlan, AnnualReport
from assessments.permissions import oversees_alliance
from kernel.api.schema import NOT_FOUND, documented_errors
from kernel.downloads import attachment
from kernel.errors import NotAllowed, StateConflict
from kernel.selectors import get_or_404

MAX_ID = 2**31 - 1
NUMBER = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": True}


def _ids(**kwargs):
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=500,
                                 **kwargs)


class TargetSerializer(serializers.Serializer):
    metric = serializers.CharField(max_length=60, help_text="A metric key of `metrics/` (count, per cent, yuan or "
                                                            "person-times).")
    label = serializers.SerializerMethodField()
    target = serializers.DecimalField(min_value=0, **NUMBER)
    weight = serializers.DecimalField(min_value=0, required=False, default="1", **NUMBER)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def get_label(self, target) -> str:
        one = metric(target["metric"] if isinstance(target, dict) else target.metric)
        return str(one.label) if one else ""


class ExecutionItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["target", "task"])
    key = serializers.CharField(help_text="The metric's key, or task:<id>.")
    label = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(**NUMBER)
    achieved = serializers.DecimalField(**NUMBER)
    weight = serializers.DecimalField(**NUMBER)
    percent = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=True)


class ExecutionSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="The records counted run from 1 January to this day.")
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=True, allow_null=True,
                                    help_text="Weighted mean of the items' shares done, each capped at 100; null "
                                              "when the plan has no items.")
    items = ExecutionItemSerializer(many=True)


class AnnualPlanOutputSerializer(serializers.ModelSerializer):
    alliance_name = serializers.CharField(source="alliance.name")
    targets = TargetSerializer(many=True)
    tasks = serializers.SerializerMethodField()
    projects = serializers.SerializerMethodField()
    due_on = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    execution = serializers.SerializerMethodField()

    class Meta:
        model = AnnualPlan
        fields = ["id", "alliance", "alliance_name", "year", "status", "summary", "targets", "tasks", "projects",
                  "due_on", "late", "submitted_at", "execution"]

    def get_tasks(self, plan) -> list[int]:
        return sorted(task.pk for task in plan.tasks.all())

    def get_projects(self, plan) -> list[int]:
        return sorted(project.pk for project in plan.projects.all())

    def get_due_on(self, plan) -> str:
        return plan_due(plan.year).isoformat()

    def get_late(self, plan) -> bool:
        """Submitted after 31 January, or still not submitted after it."""
        return is_late(plan, plan_due(plan.year))

    @extend_schema_field(ExecutionSerializer)
    def get_execution(self, plan):
        execution = self.context["executions"][plan.pk]
        return ExecutionSerializer({"until": execution.until, "rate": execution.rate, "items": [
            {**item, "label": str(item["label"]), "unit": str(item["unit"])} for item in execution.items]}).data


class AnnualPlanInputSerializer(serializers.Serializer):
    alliance = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    summary = serializers.CharField(max_length=document.NARRATIVE_MAX, required=False, allow_blank=True)
    targets = TargetSerializer(many=True, required=False)
    tasks = _ids(required=False)
    projects = _ids(required=False)


class AnnualPlanPatchSerializer(AnnualPlanInputSerializer):
    alliance = None
    year = None


def _narratives(**kwargs):
    return serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=document.NARRATIVE_MAX),
                                 help_text="{section: text}; the sections are " + ", ".join(document.SECTION_CODES)
                                 + ".", **kwargs)


class AnnualReportOutputSerializer(serializers.ModelSerializer):
    alliance_name = serializers.CharField(source="alliance.name")
    due_on = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = AnnualReport
        fields = ["id", "alliance", "alliance_name", "year", "status", "narratives", "due_on", "late",
                  "submitted_at", "pdf"]

    def get_due_on(self, report) -> str:
        return report_due(report.year).isoformat()

    def get_late(self, report) -> bool:
        """Submitted after 31 December, or still not submitted after it."""
        return is_late(report, report_due(report.year))

    def get_pdf(self, report) -> str:
        """Where to get the report as a PDF: the file kept at submission, else drawn from the records now."""
        return self.context["request"].build_absolute_uri(reverse("api-annual-report-pdf", args=[report.pk]))


class AnnualReportDetailSerializer(AnnualReportOutputSerializer):
    data = serializers.SerializerMethodField()

    class Meta(AnnualReportOutputSerializer.Meta):
        fields = [*AnnualReportOutputSerializer.Meta.fields, "data"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, report):
        """What the report shows (in Chinese): its sections with their figures and narratives, charts' data,
        participation and the plan's execution; frozen once submitted."""
        return document.shown(report.alliance, report.year, report)


class AnnualReportInputSerializer(serializers.Serializer):
    alliance = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    narratives = _narratives(required=False)


class AnnualReportPatchSerializer(serializers.Serializer):
    narratives = _narratives()


def _alliance(user, pk):
    alliance = alliance_get_for_user(user, pk)
    if not oversees_alliance(user, alliance):
        raise NotAllowed(_("The annual work plan and report are for the alliance's secretariat and the city's "
                           "officials."))
    return alliance


@extend_schema_view(
    list=extend_schema(summary="The years' work plans of the alliances the caller runs or oversees"),
    retrieve=extend_schema(responses={200: AnnualPlanOutputSerializer, 404: NOT_FOUND}),
)
class AnnualPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An alliance's work plan for a year: targets per metric, the tasks and projects that carry them, and the
    execution rate computed from the records. Due on 31 January; the secretariat writes it, the city's officials
    read it."""

    serializer_class = AnnualPlanOutputSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["alliance", "year", "status"]
    ordering_fields = ["year", "id"]
    ordering = ["-year", "alliance_id"]

    def get_queryset(self):
        return plans_for(self.request.user).prefetch_related("targets", "tasks", "projects")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "executions": getattr(self, "_executions", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._executions = executions(page if page is not None else queryset)
        return page

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return self._output(self.get_object())

    def _output(self, plan, code=status.HTTP_200_OK):
        """The plan as it is now, with its execution (computed here, once)."""
        plan = self.get_queryset().get(pk=plan.pk)
        self._executions = executions([plan])
        return Response(self.get_serializer(plan).data, status=code)

    @extend_schema(request=AnnualPlanInputSerializer,
                   responses={201: AnnualPlanOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def create(self, request):
        """Write the year's plan (409 when the alliance has one for that year: PATCH it)."""
        data = _valid(AnnualPlanInputSerializer, request.data)
        alliance = _alliance(request.user, data["alliance"])
        if AnnualPlan.objects.filter(alliance=alliance, year=data["year"]).exists():
            raise StateConflict(_("The alliance has a plan for this year already: change it instead."), code="exists")
        plan = services.plan_save(actor=request.user, alliance=alliance, year=data["year"],
                                  summary=data.get("summary", ""), targets=_targets(data.get("targets", [])),
                                  task_ids=data.get("tasks", []), project_ids=data.get("projects", []))
        return self._output(plan, status.HTTP_201_CREATED)

    @extend_schema(request=AnnualPlanPatchSerializer,
                   responses={200: AnnualPlanOutputSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        """Change a draft plan: the fields given replace the plan's (targets as a whole list)."""
        plan = self.get_object()
        data = _valid(AnnualPlanPatchSerializer, request.data)
        plan = services.plan_save(
            actor=request.user, alliance=plan.alliance, year=plan.year,
            summary=data.get("summary", plan.summary),
            targets=_targets(data["targets"] if "targets" in data else plan.targets.values(
                "metric", "target", "weight", "note")),
            task_ids=data.get("tasks", [task.pk for task in plan.tasks.all()]),
            project_ids=data.get("projects", [project.pk for project in plan.projects.all()]))
        return self._output(plan)

    @extend_schema(request=None, responses={200: AnnualPlanOutputSerializer, **documented_errors(400, 401, 403, 404,
                                                                                                409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the plan (409 when it is already)."""
        plan = services.plan_submit(actor=request.user, plan=self.get_object())
        return self._output(plan)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _targets(targets) -> list[dict]:
    return [{"metric": target["metric"], "target": target["target"], "weight": target.get("weight", 1),
             "note": target.get("note", "")} for target in targets]


@extend_schema_view(
    list=extend_schema(summary="The years' construction self-assessment reports of the alliances the caller runs "
                               "or oversees"),
    retrieve=extend_schema(responses={200: AnnualReportDetailSerializer, 404: NOT_FOUND}),
)
class AnnualReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An alliance's construction self-assessment report for a year: figures from the records, narratives per
    section, a PDF in Chinese. Due on 31 December; submitting freezes its data and keeps its PDF."""

    serializer_class = AnnualReportOutputSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["alliance", "year", "status"]
    ordering_fields = ["year", "id"]
    ordering = ["-year", "alliance_id"]

    def get_queryset(self):
        return reports_for(self.request.user).select_related("alliance__city")

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def get_serializer_class(self):
        return AnnualReportDetailSerializer if self.action != "list" else AnnualReportOutputSerializer

    def _output(self, report, code=status.HTTP_200_OK):
        return Response(AnnualReportDetailSerializer(self.get_queryset().get(pk=report.pk),
                                                     context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=AnnualReportInputSerializer,
                   responses={201: AnnualReportDetailSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def create(self, request):
        """Start the year's report (409 when the alliance has one for that year: PATCH it)."""
        data = _valid(AnnualReportInputSerializer, request.data)
        alliance = _alliance(request.user, data["alliance"])
        if AnnualReport.objects.filter(alliance=alliance, year=data["year"]).exists():
            raise StateConflict(_("The alliance has a report for this year already: change it instead."),
                                code="exists")
        report = services.report_save(actor=request.user, alliance=alliance, year=data["year"],
                                      narratives=data.get("narratives", {}))
        return self._output(report, status.HTTP_201_CREATED)

    @extend_schema(request=AnnualReportPatchSerializer,
                   responses={200: AnnualReportDetailSerializer, **documented_errors(400, 401, 403, 404, 409)})
    def partial_update(self, request, pk=None):
        """Change a draft's narratives: the sections given replace theirs (an empty text removes one)."""
        report = self.get_object()
        data = _valid(AnnualReportPatchSerializer, request.data)
        report = services.report_save(actor=request.user, alliance=report.alliance, year=report.year,
                                      narratives=data["narratives"])
        return self._output(report)

    @extend_schema(request=None, responses={200: AnnualReportDetailSerializer, **documented_errors(401, 403, 404,
                                                                                                  409)})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the report: its data is frozen and its PDF kept (409 when it is already submitted)."""
        report = services.report_submit(actor=request.user, report=self.get_object())
        return self._output(report)

    # Declared and sent as application/octet-stream (a file to save, named *.pdf): portal clients generated from
    # the schema know that type, not application/pdf.
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              **documented_errors(401, 404)})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The report as a PDF in Chinese: the file kept at submission, else drawn from the records now."""
        report = self.get_object()
        content, name = document.pdf_of(report.alliance, report.year, report)
        return attachment(content, "application/octet-stream", name)
