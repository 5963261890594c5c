"""Pages of news, typical cases and announcements. Thin: forms, selectors and services do the work."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from alliance.models import Alliance, City
from alliance.selectors import alliance_get_for_user
from kernel.counts import Paginator
from kernel.errors import DomainError
from kernel.pages import act, show_error
from members.models import Organization
from publicity import services
from publicity.forms import AnnouncementForm, NewsForm
from publicity.models import Announcement, NewsItem
from publicity.permissions import can_read_all_publicity, can_write_publicity
from publicity.selectors import (
    announcement_get_for_user,
    announcements_for_user,
    case_subjects,
    inbox_for_user,
    news_for_user,
    news_get_for_user,
    published_news,
    receipt_of,
    receipts_of,
    recipient_contacts,
    with_receipt_counts,
)

PAGE_SIZE = 20
# A published image may be kept by browsers and proxies a while; its address changes with the image.
PUBLIC_IMAGE_SECONDS = 3600


def _writers_only():
    return _("Only the alliance's secretariat writes its news, typical cases and announcements.")


def _kind_filter(request, items):
    kind = request.GET.get("kind", "")
    if kind in NewsItem.Kind.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    return items, kind


# News and typical cases ----------------------------------------------------------------------------------

def news_list(request, pk):
    """An alliance's news and typical cases: the published ones for everyone, drafts too for its secretariat and
    its city's officials."""
    alliance = alliance_get_for_user(request.user, pk)
    items, kind = _kind_filter(request, news_for_user(request.user).filter(alliance=alliance))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/news_list.html", {
        "alliance": alliance, "page": page, "kind": kind, "kinds": NewsItem.Kind.choices,
        "query": urlencode({"kind": kind}) if kind else "",
        "can_write": can_write_publicity(request.user, alliance),
    })


def _news_form_page(request, alliance, form, item=None, status=200):
    return render(request, "publicity/news_form.html", {
        "alliance": alliance, "form": form, "item": item, "image_limit": settings.NEWS_IMAGE_MAX_BYTES,
    }, status=status)


@login_required
def news_create(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_write_publicity(request.user, alliance):
        raise PermissionDenied(_writers_only())
    form = NewsForm(request.POST or None, request.FILES or None, alliance=alliance,
                    initial={"kind": request.GET.get("kind", NewsItem.Kind.NEWS)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = services.news_create(alliance=alliance, actor=request.user, **form.service_arguments())
            except DomainError as exc:
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("Saved as a draft. Publish it when it is ready."))
                return redirect("publicity:news", pk=item.pk)
    return _news_form_page(request, alliance, form, status=status)


def news_detail(request, pk):
    item = news_get_for_user(request.user, pk)
    return render(request, "publicity/news_detail.html", {
        "item": item, "alliance": item.alliance, "subjects": case_subjects(item),
        "can_write": can_write_publicity(request.user, item.alliance),
    })


@login_required
def news_edit(request, pk):
    item = news_get_for_user(request.user, pk)
    if not can_write_publicity(request.user, item.alliance):
        raise PermissionDenied(_writers_only())
    form = NewsForm(request.POST or None, request.FILES or None, alliance=item.alliance, item=item)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.news_update(item=item, actor=request.user, **form.service_arguments(),
                                     remove_image=form.cleaned_data.get("remove_image", False))
            except DomainError as exc:
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("publicity:news", pk=item.pk)
    return _news_form_page(request, item.alliance, form, item=item, status=status)


@login_required
@require_POST
def news_publish(request, pk):
    item = news_get_for_user(request.user, pk)
    return act(request, lambda: services.news_publish(item=item, actor=request.user),
               success=_("Published: it is on the alliance's public page and in its feed."),
               done=reverse("publicity:news", args=[item.pk]))


@login_required
@require_POST
def news_withdraw(request, pk):
    item = news_get_for_user(request.user, pk)
    return act(request, lambda: services.news_withdraw(item=item, actor=request.user),
               success=_("Withdrawn from the public pages."), done=reverse("publicity:news", args=[item.pk]))


def news_image(request, pk, name):
    """The item's image, to whoever may read the item. Streamed from storage (a private bucket included)."""
    item = news_get_for_user(request.user, pk)
    if not item.image or name != item.image_name:
        raise Http404
    response = FileResponse(item.image.open("rb"), content_type=item.image_type)
    if item.is_public:
        patch_cache_control(response, public=True, max_age=PUBLIC_IMAGE_SECONDS)
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def city_news(request, pk):
    """The city's page of news and typical cases: what its public alliances published."""
    city = get_object_or_404(City, pk=pk)
    items, kind = _kind_filter(request, published_news().filter(alliance__city=city))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/city_news.html", {
        "city": city, "page": page, "kind": kind, "kinds": NewsItem.Kind.choices,
        "query": urlencode({"kind": kind}) if kind else "",
        "alliances": Alliance.objects.filter(city=city, status__in=Alliance.PUBLIC_STATUSES).only("id", "name"),
    })


