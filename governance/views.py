# Scaffolding: the pages are being written (issue 3); every page answers 404 until then.
from django.http import Http404


def _not_yet(request, *args, **kwargs):
    raise Http404


needs_my_vote = meeting_detail = minutes = motion_detail = task_detail = extraordinary_requests = _not_yet
