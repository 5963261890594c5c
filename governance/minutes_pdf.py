"""A meeting's minutes as a PDF in Chinese, with the attendance, the agenda and the votes.

Rendered on request (a few pages; see docs/benchmarks.md) by WeasyPrint with the Noto CJK font
and the kernel's URL fetcher (kernel/pdf.py), which loads nothing the document does not inline. The data
is read in a fixed number of queries, whatever the number of agenda items, motions or seats.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance.models import AgendaItem, Attendance, Meeting, Minutes, Motion
from governance.selectors import meeting_quorum
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


def minutes_data(meeting: Meeting, minutes: Minutes) -> dict:
    """Everything the document shows, gathered in the document's language."""
    with translation.override(LANGUAGE):
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
            "alliance": meeting.body.alliance.name,
            "title": meeting.title,
            "body": meeting.body.name,
            "kind": meeting.get_kind_display(),
            "date": starts.strftime("%Y-%m-%d"),
            "time": f"{starts:%H:%M}–{ends:%H:%M}",
            "place": meeting.location,
            "online_link": meeting.online_link,
            "present": quorum["present"], "entitled": quorum["entitled"], "quorum_fraction": quorum["fraction"],
            "quorum_met": quorum["met"],
            "modes": [{"label": label, "count": by_mode[mode]} for mode, label in Attendance.Mode.choices],
            "by_alternate": sum(row.by_alternate for row in attendance),
            "proxies": [{"absent": row.seat.organization.name, "carrier": row.proxy_seat.organization.name}
                        for row in attendance if row.mode == Attendance.Mode.PROXY],
            "agenda": agenda,
            "motions": [_motion_row(motion) for motion in motions],
            "text": minutes.text,
            "status": minutes.status,
            "status_label": minutes.get_status_display(),
            "approved": minutes.status == Minutes.Status.APPROVED,
            "approved_on": timezone.localdate(minutes.approved_at).isoformat() if minutes.approved_at else "",
            "circulated_on": timezone.localdate(minutes.circulated_at).isoformat() if minutes.circulated_at else "",
        }


def render(data: dict) -> bytes:
    return render_pdf("governance/documents/minutes_pdf.html", {"data": data})


def minutes_pdf(meeting: Meeting, minutes: Minutes) -> bytes:
    return render(minutes_data(meeting, minutes))


def file_name(meeting: Meeting) -> str:
    with translation.override(LANGUAGE):
        return f"{_('Meeting minutes')}-{meeting.title}-{timezone.localdate(meeting.starts_at).isoformat()}.pdf"