# Announcements ------------------------------------------------------------------------------------------

@login_required
def announcement_list(request, pk):
    """An alliance's announcements with how many have read each: for its secretariat and its city's officials."""
    alliance = alliance_get_for_user(request.user, pk)
    if not can_read_all_publicity(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat and the city's officials see its announcements."))
    announcements = with_receipt_counts(announcements_for_user(request.user).filter(alliance=alliance))
    page = Paginator(announcements.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/announcement_list.html", {
        "alliance": alliance, "page": page, "query": "", "can_write": can_write_publicity(request.user, alliance),
    })


def _announcement_form_page(request, alliance, form, announcement=None, status=200):
    return render(request, "publicity/announcement_form.html",
                  {"alliance": alliance, "form": form, "announcement": announcement}, status=status)


@login_required
def announcement_create(request, pk):
    alliance = alliance_get_for_user(request.user, pk)
    if not can_write_publicity(request.user, alliance):
        raise PermissionDenied(_writers_only())
    form = AnnouncementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                announcement = services.announcement_create(alliance=alliance, actor=request.user,
                                                            **form.cleaned_data)
            except DomainError as exc:
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("Saved as a draft. Check it, then send it."))
                return redirect("publicity:announcement", pk=announcement.pk)
    return _announcement_form_page(request, alliance, form, status=status)


@login_required
def announcement_detail(request, pk):
    """A recipient reads it (and so marks it read); its secretariat and officials also see who has read it."""
    announcement = announcement_get_for_user(request.user, pk)
    if announcement.status == Announcement.Status.SENT:
        services.announcement_mark_read(announcement=announcement, user=request.user)
    overseer = can_read_all_publicity(request.user, announcement.alliance)
    draft = announcement.status == Announcement.Status.DRAFT
    receipts = list(receipts_of(announcement)) if overseer and not draft else None
    types = dict(Organization.Type.choices)
    return render(request, "publicity/announcement_detail.html", {
        "announcement": announcement, "alliance": announcement.alliance,
        "receipt": receipt_of(announcement, request.user),
        "receipts": receipts,
        "read_count": sum(1 for row in receipts if row.read_at) if receipts is not None else 0,
        "recipients": len(recipient_contacts(announcement.alliance, announcement.unit_types))
        if overseer and draft else None,
        "unit_type_labels": [types.get(value, value) for value in announcement.unit_types],
        "can_write": draft and can_write_publicity(request.user, announcement.alliance),
    })


@login_required
def announcement_edit(request, pk):
    announcement = announcement_get_for_user(request.user, pk)
    if not can_write_publicity(request.user, announcement.alliance):
        raise PermissionDenied(_writers_only())
    if announcement.status != Announcement.Status.DRAFT:
        messages.error(request, _("A sent announcement cannot be changed."))
        return redirect("publicity:announcement", pk=announcement.pk)
    form = AnnouncementForm(request.POST or None, initial={
        "title": announcement.title, "body": announcement.body, "important": announcement.important,
        "unit_types": announcement.unit_types,
    })
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.announcement_update(announcement=announcement, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = show_error(request, exc, form)
            else:
                messages.success(request, _("Saved."))
                return redirect("publicity:announcement", pk=announcement.pk)
    return _announcement_form_page(request, announcement.alliance, form, announcement, status=status)


@login_required
@require_POST
def announcement_send(request, pk):
    announcement = announcement_get_for_user(request.user, pk)
    return act(request, lambda: services.announcement_send(announcement=announcement, actor=request.user),
               success=lambda reached: ngettext("Sent to %(count)d contact.", "Sent to %(count)d contacts.",
                                                reached) % {"count": reached},
               done=reverse("publicity:announcement", args=[announcement.pk]))


@login_required
def inbox(request):
    """The announcements sent to the user, unread ones marked."""
    page = Paginator(inbox_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "publicity/inbox.html", {"page": page, "query": ""})
