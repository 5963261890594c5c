from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.models import Alliance, City
from alliance.permissions import can_manage_members
from alliance.selectors import (
    alliance_choices_for_user,
    alliance_get_for_user,
    alliances_for_user,
    alliances_overseen_by,
)
from kernel.collation import pinyin
from kernel.counts import Paginator
from kernel.downloads import XLSX, attachment
from kernel.errors import DomainError
from kernel.pages import act, show_error
from kernel.scope import scope_of
from members import excel, services
from members.account_forms import ContactInvitationForm
from members.forms import (
    ApplicationForm,
    ContactForm,
    DecisionForm,
    IdentityChangeForm,
    ImportForm,
    MemberAddForm,
    OrganizationForm,
    RegisterFilterForm,
    RoleGrantForm,
)
from members.models import IdentityChange, Membership, Organization
from members.permissions import (
    can_act_for,
    can_answer_invitation,
    can_apply_for_membership,
    can_change_identity,
    can_decide_membership,
    can_edit_organization,
    can_manage_roles,
    can_view_contacts,
    can_withdraw_membership,
    is_official_for,
    needs_consent,
)
from members.selectors import (
    membership_get_for_user,
    memberships_for_user,
    organization_get_for_user,
    organizations_for_user,
    role_grants_for_user,
)

REGISTER_PAGE_SIZE = 50


