"""Filters every resource with a city shares: `?city=<id>` and `?city_name=<exact name>`, documented alike."""

import django_filters

from alliance.models import City


class CityFilterSet(django_filters.FilterSet):
    city = django_filters.ModelChoiceFilter(queryset=City.objects.all(), help_text="A city's id.")
    city_name = django_filters.CharFilter(field_name="city__name", help_text="A city's exact name, e.g. 淄博市.")
