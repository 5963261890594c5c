import secrets
import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.fractions import validate_fraction
from kernel.validators import validate_upload_size


class Body(models.Model):
    """The council, the secretariat or a committee of an alliance."""

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        SECRETARIAT = "secretariat", _("Secretariat")
        COMMITTEE = "committee", _("Committee")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(_("Type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("Name"), max_length=200)
    quorum_fraction = models.CharField(
        _("Quorum fraction"), max_length=15, default="2/3", validators=[validate_fraction],
        help_text=_("Share of all seats that must be present, from the charter, e.g. 2/3."),
    )
    extraordinary_fraction = models.CharField(
        _("Share of seats to call an extraordinary meeting"), max_length=15, default="1/3",
        validators=[validate_fraction],
    )

    class Meta:
        verbose_name = _("Body")
        verbose_name_plural = _("Body")
        constraints = [models.UniqueConstraint(fields=["alliance", "name"], name="body_unique_name")]

    def __str__(self):
        return self.name


class Seat(models.Model):
    """A seat held by a person on behalf of a member unit: one seat, one vote."""

    class Office(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        STANDING_DIRECTOR = "standing_director", _("Standing director")
        DIRECTOR = "director", _("Director")
        SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seats")
    organization = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="seats")
    office = models.CharField(_("Office"), max_length=20, choices=Office.choices, default=Office.DIRECTOR)
    term_start = models.DateField(_("Term starts"))
    term_end = models.DateField(_("Term ends"), null=True, blank=True)
    alternate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alternate_seats", null=True, blank=True,
        verbose_name=_("Alternate"), help_text=_("Acts for the holder at a meeting the holder cannot attend."),
    )

    class Meta:
        verbose_name = _("Seat")
        verbose_name_plural = _("Seat")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "organization"], condition=Q(term_end__isnull=True), name="seat_one_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")), name="seat_term_ordered"
            ),
            models.CheckConstraint(condition=~Q(alternate=F("user")), name="seat_alternate_not_holder"),
        ]

    def __str__(self):
        return f"{self.body}: {self.user} ({self.organization})"


def paper_upload_to(instance, filename):
    return f"meeting-papers/{instance.agenda_item.meeting_id}/{filename}"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Annual council meeting")
        REGULAR = "regular", _("Regular council meeting")
        EXTRAORDINARY = "extraordinary", _("Extraordinary council meeting")
        JOINT = "joint", _("Joint meeting")
        COMMITTEE = "committee", _("Committee meeting")
        ASSEMBLY = "assembly", _("General assembly of members")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("Body"))
    kind = models.CharField(_("Kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    title = models.CharField(_("Title"), max_length=200)
    starts_at = models.DateTimeField(_("Starts at"))
    ends_at = models.DateTimeField(_("Ends at"))
    location = models.CharField(_("Place"), max_length=200, blank=True)
    online_link = models.URLField(_("Online link"), blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # Set when the secretariat opens the meeting before its planned start; otherwise it is in session from
    # starts_at. The status stays `planned` while in session (the API's three status values are a contract).
    started_at = models.DateTimeField(_("Started early at"), null=True, blank=True)
    invitations_sent_at = models.DateTimeField(_("Invitations sent"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The quorum as it was, taken when the meeting is marked held (and again if its attendance is corrected):
    # the seats in office on the day of the meeting, those of them recorded present, the body's quorum then.
    # Seats and the body change later; a held meeting's quorum does not.
    seats_in_office = models.PositiveIntegerField(_("Seats in office"), null=True, blank=True)
    seats_present = models.PositiveIntegerField(_("Seats present"), null=True, blank=True)
    quorum_fraction = models.CharField(_("Quorum fraction"), max_length=15, blank=True)

    class Meta:
        verbose_name = _("Meeting")
        verbose_name_plural = _("Meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(seats_in_office__isnull=True, seats_present__isnull=True, quorum_fraction="")
                | Q(status="held", seats_present__lte=F("seats_in_office")) & ~Q(quorum_fraction=""),
                name="meeting_quorum_taken_when_held",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        return self.title

    def has_started(self, now=None) -> bool:
        now = now or timezone.now()
        return self.started_at is not None or self.starts_at <= now

    @property
    def in_session(self) -> bool:
        """From its start (or the secretariat starting it early) until it is marked held; never when cancelled.
        Attendance is taken and votes are held only then."""
        return self.status == self.Status.PLANNED and self.has_started()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("Order"))
    title = models.CharField(_("Title"), max_length=200)
    description = models.TextField(_("Description"), blank=True)

    class Meta:
        verbose_name = _("Agenda item")
        verbose_name_plural = _("Agenda")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"], name="agenda_unique_position", deferrable=models.Deferrable.DEFERRED
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Paper(models.Model):
    """A meeting paper attached to an agenda item; read by the body's seats before the meeting."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(_("Title"), max_length=200)
    file = models.FileField(
        _("File"), upload_to=paper_upload_to,
        validators=[FileExtensionValidator(settings.DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Meeting paper")
        verbose_name_plural = _("Meeting papers")
        ordering = ["agenda_item", "id"]

    def __str__(self):
        return self.title


class Invitation(models.Model):
    """One seat invited to one meeting, with its answer (RSVP)."""

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ATTENDING = "attending", _("Will attend")
        ONLINE = "online", _("Will attend online")
        DECLINED = "declined", _("Cannot attend")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="invitations")
    response = models.CharField(_("Answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Invitation")
        verbose_name_plural = _("Invitations")
        constraints = [models.UniqueConstraint(fields=["meeting", "seat"], name="invitation_unique_seat")]


def proxy_letter_upload_to(instance, filename):
    return f"proxy-letters/{instance.meeting_id}/{filename}"


class Attendance(models.Model):
    """A seat's attendance as recorded at the meeting.

    A seat represented by proxy is recorded with mode `proxy` and the present seat that carries
    its vote (`proxy_seat`); one present seat carries at most one absent seat's vote.
    """

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        PROXY = "proxy", _("By proxy")
        ABSENT = "absent", _("Absent")

    PRESENT_MODES = (Mode.IN_PERSON, Mode.ONLINE, Mode.PROXY)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="attendance")
    mode = models.CharField(_("Attendance"), max_length=10, choices=Mode.choices)
    by_alternate = models.BooleanField(_("Attended by the alternate"), default=False)
    proxy_seat = models.ForeignKey(
        Seat, on_delete=models.CASCADE, related_name="proxies_carried", null=True, blank=True,
        verbose_name=_("Proxy"),
    )
    proxy_letter = models.FileField(
        _("Proxy letter"), upload_to=proxy_letter_upload_to, blank=True,
        validators=[FileExtensionValidator(settings.DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Attendance")
        verbose_name_plural = _("Attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="attendance_unique_seat"),
            models.UniqueConstraint(
                fields=["meeting", "proxy_seat"], condition=Q(proxy_seat__isnull=False),
                name="attendance_one_proxy_per_seat",
            ),
            models.CheckConstraint(
                condition=(Q(mode="proxy") & Q(proxy_seat__isnull=False)) | (~Q(mode="proxy") & Q(proxy_seat__isnull=True)),
                name="attendance_proxy_has_carrier",
            ),
            models.CheckConstraint(condition=~Q(proxy_seat=F("seat")), name="attendance_proxy_not_self"),
        ]

    @property
    def is_present(self) -> bool:
        return self.mode in self.PRESENT_MODES


class ExtraordinaryRequest(models.Model):
    """Directors asking for an extraordinary meeting; granted once the charter's share has signed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Collecting signatures")
        GRANTED = "granted", _("Granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="extraordinary_requests")
    subject = models.CharField(_("Subject"), max_length=200)
    reason = models.TextField(_("Reason"))
    requested_by = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("Request for an extraordinary meeting")
        verbose_name_plural = _("Requests for extraordinary meetings")
        ordering = ["-created_at"]


class Signature(models.Model):
    request = models.ForeignKey(ExtraordinaryRequest, on_delete=models.CASCADE, related_name="signatures")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "seat"], name="signature_unique_seat")]


class _CountSoFar(DeferredAttribute):
    """The yes/no/abstain count of a motion. Closed (or recorded in the room), the stored column: the
    result. While an electronic vote is open, no ballot writes to the motion's row (ballots of one motion
    are cast side by side); reading the count then counts the ballots so far (`Motion.counts_so_far`,
    one query for the three, kept on the instance until it is refreshed or the count is set)."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        data = instance.__dict__
        if (data.get("state") == Motion.State.OPEN and data.get("voting_method") == Motion.VotingMethod.ELECTRONIC
                and not instance._state.adding and instance.pk is not None):
            counts = data.get("_counts_so_far")
            if counts is None:
                counts = data["_counts_so_far"] = instance.counts_so_far()
            return counts[self.field.attname.removesuffix("_count")]
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value
        instance.__dict__.pop("_counts_so_far", None)


class CountField(models.PositiveIntegerField):
    """A tally column read through `_CountSoFar`."""

    descriptor_class = _CountSoFar


class Motion(models.Model):
    """A question put to a body, with its voting rule as data.

    The tally is recorded on this row when the vote closes (`services.votes._close`), counted from the
    ballots: a named ballot's choice is on its `Ballot` row; a secret ballot's in a `SecretChoice` row of
    its own that names no voter, counted and deleted at closing. Casting writes nothing to this row, so
    ballots of one motion do not queue behind each other (they hold a shared lock on it; closing takes
    the exclusive one, so it sees every ballot).
    """

    class Category(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary matter")
        MAJOR = "major", _("Major matter")
        CHARTER = "charter", _("Charter amendment")

    class Ballot(models.TextChoices):
        NAMED = "named", _("Named ballot")
        SECRET = "secret", _("Secret ballot")

    class Base(models.TextChoices):
        CAST = "cast", _("Votes cast")
        PRESENT = "present", _("Seats present")
        ENTITLED = "entitled", _("All seats entitled to vote")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for voting")
        CLOSED = "closed", _("Closed")

    class VotingMethod(models.TextChoices):
        ELECTRONIC = "electronic", _("Electronic ballots")
        SHOW_OF_HANDS = "show_of_hands", _("Show of hands")
        PAPER = "paper", _("Paper ballots")

    RECORDED_METHODS = (VotingMethod.SHOW_OF_HANDS, VotingMethod.PAPER)

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.CASCADE, related_name="motions")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="motions", verbose_name=_("Body"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="motions", null=True, blank=True, verbose_name=_("Meeting"),
        help_text=_("Leave empty for a vote by written consent between meetings."),
    )
    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.SET_NULL, related_name="motion", null=True, blank=True,
        verbose_name=_("Agenda item"),
    )
    title = models.CharField(_("Title"), max_length=200)
    text = models.TextField(_("Text"))
    category = models.CharField(_("Category"), max_length=10, choices=Category.choices, default=Category.ORDINARY)
    ballot = models.CharField(_("Ballot"), max_length=10, choices=Ballot.choices, default=Ballot.NAMED)
    # Electronic: each seat casts its own ballot here. Show of hands (named) and paper (secret) are taken in the
    # room and recorded by the secretariat at once: seat by seat, or as counts with the tellers who counted.
    voting_method = models.CharField(
        _("Voting method"), max_length=15, choices=VotingMethod.choices, default=VotingMethod.ELECTRONIC,
        help_text=_("A show of hands is a named vote and a paper ballot a secret one; both are taken at a meeting "
                    "and recorded by the secretariat."),
    )
    tellers = models.CharField(_("Tellers"), max_length=200, blank=True,
                               help_text=_("Paper ballots: who counted them (监票人)."))
    quorum_fraction = models.CharField(_("Quorum"), max_length=15, validators=[validate_fraction])
    threshold_fraction = models.CharField(_("Threshold"), max_length=15, validators=[validate_fraction])
    threshold_base = models.CharField(_("Base"), max_length=10, choices=Base.choices)
    threshold_strict = models.BooleanField(_("More than the threshold (not at least)"))
    abstentions_count = models.BooleanField(_("Abstentions count in the base"))
    closes_at = models.DateTimeField(_("Closes at"), null=True, blank=True)
    sector_majority = models.BooleanField(
        _("Also a majority within each sector"), default=False,
        help_text=_("Named ballots only: in every sector that voted (government, schools, enterprises, institutes, "
                    "others), more yes than no."),
    )
    parties = models.ManyToManyField(
        "members.Organization", blank=True, related_name="+", verbose_name=_("Member units named as parties"),
    )
    approves_minutes = models.ForeignKey(
        "Minutes", on_delete=models.SET_NULL, null=True, blank=True, related_name="approval_motions",
        verbose_name=_("Minutes it approves"),
    )
    state = models.CharField(_("State"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The result, written at closing (0 until then; read while open, they count the ballots so far). Null
    # only once a secret vote has closed with too few ballots to publish its count (rules.decide): the count
    # is then erased, not merely hidden.
    yes_count = CountField(default=0, null=True)
    no_count = CountField(default=0, null=True)
    abstain_count = CountField(default=0, null=True)
    eligible = models.PositiveIntegerField(null=True, blank=True)
    present = models.PositiveIntegerField(null=True, blank=True)
    quorum_met = models.BooleanField(null=True, blank=True)
    adopted = models.BooleanField(null=True, blank=True)
    resolution_year = models.PositiveSmallIntegerField(null=True, blank=True)
    resolution_seq = models.PositiveSmallIntegerField(null=True, blank=True)
    # Named ballots only: {"government": {"yes": n, "no": n, "abstain": n}, "schools": ...} at closing.
    sector_tally = models.JSONField(null=True, blank=True)
    published = models.BooleanField(_("Published"), default=False)

    class Meta:
        verbose_name = _("Motion")
        verbose_name_plural = _("Motions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "resolution_year", "resolution_seq"],
                condition=Q(resolution_seq__isnull=False), name="motion_unique_resolution_number",
            ),
            models.CheckConstraint(
                condition=Q(state="closed") | Q(adopted__isnull=True), name="motion_result_only_when_closed"
            ),
            models.CheckConstraint(
                condition=Q(resolution_seq__isnull=True) | Q(adopted=True), name="motion_number_only_when_adopted"
            ),
            models.CheckConstraint(
                condition=Q(yes_count__isnull=False, no_count__isnull=False, abstain_count__isnull=False)
                | Q(yes_count__isnull=True, no_count__isnull=True, abstain_count__isnull=True, state="closed",
                    ballot="secret", adopted=False),
                name="motion_count_withheld_only_when_secret_and_closed",
            ),
            # One method per motion, fitting its ballot: a show of hands names the seats, paper is secret; both
            # happen at a meeting and are recorded closed, never opened for electronic ballots.
            models.CheckConstraint(
                condition=Q(voting_method="electronic")
                | Q(voting_method="show_of_hands", ballot="named", meeting__isnull=False)
                & ~Q(state="open") & Q(closes_at__isnull=True)
                | Q(voting_method="paper", ballot="secret", meeting__isnull=False)
                & ~Q(state="open") & Q(closes_at__isnull=True),
                name="motion_voting_method_fits",
            ),
            models.CheckConstraint(
                condition=Q(voting_method="paper", state="closed") & ~Q(tellers="")
                | ~Q(voting_method="paper", state="closed") & Q(tellers=""),
                name="motion_tellers_of_a_paper_count",
            ),
            # A recorded count never exceeds the ballots entitled: the seats present without a declared conflict.
            models.CheckConstraint(
                condition=Q(voting_method="electronic") | ~Q(state="closed") | Q(yes_count__isnull=True)
                | Q(present__gte=F("yes_count") + F("no_count") + F("abstain_count")),
                name="motion_recorded_count_within_present",
            ),
            # The target of the ballots' (motion, voting_method) foreign key (migration 0006), which keeps
            # electronic ballots off a recorded motion and recorded ones off an electronic motion.
            models.UniqueConstraint(fields=["id", "voting_method"], name="motion_id_voting_method"),
        ]
        indexes = [models.Index(fields=["state", "closes_at"])]

    def __str__(self):
        return self.title

    @property
    def resolution_number(self) -> str | None:
        if self.resolution_seq is None:
            return None
        return f"{self.resolution_year}-{self.resolution_seq:02d}"

    @property
    def decided(self) -> bool | None:
        """False for a secret vote closed with too few ballots to publish its count; None until closed."""
        if self.state != self.State.CLOSED:
            return None
        return self.yes_count is not None

    def counts_so_far(self) -> dict[str, int]:
        """{"yes": n, "no": n, "abstain": n} of the electronic ballots cast so far, from their choices: on the
        ballots' rows for a named vote, in the secret choices' rows for a secret one (one query)."""
        rows = (SecretChoice.objects.filter(motion_id=self.pk) if self.ballot == self.Ballot.SECRET
                else Ballot.objects.filter(motion_id=self.pk))
        found = dict(rows.order_by().values_list("choice").annotate(n=Count("*")))
        return {choice: found.get(choice, 0) for choice in Ballot.Choice.values}

    @property
    def result(self) -> dict | None:
        if self.state != self.State.CLOSED:
            return None
        return {
            "yes": self.yes_count, "no": self.no_count, "abstain": self.abstain_count,
            "eligible": self.eligible, "present": self.present, "quorum_met": self.quorum_met,
            "adopted": self.adopted, "decided": self.decided,
        }


class Ballot(models.Model):
    """That a seat has voted on a motion: one per seat, enforced by the database.

    `choice` is kept only for named ballots; for a secret ballot it stays empty and the choice is a
    `SecretChoice` row of its own, with nothing that leads back here. The time is kept to the day, so a
    voting record cannot be lined up with anything that moved as the ballots came in.

    `voting_method` repeats the motion's, under a foreign key on (motion, voting_method): an electronic
    ballot cannot be stored for a vote by show of hands, nor a recorded hand for an electronic vote. A show
    of hands is recorded by the secretariat (`cast_by`), one named row per seat; a paper vote has no rows.
    """

    class Choice(models.TextChoices):
        YES = "yes", pgettext_lazy("ballot", "Yes")
        NO = "no", pgettext_lazy("ballot", "No")
        ABSTAIN = "abstain", pgettext_lazy("ballot", "Abstain")

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="ballots")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(_("Vote"), max_length=10, choices=Choice.choices, blank=True)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    as_proxy = models.BooleanField(_("Cast by proxy"), default=False)
    cast_on = models.DateField(_("Voted on"))
    voting_method = models.CharField(_("Voting method"), max_length=15, choices=Motion.VotingMethod.choices,
                                     default=Motion.VotingMethod.ELECTRONIC)

    class Meta:
        verbose_name = _("Ballot")
        verbose_name_plural = _("Ballots")
        constraints = [
            models.UniqueConstraint(fields=["motion", "seat"], name="ballot_one_per_seat"),
            models.CheckConstraint(
                condition=Q(voting_method="electronic") | Q(voting_method="show_of_hands") & ~Q(choice=""),
                name="ballot_recorded_hand_is_named",
            ),
        ]


class SecretChoice(models.Model):
    """One secret ballot's choice, apart from the ballot that says who voted: no seat, no voter, no time at
    all, and a random key, so neither the rows nor their order (by key) tell which ballot came when. The
    rows of a motion are counted and deleted in one statement when it closes; the result is then on the
    motion. Never audited (governance/apps.py registers only what may name a voter beside a change)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=10, choices=Ballot.Choice.choices)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(choice__in=["yes", "no", "abstain"]),
                                              name="secret_choice_is_a_choice")]


