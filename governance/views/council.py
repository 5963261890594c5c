"""Pages of the council itself: requests for extraordinary meetings, and its seats."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.selectors import alliance_get_for_user
from governance import selectors
from governance.forms import RequestForm, SeatEndForm, SeatForm, SeatInvitationForm
from governance.models import ExtraordinaryRequest
from governance.permissions import can_manage_seats, held_seats
from governance.services import meetings as meeting_services
from governance.services import seats as seat_services
from governance.views.common import PAGE_SIZE, _council_alliance
from kernel.errors import DomainError
from kernel.pages import act, show_error
from kernel.selectors import get_or_404
from members.account_forms import site_address
from members.invitations import invitation_create

# Extraordinary meetings -------------------------------------------------------------------------

def _seat_bodies(user, alliance):
    return selectors.bodies_for_user(user).filter(alliance=alliance, pk__in=[seat.body_id for seat in held_seats(user)])


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
        raise PermissionDenied(_("Council business is for the alliance's secretariat, seats and officials."))
    if request.method != "POST":
        return _requests_page(request, alliance)
    bodies = _seat_bodies(request.user, alliance)
    if not bodies.exists():
        raise PermissionDenied(_("Only directors holding a seat on this body can do this."))
    form = RequestForm(request.POST, bodies=bodies)
    status = 400
    if form.is_valid():
        try:
            meeting_services.extraordinary_request(body=form.cleaned_data["body"], actor=request.user,
                                                   subject=form.cleaned_data["subject"],
                                                   reason=form.cleaned_data["reason"])
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("Your request was filed and signed."))
            return redirect("governance:requests", alliance_id=alliance.pk)
    return _requests_page(request, alliance, form=form, status=status)


@login_required
@require_POST
def request_sign(request, pk):
    found = get_or_404(selectors.requests_for_user(request.user).select_related("body__alliance"), pk)
    alliance = found.body.alliance
    return act(request, lambda: meeting_services.extraordinary_sign(request=found, actor=request.user),
               success=_("You signed the request."), done=reverse("governance:requests", args=[alliance.pk]),
               page=lambda status: _requests_page(request, alliance, status=status))


# Seats --------------------------------------------------------------------------------------------

def _seats_page(request, alliance, *, form=None, invite_form=None, status=200):
    bodies = selectors.bodies_for_user(request.user).filter(alliance=alliance).order_by("kind", "name")
    if form is None:
        form = SeatForm(bodies=bodies, units=selectors.active_member_units(alliance))
    if invite_form is None:
        invite_form = SeatInvitationForm(bodies=bodies, units=selectors.active_member_units(alliance))
    rows = (selectors.seats_for_user(request.user).filter(body__alliance=alliance)
            .order_by("body__kind", "body__name", "term_end", "id"))
    return render(request, "governance/seats.html", {"alliance": alliance, "seats": rows, "form": form,
                                                      "invite_form": invite_form, "end_form": SeatEndForm(),
                                                      "today": timezone.localdate()}, status=status)


@login_required
def seats(request, alliance_id):
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage_seats(request.user, alliance):
        raise PermissionDenied(_("Seats are kept by the secretariat and the city's officials."))
    if request.method != "POST":
        return _seats_page(request, alliance)
    bodies = selectors.bodies_for_user(request.user).filter(alliance=alliance)
    form = SeatForm(request.POST, bodies=bodies, units=selectors.active_member_units(alliance))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            seat_services.seat_create(body=data["body"], actor=request.user, user=data["username"],
                                      organization=data["organization"], office=data["office"],
                                      term_start=data["term_start"], alternate=data["alternate_username"])
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The seat was added."))
            return redirect("governance:seats", alliance_id=alliance.pk)
    return _seats_page(request, alliance, form=form, status=status)


@login_required
@require_POST
def seat_invite(request, alliance_id):
    """Invite the holder of a new seat by e-mail: the seat is created when they accept."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_manage_seats(request.user, alliance):
        raise PermissionDenied(_("Seats are kept by the secretariat and the city's officials."))
    bodies = selectors.bodies_for_user(request.user).filter(alliance=alliance)
    form = SeatInvitationForm(request.POST, bodies=bodies, units=selectors.active_member_units(alliance))
    status = 400
    if form.is_valid():
        try:
            invitation = invitation_create(actor=request.user, email=form.cleaned_data["email"], kind="seat",
                                           payload=form.payload(), language=translation.get_language(),
                                           site=site_address(request))
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The invitation was sent to %(email)s.") % {"email": invitation.email})
            return redirect("governance:seats", alliance_id=alliance.pk)
    return _seats_page(request, alliance, invite_form=form, status=status)


@login_required
@require_POST
def seat_end(request, pk):
    seat = get_or_404(selectors.seats_for_user(request.user).select_related("body__alliance"), pk)
    alliance = seat.body.alliance
    if not can_manage_seats(request.user, alliance):
        raise PermissionDenied(_("Seats are kept by the secretariat and the city's officials."))
    form = SeatEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return _seats_page(request, alliance, status=400)
    return act(request, lambda: seat_services.seat_end(seat=seat, actor=request.user,
                                                       term_end=form.cleaned_data["term_end"]),
               success=_("The seat's term was ended."), done=reverse("governance:seats", args=[alliance.pk]),
               page=lambda status: _seats_page(request, alliance, status=status))
