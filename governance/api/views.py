from rest_framework import serializers, viewsets

from governance.models import Body, Seat
from governance.selectors import bodies_for_user, seats_for_user


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "alliance", "kind", "name", "quorum_fraction"]


class SeatSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__")
    organization_name = serializers.CharField(source="organization.name")

    class Meta:
        model = Seat
        fields = ["id", "body", "user", "user_name", "organization", "organization_name", "office", "term_start",
                  "term_end"]


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BodySerializer
    filterset_fields = ["alliance", "kind"]
    ordering = ["id"]

    def get_queryset(self):
        return bodies_for_user(self.request.user)


class SeatViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SeatSerializer
    filterset_fields = ["body"]
    ordering = ["id"]

    def get_queryset(self):
        return seats_for_user(self.request.user)
