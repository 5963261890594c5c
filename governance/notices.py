"""Messages of the council's business, put into the notification outbox (kernel/notify.py).

Every key is unique per event and recipient, so a task or beat that runs twice notifies once.
Subjects and bodies are lazy translations, rendered in each recipient's language.
"""

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from governance.calendar import meeting_ics
from kernel.dates import local_date, local_datetime
from kernel.notify import notify


def _when(meeting):
    return local_datetime(meeting.starts_at)


def meeting_invitation(meeting, seat) -> bool:
    """Invite a seat's holder (and alternate): a mail with the meeting as an .ics file. A changed
    time is a new invitation (the key carries the time)."""
    stamp = int(meeting.starts_at.timestamp())
    url = reverse("governance:meeting", args=[meeting.pk])
    created_any = False
    for user in filter(None, [seat.user, seat.alternate]):
        _row, created = notify(
            user=user,
            key=f"meeting:{meeting.pk}:invite:{seat.pk}:{user.pk}:{stamp}",
            subject=format_lazy(_("Invitation: {title}, {when}"), title=meeting.title, when=_when(meeting)),
            body=format_lazy(
                _("You are invited to {title} of {body} on {when} at {place}. Please confirm your attendance "
                  "and read the papers in the application. The attached calendar file adds it to your calendar."),
                title=meeting.title, body=meeting.body.name, when=_when(meeting),
                place=meeting.location or meeting.online_link or "-",
            ),
            url=url,
            attachment=("invite.ics", "text/calendar", meeting_ics(meeting, attendee=user)),
        )
        created_any = created_any or created
    return created_any


def meeting_cancelled(meeting, seat) -> None:
    for user in filter(None, [seat.user, seat.alternate]):
        notify(
            user=user, key=f"meeting:{meeting.pk}:cancelled:{user.pk}",
            subject=format_lazy(_("Cancelled: {title}"), title=meeting.title),
            body=format_lazy(_("{title} on {when} has been cancelled."), title=meeting.title, when=_when(meeting)),
            url=reverse("governance:meeting", args=[meeting.pk]),
        )


def meeting_reminder(meeting, seat) -> bool:
    _row, created = notify(
        user=seat.user,
        key=f"meeting:{meeting.pk}:reminder:{seat.pk}:{int(meeting.starts_at.timestamp())}",
        subject=format_lazy(_("Reminder: {title}, {when}"), title=meeting.title, when=_when(meeting)),
        body=format_lazy(
            _("{title} of {body} begins on {when} at {place}."), title=meeting.title, body=meeting.body.name,
            when=_when(meeting), place=meeting.location or meeting.online_link or "-",
        ),
        url=reverse("governance:meeting", args=[meeting.pk]),
    )
    return created


def vote_opened(motion, user) -> None:
    notify(
        user=user, key=f"motion:{motion.pk}:open:{user.pk}",
        subject=format_lazy(_("Vote open: {title}"), title=motion.title),
        body=format_lazy(_("The vote on “{title}” is open. Cast your ballot in the application."),
                         title=motion.title),
        url=reverse("governance:needs_my_vote"),
    )


def vote_reminder_key(motion, user) -> str:
    return f"motion:{motion.pk}:remind:{user.pk}"


def vote_reminder(motion, user) -> bool:
    """Once per motion and person, whether the deadline's beat or the secretariat sends it."""
    if motion.closes_at is not None:
        body = format_lazy(_("The vote on “{title}” closes on {when} and your seat has not voted yet."),
                           title=motion.title, when=local_datetime(motion.closes_at))
    else:
        body = format_lazy(_("The vote on “{title}” is open and your seat has not voted yet."), title=motion.title)
    _row, created = notify(
        user=user, key=vote_reminder_key(motion, user),
        subject=format_lazy(_("Your vote is needed: {title}"), title=motion.title),
        body=body,
        url=reverse("governance:needs_my_vote"),
    )
    return created


