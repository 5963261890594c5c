from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, City
from kernel.forms import EMPTY_CHOICE, EMPTY_FILTER_CHOICE, Form, ModelForm
from members.models import Membership, Organization, RoleGrant
from members.uscc import normalize, validate_uscc


class OrganizationForm(ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = ["name", "name_en", "uscc", "type", "size", "city", "address", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, identity_editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not identity_editable:
            for name in ("name", "uscc"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Changed on request, approved by an official of the unit's city "
                                                "(see the unit's page).")

    def clean_uscc(self):
        return normalize(self.cleaned_data["uscc"])


def user_by_username(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise forms.ValidationError(_("No user has this username."))
    return user


class MemberAddForm(Form):
    """The secretariat enrols a unit: an existing one by its credit code, or a new one."""

    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, validators=[validate_uscc])
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Needed only when the unit is not yet registered."))
    type = forms.ChoiceField(label=_("Type"), choices=[("", EMPTY_CHOICE)] + Organization.Type.choices, required=False)
    size = forms.ChoiceField(label=_("Enterprise size"), choices=[("", EMPTY_CHOICE)] + Organization.Size.choices,
                             required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def clean_uscc(self):
        return normalize(self.cleaned_data["uscc"])

    registered_unit = None  # the unit with this code, when it is registered already

    def clean(self):
        cleaned = super().clean()
        uscc = cleaned.get("uscc")
        self.registered_unit = Organization.objects.filter(uscc=uscc).first() if uscc else None
        if uscc and self.registered_unit is None:
            if not cleaned.get("name"):
                self.add_error("name", _("This unit is not registered yet: give its name."))
            if not cleaned.get("type"):
                self.add_error("type", _("This unit is not registered yet: give its type."))
        return cleaned


class ApplicationForm(Form):
    organization = forms.ModelChoiceField(label=_("Member unit"), queryset=Organization.objects.none())
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    statement = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                max_length=2000)

    def __init__(self, *args, organizations, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["alliance"].queryset = alliances


class DecisionForm(Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             max_length=2000)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, required=False)


class RegisterFilterForm(Form):
    empty_choice = EMPTY_FILTER_CHOICE

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False,
                                      empty_label=_("All alliances"))
    type = forms.ChoiceField(label=_("Type"), choices=[("", _("All types"))] + Organization.Type.choices,
                             required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles"))] + Membership.Role.choices,
                             required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All statuses"))] + Membership.Status.choices,
                               required=False)

    def __init__(self, *args, alliances, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances


class ImportForm(Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class RoleGrantForm(Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=RoleGrant.Role.choices)
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False)
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none(), required=False)

    def __init__(self, *args, alliances, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances
        self.fields["city"].queryset = cities

    def clean_username(self):
        return user_by_username(self.cleaned_data["username"])


class IdentityChangeForm(Form):
    name = forms.CharField(label=_("New legal name"), max_length=200)
    uscc = forms.CharField(label=_("New credit code"), max_length=18, validators=[validate_uscc])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def clean_uscc(self):
        return normalize(self.cleaned_data["uscc"])


class ContactForm(Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    title = forms.CharField(label=_("Position"), max_length=100, required=False)

    def clean_username(self):
        return user_by_username(self.cleaned_data["username"])
