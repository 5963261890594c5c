"""Forms of the council pages. They parse input only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.fractions import validate_fraction
from governance.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Body,
    Invitation,
    Meeting,
    Minutes,
    Motion,
    Seat,
)
from governance.rules import PRESETS, preset_for_category
from kernel.forms import Form
from members.models import Organization, User

TEXT_MAX = 20000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _datetime(label, required=True, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeInput(), help_text=help_text,
                               error_messages={"invalid": _("Enter a date and time, e.g. 2026-03-01 09:30.")})


def _fraction(label, required=True):
    return forms.CharField(label=label, required=required, max_length=15, validators=[validate_fraction],
                           help_text=_("A share n/d between 0 and 1, e.g. 2/3."))


class MeetingForm(Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices, initial=Meeting.Kind.REGULAR)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _datetime(_("Starts at"), help_text=_(
        "A meeting that already took place can be entered with its own date: record its attendance and votes, "
        "then mark it as held."))
    ends_at = _datetime(_("Ends at"))
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bodies is None:
            del self.fields["body"]
        else:
            self.fields["body"].queryset = bodies
            first = bodies.first()
            self.fields["body"].initial = first.pk if first else None

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("kind", "title", "starts_at", "ends_at", "location", "online_link")}


class AgendaItemForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class PaperForm(Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class RsvpForm(Form):
    response = forms.ChoiceField(label=_("Answer"), choices=[
        (value, label) for value, label in Invitation.Response.choices if value != Invitation.Response.PENDING])


class AttendanceForm(Form):
    """One row per current seat: mode_<id>, proxy_<id>, alternate_<id>, letter_<id>."""

    def __init__(self, *args, seats, sheet, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats, self.sheet = seats, sheet
        carriers = [("", "—")] + [(str(seat.pk), f"{seat.organization.name} · {seat.user}") for seat in seats]
        for seat in seats:
            row = sheet.get(seat.pk)
            self.fields[f"mode_{seat.pk}"] = forms.ChoiceField(
                label=_("Attendance"), choices=Attendance.Mode.choices, widget=forms.RadioSelect,
                initial=row.mode if row else Attendance.Mode.ABSENT)
            self.fields[f"proxy_{seat.pk}"] = forms.TypedChoiceField(
                label=_("Proxy"), required=False, coerce=int, empty_value=None,
                choices=[c for c in carriers if c[0] != str(seat.pk)],
                initial=str(row.proxy_seat_id) if row and row.proxy_seat_id else "")
            self.fields[f"alternate_{seat.pk}"] = forms.BooleanField(
                label=_("Attended by the alternate"), required=False, initial=bool(row and row.by_alternate))
            self.fields[f"letter_{seat.pk}"] = forms.FileField(label=_("Proxy letter"), required=False)

    def rows(self):
        return [{"seat": seat, "mode": self[f"mode_{seat.pk}"], "proxy": self[f"proxy_{seat.pk}"],
                 "alternate": self[f"alternate_{seat.pk}"], "letter": self[f"letter_{seat.pk}"],
                 "letter_on_file": bool(self.sheet.get(seat.pk) and self.sheet[seat.pk].proxy_letter)}
                for seat in self.seats]

    def all_present(self) -> list[dict]:
        """Every seat present in person (the sheet's "all present")."""
        return [{"seat": seat.pk, "mode": Attendance.Mode.IN_PERSON} for seat in self.seats]

    def records(self) -> list[dict]:
        data = self.cleaned_data
        return [{"seat": seat.pk, "mode": data[f"mode_{seat.pk}"],
                 "proxy_seat": data[f"proxy_{seat.pk}"] if data[f"mode_{seat.pk}"] == Attendance.Mode.PROXY else None,
                 "by_alternate": data[f"alternate_{seat.pk}"], "proxy_letter": data[f"letter_{seat.pk}"]}
                for seat in self.seats]


RULE_CATEGORY, RULE_CUSTOM = "category", "custom"
RULE_FIELDS = ("threshold_fraction", "threshold_base", "threshold_strict", "abstentions_count")


class MotionForm(Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=Meeting.objects.none(), required=False,
                                     help_text=_("Leave empty for a vote by written consent between meetings."))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.ChoiceField(label=_("Category"), choices=Motion.Category.choices)
    rule = forms.ChoiceField(label=_("Voting rule"))
    quorum_fraction = _fraction(_("Quorum"))
    threshold_fraction = _fraction(_("Threshold"), required=False)
    threshold_base = forms.ChoiceField(label=_("Base"), choices=Motion.Base.choices, required=False)
    threshold_strict = forms.BooleanField(label=_("More than the threshold (not at least)"), required=False)
    abstentions_count = forms.BooleanField(label=_("Abstentions count in the base"), required=False)
    sector_majority = forms.BooleanField(label=_("Also a majority within each sector"), required=False,
                                         help_text=Motion._meta.get_field("sector_majority").help_text)
    voting_method = forms.ChoiceField(
        label=_("Voting method"), choices=Motion.VotingMethod.choices, initial=Motion.VotingMethod.ELECTRONIC,
        required=False, help_text=_("Electronic: each seat votes in the application. Show of hands (a named vote) and paper "
                    "ballots (a secret vote) are taken in the meeting room; the secretariat records the result."))
    ballot = forms.ChoiceField(label=_("Ballot"), choices=Motion.Ballot.choices,
                               help_text=_("For electronic votes; a show of hands is named and paper is secret."))
    closes_at = _datetime(_("Closes at"), required=False)
    parties = forms.ModelMultipleChoiceField(label=_("Member units named as parties"), required=False,
                                             queryset=Organization.objects.none(),
                                             widget=forms.SelectMultiple(attrs={"size": 6}))
    approves_minutes = forms.ModelChoiceField(label=_("Minutes it approves"), required=False,
                                              queryset=Minutes.objects.none())

    def __init__(self, *args, bodies, meetings, items, units, minutes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["meeting"].queryset = meetings
        self.fields["agenda_item"].queryset = items
        self.fields["agenda_item"].label_from_instance = lambda item: f"{item.meeting.title} · {item}"
        self.fields["parties"].queryset = units
        self.fields["parties"].label_from_instance = lambda unit: unit.name
        self.fields["approves_minutes"].queryset = minutes
        self.fields["rule"].choices = (
            [(RULE_CATEGORY, _("The usual rule of the category"))]
            + [(key, preset.label) for key, preset in PRESETS.items()]
            + [(RULE_CUSTOM, _("As set below"))]
        )

    def clean(self):
        data = super().clean()
        if data.get("rule") == RULE_CUSTOM:
            for name in ("threshold_fraction", "threshold_base"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Set this field, or choose a preset rule."))
        method = data["voting_method"] = data.get("voting_method") or Motion.VotingMethod.ELECTRONIC
        if method == Motion.VotingMethod.SHOW_OF_HANDS:
            data["ballot"] = Motion.Ballot.NAMED
        elif method == Motion.VotingMethod.PAPER:
            data["ballot"] = Motion.Ballot.SECRET
        return data

    def service_fields(self) -> dict:
        """The keyword arguments of motion_create/motion_update: a preset or the rule's fields."""
        data = self.cleaned_data
        fields = {name: data[name] for name in ("title", "text", "category", "ballot", "voting_method",
                                                 "quorum_fraction",
                                                 "sector_majority", "closes_at", "agenda_item", "approves_minutes")}
        fields["parties"] = list(data["parties"])
        rule = data["rule"]
        if rule == RULE_CUSTOM:
            fields.update({name: data[name] for name in RULE_FIELDS})
        elif rule == RULE_CATEGORY:
            fields["preset"] = preset_for_category(data["category"]).key
        else:
            fields["preset"] = rule
        return fields


class MinutesForm(Form):
    text = forms.CharField(label=_("Meeting minutes"), max_length=100000, widget=forms.Textarea(attrs={"rows": 16}))


class BallotForm(Form):
    choice = forms.ChoiceField(label=_("Vote"), choices=Ballot.Choice.choices)
    seat = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


NOT_VOTED = ""


class HandsForm(forms.Form):
    """A show of hands, seat by seat: hand_<seat id> for each seat present that may vote, each answered
    explicitly (yes, no, abstain, or did not vote)."""

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = voters
        choices = [*Ballot.Choice.choices, (NOT_VOTED, _("Did not vote"))]
        for row in voters:
            self.fields[f"hand_{row.seat_id}"] = forms.ChoiceField(
                label=str(row.seat.organization), choices=choices, widget=forms.RadioSelect, required=False)

    def clean(self):
        data = super().clean()
        missing = [row for row in self.voters if f"hand_{row.seat_id}" not in self.data]
        for row in missing:
            self.add_error(f"hand_{row.seat_id}", _("Choose this seat's vote, or that it did not vote."))
        return data

    def rows(self):
        return [{"attendance": row, "seat": row.seat, "field": self[f"hand_{row.seat_id}"]} for row in self.voters]

    def hands(self) -> list[dict]:
        return [{"seat": row.seat_id, "choice": self.cleaned_data[f"hand_{row.seat_id}"]} for row in self.voters
                if self.cleaned_data[f"hand_{row.seat_id}"] != NOT_VOTED]


class PaperCountForm(forms.Form):
    yes = forms.IntegerField(label=pgettext_lazy("ballot", "Yes"), min_value=0, max_value=100000, initial=0)
    no = forms.IntegerField(label=pgettext_lazy("ballot", "No"), min_value=0, max_value=100000, initial=0)
    abstain = forms.IntegerField(label=pgettext_lazy("ballot", "Abstain"), min_value=0, max_value=100000, initial=0)
    tellers = forms.CharField(label=_("Tellers"), max_length=200,
                              help_text=_("The names of those who counted the ballots (监票人)."))

    def counts(self) -> dict:
        return {choice: self.cleaned_data[choice] for choice in ("yes", "no", "abstain")}


class ConflictForm(Form):
    reason = forms.CharField(label=_("Nature of the interest"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=TEXT_MAX,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("Owner unit"), queryset=Organization.objects.none())
    target_value = forms.DecimalField(label=_("Target"), min_value=0, max_digits=14, decimal_places=2)
    target_unit = forms.CharField(label=_("Unit of the target"), max_length=30)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=6, decimal_places=2, initial=1)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = units
        self.fields["owner"].label_from_instance = lambda unit: unit.name


class TaskReportForm(Form):
    achieved = forms.DecimalField(label=_("Achieved so far"), min_value=0, max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Report"), required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence"), required=False)
    done = forms.BooleanField(label=_("The task is done: hand it to the secretariat"), required=False)


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RequestForm(Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    subject = forms.CharField(label=_("Subject"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies


class SeatForm(Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    username = forms.CharField(label=_("Holder (user name)"), max_length=150)
    organization = forms.ModelChoiceField(label=_("Member unit"), queryset=Organization.objects.none())
    office = forms.ChoiceField(label=_("Office"), choices=Seat.Office.choices, initial=Seat.Office.DIRECTOR)
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput(), required=False)
    alternate_username = forms.CharField(label=_("Alternate (user name)"), max_length=150, required=False)

    def __init__(self, *args, bodies, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["organization"].queryset = units
        self.fields["organization"].label_from_instance = lambda unit: unit.name

    def _user(self, name):
        username = self.cleaned_data.get(name, "").strip()
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user has this user name."))
        return user

    def clean_username(self):
        return self._user("username")

    def clean_alternate_username(self):
        return self._user("alternate_username")


class SeatInvitationForm(Form):
    """A seat for someone who is invited by e-mail (and may have no account yet)."""

    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    email = forms.EmailField(label=_("Holder's e-mail"))
    organization = forms.ModelChoiceField(label=_("Member unit"), queryset=Organization.objects.none())
    office = forms.ChoiceField(label=_("Office"), choices=Seat.Office.choices, initial=Seat.Office.DIRECTOR)

    def __init__(self, *args, bodies, units, **kwargs):
        super().__init__(*args, auto_id="id_invite_%s", **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["organization"].queryset = units
        self.fields["organization"].label_from_instance = lambda unit: unit.name

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"body": data["body"].pk, "organization": data["organization"].pk, "office": data["office"]}


class SeatEndForm(Form):
    term_end = forms.DateField(label=_("Term ends"), widget=DateInput(), required=False)
