from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from alliance import services
from alliance.errors import DomainError
from alliance.forms import AllianceForm, DocumentForm, TransitionForm
from alliance.models import Alliance, City
from alliance.permissions import (
    can_create_alliance,
    can_edit_alliance,
    can_manage_members,
    status_targets_for,
)
from alliance.scope import scope_of
from alliance.selectors import alliance_get_for_user, alliances_for_user, audit_entries_for_alliance
from governance.selectors import seats_for_user
from members.models import Membership
from members.selectors import members_by_type, memberships_for_user


def page_not_found(request, exception):
    """404: JSON under /api/ (the API's error shape), the site's own page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def bad_request(request, exception):
    """400 from Django itself (too many fields, a body over the size limit, ...): JSON under /api/."""
    if request.path.startswith("/api/"):
        from alliance.api.exceptions import suspicious_message

        return JsonResponse({"detail": suspicious_message(exception)}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error.")}, status=500)
    return render(request, "500.html", status=500)


def language_switch(request):
    """Django's set_language, also remembering the choice on the user (their mail follows it)."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


def home(request):
    scope = scope_of(request.user)
    context = {"scope": scope}
    if scope.is_superuser:
        context["city_alliances"] = alliances_for_user(request.user)[:50]
    elif scope.official_city_ids:
        context["city_alliances"] = alliances_for_user(request.user).filter(city_id__in=scope.official_city_ids)
    if scope.secretariat_alliance_ids:
        context["managed_alliances"] = alliances_for_user(request.user).filter(id__in=scope.secretariat_alliance_ids)
        context["pending_applications"] = memberships_for_user(request.user).filter(
            alliance_id__in=scope.secretariat_alliance_ids, status=Membership.Status.APPLIED
        )[:20]
    if scope.contact_organization_ids:
        context["own_memberships"] = memberships_for_user(request.user).filter(
            organization_id__in=scope.contact_organization_ids
        ).order_by("organization__name", "-id")
    if scope.seat_ids:
        context["seats"] = seats_for_user(request.user).filter(id__in=scope.seat_ids).select_related("body__alliance")
    if not scope.is_authenticated:
        context["public_alliances"] = alliances_for_user(request.user)[:20]
    return render(request, "alliance/home.html", context)


def alliance_list(request):
    alliances = alliances_for_user(request.user).prefetch_related("chains")
    status = request.GET.get("status", "")
    if status in Alliance.Status.values:
        alliances = alliances.filter(status=status)
    level = request.GET.get("level", "")
    if level in Alliance.Level.values:
        alliances = alliances.filter(level=level)
    page = Paginator(alliances.order_by("name", "id"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "alliance/alliance_list.html",
        {
            "page": page,
            "statuses": Alliance.Status.choices,
            "levels": Alliance.Level.choices,
            "status": status,
            "level": level,
            "can_create": can_create_alliance(request.user),
        },
    )


def alliance_detail(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    targets = status_targets_for(request.user, alliance)
    return render(
        request,
        "alliance/alliance_detail.html",
        {
            "alliance": alliance,
            "chains": alliance.chains.all(),
            "members_by_type": members_by_type(alliance),
            "status_changes": alliance.status_changes.select_related("actor"),
            "documents": alliance.documents.all(),
            "can_edit": can_edit_alliance(request.user, alliance),
            "can_manage_members": can_manage_members(request.user, alliance),
            "transition_form": TransitionForm(targets=targets) if targets else None,
            "document_form": DocumentForm() if can_edit_alliance(request.user, alliance) else None,
        },
    )


@login_required
def alliance_create(request):
    if not can_create_alliance(request.user):
        return HttpResponseForbidden(_("Only the city's officials can register an alliance."))
    form = AllianceForm(request.POST or None)
    if not request.user.is_superuser:
        form.fields["city"].queryset = City.objects.filter(id__in=scope_of(request.user).official_city_ids)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            alliance = services.alliance_create(actor=request.user, **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The alliance was registered."))
            return redirect("alliance-detail", pk=alliance.pk)
    return render(request, "alliance/alliance_form.html", {"form": form})


@login_required
def alliance_edit(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_edit_alliance(request.user, alliance):
        return HttpResponseForbidden(_("You may not change this alliance."))
    form = AllianceForm(request.POST or None, instance=alliance)
    form.fields["city"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "city"}
        try:
            services.alliance_update(alliance=alliance, actor=request.user, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("alliance-detail", pk=alliance.pk)
    return render(request, "alliance/alliance_form.html", {"form": form, "alliance": alliance})


@login_required
@require_POST
def alliance_transition(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    targets = status_targets_for(request.user, alliance)
    if not targets:
        return HttpResponseForbidden(_("You may not make this status change."))
    form = TransitionForm(request.POST, targets=targets)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.alliance_transition(alliance=alliance, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The status was changed."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("alliance-detail", pk=alliance.pk)


@login_required
@require_POST
def alliance_document_upload(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_edit_alliance(request.user, alliance):
        return HttpResponseForbidden(_("You may not upload documents for this alliance."))
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.alliance_document_add(alliance=alliance, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The document was uploaded."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("alliance-detail", pk=alliance.pk)


def alliance_document_download(request, pk, document_pk):
    alliance = alliance_get_for_user(request.user, pk)
    document = get_object_or_404(alliance.documents, pk=document_pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


@login_required
def alliance_history(request, pk):
    """The audit log, for the people who answer for the alliance."""
    alliance = alliance_get_for_user(request.user, pk)
    if not can_edit_alliance(request.user, alliance):
        return HttpResponseForbidden(_("Only the alliance's secretariat and the city's officials see its audit log."))
    page = Paginator(audit_entries_for_alliance(alliance), 50).get_page(request.GET.get("page"))
    return render(request, "alliance/alliance_history.html", {"alliance": alliance, "page": page, "query": ""})
