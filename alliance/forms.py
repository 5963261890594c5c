from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, AllianceDocument
from kernel.forms import Form, ModelForm


class AllianceForm(ModelForm):
    class Meta:
        model = Alliance
        fields = [
            "name", "name_en", "city", "park", "chains", "level", "level_batch", "level_notice", "entity_form",
            "lead_park_admin", "lead_school", "lead_enterprise", "founded_on", "description",
        ]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }


class TransitionForm(Form):
    to_status = forms.ChoiceField(label=_("New status"), choices=Alliance.Status.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, Alliance.Status(s).label) for s in targets]


class DocumentForm(ModelForm):
    class Meta:
        model = AllianceDocument
        fields = ["kind", "title", "approved_on", "file"]
        widgets = {"approved_on": forms.DateInput(attrs={"type": "date"})}
