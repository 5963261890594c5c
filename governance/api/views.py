"""Bodies, seats, meetings, attendance, motions, ballots and tasks over the API (shared/API.md).

Reads go through the selectors, so each user sees what the pages show them (404 for what they
may not see); every write and action calls a service, whose DomainError the exception handler
maps to 400 (bad input), 403 (not allowed) or 409 (the state does not allow it).
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from governance import selectors
from governance.api.serializers import (
    AttendanceInputSerializer,
    AttendanceRecordInputSerializer,
    AttendanceSheetSerializer,
    BodySerializer,
    ConflictInputSerializer,
    ConflictOutputSerializer,
    InvitationOutputSerializer,
    InvitationsSentSerializer,
    MeetingInputSerializer,
    MeetingOutputSerializer,
    MeetingUpdateSerializer,
    MotionInputSerializer,
    MotionOutputSerializer,
    MotionUpdateSerializer,
    NamedBallotOutputSerializer,
    NotVotedSerializer,
    PublishInputSerializer,
    RecordInputSerializer,
    RemindedSerializer,
    RsvpInputSerializer,
    SeatEndInputSerializer,
    SeatInputSerializer,
    SeatOutputSerializer,
    TaskInputSerializer,
    TaskOutputSerializer,
    TaskReportInputSerializer,
    TaskReportJSONInputSerializer,
    TaskReturnInputSerializer,
    VoteInputSerializer,
    ballot_serializer_class,
)
from governance.models import Meeting, Motion, Task
from governance.permissions import can_manage, can_read_council_business
from governance.services import meetings, seats, tasks, votes
from kernel.api.filters import IsoDateTimeFromToRangeFilter
from kernel.api.parsers import JSONParser
from kernel.api.schema import ACTION_ERRORS, documented_errors
from kernel.errors import DomainError
from kernel.selectors import get_or_404

# Bodies and seats -------------------------------------------------------------


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    """The council, the secretariat and committees of the alliances the caller may see."""

    serializer_class = BodySerializer
    filterset_fields = ["alliance", "kind"]
    ordering_fields = ["id", "name"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.bodies_for_user(self.request.user)


@extend_schema_view(retrieve=extend_schema(responses={200: SeatOutputSerializer, **documented_errors(404)}))
class SeatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Seats: shown to the alliance's own people and its officials; kept by the secretariat and the
    city's officials (create, `end`)."""

    serializer_class = SeatOutputSerializer
    filterset_fields = ["body", "organization", "user"]
    ordering_fields = ["id", "term_start"]
    ordering = ["id"]

    def get_queryset(self):
        return selectors.seats_for_user(self.request.user)

    def get_object(self):
        return get_or_404(self.get_queryset(), self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(SeatOutputSerializer(get_or_404(self.get_queryset(), pk)).data, status=status_code)

    @extend_schema(request=SeatInputSerializer, responses={201: SeatOutputSerializer, **ACTION_ERRORS})
    def create(self, request, *args, **kwargs):
        """Give a member unit a seat on a body, held by a person (with an optional alternate)."""
        serializer = SeatInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        seat = seats.seat_create(actor=request.user, **serializer.validated_data)
        return self._output(seat.pk, status.HTTP_201_CREATED)

    @extend_schema(request=SeatEndInputSerializer, responses={200: SeatOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the seat's term (today unless `term_end` is given)."""
        seat = self.get_object()
        serializer = SeatEndInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        seats.seat_end(seat=seat, actor=request.user, **serializer.validated_data)
        return self._output(pk)


# Meetings ---------------------------------------------------------------------


class MeetingFilter(django_filters.FilterSet):
    starts_at = IsoDateTimeFromToRangeFilter(
        help_text="starts_at_after / starts_at_before: ISO 8601 times, both ends included.")

    class Meta:
        model = Meeting
        fields = ["body", "status", "kind", "starts_at"]


@extend_schema_view(retrieve=extend_schema(responses={200: MeetingOutputSerializer, **documented_errors(404)}))
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Meetings of councils and committees, with their live quorum. The alliance's secretariat plans them;
    its seats, alternates and the city's officials read them."""

    serializer_class = MeetingOutputSerializer
    filterset_class = MeetingFilter
    search_fields = ["title", "location"]
    ordering_fields = ["starts_at", "id"]
    ordering = ["-starts_at", "-id"]

    def get_queryset(self):
        return selectors.meetings_for_user(self.request.user)

    def get_object(self):
        return selectors.meeting_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        meeting = selectors.meeting_get_for_user(self.request.user, pk)
        return Response(MeetingOutputSerializer(meeting).data, status=status_code)

    @extend_schema(request=MeetingInputSerializer, responses={201: MeetingOutputSerializer, **ACTION_ERRORS})
    def create(self, request, *args, **kwargs):
        """Plan a meeting of a council or committee, or enter one that already took place (a start in the past:
        it is in session at once, to record its attendance and votes, then mark it held)."""
        serializer = MeetingInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        meeting = meetings.meeting_create(actor=request.user, **serializer.validated_data)
        return self._output(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(request=MeetingUpdateSerializer, responses={200: MeetingOutputSerializer, **ACTION_ERRORS})
    def partial_update(self, request, pk=None):
        """Change a planned meeting; if invitations went out, they go out again with the new time and place."""
        meeting = self.get_object()
        serializer = MeetingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        meetings.meeting_update(meeting=meeting, actor=request.user, **serializer.validated_data)
        return self._output(pk)

    @extend_schema(request=None, responses={200: MeetingOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a planned meeting that has not voted; invited seats are told."""
        meetings.meeting_cancel(meeting=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=None, responses={200: MeetingOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start a planned meeting before its planned start: it is in session from now (409 once started)."""
        meetings.meeting_start(meeting=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=None, responses={200: MeetingOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        """Mark a meeting in session as held, once its attendance is recorded and no vote is open: its quorum is
        kept, and its votes are over."""
        meetings.meeting_mark_held(meeting=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=None, responses={200: InvitationsSentSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Invite every current seat (and its alternate) by mail with an .ics file; again, only new seats."""
        sent = meetings.invitations_send(meeting=self.get_object(), actor=request.user)
        meeting = selectors.meeting_get_for_user(request.user, pk)
        return Response(InvitationsSentSerializer({"sent": sent, "meeting": meeting}).data)

    @extend_schema(request=RsvpInputSerializer, responses={200: InvitationOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def rsvp(self, request, pk=None):
        """The invited seat holder answers: attending, online or declined."""
        meeting = self.get_object()
        serializer = RsvpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = meetings.rsvp(meeting=meeting, actor=request.user, **serializer.validated_data)
        return Response(InvitationOutputSerializer(invitation).data)

    @extend_schema(methods=["GET"], responses={200: AttendanceSheetSerializer, **documented_errors(404)})
    @extend_schema(methods=["POST"], request=AttendanceRecordInputSerializer(many=True),
                   responses={200: AttendanceSheetSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser], pagination_class=None,
            filter_backends=[])
    def attendance(self, request, pk=None):
        """GET: the attendance sheet and the quorum. POST a JSON list of `{"seat", "mode", "proxy_seat",
        "by_alternate"}` to set those seats' records, all or nothing (400 with the reasons, nothing saved);
        answers the whole sheet and the quorum. Attendance is taken once the meeting is in session (409 before,
        and for a cancelled meeting); a held meeting's sheet may be corrected."""
        meeting = self.get_object()
        if request.method == "POST":
            serializer = AttendanceInputSerializer(data={"records": request.data})
            serializer.is_valid(raise_exception=True)
            meetings.attendance_set(meeting=meeting, actor=request.user, **serializer.validated_data)
            meeting = self.get_object()
        return Response(AttendanceSheetSerializer({
            "records": selectors.attendance_for_meeting(meeting),
            "quorum": selectors.meeting_quorum(meeting),
        }).data)


# Motions ----------------------------------------------------------------------


class MotionFilter(django_filters.FilterSet):
    class Meta:
        model = Motion
        fields = ["meeting", "state", "body", "alliance", "category", "voting_method", "published"]


@extend_schema_view(retrieve=extend_schema(responses={200: MotionOutputSerializer, **documented_errors(404)}))
class MotionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    """Motions with their voting rule and, once closed, their result. The council's people and the city's
    officials see the alliance's motions; everyone sees published resolutions."""

    serializer_class = MotionOutputSerializer
    filterset_class = MotionFilter
    search_fields = ["title"]
    ordering_fields = ["id", "closes_at", "closed_at"]
    ordering = ["-id"]

    def get_queryset(self):
        return selectors.motions_for_user(self.request.user).prefetch_related("parties")

    def get_object(self):
        return selectors.motion_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(MotionOutputSerializer(get_or_404(self.get_queryset(), pk)).data, status=status_code)

    @extend_schema(request=MotionInputSerializer, responses={201: MotionOutputSerializer, **ACTION_ERRORS})
    def create(self, request, *args, **kwargs):
        """Draft a motion, at a meeting or (no meeting, with a deadline) by written consent. Its rule is the
        category's preset unless `preset` or explicit rule fields say otherwise."""
        serializer = MotionInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        motion = votes.motion_create(actor=request.user, **_given(serializer.validated_data))
        return self._output(motion.pk, status.HTTP_201_CREATED)

    @extend_schema(request=MotionUpdateSerializer, responses={200: MotionOutputSerializer, **ACTION_ERRORS})
    def partial_update(self, request, pk=None):
        """Change a draft, its rule included (409 once it is open: a rule never changes during a vote)."""
        motion = self.get_object()
        serializer = MotionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        votes.motion_update(motion=motion, actor=request.user, **_given(serializer.validated_data))
        return self._output(pk)

    @extend_schema(request=None, responses={200: MotionOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open the vote; at a meeting, once attendance is recorded and the quorum is met (409 below it)."""
        votes.motion_open(motion=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=RecordInputSerializer, responses={200: MotionOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record a vote taken in the room while its meeting is in session, and close it with its result (the
        same quorum, threshold, secret-count and sector rules as an electronic vote; an adopted motion gets its
        number in the meeting's year). A show of hands: `hands`, named seat by seat. Paper ballots: `counts` and
        `tellers`. 409 for an electronic motion or one already recorded."""
        motion = self.get_object()
        serializer = RecordInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        votes.motion_record(motion=motion, actor=request.user, hands=[dict(row) for row in data.get("hands", [])],
                            counts=dict(data["counts"]) if "counts" in data else None, tellers=data["tellers"])
        return self._output(pk)

    @extend_schema(responses={200: NotVotedSerializer(many=True), **documented_errors(401, 403, 404)})
    @action(detail=True, methods=["get"], url_path="not-voted", filter_backends=[], pagination_class=None)
    def not_voted(self, request, pk=None):
        """For the secretariat, on an open vote: the seats that may vote and have not (on a secret ballot too:
        who has voted is known, never how), whether each was reminded."""
        motion = self.get_object()
        if not can_manage(request.user, motion.alliance):
            self.permission_denied(request)
        rows = votes.seats_not_voted(motion) if motion.state == Motion.State.OPEN else []
        return Response(NotVotedSerializer(rows, many=True).data)

    @extend_schema(request=None, responses={200: RemindedSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """Remind each seat of an open vote that has not voted (whoever casts for it), once per person."""
        sent = votes.motion_remind(motion=self.get_object(), actor=request.user)
        return Response(RemindedSerializer({"reminded": sent}).data)

    @extend_schema(request=None, responses={200: MotionOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the vote: the result is computed and recorded; an adopted motion gets its resolution number."""
        votes.motion_close(motion=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=VoteInputSerializer, responses={201: NamedBallotOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        """Cast a seat's ballot: the caller's own seat, or `seat` when voting as proxy or alternate. One ballot
        per seat (409 for a second); the answer carries no `choice` on a secret ballot."""
        # Any refusal is answered as for a motion the caller cannot see (404) when they cannot see it, so that
        # nothing tells an outsider it exists (the motion is read without their scope: selectors.motion_for_ballot).
        motion = selectors.motion_for_ballot(pk)
        try:
            serializer = VoteInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            ballot = votes.ballot_cast(motion=motion, actor=request.user, **serializer.validated_data)
        except (DomainError, ValidationError):
            self.get_object()
            raise
        return Response(ballot_serializer_class(motion)(ballot).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConflictInputSerializer, responses={201: ConflictOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def conflict(self, request, pk=None):
        """The seat holder declares a conflict of interest: that seat does not vote on this motion."""
        motion = self.get_object()
        serializer = ConflictInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        declaration = votes.conflict_declare(motion=motion, actor=request.user, **serializer.validated_data)
        return Response(ConflictOutputSerializer(declaration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PublishInputSerializer, responses={200: MotionOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish an adopted resolution for the public and the portals (`published: false` withdraws it)."""
        motion = self.get_object()
        serializer = PublishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        published = serializer.validated_data["published"]
        votes.motion_publish(motion=motion, actor=request.user, published=published is not False)
        return self._output(pk)

    @extend_schema(responses={200: NamedBallotOutputSerializer(many=True), **documented_errors(401, 403, 404)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def ballots(self, request, pk=None):
        """Who has voted, for the council's people and the city's officials. Named ballots give each seat's
        choice; secret ballots only the seats that have voted, never a choice."""
        motion = self.get_object()
        if not can_read_council_business(request.user, motion.alliance):
            self.permission_denied(request)
        page = self.paginate_queryset(selectors.ballots_for_user(request.user, motion))
        return self.get_paginated_response(ballot_serializer_class(motion)(page, many=True).data)


def _given(data: dict) -> dict:
    """The fields the caller gave: one left out (None) keeps its current or preset value."""
    return {name: value for name, value in data.items() if value is not None}


# Tasks ------------------------------------------------------------------------


class TaskFilter(django_filters.FilterSet):
    class Meta:
        model = Task
        fields = ["alliance", "owner", "status", "motion"]


@extend_schema_view(retrieve=extend_schema(responses={200: TaskOutputSerializer, **documented_errors(404)}))
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    """Tasks the council gives member units. The secretariat assigns, accepts and returns them; the owner
    unit's contacts report progress with evidence."""

    serializer_class = TaskOutputSerializer
    filterset_class = TaskFilter
    search_fields = ["title"]
    ordering_fields = ["due_on", "id"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        return selectors.tasks_for_user(self.request.user)

    def get_object(self):
        return selectors.task_get_for_user(self.request.user, self.kwargs["pk"])

    def _output(self, pk, status_code=status.HTTP_200_OK):
        return Response(TaskOutputSerializer(selectors.task_get_for_user(self.request.user, pk)).data,
                        status=status_code)

    @extend_schema(request=TaskInputSerializer, responses={201: TaskOutputSerializer, **ACTION_ERRORS})
    def create(self, request, *args, **kwargs):
        """Give a member unit a task, usually following an adopted resolution (`motion`)."""
        serializer = TaskInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        task = tasks.task_create(actor=request.user, **serializer.validated_data)
        return self._output(task.pk, status.HTTP_201_CREATED)

    @extend_schema(request={"application/json": TaskReportJSONInputSerializer,
                            "multipart/form-data": TaskReportInputSerializer},
                   responses={201: TaskOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def report(self, request, pk=None):
        """The owner unit reports what it has achieved (multipart/form-data to attach `evidence`); `done`
        hands the task to the secretariat, and needs evidence. Answers the task."""
        task = self.get_object()
        serializer = TaskReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tasks.task_report(task=task, actor=request.user, **serializer.validated_data)
        return self._output(pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TaskOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The secretariat accepts a task reported done."""
        tasks.task_accept(task=self.get_object(), actor=request.user)
        return self._output(pk)

    @extend_schema(request=TaskReturnInputSerializer, responses={200: TaskOutputSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The secretariat returns a task reported done, with the reason."""
        task = self.get_object()
        serializer = TaskReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tasks.task_return(task=task, actor=request.user, **serializer.validated_data)
        return self._output(pk)
