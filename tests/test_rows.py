"""kernel/rows.py reads rows with SQL written once per process: the instances must be what the ORM gives, with
every field converted as the ORM converts it and the related row cached as select_related caches it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from governance.models import Motion
from kernel.rows import rows_where
from tests import governance_data as gd

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_motion_with_its_meeting_is_what_the_orm_reads():
    _alliance, body, secretariat = gd.assembly(3)
    meeting = gd.record_attendance(gd.planned_meeting(body, secretariat), secretariat)
    at_meeting = gd.open_motion(secretariat, meeting=meeting)
    Motion.objects.filter(pk=at_meeting.pk).update(sector_tally={"enterprise": {"yes": 2}})
    by_consent = gd.open_motion(secretariat, body=body)  # written consent: no meeting
    for motion in (at_meeting, by_consent):
        expected = Motion.objects.select_related("meeting").get(pk=motion.pk)
        with CaptureQueriesContext(connection) as queries:
            (found,) = rows_where(Motion, "id", motion.pk, related="meeting")
            meeting_read = found.meeting
        assert len(queries) == 1  # the meeting came with the motion
        assert _fields(found) == _fields(expected)
        assert (meeting_read and _fields(meeting_read)) == (expected.meeting and _fields(expected.meeting))
        assert found._state.db == "default" and not found._state.adding
    assert _fields(rows_where(Motion, "id", at_meeting.pk)[0])["sector_tally"] == {"enterprise": {"yes": 2}}
    assert rows_where(Motion, "id", 2**62) == []


def test_a_token_with_its_user_is_what_the_orm_reads(cast):
    token, _key = AuthToken.objects.create(cast["director"])
    (found,) = rows_where(AuthToken, "token_key", token.token_key, related="user")
    expected = AuthToken.objects.select_related("user").get(pk=token.pk)
    assert _fields(found) == _fields(expected) and _fields(found.user) == _fields(expected.user)
