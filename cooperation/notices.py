"""Messages about responses to technology needs, put into the notification outbox (kernel/notify.py).

Each step tells the other side once: a response, the need's enterprise; a decision, the responding unit.
Keys are unique per response, step and recipient, so a retried request notifies nobody twice; the rows
are written in the service's transaction, so a rolled-back step notifies nobody.
"""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kernel.notify import notify
from members.selectors import contacts_of


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
