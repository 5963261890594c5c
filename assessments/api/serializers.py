"""Input and output serializers of the assessments API.

Inputs only check shapes and types and turn ids into objects the user may see; the rules
(ranges per indicator, states, deadlines, who may act) are the services'.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.models import Alliance, City
from alliance.selectors import visible_alliance_filter
from assessments import frameworks
from assessments.early_warnings.rules import RULES
from assessments.metrics import Unit, metric
from assessments.models import Assessment, Cycle, EarlyWarning, Framework, RectificationItem, Review
from assessments.prefill import figure_rows
from assessments.selectors import frameworks_for_user
from kernel.api.serializers import NullWhenBlankMixin
from members.models import User

MAX_ID = 2**31 - 1
# The range of Indicator.weight and Indicator.max_score: anything wider is refused here, before the
# services' exact arithmetic sees it.
NUMBER = {"max_digits": 7, "decimal_places": 2}


def _ids_field(**kwargs):
    return serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)


def _scores_field(**kwargs):
    return serializers.DictField(child=serializers.DecimalField(**NUMBER), **kwargs)


def _texts_field(**kwargs):
    return serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=20000), **kwargs)


# Frameworks -----------------------------------------------------------------


class ThresholdSerializer(serializers.Serializer):
    at_least = serializers.DecimalField(max_digits=17, decimal_places=2, help_text="The lowest value of this step.")
    score = serializers.DecimalField(**NUMBER, help_text="The leaf's score from that value on.")


class BindingSerializer(serializers.Serializer):
    """A leaf's metric and scoring rule: thresholds (values and scores increasing), or linear up to the leaf's
    maximum score, reached at `full_at`."""

    metric = serializers.CharField(max_length=60, help_text="A key of GET /api/v1/metrics/.")
    rule = serializers.ChoiceField(choices=["thresholds", "linear"])
    thresholds = ThresholdSerializer(many=True, required=False, max_length=20,
                                     help_text="With the rule thresholds: the steps, lowest first.")
    full_at = serializers.DecimalField(max_digits=17, decimal_places=2, required=False,
                                       help_text="With the rule linear: the value that earns the maximum score.")


class IndicatorNodeSerializer(serializers.Serializer):
    """A node of the indicator tree; `children` are nodes of the same shape. Leaves are scored."""

    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=300)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    weight = serializers.DecimalField(**NUMBER, min_value=Decimal(0), required=False)
    max_score = serializers.DecimalField(**NUMBER, min_value=Decimal(0), required=False)
    veto = serializers.BooleanField(required=False, default=False)
    guidance = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    guidance_en = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    binding = BindingSerializer(required=False, allow_null=True,
                                help_text="A leaf bound to a metric; null when it is scored by hand only.")

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = IndicatorNodeSerializer(many=True, required=False)
        return fields


def _check_tree_size(nodes) -> None:
    """Refuse a tree deeper or larger than a framework may be before validating it node by node."""
    level, depth, count = nodes if isinstance(nodes, list) else [], 0, 0
    while level:
        depth += 1
        count += len(level)
        if depth > frameworks.MAX_DEPTH:
            raise serializers.ValidationError(
                {"indicators": [_("Indicators are nested more than %(depth)d levels deep.")
                                % {"depth": frameworks.MAX_DEPTH}]})
        if count > frameworks.MAX_NODES:
            raise serializers.ValidationError(
                {"indicators": [_("A framework has at most %(max)d indicators.") % {"max": frameworks.MAX_NODES}]})
        level = [child for node in level if isinstance(node, dict) and isinstance(node.get("children"), list)
                 for child in node["children"]]


class FrameworkTreeInputSerializer(serializers.Serializer):
    indicators = IndicatorNodeSerializer(many=True, allow_empty=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            _check_tree_size(data.get("indicators"))
        return super().to_internal_value(data)


class FrameworkInputSerializer(FrameworkTreeInputSerializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    description_en = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class FrameworkOutputSerializer(serializers.ModelSerializer):
    city_name = serializers.CharField(source="city.name", default=None, allow_null=True,
                                      help_text="Null for a framework any city may use.")
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ["id", "name", "name_en", "version", "status", "description", "description_en", "city",
                  "city_name", "created_at", "published_at", "indicators"]

    @extend_schema_field(IndicatorNodeSerializer(many=True))
    def get_indicators(self, framework):
        return frameworks.nest(framework.indicators.all())


# Cycles ---------------------------------------------------------------------


class ThresholdsSerializer(serializers.Serializer):
    """Lowest final score of each grade; below `rectify` is unqualified."""

    excellent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0),
                                         max_value=Decimal(100), default=Decimal(90), source="excellent_from")
    qualified = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0),
                                         max_value=Decimal(100), default=Decimal(75), source="qualified_from")
    rectify = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal(0),
                                       max_value=Decimal(100), default=Decimal(60), source="rectify_from")


class CycleOutputSerializer(serializers.ModelSerializer):
    framework_name = serializers.CharField(source="framework.name")
    framework_version = serializers.IntegerField(source="framework.version")
    city_name = serializers.CharField(source="city.name")
    thresholds = ThresholdsSerializer(source="*")

    class Meta:
        model = Cycle
        fields = ["id", "framework", "framework_name", "framework_version", "city", "city_name", "title",
                  "opens_on", "self_assessment_due", "review_due", "status", "thresholds", "created_at"]


class CycleInputSerializer(serializers.Serializer):
    """Needs the request in its context: the framework and the alliances must be visible to the caller."""

    framework = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    city = serializers.PrimaryKeyRelatedField(queryset=City.objects.all())
    title = serializers.CharField(max_length=200)
    opens_on = serializers.DateField()
    self_assessment_due = serializers.DateField()
    review_due = serializers.DateField()
    alliances = _ids_field(allow_empty=False, max_length=1000, help_text="One assessment is opened per alliance.")
    thresholds = ThresholdsSerializer(required=False)

    def validate_framework(self, pk):
        framework = frameworks_for_user(self.context["request"].user).filter(pk=pk).first()
        if framework is None:
            raise serializers.ValidationError(_("There is no indicator framework with the id %(id)s.") % {"id": pk})
        return framework

    def validate_alliances(self, ids):
        user = self.context["request"].user
        found = {a.pk: a for a in Alliance.objects.filter(visible_alliance_filter(user), pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(_("There is no alliance with the id %(ids)s.")
                                              % {"ids": ", ".join(missing)})
        return [found[pk] for pk in dict.fromkeys(ids)]


# Assessments ----------------------------------------------------------------


class RectificationItemSerializer(NullWhenBlankMixin, serializers.ModelSerializer):
    class Meta:
        model = RectificationItem
        fields = ["id", "text", "due_on", "done_at", "done_note"]
        null_when_blank = ["done_note"]


class EvidenceLinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(required=False, help_text="The record's page.")
    date = serializers.DateField(required=False)


class FigureWorkingSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="How the value follows from the counts, in the caller's language.")
    source = serializers.CharField(help_text="Which records are counted.")
    counts = serializers.DictField(help_text="The numbers the value was computed from.")


class FigureSerializer(serializers.Serializer):
    """A metric's value for an alliance and a period, its working and its evidence."""

    metric = serializers.CharField(help_text="The metric's key.")
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    unit_label = serializers.CharField()
    value = serializers.CharField(allow_null=True, help_text="A decimal string; null when there is nothing to "
                                                             "measure (a rate of no meetings).")
    working = FigureWorkingSerializer()
    evidence = EvidenceLinkSerializer(many=True, help_text="The records the figure rests on (at most 50).")


