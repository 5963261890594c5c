"""Pages of motions: drafting with a rule, opening and closing, results and ballots, conflicts,
"needs my vote" with ballots confirmed before they are cast, votes recorded from the room, and the published
resolutions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from alliance.extensions import referrers_of
from alliance.selectors import alliance_get_for_user
from governance import selectors
from governance.forms import (
    RULE_CATEGORY,
    RULE_CUSTOM,
    BallotForm,
    ConflictForm,
    HandsForm,
    MotionForm,
    PaperCountForm,
)
from governance.models import Ballot, Body, Motion
from governance.permissions import can_manage, can_read_council_business, held_seats
from governance.rules import matching_preset, working
from governance.services import minutes as minutes_services
from governance.services import votes as vote_services
from governance.views.common import PAGE_SIZE, _next_or, _secretariat_only
from kernel.counts import Paginator
from kernel.errors import DomainError
from kernel.pages import act, form_error, show_error
from kernel.scope import scope_of


def _motion_form(alliance, data=None, *, initial=None):
    return MotionForm(data, initial=initial, **selectors.motion_choices(alliance))


@login_required
def motion_create(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage(request.user, alliance):
        raise PermissionDenied(_secretariat_only())
    status = 200
    if request.method == "POST":
        form = _motion_form(alliance, request.POST)
        status = 400
        if form.is_valid():
            fields, data = form.service_fields(), form.cleaned_data
            try:
                # The body chosen on the page is for a vote by written consent; at a meeting, the meeting's.
                motion = vote_services.motion_create(
                    body=None if data["meeting"] or data["agenda_item"] else data["body"],
                    actor=request.user, meeting=data["meeting"], **fields)
            except DomainError as exc:
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("The motion was drafted."))
                return redirect("governance:motion", pk=motion.pk)
    else:
        form = _motion_form(alliance, initial=_motion_initial(request, alliance))
    return render(request, "governance/motion_form.html", {"alliance": alliance, "form": form, "motion": None},
                  status=status)


def _motion_initial(request, alliance) -> dict:
    """Defaults from the page it was started on: a meeting, an agenda item or minutes to approve."""
    council = selectors.voting_bodies(alliance).filter(kind=Body.Kind.COUNCIL).first()
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


def _record_forms(motion, data=None):
    """The secretariat's form for a vote taken in the room: seat by seat for a show of hands, the counts and
    tellers for paper; with the seats present that may vote."""
    voters = list(vote_services.voters_present(motion).values())
    if motion.voting_method == Motion.VotingMethod.SHOW_OF_HANDS:
        return HandsForm(data, voters=voters), voters
    return PaperCountForm(data), voters


def _motion_page(request, motion, *, status=200, conflict_form=None, record_form=None):
    user = request.user
    insider = can_read_council_business(user, motion.alliance) if user.is_authenticated else False
    manager = can_manage(user, motion.alliance) if user.is_authenticated else False
    context = {
        "motion": motion,
        "preset": matching_preset(motion),
        "result": working(motion),
        "sectors": vote_services.sector_rows(motion),
        "insider": insider,
        "can_manage": manager,
        "parties": list(motion.parties.order_by("name")) if insider else [],
        "recorded_method": motion.voting_method in Motion.RECORDED_METHODS,
    }
    if insider:
        context["ballots"] = list(selectors.ballots_for_user(user, motion))
        context["tasks"] = list(motion.tasks.select_related("owner").order_by("due_on", "id"))
        context["referrers"] = referrers_of("resolution", motion.alliance_id, motion.pk)
        context["conflicts"] = list(motion.conflicts.select_related("seat__organization").order_by("id"))
    if insider and motion.state == Motion.State.OPEN and scope_of(user).seat_alliance_ids:
        context["choices"] = vote_services.seats_for_actor(motion, user)
        voted = {ballot.seat_id for ballot in context["ballots"]}
        context["choices"] = [c for c in context["choices"] if c.seat.pk not in voted]
        context["warning"] = vote_services.party_warning(motion, user)
    if insider and motion.state != Motion.State.CLOSED and any(
            seat.body_id == motion.body_id for seat in held_seats(user)):
        context["conflict_form"] = conflict_form or ConflictForm()
    if manager and motion.state == Motion.State.OPEN:
        context["not_voted"] = vote_services.seats_not_voted(motion)
        context["can_remind"] = any(not row.reminded for row in context["not_voted"])
    if manager and motion.state == Motion.State.DRAFT and context["recorded_method"]:
        context["meeting_in_session"] = motion.meeting.in_session
        if motion.meeting.in_session:
            form, voters = (record_form, list(vote_services.voters_present(motion).values())) if record_form \
                else _record_forms(motion)
            context.update(record_form=form, voters=voters)
    return render(request, "governance/motion_detail.html", context, status=status)


def motion_detail(request, pk):
    """The motion for the council's people; a published resolution for everyone."""
    return _motion_page(request, selectors.motion_get_for_user(request.user, pk))


