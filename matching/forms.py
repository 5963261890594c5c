from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kernel.forms import Form
from matching.compute import BASES, WEIGHTS
from matching.models import MAX_VALUE_ADDED, MAX_YEAR, MIN_YEAR

BASIS_CHOICES = [("graduates", _("Graduates")), ("enrolment", _("Enrolment"))]
WEIGHT_CHOICES = [("value_added", _("Value added")), ("jobs", _("Jobs"))]
assert [c for c, _l in BASIS_CHOICES] == list(BASES) and [c for c, _l in WEIGHT_CHOICES] == list(WEIGHTS)


class MatchingQueryForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    basis = forms.ChoiceField(label=_("Supply by"), choices=BASIS_CHOICES, required=False)
    weight = forms.ChoiceField(label=_("Industry by"), choices=WEIGHT_CHOICES, required=False)

    def query(self) -> dict:
        data = self.cleaned_data
        return {"year": data.get("year"), "basis": data.get("basis") or "graduates",
                "weight": data.get("weight") or "value_added"}


class FigureForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    sector = forms.ChoiceField(label=pgettext_lazy("industry", "Sector"))
    value_added = forms.DecimalField(label=_("Value added (yuan)"), min_value=0, max_value=MAX_VALUE_ADDED,
                                     max_digits=20, decimal_places=2)
    jobs = forms.IntegerField(label=_("Jobs"), min_value=0, max_value=100_000_000)

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [("", _("Choose…"))] + [(str(s.pk), str(s)) for s in sectors]


class FigureImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class MappingForm(Form):
    """One share per sector of the scheme (empty is 0); the shares given must add up to 1, or none for the
    default."""

    def __init__(self, *args, sectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sectors = list(sectors)
        for sector in self.sectors:
            self.fields[f"share_{sector.pk}"] = forms.DecimalField(
                label=str(sector), required=False, min_value=0, max_value=1, max_digits=7, decimal_places=6)

    def shares(self) -> list:
        return [(sector, self.cleaned_data[f"share_{sector.pk}"]) for sector in self.sectors
                if self.cleaned_data.get(f"share_{sector.pk}")]
