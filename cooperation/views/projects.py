"""Pages of cooperation projects: the list (filters by alliance, kind, status and year), a project with its
partners, contributions, outcomes and evidence, the forms that record them, and the secretariat's confirmation
of outcomes. Every write goes through cooperation/services/projects.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.extensions import resolve_references
from alliance.models import City
from alliance.permissions import is_secretariat_of
from alliance.selectors import alliance_choices_for_user, alliance_get_for_user
from cooperation import excel, selectors
from cooperation.forms import (
    AllianceChoiceForm,
    ContributionForm,
    EvidenceForm,
    ImportForm,
    OutcomeEditForm,
    OutcomeForm,
    PartnerFormSet,
    ProjectFilterForm,
    ProjectForm,
    YearForm,
    partners_from,
)
from cooperation.models import Outcome, Project, TalentNeed, TechnologyNeed
from cooperation.permissions import (
    acting_units,
    can_compare_city,
    can_confirm_outcomes,
    can_edit_project,
    can_read_all,
    can_read_project_internals,
    can_record_any_project,
    can_report_outcomes,
)
from cooperation.services import projects as services
from cooperation.views.common import PAGE_SIZE, act, fail, query_without_page, refused
from kernel.counts import Paginator
from kernel.downloads import XLSX, attachment
from kernel.errors import DomainError
from kernel.names import display_name
from kernel.selectors import get_or_404
from members.models import Organization


def project_url(project) -> str:
    return reverse("cooperation:project", args=[project.pk])


def project_list(request):
    form = ProjectFilterForm(request.GET or None, alliances=alliance_choices_for_user(request.user))
    rows = selectors.projects_for_user(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("alliance"):
        rows = rows.filter(alliance=data["alliance"])
    for name in ("kind", "status"):
        if data.get(name):
            rows = rows.filter(**{name: data[name]})
    if data.get("year"):
        year = data["year"]
        rows = rows.filter(Q(ends_on__isnull=True) | Q(ends_on__year__gte=year), starts_on__year__lte=year)
    if data.get("q"):
        rows = rows.filter(Q(title__icontains=data["q"]) | Q(lead__name__icontains=data["q"]))
    page = Paginator(rows.order_by("-starts_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cooperation/project_list.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "can_record": can_record_any_project(request.user)})


def _needs(request, alliance, project=None) -> dict:
    """The alliance's needs the user reads, and those the project already names."""
    needs = TechnologyNeed.objects.filter(
        Q(pk__in=selectors.entries_for_user(request.user, TechnologyNeed).filter(alliance=alliance).values("pk"))
        | Q(pk=getattr(project, "need_id", None)))
    talent_needs = TalentNeed.objects.filter(
        Q(pk__in=selectors.entries_for_user(request.user, TalentNeed).filter(alliance=alliance).values("pk"))
        | Q(pk=getattr(project, "talent_need_id", None)))
    return {"needs": needs, "talent_needs": talent_needs}


def _members(alliance):
    return selectors.active_members(alliance)


def _form_page(request, *, alliance, form, partners, project=None, status=200):
    return render(request, "cooperation/project_form.html", {"alliance": alliance, "form": form,
                                                             "partners": partners, "project": project},
                  status=status)


def _initial_from_need(request, alliance) -> dict:
    """"Turn into a project": a matched technology need gives the title, the kind and the responding unit."""
    need = selectors.technology_needs_for_user(request.user).filter(
        pk=request.GET.get("need") if (request.GET.get("need") or "").isdigit() else None, alliance=alliance).first()
    if need is None:
        return {}
    accepted = need.responses.filter(status="accepted").select_related("organization").order_by("id").first()
    initial = {"title": need.title, "kind": Project.Kind.TECH_SERVICE, "need": need.pk,
               "description": need.description, "status": Project.Status.RUNNING}
    if accepted is not None:
        initial["lead"] = accepted.organization_id
    initial["partners"] = [{"organization": need.organization_id, "role": "partner"}]
    return initial