@login_required
def motion_edit(request, pk):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        raise PermissionDenied(_secretariat_only())
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
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("The motion was saved."))
                return redirect("governance:motion", pk=motion.pk)
    else:
        form = _motion_form(motion.alliance, initial={
            "body": motion.body_id, "meeting": motion.meeting_id, "agenda_item": motion.agenda_item_id,
            "title": motion.title, "text": motion.text, "category": motion.category, "rule": RULE_CUSTOM,
            "quorum_fraction": motion.quorum_fraction, "threshold_fraction": motion.threshold_fraction,
            "threshold_base": motion.threshold_base, "threshold_strict": motion.threshold_strict,
            "abstentions_count": motion.abstentions_count, "sector_majority": motion.sector_majority,
            "ballot": motion.ballot, "voting_method": motion.voting_method,
            "closes_at": timezone.localtime(motion.closes_at) if motion.closes_at else None,
            "parties": [p.pk for p in motion.parties.all()], "approves_minutes": motion.approves_minutes_id,
        })
        form.fields["body"].disabled = form.fields["meeting"].disabled = True
    return render(request, "governance/motion_form.html", {"alliance": motion.alliance, "form": form,
                                                           "motion": motion}, status=status)


def _motion_action(request, pk, call, success):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        raise PermissionDenied(_secretariat_only())
    return act(request, lambda: call(motion), success=success, done=reverse("governance:motion", args=[motion.pk]),
               page=lambda status: _motion_page(request, selectors.motion_get_for_user(request.user, pk),
                                                status=status))


@login_required
@require_POST
def motion_delete(request, pk):
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        raise PermissionDenied(_secretariat_only())
    done = (reverse("governance:meeting", args=[motion.meeting_id]) if motion.meeting_id
            else reverse("governance:planner", args=[motion.alliance_id]))
    return act(request, lambda: vote_services.motion_delete(motion=motion, actor=request.user),
               success=_("The draft motion was deleted."), done=done,
               page=lambda status: _motion_page(request, motion, status=status))


@login_required
@require_POST
def motion_open(request, pk):
    return _motion_action(request, pk, lambda m: vote_services.motion_open(motion=m, actor=request.user),
                          _("The vote is open."))


@login_required
@require_POST
def motion_close(request, pk):
    """Close the vote; while seats present have not voted, the secretariat confirms first."""
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        raise PermissionDenied(_secretariat_only())
    if request.POST.get("confirmed") != "1" and motion.state == Motion.State.OPEN:
        waiting = vote_services.seats_not_voted(motion)
        if waiting:
            return render(request, "governance/motion_close_confirm.html", {"motion": motion, "not_voted": waiting})
    return _motion_action(request, pk, lambda m: vote_services.motion_close(motion=m, actor=request.user),
                          _("The vote is closed and the result recorded."))


