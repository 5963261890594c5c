"""A meeting's minutes as a PDF in the reader's language (Chinese by default), with the attendance, the agenda and the votes.

Rendered on request (a few pages; see docs/benchmarks.md) by WeasyPrint with the Noto CJK font
and the kernel's URL fetcher (kernel/pdf.py), which loads nothing the document does not inline. The data
is read in a fixed number of queries, whatever the number of agenda items, motions or seats.
"""

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from governance.models import AgendaItem, Attendance, Meeting, Minutes, Motion
from governance.selectors import meeting_quorum
from kernel.names import display_name
from kernel.pdf import LANGUAGE, render_pdf


def _motion_row(motion: Motion) -> dict:
    if motion.state != Motion.State.CLOSED:
        outcome = _("Not voted on") if motion.state == Motion.State.DRAFT else _("Vote in progress")
    elif not motion.decided:
        outcome = _("Not decided (too few ballots to publish a secret count)")
    elif not motion.quorum_met:
        outcome = _("Not adopted: quorum not met")
    else:
        outcome = _("Adopted") if motion.adopted else _("Not adopted")
    return {
        "title": motion.title,
        "ballot": f"{motion.get_ballot_display()} · {motion.get_voting_method_display()}",
        "tellers": motion.tellers,
        "closed": motion.state == Motion.State.CLOSED,
        "decided": bool(motion.decided),
        "yes": motion.yes_count, "no": motion.no_count, "abstain": motion.abstain_count,
        "eligible": motion.eligible, "present": motion.present,
        "outcome": outcome, "adopted": bool(motion.adopted),
        "resolution_number": motion.resolution_number or "",
    }


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def minutes_data(meeting: Meeting, minutes: Minutes, *, language: str = LANGUAGE) -> dict:
    """Everything the document shows, gathered in the document's language."""
    with translation.override(language):
        quorum = meeting_quorum(meeting)
        attendance = list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("seat__organization", "proxy_seat__organization")
            .order_by("seat__organization__name", "id")
        )
        by_mode = {mode: 0 for mode in Attendance.Mode.values}
        for row in attendance:
            by_mode[row.mode] += 1
        motions = list(Motion.objects.filter(meeting=meeting).order_by("agenda_item__position", "id"))
        motion_of_item = {motion.agenda_item_id: motion for motion in motions if motion.agenda_item_id}
        agenda = [
            {"position": item.position, "title": item.title, "description": item.description,
             "motion": _motion_row(motion_of_item[item.pk]) if item.pk in motion_of_item else None}
            for item in AgendaItem.objects.filter(meeting=meeting).order_by("position")
        ]
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "language": language,
            "alliance": display_name(meeting.body.alliance, language),
            "title": meeting.title,
            "body": meeting.body.name,
            "kind": meeting.get_kind_display(),
            "date": _date(starts.date()),
            "time": f"{starts:%H:%M}–{ends:%H:%M}",
            "place": meeting.location,
            "online_link": meeting.online_link,
            "present": quorum["present"], "entitled": quorum["entitled"], "quorum_fraction": quorum["fraction"],
            "quorum_met": quorum["met"],
            "modes": [{"label": label, "count": by_mode[mode]} for mode, label in Attendance.Mode.choices],
            "by_alternate": sum(row.by_alternate for row in attendance),
            "proxies": [{"absent": display_name(row.seat.organization, language),
                         "carrier": display_name(row.proxy_seat.organization, language)}
                        for row in attendance if row.mode == Attendance.Mode.PROXY],
            "agenda": agenda,
            "motions": [_motion_row(motion) for motion in motions],
            "text": minutes.text,
            "status": minutes.status,
            "status_label": minutes.get_status_display(),
            "approved": minutes.status == Minutes.Status.APPROVED,
            "approved_on": _date(timezone.localdate(minutes.approved_at)) if minutes.approved_at else "",
            "circulated_on": _date(timezone.localdate(minutes.circulated_at)) if minutes.circulated_at else "",
        }


def render(data: dict) -> bytes:
    return render_pdf("governance/documents/minutes_pdf.html", {"data": data}, language=data["language"])


def minutes_pdf(meeting: Meeting, minutes: Minutes, *, language: str = LANGUAGE) -> bytes:
    return render(minutes_data(meeting, minutes, language=language))


def file_name(meeting: Meeting, *, language: str = LANGUAGE) -> str:
    with translation.override(language):
        return f"{_('Meeting minutes')}-{meeting.title}-{timezone.localdate(meeting.starts_at).isoformat()}.pdf"
