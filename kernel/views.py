"""Pages every app shares: the user's own notifications, the language switch, the error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from kernel.api.exceptions import suspicious_message
from kernel.counts import Paginator
from kernel.notify import mark_all_read, mark_read, notifications_for_user, unread_count
from kernel.selectors import get_or_404

PAGE_SIZE = 25


@login_required
def notification_list(request):
    page = Paginator(notifications_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "kernel/notifications.html", {"page": page, "unread": unread_count(request.user)})


def _back(request):
    """Where the form asked to go (a page of ours), else the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("notification-list")


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_or_404(notifications_for_user(request.user), pk)
    mark_read(user=request.user, notification=notification)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    marked = mark_all_read(user=request.user)
    if marked:
        messages.success(request, _("All notifications are marked as read."))
    return _back(request)


def page_not_found(request, exception):
    """404: JSON under /api/ (the API's error shape), the site's own page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return render(request, "404.html", status=404)


def permission_denied(request, exception):
    """403: the refusal page, naming why (a page's PermissionDenied or a service's NotAllowed, see kernel/pages.py);
    JSON under /api/."""
    message = str(exception) or _("You may not do this.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def bad_request(request, exception):
    """400 from Django itself (too many fields, a body over the size limit, ...): JSON under /api/."""
    if request.path.startswith("/api/"):
        message, code = suspicious_message(exception)
        return JsonResponse({"detail": message, "code": code}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Server error."), "code": "server_error"}, status=500)
    return render(request, "500.html", status=500)


def language_switch(request):
    """Django's set_language, also remembering the choice on the user (their mail follows it)."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
