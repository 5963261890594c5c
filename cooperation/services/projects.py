"""Cooperation projects: recorded by the alliance's secretariat or the lead unit's contacts, with their partner
units (active members of the alliance); each unit of a project records its contributions, and the project's
yearly outcomes with evidence; the secretariat confirms outcomes, which then count in the alliance's figures and
no longer change. Each write runs in a transaction, checks who acts and the state, and is audited; the units
named as partners and the secretariat are told through the outbox."""

from auditlog.context import set_actor
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.extensions import resolve_references
from alliance.models import Alliance
from cooperation import notices
from cooperation.models import (
    Contribution,
    Outcome,
    OutcomeEvidence,
    Project,
    ProjectPartner,
    TechnologyNeed,
)
from cooperation.permissions import (
    can_confirm_outcomes,
    can_contribute_for,
    can_edit_project,
    can_record_project,
    can_report_outcomes,
    project_unit_ids,
)
from kernel.errors import DomainError, NotAllowed, StateConflict, full_clean_or_raise
from members.models import Membership, Organization

PROJECT_FIELDS = ("kind", "title", "description", "lead", "starts_on", "ends_on", "status", "need", "talent_need",
                  "resolution")
NOTE_MAX = 5000


def _active_member_ids(alliance: Alliance, organizations) -> set[int]:
    return set(Membership.objects.filter(alliance=alliance, organization__in=[o.pk for o in organizations],
                                         status=Membership.Status.ACTIVE).values_list("organization_id", flat=True))


def _check_units(alliance: Alliance, lead: Organization, partners: list[dict]) -> None:
    """The lead and every partner are active members, each named once, the lead not again as a partner."""
    active = _active_member_ids(alliance, [lead, *(partner["organization"] for partner in partners)])
    if lead.pk not in active:
        raise DomainError(_("“%(org)s” is not an active member unit of this alliance.") % {"org": lead.name},
                          field="lead")
    seen = {lead.pk}
    for partner in partners:
        organization = partner["organization"]
        if organization.pk not in active:
            raise DomainError(_("“%(org)s” is not an active member unit of this alliance.")
                              % {"org": organization.name}, field="partners")
        if organization.pk in seen:
            raise DomainError(_("“%(org)s” is named twice: a unit is the lead or one partner.")
                              % {"org": organization.name}, field="partners")
        if partner.get("role", ProjectPartner.Role.PARTNER) not in ProjectPartner.Role.values:
            raise DomainError(_("Unknown role “%(role)s”.") % {"role": partner["role"]}, field="partners")
        seen.add(organization.pk)


def _check_origins(alliance: Alliance, fields: dict) -> None:
    need, talent_need = fields.get("need"), fields.get("talent_need")
    if need is not None and need.alliance_id != alliance.pk:
        raise DomainError(_("The need is not one of this alliance's lists."), field="need")
    if talent_need is not None and talent_need.alliance_id != alliance.pk:
        raise DomainError(_("The need is not one of this alliance's lists."), field="talent_need")
    resolution = fields.get("resolution")
    if resolution is not None and resolution not in resolve_references("resolution", alliance.pk, [resolution]):
        raise DomainError(_("There is no adopted resolution of this alliance with the id %(id)s.")
                          % {"id": resolution}, field="resolution")


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _contract_need(need: TechnologyNeed | None, actor) -> None:
    """A matched need that became a project is contracted."""
    if need is not None:
        need = TechnologyNeed.objects.select_for_update(of=("self",)).get(pk=need.pk)
        if need.status == TechnologyNeed.Status.MATCHED:
            with set_actor(actor):
                need.status = TechnologyNeed.Status.CONTRACTED
                need.save(update_fields=["status", "updated_at"])


def _nested(name: str, index: int, exc: DomainError) -> DomainError:
    """A refusal of one element of a nested list, named as the API names it: {"outcomes": [{}, {"year": [...]}]}."""
    errors = [{} for _position in range(index)] + [exc.errors or {"non_field_errors": [exc.message]}]
    codes = [{} for _position in range(index)] + [exc.codes or {"non_field_errors": [exc.code]}]
    return type(exc)(exc.message, errors={name: errors}, codes={name: codes}, field=name)


