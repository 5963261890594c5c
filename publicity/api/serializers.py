from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from publicity.models import NewsItem


class SubjectSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The kind of record, e.g. `project`.")
    id = serializers.IntegerField(source="object_id", help_text="The record's id in its own resource.")


class NewsOutputSerializer(serializers.ModelSerializer):
    """A news item or typical case. Another resource is its id, with its name beside it (`alliance_name`)."""

    alliance_name = serializers.CharField(source="alliance.name")
    image_url = serializers.SerializerMethodField(help_text="The image's address, or null when it has none.")
    image_caption = serializers.SerializerMethodField()
    subjects = SubjectSerializer(many=True, help_text="What a typical case describes (e.g. its projects).")

    class Meta:
        model = NewsItem
        fields = ["id", "alliance", "alliance_name", "kind", "title", "body", "status", "published_at",
                  "updated_at", "image_url", "image_caption", "subjects"]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, item):
        if not item.image:
            return None
        request = self.context.get("request")
        path = item.image_path
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_image_caption(self, item):
        return item.image_caption or None
