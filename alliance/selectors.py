"""Reads of alliances, scoped to what the user may see."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from alliance.extensions import history_filter
from alliance.models import Alliance, AllianceDocument
from kernel.collation import pinyin
from kernel.scope import scope_of
from kernel.selectors import get_or_404


def every_row() -> Q:
    """A condition every row meets, and that stays so when OR-ed with another. `Q()` is no such thing:
    `Q() | other` is just `other` (an empty Q drops out of a combination), so a superuser's `Q()` OR-ed with
    a public filter would read the public rows only. `~Q(pk__in=[])` compiles to no condition at all."""
    return ~Q(pk__in=[])


def private_alliance_filter(user, prefix: str = "") -> Q:
    """Rows of the alliances whose non-public business the user may read (as `permissions.can_view_private`):
    their secretariat, their seats and alternates, their city's officials. `prefix` leads from the rows to
    the alliance, e.g. "alliance__" or "body__alliance__"."""
    scope = scope_of(user)
    if scope.is_superuser:
        return every_row()
    private = Q(pk__in=[])
    if scope.official_city_ids:
        private |= Q(**{f"{prefix}city_id__in": scope.official_city_ids})
    own = scope.secretariat_alliance_ids | scope.seat_alliance_ids
    if own:
        private |= Q(**{f"{prefix}id__in": own})
    return private


def visible_alliance_filter(user) -> Q:
    scope = scope_of(user)
    if scope.is_superuser:
        return every_row()
    visible = Q(status__in=Alliance.PUBLIC_STATUSES) | private_alliance_filter(user)
    if scope.contact_organization_ids:
        # The alliances the user's units belong to or applied to. Memberships are reached by their relation's
        # name (as a foreign key names another app's model): the core never imports the members app above it.
        visible |= Q(id__in=Alliance.objects.filter(
            memberships__organization_id__in=scope.contact_organization_ids).values("id"))
    return visible


def with_member_count(queryset: QuerySet) -> QuerySet:
    """`member_count`: active member units, counted through the memberships relation."""
    active = (
        Alliance.objects.filter(pk=OuterRef("pk"), memberships__status="active")
        .order_by()
        .values("pk")
        .annotate(n=Count("memberships"))
        .values("n")
    )
    return queryset.annotate(member_count=Coalesce(Subquery(active, output_field=IntegerField()), 0))


def alliances_for_user(user) -> QuerySet[Alliance]:
    return with_member_count(
        Alliance.objects.filter(visible_alliance_filter(user)).select_related(
            "city", "park", "lead_school", "lead_enterprise", "lead_park_admin"
        )
    )


def alliance_choices_for_user(user) -> QuerySet[Alliance]:
    """Visible alliances for a drop-down: names only, no counts or joins."""
    return (Alliance.objects.filter(visible_alliance_filter(user)).only("id", "name", "name_en")
            .order_by(pinyin("name"), "id"))


def alliance_get_for_user(user, pk, *, for_update: bool = False) -> Alliance:
    """The alliance if this user may see it; 404 for missing and hidden alike."""
    if for_update:
        return get_or_404(Alliance.objects.filter(visible_alliance_filter(user)).select_for_update(), pk)
    return get_or_404(alliances_for_user(user), pk)


def public_alliance_get(pk) -> Alliance:
    """An alliance's public record (established, rectifying or revoked), the same for everyone: its public page
    shows nothing its user could see beyond that. 404 otherwise."""
    return get_or_404(
        with_member_count(Alliance.objects.filter(status__in=Alliance.PUBLIC_STATUSES).select_related(
            "city", "park", "lead_school", "lead_enterprise", "lead_park_admin")),
        pk,
    )


def alliances_managed_by(user) -> QuerySet[Alliance]:
    """Alliances whose register this user keeps (secretariat)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Alliance.objects.all()
    return Alliance.objects.filter(id__in=scope.secretariat_alliance_ids)


def alliances_overseen_by(user) -> QuerySet[Alliance]:
    """Alliances the user edits: secretariat of them or official of their city."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Alliance.objects.all()
    return Alliance.objects.filter(Q(id__in=scope.secretariat_alliance_ids) | Q(city_id__in=scope.official_city_ids))


def audit_entries_for_alliance(alliance: Alliance) -> QuerySet[LogEntry]:
    """The audit log of an alliance: its own record and documents, and what the apps above add
    (memberships and role grants: alliance/extensions.py)."""
    types = ContentType.objects.get_for_models(Alliance, AllianceDocument)
    related = Q(content_type=types[Alliance], object_id=alliance.pk) | Q(
        content_type=types[AllianceDocument],
        object_id__in=AllianceDocument.objects.filter(alliance=alliance).values("pk"),
    )
    related |= history_filter(alliance)
    return LogEntry.objects.filter(related).select_related("actor", "content_type").order_by("-timestamp", "-id")