class BoundFigureSerializer(FigureSerializer):
    code = serializers.CharField(help_text="The bound leaf.")
    score = serializers.CharField(allow_null=True, help_text="The score the leaf's rule gives the value; null when "
                                                             "the value is not available.")


class MetricDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable: framework bindings and frozen self-assessments keep it.")
    label = serializers.CharField()
    unit = serializers.ChoiceField(choices=Unit.choices)
    unit_label = serializers.SerializerMethodField()
    working = serializers.CharField(help_text="How the value follows from the counts (%(name)s: a count).")
    source = serializers.CharField(help_text="Which records are counted.")

    def get_unit_label(self, metric) -> str:
        return str(Unit(metric.unit).label)


# The longest period one request may ask figures for.
PERIOD_MAX_DAYS = 366 * 5


class PeriodQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The first day of the period.")
    end = serializers.DateField(help_text="The last day of the period (at most five years after start).")
    metrics = serializers.CharField(required=False, max_length=2000,
                                    help_text="Comma-separated metric keys; every metric when left out.")

    def validate_metrics(self, value):
        keys = [key.strip() for key in value.split(",") if key.strip()]
        unknown = [key for key in keys if metric(key) is None]
        if unknown:
            raise serializers.ValidationError(_("Unknown metrics: %(keys)s") % {"keys": ", ".join(unknown)})
        return list(dict.fromkeys(keys))

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": [_("The end of the period comes before its start.")]})
        if (data["end"] - data["start"]).days > PERIOD_MAX_DAYS:
            raise serializers.ValidationError({"end": [_("A period is at most five years long.")]})
        return data


