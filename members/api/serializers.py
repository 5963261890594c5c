from rest_framework import serializers

from alliance.models import Alliance
from members.models import Membership, Organization


class OrganizationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "name_en", "uscc", "type", "size", "city", "address", "website", "description"]


class OrganizationInputSerializer(serializers.ModelSerializer):
    """Field checks only; the credit code's check character is verified by the service."""

    class Meta:
        model = Organization
        fields = ["name", "name_en", "uscc", "type", "size", "city", "address", "website", "description"]
        extra_kwargs = {"uscc": {"validators": []}}


class MembershipOutputSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name")
    organization_type = serializers.CharField(source="organization.type")
    alliance_name = serializers.CharField(source="alliance.name")

    class Meta:
        model = Membership
        fields = [
            "id", "alliance", "alliance_name", "organization", "organization_name", "organization_type", "role",
            "status", "applied_on", "joined_on", "left_on", "statement", "decision_reason",
        ]


class MembershipInputSerializer(serializers.Serializer):
    alliance = serializers.PrimaryKeyRelatedField(queryset=Alliance.objects.all())
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)
    statement = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MembershipDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    role = serializers.ChoiceField(choices=Membership.Role.choices, required=False)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)


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
