"""Ending a user's sessions and API tokens: when their password changes, when they turn on two-factor
authentication, and when their last role is withdrawn.

A session stays valid only while the hash it was opened with matches the user's (Django checks it on
every request): a new password changes it, and `sessions_end` raises the user's session generation,
which the hash covers (members.models.User), so every session ends at once whatever the session
store. API tokens (knox) are rows, deleted here.
"""

from django.contrib.auth import update_session_auth_hash
from django.db.models import F
from django.utils.translation import gettext as _
from knox.models import AuthToken

from kernel.scope import forget_scope, scope_of
from members.models import User


def sessions_end(*, user, keep_request=None) -> None:
    """End all the user's sessions and API tokens; `keep_request`'s session (the user's own, acting
    now) stays open."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    AuthToken.objects.filter(user=user).delete()
    if keep_request is not None:
        update_session_auth_hash(keep_request, user)


def has_any_role(user) -> bool:
    scope = scope_of(user)
    return bool(scope.roles or scope.seat_alliance_ids)


def access_end_if_roleless(*, user) -> bool:
    """After a role, contact or seat was withdrawn: if it was the user's last, end their sessions and
    tokens (they log in again to what is left, the public pages). Returns whether it did."""
    forget_scope(user)
    if has_any_role(user):
        return False
    sessions_end(user=user)
    return True


class EndTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for Django's `password_changed` hook, which runs whenever a
    user's password is saved — by the reset and change pages, the invitation, the admin or the shell —
    and deletes the user's API tokens. (The sessions end by themselves: their hash covers the
    password.) It checks nothing; its help text tells the user what a new password ends."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            AuthToken.objects.filter(user=user).delete()

    def get_help_text(self):
        return _("A new password ends your other sessions and your API tokens.")
