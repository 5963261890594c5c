import logging.config
import os

from celery import Celery, signals
from celery.schedules import crontab
from django.conf import settings

from kernel.logs import bind_task, unbind_task
from kernel.pdf import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside apps that hold tasks of their own.
app.autodiscover_tasks(["assessments.reports"])

# Written into django_celery_beat's tables each time beat starts. Both jobs are safe to run
# twice (unique reminder keys, outbox rows claimed with SKIP LOCKED); a run that waited in the
# queue past its period expires (expire_seconds), as the next one does the same work.
app.conf.beat_schedule = {
    "send-notifications": {
        "task": "kernel.tasks.send_notifications",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    "assessment-reminders": {
        "task": "assessments.tasks.assessment_reminders",
        "schedule": crontab(minute=7),
        "options": {"expire_seconds": 3300},
    },
    "close-due-motions": {
        "task": "governance.tasks.close_due_motions",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    "cooperation-suggestions": {
        "task": "cooperation.tasks.refresh_all_suggestions",
        "schedule": crontab(minute=23, hour=3),
        "options": {"expire_seconds": 3600},
    },
    "governance-reminders": {
        "task": "governance.tasks.governance_reminders",
        "schedule": 600.0,
        "options": {"expire_seconds": 590},
    },
    "early-warnings": {
        "task": "assessments.tasks.check_early_warnings",
        "schedule": crontab(minute=41, hour=2),
        "options": {"expire_seconds": 3600},
    },
    "announcement-reminders": {
        "task": "publicity.tasks.announcement_reminders",
        "schedule": crontab(minute=17),
        "options": {"expire_seconds": 3300},
    },
}


@signals.setup_logging.connect
def use_the_django_logging(**kwargs):
    """The worker and beat log as the web does (settings.LOGGING: JSON lines in production), instead of
    Celery's own format."""
    logging.config.dictConfig(settings.LOGGING)


@signals.task_prerun.connect
def _bind_task(task_id=None, task=None, **kwargs):
    bind_task(task_id, getattr(task, "name", ""))


@signals.task_postrun.connect
def _unbind_task(**kwargs):
    unbind_task()


@signals.worker_process_init.connect
def _warm_up_pdf(**kwargs):
    """Each worker process lays out a tiny PDF when it starts (kernel/pdf.py), so that its first report does not
    pay for WeasyPrint's and the font's set-up."""
    try:
        warm_up()
    except Exception:  # a worker without the PDF libraries still runs every other task
        logging.getLogger(__name__).warning("the PDF warm-up failed", exc_info=True)
