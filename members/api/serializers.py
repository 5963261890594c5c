from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from alliance.models import Alliance
from alliance.selectors import alliances_for_user
from kernel.api.serializers import BlankWhenNullMixin, NullWhenBlankMixin
from kernel.scope import scope_of
from members.models import Membership, Organization


class OrganizationOutputSerializer(NullWhenBlankMixin, serializers.ModelSerializer):
    city_name = serializers.CharField(source="city.name", default=None, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "name_en", "uscc", "type", "size", "city", "city_name", "address", "website",
                  "description"]
        null_when_blank = ["size", "website"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleAllianceField(serializers.PrimaryKeyRelatedField):
    """An alliance the caller can see: any other id is unknown, whether it exists or not."""

    def get_queryset(self):
        return alliances_for_user(self.context["request"].user)


class OrganizationInputSerializer(BlankWhenNullMixin, serializers.ModelSerializer):
    """Field checks only; the credit code's check character is verified by the service."""

    registered_by_alliance = VisibleAllianceField(
        required=False, allow_null=True,
        help_text="The caller's alliance that registers the unit (and keeps its record until the unit is claimed); "
                  "defaults to the caller's alliance when they keep exactly one. Ignored on update.",
    )

    class Meta:
        model = Organization
        fields = ["name", "name_en", "uscc", "type", "size", "city", "address", "website", "description",
                  "registered_by_alliance"]
        extra_kwargs = {"uscc": {"validators": []}, "size": {"allow_null": True}, "website": {"allow_null": True}}
        blank_when_null = ["size", "website"]

    def validate(self, attrs):
        if self.instance is not None:
            attrs.pop("registered_by_alliance", None)
        elif "registered_by_alliance" not in attrs:
            alliance_ids = scope_of(self.context["request"].user).secretariat_alliance_ids
            attrs["registered_by_alliance"] = (
                Alliance.objects.get(pk=next(iter(alliance_ids))) if len(alliance_ids) == 1 else None
            )
        return attrs


class MembershipOutputSerializer(NullWhenBlankMixin, serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    organization_type = serializers.CharField(source="organization.type")
    alliance_name = serializers.CharField(source="alliance.name")

    class Meta:
        model = Membership
        fields = [
            "id", "alliance", "alliance_name", "organization", "organization_name", "organization_type", "role",
            "status", "applied_on", "joined_on", "left_on", "statement", "decision_reason", "consented_at",
        ]
        null_when_blank = ["decision_reason"]


class MembershipInputSerializer(serializers.Serializer):
    alliance = VisibleAllianceField()
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    statement = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MembershipDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)


@extend_schema_serializer(component_name="Token")
class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=20, required=False, allow_blank=True,
        help_text="For an account with two-factor authentication: the six digits of its authenticator app, or "
                  "one of its recovery codes (used up).",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    seats = serializers.ListField(child=serializers.IntegerField())
    secretariat_of = serializers.ListField(child=serializers.IntegerField())
    official_of = serializers.ListField(child=serializers.IntegerField())
    contact_for = serializers.ListField(child=serializers.IntegerField())