@transaction.atomic
def project_create(*, actor, alliance: Alliance, kind: str, title: str, lead: Organization, starts_on,
                   partners=(), contributions=(), outcomes=(), **fields) -> Project:
    """Record a project; `partners` [{"organization", "role"}], and optionally its first contributions and
    outcomes (as contribution_add and outcome_record take them), all or nothing."""
    if not can_record_project(actor, alliance=alliance, lead=lead):
        raise NotAllowed(_("Only the alliance's secretariat or a contact of the lead unit records a project."))
    if alliance.status in Alliance.CLOSED_STATUSES:
        raise StateConflict(_("This alliance has been revoked or withdrawn: it takes no new projects."))
    _check_fields(fields)
    partners = list(partners)
    _check_units(alliance, lead, partners)
    _check_origins(alliance, fields)
    project = Project(alliance=alliance, kind=kind, title=(title or "").strip(), lead=lead, starts_on=starts_on,
                      created_by=actor, **fields)
    full_clean_or_raise(project, exclude=["created_by"])
    with set_actor(actor):
        project.save()
        for partner in partners:
            ProjectPartner.objects.create(project=project, organization=partner["organization"],
                                          role=partner.get("role") or ProjectPartner.Role.PARTNER)
    _contract_need(project.need, actor)
    project = _locked(project)
    for index, contribution in enumerate(contributions):
        try:
            _contribution_add(project, actor, **contribution)
        except DomainError as exc:
            raise _nested("contributions", index, exc) from exc
    for index, outcome in enumerate(outcomes):
        try:
            _outcome_record(project, actor, **outcome)
        except DomainError as exc:
            raise _nested("outcomes", index, exc) from exc
    notices.project_partners_named(project, [partner["organization"] for partner in partners])
    return project


def _locked(project: Project) -> Project:
    return (Project.objects.select_for_update(of=("self",)).select_related("alliance", "lead")
            .prefetch_related("partners").get(pk=project.pk))


@transaction.atomic
def project_update(*, project: Project, actor, partners=None, **changes) -> Project:
    """Change the project (the secretariat or the lead unit's contacts); `partners`, when given, replaces the
    list. The status moves planned → running → completed, or to terminated; an ended project stays as it is."""
    project = _locked(project)
    if not can_edit_project(actor, project):
        raise NotAllowed(_("Only the alliance's secretariat or a contact of the lead unit changes this project."))
    _check_fields(changes)
    if project.is_ended:
        raise StateConflict(_("This project is “%(status)s”: it can no longer be changed.")
                            % {"status": project.get_status_display()})
    new_status = changes.get("status", project.status)
    if new_status != project.status and new_status not in Project.TRANSITIONS.get(project.status, ()):
        raise StateConflict(_("A “%(old)s” project cannot become “%(new)s”.") % {
            "old": project.get_status_display(), "new": Project.Status(new_status).label
            if new_status in Project.Status.values else new_status})
    lead = changes.get("lead", project.lead)
    if "lead" in changes and not can_record_project(actor, alliance=project.alliance, lead=lead):
        raise NotAllowed(_("Only the alliance's secretariat or a contact of the lead unit records a project."))
    current = [{"organization": partner.organization, "role": partner.role}
               for partner in project.partners.select_related("organization")]
    new_partners = list(partners) if partners is not None else current
    if "lead" in changes or partners is not None:
        _check_units(project.alliance, lead, new_partners)
    _check_origins(project.alliance, {name: changes[name] for name in ("need", "talent_need", "resolution")
                                      if name in changes and changes[name] != getattr(project, name)})
    with set_actor(actor):
        for name, value in changes.items():
            setattr(project, name, value)
        full_clean_or_raise(project, exclude=["created_by"])
        project.save()
        added = []
        if partners is not None:
            kept = {partner["organization"].pk: partner for partner in new_partners}
            before = {row.organization_id: row for row in project.partners.all()}
            for organization_id, row in before.items():
                if organization_id not in kept:
                    if project.contributions.filter(organization_id=organization_id).exists():
                        raise StateConflict(_("“%(org)s” has recorded contributions: it stays a partner.")
                                            % {"org": row.organization.name})
                    row.delete()
            for organization_id, partner in kept.items():
                role = partner.get("role") or ProjectPartner.Role.PARTNER
                if organization_id in before:
                    if before[organization_id].role != role:
                        before[organization_id].role = role
                        before[organization_id].save(update_fields=["role"])
                else:
                    ProjectPartner.objects.create(project=project, organization=partner["organization"], role=role)
                    added.append(partner["organization"])
    if "need" in changes:
        _contract_need(project.need, actor)
    notices.project_partners_named(project, added)
    return _locked(project)


