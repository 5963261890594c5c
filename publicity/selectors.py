"""Reads of news, typical cases and announcements, scoped to the user.

Everyone reads the published news and cases of public alliances; the alliance's secretariat and its city's
officials also read drafts and withdrawn items, and every announcement with its receipts; a contact reads the
announcements sent to them.
"""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from alliance.models import Alliance
from alliance.selectors import every_row
from kernel.scope import scope_of
from kernel.selectors import get_or_404
from members.models import Contact, Membership
from publicity.extensions import subject_kind
from publicity.models import Announcement, AnnouncementReceipt, CaseSubject, NewsItem


def _overseen(user, prefix: str = "alliance__") -> Q:
    """Rows of the alliances whose publicity the user keeps or oversees (permissions.can_read_all_publicity)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return every_row()
    overseen = Q(pk__in=[])
    if scope.secretariat_alliance_ids:
        overseen |= Q(**{f"{prefix}id__in": scope.secretariat_alliance_ids})
    if scope.official_city_ids:
        overseen |= Q(**{f"{prefix}city_id__in": scope.official_city_ids})
    return overseen


# News and typical cases ----------------------------------------------------------------------------------

def public_news_filter() -> Q:
    return Q(status=NewsItem.Status.PUBLISHED, alliance__status__in=Alliance.PUBLIC_STATUSES)


def news_for_user(user) -> QuerySet[NewsItem]:
    """Published items of public alliances for everyone; all items of the alliances the user keeps or oversees.
    Newest first, drafts (not yet published) before them."""
    return (NewsItem.objects.filter(public_news_filter() | _overseen(user))
            .select_related("alliance").order_by("status", "-published_at", "-id"))


def news_get_for_user(user, pk, *, for_update: bool = False) -> NewsItem:
    """The item if this user may read it; 404 for missing and hidden alike."""
    queryset = news_for_user(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_404(queryset, pk)


def published_news() -> QuerySet[NewsItem]:
    """What the public pages and feeds show, the same for everyone: newest first."""
    return (NewsItem.objects.filter(public_news_filter()).select_related("alliance")
            .order_by("-published_at", "-id"))


def typical_cases_count(alliance, start: date, end: date) -> int:
    """Typical cases of the alliance published (and not withdrawn) from `start` to `end`, both local dates
    included: a figure for indicator B10 (successful experience and typical practices)."""
    return NewsItem.objects.filter(
        alliance=alliance, kind=NewsItem.Kind.TYPICAL_CASE, status=NewsItem.Status.PUBLISHED,
        published_at__date__gte=start, published_at__date__lte=end,
    ).count()


def case_subjects(item: NewsItem) -> list[dict]:
    """[{"kind", "label", "records": [{"record", "link"}]}]: what the case is tagged with, by registered kind
    (publicity/extensions.py); a kind no longer registered, or a record gone, is left out."""
    ids_by_kind: dict[str, list[int]] = {}
    for kind, object_id in item.subjects.order_by("kind", "object_id").values_list("kind", "object_id"):
        ids_by_kind.setdefault(kind, []).append(object_id)
    shown = []
    for name, ids in ids_by_kind.items():
        kind = subject_kind(name)
        if kind is None:
            continue
        records = list(kind.choices(item.alliance).filter(pk__in=ids))
        if records:
            shown.append({"kind": name, "label": kind.label,
                          "records": [{"record": record, "link": kind.link(record)} for record in records]})
    return shown


def cases_about(kind: str, object_id: int) -> QuerySet[NewsItem]:
    """The published typical cases tagged with this record (for the app that owns it)."""
    return published_news().filter(
        kind=NewsItem.Kind.TYPICAL_CASE,
        id__in=CaseSubject.objects.filter(kind=kind, object_id=object_id).values("item_id"),
    )


# Announcements ------------------------------------------------------------------------------------------

def announcements_for_user(user) -> QuerySet[Announcement]:
    """Every announcement of the alliances the user keeps or oversees; the sent ones addressed to the user."""
    scope = scope_of(user)
    if not scope.is_authenticated:
        return Announcement.objects.none()
    received = Q(status=Announcement.Status.SENT,
                 id__in=AnnouncementReceipt.objects.filter(user=user).values("announcement_id"))
    return Announcement.objects.filter(_overseen(user) | received).select_related("alliance")


def announcement_get_for_user(user, pk, *, for_update: bool = False) -> Announcement:
    queryset = announcements_for_user(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_or_404(queryset, pk)


def with_receipt_counts(queryset: QuerySet[Announcement]) -> QuerySet[Announcement]:
    """`recipient_count` and `read_count` on each announcement, in the same query."""
    return queryset.annotate(
        recipient_count=Count("receipts"),
        read_count=Count("receipts", filter=Q(receipts__read_at__isnull=False)),
    )


def inbox_for_user(user) -> QuerySet[AnnouncementReceipt]:
    """The announcements sent to the user, as their receipts (`read_at`), newest first."""
    if user is None or not user.is_authenticated:
        return AnnouncementReceipt.objects.none()
    return (AnnouncementReceipt.objects.filter(user=user, announcement__status=Announcement.Status.SENT)
            .select_related("announcement__alliance").order_by("-announcement__sent_at", "-id"))


def unread_announcements(user) -> QuerySet[AnnouncementReceipt]:
    return inbox_for_user(user).filter(read_at__isnull=True)


def receipt_of(announcement: Announcement, user) -> AnnouncementReceipt | None:
    if user is None or not user.is_authenticated:
        return None
    return announcement.receipts.filter(user=user).first()


def receipts_of(announcement: Announcement) -> QuerySet[AnnouncementReceipt]:
    """Who received it and when they read it: unread first, then by unit."""
    return (announcement.receipts.select_related("user", "organization")
            .order_by("read_at", "organization__name", "user_id"))


def recipient_contacts(alliance, unit_types=()) -> list[Contact]:
    """The contacts an announcement reaches now: one per active user acting for an active member unit of the
    alliance (of these types, if any), the first unit when they act for several."""
    members = Membership.objects.filter(alliance=alliance, status=Membership.Status.ACTIVE)
    contacts = Contact.objects.filter(
        Exists(members.filter(organization_id=OuterRef("organization_id"))), user__is_active=True,
    )
    if unit_types:
        contacts = contacts.filter(organization__type__in=list(unit_types))
    first_per_user = {}
    for contact in contacts.select_related("user", "organization").order_by("user_id", "organization_id"):
        first_per_user.setdefault(contact.user_id, contact)
    return list(first_per_user.values())


def publicity_history_filter(alliance) -> Q:
    """The alliance's news items and announcements in its audit log (alliance/extensions.py)."""
    types = ContentType.objects.get_for_models(NewsItem, Announcement)
    return (Q(content_type=types[NewsItem], object_id__in=NewsItem.objects.filter(alliance=alliance).values("pk"))
            | Q(content_type=types[Announcement],
                object_id__in=Announcement.objects.filter(alliance=alliance).values("pk")))
