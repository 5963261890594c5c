"""Pages of meetings: the director's home and answers, the planner, one meeting, its agenda and papers,
attendance with the live quorum, and minutes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from alliance.selectors import alliance_get_for_user, alliances_for_user, alliances_overseen_by
from governance import selectors
from governance.forms import (
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
    PaperForm,
    RsvpForm,
)
from governance.models import Meeting
from governance.permissions import (
    can_edit_minutes,
    can_manage,
    can_manage_seats,
    held_seats,
    minutes_locked_because,
)
from governance.services import meetings as meeting_services
from governance.services import minutes as minutes_services
from governance.views.common import PAGE_SIZE, _council_alliance, _next_or, _secretariat_only
from kernel.errors import DomainError, StateConflict
from kernel.pages import act, show_error
from kernel.scope import scope_of

# Director's home ------------------------------------------------------------------------------

@login_required
def home(request):
    """Upcoming meetings of the bodies the user sits on, with the RSVP; for the secretariat and officials,
    the upcoming meetings and open votes of their alliances (ballots returned so far)."""
    user = request.user
    scope = scope_of(user)
    upcoming = []
    if scope.seat_alliance_ids:
        bodies = [seat.body_id for seat in held_seats(user)]
        upcoming = list(selectors.meetings_for_user(user).filter(
            body_id__in=bodies, status=Meeting.Status.PLANNED, ends_at__gte=timezone.now(),
        ).order_by("starts_at", "id")[:PAGE_SIZE])
        answers = {invitation.meeting_id: invitation for invitation in
                   selectors.invitations_for_user(user).filter(meeting__in=[m.pk for m in upcoming])}
        for meeting in upcoming:
            meeting.my_invitation = answers.get(meeting.pk)
            meeting.quorum = selectors.meeting_quorum(meeting)
    overseen = bool(scope.is_superuser or scope.secretariat_alliance_ids or scope.official_city_ids)
    return render(request, "governance/home.html", {
        "upcoming": upcoming,
        "sits": bool(scope.seat_alliance_ids),
        "overseen_meetings": list(selectors.upcoming_meetings_overseen_by(user)[:PAGE_SIZE]) if overseen else [],
        "open_votes": list(selectors.open_votes_overseen_by(user)[:PAGE_SIZE]) if overseen else [],
        "rsvp_choices": RsvpForm.base_fields["response"].choices,
        "votes_waiting": selectors.motions_needing_vote(user).count() if scope.seat_ids else 0,
        "alliances": alliances_for_user(user).filter(
            Q(id__in=scope.seat_alliance_ids) | Q(id__in=alliances_overseen_by(user).values("id"))
        ).select_related(None).only("id", "name", "name_en").order_by("name"),
        "managed_ids": scope.secretariat_alliance_ids,
    })


@login_required
@require_POST
def rsvp(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you will attend."))
        return _meeting_page(request, meeting, status=400)
    return act(request, lambda: meeting_services.rsvp(meeting=meeting, actor=request.user,
                                                      response=form.cleaned_data["response"]),
               success=_("Your answer was recorded."),
               done=_next_or(request, reverse("governance:meeting", args=[meeting.pk])),
               page=lambda status: _meeting_page(request, meeting, status=status))


# Meeting planner --------------------------------------------------------------------------------

def _planner_page(request, alliance, *, form=None, status=200):
    meetings = list(selectors.meetings_for_user(request.user).filter(body__alliance=alliance)
                    .order_by("-starts_at", "-id")[:200])
    counts = selectors.rsvp_counts(m.pk for m in meetings)
    for meeting in meetings:
        meeting.quorum = selectors.meeting_quorum(meeting)
        meeting.rsvp = counts.get(meeting.pk, {})
        meeting.rsvp_yes = meeting.rsvp.get("attending", 0) + meeting.rsvp.get("online", 0)
    manager = can_manage(request.user, alliance)
    if manager and form is None:
        form = MeetingForm(bodies=selectors.voting_bodies(alliance))
    return render(request, "governance/planner.html", {
        "alliance": alliance, "meetings": meetings, "form": form if manager else None, "can_manage": manager,
        "can_manage_seats": can_manage_seats(request.user, alliance),
    }, status=status)


@login_required
def planner(request, alliance_id):
    alliance, readable = _council_alliance(request, alliance_id)
    if not readable:
        raise PermissionDenied(_("Council business is for the alliance's secretariat, seats and officials."))
    return _planner_page(request, alliance)


@login_required
@require_POST
def meeting_create(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage(request.user, alliance):
        raise PermissionDenied(_secretariat_only())
    form = MeetingForm(request.POST, bodies=selectors.voting_bodies(alliance))
    status = 400
    if form.is_valid():
        try:
            meeting = meeting_services.meeting_create(body=form.cleaned_data["body"], actor=request.user,
                                                      **form.changes())
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The meeting was entered and is in session: record its attendance and "
                                        "votes, then mark it as held.") if meeting.in_session
                             else _("The meeting was planned."))
            return redirect("governance:meeting", pk=meeting.pk)
    return _planner_page(request, alliance, form=form, status=status)


# One meeting ------------------------------------------------------------------------------------

def _meeting_page(request, meeting, *, status=200, edit_form=None, item_form=None, item_forms=None,
                  paper_forms=None):
    user = request.user
    alliance = meeting.body.alliance
    manager = can_manage(user, alliance)
    items = list(meeting.agenda_items.select_related("motion").prefetch_related("papers").order_by("position"))
    invitation = (selectors.invitations_for_user(user).filter(meeting=meeting).first()
                  if user.is_authenticated else None)
    context = {
        "meeting": meeting,
        "alliance": alliance,
        "items": items,
        "quorum": selectors.meeting_quorum(meeting),
        "can_manage": manager,
        "planned": meeting.status == Meeting.Status.PLANNED,
        "in_session": meeting.in_session,
        "invitation": invitation,
        "rsvp_choices": RsvpForm.base_fields["response"].choices,
        "motions": list(meeting.motions.order_by("id")),
        "minutes": selectors.minutes_for_user(request.user).filter(meeting=meeting).first(),
    }
    if manager and context["planned"]:
        context["edit_form"] = edit_form or MeetingForm(initial={
            "kind": meeting.kind, "title": meeting.title, "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at), "location": meeting.location,
            "online_link": meeting.online_link})
        context["item_form"] = item_form or AgendaItemForm()
        item_forms, paper_forms = item_forms or {}, paper_forms or {}
        for item in items:
            item.edit_form = item_forms.get(item.pk) or AgendaItemForm(
                initial={"title": item.title, "description": item.description}, prefix=f"item{item.pk}")
            item.paper_form = paper_forms.get(item.pk) or PaperForm(prefix=f"paper{item.pk}")
    return render(request, "governance/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request, pk):
    return _meeting_page(request, selectors.meeting_get_for_user(request.user, pk))


def _managed_meeting(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    return meeting, can_manage(request.user, meeting.body.alliance)


@login_required
@require_POST
def meeting_edit(request, pk):
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    form = MeetingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            meeting_services.meeting_update(meeting=meeting, actor=request.user, **form.changes())
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The meeting was changed."))
            return redirect("governance:meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, status=status, edit_form=form)


def _meeting_action(request, pk, call, success):
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    return act(request, lambda: call(meeting), success=success,
               done=_next_or(request, reverse("governance:meeting", args=[meeting.pk])),
               page=lambda status: _meeting_page(request, selectors.meeting_get_for_user(request.user, pk),
                                                 status=status))


@login_required
@require_POST
def meeting_cancel(request, pk):
    return _meeting_action(request, pk, lambda m: meeting_services.meeting_cancel(meeting=m, actor=request.user),
                           _("The meeting was cancelled."))


@login_required
@require_POST
def meeting_start(request, pk):
    return _meeting_action(request, pk, lambda m: meeting_services.meeting_start(meeting=m, actor=request.user),
                           _("The meeting is in session: take the attendance."))


@login_required
@require_POST
def meeting_held(request, pk):
    return _meeting_action(request, pk, lambda m: meeting_services.meeting_mark_held(meeting=m, actor=request.user),
                           _("The meeting was marked as held."))


@login_required
@require_POST
def meeting_invite(request, pk):
    return _meeting_action(
        request, pk, lambda m: meeting_services.invitations_send(meeting=m, actor=request.user),
        lambda sent: ngettext("%(count)d invitation was sent.", "%(count)d invitations were sent.", sent)
        % {"count": sent})


# Agenda and papers ----------------------------------------------------------------------------

def _agenda_of(meeting_id) -> str:
    return reverse("governance:meeting", args=[meeting_id]) + "#agenda"


@login_required
@require_POST
def agenda_add(request, pk):
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    form = AgendaItemForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            meeting_services.agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The item was added to the agenda."))
            return redirect(_agenda_of(meeting.pk))
    return _meeting_page(request, meeting, status=status, item_form=form)


def _managed_item(request, pk):
    item = selectors.agenda_item_get_for_user(request.user, pk)
    return item, can_manage(request.user, item.meeting.body.alliance)


@login_required
@require_POST
def agenda_edit(request, pk):
    item, manager = _managed_item(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    form = AgendaItemForm(request.POST, prefix=f"item{item.pk}")
    status = 400
    if form.is_valid():
        try:
            meeting_services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The agenda item was saved."))
            return redirect(_agenda_of(item.meeting_id))
    return _meeting_page(request, selectors.meeting_get_for_user(request.user, item.meeting_id), status=status,
                         item_forms={item.pk: form})


def _item_action(request, pk, call, success):
    item, manager = _managed_item(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    return act(request, lambda: call(item), success=success, done=_agenda_of(item.meeting_id),
               page=lambda status: _meeting_page(
                    request, selectors.meeting_get_for_user(request.user, item.meeting_id), status=status))


@login_required
@require_POST
def agenda_delete(request, pk):
    return _item_action(request, pk, lambda item: meeting_services.agenda_item_delete(item=item, actor=request.user),
                        _("The agenda item was removed."))


@login_required
@require_POST
def agenda_move(request, pk):
    up = request.POST.get("direction") != "down"
    return _item_action(request, pk,
                        lambda item: meeting_services.agenda_move(item=item, actor=request.user, up=up),
                        _("The agenda was reordered."))


@login_required
@require_POST
def paper_add(request, pk):
    item, manager = _managed_item(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    form = PaperForm(request.POST, request.FILES, prefix=f"paper{item.pk}")
    status = 400
    if form.is_valid():
        try:
            meeting_services.paper_add(item=item, actor=request.user, title=form.cleaned_data["title"],
                                       file=form.cleaned_data["file"])
        except DomainError as exc:
            status = show_error(request, exc, form, field="file")
        else:
            messages.success(request, _("The paper was attached."))
            return redirect(_agenda_of(item.meeting_id))
    return _meeting_page(request, selectors.meeting_get_for_user(request.user, item.meeting_id), status=status,
                         paper_forms={item.pk: form})


@login_required
def paper_download(request, pk):
    """Papers are read by whoever may read the meeting (the selector's scope): 404 for anyone else."""
    paper = selectors.paper_get_for_user(request.user, pk)
    return FileResponse(paper.file.open("rb"), as_attachment=True, filename=paper.file.name.rsplit("/", 1)[-1])


@login_required
@require_POST
def paper_delete(request, pk):
    paper = selectors.paper_get_for_user(request.user, pk)
    meeting = paper.agenda_item.meeting
    if not can_manage(request.user, meeting.body.alliance):
        raise PermissionDenied(_secretariat_only())
    return act(request, lambda: meeting_services.paper_delete(paper=paper, actor=request.user),
               success=_("The paper was removed."), done=_agenda_of(meeting.pk),
               page=lambda status: _meeting_page(
                    request, selectors.meeting_get_for_user(request.user, meeting.pk), status=status))


# Attendance and quorum -----------------------------------------------------------------------

def _attendance_form(meeting, data=None, files=None):
    seats = list(selectors.active_seats(meeting.body_id).select_related("user", "organization", "alternate")
                 .order_by("id"))
    sheet = {row.seat_id: row for row in meeting.attendance.all()}
    return AttendanceForm(data, files, seats=seats, sheet=sheet)


@login_required
def attendance(request, pk):
    """The attendance sheet, one line per seat; "all present" records every seat in person at once."""
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        raise PermissionDenied(_secretariat_only())
    status = 200
    if request.method == "POST":
        form = _attendance_form(meeting, request.POST, request.FILES)
        status = 400
        all_present = bool(request.POST.get("all_present"))
        if all_present or form.is_valid():
            try:
                meeting_services.attendance_set(meeting=meeting, actor=request.user,
                                                records=form.all_present() if all_present else form.records())
            except DomainError as exc:
                status = show_error(request, exc, None if exc.status_code != 400 or all_present else form)
            else:
                if not request.htmx:
                    messages.success(request, _("The attendance was saved."))
                    return redirect("governance:attendance", pk=meeting.pk)
                meeting = selectors.meeting_get_for_user(request.user, pk)
                form = _attendance_form(meeting)
                status = 200
    else:
        form = _attendance_form(meeting)
    response = render(request, "governance/attendance.html", {
        "meeting": meeting, "form": form, "rows": form.rows(), "saved": request.method == "POST" and status == 200,
        "quorum": selectors.meeting_quorum(meeting),
        "started": meeting.status != Meeting.Status.PLANNED or meeting.has_started(),
    }, status=status)
    if request.method == "POST" and status == 200:
        response["HX-Trigger"] = "attendance-saved"  # the quorum panel reloads itself
    return response


@login_required
def proxy_letter(request, pk, seat_id):
    """A proxy letter is for those who keep the seats (the secretariat, the city's officials)."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    if not can_manage_seats(request.user, meeting.body.alliance):
        raise PermissionDenied(_("Proxy letters are kept by the secretariat and the city's officials."))
    row = selectors.attendance_for_meeting(meeting).filter(seat_id=seat_id).exclude(proxy_letter="").first()
    if row is None:
        raise Http404
    return FileResponse(row.proxy_letter.open("rb"), as_attachment=True,
                        filename=row.proxy_letter.name.rsplit("/", 1)[-1])


@login_required
def quorum(request, pk):
    """The live quorum panel (HTMX polls it and reloads it after the sheet is saved)."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    return render(request, "governance/_quorum.html", {"meeting": meeting, "quorum": selectors.meeting_quorum(meeting)})


# Minutes ---------------------------------------------------------------------------------------

def _minutes_page(request, meeting, *, form=None, status=200):
    minutes = selectors.minutes_for_user(request.user).filter(meeting=meeting).first()
    manager = can_manage(request.user, meeting.body.alliance)
    editable = can_edit_minutes(request.user, meeting, minutes)
    if editable and form is None:
        form = MinutesForm(initial={"text": minutes.text if minutes else ""})
    return render(request, "governance/minutes.html", {
        "meeting": meeting, "minutes": minutes, "editable": editable, "form": form if editable else None,
        "locked_because": minutes_locked_because(meeting, minutes) if manager and not editable else None,
        "can_manage": manager,
        "approval_motion": minutes.approval_motions.exclude(state="closed", adopted=False).first() if minutes else None,
    }, status=status)


@login_required
def minutes(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    if request.method != "POST":
        return _minutes_page(request, meeting)
    if not can_manage(request.user, meeting.body.alliance):
        raise PermissionDenied(_secretariat_only())
    form = MinutesForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            minutes_services.minutes_save(meeting=meeting, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("governance:minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, form=form, status=status)


@login_required
@require_POST
def minutes_circulate(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    if not can_manage(request.user, meeting.body.alliance):
        raise PermissionDenied(_secretariat_only())
    found = selectors.minutes_for_user(request.user).filter(meeting=meeting).first()
    try:
        if found is None:
            raise StateConflict(_("Write the minutes first."))
        minutes_services.minutes_circulate(minutes=found, actor=request.user)
    except DomainError as exc:
        return _minutes_page(request, meeting, status=show_error(request, exc))
    messages.success(request, _("The minutes were circulated to the body."))
    return redirect("governance:minutes", pk=meeting.pk)
