"""API token authentication: knox's, without reading every token of the user on each request.

knox's `TokenAuthentication` looks up the token with its user (one query) and then, on every request,
lists all the user's tokens to delete the expired ones (a second query). Here a request checks only its
own token's expiry (an expired one is deleted and refused, as knox does); the user's other expired tokens
are deleted when a new token is issued (`members.api.views.TokenView`), so they do not pile up. The token and
its user are read with a statement written once per process (kernel/rows.py): compiling knox's query cost more
than running it.
"""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from kernel.rows import rows_where


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token):
        """knox's own, but for how the token is read."""
        message = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in rows_where(get_token_model(), "token_key", token[:CONSTANTS.TOKEN_KEY_LENGTH],
                                     related="user"):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise AuthenticationFailed(message) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise AuthenticationFailed(message)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme knox's class has (`knoxApiToken`), for this one."""

    target_class = "members.api.auth.TokenAuthentication"