def vote_result(motion, user) -> None:
    if not motion.decided:
        outcome = _("not decided")
        body = format_lazy(_("“{title}”: not decided (too few ballots to publish a secret count)."),
                           title=motion.title)
    else:
        outcome = _("adopted") if motion.adopted else _("not adopted")
        body = format_lazy(_("“{title}”: {yes} yes, {no} no, {abstain} abstentions; {outcome}."),
                           title=motion.title, yes=motion.yes_count, no=motion.no_count,
                           abstain=motion.abstain_count, outcome=outcome)
    notify(
        user=user, key=f"motion:{motion.pk}:result:{user.pk}",
        subject=format_lazy(_("Result: {title} ({outcome})"), title=motion.title, outcome=outcome),
        body=body,
        url=reverse("governance:motion", args=[motion.pk]),
    )


def minutes_circulated(minutes, user) -> None:
    notify(
        user=user, key=f"minutes:{minutes.pk}:circulated:{user.pk}:{int(minutes.circulated_at.timestamp())}",
        subject=format_lazy(_("Minutes for approval: {title}"), title=minutes.meeting.title),
        body=format_lazy(_("The draft minutes of {title} are circulated for your review before approval."),
                         title=minutes.meeting.title),
        url=reverse("governance:minutes", args=[minutes.meeting_id]),
    )


def minutes_approval_reminder(minutes, user) -> bool:
    _row, created = notify(
        user=user, key=f"minutes:{minutes.pk}:approval-reminder:{user.pk}",
        subject=format_lazy(_("Minutes still to be approved: {title}"), title=minutes.meeting.title),
        body=format_lazy(_("The minutes of {title} were circulated and are not approved yet. Put them to a "
                           "motion at the next meeting or by written consent."), title=minutes.meeting.title),
        url=reverse("governance:minutes", args=[minutes.meeting_id]),
    )
    return created


def extraordinary_granted(request, user) -> None:
    notify(
        user=user, key=f"extraordinary:{request.pk}:granted:{user.pk}",
        subject=format_lazy(_("Extraordinary meeting requested: {subject}"), subject=request.subject),
        body=format_lazy(_("Enough directors of {body} have signed the request for an extraordinary meeting "
                           "on “{subject}”. Please convene it."), body=request.body.name,
                         subject=request.subject),
        url=reverse("governance:requests", args=[request.body.alliance_id]),
    )


def task_assigned(task, user) -> None:
    notify(
        user=user, key=f"task:{task.pk}:assigned:{user.pk}",
        subject=format_lazy(_("New task for your unit: {title}"), title=task.title),
        body=format_lazy(_("{owner} is asked to deliver {target} {unit} by {due}: {title}."), owner=task.owner.name,
                         target=task.target_value, unit=task.target_unit, due=local_date(task.due_on), title=task.title),
        url=reverse("governance:task", args=[task.pk]),
    )


def task_due_reminder(task, user) -> bool:
    _row, created = notify(
        user=user, key=f"task:{task.pk}:due:{task.due_on.isoformat()}:{user.pk}",
        subject=format_lazy(_("Task due on {due}: {title}"), due=local_date(task.due_on), title=task.title),
        body=format_lazy(_("The task “{title}” is due on {due}. Report its progress with evidence."),
                         title=task.title, due=local_date(task.due_on)),
        url=reverse("governance:task", args=[task.pk]),
    )
    return created


def task_decided(task, user, *, accepted: bool) -> None:
    stamp = int((task.accepted_at or task.created_at).timestamp()) if accepted else task.reports.count()
    notify(
        user=user, key=f"task:{task.pk}:{'accepted' if accepted else 'returned'}:{stamp}:{user.pk}",
        subject=format_lazy(_("Task accepted: {title}") if accepted else _("Task returned: {title}"),
                            title=task.title),
        body=(format_lazy(_("The secretariat accepted “{title}”."), title=task.title) if accepted else
              format_lazy(_("The secretariat returned “{title}”: {reason}"), title=task.title,
                          reason=task.return_reason)),
        url=reverse("governance:task", args=[task.pk]),
    )
