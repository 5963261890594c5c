"""Who may do what in an assessment. Pages and the API both ask these."""

from assessments.models import Assessment, Cycle, Report, Review
from kernel.scope import scope_of


def is_official_for_city(user, city_id: int) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or city_id in scope.official_city_ids


def can_manage_cycle(user, cycle: Cycle) -> bool:
    return is_official_for_city(user, cycle.city_id)


def can_fill_self_assessment(user, assessment: Assessment) -> bool:
    scope = scope_of(user)
    return scope.is_superuser or assessment.alliance_id in scope.secretariat_alliance_ids


def can_decide(user, assessment: Assessment) -> bool:
    return is_official_for_city(user, assessment.cycle.city_id)


def can_score(user, review: Review) -> bool:
    return review.expert_id == getattr(user, "id", None)


def is_insider(user, assessment: Assessment) -> bool:
    """The people inside an assessment (its secretariat, the city's officials, its assigned experts) see its
    self-assessment, metrics and evidence; everyone else only a published result."""
    if can_decide(user, assessment) or can_fill_self_assessment(user, assessment):
        return True
    return scope_of(user).is_authenticated and assessment.reviews.filter(expert_id=user.id).exists()


def can_read_figures(user, alliance) -> bool:
    """An alliance's figures (the metric values of any period): its secretariat, its city's officials and the
    experts reviewing one of its assessments, as the assessment pages show them to these insiders."""
    scope = scope_of(user)
    if scope.is_superuser or alliance.pk in scope.secretariat_alliance_ids or alliance.city_id in scope.official_city_ids:
        return True
    return scope.is_authenticated and Review.objects.filter(expert_id=user.id, assessment__alliance=alliance).exists()


def can_record_rectification(user, assessment: Assessment) -> bool:
    """The alliance's secretariat or the city's officials record a rectification item as done."""
    return can_decide(user, assessment) or can_fill_self_assessment(user, assessment)


def is_official(user) -> bool:
    """An official of some city (or an administrator)."""
    scope = scope_of(user)
    return scope.is_superuser or bool(scope.official_city_ids)


def takes_part_in_assessments(user) -> bool:
    """Officials, secretariats and expert reviewers have assessment work (the menu shows it to them)."""
    scope = scope_of(user)
    return is_official(user) or bool(scope.secretariat_alliance_ids) or scope.is_expert


def can_author_frameworks(user) -> bool:
    return is_official(user)


def can_edit_framework(user, framework) -> bool:
    """A draft belongs to its city's officials; a shared one (no city) only to administrators."""
    if scope_of(user).is_superuser:
        return True
    return framework.city_id is not None and is_official_for_city(user, framework.city_id)


def can_get_report(user, kind: str, *, assessment: Assessment | None = None, cycle: Cycle | None = None) -> bool:
    """Officials get every report of their city; the secretariat its own decided assessment's; anyone a
    published assessment's."""
    if kind == Report.Kind.ASSESSMENT_PDF:
        return (can_decide(user, assessment) or assessment.published_at is not None
                or (assessment.status == Assessment.Status.DECIDED and can_fill_self_assessment(user, assessment)))
    return can_manage_cycle(user, cycle)


def runs_alliance(user, alliance) -> bool:
    """The alliance's secretariat (or an administrator): it writes the alliance's annual work plan and report."""
    scope = scope_of(user)
    return scope.is_superuser or alliance.pk in scope.secretariat_alliance_ids


def oversees_alliance(user, alliance) -> bool:
    """Its secretariat and its city's officials: they see its early warnings and its annual plan and report."""
    return runs_alliance(user, alliance) or is_official_for_city(user, alliance.city_id)


def oversees_any(user) -> bool:
    """Officials and secretariats have alliances to watch (early warnings, annual plans and reports)."""
    return is_official(user) or bool(scope_of(user).secretariat_alliance_ids)

