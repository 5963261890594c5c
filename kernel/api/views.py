"""The API's answer for paths no route serves."""

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, permissions
from rest_framework.views import APIView


class _NotFound(APIView):
    """The API's 404 through DRF's exception path (its renderers, its error shape), in DEBUG too."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


_not_found = _NotFound.as_view()


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Every path under /api/ that no route answers (Django would answer an HTML page, in DEBUG its debug
    page). Without a trailing slash, a GET for a path that exists with one is redirected there, as
    Django's APPEND_SLASH does: this catch-all would otherwise hide the slashed route from it."""
    path = request.path_info
    if request.method in ("GET", "HEAD") and not path.endswith("/"):
        try:
            match = resolve(f"{path}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return _not_found(request)
