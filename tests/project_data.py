"""Cooperation projects for tests, made through the services: a project of 淄博职业学院 (the demo `school` user's
unit) as lead with the demo `contact` user's enterprise as partner, recorded by the secretariat."""

import datetime

from cooperation.services import projects
from members.models import Organization, User

START = datetime.date(2024, 3, 1)
END = datetime.date(2026, 12, 31)


class ProjectWorld:
    def __init__(self, cast, alliance):
        self.cast, self.alliance = cast, alliance
        self.secretariat = cast["secretariat"]
        self.contact = cast["contact"]
        self.contact_org = Organization.objects.get(contacts__user=self.contact)
        self.school = User.objects.get(username="school")
        self.school_org = Organization.objects.get(contacts__user=self.school)

    def project(self, actor=None, **fields):
        values = {"kind": "order_class", "title": "数控技术订单班", "lead": self.school_org, "starts_on": START,
                  "ends_on": END, "status": "running",
                  "partners": [{"organization": self.contact_org, "role": "partner"}], **fields}
        return projects.project_create(actor=actor or self.secretariat, alliance=self.alliance, **values)

    def outcome(self, project, actor=None, **fields):
        values = {"year": 2025, "metric": "trainees", "value": 40, **fields}
        return projects.outcome_record(project=project, actor=actor or self.school, **values)
