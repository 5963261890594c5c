from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.models import Alliance, AllianceStatusChange


class OrganizationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AllianceOutputSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="city.name")
    park = serializers.CharField(source="park.name", default=None, allow_null=True)
    lead_school = OrganizationRefSerializer(allow_null=True)
    lead_enterprise = OrganizationRefSerializer(allow_null=True)
    lead_park_admin = OrganizationRefSerializer(allow_null=True)
    member_count = serializers.IntegerField()
    city_id = serializers.IntegerField()

    class Meta:
        model = Alliance
        fields = [
            "id", "name", "name_en", "city", "city_id", "park", "level", "level_batch", "level_notice",
            "entity_form", "status", "lead_park_admin", "lead_school", "lead_enterprise", "member_count",
            "founded_on", "description",
        ]


class AllianceInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alliance
        fields = [
            "name", "name_en", "city", "park", "chains", "level", "level_batch", "level_notice", "entity_form",
            "lead_park_admin", "lead_school", "lead_enterprise", "founded_on", "description",
        ]
        # The name's uniqueness is the service's to check (full_clean), after the permission: checked here,
        # before it, a refusal would tell anyone that a hidden alliance of that name exists.
        extra_kwargs = {"chains": {"required": False}, "name": {"validators": []}}


class AllianceTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Alliance.Status.choices)
    reason = serializers.CharField(max_length=2000)


class StatusChangeSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AllianceStatusChange
        fields = ["from_status", "to_status", "actor", "reason", "changed_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, change):
        return change.actor.username if change.actor else None
