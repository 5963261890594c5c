"""The early-warnings page: the open warnings of the alliances a secretariat runs or an official oversees, and a
check on demand (the beat checks every night)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.selectors import alliances_overseen_by
from assessments.early_warnings.rules import RULES, describe, evaluate, warnings_for_user
from assessments.permissions import oversees_any
from kernel.counts import Paginator

PAGE_SIZE = 50
LEVEL_ORDER = {"serious": 0, "warning": 1, "notice": 2}


@login_required
def warning_list(request):
    if not oversees_any(request.user):
        raise PermissionDenied(_("Early warnings are for the secretariats and the city's officials."))
    rule = request.GET.get("rule", "")
    warnings = warnings_for_user(request.user).order_by("alliance__name", "alliance_id", "rule")
    if rule in RULES:
        warnings = warnings.filter(rule=rule)
    page = Paginator(warnings, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = sorted((describe(warning) for warning in page), key=lambda w: (w.alliance.name, LEVEL_ORDER[w.level]))
    return render(request, "assessments/warnings.html", {
        "page": page, "warnings": rows, "rules": [(code, RULES[code].label) for code in RULES], "rule": rule, "rule_texts": RULES.items(),
        "query": f"rule={rule}" if rule in RULES else "",
    })


@login_required
@require_POST
def warning_check(request):
    """Check now the alliances the user oversees (as secretariat or official)."""
    if not oversees_any(request.user):
        raise PermissionDenied(_("Early warnings are for the secretariats and the city's officials."))
    counts = evaluate(alliance_ids=list(alliances_overseen_by(request.user).values_list("id", flat=True)))
    messages.success(request, _("Checked: %(opened)d new warnings, %(ended)d ended, %(updated)d still open.")
                     % counts)
    return redirect("assessments:warnings")
