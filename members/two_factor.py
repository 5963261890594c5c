"""Two-factor authentication with django-otp: a TOTP device (an authenticator app) and a static device
holding single-use recovery codes.

Anyone may turn it on; the roles in settings.TWO_FACTOR_REQUIRED_ROLES must (members/middleware.py sends
them to set it up before anything else, and the API refuses them a token until they have). Login asks
for a code after the password (members/account_views.py); the API token endpoint takes it as `otp`.
Codes are checked by django-otp, whose devices slow down repeated wrong codes (exponential delay).
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kernel.errors import DomainError, NotAllowed, StateConflict
from kernel.scope import scope_of
from members.sessions import sessions_end

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_required(user) -> bool:
    """The user holds a role that settings.TWO_FACTOR_REQUIRED_ROLES names."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool(required) and bool(required & set(scope_of(user).roles))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def totp_setup_begin(*, user) -> TOTPDevice:
    """The device being set up: a new secret until a code from it confirms it."""
    if has_two_factor(user):
        raise StateConflict(_("Two-factor authentication is already on."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed in (base32, in groups of four)."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _clean(code: str) -> str:
    return "".join(str(code or "").split()).lower()


def _check(device, code: str) -> bool:
    """django-otp's check, committed even when the code is wrong (so its delay counts the failure)."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        if allowed:
            return device.verify_token(code)
    if details and details.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        wait = max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)
        raise StateConflict(ngettext("Too many wrong codes: try again in %(seconds)d second.",
                                     "Too many wrong codes: try again in %(seconds)d seconds.", wait)
                            % {"seconds": wait}, field="code")
    raise StateConflict(_("Codes cannot be checked right now: try again later."), field="code")


def verify_code(*, user, code: str):
    """The device that accepts this code — the authenticator's six digits, or a recovery code (used up)
    — or None."""
    code = _clean(code)
    if not code:
        return None
    if code.isdigit():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True, name=RECOVERY_NAME).first()
    if device is None:
        return None
    return device if _check(device, code) else None


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """New recovery codes, shown once; the old ones stop working."""
    if not has_two_factor(user):
        raise StateConflict(_("Turn on two-factor authentication first."))
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def totp_setup_confirm(*, user, code: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """A code from the app confirms the device: two-factor authentication is on. The user's other
    sessions and API tokens end (they were opened with the password alone); `request`'s stays.
    Returns the device and the recovery codes, to show once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None or has_two_factor(user):
        raise StateConflict(_("Start the set-up again."))
    code = _clean(code)
    if not (code.isdigit() and _check(device, code)):
        raise DomainError(_("That code is not right. Check the time on your phone and enter the current code."),
                          field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_replace(user=user)
        sessions_end(user=user, keep_request=request)
    return device, codes


def two_factor_disable(*, user, code: str) -> None:
    """Turn it off, proving it with a current code; not for a role that requires it."""
    if is_required(user):
        raise NotAllowed(_("Your role requires two-factor authentication: it cannot be turned off."))
    if not has_two_factor(user):
        raise StateConflict(_("Two-factor authentication is not on."))
    if verify_code(user=user, code=code) is None:
        raise DomainError(_("That code is not right."), field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