# Contributions -------------------------------------------------------------------------------------------------


def _check_open(project: Project) -> None:
    if project.status == Project.Status.TERMINATED:
        raise StateConflict(_("This project was terminated: it takes no more records."))


def _check_year(project: Project, year) -> None:
    if year is None:
        raise DomainError(_("This field is required."), field="year")
    first, last = project.first_year, project.last_year()
    if not first <= year <= last:
        raise DomainError(_("The year must be within the project's dates (%(first)d–%(last)d).")
                          % {"first": first, "last": last}, field="year")


def _contribution_add(project: Project, actor, *, organization: Organization, kind: str, amount, unit: str = "",
                      year: int | None = None, description: str = "") -> Contribution:
    if organization.pk not in project_unit_ids(project):
        raise DomainError(_("“%(org)s” is not the lead or a partner of this project.") % {"org": organization.name},
                          field="organization")
    if not can_contribute_for(actor, project, organization):
        raise NotAllowed(_("A unit's contacts record its contributions (or the alliance's secretariat for it)."))
    _check_open(project)
    year = year if year is not None else project.first_year
    _check_year(project, year)
    if amount is not None and amount < 0:
        raise DomainError(_("The amount cannot be negative."), field="amount")
    contribution = Contribution(project=project, organization=organization, kind=kind, amount=amount, year=year,
                                unit=(unit or "").strip() or Contribution.DEFAULT_UNITS.get(kind, ""),
                                description=(description or "").strip(), recorded_by=actor)
    full_clean_or_raise(contribution, exclude=["recorded_by"])
    with set_actor(actor):
        contribution.save()
    return contribution


@transaction.atomic
def contribution_add(*, project: Project, actor, **fields) -> Contribution:
    """A unit of the project records what it puts in (its contacts, or the secretariat for it)."""
    return _contribution_add(_locked(project), actor, **fields)


@transaction.atomic
def contribution_delete(*, contribution: Contribution, actor) -> None:
    project = _locked(contribution.project)
    contribution = Contribution.objects.select_related("organization").get(pk=contribution.pk)
    if not can_contribute_for(actor, project, contribution.organization):
        raise NotAllowed(_("A unit's contacts record its contributions (or the alliance's secretariat for it)."))
    _check_open(project)
    with set_actor(actor):
        contribution.delete()


# Outcomes ------------------------------------------------------------------------------------------------------


def _outcome_record(project: Project, actor, *, year: int, metric: str, value, note: str = "") -> Outcome:
    if not can_report_outcomes(actor, project):
        raise NotAllowed(_("The contacts of the project's units and the alliance's secretariat record its "
                           "outcomes."))
    _check_open(project)
    _check_year(project, year)
    if value is None or value < 0:
        raise DomainError(_("The value cannot be negative."), field="value")
    if project.outcomes.filter(year=year, metric=metric).exists():
        raise StateConflict(_("This outcome of %(year)d is already recorded: change it instead.") % {"year": year},
                            code="outcome_exists")
    outcome = Outcome(project=project, year=year, metric=metric, value=value, note=(note or "").strip()[:NOTE_MAX],
                      recorded_by=actor)
    full_clean_or_raise(outcome, exclude=["recorded_by", "confirmed_by", "project"])
    try:
        with transaction.atomic(), set_actor(actor):
            outcome.save()
    except IntegrityError as exc:
        raise StateConflict(_("This outcome of %(year)d is already recorded: change it instead.")
                            % {"year": year}, code="outcome_exists") from exc
    notices.outcome_recorded(outcome)
    return outcome


