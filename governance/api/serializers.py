"""Input and output serializers of the governance API (shared/API.md).

Inputs check shapes and types and turn ids into objects the caller may see (an id the caller
cannot see is refused like an unknown one); the rules (states, quorum, who may act) are the
services'. Outputs read what the selectors loaded, so a list costs the same few queries
whatever its length.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from alliance.models import Alliance
from alliance.selectors import visible_alliance_filter
from governance import selectors
from governance.models import Attendance, Ballot, Body, Invitation, Meeting, Motion, Seat, Task
from governance.rules import PRESETS, matching_preset
from governance.selectors import meeting_quorum
from kernel.api.serializers import NullWhenBlankMixin
from members.models import Organization, User

MAX_ID = 2**31 - 1
LONG_TEXT = 20000
PRESET_CHOICES = [(key, preset.label) for key, preset in PRESETS.items()]


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _fraction_field(**kwargs):
    return serializers.CharField(max_length=15, help_text='An exact share "n/d", e.g. "2/3".', **kwargs)


def _visible(queryset, pk, message):
    """The row of a caller-scoped queryset, or a field error naming the id (unknown and hidden alike)."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError(message % {"id": pk})
    return found


NO_BODY = _("There is no body with the id %(id)s.")
NO_MEETING = _("There is no meeting with the id %(id)s.")
NO_MOTION = _("There is no motion with the id %(id)s.")
NO_AGENDA_ITEM = _("There is no agenda item with the id %(id)s.")


# Bodies and seats -------------------------------------------------------------


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "alliance", "kind", "name", "quorum_fraction"]


@extend_schema_serializer(component_name="Seat")
class SeatOutputSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__")
    organization_name = serializers.CharField(source="organization.name")

    class Meta:
        model = Seat
        fields = ["id", "body", "user", "user_name", "organization", "organization_name", "office", "term_start",
                  "term_end", "alternate"]


@extend_schema_serializer(component_name="Seat")
class SeatInputSerializer(serializers.Serializer):
    """Needs the request in its context: the body must be visible to the caller."""

    body = _id_field()
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(),
                                                      help_text="An active member unit of the body's alliance.")
    office = serializers.ChoiceField(choices=Seat.Office.choices, required=False, default=Seat.Office.DIRECTOR)
    term_start = serializers.DateField(required=False, allow_null=True, default=None,
                                       help_text="Today when not given.")
    alternate = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None,
        help_text="Acts for the holder at a meeting the holder cannot attend.",
    )

    def validate_body(self, pk):
        return _visible(selectors.bodies_for_user(self.context["request"].user), pk, NO_BODY)


class SeatEndInputSerializer(serializers.Serializer):
    term_end = serializers.DateField(required=False, allow_null=True, default=None, help_text="Today when not given.")


# Meetings ---------------------------------------------------------------------


@extend_schema_serializer(component_name="Meeting")
class MeetingOutputSerializer(NullWhenBlankMixin, serializers.ModelSerializer):
    """Expects a meeting from selectors.meetings_for_user (seat counts annotated)."""

    body_name = serializers.CharField(source="body.name")
    quorum_fraction = serializers.SerializerMethodField(
        help_text="The body's quorum: share of all seats that must be present (for a held meeting, as it was "
                  "when the meeting was held).")
    present_count = serializers.IntegerField(help_text="Seats present in person, online or by proxy.")
    entitled_count = serializers.IntegerField(
        help_text="All current seats of the body; for a held meeting, the seats in office on its day.")
    quorum_met = serializers.SerializerMethodField(
        help_text="Attendance is recorded and present / entitled reaches the quorum fraction.")
    started_at = serializers.DateTimeField(
        allow_null=True, help_text="When the secretariat started the meeting before its planned start (`start`).")
    in_session = serializers.SerializerMethodField(
        help_text="Planned and started (starts_at reached, or started early), not yet held: attendance and votes "
                  "are taken only then. `status` stays `planned` while in session.")

    class Meta:
        model = Meeting
        fields = ["id", "body", "body_name", "kind", "title", "starts_at", "ends_at", "location", "online_link",
                  "status", "started_at", "in_session", "invitations_sent_at", "quorum_fraction", "present_count",
                  "entitled_count", "quorum_met"]
        null_when_blank = ["online_link"]

    def get_in_session(self, meeting) -> bool:
        return meeting.in_session

    def get_quorum_fraction(self, meeting) -> str:
        return meeting_quorum(meeting)["fraction"]

    def get_quorum_met(self, meeting) -> bool:
        return meeting_quorum(meeting)["met"]


