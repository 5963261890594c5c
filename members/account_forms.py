"""Forms of the account pages: invitations, the two-factor code, the password reset mailed through the outbox."""

import time

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, City
from kernel.notify import notify
from members.models import RoleGrant

# One reset mail per user in this many seconds however often the form is sent (the outbox's key).
RESET_MAIL_WINDOW = 600


def site_address(request) -> str:
    """The site's address for links in mails: SITE_URL, or the address this request came to."""
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=20,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off",
                                      "spellcheck": "false"}),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    username = forms.CharField(label=_("User name"), max_length=150,
                               help_text=_("You log in with it. Letters, digits and @/./+/-/_ only."))
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class RoleInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=RoleGrant.Role.choices)
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none(), required=False,
                                      help_text=_("For a secretariat."))
    city = forms.ModelChoiceField(label=_("City"), queryset=City.objects.none(), required=False,
                                  help_text=_("For an official or an expert."))

    def __init__(self, *args, alliances, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alliance"].queryset = alliances
        self.fields["city"].queryset = cities

    def payload(self) -> dict:
        data = self.cleaned_data
        return {"role": data["role"], "alliance": data["alliance"] and data["alliance"].pk,
                "city": data["city"] and data["city"].pk}


class ContactInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    title = forms.CharField(label=_("Position"), max_length=100, required=False)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, its mail put into the notification outbox (kernel/notify.py) in the user's
    language instead of sent during the request."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        user = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        link = f"{context['protocol']}://{context['domain']}{path}" if not settings.SITE_URL else \
            f"{settings.SITE_URL}{path}"
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        notify(
            user=user, key=f"password-reset:{user.pk}:{int(time.time()) // RESET_MAIL_WINDOW}",
            subject=_("Reset your password"),
            body=format_lazy(
                _("Someone, hopefully you, asked to reset the password of the account “{username}”. Open this "
                  "link to choose a new one (valid for {hours} hours, once):\n\n{link}\n\nIf it was not you, "
                  "ignore this mail: your password stays as it is."),
                username=user.get_username(), hours=hours, link=link,
            ),
        )
