"""API token authentication: knox's, without reading every token of the user on each request.

knox's `TokenAuthentication` looks up the token with its user (one query) and then, on every request,
lists all the user's tokens to delete the expired ones (a second query). Here a request checks only its
own token's expiry (an expired one is deleted and refused, as knox does); the user's other expired tokens
are deleted when a new token is issued (`members.api.views.TokenView`), so they do not pile up.
"""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme knox's class has (`knoxApiToken`), for this one."""

    target_class = "members.api.auth.TokenAuthentication"