@login_required
def project_create(request):
    if not can_record_any_project(request.user):
        return refused(request, _("Only the alliance's secretariat or a member unit's contacts record a project."))
    alliances, _leads = selectors.project_unit_choices(request.user)
    chooser = AllianceChoiceForm(request.GET or None, alliances=alliances)
    if not chooser.is_valid():
        only = list(alliances[:2])
        if len(only) != 1:
            return render(request, "cooperation/project_choose_alliance.html", {"form": chooser})
        alliance = only[0]
    else:
        alliance = chooser.cleaned_data["alliance"]
    _alliances, leads = selectors.project_unit_choices(request.user, alliance)
    members = _members(alliance)
    if request.method != "POST":
        initial = _initial_from_need(request, alliance)
        partner_initial = initial.pop("partners", [])
        return _form_page(request, alliance=alliance,
                          form=ProjectForm(initial=initial, leads=leads, creating=True, **_needs(request, alliance)),
                          partners=PartnerFormSet(initial=partner_initial, prefix="partners",
                                                  form_kwargs={"members": members}))
    form = ProjectForm(request.POST, leads=leads, creating=True, **_needs(request, alliance))
    partners = PartnerFormSet(request.POST, prefix="partners", form_kwargs={"members": members})
    status = 400
    if form.is_valid() and partners.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            project = services.project_create(actor=request.user, alliance=alliance, partners=partners_from(partners),
                                              **data)
        except DomainError as exc:
            status = fail(request, exc, form)
        else:
            messages.success(request, _("The project was recorded."))
            return redirect(project_url(project))
    return _form_page(request, alliance=alliance, form=form, partners=partners, status=status)


@login_required
def project_edit(request, pk):
    project = selectors.project_get_for_user(request.user, pk)
    if not can_edit_project(request.user, project):
        return refused(request, _("Only the alliance's secretariat or a contact of the lead unit changes this "
                                  "project."))
    if project.is_ended:
        messages.error(request, _("This project is “%(status)s”: it can no longer be changed.")
                       % {"status": project.get_status_display()})
        return redirect(project_url(project))
    alliance = project.alliance
    _alliances, leads = selectors.project_unit_choices(request.user, alliance)
    leads = (leads | Organization.objects.filter(pk=project.lead_id)).distinct()
    members = _members(alliance)
    if request.method != "POST":
        initial = [{"organization": p.organization_id, "role": p.role} for p in project.partners.all()]
        return _form_page(request, alliance=alliance, project=project,
                          form=ProjectForm(instance=project, leads=leads, creating=False,
                                           **_needs(request, alliance, project)),
                          partners=PartnerFormSet(initial=initial, prefix="partners",
                                                  form_kwargs={"members": members}))
    form = ProjectForm(request.POST, instance=Project.objects.get(pk=project.pk), leads=leads, creating=False,
                       **_needs(request, alliance, project))
    partners = PartnerFormSet(request.POST, prefix="partners", form_kwargs={"members": members})
    status = 400
    if form.is_valid() and partners.is_valid():
        try:
            services.project_update(project=project, actor=request.user, partners=partners_from(partners),
                                    **{name: form.cleaned_data[name] for name in form.changed_data})
        except DomainError as exc:
            status = fail(request, exc, form)
        else:
            messages.success(request, _("Saved."))
            return redirect(project_url(project))
    return _form_page(request, alliance=alliance, form=form, partners=partners, project=project, status=status)


def _contribution_units(user, project):
    ids = {project.lead_id, *(partner.organization_id for partner in project.partners.all())}
    if not is_secretariat_of(user, project.alliance):
        ids &= acting_units(user, project)
    return Organization.objects.filter(pk__in=ids).order_by("name")


