"""The forms of the annual cycle: the work plan (a row per metric that can be targeted, the tasks and the
projects) and the report's narratives (a text per section)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.annual.document import NARRATIVE_MAX, SECTIONS
from assessments.annual.plans import target_metrics
from kernel.forms import Form

TARGET_MAX_DIGITS = 16


class PlanForm(Form):
    summary = forms.CharField(label=_("Goals and measures of the year"), required=False, max_length=NARRATIVE_MAX,
                              widget=forms.Textarea(attrs={"rows": 5}))
    tasks = forms.TypedMultipleChoiceField(label=_("Tasks of the council that carry the plan"), coerce=int,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    projects = forms.TypedMultipleChoiceField(label=_("Cooperation projects that carry the plan"), coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, task_choices=(), project_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = list(task_choices)
        self.fields["projects"].choices = list(project_choices)
        self.metric_rows = []
        for one in target_metrics():
            target = forms.DecimalField(label=_("Target"), required=False, min_value=0, max_digits=TARGET_MAX_DIGITS,
                                        decimal_places=2)
            weight = forms.DecimalField(label=_("Weight"), required=False, min_value=0, max_digits=6,
                                        decimal_places=2)
            self.fields[f"target_{one.key}"] = target
            self.fields[f"weight_{one.key}"] = weight
            self.metric_rows.append((one, f"target_{one.key}", f"weight_{one.key}"))

    def rows(self):
        """(metric, target field, weight field) bound, for the template."""
        return [(one, self[target], self[weight]) for one, target, weight in self.metric_rows]

    def targets(self) -> list[dict]:
        """The targets given (a row with a target above zero), for plans.services.plan_save."""
        return [{"metric": one.key, "target": self.cleaned_data[target],
                 "weight": self.cleaned_data[weight] or 1}
                for one, target, weight in self.metric_rows if self.cleaned_data.get(target)]

    @classmethod
    def initial_for(cls, plan) -> dict:
        if plan is None:
            return {}
        initial = {"summary": plan.summary, "tasks": list(plan.tasks.values_list("id", flat=True)),
                   "projects": list(plan.projects.values_list("id", flat=True))}
        for target in plan.targets.all():
            initial[f"target_{target.metric}"] = target.target
            initial[f"weight_{target.metric}"] = target.weight
        return initial


class NarrativesForm(Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label, _keys in SECTIONS:
            self.fields[code] = forms.CharField(label=label, required=False, max_length=NARRATIVE_MAX,
                                                widget=forms.Textarea(attrs={"rows": 4}))
