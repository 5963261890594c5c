"""Account pages: login with a two-factor code, password change and reset (Django's views), two-factor
set-up, invitations sent and accepted."""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from alliance.models import City
from alliance.selectors import alliances_overseen_by
from kernel.errors import DomainError
from kernel.scope import scope_of
from members import invitations, two_factor
from members.account_forms import (
    AcceptInvitationForm,
    CodeForm,
    ContactInvitationForm,
    OutboxPasswordResetForm,
    RoleInvitationForm,
    TotpConfirmForm,
    site_address,
)
from members.models import User
from members.permissions import can_edit_organization
from members.selectors import organization_get_for_user

# The user who gave the right password and still owes a code: kept in the session, not logged in.
PENDING_KEY = "members.login_pending"
PENDING_SECONDS = 300
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


# Login ------------------------------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    """Django's login (django-axes counts its failures); a user with two-factor authentication is not
    logged in yet but asked for a code on the next page."""

    def form_valid(self, form):
        user = form.get_user()
        self.request.session.pop(PENDING_KEY, None)
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "at": int(time.time()),
                                             "next": self.get_success_url()}
        return redirect("login-verify")


@never_cache
@sensitive_post_parameters("code")
def login_verify(request):
    pending = request.session.get(PENDING_KEY)
    user = None
    if pending and time.time() - pending["at"] <= PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Log in again: the time for the code ran out."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify_code(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            if device is None:
                form.add_error("code", _("That code is not right."))
            else:
                del request.session[PENDING_KEY]
                auth_login(request, user, backend=pending["backend"])
                django_otp.login(request, device)
                if device.name == two_factor.RECOVERY_NAME:
                    messages.warning(request, _("You used a recovery code: %(left)d left.")
                                     % {"left": two_factor.recovery_codes_left(user)})
                target = pending["next"]
                if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    target = settings.LOGIN_REDIRECT_URL
                return redirect(target)
    return render(request, "registration/login_verify.html", {"form": form}, status=400 if form.errors else 200)


# Passwords (Django's views; the reset mail goes through the outbox) -----------------------------------

class PasswordChangeView(auth_views.PasswordChangeView):
    """Keeps this session (Django's update_session_auth_hash); the others end with the old password's
    hash, and the API tokens with members.sessions.EndTokensOnPasswordChange."""

    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed. Your other sessions and API tokens ended."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm


# The account and two-factor authentication -------------------------------------------------------------

@login_required
def account(request):
    user = request.user
    return render(request, "members/account.html", {
        "has_two_factor": two_factor.has_two_factor(user),
        "required": two_factor.is_required(user),
        "recovery_left": two_factor.recovery_codes_left(user),
        "code_form": CodeForm(),
        "roles": scope_of(user).roles,
    })


def _recovery_page(request, codes, *, first: bool):
    return render(request, "members/recovery_codes.html", {"codes": codes, "first": first})


@login_required
@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request):
    user = request.user
    if two_factor.has_two_factor(user):
        messages.info(request, _("Two-factor authentication is already on."))
        return redirect("account")
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.totp_setup_confirm(user=user, code=form.cleaned_data["code"], request=request)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            django_otp.login(request, device)
            return _recovery_page(request, codes, first=True)
    device = two_factor.totp_setup_begin(user=user)
    return render(request, "members/two_factor_setup.html", {
        "form": form, "qr_code": two_factor.qr_code_data_uri(device), "secret": two_factor.secret_text(device),
        "required": two_factor.is_required(user),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
@never_cache
def recovery_codes_replace(request):
    if not request.user.is_verified():
        return HttpResponseForbidden(_("Log in with your two-factor code first."))
    try:
        codes = two_factor.recovery_codes_replace(user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account")
    return _recovery_page(request, codes, first=False)


@login_required
@require_POST
@sensitive_post_parameters("code")
def two_factor_disable(request):
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a code to turn two-factor authentication off."))
        return redirect("account")
    try:
        two_factor.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("account")


# Invitations --------------------------------------------------------------------------------------------

def _may_invite_to_roles(user) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.official_city_ids or scope.secretariat_alliance_ids)


def _invite(request, form, *, kind, payload) -> int | None:
    """Send the invitation: None, or the refusal's status with its message on the form."""
    try:
        invitation = invitations.invitation_create(
            actor=request.user, email=form.cleaned_data["email"], kind=kind, payload=payload,
            language=translation.get_language(), site=site_address(request),
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return exc.status_code
    messages.success(request, _("The invitation was sent to %(email)s.") % {"email": invitation.email})
    return None


@login_required
def invitation_list(request):
    """The invitations the user sent; officials and secretariats invite to roles here."""
    user = request.user
    scope = scope_of(user)
    form = None
    if _may_invite_to_roles(user):
        cities = City.objects.all() if scope.is_superuser else City.objects.filter(id__in=scope.official_city_ids)
        form = RoleInvitationForm(request.POST or None, alliances=alliances_overseen_by(user).order_by("name"),
                                  cities=cities)
    elif request.method == "POST":
        return HttpResponseForbidden(_("Only officials and secretariats invite to roles."))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _invite(request, form, kind="role", payload=form.payload())
            if status is None:
                return redirect("invitations")
    sent = invitations.invitations_sent_by(user)[:100]
    return render(request, "members/invitations.html",
                  {"form": form, "invitations": sent, "now": timezone.now(), "days": settings.INVITATION_DAYS},
                  status=status)


@login_required
@require_POST
def invitation_withdraw(request, pk):
    invitation = invitations.invitations_sent_by(request.user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    try:
        invitations.invitation_withdraw(invitation=invitation, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation was withdrawn."))
    return redirect("invitations")


@login_required
@require_POST
def contact_invite(request, pk):
    organization = organization_get_for_user(request.user, pk)
    if not can_edit_organization(request.user, organization):
        return HttpResponseForbidden(_("You may not add contacts to this unit."))
    form = ContactInvitationForm(request.POST)
    if form.is_valid():
        payload = {"organization": organization.pk, "title": form.cleaned_data["title"]}
        if _invite(request, form, kind="contact", payload=payload) is not None:
            messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("organization-detail", pk=organization.pk)


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation_accept(request, token):
    try:
        invitation = invitations.invitation_from_token(token)
    except DomainError as exc:
        return render(request, "members/invitation_invalid.html", {"message": exc.message}, status=exc.status_code)
    if invitations.is_new_account(invitation.user):
        return _accept_with_new_account(request, token, invitation)
    if not request.user.is_authenticated:
        messages.info(request, _("Log in as %(email)s's account to accept the invitation.")
                      % {"email": invitation.email})
        return redirect_to_login(request.get_full_path())
    if request.user.pk != invitation.user_id:
        return render(request, "members/invitation_invalid.html", {
            "message": _("This invitation is for the account with the e-mail address %(email)s. Log out and log "
                         "in as that account to accept it.") % {"email": invitation.email},
        }, status=403)
    if request.method == "POST":
        try:
            invitations.invitation_accept(token=token, actor=request.user)
        except DomainError as exc:
            return render(request, "members/invitation_invalid.html", {"message": exc.message},
                          status=exc.status_code)
        messages.success(request, _("Welcome: you are now %(grant)s.") % {"grant": invitation.description})
        return redirect("home")
    return render(request, "members/invitation_accept.html", {"invitation": invitation, "form": None})


def _accept_with_new_account(request, token, invitation):
    form = AcceptInvitationForm(request.POST or None, initial={"username": invitation.user.username})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitations.invitation_accept_new_account(
                token=token, username=data["username"], full_name=data["full_name"], password=data["password1"],
            )
        except DomainError as exc:
            if exc.status_code == 409:
                return render(request, "members/invitation_invalid.html", {"message": exc.message}, status=409)
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            auth_login(request, user, backend=PASSWORD_BACKEND)
            messages.success(request, _("Welcome: you are now %(grant)s.") % {"grant": invitation.description})
            return redirect("home")
    return render(request, "members/invitation_accept.html", {"invitation": invitation, "form": form},
                  status=400 if form.errors else 200)
