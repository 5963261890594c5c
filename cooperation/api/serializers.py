"""Input and output serializers of the cooperation API (COOPERATION.md).

Inputs check shapes and types and turn ids into objects (an alliance the caller cannot see is refused like
an unknown one); the rules (who posts, membership, budgets, headcounts, major categories, states) are the
services' and the models'. Outputs read what the selectors loaded, so a list costs the same few queries
whatever its length.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from alliance.models import Alliance, IndustrialChain
from alliance.selectors import visible_alliance_filter
from cooperation.models import (
    MAX_AMOUNT,
    MAX_YEAR,
    MIN_YEAR,
    Contribution,
    CoreProduct,
    Offer,
    Outcome,
    OutcomeEvidence,
    Project,
    ProjectPartner,
    Response,
    Suggestion,
    TalentNeed,
    TechnologyNeed,
    Visibility,
)
from cooperation.suggestions import describe
from members.models import Organization

MAX_ID = 2**31 - 1
LONG_TEXT = 20000
MAX_COUNT = 1_000_000

ENTRY_OUTPUT = ["id", "alliance", "alliance_name", "organization", "organization_name", "year", "visibility",
                "published_at", "merged_into", "created_at", "updated_at"]


class EntryOutputSerializer(serializers.ModelSerializer):
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True, allow_null=True, default=None)


class CoreProductSerializer(EntryOutputSerializer):
    class Meta:
        model = CoreProduct
        fields = [*ENTRY_OUTPUT, "name", "chain", "chain_name", "description", "key_technologies", "status"]


class TechnologyNeedSerializer(EntryOutputSerializer):
    response_count = serializers.IntegerField(read_only=True, help_text="Live responses: proposed or accepted.")

    class Meta:
        model = TechnologyNeed
        fields = [*ENTRY_OUTPUT, "title", "description", "chain", "chain_name", "form", "budget_min", "budget_max",
                  "wanted_by", "status", "response_count"]


class TalentNeedSerializer(EntryOutputSerializer):
    class Meta:
        model = TalentNeed
        fields = [*ENTRY_OUTPUT, "position", "major_code", "major_category", "chain", "chain_name", "education_level",
                  "headcount", "filled", "salary_min", "salary_max", "location", "description", "status"]


class OfferSerializer(EntryOutputSerializer):
    class Meta:
        model = Offer
        fields = [*ENTRY_OUTPUT, "kind", "title", "description", "chain", "chain_name", "major_code",
                  "major_category", "enrolment", "graduates", "audience", "status"]


class ResponseSerializer(serializers.ModelSerializer):
    need_title = serializers.CharField(source="need.title", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Response
        fields = ["id", "need", "need_title", "organization", "organization_name", "note", "status", "event",
                  "created_at", "decided_at", "decision_note"]


class SuggestionSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    reason = serializers.SerializerMethodField(help_text="Why, in the caller's language.")

    class Meta:
        model = Suggestion
        fields = ["organization", "organization_name", "rank", "score", "reason", "reasons", "computed_at"]

    def get_reason(self, suggestion) -> str:
        return describe(suggestion.reasons)


# Inputs ------------------------------------------------------------------------------------------------------


def _amount(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT, required=False, allow_null=True, **kwargs)


def _count(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=MAX_COUNT, **kwargs)


@extend_schema_field({"type": "integer"})
class _VisibleAllianceField(serializers.IntegerField):
    """An alliance the caller can see: any other id is unknown, whether it exists or not."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)
        found = Alliance.objects.filter(visible_alliance_filter(self.context["request"].user), pk=pk).first()
        if found is None:
            raise serializers.ValidationError(_("There is no alliance with the id %(ids)s.") % {"ids": pk})
        return found


class EntryInputSerializer(serializers.Serializer):
    """What every entry takes. `alliance` and `organization` are set when it is posted, never changed."""

    alliance = _VisibleAllianceField(help_text="The alliance whose list the entry joins.")
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), help_text="An active member unit of the alliance: the caller's own "
                                                       "unit, or any for the alliance's secretariat.")
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False,
                                    help_text="This year when not given.")
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False,
                                         help_text="`public`: the public reads it once the secretariat publishes it.")

    def __init__(self, *args, updating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if updating:
            for name in ("alliance", "organization"):
                del self.fields[name]


def _chain():
    return serializers.PrimaryKeyRelatedField(queryset=IndustrialChain.objects.all(), required=False,
                                              allow_null=True, help_text="A key industrial chain of the alliance's city.")


@extend_schema_serializer(component_name="CoreProductInput")
class CoreProductInputSerializer(EntryInputSerializer):
    name = serializers.CharField(max_length=200)
    chain = _chain()
    description = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
    key_technologies = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)


@extend_schema_serializer(component_name="TechnologyNeedInput")
class TechnologyNeedInputSerializer(EntryInputSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=LONG_TEXT)
    chain = _chain()
    form = serializers.ChoiceField(choices=TechnologyNeed.Form.choices, required=False)
    budget_min = _amount(help_text="Yuan.")
    budget_max = _amount(help_text="Yuan; not below budget_min.")
    wanted_by = serializers.DateField(required=False, allow_null=True)


@extend_schema_serializer(component_name="TalentNeedInput")
class TalentNeedInputSerializer(EntryInputSerializer):
    position = serializers.CharField(max_length=200)
    major_code = serializers.CharField(max_length=20, help_text="Six digits; the first two a major category 41–59.")
    chain = _chain()
    education_level = serializers.ChoiceField(choices=TalentNeed.EducationLevel.choices, required=False)
    headcount = _count(help_text="At least 1.")
    filled = _count(required=False, help_text="Not above the headcount.")
    salary_min = _amount(help_text="Yuan a month.")
    salary_max = _amount(help_text="Yuan a month; not below salary_min.")
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)


