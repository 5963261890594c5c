"""Forms of the cooperation pages. They parse input only; the services decide what is allowed."""

from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, IndustrialChain
from cooperation.catalogue import MAJOR_CATEGORIES
from cooperation.models import (
    Contribution,
    Offer,
    Outcome,
    Project,
    ProjectPartner,
    SupplyDemandEvent,
    TalentNeed,
    TechnologyNeed,
)
from cooperation.services.entries import FIELDS
from members.models import Organization

TEXT_MAX = 20000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 4}),
    "key_technologies": forms.Textarea(attrs={"rows": 3}),
    "wanted_by": DateInput(),
    "major_code": forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}", "list": "major-categories"}),
}


def entry_form_class(model, *, creating: bool):
    """A form of the entry's own fields; when posting, also the alliance and the unit it is posted for."""
    base = modelform_factory(model, fields=FIELDS[model], widgets=WIDGETS)

    class EntryForm(base):
        if creating:
            alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
            organization = forms.ModelChoiceField(label=_("Member unit"), queryset=Organization.objects.none())

        def __init__(self, *args, alliances=None, organizations=None, chains=None, **kwargs):
            super().__init__(*args, **kwargs)
            if creating:
                self.fields["alliance"].queryset = alliances
                self.fields["organization"].queryset = organizations
                self.order_fields(["alliance", "organization"])
            if "chain" in self.fields:
                self.fields["chain"].queryset = chains if chains is not None else IndustrialChain.objects.none()
            if "year" in self.fields:
                self.fields["year"].required = False
                self.fields["year"].help_text = _("This year when left empty.")

    EntryForm.__name__ = f"{model.__name__}Form"
    return EntryForm


class ListFilterForm(forms.Form):
    """The filters of a list page; what does not parse is ignored."""

    ALL = "all"

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    major_category = forms.ChoiceField(label=_("Major category"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "---------"), *Offer.Kind.choices])

    def __init__(self, *args, model, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances
        self.fields["status"].choices = [("", _("Not closed")), *model.Status.choices, (self.ALL, _("All"))]
        if model not in (TalentNeed, Offer):
            del self.fields["major_category"]
        else:
            self.fields["major_category"].choices = [("", "---------"),
                                                     *[(code, f"{code} {zh}") for code, zh, _en in MAJOR_CATEGORIES]]
        if model is not Offer:
            del self.fields["kind"]


class RespondForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Responding unit"), queryset=Organization.objects.none())
    note = forms.CharField(label=_("What your unit can offer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        only = list(organizations[:2])
        if len(only) == 1:
            self.fields["organization"].initial = only[0].pk


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Duplicate of entry no."), min_value=1, max_value=2**31 - 1)


class LinkForm(forms.Form):
    response = forms.IntegerField(label=_("Response"), min_value=1, max_value=2**31 - 1)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
    publish = forms.BooleanField(label=_("Publish the imported entries"), required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)


class EventForm(forms.ModelForm):
    class Meta:
        model = SupplyDemandEvent
        fields = ["title", "starts_at", "ends_at", "location", "description", "technology_needs", "talent_needs",
                  "summary"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3}), "summary": forms.Textarea(attrs={"rows": 4}),
                   "technology_needs": forms.CheckboxSelectMultiple, "talent_needs": forms.CheckboxSelectMultiple}

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (("technology_needs", TechnologyNeed), ("talent_needs", TalentNeed)):
            self.fields[name].queryset = model.objects.filter(
                alliance=alliance, merged_into__isnull=True).exclude(status=model.CLOSED).select_related(
                "organization").order_by("organization__name", "id")
            self.fields[name].label_from_instance = _need_label
        if self.instance.pk is None:
            del self.fields["summary"]


def _need_label(need) -> str:
    title = need.title if isinstance(need, TechnologyNeed) else need.position
    return f"{need.organization.name} · {title}"



# Projects ------------------------------------------------------------------------------------------------------

PROJECT_FORM_FIELDS = ["kind", "title", "description", "lead", "starts_on", "ends_on", "status", "need",
                       "talent_need", "resolution"]


class ProjectForm(forms.ModelForm):
    """A project's own fields; the alliance is chosen before (its members are the choices)."""

    class Meta:
        model = Project
        fields = PROJECT_FORM_FIELDS
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, leads, needs, talent_needs, creating: bool, **kwargs):
        """`needs` and `talent_needs`: the alliance's needs the user may read (the selectors)."""
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads
        self.fields["need"].queryset = needs.filter(merged_into__isnull=True).exclude(
            status=TechnologyNeed.Status.CLOSED).order_by("-id")
        self.fields["talent_need"].queryset = talent_needs.filter(merged_into__isnull=True).exclude(
            status=TalentNeed.Status.CLOSED).order_by("-id")
        self.fields["talent_need"].label_from_instance = lambda need: f"{need.position} ({need.year})"
        self.fields["resolution"].widget = forms.NumberInput(attrs={"min": 1})
        self.fields["resolution"].help_text = _("The id of an adopted resolution of the council (on its page).")
        if creating:
            self.fields["status"].choices = [(value, label) for value, label in Project.Status.choices
                                             if value in (Project.Status.PLANNED, Project.Status.RUNNING)]


class PartnerForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Partner unit"), queryset=Organization.objects.none(),
                                          required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ProjectPartner.Role.choices, initial="partner")

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = members if members is not None else Organization.objects.none()


PartnerFormSet = forms.formset_factory(PartnerForm, extra=3, max_num=50, absolute_max=60)


def partners_from(formset) -> list[dict]:
    return [{"organization": form.cleaned_data["organization"], "role": form.cleaned_data["role"]}
            for form in formset.forms if form.cleaned_data.get("organization")]


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["organization", "kind", "year", "amount", "unit", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = units
        self.fields["unit"].required = False
        self.fields["year"].required = False
        self.fields["year"].help_text = _("The project's first year when left empty.")


class OutcomeForm(forms.Form):
    """An outcome as typed; the service checks it against its project (the year within its dates, a value not
    negative, once per year and metric) and names the field it refuses."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    metric = forms.ChoiceField(label=_("Outcome"), choices=Outcome.Metric.choices)
    value = forms.IntegerField(label=_("Value"), max_value=10**15)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("Evidence"), required=False)


class OutcomeEditForm(forms.Form):
    value = forms.IntegerField(label=_("Value"), max_value=10**15)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class ProjectFilterForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "---------"), *Project.Kind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "---------"), *Project.Status.choices])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances


class AllianceChoiceForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())

    def __init__(self, *args, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances
