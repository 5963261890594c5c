"""Writes of the assessment cycle. Each runs in a transaction, checks the state and the
deadline explicitly, raises a DomainError with a translated message, and is audited."""

from decimal import Decimal, InvalidOperation

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.models import Alliance, City
from alliance.services import alliance_transition
from assessments import frameworks
from assessments.deadlines import past_due
from assessments.metrics import alliance_metrics
from assessments.models import Assessment, Cycle, Evidence, Framework, RectificationItem, Review
from assessments.permissions import (
    can_author_frameworks,
    can_decide,
    can_edit_framework,
    can_fill_self_assessment,
    can_record_rectification,
    can_score,
    is_official_for_city,
)
from assessments.prefill import computed_scores, figures_for
from assessments.scoring import Thresholds, aggregate, grade_for
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from kernel.scope import scope_of
from members.models import Contact, Membership, RoleGrant

# A self-assessment goes back to its secretariat at most this many times.
RETURNS_ALLOWED = 1


# State rules ----------------------------------------------------------------
# What the state of a framework, an assessment or a review allows now. The services below refuse
# with them (409); the pages offer a form or a button only where they allow it.

def framework_open(framework: Framework) -> bool:
    """A draft changes (indicators replaced, published); a published framework never does."""
    return framework.status == Framework.Status.DRAFT


def self_assessment_open(assessment: Assessment) -> bool:
    """The secretariat edits its self-assessment (scores, narratives, evidence) and submits it while it
    is a draft: before it is first submitted, and again once returned."""
    return assessment.status == Assessment.Status.DRAFT


def return_refusal(assessment: Assessment) -> str | None:
    """Why the self-assessment cannot go back to the secretariat now, or None: only a submitted one
    goes back, before the experts are assigned, and only once."""
    if assessment.status != Assessment.Status.SUBMITTED:
        return _("Only a submitted self-assessment, not yet under review, can be returned.")
    if assessment.times_returned >= RETURNS_ALLOWED:
        return _("A self-assessment can be returned only once.")
    return None


def experts_assignable(assessment: Assessment) -> bool:
    """Experts are assigned once the self-assessment is submitted, until the decision."""
    return assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.UNDER_REVIEW)


def review_refusal(review: Review) -> str | None:
    """Why the expert cannot score this review now (its deadline aside), or None."""
    if review.status != Review.Status.ASSIGNED:
        return _("This review is submitted and locked.")
    if review.assessment.status != Assessment.Status.UNDER_REVIEW:
        return _("This assessment is no longer under review.")
    return None


def decision_open(assessment: Assessment) -> bool:
    """An assessment under review is decided (once every review is in: reviews_complete)."""
    return assessment.status == Assessment.Status.UNDER_REVIEW


def reviews_complete(statuses) -> bool:
    """The decision needs reviews, every one of them submitted."""
    statuses = list(statuses)
    return bool(statuses) and all(status == Review.Status.SUBMITTED for status in statuses)


def publication_refusal(assessment: Assessment) -> str | None:
    """Why the result cannot be published now, or None: a decided result is published once."""
    if assessment.status != Assessment.Status.DECIDED:
        return _("Only a decided assessment can be published.")
    if assessment.published_at:
        return _("This result is already published.")
    return None


# Frameworks -----------------------------------------------------------------

def _authoring_city(actor, city):
    """An official's framework belongs to their city (one city: that one; several: they must choose)."""
    if city is not None or scope_of(actor).is_superuser:
        return city
    cities = scope_of(actor).official_city_ids
    if len(cities) != 1:
        raise DomainError(_("Choose the city the framework is for."), field="city")
    return City.objects.get(pk=next(iter(cities)))


@transaction.atomic
def framework_import(*, actor, data, city=None) -> Framework:
    if not can_author_frameworks(actor) or (city is not None and not is_official_for_city(actor, city.id)):
        raise NotAllowed(_("Only officials author indicator frameworks."))
    city = _authoring_city(actor, city)
    name = str(data.get("name", "")).strip() if isinstance(data, dict) else ""
    latest = Framework.objects.filter(name=name[:200]).order_by("-version").values_list("version", flat=True).first()
    with set_actor(actor):
        return frameworks.create_from_data(data, actor=actor, city=city, version=(latest or 0) + 1)


