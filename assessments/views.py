"""Pages of the assessment cycle: they parse input, call a selector or a service, and render.

A refused write re-renders its page with the service's message and the status the API
would give (400 bad input, 403 not allowed, 409 state conflict); nothing is saved.
"""

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.models import Alliance, AllianceDocument, City
from alliance.selectors import alliances_for_user
from assessments import frameworks, services
from assessments.deadlines import (
    assessment_reviews_overdue,
    overdue_q,
    rectification_overdue,
    review_overdue,
    self_assessment_overdue,
)
from assessments.early_warnings.rules import describe, open_warnings
from assessments.forms import (
    CycleOpenForm,
    DecideForm,
    EvidenceForm,
    ExpertsForm,
    FrameworkFileForm,
    FrameworkTreeForm,
    PeriodForm,
    ReturnForm,
    ReviewForm,
    SelfAssessmentForm,
)
from assessments.metrics import compute_figures, described, metric, stored
from assessments.models import Assessment, Framework, Report, Review
from assessments.permissions import (
    can_author_frameworks,
    can_decide,
    can_edit_framework,
    can_fill_self_assessment,
    can_get_report,
    can_manage_cycle,
    can_read_figures,
    can_record_rectification,
    can_score,
    is_insider,
    is_official,
)
from assessments.prefill import computed_scores, figure_rows
from assessments.scoring import Thresholds
from assessments.selectors import (
    assessment_get_for_user,
    assessments_for_user,
    cycles_for_user,
    expert_reviewers,
    frameworks_for_user,
    review_get_for_user,
    reviews_for_user,
)
from kernel.counts import Paginator
from kernel.downloads import attachment
from kernel.errors import DomainError
from kernel.pages import act, form_error, show_error
from kernel.scope import scope_of
from kernel.selectors import get_or_404
from members.models import Organization

PUBLISHED_PAGE_SIZE = 50


def _official_cities(user):
    """The cities whose assessments the user runs (every city for a superuser)."""
    scope = scope_of(user)
    return City.objects.all() if scope.is_superuser else City.objects.filter(id__in=scope.official_city_ids)


def _with_review_counts(assessments):
    return assessments.annotate(
        reviews_total=Count("reviews", distinct=True),
        reviews_pending=Count("reviews", filter=Q(reviews__status=Review.Status.ASSIGNED), distinct=True),
        reviews_submitted=Count("reviews", filter=Q(reviews__status=Review.Status.SUBMITTED), distinct=True),
    )


def _flag_overdue(assessments, today):
    """Mark each row whose self-assessment or review is past its due date and not submitted."""
    rows = list(assessments)
    for assessment in rows:
        cycle = assessment.cycle
        assessment.self_overdue = self_assessment_overdue(assessment.status, cycle.self_assessment_due, today)
        assessment.review_overdue = assessment_reviews_overdue(assessment.status, assessment.reviews_pending,
                                                               cycle.review_due, today)
    return rows


# Lists ----------------------------------------------------------------------------