def _detail(request, project, *, contribution_form=None, outcome_form=None, status=200):
    user = request.user
    open_ = project.status != Project.Status.TERMINATED
    units = _contribution_units(user, project) if user.is_authenticated and open_ else Organization.objects.none()
    reports = user.is_authenticated and open_ and can_report_outcomes(user, project)
    outcomes = list(project.outcomes.all())
    resolution = (resolve_references("resolution", project.alliance_id, [project.resolution]).get(project.resolution)
                  if project.resolution else None)
    context = {
        "project": project, "partners": list(project.partners.all()),
        "contributions": list(project.contributions.all()), "outcomes": outcomes,
        "reads_contributions": Project.objects.filter(selectors.insider_project_filter(user), pk=project.pk).exists(),
        "can_edit": user.is_authenticated and can_edit_project(user, project) and not project.is_ended,
        "reports": reports, "internals": user.is_authenticated and can_read_project_internals(user, project),
        "confirms": user.is_authenticated and can_confirm_outcomes(user, project.alliance),
        "contribution_form": contribution_form or (ContributionForm(units=units, initial={
            "organization": units[0].pk if len(units) == 1 else None}) if units else None),
        "outcome_form": outcome_form or (OutcomeForm() if reports else None),
        "evidence_form": EvidenceForm() if reports else None, "edit_form": OutcomeEditForm() if reports else None,
        "resolution_label": resolution,
        "years": list(range(project.first_year, project.last_year() + 1)),
    }
    return render(request, "cooperation/project_detail.html", context, status=status)


def project_detail(request, pk):
    return _detail(request, selectors.project_get_for_user(request.user, pk))


