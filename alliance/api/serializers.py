from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.models import Alliance, AllianceStatusChange


class AllianceOutputSerializer(serializers.ModelSerializer):
    """Another resource is its id under the field's name, with its name beside it (`city`, `city_name`)."""

    city_name = serializers.CharField(source="city.name")
    park_name = serializers.CharField(source="park.name", default=None, allow_null=True)
    lead_park_admin_name = serializers.CharField(source="lead_park_admin.name", default=None, allow_null=True)
    lead_school_name = serializers.CharField(source="lead_school.name", default=None, allow_null=True)
    lead_enterprise_name = serializers.CharField(source="lead_enterprise.name", default=None, allow_null=True)
    member_count = serializers.IntegerField()

    class Meta:
        model = Alliance
        fields = [
            "id", "name", "name_en", "city", "city_name", "park", "park_name", "level", "level_batch",
            "level_notice", "entity_form", "status", "lead_park_admin", "lead_park_admin_name", "lead_school",
            "lead_school_name", "lead_enterprise", "lead_enterprise_name", "member_count", "founded_on",
            "description",
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
    from_status = serializers.SerializerMethodField(help_text="Null for the alliance's first status.")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AllianceStatusChange
        fields = ["from_status", "to_status", "actor", "reason", "changed_at"]

    @extend_schema_field(serializers.ChoiceField(choices=Alliance.Status.choices, allow_null=True))
    def get_from_status(self, change):
        return change.from_status or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, change):
        return change.actor.username if change.actor else None
