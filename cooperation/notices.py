"""Messages about responses to technology needs, put into the notification outbox (kernel/notify.py).

Each step tells the other side once: a response, the need's enterprise; a decision, the responding unit.
Keys are unique per response, step and recipient, so a retried request notifies nobody twice; the rows
are written in the service's transaction, so a rolled-back step notifies nobody.
"""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kernel.notify import notify
from members.selectors import contacts_of, secretaries_of


def response_proposed(response) -> None:
    need = response.need
    for user in contacts_of(need.organization):
        notify(
            user=user, key=f"cooperation:response:{response.pk}:proposed:{user.pk}",
            subject=format_lazy(_("{org} responded to your technology need “{title}”"),
                                org=response.organization.name, title=need.title),
            body=format_lazy(_("{org} responded to “{title}”:\n{note}\n\nPlease accept or decline the response."),
                             org=response.organization.name, title=need.title, note=response.note),
            url=reverse("cooperation:detail", args=["technology-needs", need.pk]),
        )


def response_decided(response) -> None:
    need = response.need
    subjects = {
        "accepted": _("{org} accepted your response to “{title}”"),
        "declined": _("{org} declined your response to “{title}”"),
    }
    body = format_lazy(subjects[response.status], org=need.organization.name, title=need.title)
    if response.decision_note:
        body = format_lazy("{body}\n{label}: {note}", body=body, label=_("Note"), note=response.decision_note)
    for user in contacts_of(response.organization):
        notify(
            user=user, key=f"cooperation:response:{response.pk}:{response.status}:{user.pk}",
            subject=format_lazy(subjects[response.status], org=need.organization.name, title=need.title),
            body=body,
            url=reverse("cooperation:detail", args=["technology-needs", need.pk]),
        )


def _project_url(project) -> str:
    return reverse("cooperation:project", args=[project.pk])


def project_partners_named(project, organizations) -> None:
    """The contacts of each unit newly named a partner: they record its contributions and the outcomes."""
    for organization in organizations:
        for user in contacts_of(organization):
            notify(
                user=user, key=f"cooperation:project:{project.pk}:partner:{organization.pk}:{user.pk}",
                subject=format_lazy(_("{org} is a partner of the cooperation project “{title}”"),
                                    org=organization.name, title=project.title),
                body=format_lazy(_("{lead} named {org} a partner of “{title}”. Record what your unit puts in and the "
                                   "project's outcomes on its page."),
                                 lead=project.lead.name, org=organization.name, title=project.title),
                url=_project_url(project),
            )


def outcome_recorded(outcome) -> None:
    """The secretariat confirms outcomes before they count: each recorded one is put before it once."""
    project = outcome.project
    for user in secretaries_of(project.alliance):
        if user.pk == outcome.recorded_by_id:
            continue
        notify(
            user=user, key=f"cooperation:outcome:{outcome.pk}:recorded:{user.pk}",
            subject=format_lazy(_("An outcome of “{title}” awaits your confirmation"), title=project.title),
            body=format_lazy(_("{year}: {metric} {value}. Please check its evidence and confirm it."),
                             year=outcome.year, metric=outcome.get_metric_display(), value=outcome.value),
            url=_project_url(project),
        )


def outcome_confirmed(outcome) -> None:
    user = outcome.recorded_by
    if user is None or not user.is_active or user.pk == outcome.confirmed_by_id:
        return
    project = outcome.project
    notify(
        user=user, key=f"cooperation:outcome:{outcome.pk}:confirmed:{user.pk}",
        subject=format_lazy(_("The secretariat confirmed an outcome of “{title}”"), title=project.title),
        body=format_lazy(_("{year}: {metric} {value} now counts in the alliance's figures."),
                         year=outcome.year, metric=outcome.get_metric_display(), value=outcome.value),
        url=_project_url(project),
    )
