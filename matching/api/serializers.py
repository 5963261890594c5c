"""Input and output serializers of the matching API (COOPERATION.md: `sectors/`, `sector-mappings/`,
`industry-figures/`, `alliances/<id>/matching/`, `cities/<id>/matching/`)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from alliance.models import City
from matching.compute import BASES, WEIGHTS
from matching.models import (
    MAX_VALUE_ADDED,
    MAX_YEAR,
    MIN_YEAR,
    IndustryFigure,
    Scheme,
    Sector,
    SectorMapping,
)

MAX_ID = 2**31 - 1


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "code", "name", "name_en", "scheme", "city", "chain"]


class SectorMappingSerializer(serializers.ModelSerializer):
    sector_code = serializers.CharField(source="sector.code", read_only=True)
    share = serializers.DecimalField(max_digits=7, decimal_places=6, read_only=True,
                                     help_text="Decimal string; the shares of one category add up to 1.")

    class Meta:
        model = SectorMapping
        fields = ["id", "city", "scheme", "major_category", "major_code", "sector", "sector_code", "share",
                  "updated_at"]


class ShareInputSerializer(serializers.Serializer):
    sector = serializers.PrimaryKeyRelatedField(queryset=Sector.objects.all())
    share = serializers.DecimalField(max_digits=7, decimal_places=6, min_value=Decimal("0.000001"),
                                     max_value=Decimal(1))


class MappingSetInputSerializer(serializers.Serializer):
    city = serializers.PrimaryKeyRelatedField(queryset=City.objects.all())
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    major_category = serializers.CharField(max_length=2)
    major_code = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    shares = ShareInputSerializer(many=True, max_length=40,
                                  help_text="The sectors and their shares, adding up to 1; empty returns the "
                                            "category to the default mapping.")


class IndustryFigureSerializer(serializers.ModelSerializer):
    sector_code = serializers.CharField(source="sector.code", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True)
    value_added = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True,
                                           help_text="Yuan, decimal string.")

    class Meta:
        model = IndustryFigure
        fields = ["id", "city", "year", "sector", "sector_code", "sector_name", "value_added", "jobs", "updated_at"]


class IndustryFigureInputSerializer(serializers.Serializer):
    city = serializers.PrimaryKeyRelatedField(queryset=City.objects.all())
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    sector = serializers.PrimaryKeyRelatedField(queryset=Sector.objects.all())
    value_added = serializers.DecimalField(max_digits=20, decimal_places=2, min_value=Decimal(0),
                                           max_value=MAX_VALUE_ADDED)
    jobs = serializers.IntegerField(min_value=0, max_value=100_000_000)


class IndustryFigureUpdateSerializer(serializers.Serializer):
    value_added = serializers.DecimalField(max_digits=20, decimal_places=2, min_value=Decimal(0),
                                           max_value=MAX_VALUE_ADDED, required=False)
    jobs = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False)


class MatchingQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False,
                                    help_text="Default: the latest year with data.")
    basis = serializers.ChoiceField(choices=[(b, b) for b in BASES], default="graduates",
                                    help_text="Supply by graduates or by enrolment.")
    weight = serializers.ChoiceField(choices=[(w, w) for w in WEIGHTS], default="value_added",
                                     help_text="Industry by value added or by jobs.")


# The answer's shape, for the schema -------------------------------------------------------------------------


def _six(**kwargs):
    return serializers.CharField(allow_null=True, help_text="Decimal string, six places.", **kwargs)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SectorShareSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    supply_share = _six()
    industry_share = _six()
    deviation = _six()
    reason = ReasonSerializer(allow_null=True, help_text=_("Why a figure is missing."))


class CouplingSerializer(serializers.Serializer):
    u1 = _six()
    u2 = _six()
    c = _six()
    t = _six()
    d = _six()
    grade = serializers.CharField(help_text="The tenth's Chinese name, e.g. 初级协调.")
    grade_code = serializers.IntegerField(min_value=1, max_value=10)
    grade_label = serializers.CharField()
    reason = ReasonSerializer(allow_null=True)


class CouplingYearSerializer(CouplingSerializer):
    year = serializers.IntegerField()


class IndicatorWorkingSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    entropy = _six()
    weight = _six()


class SubsystemWorkingSerializer(serializers.Serializer):
    indicators = IndicatorWorkingSerializer(many=True)
    normalised = serializers.ListField(child=serializers.ListField(child=_six()),
                                       help_text="[object][indicator]: x' = (x - min) / (max - min).")
    index = serializers.ListField(child=_six(), help_text="U of each object.")


class NotRecordedSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class WorkingSerializer(serializers.Serializer):
    objects = serializers.ListField(child=serializers.CharField(), help_text="The compared objects, in order.")
    not_recorded = NotRecordedSerializer(many=True, help_text="Indicators chosen but not recorded: left out.")
    education = SubsystemWorkingSerializer(allow_null=True)
    industry = SubsystemWorkingSerializer(allow_null=True)


class TalentSerializer(serializers.Serializer):
    headcount = serializers.IntegerField()
    filled = serializers.IntegerField()
    filled_share = _six()
    graduates_placed_local_share = _six()


class MatchingBaseSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    basis = serializers.ChoiceField(choices=[(b, b) for b in BASES])
    weight = serializers.ChoiceField(choices=[(w, w) for w in WEIGHTS])
    sectors = SectorShareSerializer(many=True)
    unmapped_supply = serializers.IntegerField(help_text="Graduates (or enrolment) in majors mapped to no sector.")
    mean_abs_deviation = _six()
    similarity = _six()
    reason = ReasonSerializer(allow_null=True)
    coupling = CouplingSerializer(allow_null=True)
    coupling_reason = ReasonSerializer(allow_null=True)
    working = WorkingSerializer()


class AllianceMatchingSerializer(MatchingBaseSerializer):
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The years with data compared.")
    coupling_trend = CouplingYearSerializer(many=True)
    talent = TalentSerializer()


class AllianceRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mean_abs_deviation = _six()
    similarity = _six()
    coupling = CouplingSerializer(allow_null=True)
    reason = ReasonSerializer(allow_null=True)


class CityMatchingSerializer(MatchingBaseSerializer):
    alliances = AllianceRowSerializer(many=True)
