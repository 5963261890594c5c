"""News, typical cases and announcements of an alliance.

A news item or typical case is written by the alliance's secretariat and published to its public page, the
city's and the Atom feeds; an announcement goes to the contacts of its member units, each once, with a receipt
that records when the contact read it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Spelled out for the database check constraints (a Meta class cannot see its model's enums).
NEWS_KINDS = ("news", "typical_case")
NEWS_STATUSES = ("draft", "published", "withdrawn")
ANNOUNCEMENT_STATUSES = ("draft", "sent")


class NewsItem(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        TYPICAL_CASE = "typical_case", _("Typical case")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="news_items",
                                 verbose_name=_("Alliance"))
    kind = models.CharField(_("Type"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    title = models.CharField(_("Title"), max_length=200)
    body = models.TextField(_("Text"))
    # Stored under a name of our own (publicity/images.py), never the uploader's; served by a view.
    image = models.FileField(_("Image"), upload_to="news-images/%Y/", blank=True, max_length=200)
    image_type = models.CharField(max_length=20, blank=True)
    image_caption = models.CharField(_("Image caption"), max_length=200, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # When it was first published; a withdrawn item keeps it, and publishing it again restores it.
    published_at = models.DateTimeField(_("Published on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("News item")
        verbose_name_plural = _("News and typical cases")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["alliance", "status", "-published_at"], name="news_alliance_published")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=list(NEWS_KINDS)), name="news_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=list(NEWS_STATUSES)), name="news_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | (~Q(status="draft") & Q(published_at__isnull=False)),
                name="news_published_at_iff_published",
            ),
            models.CheckConstraint(condition=Q(image="") | ~Q(image_type=""), name="news_image_has_type"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.alliance.is_public

    @property
    def image_name(self) -> str:
        """The stored file's own name: the last part of the image's address, so a new image gets a new one."""
        return self.image.name.rsplit("/", 1)[-1] if self.image else ""

    @property
    def image_path(self) -> str:
        """Where the image is served (through a view that checks who may read the item)."""
        return reverse("publicity:news-image", args=[self.pk, self.image_name]) if self.image else ""


class CaseSubject(models.Model):
    """A record a typical case describes, of a kind another app registered (publicity/extensions.py): a
    cooperation project, say. Held by kind and id, so this app never imports the one that owns the record."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="subjects")
    kind = models.CharField(max_length=50)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = _("Subject of a typical case")
        verbose_name_plural = _("Subjects of typical cases")
        constraints = [models.UniqueConstraint(fields=["item", "kind", "object_id"], name="case_subject_unique")]
        indexes = [models.Index(fields=["kind", "object_id"], name="case_subject_record")]


class Announcement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.PROTECT, related_name="announcements",
                                 verbose_name=_("Alliance"))
    title = models.CharField(_("Title"), max_length=200)
    body = models.TextField(_("Text"))
    important = models.BooleanField(
        _("Important"), default=False,
        help_text=_("Contacts who have not read it are reminded once, some days after it was sent."),
    )
    # Organization.Type values; empty: every member unit.
    unit_types = models.JSONField(_("Unit types"), default=list, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    sent_at = models.DateTimeField(_("Sent on"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Announcement")
        verbose_name_plural = _("Announcements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=list(ANNOUNCEMENT_STATUSES)),
                                   name="announcement_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft", sent_at__isnull=True) | Q(status="sent", sent_at__isnull=False),
                name="announcement_sent_at_iff_sent",
            ),
        ]

    def __str__(self):
        return self.title


class AnnouncementReceipt(models.Model):
    """One recipient of a sent announcement: delivered once (the unique pair), read when they opened it,
    reminded at most once."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="announcement_receipts")
    # The member unit the contact received it for (the first, if they act for several).
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("Member unit"))
    delivered_at = models.DateTimeField(_("Delivered on"), auto_now_add=True)
    read_at = models.DateTimeField(_("Read on"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("Reminded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("Announcement receipt")
        verbose_name_plural = _("Announcement receipts")
        ordering = ["announcement_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="announcement_receipt_once"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="receipt_user_unread")]