class AllianceMetricsSerializer(serializers.Serializer):
    alliance = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    metrics = FigureSerializer(many=True)


class AssessmentFiguresSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    frozen = serializers.BooleanField(help_text="Kept as they were when the self-assessment was submitted.")
    indicators = BoundFigureSerializer(many=True, help_text="One per bound leaf, in the framework's order.")


class AssessmentOutputSerializer(NullWhenBlankMixin, serializers.ModelSerializer):
    cycle_title = serializers.CharField(source="cycle.title")
    alliance_name = serializers.CharField(source="alliance.name")
    self_scores = serializers.DictField(child=serializers.CharField(), help_text="{indicator code: score}")
    self_narratives = serializers.DictField(child=serializers.CharField(), help_text="{indicator code: text}")
    computed_metrics = serializers.DictField(help_text="Figures computed from the alliance's own records.")
    figures = serializers.SerializerMethodField(help_text="The figures of the bound leaves and the scores they give.")
    score_reasons = serializers.DictField(child=serializers.CharField(),
                                          help_text="{bound leaf code: why its score differs from the computed one}")
    working = serializers.ListField(child=serializers.DictField(),
                                    help_text="How the final score was reached, indicator by indicator.")
    rectification_items = RectificationItemSerializer(many=True)

    class Meta:
        model = Assessment
        fields = ["id", "cycle", "cycle_title", "alliance", "alliance_name", "status", "self_scores",
                  "self_narratives", "computed_metrics", "figures", "score_reasons", "submitted_at", "returned_reason", "final_score",
                  "veto_failed", "grade", "rectify_by", "decision_note", "working", "decided_at", "published_at",
                  "rectification_items"]
        null_when_blank = ["returned_reason", "grade", "decision_note"]

    @extend_schema_field(AssessmentFiguresSerializer)
    def get_figures(self, assessment):
        figures = assessment.figures or {}
        rows = figure_rows(figures)
        return {
            "start": figures.get("start"), "end": figures.get("end"), "computed_at": figures.get("computed_at"),
            "frozen": assessment.status != Assessment.Status.DRAFT,
            "indicators": [{"code": code, **row} for code, row in rows.items()],
        }


class SelfAssessmentInputSerializer(serializers.Serializer):
    """Merged into what is saved: send only the indicators that change."""

    self_scores = _scores_field(required=False, help_text="{leaf indicator code: score}")
    self_narratives = _texts_field(required=False, help_text="{indicator code: text}")
    score_reasons = _texts_field(required=False, help_text="{bound leaf code: why its score differs from the "
                                                           "computed one}; needed for each such score.")


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ExpertsInputSerializer(serializers.Serializer):
    experts = _ids_field(allow_empty=False, max_length=50, help_text="User ids of expert reviewers.")

    def validate_experts(self, ids):
        found = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(_("There is no user with the id %(ids)s.") % {"ids": ", ".join(missing)})
        return [found[pk] for pk in dict.fromkeys(ids)]


class DecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    rectify_by = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text="Required when the grade is rectify.")
    rectification_items = serializers.ListField(
        child=serializers.CharField(max_length=2000, allow_blank=True), required=False, default=list, max_length=100,
        help_text="What the alliance must put right by rectify_by (kept when the grade is rectify).",
    )


# Reviews --------------------------------------------------------------------


class ReviewOutputSerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.__str__")
    scores = serializers.DictField(child=serializers.CharField(), help_text="{leaf indicator code: score}")
    comments = serializers.DictField(child=serializers.CharField(), help_text="{indicator code: comment}")

    class Meta:
        model = Review
        fields = ["id", "assessment", "expert", "expert_name", "declared_no_conflict", "scores", "comments",
                  "comment", "status", "assigned_at", "submitted_at"]


class ReviewInputSerializer(serializers.Serializer):
    """Merged into what is saved: send only what changes."""

    declared_no_conflict = serializers.BooleanField(required=False)
    scores = _scores_field(required=False, help_text="{leaf indicator code: score}")
    comments = _texts_field(required=False, help_text="{indicator code: comment}")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class EarlyWarningSerializer(serializers.ModelSerializer):
    """An open early warning of an alliance: the rule met, its level, the value found and the threshold, since
    when (assessments/early_warnings/rules.py)."""

    rule = serializers.ChoiceField(choices=list(RULES), help_text="The rule's code.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    threshold = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = EarlyWarning
        fields = ["alliance", "rule", "level", "value", "threshold", "since"]