@extend_schema_serializer(component_name="Meeting")
class MeetingUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online_link = serializers.URLField(max_length=200, required=False, allow_blank=True)


@extend_schema_serializer(component_name="Meeting")
class MeetingInputSerializer(MeetingUpdateSerializer):
    """Needs the request in its context: the body must be visible to the caller."""

    body = _id_field()
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()

    def validate_body(self, pk):
        return _visible(selectors.bodies_for_user(self.context["request"].user), pk, NO_BODY)


class InvitationsSentSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="Invitations mailed now (seats invited before are not mailed again).")
    meeting = MeetingOutputSerializer()


class RsvpInputSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=[c for c in Invitation.Response.choices
                                                if c[0] != Invitation.Response.PENDING])


class InvitationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["meeting", "seat", "response", "responded_at"]


class AttendanceRecordInputSerializer(serializers.Serializer):
    seat = _id_field()
    mode = serializers.ChoiceField(choices=Attendance.Mode.choices)
    proxy_seat = _id_field(required=False, allow_null=True, default=None,
                           help_text="For mode proxy: the seat present in person or online that carries the vote.")
    by_alternate = serializers.BooleanField(required=False, default=False,
                                            help_text="The seat's alternate attended instead of its holder.")


class AttendanceInputSerializer(serializers.Serializer):
    """The posted JSON list, checked as one field so that errors keep the {"field": ...} shape."""

    records = serializers.ListField(child=AttendanceRecordInputSerializer(), allow_empty=False, max_length=1000)


class AttendanceOutputSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="seat.organization.name")
    has_proxy_letter = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = ["seat", "organization_name", "mode", "proxy_seat", "by_alternate", "has_proxy_letter",
                  "recorded_at"]

    def get_has_proxy_letter(self, row) -> bool:
        return bool(row.proxy_letter)


class QuorumSerializer(serializers.Serializer):
    present = serializers.IntegerField()
    entitled = serializers.IntegerField()
    fraction = serializers.CharField()
    recorded = serializers.BooleanField(help_text="Attendance has been recorded.")
    met = serializers.BooleanField()


class AttendanceSheetSerializer(serializers.Serializer):
    records = AttendanceOutputSerializer(many=True)
    quorum = QuorumSerializer()


# Motions ----------------------------------------------------------------------


class MotionResultSerializer(serializers.Serializer):
    yes = serializers.IntegerField(allow_null=True, help_text="Null when the vote was not decided (see decided).")
    no = serializers.IntegerField(allow_null=True)
    abstain = serializers.IntegerField(allow_null=True)
    eligible = serializers.IntegerField(help_text="Seats entitled to vote (declared conflicts left out).")
    present = serializers.IntegerField(
        help_text="Seats present, proxies included; for written consent, ballots returned.")
    quorum_met = serializers.BooleanField()
    adopted = serializers.BooleanField()
    decided = serializers.BooleanField(
        help_text="False: a secret vote closed with too few ballots to publish its count (fewer than two, or "
                  "fewer than the quorum's share of the seats entitled); not adopted, and yes, no and abstain "
                  "are null.")


@extend_schema_serializer(component_name="Motion")
class MotionOutputSerializer(serializers.ModelSerializer):
    result = MotionResultSerializer(allow_null=True, help_text="The recorded result; null until the vote closes.")
    resolution_number = serializers.CharField(allow_null=True, help_text='Adopted resolutions: "YYYY-NN".')
    preset = serializers.SerializerMethodField(help_text="The preset whose rule the motion follows, if any.")

    class Meta:
        model = Motion
        fields = ["id", "alliance", "body", "meeting", "agenda_item", "approves_minutes", "title", "text",
                  "category", "ballot", "voting_method", "tellers", "preset", "quorum_fraction", "threshold_fraction", "threshold_base",
                  "threshold_strict", "abstentions_count", "sector_majority", "closes_at", "parties", "state",
                  "opened_at",
                  "closed_at", "result", "sector_tally", "resolution_number", "published"]

    @extend_schema_field(serializers.ChoiceField(choices=PRESET_CHOICES, allow_null=True))
    def get_preset(self, motion):
        preset = matching_preset(motion)
        return preset.key if preset else None


