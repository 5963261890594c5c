"""Invitations by mail: who may invite whom to what, the signed link, and accepting it.

An invitation grants one thing, of a *kind* registered here: a role grant (secretariat of an alliance,
official or expert of a city) and a unit's contact are members' own kinds; a council seat is registered
by governance in its AppConfig.ready(), because members sits below governance and must not import it.
Each kind says who may invite to it (exactly who may grant it directly), checks and describes its
payload, and fulfils it on acceptance through the same service a direct grant uses, acting as the
inviter — so an inviter who has lost the authority since can no longer have it granted.

The link carries the invitation's id signed with a timestamp (django.core.signing.TimestampSigner);
the row holds the expiry (settings.INVITATION_DAYS) and records the single use. The invited person's
account exists from the invitation on — inactive and without a password when it is new — because the
outbox mails users (kernel/notify.py); accepting sets the password and activates it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from auditlog.context import set_actor
from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.models import Alliance, City
from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.notify import notify
from kernel.scope import forget_scope
from members import services
from members.models import Contact, Invitation, Organization, RoleGrant, User
from members.permissions import can_edit_organization, can_grant

SIGNING_SALT = "members.invitation"


@dataclass(frozen=True)
class InvitationKind:
    """What an invitation of this kind grants.

    `prepare(actor, payload)` checks the payload and the actor's authority (raising DomainError or
    NotAllowed) and returns the cleaned payload; `describe(payload)` says what it grants, in the active
    language; `holds(user, payload)` tells whether an existing user already has it; `fulfil(actor, user,
    payload)` grants it, as the inviter, inside the acceptance's transaction.
    """

    prepare: Callable[[object, dict], dict]
    describe: Callable[[dict], str]
    holds: Callable[[object, dict], bool]
    fulfil: Callable[[object, object, dict], None]


_kinds: dict[str, InvitationKind] = {}


def register_invitation_kind(name: str, kind: InvitationKind) -> None:
    _kinds[name] = kind


def invitation_kind(name: str) -> InvitationKind:
    try:
        return _kinds[name]
    except KeyError:
        raise DomainError(_("Unknown kind of invitation."), field="kind") from None


# Members' own kinds ----------------------------------------------------------------------------------

def _role_prepare(actor, payload: dict) -> dict:
    role = payload.get("role")
    if role not in RoleGrant.Role.values:
        raise DomainError(_("Unknown role."), field="role")
    alliance = city = None
    if role == RoleGrant.Role.SECRETARIAT:
        alliance = Alliance.objects.filter(pk=payload.get("alliance")).first()
        if alliance is None:
            raise DomainError(_("A secretariat role needs an alliance."), field="alliance")
    else:
        city = City.objects.filter(pk=payload.get("city")).first()
        if city is None:
            raise DomainError(_("An official role needs a city.") if role == RoleGrant.Role.OFFICIAL
                              else _("Choose the city that lists this expert."), field="city")
    if not can_grant(actor, role=role, alliance=alliance, city=city):
        raise NotAllowed(_("You may not grant this role."))
    return {"role": role, "alliance": alliance and alliance.pk, "city": city and city.pk}


def _role_scope(payload: dict):
    alliance = Alliance.objects.filter(pk=payload["alliance"]).first() if payload["alliance"] else None
    city = City.objects.filter(pk=payload["city"]).first() if payload["city"] else None
    return alliance, city


def _role_describe(payload: dict) -> str:
    alliance, city = _role_scope(payload)
    scope = alliance or city
    return f"{RoleGrant.Role(payload['role']).label} · {scope}" if scope else RoleGrant.Role(payload["role"]).label


def _role_holds(user, payload: dict) -> bool:
    return RoleGrant.objects.filter(user=user, role=payload["role"], alliance_id=payload["alliance"],
                                    city_id=payload["city"]).exists()


def _role_fulfil(actor, user, payload: dict) -> None:
    alliance, city = _role_scope(payload)
    if alliance is None and city is None:
        raise StateConflict(_("What this invitation grants no longer exists."))
    services.role_grant_create(actor=actor, user=user, role=payload["role"], alliance=alliance, city=city)


def _contact_prepare(actor, payload: dict) -> dict:
    organization = Organization.objects.filter(pk=payload.get("organization")).first()
    if organization is None:
        raise DomainError(_("Unknown member unit."), field="organization")
    if not can_edit_organization(actor, organization):
        raise NotAllowed(_("You may not add contacts to this unit."))
    title = str(payload.get("title", "")).strip()[:100]
    return {"organization": organization.pk, "title": title}


def _contact_describe(payload: dict) -> str:
    organization = Organization.objects.filter(pk=payload["organization"]).first()
    return _("Contact of %(org)s") % {"org": organization.name if organization else "—"}


def _contact_holds(user, payload: dict) -> bool:
    return Contact.objects.filter(user=user, organization_id=payload["organization"]).exists()


def _contact_fulfil(actor, user, payload: dict) -> None:
    organization = Organization.objects.filter(pk=payload["organization"]).first()
    if organization is None:
        raise StateConflict(_("What this invitation grants no longer exists."))
    services.contact_add(organization=organization, user=user, actor=actor, title=payload["title"])


register_invitation_kind("role", InvitationKind(_role_prepare, _role_describe, _role_holds, _role_fulfil))
register_invitation_kind("contact", InvitationKind(_contact_prepare, _contact_describe, _contact_holds,
                                                   _contact_fulfil))


# The link --------------------------------------------------------------------------------------------

def invitation_token(invitation: Invitation) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(str(invitation.pk))


def invitation_url(invitation: Invitation) -> str:
    return reverse("invitation-accept", args=[invitation_token(invitation)])


def invitation_from_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link names, if the link is genuine and still usable; DomainError (with what is
    wrong, for the page to say) otherwise."""
    try:
        pk = signing.TimestampSigner(salt=SIGNING_SALT).unsign(
            token, max_age=timedelta(days=settings.INVITATION_DAYS)
        )
    except signing.SignatureExpired:
        raise StateConflict(_("This invitation has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise DomainError(_("This invitation link is not valid. Check that it was copied whole.")) from None
    rows = Invitation.objects.select_related("user", "invited_by")
    invitation = (rows.select_for_update(of=("self",)) if for_update else rows).filter(pk=pk).first()
    if invitation is None:
        raise DomainError(_("This invitation link is not valid. Check that it was copied whole."))
    if invitation.accepted_at is not None:
        raise StateConflict(_("This invitation has already been used."))
    if invitation.withdrawn_at is not None:
        raise StateConflict(_("This invitation was withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise StateConflict(_("This invitation has expired. Ask for a new one."))
    return invitation


def is_new_account(user) -> bool:
    """An account made by an invitation and not yet taken up: it sets its password on acceptance."""
    return not user.is_active and not user.has_usable_password()


# Services --------------------------------------------------------------------------------------------

def _invitee(email: str, language: str):
    """The account the invitation is for: the one with this address, or a new inactive one."""
    accounts = list(User.objects.filter(email__iexact=email)[:2])
    if len(accounts) > 1:
        raise StateConflict(_("Several accounts use this e-mail address: grant the role to one of them by "
                              "user name instead."), field="email")
    if accounts:
        user = accounts[0]
        if not user.is_active and user.has_usable_password():
            raise StateConflict(_("The account with this e-mail address is deactivated: ask an administrator."),
                                field="email")
        return user
    username = email if not User.objects.filter(username__iexact=email).exists() else None
    if username is None or len(username) > User._meta.get_field("username").max_length:
        raise DomainError(_("This e-mail address cannot be used as a user name; ask an administrator to "
                            "create the account."), field="email")
    user = User(username=username, email=email, is_active=False, language=language)
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def invitation_create(*, actor, email: str, kind: str, payload: dict, language: str | None = None,
                      site: str = "") -> Invitation:
    """Invite someone by e-mail to what `kind` and `payload` describe; mailed through the outbox, with the
    link on `site` (the site's address, settings.SITE_URL when it is set)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(_("Enter a valid e-mail address."), field="email") from None
    email = User.objects.normalize_email(email)
    handler = invitation_kind(kind)
    payload = handler.prepare(actor, payload)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    user = _invitee(email, language)
    if user.pk == actor.pk:
        raise DomainError(_("You cannot invite yourself."), field="email")
    if handler.holds(user, payload):
        raise StateConflict(_("The person with this e-mail address already has it."), field="email")
    now = timezone.now()
    waiting = Invitation.objects.select_for_update().filter(
        user=user, kind=kind, payload=payload, accepted_at__isnull=True, withdrawn_at__isnull=True,
        expires_at__gt=now,
    )
    if waiting.exists():
        raise StateConflict(_("An invitation to this person for this is already waiting to be accepted."),
                            field="email")
    with translation.override(user.language or settings.LANGUAGE_CODE):
        description = handler.describe(payload)[:300]
    with set_actor(actor):
        invitation = Invitation.objects.create(
            email=email, user=user, invited_by=actor, kind=kind, payload=payload, description=description,
            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
        )
    names = {"inviter": str(actor), "grant": description, "days": settings.INVITATION_DAYS,
             "link": f"{settings.SITE_URL or site}{invitation_url(invitation)}"}
    body = (gettext_lazy("{inviter} invites you to the city-region industry-education alliances application as: "
                         "{grant}.\n\nOpen this link to choose your user name and password and accept (valid "
                         "for {days} days, once):\n\n{link}") if is_new_account(user) else
            gettext_lazy("{inviter} invites you to the city-region industry-education alliances application as: "
                         "{grant}.\n\nLog in with your account and open this link to accept (valid for {days} "
                         "days, once):\n\n{link}"))
    # The link is in the body, whole: the outbox's own links are relative to SITE_URL, which may be unset.
    notify(user=user, key=f"invitation:{invitation.pk}",
           subject=format_lazy(gettext_lazy("Invitation: {grant}"), **names), body=format_lazy(body, **names))
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.invited_by_id != actor.pk and not actor.is_superuser:
        raise NotAllowed(_("Only who sent an invitation can withdraw it."))
    if invitation.accepted_at is not None or invitation.withdrawn_at is not None:
        raise StateConflict(_("This invitation is no longer waiting."))
    with set_actor(actor):
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
    return invitation


def _fulfil(invitation: Invitation, user) -> None:
    try:
        invitation_kind(invitation.kind).fulfil(invitation.invited_by, user, invitation.payload)
    except NotAllowed:
        raise StateConflict(_("The person who invited you may no longer grant this. Ask them, or someone else "
                              "who may, to invite you again.")) from None
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    forget_scope(user)


@transaction.atomic
def invitation_accept_new_account(*, token: str, username: str, full_name: str, password: str) -> User:
    """A person invited without an account chooses a user name and password: the account is activated
    and granted what the invitation offers, all or nothing."""
    invitation = invitation_from_token(token, for_update=True)
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    if not is_new_account(user):
        raise StateConflict(_("This invitation is for an existing account: log in to accept it."))
    username = (username or "").strip()
    if not username:
        raise DomainError(_("Choose a user name."), field="username")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="username") from None
    if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise DomainError(_("This user name is taken: choose another."), field="username")
    user.username = username
    user.full_name = (full_name or "").strip()[:100]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password1") from None
    user.set_password(password)
    user.is_active = True
    user.save()
    _fulfil(invitation, user)
    return user


@transaction.atomic
def invitation_accept(*, token: str, actor) -> Invitation:
    """A person who already has an account, logged in as it, accepts."""
    invitation = invitation_from_token(token, for_update=True)
    if invitation.user_id != actor.pk:
        raise NotAllowed(_("This invitation is for another account."))
    _fulfil(invitation, actor)
    return invitation


def invitations_sent_by(user):
    """The invitations the user sent (an administrator sees all), newest first."""
    rows = Invitation.objects.select_related("user", "invited_by")
    return rows if user.is_superuser else rows.filter(invited_by=user)