def assessment_home(request):
    """Per role: the official's cycles, the secretariat's assessments, the expert's reviews; published results."""
    user = request.user
    scope = scope_of(user)
    today = timezone.localdate()
    context = {"scope": scope, "today": today}
    if is_official(user):
        cycles = cycles_for_user(user)
        if not scope.is_superuser:
            cycles = cycles.filter(city_id__in=scope.official_city_ids)
        context["cycles"] = cycles.annotate(
            assessments_total=Count("assessments"),
            assessments_decided=Count("assessments", filter=Q(assessments__status=Assessment.Status.DECIDED)),
        ).order_by("-opens_on", "-id")
    if scope.secretariat_alliance_ids:
        context["own_assessments"] = _flag_overdue(
            _with_review_counts(assessments_for_user(user).filter(alliance_id__in=scope.secretariat_alliance_ids))
            .order_by("-cycle__opens_on", "alliance__name"),
            today,
        )
    if scope.is_expert:
        reviews = list(reviews_for_user(user).filter(expert=user)
                       .order_by("status", "assessment__cycle__review_due", "id"))
        for review in reviews:
            review.overdue = review_overdue(review.status, review.assessment.cycle.review_due, today)
        context["my_reviews"] = reviews
    published = (assessments_for_user(user).filter(published_at__isnull=False)
                 .order_by("-cycle__opens_on", "-cycle_id", "alliance__name"))
    context["published"] = Paginator(published, PUBLISHED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/home.html", context)


def cycle_detail(request, pk):
    cycle = get_or_404(cycles_for_user(request.user), pk)
    today = timezone.localdate()
    status = request.GET.get("status", "")
    assessments = assessments_for_user(request.user).filter(cycle=cycle)
    if status == "overdue":
        assessments = assessments.filter(overdue_q(today))
    elif status in Assessment.Status.values:
        assessments = assessments.filter(status=status)
    context = {
        "cycle": cycle,
        "assessments": _flag_overdue(_with_review_counts(assessments).order_by("alliance__name", "id"), today),
        "status": status,
        "statuses": Assessment.Status.choices,
        "can_manage": can_manage_cycle(request.user, cycle),
    }
    template = "assessments/_cycle_table.html" if request.htmx else "assessments/cycle_detail.html"
    return render(request, template, context)


@login_required
def cycle_open(request):
    if not is_official(request.user):
        raise PermissionDenied(_("Only the city's officials open assessment cycles."))
    cities = _official_cities(request.user).order_by("name")
    alliances = alliances_for_user(request.user).filter(city__in=cities).exclude(
        status__in=[Alliance.Status.REVOKED, Alliance.Status.WITHDRAWN]).order_by("name")
    form = CycleOpenForm(
        request.POST or None,
        frameworks=frameworks_for_user(request.user).filter(status=Framework.Status.PUBLISHED),
        cities=cities, alliances=alliances,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_open(
                actor=request.user, framework=data["framework"], city=data["city"], title=data["title"],
                opens_on=data["opens_on"], self_assessment_due=data["self_assessment_due"],
                review_due=data["review_due"], alliances=data["alliances"],
                thresholds=Thresholds(data["excellent_from"], data["qualified_from"], data["rectify_from"]),
            )
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, _("The cycle was opened for %(count)d alliances.")
                             % {"count": len(data["alliances"])})
            return redirect("assessments:cycle-detail", pk=cycle.pk)
    else:
        status = 400 if form.errors else 200
    return render(request, "assessments/cycle_open.html", {"form": form}, status=status)


# One assessment --------------------------------------------------------------------

def _localized(node: dict, field: str) -> str:
    english = node.get(f"{field}_en")
    return english if english and get_language() == "en" else node[field]


def _plain(number: Decimal) -> Decimal:
    """10.00 as 10 and 2.50 as 2.5, for reading and for the inputs' max attribute."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def _binding_text(binding: dict | None) -> str:
    """A leaf's binding as a reader sees it: the metric and its rule."""
    if not binding:
        return ""
    one = metric(binding["metric"])
    label = str(one.label) if one else binding["metric"]
    if binding["rule"] == "linear":
        rule = _("linear, the maximum score from %(value)s") % {"value": _plain(Decimal(binding["full_at"]))}
    else:
        rule = "; ".join(_("from %(value)s: %(score)s") % {"value": _plain(Decimal(step["at_least"])),
                                                          "score": _plain(Decimal(step["score"]))}
                         for step in binding["thresholds"])
    return _("Scored from the figure “%(metric)s”: %(rule)s") % {"metric": label, "rule": rule}


def _tree_rows(framework: Framework) -> list[dict]:
    """The framework tree flattened in order, each node with its depth and whether it is scored."""
    rows = []

    def walk(nodes, depth):
        for node in nodes:
            rows.append({
                "code": node["code"], "name": _localized(node, "name"), "guidance": _localized(node, "guidance"),
                "weight": _plain(Decimal(node["weight"])), "max_score": _plain(Decimal(node["max_score"])),
                "veto": node["veto"], "depth": depth, "indent": f"{depth * 1.2:.1f}", "leaf": not node["children"],
                "binding": _binding_text(node["binding"]),
            })
            walk(node["children"], depth + 1)

    walk(frameworks.tree(framework), 0)
    return rows


def _metric_rows(metrics: dict) -> list[dict]:
    """The computed figures as labelled rows; a figure not available yet is None."""
    def yes_no(value):
        return None if value is None else (_("Yes") if value else _("No"))

    by_type = metrics.get("members_by_type")
    rows = [{"label": _("Member units in total"), "value": metrics.get("members_total")}]
    if by_type is not None:
        rows += [{"label": Organization.Type(kind).label, "value": count, "sub": True}
                 for kind, count in by_type.items() if kind in Organization.Type.values]
    share = metrics.get("enterprise_share_percent")
    rows += [
        {"label": _("Share of enterprises"), "value": None if share is None else f"{share}%"},
        {"label": _("Types of member units"), "value": metrics.get("member_types")},
        {"label": _("At least 30 member units"), "value": yes_no(metrics.get("meets_minimum_members"))},
        {"label": _("Council established"), "value": yes_no(metrics.get("council_established"))},
        {"label": _("Council seats"), "value": metrics.get("council_seats")},
        {"label": _("Secretariat established"), "value": yes_no(metrics.get("secretariat_established"))},
    ]
    documents = metrics.get("documents")
    for kind in (AllianceDocument.Kind.CHARTER, AllianceDocument.Kind.DEVELOPMENT_PLAN,
                 AllianceDocument.Kind.CONSTRUCTION_SCHEME, AllianceDocument.Kind.WORK_PLAN):
        value = None if documents is None or kind not in documents else documents[kind]
        rows.append({"label": AllianceDocument.Kind(kind).label, "value": yes_no(value)})
    rows += [
        {"label": _("Meetings held"), "value": metrics.get("meetings_held")},
        {"label": _("Meetings with quorum (per cent)"), "value": metrics.get("quorum_rate")},
        {"label": _("Resolutions adopted"), "value": metrics.get("resolutions_adopted")},
        {"label": _("Tasks done on time (per cent of weight)"), "value": metrics.get("tasks_done_on_time")},
        {"label": _("Supply–demand events held"), "value": metrics.get("supply_demand_events_held")},
        {"label": _("Responses to technology needs accepted"), "value": metrics.get("responses_accepted")},
        {"label": _("Technology needs posted"), "value": metrics.get("technology_needs_posted")},
        {"label": _("Talent needs posted"), "value": metrics.get("talent_needs_posted")},
    ]
    return rows


def _score_text(value, veto: bool) -> str:
    """A score as shown: a veto leaf reads passed or failed."""
    if value is None:
        return "—"
    if veto:
        return _("Passed") if Decimal(value) == 1 else _("Not passed")
    return str(value)


def _leaves(rows):
    return [row for row in rows if row["leaf"]]


def _figure_for(figure: dict | None, veto: bool) -> dict | None:
    """A bound leaf's figure as the pages show it: the computed score read as a score is."""
    if figure is None:
        return None
    value = figure["value"]
    if value is None:
        value_text = None
    elif figure["unit"] == "percent":
        value_text = f"{value}%"
    elif figure["unit"] == "yes_no":
        value_text = _("Yes") if Decimal(value) else _("No")
    elif figure["unit"] == "count":
        value_text = value
    else:
        value_text = f"{value} {figure['unit_label']}"
    evidence = [{**item, "date": date.fromisoformat(item["date"])} if item.get("date") else item
                for item in figure["evidence"]]
    return {**figure, "value_text": value_text, "score_text": _score_text(figure["score"], veto),
            "evidence": evidence}


def _figures_period(assessment) -> dict | None:
    figures = assessment.figures or {}
    if not figures.get("scores"):
        return None
    return {"start": date.fromisoformat(figures["start"]), "end": date.fromisoformat(figures["end"]),
            "frozen": not services.self_assessment_open(assessment)}


def _self_form(assessment, rows, data=None):
    return SelfAssessmentForm(data, leaves=_leaves(rows), scores=assessment.self_scores,
                              texts=assessment.self_narratives, bound=computed_scores(assessment.figures),
                              reasons=assessment.score_reasons)


def _self_context(request, assessment, rows, self_form=None, saved=False, refusal=None):
    """The self-assessment section; `refusal` is a state conflict said inside it (HTMX swaps only the section)."""
    is_open = services.self_assessment_open(assessment)
    editable = can_fill_self_assessment(request.user, assessment) and is_open
    if editable and self_form is None:
        self_form = _self_form(assessment, rows)
    figures = figure_rows(assessment.figures)
    return {
        "assessment": assessment,
        "figures_period": _figures_period(assessment),
        "self_rows": [
            {**row, "self_score": _score_text(assessment.self_scores.get(row["code"]), row["veto"]),
             "narrative": assessment.self_narratives.get(row["code"], ""),
             "figure": _figure_for(figures.get(row["code"]), row["veto"]),
             "reason": assessment.score_reasons.get(row["code"], ""),
             "reason_field": self_form.reason_field(row["code"]) if editable and row["leaf"] else None,
             "score_field": self_form.score_field(row["code"]) if editable and row["leaf"] else None,
             "text_field": self_form.text_field(row["code"]) if editable and row["leaf"] else None}
            for row in rows
        ],
        "self_form": self_form if editable else None,
        "returned_reason": assessment.returned_reason if is_open else "",
        "self_overdue": self_assessment_overdue(assessment.status, assessment.cycle.self_assessment_due,
                                                timezone.localdate()),
        "saved": saved,
        "refusal": refusal,
    }


def _assessment_page(request, assessment, *, status=200, self_form=None, refusal=None, return_form=None,
                     experts_form=None, decide_form=None, evidence_form=None):
    user = request.user
    framework = assessment.cycle.framework
    rows = _tree_rows(framework)
    names = {row["code"]: row["name"] for row in rows}
    official = can_decide(user, assessment)
    can_fill = can_fill_self_assessment(user, assessment)
    own_review = assessment.reviews.filter(expert_id=user.id).first() if user.is_authenticated else None
    insider = is_insider(user, assessment)
    today = timezone.localdate()
    context = {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "framework": framework,
        "insider": insider,
        "official": official,
        "own_review": own_review,
    }
    if insider:
        context.update(_self_context(request, assessment, rows, self_form, refusal=refusal))
        context["metrics"] = _metric_rows(assessment.computed_metrics or {})
        context["can_read_figures"] = can_read_figures(user, assessment.alliance)
        context["evidence"] = list(assessment.evidence.all())
        if can_fill and services.self_assessment_open(assessment):
            context["evidence_form"] = evidence_form or EvidenceForm(leaves=[r for r in rows if r["leaf"]])
    if official:
        reviews = list(assessment.reviews.select_related("expert").order_by("id"))
        for review in reviews:
            review.overdue = review_overdue(review.status, assessment.cycle.review_due, today)
        context["reviews"] = reviews
        if services.return_refusal(assessment) is None:
            context["return_form"] = return_form or ReturnForm()
        if services.experts_assignable(assessment):
            assigned = {review.expert_id for review in reviews}
            experts = expert_reviewers().exclude(id__in=assigned)
            context["experts_form"] = experts_form or ExpertsForm(experts=experts)
        if services.decision_open(assessment):
            context["decide_form"] = decide_form or DecideForm()
            if services.reviews_complete(review.status for review in reviews):
                result, grade = services.compute_result(assessment)
                context["preview"] = {"score": result.final_score, "veto_failed": result.veto_failed,
                                      "grade": grade, "grade_label": Assessment.Grade(grade).label}
    if assessment.status == Assessment.Status.DECIDED:
        context["can_get_report"] = can_get_report(user, Report.Kind.ASSESSMENT_PDF, assessment=assessment)
        context["working"] = [{**row, "name": names.get(row["code"], "")} for row in assessment.working]
        context["veto_failures"] = [row for row in context["working"] if row["veto"] and row["failed"]]
        context["can_publish"] = official and services.publication_refusal(assessment) is None
        context["can_record_rectification"] = can_record_rectification(user, assessment)
        items = list(assessment.rectification_items.all())
        for item in items:
            item.overdue = rectification_overdue(item.done_at is not None, item.due_on, today)
        context["rectification_items"] = items
    return render(request, "assessments/assessment_detail.html", context, status=status)


def assessment_detail(request, pk):
    return _assessment_page(request, assessment_get_for_user(request.user, pk))


@login_required
@require_POST
def assessment_self(request, pk):
    """The secretariat saves the self-assessment, or saves and submits it (all or nothing)."""
    assessment = assessment_get_for_user(request.user, pk)
    if not can_fill_self_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the alliance's secretariat fills in its self-assessment."))
    rows = _tree_rows(assessment.cycle.framework)
    form = _self_form(assessment, rows, request.POST)
    submit = request.POST.get("action") == "submit"
    status, refusal = 400, None
    if form.is_valid():
        try:
            with transaction.atomic():
                saved = services.self_assessment_save(assessment=assessment, actor=request.user,
                                                      scores=form.scores(), narratives=form.texts(),
                                                      reasons=form.reasons())
                if submit:
                    saved = services.self_assessment_submit(assessment=saved, actor=request.user)
        except DomainError as exc:
            refusal, status = form_error(exc, form), exc.status_code
        else:
            if request.htmx and not submit:
                context = _self_context(request, saved, rows, saved=True)
                return render(request, "assessments/_self_form.html", context)
            messages.success(request, _("The self-assessment was submitted.") if submit
                             else _("The self-assessment was saved."))
            return redirect("assessments:detail", pk=assessment.pk)
    if request.htmx:
        return render(request, "assessments/_self_form.html",
                      _self_context(request, assessment, rows, form, refusal=refusal), status=status)
    return _assessment_page(request, assessment, status=status, self_form=form, refusal=refusal)


def _official_write(request, pk, form_class, form_name, call, success, **form_kwargs):
    """An official's write on an assessment: 403 before reading the form, the form's or service's message after."""
    assessment = assessment_get_for_user(request.user, pk)
    if not can_decide(request.user, assessment):
        raise PermissionDenied(_("Only the city's officials can do this."))
    form = form_class(request.POST, **form_kwargs) if form_class else None
    status = 400
    if form is None or form.is_valid():
        try:
            call(assessment, form.cleaned_data if form else {})
        except DomainError as exc:
            status = show_error(request, exc, form)
        else:
            messages.success(request, success)
            return redirect("assessments:detail", pk=assessment.pk)
    return _assessment_page(request, assessment, status=status, **({form_name: form} if form else {}))


@login_required
@require_POST
def assessment_return(request, pk):
    return _official_write(
        request, pk, ReturnForm, "return_form",
        lambda assessment, data: services.self_assessment_return(assessment=assessment, actor=request.user,
                                                                 reason=data["reason"]),
        _("The self-assessment was returned to the secretariat."),
    )


@login_required
@require_POST
def assessment_experts(request, pk):
    return _official_write(
        request, pk, ExpertsForm, "experts_form",
        lambda assessment, data: services.experts_assign(assessment=assessment, actor=request.user,
                                                         experts=data["experts"]),
        _("The experts were assigned."),
        experts=expert_reviewers(),
    )


@login_required
@require_POST
def assessment_decide(request, pk):
    return _official_write(
        request, pk, DecideForm, "decide_form",
        lambda assessment, data: services.assessment_decide(
            assessment=assessment, actor=request.user, note=data["note"], rectify_by=data["rectify_by"],
            rectification_items=data["rectification_items"]),
        _("The assessment was decided."),
    )


@login_required
@require_POST
def assessment_publish(request, pk):
    return _official_write(
        request, pk, None, "",
        lambda assessment, data: services.assessment_publish(assessment=assessment, actor=request.user),
        _("The result was published."),
    )


@login_required
@require_POST
def rectification_done(request, pk, item_pk):
    assessment = assessment_get_for_user(request.user, pk)
    item = assessment.rectification_items.filter(pk=item_pk).first()
    if item is None:
        return HttpResponse(status=404)
    return act(request, lambda: services.rectification_done(item=item, actor=request.user,
                                                            note=request.POST.get("note", "")[:5000]),
               success=_("The rectification item was recorded as done."),
               done=reverse("assessments:detail", args=[assessment.pk]),
               page=lambda status: _assessment_page(request, assessment, status=status))


# An alliance's figures ----------------------------------------------------------------

@login_required
def alliance_figures(request, alliance_id):
    """Every metric of one alliance for a period, with its working and evidence: to the alliance's secretariat,
    its city's officials and the experts reviewing it (as alliances/<id>/metrics/ in the API)."""
    alliance = get_or_404(alliances_for_user(request.user), alliance_id)
    if not can_read_figures(request.user, alliance):
        raise PermissionDenied(_("Only the alliance's secretariat, the city's officials and its reviewers read its "
                                 "figures."))
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": date(today.year, 1, 1), "end": today})
    rows, status = [], 400
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = compute_figures([alliance.pk], start, end)[alliance.pk]
        rows = [_figure_for({**described(key, stored(key, figure)), "score": None}, False)
                for key, figure in figures.items()]
        status = 200
    return render(request, "assessments/alliance_figures.html",
                  {"alliance": alliance, "form": form, "rows": rows}, status=status)


# Expert review ------------------------------------------------------------------------

def _review_context(request, review, rows, form=None, saved=False, refusal=None):
    assessment = review.assessment
    editable = can_score(request.user, review) and services.review_refusal(review) is None
    if editable and form is None:
        form = ReviewForm(leaves=_leaves(rows), scores=review.scores, texts=review.comments,
                          initial={"declared_no_conflict": review.declared_no_conflict, "comment": review.comment})
    figures = figure_rows(assessment.figures)
    return {
        "review": review,
        "assessment": assessment,
        "form": form if editable else None,
        "figures_period": _figures_period(assessment),
        "rows": [
            {**row, "score": _score_text(review.scores.get(row["code"]), row["veto"]),
             "figure": _figure_for(figures.get(row["code"]), row["veto"]),
             "reason": assessment.score_reasons.get(row["code"], ""),
             "comment": review.comments.get(row["code"], ""),
             "self_score": _score_text(assessment.self_scores.get(row["code"]), row["veto"]),
             "narrative": assessment.self_narratives.get(row["code"], ""),
             "score_field": form.score_field(row["code"]) if editable and row["leaf"] else None,
             "text_field": form.text_field(row["code"]) if editable and row["leaf"] else None}
            for row in rows
        ],
        "overdue": review_overdue(review.status, assessment.cycle.review_due, timezone.localdate()),
        "saved": saved,
        "refusal": refusal,
    }


@login_required
def review_detail(request, pk):
    """The assigned expert scores every leaf; the city's officials read it."""
    review = review_get_for_user(request.user, pk)
    rows = _tree_rows(review.assessment.cycle.framework)
    if request.method != "POST":
        return render(request, "assessments/review_detail.html", _review_context(request, review, rows))
    if not can_score(request.user, review):
        raise PermissionDenied(_("Only the assigned expert scores this review."))
    form = ReviewForm(request.POST, leaves=_leaves(rows), scores=review.scores, texts=review.comments)
    submit = request.POST.get("action") == "submit"
    status, refusal = 400, None
    if form.is_valid():
        try:
            with transaction.atomic():
                saved = services.review_save(
                    review=review, actor=request.user, scores=form.scores(), comments=form.texts(),
                    comment=form.cleaned_data["comment"].strip(),
                    declared_no_conflict=form.cleaned_data["declared_no_conflict"],
                )
                if submit:
                    saved = services.review_submit(review=saved, actor=request.user)
        except DomainError as exc:
            refusal, status = form_error(exc, form), exc.status_code
        else:
            if request.htmx and not submit:
                return render(request, "assessments/_review_form.html",
                              _review_context(request, saved, rows, saved=True))
            messages.success(request, _("Your review was submitted.") if submit else _("Your review was saved."))
            return redirect("assessments:review", pk=review.pk)
    template = "assessments/_review_form.html" if request.htmx else "assessments/review_detail.html"
    return render(request, template, _review_context(request, review, rows, form, refusal=refusal), status=status)


# The official's dashboard -----------------------------------------------------------------

DASHBOARD_PAGE_SIZE = 50


def _dashboard_data(user):
    """Every alliance of the official's cities with its results per cycle: three queries in all."""
    scope = scope_of(user)
    alliances = alliances_for_user(user).order_by("name", "id")
    cycles = cycles_for_user(user)
    assessments = assessments_for_user(user)
    if not scope.is_superuser:
        alliances = alliances.filter(city_id__in=scope.official_city_ids)
        cycles = cycles.filter(city_id__in=scope.official_city_ids)
        assessments = assessments.filter(cycle__city_id__in=scope.official_city_ids)
    alliances = list(alliances.select_related(None).only("id", "name", "name_en", "status", "level", "city_id"))
    today = timezone.localdate()
    decided, current = {}, {}
    for row in _with_review_counts(assessments).order_by("cycle__opens_on", "cycle_id").values(
        "alliance_id", "cycle_id", "status", "final_score", "grade", "cycle__self_assessment_due",
        "cycle__review_due", "reviews_pending",
    ):
        if row["status"] == Assessment.Status.DECIDED:
            decided[(row["alliance_id"], row["cycle_id"])] = row
        row["overdue"] = (
            self_assessment_overdue(row["status"], row["cycle__self_assessment_due"], today)
            or assessment_reviews_overdue(row["status"], row["reviews_pending"], row["cycle__review_due"], today)
        )
        current[row["alliance_id"]] = row
    decided_cycle_ids = {cycle_id for _alliance_id, cycle_id in decided}
    cycles = [cycle for cycle in cycles.select_related(None).order_by("opens_on", "id").only("id", "title", "opens_on", "city_id")
              if cycle.id in decided_cycle_ids]
    grade_labels = dict(Assessment.Grade.choices)
    warnings = defaultdict(list)
    for warning in open_warnings().filter(alliance_id__in=[alliance.id for alliance in alliances]).order_by("rule"):
        warnings[warning.alliance_id].append(describe(warning))
    latest_cycle = cycles[-1] if cycles else None
    distribution = dict.fromkeys(Assessment.Grade.values, 0)
    for alliance in alliances:
        results = [decided.get((alliance.id, cycle.id)) for cycle in cycles]
        alliance.trend = [result["final_score"] if result else None for result in results]
        latest = next((result for result in reversed(results) if result), None)
        alliance.latest_score = latest["final_score"] if latest else None
        alliance.latest_grade = latest["grade"] if latest else ""
        alliance.latest_grade_label = grade_labels.get(alliance.latest_grade, "")
        alliance.current = current.get(alliance.id)
        alliance.warnings = warnings[alliance.id]
        if alliance.current:
            alliance.current["status_label"] = Assessment.Status(alliance.current["status"]).label
        if latest_cycle and results[-1]:
            distribution[results[-1]["grade"]] += 1
    chart = {
        "cycles": [cycle.title for cycle in cycles],
        "series": [{"label": alliance.name, "data": [None if s is None else float(s) for s in alliance.trend]}
                   for alliance in alliances if any(s is not None for s in alliance.trend)],
        "grades": {"labels": [str(grade_labels[g]) for g in Assessment.Grade.values],
                   "counts": [distribution[g] for g in Assessment.Grade.values]},
        "text": {"score": _("Score"), "alliances": _("Alliances")},
    }
    return {"alliances": alliances, "cycles": cycles, "latest_cycle": latest_cycle,
            "warning_count": sum(len(rows) for rows in warnings.values()),
            "distribution": [(grade, grade_labels[grade], distribution[grade]) for grade in Assessment.Grade.values],
            "chart": chart}


@login_required
def dashboard(request):
    if not is_official(request.user):
        raise PermissionDenied(_("Only the city's officials see the dashboard."))
    data = _dashboard_data(request.user)
    # The charts show every alliance; the table a page of them (with the number of rows, the render's cost).
    page = Paginator(data["alliances"], DASHBOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessments/dashboard.html", {**data, "alliances": page, "page": page, "query": ""})


# Frameworks ---------------------------------------------------------------------------

@login_required
def framework_list(request):
    if not can_author_frameworks(request.user):
        raise PermissionDenied(_("Only officials author indicator frameworks."))
    form = FrameworkFileForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                framework = services.framework_import(actor=request.user,
                                                      data=frameworks.parse_file(form.cleaned_data["file"]))
            except DomainError as exc:
                status = show_error(request, exc, form, field="file")
            else:
                messages.success(request, _("“%(name)s” version %(version)d was imported as a draft.")
                                 % {"name": framework.name, "version": framework.version})
                return redirect("assessments:framework", pk=framework.pk)
    framework_rows = list(frameworks_for_user(request.user).select_related("city").annotate(
        indicator_count=Count("indicators", distinct=True), cycle_count=Count("cycles", distinct=True),
    ).order_by("name", "-version"))
    for framework in framework_rows:
        framework.open = services.framework_open(framework)
    return render(request, "assessments/framework_list.html", {"frameworks": framework_rows, "form": form},
                  status=status)


def _framework_page(request, framework, *, status=200, replace_form=None, tree_form=None):
    draft = services.framework_open(framework)
    draft_editable = draft and can_edit_framework(request.user, framework)
    if draft_editable and tree_form is None:
        tree_form = FrameworkTreeForm(initial={
            "indicators": json.dumps(frameworks.tree(framework), ensure_ascii=False, indent=2)})
    return render(request, "assessments/framework_detail.html", {
        "framework": framework,
        "rows": _tree_rows(framework),
        "can_author": can_author_frameworks(request.user),
        "draft_editable": draft_editable,
        "can_make_version": not draft and can_author_frameworks(request.user),
        "replace_form": (replace_form or FrameworkFileForm()) if draft_editable else None,
        "tree_form": tree_form if draft_editable else None,
    }, status=status)


@login_required
@require_POST
def framework_edit(request, pk):
    """Save a draft's indicators edited in the browser; a published framework never changes."""
    framework = get_or_404(frameworks_for_user(request.user), pk)
    form = FrameworkTreeForm(request.POST)
    status = 400
    if form.is_valid():
        data = {"name": framework.name, "indicators": form.cleaned_data["indicators"]}
        try:
            services.framework_replace_tree(framework=framework, actor=request.user, data=data)
        except DomainError as exc:
            status = show_error(request, exc, form, field="indicators")
        else:
            messages.success(request, _("The indicators of the draft were replaced."))
            return redirect("assessments:framework", pk=framework.pk)
    return _framework_page(request, framework, status=status, tree_form=form)


def framework_detail(request, pk):
    return _framework_page(request, get_or_404(frameworks_for_user(request.user).select_related("city"), pk))


def framework_export(request, pk):
    framework = get_or_404(frameworks_for_user(request.user), pk)
    return attachment(json.dumps(frameworks.export(framework), ensure_ascii=False, indent=2).encode(),
                      "application/json; charset=utf-8", f"framework-{framework.pk}-v{framework.version}.json")


def _framework_write(request, pk, call, success):
    framework = get_or_404(frameworks_for_user(request.user), pk)
    if not can_author_frameworks(request.user):
        raise PermissionDenied(_("Only officials author indicator frameworks."))
    try:
        result = call(framework)
    except DomainError as exc:
        return _framework_page(request, framework, status=show_error(request, exc))
    messages.success(request, success)
    return redirect("assessments:framework", pk=result.pk)


@login_required
@require_POST
def framework_publish(request, pk):
    return _framework_write(request, pk,
                            lambda framework: services.framework_publish(framework=framework, actor=request.user),
                            _("The framework was published: it will not change any more."))


@login_required
@require_POST
def framework_new_version(request, pk):
    return _framework_write(request, pk,
                            lambda framework: services.framework_new_version(framework=framework,
                                                                             actor=request.user),
                            _("A new draft version was made."))


@login_required
@require_POST
def framework_replace(request, pk):
    """Replace a draft's tree from a file; a published framework never changes."""
    framework = get_or_404(frameworks_for_user(request.user), pk)
    if not can_author_frameworks(request.user):
        raise PermissionDenied(_("Only officials author indicator frameworks."))
    form = FrameworkFileForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.framework_replace_tree(framework=framework, actor=request.user,
                                            data=frameworks.parse_file(form.cleaned_data["file"]))
        except DomainError as exc:
            status = show_error(request, exc, form, field="file")
        else:
            messages.success(request, _("The indicators of the draft were replaced."))
            return redirect("assessments:framework", pk=framework.pk)
    return _framework_page(request, framework, status=status, replace_form=form)


@login_required
@require_POST
def evidence_add(request, pk):
    assessment = assessment_get_for_user(request.user, pk)
    if not can_fill_self_assessment(request.user, assessment):
        raise PermissionDenied(_("Only the alliance's secretariat fills in its self-assessment."))
    leaves = [row for row in _tree_rows(assessment.cycle.framework) if row["leaf"]]
    form = EvidenceForm(request.POST, request.FILES, leaves=leaves)
    if form.is_valid():
        try:
            services.evidence_add(assessment=assessment, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            return _assessment_page(request, assessment, status=show_error(request, exc, form), evidence_form=form)
        messages.success(request, _("The evidence was attached."))
        return redirect("assessments:detail", pk=assessment.pk)
    return _assessment_page(request, assessment, status=400, evidence_form=form)


@login_required
def evidence_download(request, pk, evidence_pk):
    """Evidence is for the people inside the assessment: its secretariat, officials, assigned experts."""
    assessment = assessment_get_for_user(request.user, pk)
    evidence = assessment.evidence.filter(pk=evidence_pk).first() if is_insider(request.user, assessment) else None
    if evidence is None:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file.name.rsplit("/", 1)[-1])
