"""Forms of the assessment pages. They parse input only; the services decide what is allowed."""

import datetime
import json
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, City
from assessments.frameworks import FILE_MAX_BYTES
from assessments.models import Framework
from kernel.forms import Form
from members.models import User

ITEMS_MAX = 50
TEXT_MAX = 5000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _threshold(label, initial):
    return forms.DecimalField(label=label, initial=Decimal(initial), min_value=0, max_value=100, max_digits=5,
                              decimal_places=2)


class CycleOpenForm(Form):
    framework = forms.ModelChoiceField(label=_("Indicator framework"), queryset=Framework.objects.none())
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    self_assessment_due = forms.DateField(label=_("Self-assessment due"), widget=DateInput())
    review_due = forms.DateField(label=_("Review due"), widget=DateInput())
    excellent_from = _threshold(_("Excellent from"), 90)
    qualified_from = _threshold(_("Qualified from"), 75)
    rectify_from = _threshold(_("Rectify from"), 60)
    alliances = forms.ModelMultipleChoiceField(label=_("Alliances"), queryset=Alliance.objects.none(),
                                               widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, frameworks, cities, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks
        newest = frameworks.order_by("-published_at", "-id").first()
        self.fields["framework"].initial = newest.pk if newest else None
        self.fields["city"].queryset = cities
        self.fields["alliances"].queryset = alliances
        self.fields["alliances"].label_from_instance = lambda alliance: alliance.name
        cities = list(cities)
        if len(cities) == 1:
            self.fields["city"].initial = cities[0].pk
            self.fields["city"].widget = forms.HiddenInput()
        today = timezone.localdate()
        self.fields["title"].initial = _("%(year)s annual assessment") % {"year": today.year}
        self.fields["opens_on"].initial = today
        self.fields["self_assessment_due"].initial = today + datetime.timedelta(days=30)
        self.fields["review_due"].initial = today + datetime.timedelta(days=60)
        self.fields["alliances"].initial = [a.pk for a in alliances if a.status in Alliance.PUBLIC_STATUSES]


def _score_field(leaf, *, label):
    """A leaf's score: 0..max_score in hundredths; a veto leaf is passed (1) or failed (0)."""
    if leaf["veto"]:
        field = forms.TypedChoiceField(label=label, required=False, coerce=Decimal, empty_value=None,
                                       choices=[("", "—"), ("1", _("Passed (1)")), ("0", _("Failed (0)"))])
    else:
        field = forms.DecimalField(label=label, required=False, min_value=0, max_value=Decimal(leaf["max_score"]),
                                   max_digits=7, decimal_places=2)
        field.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
    field.widget.attrs["aria-label"] = label
    return field


def _text_field(label, rows=2):
    return forms.CharField(label=label, required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": rows, "aria-label": label}))


class ScoresForm(Form):
    """Scores and a text per leaf of the framework: `score_<code>`, `<text>_<code>`."""

    text_name = "text"
    text_label = _("Comment")

    def __init__(self, *args, leaves, scores, texts, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaves = leaves
        for leaf in leaves:
            code = leaf["code"]
            self.fields[f"score_{code}"] = _score_field(leaf, label=_("Score of %(code)s") % {"code": code})
            self.fields[f"{self.text_name}_{code}"] = _text_field(f"{self.text_label} · {code}")
            if code in scores:
                value = scores[code]
                self.initial[f"score_{code}"] = str(int(Decimal(value))) if leaf["veto"] else value
            self.initial[f"{self.text_name}_{code}"] = texts.get(code, "")

    def score_field(self, code):
        return self[f"score_{code}"]

    def text_field(self, code):
        return self[f"{self.text_name}_{code}"]

    def scores(self) -> dict[str, str]:
        """The scores given (empty inputs left out), as strings for the service."""
        return {
            leaf["code"]: str(self.cleaned_data[f"score_{leaf['code']}"])
            for leaf in self.leaves
            if self.cleaned_data.get(f"score_{leaf['code']}") is not None
        }

    def texts(self) -> dict[str, str]:
        return {leaf["code"]: self.cleaned_data[f"{self.text_name}_{leaf['code']}"].strip() for leaf in self.leaves}


class SelfAssessmentForm(ScoresForm):
    """With a reason per bound leaf (`reason_<code>`): needed when its score differs from the computed one."""

    text_name = "narrative"
    text_label = _("Narrative")

    def __init__(self, *args, bound=(), reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bound = list(bound)
        for code in self.bound:
            label = _("Reason for changing the computed score of %(code)s") % {"code": code}
            self.fields[f"reason_{code}"] = _text_field(label)
            self.initial[f"reason_{code}"] = (reasons or {}).get(code, "")

    def reason_field(self, code):
        return self[f"reason_{code}"] if code in self.bound else None

    def reasons(self) -> dict[str, str]:
        """The reasons given (empty ones left out: a score back at its computed value needs none)."""
        return {code: self.cleaned_data[f"reason_{code}"].strip() for code in self.bound
                if self.cleaned_data.get(f"reason_{code}", "").strip()}


class ReviewForm(ScoresForm):
    text_name = "comment"
    text_label = _("Comment")

    declared_no_conflict = forms.BooleanField(
        label=_("I declare that I have no conflict of interest with this alliance or its member units."),
        required=False,
    )
    comment = _text_field(_("Overall comment"), rows=4)


class ReturnForm(Form):
    reason = forms.CharField(label=_("Reason for returning"), max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ExpertsForm(Form):
    experts = forms.ModelMultipleChoiceField(label=_("Expert reviewers"), queryset=User.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = experts


class DecideForm(Form):
    note = _text_field(_("Decision note"), rows=3)
    rectify_by = forms.DateField(label=_("Rectify by"), required=False, widget=DateInput(),
                                 help_text=_("Required when the grade is “rectify within a time limit”."))
    rectification_items = forms.CharField(
        label=_("Rectification items"), required=False, max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One item per line."),
    )

    def clean_rectification_items(self):
        items = [line.strip() for line in self.cleaned_data["rectification_items"].splitlines() if line.strip()]
        if len(items) > ITEMS_MAX:
            raise forms.ValidationError(_("At most %(max)d items.") % {"max": ITEMS_MAX})
        return items


class FrameworkFileForm(Form):
    file = forms.FileField(label=_("Framework file (JSON)"),
                           help_text=_("The format of the export: a tree of indicators with weights adding up "
                                       "to 100."))


class FrameworkTreeForm(Form):
    """Edit a draft's indicators in the browser, as the same tree the file and the API use."""

    indicators = forms.CharField(
        label=_("Indicators (JSON)"), widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        max_length=FILE_MAX_BYTES,
        help_text=_("Each node: code, name, name_en, weight, max_score, veto, guidance, children. Scores go to "
                    "the leaves; a node's weight is the sum of its children's; the groups add up to 100. A leaf "
                    "may carry a binding to a metric: {\"metric\", \"rule\": \"thresholds\", \"thresholds\": "
                    "[{\"at_least\", \"score\"}]} or {\"metric\", \"rule\": \"linear\", \"full_at\"}."),
    )

    def clean_indicators(self):
        try:
            value = json.loads(self.cleaned_data["indicators"])
        except (json.JSONDecodeError, RecursionError) as exc:
            raise forms.ValidationError(_("This is not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("Give the list of top-level indicators."))
        return value


# The longest period the figures page computes (as the API).
PERIOD_MAX_DAYS = 366 * 5


class PeriodForm(Form):
    """The period of the figures page, both dates included; the calendar year so far when none is given."""

    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period comes before its start."))
        elif start and end and (end - start).days > PERIOD_MAX_DAYS:
            self.add_error("end", _("A period is at most five years long."))
        return data


class EvidenceForm(Form):
    indicator_code = forms.ChoiceField(label=_("Indicator"))
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, leaves, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [(row["code"], f'{row["code"]} {row["name"]}') for row in leaves]