@login_required
@require_POST
def contribution_add(request, pk):
    project = selectors.project_get_for_user(request.user, pk)
    units = _contribution_units(request.user, project)
    if not units:
        return refused(request, _("A unit's contacts record its contributions (or the alliance's secretariat for "
                                  "it)."))
    form = ContributionForm(request.POST, units=units)
    if form.is_valid():
        try:
            services.contribution_add(project=project, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            if exc.status_code == 403:
                return refused(request, exc.message)
            return _detail(request, project, contribution_form=form, status=fail(request, exc, form))
        messages.success(request, _("The contribution was recorded."))
        return redirect(project_url(project))
    return _detail(request, project, contribution_form=form, status=400)


@login_required
@require_POST
def contribution_delete(request, pk):
    contribution = selectors.contribution_get_for_user(request.user, pk)
    return act(request, lambda: services.contribution_delete(contribution=contribution, actor=request.user),
               success=_("The contribution was removed."), done=project_url(contribution.project))


@login_required
@require_POST
def outcome_add(request, pk):
    project = selectors.project_get_for_user(request.user, pk)
    if not can_report_outcomes(request.user, project):
        return refused(request, _("The contacts of the project's units and the alliance's secretariat record its "
                                  "outcomes."))
    form = OutcomeForm(request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        evidence = data.pop("evidence")
        try:
            with transaction.atomic():
                outcome = services.outcome_record(project=project, actor=request.user, **data)
                if evidence:
                    services.evidence_add(outcome=outcome, actor=request.user, title="", file=evidence)
        except DomainError as exc:
            if exc.field == "file":
                exc.field = "evidence"
            return _detail(request, project, outcome_form=form, status=fail(request, exc, form))
        messages.success(request, _("The outcome was recorded; it counts once the secretariat confirms it."))
        return redirect(project_url(project))
    return _detail(request, project, outcome_form=form, status=400)


@login_required
@require_POST
def outcome_action(request, pk, verb):
    outcome = selectors.outcome_get_for_user(request.user, pk)
    done = project_url(outcome.project)
    user = request.user
    if verb == "confirm":
        return act(request, lambda: services.outcome_confirm(outcome=outcome, actor=user),
                   success=_("The outcome was confirmed."), done=done)
    if verb == "delete":
        return act(request, lambda: services.outcome_delete(outcome=outcome, actor=user),
                   success=_("The outcome was removed."), done=done)
    if verb == "edit":
        form = OutcomeEditForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
            return redirect(done)
        return act(request, lambda: services.outcome_update(outcome=outcome, actor=user, **form.cleaned_data),
                   success=_("Saved."), done=done)
    if verb == "evidence":
        form = EvidenceForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
            return redirect(done)
        return act(request, lambda: services.evidence_add(outcome=outcome, actor=user, **form.cleaned_data),
                   success=_("The evidence was attached."), done=done)
    raise Http404


@login_required
def evidence_download(request, pk):
    """Evidence is for the secretariat, the city's officials and the project's units."""
    evidence = selectors.evidence_get_for_user(request.user, pk)
    if evidence is None:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.filename)


@login_required
def outcome_import(request, alliance_id):
    """The secretariat imports the outcomes of many projects at once: all rows or none, with a report per row."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_confirm_outcomes(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat imports outcomes."))
    form = ImportForm(request.POST or None, request.FILES or None)
    del form.fields["publish"]
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.import_outcomes(alliance=alliance, uploaded=form.cleaned_data["file"], actor=request.user)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            if result.ok:
                messages.success(request, _("%(created)d outcomes were recorded and %(updated)d changed; they count "
                                            "once confirmed.") % {"created": result.created,
                                                                  "updated": result.updated})
                return redirect(f"{reverse('cooperation:projects')}?alliance={alliance.pk}")
    status = 400 if request.method == "POST" and (form.errors or (result and not result.ok)) else 200
    return render(request, "cooperation/outcome_import.html", {
        "alliance": alliance, "form": form, "result": result,
        "columns": [str(label) for key, label in excel.OUTCOME_COLUMNS if key not in excel.OUTCOME_NOT_IMPORTED]},
        status=status)


@login_required
def outcome_export(request, alliance_id):
    """The alliance's outcomes as Excel (the secretariat and the city's officials): a file to fill and import."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_read_all(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat and the city's officials export its outcomes."))
    outcomes = (Outcome.objects.filter(project__alliance=alliance).select_related("project")
                .order_by("project_id", "year", "metric"))
    return attachment(excel.export_outcomes(outcomes.iterator(chunk_size=2000)), XLSX,
                      f"outcomes-{alliance.pk}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def participation(request, alliance_id):
    """What each member unit put in and took part in during a year; the share of units active and the
    concentration on the lead units (the secretariat and the city's officials)."""
    alliance = alliance_get_for_user(request.user, alliance_id)
    if not can_read_all(request.user, alliance):
        return refused(request, _("Only the alliance's secretariat and the city's officials read its participation."))
    form = YearForm(request.GET or None)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    return render(request, "cooperation/participation.html", {
        "alliance": alliance, "form": form, "figures": selectors.participation(alliance, year),
        "compares_city": can_compare_city(request.user, alliance.city_id)})


@login_required
def city_participation(request, city_id):
    """The city's alliances compared for a year: the share of units active and the concentration on the lead
    units, as a chart and a table (the city's officials)."""
    city = get_or_404(City.objects.all(), city_id)
    if not can_compare_city(request.user, city.pk):
        return refused(request, _("Only the city's officials compare the participation of its alliances."))
    form = YearForm(request.GET or None)
    year = (form.cleaned_data["year"] if form.is_valid() else None) or timezone.localdate().year
    rows = selectors.city_participation(city, year)
    language = get_language()
    chart = {"labels": [display_name(row["alliance"], language) for row in rows],
             "series": [{"label": _("Units active (%)"), "values": [_number(row["active_share"]) for row in rows]},
                        {"label": _("Projects led by the lead units (%)"),
                         "values": [_number(row["lead_unit_project_share"]) for row in rows]},
                        {"label": _("Funds put in by the lead units (%)"),
                         "values": [_number(row["lead_unit_funds_share"]) for row in rows]}]}
    return render(request, "cooperation/city_participation.html", {
        "city": city, "form": form, "year": year, "rows": rows, "chart": chart})


def _number(share):
    return None if share is None else float(share)