def _filtered_register(request):
    form = RegisterFilterForm(request.GET or None, alliances=alliance_choices_for_user(request.user))
    memberships = memberships_for_user(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            memberships = memberships.filter(
                Q(organization__name__icontains=data["q"]) | Q(organization__uscc=data["q"].upper())
                | Q(organization__name_en__icontains=data["q"])
            )
        if data["alliance"]:
            memberships = memberships.filter(alliance=data["alliance"])
        for field, lookup in (("type", "organization__type"), ("role", "role"), ("status", "status")):
            if data[field]:
                memberships = memberships.filter(**{lookup: data[field]})
    return form, memberships.order_by(pinyin("organization__name"), "id")


def register(request):
    form, memberships = _filtered_register(request)
    page = Paginator(memberships, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "members/_register_table.html" if request.htmx else "members/register.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@login_required
def register_export(request):
    _form, memberships = _filtered_register(request)
    return attachment(excel.export_register(memberships, reader=request.user), XLSX,
                      f"member-register-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def register_import(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_manage_members(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat can enrol members."))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.import_register(alliance=alliance, uploaded=form.cleaned_data["file"], actor=request.user)
        except DomainError as exc:
            status = show_error(request, exc, form, field="file")
        else:
            if result.ok:
                messages.success(request, _("%(count)d member units were imported.") % {"count": result.created})
                if result.invited:
                    messages.info(request, _("%(count)d units registered by others were invited: they join once "
                                             "their contacts accept.") % {"count": result.invited})
                return redirect("alliance-detail", pk=alliance.pk)
    return render(request, "members/import.html", {"alliance": alliance, "form": form, "result": result},
                  status=status)


@login_required
def member_add(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_manage_members(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat can enrol members."))
    form = MemberAddForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.membership_enrol(
                alliance=alliance, actor=request.user, uscc=data["uscc"], role=data["role"],
                organization=form.registered_unit, name=data["name"], type=data["type"], size=data["size"],
            )
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            if membership.status == Membership.Status.ACTIVE:
                messages.success(request, _("“%(name)s” was enrolled as a member.")
                                 % {"name": membership.organization.name})
            else:
                messages.success(request, _("“%(name)s” is registered by others: it was invited, and joins once "
                                            "its contacts accept.") % {"name": membership.organization.name})
            return redirect("alliance-detail", pk=alliance.pk)
    return render(request, "members/member_add.html", {"alliance": alliance, "form": form}, status=status)


def organization_detail(request, pk):
    organization = organization_get_for_user(request.user, pk)
    memberships = memberships_for_user(request.user).filter(organization=organization).order_by("-id")
    can_edit = can_edit_organization(request.user, organization)
    is_contact = can_act_for(request.user, organization)
    is_official = is_official_for(request.user, organization)
    pending_change = (
        organization.identity_changes.filter(status=IdentityChange.Status.PENDING).select_related("requested_by").first()
        if is_contact or is_official else None
    )
    return render(
        request,
        "members/organization_detail.html",
        {
            "organization": organization,
            "memberships": memberships,
            "contacts": (organization.contacts.select_related("user")
                         if can_view_contacts(request.user, organization) else None),
            "can_edit": can_edit,
            "can_apply": is_contact,
            "contact_form": ContactForm() if can_edit else None,
            "contact_invite_form": ContactInvitationForm() if can_edit else None,
            "pending_change": pending_change,
            "identity_form": (IdentityChangeForm(initial={"name": organization.name, "uscc": organization.uscc})
                              if is_contact and pending_change is None else None),
            "can_decide_change": is_official,
        },
    )


@login_required
@require_POST
def contact_add(request, pk):
    organization = organization_get_for_user(request.user, pk)
    if not can_edit_organization(request.user, organization):
        raise PermissionDenied(_("You may not add contacts to this unit."))
    form = ContactForm(request.POST)
    done = reverse("organization-detail", args=[organization.pk])
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(done)
    return act(request, lambda: services.contact_add(organization=organization, actor=request.user,
                                                     user=form.cleaned_data["username"],
                                                     title=form.cleaned_data["title"]),
               success=_("The contact was added."), done=done)


@login_required
@require_POST
def contact_remove(request, pk, contact_pk):
    organization = organization_get_for_user(request.user, pk)
    if not can_edit_organization(request.user, organization):
        raise PermissionDenied(_("You may not change this unit's contacts."))
    contact = organization.contacts.filter(pk=contact_pk).select_related("user", "organization").first()
    if contact is None:
        return HttpResponse(status=404)
    return act(request, lambda: services.contact_remove(contact=contact, actor=request.user),
               success=_("The contact was removed."), done=reverse("organization-detail", args=[organization.pk]))


@login_required
def organization_edit(request, pk):
    organization = organization_get_for_user(request.user, pk)
    if not can_edit_organization(request.user, organization):
        raise PermissionDenied(_("You may not change this unit's profile."))
    form = OrganizationForm(request.POST or None, instance=Organization.objects.get(pk=organization.pk),
                            identity_editable=can_change_identity(request.user, organization))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.organization_update(organization=organization, actor=request.user, **changes)
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect("organization-detail", pk=organization.pk)
    return render(request, "members/organization_form.html", {"organization": organization, "form": form},
                  status=status)


@login_required
@require_POST
def identity_change_request(request, pk):
    organization = organization_get_for_user(request.user, pk)
    if not can_act_for(request.user, organization):
        raise PermissionDenied(_("Only a contact of the unit can ask to change its legal name or credit code."))
    form = IdentityChangeForm(request.POST)
    done = reverse("organization-detail", args=[organization.pk])
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect(done)
    return act(request, lambda: services.identity_change_request(organization=organization, actor=request.user,
                                                                 **form.cleaned_data),
               success=_("The request was sent to the officials of the unit's city."), done=done)


@login_required
@require_POST
def identity_change_decide(request, pk, change_pk, decision):
    organization = organization_get_for_user(request.user, pk)
    change = organization.identity_changes.filter(pk=change_pk).first()
    if change is None or decision not in ("approve", "reject"):
        raise Http404
    return act(request, lambda: services.identity_change_decide(change=change, actor=request.user,
                                                                approve=decision == "approve",
                                                                note=request.POST.get("note", "")[:2000]),
               success=_("The request was decided."), done=reverse("organization-detail", args=[organization.pk]))


@login_required
def membership_apply(request):
    scope = scope_of(request.user)
    if not can_apply_for_membership(request.user):
        raise PermissionDenied(_("Only a contact of the unit can apply on its behalf."))
    form = ApplicationForm(
        request.POST or None,
        organizations=organizations_for_user(request.user).filter(id__in=scope.contact_organization_ids),
        alliances=alliances_for_user(request.user).exclude(status__in=Alliance.CLOSED_STATUSES).order_by(pinyin("name")),
        initial={"alliance": request.GET.get("alliance")},
    )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_apply(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The application was submitted."))
            return redirect("membership-detail", pk=membership.pk)
    return render(request, "members/apply.html", {"form": form}, status=status)


def membership_detail(request, pk):
    membership = membership_get_for_user(request.user, pk)
    can_decide = can_decide_membership(request.user, membership)
    return render(
        request,
        "members/membership_detail.html",
        {
            "membership": membership,
            "can_decide": can_decide,
            "awaiting_consent": membership.status == Membership.Status.APPLIED and needs_consent(membership),
            "can_answer": can_answer_invitation(request.user, membership),
            "can_withdraw": can_withdraw_membership(request.user, membership),
            "form": DecisionForm(initial={"role": membership.role}),
        },
    )


DECISIONS = {
    "approve": services.membership_approve,
    "reject": services.membership_reject,
    "expel": services.membership_expel,
    "withdraw": services.membership_withdraw,
}


@login_required
@require_POST
def membership_accept(request, pk):
    membership = membership_get_for_user(request.user, pk)
    return act(request, lambda: services.membership_accept(membership=membership, actor=request.user),
               success=_("The invitation was accepted: the alliance's secretariat can now approve the membership."),
               done=reverse("membership-detail", args=[pk]))


@login_required
@require_POST
def membership_decide(request, pk, decision):
    service = DECISIONS.get(decision)
    if service is None:
        raise Http404
    membership = membership_get_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("membership-detail", pk=pk)
    extra = {"role": form.cleaned_data["role"]} if decision == "approve" and form.cleaned_data["role"] else {}
    return act(request, lambda: service(membership=membership, actor=request.user,
                                        reason=form.cleaned_data["reason"], **extra),
               success=lambda decided: _("Done: the membership is now “%(status)s”.")
               % {"status": decided.get_status_display()},
               done=reverse("membership-detail", args=[pk]))


@login_required
def roles(request):
    scope = scope_of(request.user)
    if not can_manage_roles(request.user):
        raise PermissionDenied(_("Only officials and secretariats manage roles."))
    cities = City.objects.all() if scope.is_superuser else City.objects.filter(id__in=scope.official_city_ids)
    form = RoleGrantForm(request.POST or None, alliances=alliances_overseen_by(request.user).order_by(pinyin("name")),
                         cities=cities)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.role_grant_create(actor=request.user, user=data["username"], role=data["role"],
                                       alliance=data["alliance"], city=data["city"])
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The role was granted."))
            return redirect("roles")
    return render(request, "members/roles.html", {"grants": role_grants_for_user(request.user), "form": form},
                  status=status)


@login_required
@require_POST
def role_revoke(request, pk):
    grant = role_grants_for_user(request.user).filter(pk=pk).first()
    if grant is None:
        return HttpResponse(status=404)
    return act(request, lambda: services.role_grant_revoke(grant=grant, actor=request.user),
               success=_("The role was revoked."), done=reverse("roles"))