@login_required
@require_POST
def motion_remind(request, pk):
    return _motion_action(
        request, pk, lambda m: vote_services.motion_remind(motion=m, actor=request.user),
        lambda sent: ngettext("%(count)d reminder was sent.", "%(count)d reminders were sent.", sent)
        % {"count": sent} if sent else _("Everyone who has not voted has been reminded already."))


@login_required
@require_POST
def motion_record(request, pk):
    """The secretariat records a show of hands seat by seat, or a paper count with its tellers."""
    motion = selectors.motion_get_for_user(request.user, pk)
    if not can_manage(request.user, motion.alliance):
        raise PermissionDenied(_secretariat_only())
    if motion.voting_method not in Motion.RECORDED_METHODS:
        messages.error(request, _("This motion is voted by electronic ballots: open the vote instead."))
        return _motion_page(request, motion, status=409)
    form, _voters = _record_forms(motion, request.POST)
    status = 400
    if form.is_valid():
        try:
            if isinstance(form, HandsForm):
                vote_services.motion_record(motion=motion, actor=request.user, hands=form.hands())
            else:
                vote_services.motion_record(motion=motion, actor=request.user, counts=form.counts(),
                                            tellers=form.cleaned_data["tellers"])
        except DomainError as exc:
            if exc.field == "counts":
                exc.field = None
            status = show_error(request, exc, form if exc.field in (None, "tellers") else None)
        else:
            messages.success(request, _("The vote was recorded and the result taken."))
            return redirect(reverse("governance:motion", args=[motion.pk]) + "#result")
    return _motion_page(request, selectors.motion_get_for_user(request.user, pk), status=status, record_form=form)


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
        raise PermissionDenied(_("Only the seat's holder declares its conflicts of interest."))
    form = ConflictForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            vote_services.conflict_declare(motion=motion, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = show_error(request, exc, form)
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
    """A ballot in two steps: the choice, then its confirmation (or back to the choice); HTMX swaps the ballot
    box in place, without scripts of our own. Only the confirmed step casts."""
    motion = selectors.motion_get_for_user(request.user, pk)
    form = BallotForm(request.POST)
    context = {"motion": motion, "seat_id": request.POST.get("seat", ""), "next": _next_or(request, "")}
    status = 200
    if request.POST.get("back"):
        if not request.htmx:
            return redirect(_next_or(request, reverse("governance:motion", args=[motion.pk])))
    elif not form.is_valid():
        context["error"], status = _("Vote yes, no or abstain."), 400
    else:
        data = form.cleaned_data
        try:
            if data["confirmed"]:
                context["ballot"] = vote_services.ballot_cast(motion=motion, actor=request.user,
                                                              choice=data["choice"], seat=data["seat"])
            else:
                checked = vote_services.ballot_check(motion=motion, actor=request.user, choice=data["choice"],
                                                     seat=data["seat"])
                if checked.as_proxy:
                    context["label"] = _("By proxy for %(unit)s") % {"unit": checked.seat.organization.name}
                context["confirm"] = data["choice"]
                context["confirm_label"] = Ballot.Choice(data["choice"]).label
        except DomainError as exc:
            # In the ballot box (HTMX) every refusal is said in place, a 403 included.
            context["error"], status = (exc.message if request.htmx else form_error(exc)), exc.status_code
    if request.htmx:
        return render(request, "governance/_ballot.html", context, status=status)
    if "confirm" in context:
        return render(request, "governance/ballot_confirm.html", context)
    if "ballot" in context:
        messages.success(request, _("Your ballot was cast."))
        return redirect(_next_or(request, reverse("governance:needs_my_vote")))
    messages.error(request, context["error"])
    return _motion_page(request, selectors.motion_get_for_user(request.user, pk), status=status)


# Public -----------------------------------------------------------------------------------------

def resolutions(request):
    """Published resolutions of every public alliance, for anyone."""
    page = Paginator(selectors.published_resolutions(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "governance/resolutions.html", {"page": page})
