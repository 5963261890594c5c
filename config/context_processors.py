"""The menu on every page: which entries the user has, as each app's permissions decide (the wiring may
ask them all; the templates only read the answers)."""

from assessments.permissions import takes_part_in_assessments
from governance.permissions import holds_a_seat, reports_on_tasks, takes_part_in_council_business
from kernel.scope import scope_of
from members.permissions import can_apply_for_membership, can_manage_roles


def navigation(request):
    user = getattr(request, "user", None)
    return {"nav": {
        "council": takes_part_in_council_business(user),
        "votes": holds_a_seat(user),
        "tasks": reports_on_tasks(user),
        "assessments": takes_part_in_assessments(user),
        "roles": can_manage_roles(user),
        "apply": can_apply_for_membership(user),
        # The contacts' inbox; nobody else receives announcements.
        "announcements": bool(scope_of(user).contact_organization_ids),
    }}
