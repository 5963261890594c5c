"""The WSGI application (gunicorn: `config.wsgi:application`).

The URLconf, and with it every view, serializer and form, is imported when a worker starts rather than by the
first request each worker serves (about a second of CPU that request would otherwise wait for: with four
workers, four slow requests after every start or restart).
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imported now, not in the first request
