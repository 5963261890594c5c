import django_filters
from rest_framework import permissions, viewsets

from alliance.models import City
from publicity.api.serializers import NewsOutputSerializer
from publicity.models import NewsItem
from publicity.selectors import news_for_user


class NewsFilter(django_filters.FilterSet):
    city = django_filters.ModelChoiceFilter(field_name="alliance__city", queryset=City.objects.all(),
                                            help_text="A city's id.")
    city_name = django_filters.CharFilter(field_name="alliance__city__name",
                                          help_text="A city's exact name, e.g. 淄博市.")

    class Meta:
        model = NewsItem
        fields = ["alliance", "kind", "status", "city", "city_name"]


class NewsViewSet(viewsets.ReadOnlyModelViewSet):
    """News and typical cases (新闻, 典型案例): the published ones of public alliances for everyone; drafts and
    withdrawn items too for the alliance's secretariat and its city's officials. The secretariat writes them in
    the application."""

    serializer_class = NewsOutputSerializer
    # Reads only, scoped by the selector: a write is 405 for everyone, signed in or not.
    permission_classes = [permissions.AllowAny]
    filterset_class = NewsFilter
    search_fields = ["title", "body"]
    ordering_fields = ["published_at", "id", "updated_at"]

    def get_queryset(self):
        return news_for_user(self.request.user).prefetch_related("subjects")
