"""Writes of news, typical cases and announcements. Each runs in a transaction, checks the permission and the
state, and is audited under the acting user."""

from datetime import timedelta

from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from kernel.notify import mark_keys_read
from members.models import Organization
from publicity import notices
from publicity.extensions import subject_kind
from publicity.images import checked_image
from publicity.models import Announcement, AnnouncementReceipt, CaseSubject, NewsItem
from publicity.permissions import can_write_publicity
from publicity.selectors import recipient_contacts

# News and typical cases ----------------------------------------------------------------------------------


def _require_writer(actor, alliance) -> None:
    if not can_write_publicity(actor, alliance):
        raise NotAllowed(_("Only the alliance's secretariat writes its news, typical cases and announcements."))


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("This field is required."), field=field, code="required")
    return value


def _set_image(item: NewsItem, image) -> None:
    content_type, name = checked_image(image)
    image.name = name
    item.image = image
    item.image_type = content_type


def _set_subjects(item: NewsItem, subjects: dict[str, list[int]]) -> None:
    """Tag a typical case with records of the registered kinds (publicity/extensions.py), all of its alliance."""
    if any(subjects.values()) and item.kind != NewsItem.Kind.TYPICAL_CASE:
        raise DomainError(_("Only a typical case is tagged with what it describes."), field="kind")
    for name, ids in subjects.items():
        kind = subject_kind(name)
        if kind is None:
            raise DomainError(_("Unknown kind of subject: %(kind)s") % {"kind": name}, field="subjects")
        wanted = set(ids)
        known = set(kind.choices(item.alliance).filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - known:
            raise DomainError(_("A case can only be tagged with its own alliance's records."), field="subjects")
        existing = item.subjects.filter(kind=name)
        existing.exclude(object_id__in=wanted).delete()
        kept = set(existing.values_list("object_id", flat=True))
        CaseSubject.objects.bulk_create(
            [CaseSubject(item=item, kind=name, object_id=object_id) for object_id in sorted(wanted - kept)])


@transaction.atomic
def news_create(*, alliance, actor, kind: str, title: str, body: str, image=None, image_caption: str = "",
                subjects: dict[str, list[int]] | None = None) -> NewsItem:
    """A draft news item or typical case; published by `news_publish`."""
    _require_writer(actor, alliance)
    item = NewsItem(alliance=alliance, kind=kind, title=_text(title, "title"), body=_text(body, "body"),
                    image_caption=(image_caption or "").strip(), created_by=actor)
    if image:
        _set_image(item, image)
    with set_actor(actor):
        full_clean_or_raise(item)
        item.save()
        if subjects:
            _set_subjects(item, subjects)
    return item


@transaction.atomic
def news_update(*, item: NewsItem, actor, kind: str, title: str, body: str, image=None, remove_image: bool = False,
                image_caption: str = "", subjects: dict[str, list[int]] | None = None) -> NewsItem:
    """Change an item in any state (a published one changes in place); a new image replaces the old, whose file
    is deleted once the change is committed."""
    _require_writer(actor, item.alliance)
    item = NewsItem.objects.select_for_update().select_related("alliance").get(pk=item.pk)
    old_image = item.image.name if item.image else ""
    item.kind, item.title, item.body = kind, _text(title, "title"), _text(body, "body")
    item.image_caption = (image_caption or "").strip()
    if image:
        _set_image(item, image)
    elif remove_image:
        item.image, item.image_type = "", ""
    with set_actor(actor):
        full_clean_or_raise(item)
        item.save()
        if item.kind != NewsItem.Kind.TYPICAL_CASE:
            item.subjects.all().delete()
        elif subjects is not None:
            _set_subjects(item, subjects)
    if old_image and old_image != (item.image.name if item.image else ""):
        storage = item.image.storage
        transaction.on_commit(lambda: storage.delete(old_image))
    return item


def _transition(item: NewsItem, actor, *, allowed_from: tuple, to: str, refusal: str) -> NewsItem:
    _require_writer(actor, item.alliance)
    item = NewsItem.objects.select_for_update().select_related("alliance").get(pk=item.pk)
    if item.status not in allowed_from:
        raise StateConflict(refusal)
    with set_actor(actor):
        item.status = to
        if to == NewsItem.Status.PUBLISHED and item.published_at is None:
            item.published_at = timezone.now()
        item.save(update_fields=["status", "published_at", "updated_at"])
    return item


@transaction.atomic
def news_publish(*, item: NewsItem, actor) -> NewsItem:
    """Publish a draft, or a withdrawn item again (with its first publication date)."""
    return _transition(item, actor, allowed_from=(NewsItem.Status.DRAFT, NewsItem.Status.WITHDRAWN),
                       to=NewsItem.Status.PUBLISHED, refusal=_("This item is already published."))


@transaction.atomic
def news_withdraw(*, item: NewsItem, actor) -> NewsItem:
    """Take a published item off the public pages and feeds; it can be published again."""
    return _transition(item, actor, allowed_from=(NewsItem.Status.PUBLISHED,), to=NewsItem.Status.WITHDRAWN,
                       refusal=_("Only a published item can be withdrawn."))


# Announcements ------------------------------------------------------------------------------------------

def _unit_types(unit_types) -> list[str]:
    chosen = list(dict.fromkeys(unit_types or ()))
    unknown = set(chosen) - set(Organization.Type.values)
    if unknown:
        raise DomainError(_("Unknown unit type: %(types)s") % {"types": ", ".join(sorted(unknown))},
                          field="unit_types")
    return chosen


@transaction.atomic
def announcement_create(*, alliance, actor, title: str, body: str, important: bool = False,
                        unit_types=()) -> Announcement:
    """A draft announcement to the contacts of all member units (or of these unit types); sent by
    `announcement_send`."""
    _require_writer(actor, alliance)
    announcement = Announcement(alliance=alliance, title=_text(title, "title"), body=_text(body, "body"),
                                important=important, unit_types=_unit_types(unit_types), created_by=actor)
    with set_actor(actor):
        full_clean_or_raise(announcement)
        announcement.save()
    return announcement


@transaction.atomic
def announcement_update(*, announcement: Announcement, actor, title: str, body: str, important: bool = False,
                        unit_types=()) -> Announcement:
    _require_writer(actor, announcement.alliance)
    announcement = Announcement.objects.select_for_update().select_related("alliance").get(pk=announcement.pk)
    if announcement.status != Announcement.Status.DRAFT:
        raise StateConflict(_("A sent announcement cannot be changed."))
    announcement.title, announcement.body = _text(title, "title"), _text(body, "body")
    announcement.important, announcement.unit_types = important, _unit_types(unit_types)
    with set_actor(actor):
        full_clean_or_raise(announcement)
        announcement.save()
    return announcement


@transaction.atomic
def announcement_send(*, announcement: Announcement, actor) -> int:
    """Send a draft to the contacts it addresses now: one receipt and one outbox message each (in the app and by
    mail), both unique per announcement and user. Returns how many contacts it reached."""
    _require_writer(actor, announcement.alliance)
    announcement = Announcement.objects.select_for_update().select_related("alliance").get(pk=announcement.pk)
    if announcement.status != Announcement.Status.DRAFT:
        raise StateConflict(_("This announcement has already been sent."), code="already_sent")
    contacts = recipient_contacts(announcement.alliance, announcement.unit_types)
    if not contacts:
        raise DomainError(_("No member unit of these types has a contact to receive the announcement."),
                          field="unit_types", code="no_recipients")
    with set_actor(actor):
        announcement.status, announcement.sent_at, announcement.sent_by = (
            Announcement.Status.SENT, timezone.now(), actor)
        announcement.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
    AnnouncementReceipt.objects.bulk_create(
        [AnnouncementReceipt(announcement=announcement, user=contact.user, organization=contact.organization)
         for contact in contacts],
        ignore_conflicts=True,
    )
    for contact in contacts:
        notices.announcement_delivered(announcement, contact.user)
    return len(contacts)


@transaction.atomic
def announcement_mark_read(*, announcement: Announcement, user) -> bool:
    """The recipient opened the announcement: its receipt is read (the first time counts) and so are the
    notifications that pointed to it. False when the user is no recipient, or had read it already."""
    if user is None or not user.is_authenticated:
        return False
    marked = AnnouncementReceipt.objects.filter(announcement=announcement, user=user, read_at__isnull=True).update(
        read_at=timezone.now())
    if marked:
        mark_keys_read(user=user, keys=[notices.delivery_key(announcement, user),
                                        notices.reminder_key(announcement, user)])
    return bool(marked)


def announcement_remind_due(now=None) -> int:
    """Remind, once, each recipient of an important announcement who has not read it ANNOUNCEMENT_REMINDER_DAYS
    after it was sent. Safe to run twice at once: each receipt is claimed under a lock (skipping those another
    run holds) and each reminder's key is unique."""
    now = now or timezone.now()
    due = AnnouncementReceipt.objects.filter(
        announcement__important=True, announcement__status=Announcement.Status.SENT,
        announcement__sent_at__lte=now - timedelta(days=settings.ANNOUNCEMENT_REMINDER_DAYS),
        read_at__isnull=True, reminded_at__isnull=True, user__is_active=True,
    )
    sent = 0
    for receipt_id in list(due.values_list("id", flat=True)):
        with transaction.atomic():
            receipt = (due.filter(pk=receipt_id).select_for_update(skip_locked=True, of=("self",))
                       .select_related("announcement__alliance", "user").first())
            if receipt is None:
                continue
            sent += notices.announcement_reminder(receipt.announcement, receipt.user)
            receipt.reminded_at = now
            receipt.save(update_fields=["reminded_at"])
    return sent