@transaction.atomic
def framework_replace_tree(*, framework: Framework, actor, data) -> Framework:
    """Replace a draft's indicators; a published framework never changes."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if not can_edit_framework(actor, framework):
        raise NotAllowed(_("Only the city's officials edit this framework."))
    if not framework_open(framework):
        raise StateConflict(_("A published framework never changes: make a new version to edit it."))
    flat = frameworks.validate(data)
    with set_actor(actor):
        framework.indicators.all().delete()
        frameworks.store_tree(framework, flat)
    return framework


@transaction.atomic
def framework_publish(*, framework: Framework, actor) -> Framework:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if not can_edit_framework(actor, framework):
        raise NotAllowed(_("Only the city's officials edit this framework."))
    if not framework_open(framework):
        raise StateConflict(_("This framework is already published."))
    frameworks.validate(frameworks.export(framework))
    with set_actor(actor):
        framework.status = Framework.Status.PUBLISHED
        framework.published_at = timezone.now()
        framework.save(update_fields=["status", "published_at"])
    return framework


@transaction.atomic
def framework_new_version(*, framework: Framework, actor) -> Framework:
    """A draft copy of the framework, one version up, to edit (in the official's own city)."""
    if not can_author_frameworks(actor):
        raise NotAllowed(_("Only officials author indicator frameworks."))
    city = framework.city if framework.city and is_official_for_city(actor, framework.city_id) else None
    return framework_import(actor=actor, data=frameworks.export(framework), city=city)


# Cycles ---------------------------------------------------------------------

@transaction.atomic
def cycle_open(*, actor, framework: Framework, city, title: str, opens_on, self_assessment_due, review_due,
               alliances, thresholds: Thresholds | None = None) -> Cycle:
    if not is_official_for_city(actor, city.id):
        raise NotAllowed(_("Only the city's officials open assessment cycles."))
    if framework.status != Framework.Status.PUBLISHED:
        raise StateConflict(_("Only a published framework can be used in a cycle."))
    if not (opens_on <= self_assessment_due <= review_due):
        raise DomainError(_("The dates must be in order: opening, self-assessment due, review due."),
                          field="review_due")
    alliances = list(alliances)
    if not alliances:
        raise DomainError(_("Choose at least one alliance."), field="alliances")
    foreign = [a.name for a in alliances if a.city_id != city.id]
    if foreign:
        raise DomainError(_("These alliances are not in the city: %(names)s") % {"names": "、".join(foreign)},
                          field="alliances")
    thresholds = thresholds or Thresholds()
    if not (100 >= thresholds.excellent >= thresholds.qualified >= thresholds.rectify >= 0):
        raise DomainError(_("The grade thresholds must be in order between 0 and 100."), field="thresholds")
    with set_actor(actor):
        cycle = Cycle.objects.create(
            framework=framework, city=city, title=title, opens_on=opens_on,
            self_assessment_due=self_assessment_due, review_due=review_due, created_by=actor,
            excellent_from=thresholds.excellent, qualified_from=thresholds.qualified,
            rectify_from=thresholds.rectify,
        )
        figures = figures_for(framework, cycle, [alliance.pk for alliance in alliances])
        for alliance in alliances:
            prefilled = {code: score for code, score in computed_scores(figures[alliance.pk]).items()
                         if score is not None}
            Assessment.objects.create(cycle=cycle, alliance=alliance, computed_metrics=alliance_metrics(alliance),
                                      figures=figures[alliance.pk], self_scores=prefilled)
    return cycle


# Self-assessment --------------------------------------------------------------

def _scores(framework: Framework, scores, *, field: str) -> dict[str, str]:
    """Check {leaf code: score} against the framework: known leaves, within 0..max (veto: 0 or 1)."""
    if not isinstance(scores, dict):
        raise DomainError(_("Scores must be an object of indicator codes and scores."), field=field)
    leaves = {leaf.code: leaf for leaf in frameworks.leaves(framework)}
    checked = {}
    for code, value in scores.items():
        leaf = leaves.get(code)
        if leaf is None:
            raise DomainError(_("%(code)s is not a scored indicator of this framework.") % {"code": code},
                              field=field)
        try:
            score = Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise DomainError(_("The score of %(code)s is not a number.") % {"code": code}, field=field) from None
        if leaf.veto and score not in (0, 1):
            raise DomainError(_("%(code)s is a veto indicator: score 1 (passed) or 0 (failed).") % {"code": code},
                              field=field)
        if not score.is_finite() or not 0 <= score <= leaf.max_score:
            raise DomainError(_("The score of %(code)s must be between 0 and %(max)s.")
                              % {"code": code, "max": leaf.max_score}, field=field)
        if score != score.quantize(Decimal("0.01")):
            raise DomainError(_("The score of %(code)s may have at most two decimals.") % {"code": code},
                              field=field)
        checked[code] = str(score)
    return checked


# The longest narrative or comment kept for one indicator (the API's limit; the pages' is lower).
TEXT_MAX = 20000


def _texts(framework: Framework, texts, *, field: str, message) -> dict[str, str]:
    """Check {indicator code: text} against the framework: known codes (groups or leaves), texts of at
    most TEXT_MAX characters. Arbitrary keys would let the JSON grow without bound."""
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise DomainError(message, field=field)
    codes = set(framework.indicators.values_list("code", flat=True))
    for code, text in texts.items():
        if code not in codes:
            raise DomainError(_("%(code)s is not an indicator of this framework.") % {"code": code}, field=field)
        if len(text) > TEXT_MAX:
            raise DomainError(_("The text for %(code)s is longer than %(max)d characters.")
                              % {"code": code, "max": TEXT_MAX}, field=field)
    return dict(texts)


# The longest reason for changing a computed score.
REASON_MAX = 2000


def _apply_figures(assessment: Assessment, given: dict[str, str], reasons) -> None:
    """Recompute the figures of the bound leaves and reconcile the scores with them: a bound leaf follows its
    computed score unless the secretariat gives another score with a reason (kept in score_reasons). A score
    sent unchanged from the previous computation follows the new one; a score equal to the computed one needs
    no reason. Raises DomainError (field score_reasons) for a changed score without a reason."""
    if reasons is None:
        reasons = {}
    if not isinstance(reasons, dict) or not all(isinstance(v, str) for v in reasons.values()):
        raise DomainError(_("Reasons must be an object of indicator codes and texts."), field="score_reasons")
    previous = computed_scores(assessment.figures)
    figures = figures_for(assessment.cycle.framework, assessment.cycle, [assessment.alliance_id])[assessment.alliance_id]
    current = computed_scores(figures)
    for code, reason in reasons.items():
        if code not in current:
            raise DomainError(_("%(code)s is not scored from a figure: it needs no reason.") % {"code": code},
                              field="score_reasons")
        if len(reason) > REASON_MAX:
            raise DomainError(_("The reason for %(code)s is longer than %(max)d characters.")
                              % {"code": code, "max": REASON_MAX}, field="score_reasons")
    scores = {**assessment.self_scores, **given}
    kept = {code: reason for code, reason in {**assessment.score_reasons, **reasons}.items() if reason.strip()}
    for code, computed in current.items():
        if computed is None:
            kept.pop(code, None)
            continue
        score = scores.get(code)
        stale = code in given and previous.get(code) is not None and Decimal(given[code]) == Decimal(previous[code])
        if score is None or (stale and code not in reasons) or (code not in given and code not in kept):
            scores[code] = computed
        if Decimal(scores[code]) == Decimal(computed):
            kept.pop(code, None)
        elif not kept.get(code):
            raise DomainError(_("The score of %(code)s computed from the figures is %(score)s: give a reason for "
                                "changing it.") % {"code": code, "score": computed}, field="score_reasons")
    assessment.figures = figures
    assessment.self_scores = scores
    assessment.score_reasons = {code: reason.strip() for code, reason in kept.items()}


def _missing_leaves(framework: Framework, scores: dict) -> list[str]:
    return [leaf.code for leaf in frameworks.leaves(framework) if leaf.code not in scores]


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("cycle__framework", "alliance").get(pk=assessment.pk)


@transaction.atomic
def self_assessment_save(*, assessment: Assessment, actor, scores=None, narratives=None,
                         reasons=None) -> Assessment:
    """Save scores and narratives; the bound leaves' scores follow their figures unless changed with a reason
    (`reasons`: {leaf code: why})."""
    assessment = _lock(assessment)
    if not can_fill_self_assessment(actor, assessment):
        raise NotAllowed(_("Only the alliance's secretariat fills in its self-assessment."))
    if not self_assessment_open(assessment):
        raise StateConflict(_("The self-assessment is submitted and locked."))
    if past_due(assessment.cycle.self_assessment_due):
        raise StateConflict(_("The self-assessment was due on %(date)s.") % {"date": assessment.cycle.self_assessment_due})
    given = _scores(assessment.cycle.framework, scores, field="self_scores") if scores is not None else {}
    _apply_figures(assessment, given, reasons)
    with set_actor(actor):
        if narratives is not None:
            narratives = _texts(assessment.cycle.framework, narratives, field="self_narratives",
                                message=_("Narratives must be an object of indicator codes and texts."))
            assessment.self_narratives = {**assessment.self_narratives, **narratives}
        assessment.computed_metrics = alliance_metrics(assessment.alliance)
        assessment.save(update_fields=["self_scores", "self_narratives", "computed_metrics", "figures",
                                       "score_reasons"])
    return assessment


@transaction.atomic
def self_assessment_submit(*, assessment: Assessment, actor) -> Assessment:
    assessment = _lock(assessment)
    if not can_fill_self_assessment(actor, assessment):
        raise NotAllowed(_("Only the alliance's secretariat fills in its self-assessment."))
    if not self_assessment_open(assessment):
        raise StateConflict(_("The self-assessment is already submitted."))
    if past_due(assessment.cycle.self_assessment_due):
        raise StateConflict(_("The self-assessment was due on %(date)s.") % {"date": assessment.cycle.self_assessment_due})
    _apply_figures(assessment, {}, None)
    missing = _missing_leaves(assessment.cycle.framework, assessment.self_scores)
    if missing:
        raise DomainError(_("Score every indicator before submitting; missing: %(codes)s")
                          % {"codes": ", ".join(missing)}, field="self_scores")
    with set_actor(actor):
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.computed_metrics = alliance_metrics(assessment.alliance)
        assessment.save(update_fields=["status", "submitted_at", "computed_metrics", "figures", "self_scores",
                                       "score_reasons"])
    return assessment


@transaction.atomic
def self_assessment_return(*, assessment: Assessment, actor, reason: str) -> Assessment:
    """The official sends a submitted self-assessment back once, with a reason."""
    assessment = _lock(assessment)
    if not can_decide(actor, assessment):
        raise NotAllowed(_("Only the city's officials can return a self-assessment."))
    refusal = return_refusal(assessment)
    if refusal:
        raise StateConflict(refusal)
    if not reason.strip():
        raise DomainError(_("Give a reason."), field="reason")
    with set_actor(actor):
        assessment.status = Assessment.Status.DRAFT
        assessment.returned_reason = reason.strip()
        assessment.times_returned += 1
        assessment.save(update_fields=["status", "returned_reason", "times_returned"])
    return assessment


# Expert review ----------------------------------------------------------------

def expert_conflict(expert, alliance: Alliance) -> str | None:
    """Why this expert may not review this alliance, or None."""
    if Contact.objects.filter(
        user=expert,
        organization__memberships__alliance=alliance,
        organization__memberships__status__in=Membership.OPEN_STATUSES,
    ).exists():
        return _("%(expert)s works for a member unit of this alliance.") % {"expert": expert}
    if RoleGrant.objects.filter(user=expert, role=RoleGrant.Role.SECRETARIAT, alliance=alliance).exists():
        return _("%(expert)s works in this alliance's secretariat.") % {"expert": expert}
    if expert.seats.filter(body__alliance=alliance, term_end__isnull=True).exists():
        return _("%(expert)s holds a seat in this alliance.") % {"expert": expert}
    return None


@transaction.atomic
def experts_assign(*, assessment: Assessment, actor, experts) -> list[Review]:
    assessment = _lock(assessment)
    if not can_decide(actor, assessment):
        raise NotAllowed(_("Only the city's officials assign experts."))
    if not experts_assignable(assessment):
        raise StateConflict(_("Experts are assigned once the self-assessment is submitted, before the decision."))
    experts = list(experts)
    if not experts:
        raise DomainError(_("Choose at least one expert."), field="experts")
    expert_ids = set(RoleGrant.objects.filter(role=RoleGrant.Role.EXPERT, user__in=experts)
                     .values_list("user_id", flat=True))
    for expert in experts:
        if expert.id not in expert_ids:
            raise DomainError(_("%(user)s is not an expert reviewer.") % {"user": expert}, field="experts")
        conflict = expert_conflict(expert, assessment.alliance)
        if conflict:
            raise DomainError(conflict, field="experts")
    already = set(assessment.reviews.values_list("expert_id", flat=True))
    with set_actor(actor):
        created = [
            Review.objects.create(assessment=assessment, expert=expert, assigned_by=actor)
            for expert in experts if expert.id not in already
        ]
        assessment.status = Assessment.Status.UNDER_REVIEW
        assessment.save(update_fields=["status"])
    return created


def _lock_review(review: Review) -> Review:
    return Review.objects.select_for_update().select_related("assessment__cycle__framework",
                                                             "assessment__alliance").get(pk=review.pk)


def _check_review_open(review: Review, actor) -> None:
    if not can_score(actor, review):
        raise NotAllowed(_("Only the assigned expert scores this review."))
    refusal = review_refusal(review)
    if refusal:
        raise StateConflict(refusal)
    if past_due(review.assessment.cycle.review_due):
        raise StateConflict(_("The review was due on %(date)s.") % {"date": review.assessment.cycle.review_due})


@transaction.atomic
def review_save(*, review: Review, actor, scores=None, comments=None, comment=None,
                declared_no_conflict=None) -> Review:
    review = _lock_review(review)
    _check_review_open(review, actor)
    if declared_no_conflict is not None:
        review.declared_no_conflict = bool(declared_no_conflict)
    if scores and not review.declared_no_conflict:
        raise DomainError(_("Declare that you have no conflict of interest before scoring."),
                          field="declared_no_conflict")
    with set_actor(actor):
        if scores is not None:
            review.scores = {**review.scores, **_scores(review.assessment.cycle.framework, scores, field="scores")}
        if comments is not None:
            comments = _texts(review.assessment.cycle.framework, comments, field="comments",
                              message=_("Comments must be an object of indicator codes and texts."))
            review.comments = {**review.comments, **comments}
        if comment is not None:
            review.comment = comment
        review.save()
    return review


@transaction.atomic
def review_submit(*, review: Review, actor) -> Review:
    review = _lock_review(review)
    _check_review_open(review, actor)
    if not review.declared_no_conflict:
        raise DomainError(_("Declare that you have no conflict of interest before submitting."),
                          field="declared_no_conflict")
    missing = _missing_leaves(review.assessment.cycle.framework, review.scores)
    if missing:
        raise DomainError(_("Score every indicator before submitting; missing: %(codes)s")
                          % {"codes": ", ".join(missing)}, field="scores")
    with set_actor(actor):
        review.status = Review.Status.SUBMITTED
        review.submitted_at = timezone.now()
        review.save(update_fields=["status", "submitted_at"])
    return review


# Decision -------------------------------------------------------------------

def compute_result(assessment: Assessment):
    """Aggregate the submitted reviews (exact arithmetic) into the score, veto and grade."""
    reviews = [
        {code: Decimal(score) for code, score in review.scores.items()}
        for review in assessment.reviews.filter(status=Review.Status.SUBMITTED)
    ]
    result = aggregate(frameworks.leaves(assessment.cycle.framework), reviews)
    cycle = assessment.cycle
    grade = grade_for(result.final_score, result.veto_failed,
                      Thresholds(cycle.excellent_from, cycle.qualified_from, cycle.rectify_from))
    return result, grade


@transaction.atomic
def assessment_decide(*, assessment: Assessment, actor, note: str = "", rectify_by=None,
                      rectification_items=()) -> Assessment:
    """Decide the grade from the experts' scores, and apply its consequence to the alliance."""
    assessment = _lock(assessment)
    if not can_decide(actor, assessment):
        raise NotAllowed(_("Only the city's officials decide assessments."))
    if not decision_open(assessment):
        raise StateConflict(_("Only an assessment under review can be decided."))
    if not reviews_complete(assessment.reviews.values_list("status", flat=True)):
        raise StateConflict(_("Every assigned expert must submit a review before the decision."))
    result, grade = compute_result(assessment)
    if grade == Assessment.Grade.RECTIFY:
        if rectify_by is None:
            raise DomainError(_("Set the date by which the alliance must rectify."), field="rectify_by")
        if rectify_by <= timezone.localdate():
            raise DomainError(_("The rectification deadline must be in the future."), field="rectify_by")
    with set_actor(actor):
        assessment.final_score = result.final_score
        assessment.veto_failed = result.veto_failed
        assessment.working = result.working
        assessment.grade = grade
        assessment.decision_note = note.strip()
        assessment.rectify_by = rectify_by if grade == Assessment.Grade.RECTIFY else None
        assessment.status = Assessment.Status.DECIDED
        assessment.decided_by = actor
        assessment.decided_at = timezone.now()
        assessment.save()
        if grade == Assessment.Grade.RECTIFY:
            for text in rectification_items:
                if text.strip():
                    RectificationItem.objects.create(assessment=assessment, text=text.strip(), due_on=rectify_by)
    consequence = {
        Assessment.Grade.RECTIFY: (Alliance.Status.RECTIFYING, _("Assessment graded: rectify within a time limit")),
        Assessment.Grade.UNQUALIFIED: (Alliance.Status.REVOKED, _("Assessment graded: unqualified")),
    }.get(grade)
    if consequence and consequence[0] in assessment.alliance.allowed_transitions():
        alliance_transition(alliance=assessment.alliance, to_status=consequence[0],
                            reason=f"{consequence[1]} ({assessment.cycle.title})", actor=actor)
    return assessment


@transaction.atomic
def assessment_publish(*, assessment: Assessment, actor) -> Assessment:
    assessment = _lock(assessment)
    if not can_decide(actor, assessment):
        raise NotAllowed(_("Only the city's officials publish results."))
    refusal = publication_refusal(assessment)
    if refusal:
        raise StateConflict(refusal)
    with set_actor(actor):
        assessment.published_at = timezone.now()
        assessment.save(update_fields=["published_at"])
    return assessment


@transaction.atomic
def rectification_done(*, item: RectificationItem, actor, note: str) -> RectificationItem:
    item = RectificationItem.objects.select_for_update().select_related("assessment__cycle").get(pk=item.pk)
    if not can_record_rectification(actor, item.assessment):
        raise NotAllowed(_("Only the secretariat or the city's officials record rectification."))
    if item.done_at:
        raise StateConflict(_("This item is already done."))
    with set_actor(actor):
        item.done_at = timezone.now()
        item.done_note = note.strip()
        item.save(update_fields=["done_at", "done_note"])
    return item



@transaction.atomic
def evidence_add(*, assessment: Assessment, actor, indicator_code: str, title: str, file) -> Evidence:
    """The secretariat attaches an evidence file to one indicator of its draft self-assessment."""
    assessment = _lock(assessment)
    if not can_fill_self_assessment(actor, assessment):
        raise NotAllowed(_("Only the alliance's secretariat fills in its self-assessment."))
    if not self_assessment_open(assessment):
        raise StateConflict(_("The self-assessment is submitted and locked."))
    codes = {leaf.code for leaf in frameworks.leaves(assessment.cycle.framework)}
    if indicator_code not in codes:
        raise DomainError(_("%(code)s is not a scored indicator of this framework.") % {"code": indicator_code},
                          field="indicator_code")
    with set_actor(actor):
        evidence = Evidence(assessment=assessment, indicator_code=indicator_code, title=title.strip()[:200],
                            file=file, uploaded_by=actor)
        full_clean_or_raise(evidence)
        evidence.save()
    return evidence
