"""The user's own notifications: the list, marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

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