@extend_schema_serializer(component_name="Motion")
class MotionUpdateSerializer(serializers.Serializer):
    """A draft's text and rule: send what changes. A preset first sets the rule, then explicit fields apply."""

    agenda_item = _id_field(required=False, help_text="An item of the motion's meeting; a motion without a "
                                                      "meeting is put to the item's.")
    approves_minutes = _id_field(required=False, help_text="Circulated minutes of an earlier meeting.")
    title = serializers.CharField(max_length=200, required=False)
    text = serializers.CharField(max_length=LONG_TEXT, required=False)
    category = serializers.ChoiceField(choices=Motion.Category.choices, required=False)
    ballot = serializers.ChoiceField(choices=Motion.Ballot.choices, required=False)
    voting_method = serializers.ChoiceField(
        choices=Motion.VotingMethod.choices, required=False,
        help_text="`electronic` (the default): each seat votes through `vote`. `show_of_hands` (named) and `paper` "
                  "(secret) are taken at the meeting and recorded with `record`; the ballot follows the method "
                  "when not given.")
    preset = serializers.ChoiceField(choices=PRESET_CHOICES, required=False,
                                     help_text="A named voting rule; the category's when not given on create.")
    quorum_fraction = _fraction_field(required=False)
    threshold_fraction = _fraction_field(required=False)
    threshold_base = serializers.ChoiceField(choices=Motion.Base.choices, required=False)
    threshold_strict = serializers.BooleanField(required=False, allow_null=True, default=None)
    abstentions_count = serializers.BooleanField(required=False, allow_null=True, default=None)
    sector_majority = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Also require more yes than no within each sector that voted (named ballots only).")
    closes_at = serializers.DateTimeField(required=False, allow_null=True,
                                          help_text="Deadline; required for a vote by written consent.")
    parties = serializers.ListField(child=_id_field(), required=False, max_length=200,
                                    help_text="Member units named as parties (organization ids).")

    def validate_approves_minutes(self, pk):
        minutes = selectors.minutes_for_user(self.context["request"].user).filter(pk=pk).first()
        if minutes is None:
            raise serializers.ValidationError(_("There are no minutes with the id %(id)s.") % {"id": pk})
        return minutes

    def validate_agenda_item(self, pk):
        return _visible(selectors.agenda_items_for_user(self.context["request"].user), pk, NO_AGENDA_ITEM)


@extend_schema_serializer(component_name="Motion")
class MotionInputSerializer(MotionUpdateSerializer):
    """Needs the request in its context: body and meeting must be visible to the caller."""

    body = _id_field()
    meeting = _id_field(required=False, allow_null=True, default=None,
                        help_text="Leave empty for a vote by written consent between meetings.")
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=LONG_TEXT)

    def validate_body(self, pk):
        return _visible(selectors.bodies_for_user(self.context["request"].user), pk, NO_BODY)

    def validate_meeting(self, pk):
        if pk is None:
            return None
        return _visible(selectors.meetings_for_user(self.context["request"].user), pk, NO_MEETING)


class HandInputSerializer(serializers.Serializer):
    seat = _id_field(help_text="A seat present at the meeting (in person, online or by proxy).")
    choice = serializers.ChoiceField(choices=Ballot.Choice.choices)


class CountsInputSerializer(serializers.Serializer):
    yes = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    no = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    abstain = serializers.IntegerField(min_value=0, max_value=100000, default=0)


class RecordInputSerializer(serializers.Serializer):
    """A vote taken in the room: `hands` for a show of hands, `counts` and `tellers` for paper ballots."""

    hands = HandInputSerializer(many=True, required=False, max_length=1000,
                                help_text="Show of hands: each present seat that voted, with its choice; a present "
                                          "seat left out did not vote.")
    counts = CountsInputSerializer(required=False, help_text="Paper ballots: the counts, together not above the "
                                                             "seats present that may vote.")
    tellers = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                    help_text="Paper ballots: who counted them (监票人).")


class RemindedSerializer(serializers.Serializer):
    reminded = serializers.IntegerField(help_text="Reminders sent now (a person already reminded is not again).")