@transaction.atomic
def outcome_record(*, project: Project, actor, year: int, metric: str, value, note: str = "") -> Outcome:
    """A figure of a year of the project (its units' contacts or the secretariat); it counts once confirmed."""
    return _outcome_record(_locked(project), actor, year=year, metric=metric, value=value, note=note)


def _locked_outcome(outcome: Outcome) -> Outcome:
    project = _locked(outcome.project)
    outcome = Outcome.objects.select_for_update(of=("self",)).get(pk=outcome.pk)
    outcome.project = project
    return outcome


def _check_unconfirmed(outcome: Outcome) -> None:
    if outcome.is_confirmed:
        raise StateConflict(_("This outcome has been confirmed: it can no longer be changed."),
                            code="outcome_confirmed")


@transaction.atomic
def outcome_update(*, outcome: Outcome, actor, value=None, note: str | None = None) -> Outcome:
    outcome = _locked_outcome(outcome)
    if not can_report_outcomes(actor, outcome.project):
        raise NotAllowed(_("The contacts of the project's units and the alliance's secretariat record its "
                           "outcomes."))
    _check_unconfirmed(outcome)
    if value is not None:
        if value < 0:
            raise DomainError(_("The value cannot be negative."), field="value")
        outcome.value = value
    if note is not None:
        outcome.note = note.strip()[:NOTE_MAX]
    full_clean_or_raise(outcome, exclude=["recorded_by", "confirmed_by", "project"])
    with set_actor(actor):
        outcome.save()
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: Outcome, actor) -> None:
    outcome = _locked_outcome(outcome)
    if not can_report_outcomes(actor, outcome.project):
        raise NotAllowed(_("The contacts of the project's units and the alliance's secretariat record its "
                           "outcomes."))
    _check_unconfirmed(outcome)
    files = [evidence.file for evidence in outcome.evidence.all()]
    with set_actor(actor):
        outcome.delete()
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


@transaction.atomic
def outcome_confirm(*, outcome: Outcome, actor) -> Outcome:
    """The secretariat confirms the figure: it counts from now on, and no longer changes."""
    outcome = _locked_outcome(outcome)
    if not can_confirm_outcomes(actor, outcome.project.alliance):
        raise NotAllowed(_("Only the alliance's secretariat confirms outcomes."))
    _check_unconfirmed(outcome)
    with set_actor(actor):
        outcome.confirmed_by, outcome.confirmed_at = actor, timezone.now()
        outcome.save(update_fields=["confirmed_by", "confirmed_at"])
    notices.outcome_confirmed(outcome)
    return outcome


@transaction.atomic
def evidence_add(*, outcome: Outcome, actor, title: str, file) -> OutcomeEvidence:
    """A file that shows the figure (a list of trainees, a patent certificate, a contract), while it is not
    confirmed."""
    outcome = _locked_outcome(outcome)
    if not can_report_outcomes(actor, outcome.project):
        raise NotAllowed(_("The contacts of the project's units and the alliance's secretariat record its "
                           "outcomes."))
    _check_unconfirmed(outcome)
    title = (title or "").strip() or getattr(file, "name", "")
    evidence = OutcomeEvidence(outcome=outcome, title=title[:200], file=file, uploaded_by=actor)
    full_clean_or_raise(evidence, exclude=["uploaded_by"])
    with set_actor(actor):
        evidence.save()
    return evidence
