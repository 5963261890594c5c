"""Pages of the council's business: they parse input, call one selector or service, and render.

A refused write shows the service's message with the status the API would give (400 bad input,
403 not allowed, 409 state conflict); nothing is saved. Writes reserved to a role are refused
with 403 before their form is read, so a bad form never tells an outsider more.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.errors import DomainError, NotAllowed, StateConflict
from alliance.scope import scope_of
from alliance.selectors import alliance_get_for_user, alliances_for_user, alliances_overseen_by, get_or_404
from governance import selectors
from governance.forms import (
    RULE_CATEGORY,
    RULE_CUSTOM,
    AgendaItemForm,
    AttendanceForm,
    BallotForm,
    ConflictForm,
    MeetingForm,
    MinutesForm,
    MotionForm,
    PaperForm,
    ReasonForm,
    RequestForm,
    RsvpForm,
    SeatEndForm,
    SeatForm,
    TaskForm,
    TaskReportForm,
)
from governance.models import AgendaItem, Body, ExtraordinaryRequest, Meeting, Minutes, Motion, Task
from governance.permissions import (
    can_manage,
    can_manage_seats,
    can_read_council_business,
    can_report_on_task,
    held_seats,
)
from governance.rules import Tally, decide, matching_preset, rule_of, yes_needed
from governance.services import meetings as meeting_services
from governance.services import minutes as minutes_services
from governance.services import seats as seat_services
from governance.services import tasks as task_services
from governance.services import votes as vote_services

PAGE_SIZE = 50


def _secretariat_only():
    return _("Only the alliance's secretariat does this.")


def _refused(request, message, status=403):
    return render(request, "governance/refused.html", {"message": message}, status=status)


def _field_of(exc: DomainError, form) -> str | None:
    return exc.field if form is not None and exc.field in form.fields else None


def _fail(request, exc: DomainError, form=None):
    """Put the service's message on the form (bad input) or above the page (a state or role refusal)."""
    if form is not None and not isinstance(exc, (StateConflict, NotAllowed)):
        form.add_error(_field_of(exc, form), exc.message)
    else:
        messages.error(request, exc.message)
    return exc.status_code


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _council_alliance(request, alliance_id):
    """The alliance (404 if hidden) and whether the user may read its council business."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    return alliance, can_read_council_business(request.user, alliance)


def _voting_bodies(alliance):
    return Body.objects.filter(alliance=alliance).exclude(kind=Body.Kind.SECRETARIAT).order_by("kind", "name")


# Director's home ------------------------------------------------------------------------------

@login_required
def home(request):
    """Upcoming meetings of the bodies the user sits on, with the RSVP; the secretariat's alliances."""
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
    return render(request, "governance/home.html", {
        "upcoming": upcoming,
        "rsvp_choices": RsvpForm.base_fields["response"].choices,
        "votes_waiting": selectors.motions_needing_vote(user).count() if scope.seat_ids else 0,
        "alliances": alliances_for_user(user).filter(
            Q(id__in=scope.seat_alliance_ids) | Q(id__in=alliances_overseen_by(user).values("id"))
        ).select_related(None).only("id", "name").order_by("name"),
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
    try:
        meeting_services.rsvp(meeting=meeting, actor=request.user, response=form.cleaned_data["response"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _meeting_page(request, meeting, status=exc.status_code)
    messages.success(request, _("Your answer was recorded."))
    return redirect(_next_or(request, reverse("governance:meeting", args=[meeting.pk])))


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
        form = MeetingForm(bodies=_voting_bodies(alliance))
    return render(request, "governance/planner.html", {
        "alliance": alliance, "meetings": meetings, "form": form if manager else None, "can_manage": manager,
        "can_manage_seats": can_manage_seats(request.user, alliance),
    }, status=status)


@login_required
def planner(request, alliance_id):
    alliance, readable = _council_alliance(request, alliance_id)
    if not readable:
        return _refused(request, _("Council business is for the alliance's secretariat, seats and officials."))
    return _planner_page(request, alliance)


@login_required
@require_POST
def meeting_create(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage(request.user, alliance):
        return _refused(request, _secretariat_only())
    form = MeetingForm(request.POST, bodies=_voting_bodies(alliance))
    status = 400
    if form.is_valid():
        try:
            meeting = meeting_services.meeting_create(body=form.cleaned_data["body"], actor=request.user,
                                                      **form.changes())
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The meeting was planned."))
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
        "invitation": invitation,
        "rsvp_choices": RsvpForm.base_fields["response"].choices,
        "motions": list(meeting.motions.order_by("id")),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
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
        return _refused(request, _secretariat_only())
    form = MeetingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            meeting_services.meeting_update(meeting=meeting, actor=request.user, **form.changes())
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The meeting was changed."))
            return redirect("governance:meeting", pk=meeting.pk)
    return _meeting_page(request, meeting, status=status, edit_form=form)


def _meeting_action(request, pk, call, success):
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        return _refused(request, _secretariat_only())
    try:
        result = call(meeting)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _meeting_page(request, selectors.meeting_get_for_user(request.user, pk), status=exc.status_code)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(_next_or(request, reverse("governance:meeting", args=[meeting.pk])))


@login_required
@require_POST
def meeting_cancel(request, pk):
    return _meeting_action(request, pk, lambda m: meeting_services.meeting_cancel(meeting=m, actor=request.user),
                           _("The meeting was cancelled."))


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
        lambda sent: _("%(count)d invitations were sent.") % {"count": sent})


# Agenda and papers ----------------------------------------------------------------------------

@login_required
@require_POST
def agenda_add(request, pk):
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        return _refused(request, _secretariat_only())
    form = AgendaItemForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            meeting_services.agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The item was added to the agenda."))
            return redirect(reverse("governance:meeting", args=[meeting.pk]) + "#agenda")
    return _meeting_page(request, meeting, status=status, item_form=form)


def _managed_item(request, pk):
    item = selectors.agenda_item_get_for_user(request.user, pk)
    return item, can_manage(request.user, item.meeting.body.alliance)


@login_required
@require_POST
def agenda_edit(request, pk):
    item, manager = _managed_item(request, pk)
    if not manager:
        return _refused(request, _secretariat_only())
    form = AgendaItemForm(request.POST, prefix=f"item{item.pk}")
    status = 400
    if form.is_valid():
        try:
            meeting_services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The agenda item was saved."))
            return redirect(reverse("governance:meeting", args=[item.meeting_id]) + "#agenda")
    return _meeting_page(request, selectors.meeting_get_for_user(request.user, item.meeting_id), status=status,
                         item_forms={item.pk: form})


def _item_action(request, pk, call, success):
    item, manager = _managed_item(request, pk)
    if not manager:
        return _refused(request, _secretariat_only())
    try:
        call(item)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _meeting_page(request, selectors.meeting_get_for_user(request.user, item.meeting_id),
                             status=exc.status_code)
    messages.success(request, success)
    return redirect(reverse("governance:meeting", args=[item.meeting_id]) + "#agenda")


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
        return _refused(request, _secretariat_only())
    form = PaperForm(request.POST, request.FILES, prefix=f"paper{item.pk}")
    status = 400
    if form.is_valid():
        try:
            meeting_services.paper_add(item=item, actor=request.user, title=form.cleaned_data["title"],
                                       file=form.cleaned_data["file"])
        except DomainError as exc:
            if exc.field not in form.fields and exc.status_code == 400:
                exc.field = "file"
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The paper was attached."))
            return redirect(reverse("governance:meeting", args=[item.meeting_id]) + "#agenda")
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
        return _refused(request, _secretariat_only())
    try:
        meeting_services.paper_delete(paper=paper, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _meeting_page(request, selectors.meeting_get_for_user(request.user, meeting.pk), status=exc.status_code)
    messages.success(request, _("The paper was removed."))
    return redirect(reverse("governance:meeting", args=[meeting.pk]) + "#agenda")


# Attendance and quorum -----------------------------------------------------------------------

def _attendance_form(meeting, data=None, files=None):
    seats = list(selectors.active_seats(meeting.body_id).select_related("user", "organization", "alternate")
                 .order_by("id"))
    sheet = {row.seat_id: row for row in meeting.attendance.all()}
    return AttendanceForm(data, files, seats=seats, sheet=sheet), sheet


@login_required
def attendance(request, pk):
    meeting, manager = _managed_meeting(request, pk)
    if not manager:
        return _refused(request, _secretariat_only())
    status = 200
    if request.method == "POST":
        form, sheet = _attendance_form(meeting, request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                meeting_services.attendance_set(meeting=meeting, actor=request.user, records=form.records())
            except DomainError as exc:
                status = _fail(request, exc, None if exc.status_code != 400 else form)
            else:
                if not request.htmx:
                    messages.success(request, _("The attendance was saved."))
                    return redirect("governance:attendance", pk=meeting.pk)
                meeting = selectors.meeting_get_for_user(request.user, pk)
                form, sheet = _attendance_form(meeting)
                status = 200
    else:
        form, sheet = _attendance_form(meeting)
    response = render(request, "governance/attendance.html", {
        "meeting": meeting, "form": form, "rows": form.rows(), "saved": request.method == "POST" and status == 200,
        "quorum": selectors.meeting_quorum(meeting), "proxy_letters": {k: v.proxy_letter for k, v in sheet.items()},
    }, status=status)
    if request.method == "POST" and status == 200:
        response["HX-Trigger"] = "attendance-saved"  # the quorum panel reloads itself
    return response


@login_required
def quorum(request, pk):
    """The live quorum panel (HTMX polls it and reloads it after the sheet is saved)."""
    meeting = selectors.meeting_get_for_user(request.user, pk)
    return render(request, "governance/_quorum.html", {"meeting": meeting, "quorum": selectors.meeting_quorum(meeting)})


# Minutes ---------------------------------------------------------------------------------------

def _minutes_page(request, meeting, *, form=None, status=200):
    minutes = Minutes.objects.filter(meeting=meeting).first()
    manager = can_manage(request.user, meeting.body.alliance)
    editable = (manager and meeting.status == Meeting.Status.HELD
                and (minutes is None or minutes.status != Minutes.Status.APPROVED))
    if editable and form is None:
        form = MinutesForm(initial={"text": minutes.text if minutes else ""})
    return render(request, "governance/minutes.html", {
        "meeting": meeting, "minutes": minutes, "form": form if editable else None, "can_manage": manager,
        "approval_motion": minutes.approval_motions.exclude(state="closed", adopted=False).first() if minutes else None,
    }, status=status)


@login_required
def minutes(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    if request.method != "POST":
        return _minutes_page(request, meeting)
    if not can_manage(request.user, meeting.body.alliance):
        return _refused(request, _secretariat_only())
    form = MinutesForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            minutes_services.minutes_save(meeting=meeting, actor=request.user, text=form.cleaned_data["text"])
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("governance:minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, form=form, status=status)


@login_required
@require_POST
def minutes_circulate(request, pk):
    meeting = selectors.meeting_get_for_user(request.user, pk)
    if not can_manage(request.user, meeting.body.alliance):
        return _refused(request, _secretariat_only())
    found = Minutes.objects.filter(meeting=meeting).first()
    try:
        if found is None:
            raise StateConflict(_("Write the minutes first."))
        minutes_services.minutes_circulate(minutes=found, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _minutes_page(request, meeting, status=exc.status_code)
    messages.success(request, _("The minutes were circulated to the body."))
    return redirect("governance:minutes", pk=meeting.pk)


# Motions ---------------------------------------------------------------------------------------

def _motion_form(alliance, data=None, *, initial=None):
    meetings = (Meeting.objects.filter(body__alliance=alliance, status=Meeting.Status.PLANNED)
                .select_related("body").order_by("starts_at"))
    items = (AgendaItem.objects.filter(meeting__in=meetings).select_related("meeting")
             .order_by("meeting__starts_at", "position"))
    minutes_rows = Minutes.objects.filter(meeting__body__alliance=alliance, status=Minutes.Status.CIRCULATED) \
        .select_related("meeting")
    return MotionForm(data, initial=initial, bodies=_voting_bodies(alliance), meetings=meetings, items=items,
                      units=selectors.active_member_units(alliance), minutes=minutes_rows)


@login_required
def motion_create(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage(request.user, alliance):
        return _refused(request, _secretariat_only())
    status = 200
    if request.method == "POST":
        form = _motion_form(alliance, request.POST)
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            try:
                motion = vote_services.motion_create(
                    body=(form.cleaned_data["meeting"].body if form.cleaned_data["meeting"]
                          else form.cleaned_data["body"]),
                    actor=request.user, meeting=form.cleaned_data["meeting"], **fields)
            except DomainError as exc:
                status = _fail(request, exc, form)
            else:
                messages.success(request, _("The motion was drafted."))
                return redirect("governance:motion", pk=motion.pk)
    else:
        form = _motion_form(alliance, initial=_motion_initial(request, alliance))
    return render(request, "governance/motion_form.html", {"alliance": alliance, "form": form, "motion": None},
                  status=status)


def _motion_initial(request, alliance) -> dict:
    """Defaults from the page it was started on: a meeting, an agenda item or minutes to approve."""
    council = _voting_bodies(alliance).filter(kind=Body.Kind.COUNCIL).first()
    initial = {"rule": RULE_CATEGORY, "category": Motion.Category.ORDINARY, "ballot": Motion.Ballot.NAMED,
               "body": council.pk if council else None, "quorum_fraction": council.quorum_fraction if council else ""}
    meeting = request.GET.get("meeting")
    item = request.GET.get("item")
    minutes_meeting = request.GET.get("minutes")
    if item:
        found = selectors.agenda_item_get_for_user(request.user, item)
        initial.update(agenda_item=found.pk, meeting=found.meeting_id, title=found.title,
                       text=found.description, body=found.meeting.body_id,
                       quorum_fraction=found.meeting.body.quorum_fraction)
    elif meeting:
        found = selectors.meeting_get_for_user(request.user, meeting)
        initial.update(meeting=found.pk, body=found.body_id, quorum_fraction=found.body.quorum_fraction)
    if minutes_meeting:
        found = selectors.minutes_for_user(request.user).filter(meeting_id=minutes_meeting).first()
        if found is not None:
            initial.update(approves_minutes=found.pk, **minutes_services.minutes_approval_motion_defaults(found))
    return initial


def _tally_of(motion) -> dict | None:
    if motion.state != Motion.State.CLOSED:
        return None
    rule = rule_of(motion)
    tally = Tally(motion.yes_count, motion.no_count, motion.abstain_count, motion.eligible or 0, motion.present or 0)
    outcome = decide(rule, tally, motion.quorum_fraction)
    return {"base": outcome.base, "yes_needed": yes_needed(rule, outcome.base) if outcome.base else None,
            "cast": motion.yes_count + motion.no_count + motion.abstain_count}


def _motion_page(request, motion, *, status=200, conflict_form=None):
    user = request.user
    insider = can_read_council_business(user, motion.alliance) if user.is_authenticated else False
    manager = can_manage(user, motion.alliance) if user.is_authenticated else False
    context = {
        "motion": motion,
        "preset": matching_preset(motion),
        "result": _tally_of(motion),
        "insider": insider,
        "can_manage": manager,
        "parties": list(motion.parties.order_by("name")) if insider else [],
    }
    if insider:
        context["ballots"] = list(selectors.ballots_for_user(user, motion))
        context["tasks"] = list(motion.tasks.select_related("owner").order_by("due_on", "id"))
        context["conflicts"] = list(motion.conflicts.select_related("seat__organization").order_by("id"))
    if insider and motion.state == Motion.State.OPEN and scope_of(user).seat_alliance_ids:
        context["choices"] = vote_services.seats_for_actor(motion, user)
        voted = {ballot.seat_id for ballot in context["ballots"]}
        context["choices"] = [c for c in context["choices"] if c.seat.pk not in voted]
        context["warning"] = vote_services.party_warning(motion, user)
    if insider and motion.state != Motion.State.CLOSED and any(
            seat.body_id == motion.body_id for seat in held_seats(user)):
        context["conflict_form"] = conflict_form or ConflictForm()
    return render(request, "governance/motion_detail.html", context, status=status)


def motion_detail(request, pk):
    """The motion for the council's people; a published resolution for everyone."""
    return _motion_page(request, selectors.motion_get_for_user(request.user, pk))


@login_required
def motion_edit(request, pk):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        return _refused(request, _secretariat_only())
    status = 200
    if request.method == "POST":
        form = _motion_form(motion.alliance, request.POST)
        form.fields["body"].required = False  # a motion's body and meeting stay as drafted
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            try:
                vote_services.motion_update(motion=motion, actor=request.user, **fields)
            except DomainError as exc:
                status = _fail(request, exc, form)
            else:
                messages.success(request, _("The motion was saved."))
                return redirect("governance:motion", pk=motion.pk)
    else:
        form = _motion_form(motion.alliance, initial={
            "body": motion.body_id, "meeting": motion.meeting_id, "agenda_item": motion.agenda_item_id,
            "title": motion.title, "text": motion.text, "category": motion.category, "rule": RULE_CUSTOM,
            "quorum_fraction": motion.quorum_fraction, "threshold_fraction": motion.threshold_fraction,
            "threshold_base": motion.threshold_base, "threshold_strict": motion.threshold_strict,
            "abstentions_count": motion.abstentions_count, "ballot": motion.ballot,
            "closes_at": timezone.localtime(motion.closes_at) if motion.closes_at else None,
            "parties": [p.pk for p in motion.parties.all()], "approves_minutes": motion.approves_minutes_id,
        })
        form.fields["body"].disabled = form.fields["meeting"].disabled = True
    return render(request, "governance/motion_form.html", {"alliance": motion.alliance, "form": form,
                                                           "motion": motion}, status=status)


def _motion_action(request, pk, call, success):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        return _refused(request, _secretariat_only())
    try:
        call(motion)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _motion_page(request, selectors.motion_get_for_user(request.user, pk), status=exc.status_code)
    messages.success(request, success)
    return redirect("governance:motion", pk=motion.pk)


@login_required
@require_POST
def motion_open(request, pk):
    return _motion_action(request, pk, lambda m: vote_services.motion_open(motion=m, actor=request.user),
                          _("The vote is open."))


@login_required
@require_POST
def motion_close(request, pk):
    return _motion_action(request, pk, lambda m: vote_services.motion_close(motion=m, actor=request.user),
                          _("The vote is closed and the result recorded."))


@login_required
@require_POST
def motion_publish(request, pk):
    published = request.POST.get("published", "1") != "0"
    return _motion_action(request, pk,
                          lambda m: vote_services.motion_publish(motion=m, actor=request.user, published=published),
                          _("The resolution was published.") if published else _("The resolution was withdrawn."))


@login_required
@require_POST
def conflict_declare(request, pk):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_read_council_business(request.user, motion.alliance):
        return _refused(request, _("Only the seat's holder declares its conflicts of interest."))
    form = ConflictForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            vote_services.conflict_declare(motion=motion, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("Your conflict of interest was recorded: your seat does not vote on this "
                                        "motion."))
            return redirect(_next_or(request, reverse("governance:motion", args=[motion.pk])))
    return _motion_page(request, motion, status=status, conflict_form=form)


# Needs my vote ----------------------------------------------------------------------------------

def _ballot_rows(user, motions):
    """Each open motion with the seats the user casts for and the party warning.

    The per-motion service calls run only where they can say something (a proxy carried, a party
    that is the user's own unit), so the page's queries do not grow with the number of motions.
    """
    seats = held_seats(user)
    carrying = selectors.meetings_with_proxy_for(user, {m.meeting_id for m in motions if m.meeting_id})
    for motion in motions:
        own_units = {seat.organization_id for seat in seats if seat.body_id == motion.body_id}
        motion.warning = (vote_services.party_warning(motion, user)
                          if any(party.pk in own_units for party in motion.parties.all()) else [])
        motion.choices = (vote_services.seats_for_actor(motion, user) if motion.meeting_id in carrying else None)
    return motions


@login_required
def needs_my_vote(request):
    motions = list(selectors.motions_needing_vote(request.user).prefetch_related("parties")[:200])
    return render(request, "governance/needs_my_vote.html", {
        "motions": _ballot_rows(request.user, motions), "conflict_form": ConflictForm(),
    })


@login_required
@require_POST
def vote(request, pk):
    """One click, one ballot: HTMX swaps the ballot box for the voted state (or the refusal)."""
    motion = selectors.motion_get_for_user(request.user, pk)
    form = BallotForm(request.POST)
    seat_id = None
    context = {"motion": motion, "seat_id": request.POST.get("seat", "")}
    if not form.is_valid():
        context["error"] = _("Vote yes, no or abstain.")
        status = 400
    else:
        seat_id = form.cleaned_data["seat"]
        try:
            ballot = vote_services.ballot_cast(motion=motion, actor=request.user, choice=form.cleaned_data["choice"],
                                               seat=seat_id)
        except DomainError as exc:
            context["error"], status = exc.message, exc.status_code
        else:
            context["ballot"], status = ballot, 200
    if request.htmx:
        return render(request, "governance/_ballot.html", context, status=status)
    if status == 200:
        messages.success(request, _("Your ballot was cast."))
        return redirect(_next_or(request, reverse("governance:needs_my_vote")))
    messages.error(request, context["error"])
    return _motion_page(request, selectors.motion_get_for_user(request.user, pk), status=status)


# Tasks -----------------------------------------------------------------------------------------

@login_required
def task_create(request, pk):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        return _refused(request, _secretariat_only())
    units = selectors.active_member_units(motion.alliance)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, units=units)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                task = task_services.task_create(alliance=motion.alliance, actor=request.user, motion=motion,
                                                 owner=data.pop("owner"), **data)
            except DomainError as exc:
                status = _fail(request, exc, form)
            else:
                messages.success(request, _("The task was given to %(unit)s.") % {"unit": task.owner.name})
                return redirect("governance:motion", pk=motion.pk)
    else:
        form = TaskForm(units=units, initial={"title": motion.title})
    return render(request, "governance/task_form.html", {"motion": motion, "form": form}, status=status)


@login_required
def tasks(request):
    """My tasks: the owner units' contacts see theirs; the secretariat and officials see the alliance's."""
    rows = selectors.tasks_for_user(request.user).order_by("status", "due_on", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/tasks.html", {"page": page, "today": timezone.localdate()})


def _task_page(request, task, *, status=200, report_form=None, return_form=None):
    reporter = can_report_on_task(request.user, task)
    manager = can_manage(request.user, task.alliance)
    open_for_report = task.status in (Task.Status.OPEN, Task.Status.RETURNED)
    return render(request, "governance/task_detail.html", {
        "task": task,
        "reports": list(task.reports.select_related("reported_by")),
        "report_form": (report_form or TaskReportForm(initial={"achieved": task.progress}))
        if reporter and open_for_report else None,
        "can_manage": manager,
        "return_form": (return_form or ReasonForm()) if manager and task.status == Task.Status.SUBMITTED else None,
    }, status=status)


@login_required
def task_detail(request, pk):
    return _task_page(request, selectors.task_get_for_user(request.user, pk))


@login_required
@require_POST
def task_report(request, pk):
    task = selectors.task_get_for_user(request.user, pk)
    if not can_report_on_task(request.user, task):
        return _refused(request, _("Only the owner unit's contacts report on this task."))
    form = TaskReportForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            task_services.task_report(task=task, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("Your report was recorded."))
            return redirect("governance:task", pk=task.pk)
    return _task_page(request, task, status=status, report_form=form)


@login_required
@require_POST
def task_accept(request, pk):
    task = selectors.task_get_for_user(request.user, pk)
    if not can_manage(request.user, task.alliance):
        return _refused(request, _secretariat_only())
    try:
        task_services.task_accept(task=task, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _task_page(request, task, status=exc.status_code)
    messages.success(request, _("The task was accepted."))
    return redirect("governance:task", pk=task.pk)


@login_required
@require_POST
def task_return(request, pk):
    task = selectors.task_get_for_user(request.user, pk)
    if not can_manage(request.user, task.alliance):
        return _refused(request, _secretariat_only())
    form = ReasonForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            task_services.task_return(task=task, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The task was returned to its owner."))
            return redirect("governance:task", pk=task.pk)
    return _task_page(request, task, status=status, return_form=form)


@login_required
def task_evidence(request, pk, report_pk):
    task = selectors.task_get_for_user(request.user, pk)
    report = task.reports.filter(pk=report_pk).exclude(evidence="").first()
    if report is None:
        raise Http404
    return FileResponse(report.evidence.open("rb"), as_attachment=True,
                        filename=report.evidence.name.rsplit("/", 1)[-1])


# Extraordinary meetings -------------------------------------------------------------------------

def _seat_bodies(user, alliance):
    return Body.objects.filter(alliance=alliance, pk__in=[seat.body_id for seat in held_seats(user)])


def _requests_page(request, alliance, *, form=None, status=200):
    bodies = _seat_bodies(request.user, alliance)
    if form is None and bodies.exists():
        form = RequestForm(bodies=bodies)
    rows = list(selectors.requests_for_user(request.user).filter(body__alliance=alliance)
                .prefetch_related("signatures").order_by("-created_at")[:PAGE_SIZE])
    own_seats = {seat.pk for seat in held_seats(request.user)}
    entitled = selectors.seat_counts({row.body_id for row in rows})
    for row in rows:
        row.signed_by_me = any(signature.seat_id in own_seats for signature in row.signatures.all())
        row.entitled = entitled.get(row.body_id, 0)
        row.can_sign = (row.status == ExtraordinaryRequest.Status.OPEN and not row.signed_by_me
                        and any(seat.body_id == row.body_id for seat in held_seats(request.user)))
    return render(request, "governance/requests.html", {"alliance": alliance, "rows": rows, "form": form},
                  status=status)


@login_required
def extraordinary_requests(request, alliance_id):
    alliance, readable = _council_alliance(request, alliance_id)
    if not readable:
        return _refused(request, _("Council business is for the alliance's secretariat, seats and officials."))
    if request.method != "POST":
        return _requests_page(request, alliance)
    bodies = _seat_bodies(request.user, alliance)
    if not bodies.exists():
        return _refused(request, _("Only directors holding a seat on this body can do this."))
    form = RequestForm(request.POST, bodies=bodies)
    status = 400
    if form.is_valid():
        try:
            meeting_services.extraordinary_request(body=form.cleaned_data["body"], actor=request.user,
                                                   subject=form.cleaned_data["subject"],
                                                   reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("Your request was filed and signed."))
            return redirect("governance:requests", alliance_id=alliance.pk)
    return _requests_page(request, alliance, form=form, status=status)


@login_required
@require_POST
def request_sign(request, pk):
    found = get_or_404(selectors.requests_for_user(request.user).select_related("body__alliance"), pk)
    alliance = found.body.alliance
    try:
        meeting_services.extraordinary_sign(request=found, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _requests_page(request, alliance, status=exc.status_code)
    messages.success(request, _("You signed the request."))
    return redirect("governance:requests", alliance_id=alliance.pk)


# Seats --------------------------------------------------------------------------------------------

def _seats_page(request, alliance, *, form=None, status=200):
    bodies = Body.objects.filter(alliance=alliance).order_by("kind", "name")
    if form is None:
        form = SeatForm(bodies=bodies, units=selectors.active_member_units(alliance))
    rows = (selectors.seats_for_user(request.user).filter(body__alliance=alliance)
            .order_by("body__kind", "body__name", "term_end", "id"))
    return render(request, "governance/seats.html", {"alliance": alliance, "seats": rows, "form": form,
                                                      "end_form": SeatEndForm(),
                                                      "today": timezone.localdate()}, status=status)


@login_required
def seats(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage_seats(request.user, alliance):
        return _refused(request, _("Seats are kept by the secretariat and the city's officials."))
    if request.method != "POST":
        return _seats_page(request, alliance)
    bodies = Body.objects.filter(alliance=alliance)
    form = SeatForm(request.POST, bodies=bodies, units=selectors.active_member_units(alliance))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat_services.seat_create(body=data["body"], actor=request.user, user=data["username"],
                                      organization=data["organization"], office=data["office"],
                                      term_start=data["term_start"], alternate=data["alternate_username"])
        except DomainError as exc:
            status = _fail(request, exc, form)
        else:
            messages.success(request, _("The seat was added."))
            return redirect("governance:seats", alliance_id=alliance.pk)
    return _seats_page(request, alliance, form=form, status=status)


@login_required
@require_POST
def seat_end(request, pk):
    seat = get_or_404(selectors.seats_for_user(request.user).select_related("body__alliance"), pk)
    alliance = seat.body.alliance
    if not can_manage_seats(request.user, alliance):
        return _refused(request, _("Seats are kept by the secretariat and the city's officials."))
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return _seats_page(request, alliance, status=400)
    try:
        seat_services.seat_end(seat=seat, actor=request.user, term_end=form.cleaned_data["term_end"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _seats_page(request, alliance, status=exc.status_code)
    messages.success(request, _("The seat's term was ended."))
    return redirect("governance:seats", alliance_id=alliance.pk)


# Public -----------------------------------------------------------------------------------------

def resolutions(request):
    """Published resolutions of every public alliance, for anyone."""
    page = Paginator(selectors.published_resolutions(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/resolutions.html", {"page": page})
