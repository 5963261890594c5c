"""Pages of supply–demand events (供需对接会): planned, held or cancelled by the secretariat; read by the
alliance's people; they record the needs discussed and the responses that came of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.selectors import alliance_get_for_user
from cooperation import selectors
from cooperation.forms import EventForm, LinkForm
from cooperation.metrics import cooperation_figures
from cooperation.models import Response, SupplyDemandEvent
from cooperation.permissions import can_curate, can_read_events
from cooperation.services import events as event_services
from cooperation.services import responses as response_services
from cooperation.views.common import act, fail, refused
from kernel.errors import DomainError


def _no_access():
    return _("Supply–demand events are for the alliance's members, secretariat and officials.")


@login_required
def events(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_read_events(request.user, alliance):
        return refused(request, _no_access())
    rows = selectors.events_for_user(request.user).filter(alliance=alliance).order_by("-starts_at", "-id")
    return render(request, "cooperation/events.html", {
        "alliance": alliance, "events": rows, "can_curate": can_curate(request.user, alliance),
        "figures": cooperation_figures(alliance, timezone.localdate().year),
    })


def _event_form_page(request, alliance, form, event=None, status=200):
    return render(request, "cooperation/event_form.html", {"alliance": alliance, "form": form, "event": event},
                  status=status)


@login_required
def event_create(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_curate(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat plans its supply–demand events."))
    form = EventForm(request.POST or None, alliance=alliance)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                event = event_services.event_create(alliance=alliance, actor=request.user, **data)
            except DomainError as exc:
                status = fail(request, exc, form)
            else:
                messages.success(request, _("The event was planned."))
                return redirect("cooperation:event", pk=event.pk)
    return _event_form_page(request, alliance, form, status=status)


@login_required
def event_edit(request, pk):
    event = selectors.event_get_for_user(request.user, pk)
    if not can_curate(request.user, event.alliance):
        return refused(request, _("Only the alliance's secretariat plans its supply–demand events."))
    form = EventForm(request.POST or None, alliance=event.alliance,
                     instance=SupplyDemandEvent.objects.get(pk=event.pk))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event_services.event_update(event=event, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = fail(request, exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("cooperation:event", pk=event.pk)
    return _event_form_page(request, event.alliance, form, event, status=status)


@login_required
def event_detail(request, pk):
    event = selectors.event_get_for_user(request.user, pk)
    if not can_read_events(request.user, event.alliance):
        raise Http404
    curator = can_curate(request.user, event.alliance)
    technology_needs = list(event.technology_needs.select_related("organization").order_by("organization__name"))
    linked = list(event.responses.select_related("need", "organization").order_by("-id"))
    linkable = []
    if curator:
        linkable = list(Response.objects.filter(Q(need__in=technology_needs) | Q(need__alliance=event.alliance,
                                                                                 created_at__date__gte=event.starts_at.date()))
                        .exclude(event=event).select_related("need", "organization").order_by("-id")[:50])
    return render(request, "cooperation/event_detail.html", {
        "event": event, "can_curate": curator,
        "technology_needs": technology_needs,
        "talent_needs": list(event.talent_needs.select_related("organization").order_by("organization__name")),
        "responses": linked, "linkable": linkable,
    })


@login_required
@require_POST
def event_action(request, pk, verb):
    event = selectors.event_get_for_user(request.user, pk)
    done = reverse("cooperation:event", args=[event.pk])
    if verb == "held":
        return act(request, lambda: event_services.event_mark_held(
            event=event, actor=request.user, summary=request.POST.get("summary", "")[:20000]),
            success=_("The event was marked held."), done=done)
    if verb == "cancel":
        return act(request, lambda: event_services.event_cancel(event=event, actor=request.user),
                   success=_("The event was cancelled."), done=done)
    if verb == "link":
        form = LinkForm(request.POST)
        response = (selectors.responses_for_user(request.user).filter(pk=form.cleaned_data["response"]).first()
                    if form.is_valid() else None)
        if response is None:
            messages.error(request, _("Choose a response."))
            return redirect(done)
        return act(request, lambda: response_services.response_link_event(response=response, event=event,
                                                                          actor=request.user),
                   success=_("The response was recorded as coming of the event."), done=done)
    raise Http404