@extend_schema_serializer(component_name="OfferInput")
class OfferInputSerializer(EntryInputSerializer):
    kind = serializers.ChoiceField(choices=Offer.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
    chain = _chain()
    major_code = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                       help_text="Required for a major: six digits, the first two a category 41–59.")
    enrolment = _count(required=False, allow_null=True, help_text="Required for a major.")
    graduates = _count(required=False, allow_null=True, help_text="Required for a major.")
    audience = serializers.ChoiceField(choices=Offer.Audience.choices, required=False, allow_blank=True,
                                       help_text="Training programmes only.")

    def __init__(self, *args, updating=False, **kwargs):
        super().__init__(*args, updating=updating, **kwargs)
        if updating:
            self.fields["kind"].required = False


class MergeInputSerializer(serializers.Serializer):
    into = serializers.IntegerField(min_value=1, max_value=MAX_ID,
                                    help_text="The entry to keep: the same unit's, in the same list and alliance.")


class RespondInputSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), help_text="The school or research institute the caller acts for.")
    note = serializers.CharField(max_length=5000, help_text="What the unit can offer.")


class ResponseDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


# Projects ------------------------------------------------------------------------------------------------------


class PartnerSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = ProjectPartner
        fields = ["organization", "organization_name", "role"]


class ContributionSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Contribution
        fields = ["id", "project", "organization", "organization_name", "kind", "year", "amount", "unit",
                  "description", "recorded_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    filename = serializers.CharField(read_only=True)
    download = serializers.SerializerMethodField(help_text="The file, for the secretariat, the city's officials "
                                                           "and the project's units (a signed-in page address).")

    class Meta:
        model = OutcomeEvidence
        fields = ["id", "title", "filename", "uploaded_at", "download"]

    def get_download(self, evidence) -> str:
        return reverse("cooperation:evidence", args=[evidence.pk])


class OutcomeSerializer(serializers.ModelSerializer):
    confirmed = serializers.BooleanField(source="is_confirmed", read_only=True,
                                         help_text="Only confirmed outcomes count in the alliance's figures.")
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Outcome
        fields = ["id", "project", "year", "metric", "value", "note", "confirmed", "confirmed_at", "recorded_at",
                  "evidence"]


class ProjectSerializer(serializers.ModelSerializer):
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    partners = PartnerSerializer(many=True, read_only=True)
    contributions = ContributionSerializer(many=True, read_only=True,
                                           help_text="For the alliance's people; empty for the public.")
    outcomes = OutcomeSerializer(many=True, read_only=True,
                                 help_text="Confirmed outcomes; also unconfirmed ones for the secretariat, the "
                                           "city's officials and the project's units.")

    class Meta:
        model = Project
        fields = ["id", "alliance", "alliance_name", "kind", "title", "description", "lead", "lead_name",
                  "partners", "starts_on", "ends_on", "status", "need", "talent_need", "resolution", "contributions",
                  "outcomes", "created_at", "updated_at"]


class PartnerInputSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(),
                                                      help_text="An active member unit of the alliance.")
    role = serializers.ChoiceField(choices=ProjectPartner.Role.choices, required=False, default="partner")


@extend_schema_serializer(component_name="ContributionInput")
class ContributionInputSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(),
                                                      help_text="The lead or a partner of the project.")
    kind = serializers.ChoiceField(choices=Contribution.Kind.choices)
    amount = serializers.DecimalField(max_digits=17, decimal_places=2, min_value=0, max_value=MAX_AMOUNT,
                                      help_text="In `unit`: yuan for funds and equipment by default.")
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                 help_text="yuan, m2, persons, items … (by kind when left out).")
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False,
                                    help_text="Within the project's dates; its first year when left out.")
    description = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)


@extend_schema_serializer(component_name="OutcomeInput")
class OutcomeInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR,
                                    help_text="Within the project's dates.")
    metric = serializers.ChoiceField(choices=Outcome.Metric.choices)
    value = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT,
                                     help_text="A count, or yuan for `contract_value`.")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


@extend_schema_serializer(component_name="OutcomeUpdateInput")
class OutcomeUpdateInputSerializer(serializers.Serializer):
    value = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT, required=False)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class EvidenceInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    file = serializers.FileField(help_text="PDF, Word, Excel or an image, within the upload limit.")


@extend_schema_serializer(component_name="ProjectInput")
class ProjectInputSerializer(serializers.Serializer):
    alliance = _VisibleAllianceField(help_text="The alliance the project belongs to.")
    kind = serializers.ChoiceField(choices=Project.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True)
    lead = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(),
                                              help_text="An active member unit: the caller's own, or any for the "
                                                        "alliance's secretariat.")
    partners = PartnerInputSerializer(many=True, required=False)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    need = serializers.PrimaryKeyRelatedField(queryset=TechnologyNeed.objects.all(), required=False, allow_null=True,
                                              help_text="The technology need of the alliance it came from.")
    talent_need = serializers.PrimaryKeyRelatedField(queryset=TalentNeed.objects.all(), required=False,
                                                     allow_null=True)
    resolution = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True,
                                          help_text="The id of an adopted resolution (motion) of the alliance.")
    contributions = ContributionInputSerializer(many=True, required=False, help_text="Creation only.")
    outcomes = OutcomeInputSerializer(many=True, required=False, help_text="Creation only.")

    def __init__(self, *args, updating=False, **kwargs):
        super().__init__(*args, **kwargs)
        if updating:
            for name in ("alliance", "contributions", "outcomes"):
                del self.fields[name]
