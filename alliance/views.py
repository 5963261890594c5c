from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance import services
from alliance.extensions import panels_for, public_sections_for
from alliance.forms import AllianceForm, DocumentForm, TransitionForm
from alliance.models import Alliance, City
from alliance.permissions import (
    can_create_alliance,
    can_edit_alliance,
    status_targets_for,
)
from alliance.selectors import (
    alliance_get_for_user,
    alliances_for_user,
    audit_entries_for_alliance,
    public_alliance_get,
)
from kernel import audit
from kernel.collation import pinyin
from kernel.counts import Paginator
from kernel.errors import DomainError
from kernel.pages import act, show_error
from kernel.scope import scope_of

AUDIT_PAGE_SIZE = 50


def alliance_list(request):
    alliances = alliances_for_user(request.user).prefetch_related("chains")
    status = request.GET.get("status", "")
    if status in Alliance.Status.values:
        alliances = alliances.filter(status=status)
    level = request.GET.get("level", "")
    if level in Alliance.Level.values:
        alliances = alliances.filter(level=level)
    page = Paginator(alliances.order_by(pinyin("name"), "id"), 25).get_page(request.GET.get("page"))
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
            "panels": panels_for(request, alliance),
            "status_changes": alliance.status_changes.select_related("actor"),
            "documents": alliance.documents.all(),
            "can_edit": can_edit_alliance(request.user, alliance),
            "transition_form": TransitionForm(targets=targets) if targets else None,
            "document_form": DocumentForm() if can_edit_alliance(request.user, alliance) else None,
        },
    )


def alliance_public(request, pk):
    """The page a portal links to: the alliance's published record and what each app publishes about it
    (alliance/extensions.py), the same for every visitor."""
    alliance = public_alliance_get(pk)
    return render(request, "alliance/alliance_public.html", {
        "alliance": alliance,
        "chains": alliance.chains.all(),
        "sections": public_sections_for(alliance),
    })


@login_required
def alliance_create(request):
    if not can_create_alliance(request.user):
        raise PermissionDenied(_("Only the city's officials can register an alliance."))
    form = AllianceForm(request.POST or None)
    if not request.user.is_superuser:
        form.fields["city"].queryset = City.objects.filter(id__in=scope_of(request.user).official_city_ids)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            alliance = services.alliance_create(actor=request.user, **data)
        except DomainError as exc:
            show_error(request, exc, form)
        else:
            messages.success(request, _("The alliance was registered."))
            return redirect("alliance-detail", pk=alliance.pk)
    return render(request, "alliance/alliance_form.html", {"form": form})


@login_required
def alliance_edit(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_edit_alliance(request.user, alliance):
        raise PermissionDenied(_("You may not change this alliance."))
    form = AllianceForm(request.POST or None, instance=alliance)
    form.fields["city"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "city"}
        try:
            services.alliance_update(alliance=alliance, actor=request.user, **data)
        except DomainError as exc:
            show_error(request, exc, form)
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
        raise PermissionDenied(_("You may not make this status change."))
    form = TransitionForm(request.POST, targets=targets)
    done = reverse("alliance-detail", args=[alliance.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(done)
    return act(request, lambda: services.alliance_transition(alliance=alliance, actor=request.user,
                                                             **form.cleaned_data),
               success=_("The status was changed."), done=done)


@login_required
@require_POST
def alliance_document_upload(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_edit_alliance(request.user, alliance):
        raise PermissionDenied(_("You may not upload documents for this alliance."))
    form = DocumentForm(request.POST, request.FILES)
    done = reverse("alliance-detail", args=[alliance.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(done)
    return act(request, lambda: services.alliance_document_add(alliance=alliance, actor=request.user,
                                                               **form.cleaned_data),
               success=_("The document was uploaded."), done=done)


def alliance_document_download(request, pk, document_pk):
    alliance = alliance_get_for_user(request.user, pk)
    document = get_object_or_404(alliance.documents, pk=document_pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


@login_required
def alliance_history(request, pk):
    """The audit log, for the people who answer for the alliance."""
    alliance = alliance_get_for_user(request.user, pk)
    if not can_edit_alliance(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat and the city's officials see its audit log."))
    page = Paginator(audit_entries_for_alliance(alliance), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alliance/alliance_history.html",
                  {"alliance": alliance, "page": page, "entries": audit.present(page), "query": ""})