class NotVotedSerializer(serializers.Serializer):
    seat = serializers.IntegerField(source="seat.pk")
    organization_name = serializers.CharField(source="seat.organization.name")
    caster = serializers.IntegerField(source="caster.pk", help_text="The user who casts the seat's ballot.")
    as_proxy = serializers.BooleanField()
    reminded = serializers.BooleanField()


class VoteInputSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Ballot.Choice.choices)
    seat = _id_field(required=False, allow_null=True, default=None,
                     help_text="The seat voted for; by default the caller's own seat. A proxy names the absent seat.")


@extend_schema_serializer(component_name="Ballot")
class NamedBallotOutputSerializer(serializers.ModelSerializer):
    """A ballot; `choice` is there for named ballots only (a secret ballot has no such field at all)."""

    organization_name = serializers.CharField(source="seat.organization.name")
    choice = serializers.ChoiceField(choices=Ballot.Choice.choices, required=False,
                                     help_text="Named ballots only.")

    class Meta:
        model = Ballot
        fields = ["seat", "organization_name", "choice", "as_proxy", "cast_on"]


@extend_schema_serializer(component_name="SecretBallot")
class SecretBallotOutputSerializer(serializers.ModelSerializer):
    """That a seat has voted on a secret ballot, and nothing about how."""

    organization_name = serializers.CharField(source="seat.organization.name")

    class Meta:
        model = Ballot
        fields = ["seat", "organization_name", "as_proxy", "cast_on"]


def ballot_serializer_class(motion: Motion):
    return NamedBallotOutputSerializer if motion.ballot == Motion.Ballot.NAMED else SecretBallotOutputSerializer


class ConflictInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="The nature of the interest.")


class ConflictOutputSerializer(serializers.Serializer):
    motion = serializers.IntegerField(source="motion_id")
    seat = serializers.IntegerField(source="seat_id")
    reason = serializers.CharField()
    declared_at = serializers.DateTimeField()


class PublishInputSerializer(serializers.Serializer):
    published = serializers.BooleanField(required=False, allow_null=True, default=None,
                                         help_text="true (the default) publishes; false withdraws it.")


# Tasks ------------------------------------------------------------------------


@extend_schema_serializer(component_name="Task")
class TaskOutputSerializer(NullWhenBlankMixin, serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name")
    progress_percent = serializers.IntegerField()

    class Meta:
        model = Task
        fields = ["id", "alliance", "motion", "title", "description", "owner", "owner_name", "target_value",
                  "target_unit", "weight", "due_on", "status", "progress", "progress_percent", "return_reason",
                  "accepted_at", "created_at"]
        null_when_blank = ["return_reason"]


@extend_schema_serializer(component_name="Task")
class TaskInputSerializer(serializers.Serializer):
    """Needs the request in its context: the alliance and the motion must be visible to the caller."""

    alliance = _id_field()
    motion = _id_field(required=False, allow_null=True, default=None, help_text="The adopted resolution it follows.")
    owner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(),
                                               help_text="An active member unit of the alliance.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True, default="")
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    target_unit = serializers.CharField(max_length=30)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False, default=1)
    due_on = serializers.DateField()

    def validate_alliance(self, pk):
        user = self.context["request"].user
        found = Alliance.objects.filter(visible_alliance_filter(user), pk=pk).first()
        if found is None:
            raise serializers.ValidationError(_("There is no alliance with the id %(ids)s.") % {"ids": pk})
        return found

    def validate_motion(self, pk):
        if pk is None:
            return None
        return _visible(selectors.motions_for_user(self.context["request"].user), pk, NO_MOTION)


class TaskReportInputSerializer(serializers.Serializer):
    achieved = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                        help_text="The value achieved so far, in the task's unit.")
    note = serializers.CharField(max_length=LONG_TEXT, required=False, allow_blank=True, default="")
    done = serializers.BooleanField(required=False, default=False,
                                    help_text="Hand the task to the secretariat to accept (needs evidence).")
    evidence = serializers.FileField(required=False, allow_null=True, default=None,
                                     help_text="Send as multipart/form-data.")


class TaskReportJSONInputSerializer(TaskReportInputSerializer):
    """The report as JSON, without evidence (a file goes as multipart/form-data)."""

    evidence = None


class TaskReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
