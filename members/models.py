from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from kernel.names import BilingualName
from members.uscc import validate_uscc


class User(AbstractUser):
    full_name = models.CharField(_("Full name"), max_length=100, blank=True)
    phone = models.CharField(_("Phone"), max_length=30, blank=True)
    language = models.CharField(_("Language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    # Raised to end every session of the user at once (members/sessions.py): a session stays valid only
    # while the hash it was opened with still matches, and the hash covers this number.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("User")
        verbose_name_plural = _("User")

    def __str__(self):
        return self.full_name or self.username

    def _session_hash(self, secret=None) -> str:
        if self.session_generation:
            salt, value = "members.User.session_auth_hash", f"{self.password}:{self.session_generation}"
        else:
            # Django's own formula, so that sessions opened before any generation was raised stay valid.
            salt, value = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", self.password
        return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


# Spelled out for the database check constraints (a Meta class cannot see its model's enums).
ORGANIZATION_TYPES = (
    "government", "park", "enterprise", "secondary_vocational", "higher_vocational", "vocational_undergraduate",
    "undergraduate", "research_institute", "industry_association", "financial_institution", "other",
)
MEMBERSHIP_STATUSES = ("applied", "active", "rejected", "withdrawn", "expelled")
MEMBERSHIP_ROLES = ("chair", "vice_chair", "standing_director", "director", "member")


class Organization(BilingualName, models.Model):
    """A real unit (government agency, school, enterprise ...), recorded once."""

    class Type(models.TextChoices):
        GOVERNMENT = "government", _("Government agency")
        PARK = "park", _("Park administration")
        ENTERPRISE = "enterprise", _("Enterprise")
        SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational school")
        HIGHER_VOCATIONAL = "higher_vocational", _("Higher vocational college")
        VOCATIONAL_UNDERGRADUATE = "vocational_undergraduate", _("Vocational undergraduate university")
        UNDERGRADUATE = "undergraduate", _("Undergraduate university")
        RESEARCH_INSTITUTE = "research_institute", _("Research institute")
        INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
        FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro")

    SCHOOL_TYPES = (
        Type.SECONDARY_VOCATIONAL,
        Type.HIGHER_VOCATIONAL,
        Type.VOCATIONAL_UNDERGRADUATE,
        Type.UNDERGRADUATE,
    )

    name = models.CharField(_("Name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    uscc = models.CharField(_("Unified social credit code"), max_length=18, unique=True, validators=[validate_uscc])
    type = models.CharField(_("Type"), max_length=30, choices=Type.choices)
    size = models.CharField(_("Enterprise size"), max_length=10, choices=Size.choices, blank=True)
    city = models.ForeignKey(
        "alliance.City", on_delete=models.PROTECT, null=True, blank=True, related_name="organizations",
        verbose_name=_("City"),
    )
    address = models.CharField(_("Address"), max_length=300, blank=True)
    website = models.URLField(_("Website"), blank=True)
    description = models.TextField(_("Description"), blank=True)
    is_demo = models.BooleanField(_("Demo data"), default=False)
    # The alliance whose secretariat entered the unit: it keeps the record until the unit is claimed
    # (a contact, or a membership elsewhere); see members/permissions.py.
    registered_by_alliance = models.ForeignKey(
        "alliance.Alliance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("Registered by alliance"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Member unit")
        verbose_name_plural = _("Member unit")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type="enterprise") | Q(size=""), name="organization_size_only_for_enterprises"
            ),
            models.CheckConstraint(condition=Q(type__in=list(ORGANIZATION_TYPES)), name="organization_type_valid"),
        ]
        indexes = [models.Index(fields=["type"]), models.Index(fields=["name", "id"], name="organization_name_id")]

    def __str__(self):
        return self.name

    @staticmethod
    def has_size(org_type: str) -> bool:
        """Only enterprises have a size (the check constraint above holds it in the database)."""
        return org_type == Organization.Type.ENTERPRISE

    def clean(self):
        # A size sent with another type of unit is dropped, on pages and in the API alike; the Excel
        # import, which cannot ask again, refuses such a row instead (members/excel.py).
        if not self.has_size(self.type):
            self.size = ""


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair unit")
        VICE_CHAIR = "vice_chair", _("Vice-chair unit")
        STANDING_DIRECTOR = "standing_director", _("Standing director unit")
        DIRECTOR = "director", _("Director unit")
        MEMBER = "member", _("Member unit")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPELLED = "expelled", _("Expelled")

    OPEN_STATUSES = (Status.APPLIED, Status.ACTIVE)

    alliance = models.ForeignKey(
        "alliance.Alliance", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("Alliance")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("Member unit")
    )
    role = models.CharField(_("Role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    applied_on = models.DateField(_("Applied on"), null=True, blank=True)
    joined_on = models.DateField(_("Joined on"), null=True, blank=True)
    left_on = models.DateField(_("Left on"), null=True, blank=True)
    statement = models.TextField(_("Statement"), blank=True)
    decision_reason = models.TextField(_("Decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who opened it: a contact of the unit (an application) or the alliance's secretariat (an invitation).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("Requested by"),
    )
    # The unit's consent: given by the contact who applied, or by a contact accepting the invitation.
    consented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("Consent given by"),
    )
    consented_at = models.DateTimeField(_("Consent given at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Membership")
        verbose_name_plural = _("Membership")
        ordering = ["alliance_id", "organization__name", "id"]
        constraints = [
            # One open (applied or active) membership per organisation and alliance.
            models.UniqueConstraint(
                fields=["alliance", "organization"],
                condition=Q(status__in=["applied", "active"]),
                name="membership_one_open_per_alliance",
            ),
            models.CheckConstraint(condition=Q(status__in=list(MEMBERSHIP_STATUSES)), name="membership_status_valid"),
            models.CheckConstraint(condition=Q(role__in=list(MEMBERSHIP_ROLES)), name="membership_role_valid"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(joined_on__isnull=False), name="membership_active_has_joined_on"
            ),
        ]
        indexes = [models.Index(fields=["alliance", "status"]), models.Index(fields=["organization", "status"])]

    def __str__(self):
        return f"{self.organization} @ {self.alliance}"


class Contact(models.Model):
    """A user who acts for a member unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    title = models.CharField(_("Office"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("Primary contact"), default=False)

    class Meta:
        verbose_name = _("Contact")
        verbose_name_plural = _("Contact")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="contact_unique")]

    def __str__(self):
        return f"{self.user} ({self.organization})"


class RoleGrant(models.Model):
    """A scoped role: secretariat of an alliance, official of a city, expert reviewer listed by a city.

    Only someone with authority over the scope grants or revokes it (members/permissions.py: can_grant).
    """

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat")
        OFFICIAL = "official", _("Municipal official")
        EXPERT = "expert", _("Expert reviewer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("Role"), max_length=20, choices=Role.choices)
    alliance = models.ForeignKey(
        "alliance.Alliance", on_delete=models.CASCADE, null=True, blank=True, related_name="role_grants",
        verbose_name=_("Alliance"),
    )
    city = models.ForeignKey(
        "alliance.City", on_delete=models.CASCADE, null=True, blank=True, related_name="role_grants",
        verbose_name=_("City"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Role grant")
        verbose_name_plural = _("Role grant")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="secretariat", alliance__isnull=False, city__isnull=True)
                    | Q(role="official", alliance__isnull=True, city__isnull=False)
                    | Q(role="expert", alliance__isnull=True)
                ),
                name="role_grant_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "alliance"], condition=Q(role="secretariat"), name="role_grant_unique_secretariat"
            ),
            models.UniqueConstraint(
                fields=["user", "city"], condition=Q(role="official"), name="role_grant_unique_official"
            ),
            # An expert is listed by a city's officials (or, without a city, nationally by an administrator).
            models.UniqueConstraint(
                fields=["user", "city"], condition=Q(role="expert"), name="role_grant_unique_expert_per_city"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role="expert", city__isnull=True), name="role_grant_unique_expert"
            ),
        ]

    def __str__(self):
        scope = self.alliance or self.city or ""
        return f"{self.user} · {self.get_role_display()} {scope}".strip()


class IdentityChange(models.Model):
    """A unit's contacts ask to change its legal name or credit code; an official of its city decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="identity_changes", verbose_name=_("Member unit")
    )
    name = models.CharField(_("New legal name"), max_length=200, blank=True)
    uscc = models.CharField(_("New credit code"), max_length=18, blank=True, validators=[validate_uscc])
    old_name = models.CharField(_("Legal name before"), max_length=200)
    old_uscc = models.CharField(_("Credit code before"), max_length=18)
    reason = models.TextField(_("Reason"))
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("Requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("Decided at"), null=True, blank=True)
    decision_note = models.TextField(_("Decision note"), blank=True)

    class Meta:
        verbose_name = _("Change of legal name or credit code")
        verbose_name_plural = _("Changes of legal name or credit code")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(status="pending"), name="identity_change_one_pending"
            ),
            models.CheckConstraint(condition=~Q(name="", uscc=""), name="identity_change_changes_something"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]), name="identity_change_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.organization}: {self.name or self.old_name} / {self.uscc or self.old_uscc}"


class Invitation(models.Model):
    """An offer by mail to take up a role (secretariat, official, expert), to act for a unit, or to hold a
    seat (a kind registered by governance). The link carries the row's id signed with a timestamp
    (members/invitations.py); the row records the expiry and the single use.

    The invited person's account exists from the invitation on (inactive until accepted when it is new),
    because the outbox mails users; accepting sets its password and activates it.
    """

    email = models.EmailField(_("E-mail"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations",
                             verbose_name=_("User"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("Invited by"))
    # What accepting grants: a kind registered in members/invitations.py and its arguments (ids, office).
    kind = models.CharField(_("Kind"), max_length=30)
    payload = models.JSONField(default=dict)
    description = models.CharField(_("What it grants"), max_length=300)
    created_at = models.DateTimeField(_("Sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("Expires at"))
    accepted_at = models.DateTimeField(_("Accepted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("Withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Account invitation")
        verbose_name_plural = _("Account invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(withdrawn_at__isnull=True),
                name="invitation_accepted_or_withdrawn_not_both",
            ),
        ]
        indexes = [models.Index(fields=["invited_by", "created_at"], name="invitation_by_inviter")]

    def __str__(self):
        return f"{self.email}: {self.description}"
