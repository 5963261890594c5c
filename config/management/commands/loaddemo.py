from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.early_warnings.rules import evaluate as check_early_warnings
from config.demo import (
    DEMO_LOGINS,
    load_annual_plan,
    load_assessment_cycle,
    load_cooperation_activity,
    load_decided_cycle,
    load_demo,
    load_demo_council,
    load_publicity_demo,
)


class Command(BaseCommand):
    help = "Load the Zibo demo (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        counts = load_demo()
        load_demo_council()
        load_cooperation_activity()
        load_publicity_demo()
        load_decided_cycle()
        load_assessment_cycle()
        load_annual_plan()
        warnings = check_early_warnings()  # as the beat does every night, so the first visit shows them
        self.stdout.write(self.style.SUCCESS(
            f"Demo loaded: {counts['alliances']} alliances, {counts['organizations']} organisations, "
            f"{warnings['opened']} new early warnings."
        ))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for username, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:24} {role}")
