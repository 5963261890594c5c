"""Two-factor authentication required by role (settings.TWO_FACTOR_REQUIRED_ROLES).

A logged-in user whose role requires it and whose session was not verified by a code is sent to set it
up before anything else — or, when they have it already (a session opened some other way), to log in
again with a code. Pages redirect; the API answers 403. Runs after django-otp's OTPMiddleware.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from members.two_factor import has_two_factor, is_required

# What a user who still has to set it up may open.
OPEN_URL_NAMES = {"two-factor-setup", "logout", "set_language", "login", "login-verify", "api-logout",
                  "api-logoutall"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TWO_FACTOR_REQUIRED_ROLES and self._must_stop(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _must_stop(request) -> bool:
        user = request.user
        if not user.is_authenticated or user.is_verified() or request.path_info.startswith(f"/{settings.STATIC_URL}"):
            return False
        try:
            if resolve(request.path_info).url_name in OPEN_URL_NAMES:
                return False
        except Resolver404:
            pass
        return is_required(user)

    @staticmethod
    def _refuse(request):
        api = request.path_info.startswith("/api/")
        if has_two_factor(request.user):
            logout(request)
            if api:
                return JsonResponse({"detail": _("Log in again with your two-factor code.")}, status=403)
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        if api:
            return JsonResponse({"detail": _("Your role requires two-factor authentication: set it up in the "
                                             "application first.")}, status=403)
        return redirect("two-factor-setup")