class ConflictDeclaration(models.Model):
    """A director's declared conflict of interest: that seat does not vote on the motion."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="conflicts")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.TextField(_("Nature of the interest"))
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Declared conflict of interest")
        verbose_name_plural = _("Declared conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["motion", "seat"], name="conflict_one_per_seat")]


class Minutes(models.Model):
    """Drafted by the secretariat, circulated, approved by a motion (at a later meeting or by
    written consent), then locked."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated for approval")
        APPROVED = "approved", _("Approved")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("Meeting minutes"))
    status = models.CharField(_("Status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    circulated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Meeting minutes")
        verbose_name_plural = _("Meeting minutes")

    def __str__(self):
        return str(self.meeting)


def task_evidence_upload_to(instance, filename):
    return f"task-evidence/{instance.task_id}/{filename}"


class Task(models.Model):
    """Work the council gives a member unit, usually from an adopted resolution."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        SUBMITTED = "submitted", _("Reported done")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    alliance = models.ForeignKey("alliance.Alliance", on_delete=models.CASCADE, related_name="tasks")
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, related_name="tasks", null=True, blank=True, verbose_name=_("Resolution"),
    )
    title = models.CharField(_("Task"), max_length=200)
    description = models.TextField(_("Description"), blank=True)
    owner = models.ForeignKey("members.Organization", on_delete=models.PROTECT, related_name="tasks",
                              verbose_name=_("Owner unit"))
    target_value = models.DecimalField(_("Target"), max_digits=14, decimal_places=2,
                                       validators=[MinValueValidator(0)])
    target_unit = models.CharField(_("Unit of the target"), max_length=30)
    weight = models.DecimalField(_("Weight"), max_digits=6, decimal_places=2, default=1,
                                 validators=[MinValueValidator(0)])
    due_on = models.DateField(_("Due on"))
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    progress = models.DecimalField(_("Achieved"), max_digits=14, decimal_places=2, default=0)
    return_reason = models.TextField(_("Why it was returned"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Task")
        verbose_name_plural = _("Tasks")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target_value__gte=0) & Q(weight__gte=0), name="task_non_negative"),
        ]

    def __str__(self):
        return self.title

    @property
    def progress_percent(self) -> int:
        if not self.target_value:
            return 100 if self.status == self.Status.ACCEPTED else 0
        return min(100, int(self.progress * 100 / self.target_value))


class TaskReport(models.Model):
    """A progress report by the owner unit: the value achieved so far, with evidence."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    achieved = models.DecimalField(_("Achieved so far"), max_digits=14, decimal_places=2,
                                   validators=[MinValueValidator(0)])
    note = models.TextField(_("Report"), blank=True)
    evidence = models.FileField(
        _("Evidence"), upload_to=task_evidence_upload_to, blank=True,
        validators=[FileExtensionValidator(settings.DOCUMENT_EXTENSIONS), validate_upload_size],
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Progress report")
        verbose_name_plural = _("Progress reports")
        ordering = ["-reported_at", "-id"]


class CalendarFeed(models.Model):
    """The secret address of a user's personal meeting calendar."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now_add=True)
