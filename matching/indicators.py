"""The indicators of the two subsystems of the coupling coordination (COOPERATION.md): data, chosen per city
(`CouplingIndicator` rows), the defaults listed there otherwise.

An indicator is *recorded* when the project keeps the figures it needs. The outcomes of cooperation projects
(trainees, graduates placed in the city, teachers in enterprise practice, contract value) are not recorded
yet: such an indicator is listed in the working as "not recorded" and left out of the weights, rather than
counted as zero.
"""

from django.utils.translation import gettext_lazy as _

EDUCATION, INDUSTRY = "education", "industry"

LABELS = {
    "enrolment": _("Enrolment in mapped majors"),
    "graduates": _("Graduates of mapped majors"),
    "trainees": _("Trainees (person-times)"),
    "graduates_placed_local": _("Graduates placed in the city"),
    "teachers_in_enterprise": _("Teachers in enterprise practice"),
    "value_added": _("Value added"),
    "jobs": _("Jobs"),
    "talent_needs_posted": _("Talent needs posted"),
    "technology_needs_posted": _("Technology needs posted"),
    "contract_value": _("Contract value"),
}
DEFAULTS = {
    EDUCATION: ["enrolment", "graduates", "trainees", "graduates_placed_local", "teachers_in_enterprise"],
    INDUSTRY: ["value_added", "jobs", "talent_needs_posted", "technology_needs_posted", "contract_value"],
}
SUBSYSTEM_OF = {key: subsystem for subsystem, keys in DEFAULTS.items() for key in keys}
RECORDED = {"enrolment", "graduates", "value_added", "jobs", "talent_needs_posted", "technology_needs_posted"}


def chosen(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The indicators of each subsystem: the city's (`(subsystem, key)` rows) or, for a subsystem it chose none
    of, the defaults."""
    result = {EDUCATION: [], INDUSTRY: []}
    for subsystem, key in rows:
        if key in SUBSYSTEM_OF and SUBSYSTEM_OF[key] == subsystem:
            result[subsystem].append(key)
    return {subsystem: keys or list(DEFAULTS[subsystem]) for subsystem, keys in result.items()}
