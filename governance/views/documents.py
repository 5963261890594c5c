"""The council's documents: a meeting's .ics file, each user's calendar feed and the minutes as PDF.

The feed is read by calendar programs, which cannot log in: its secret address is the key. A
user replaces it (and so cuts off every copy of the old one) from the calendar page.
"""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance import calendar, minutes_pdf
from governance.models import CalendarFeed
from governance.selectors import calendar_meetings, meeting_get_for_user, minutes_for_user
from governance.services.meetings import calendar_feed_renew
from kernel.downloads import PDF, attachment
from kernel.pdf import document_language

ICS_TYPE = "text/calendar; charset=utf-8"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def meeting_ics(request, pk):
    meeting = meeting_get_for_user(request.user, pk)
    return _private(attachment(calendar.meeting_ics(meeting), ICS_TYPE, f"meeting-{meeting.pk}.ics"))


@require_GET
def calendar_feed(request, token):
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    response = HttpResponse(calendar.feed_ics(calendar_meetings(feed.user), language=feed.user.language), content_type=ICS_TYPE)
    # The address is the secret: keep it out of caches, referrers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return _private(response)


@login_required
@require_GET
def calendar_page(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = request.build_absolute_uri(reverse("governance:calendar_feed", args=[feed.token])) if feed else ""
    response = render(request, "governance/documents/calendar.html", {"feed": feed, "feed_url": feed_url})
    return _private(response)


@login_required
@require_POST
def calendar_reset(request):
    """Create the user's feed address, or replace it: the old address stops working at once."""
    _feed, created = calendar_feed_renew(user=request.user)
    messages.success(request, _("Your calendar address has been created.") if created
                     else _("Your calendar address has been replaced; the old one no longer works."))
    return redirect("governance:calendar")


@login_required
@require_GET
def minutes_document(request, pk):
    meeting = meeting_get_for_user(request.user, pk)
    minutes = minutes_for_user(request.user).filter(meeting=meeting).first()
    if minutes is None:
        raise Http404
    language = document_language(get_language())
    return _private(attachment(minutes_pdf.minutes_pdf(meeting, minutes, language=language), PDF,
                               minutes_pdf.file_name(meeting, language=language), inline=True))
