"""Celery on a real worker, consuming from the Redis broker (no eager mode): the beat's outbox job mails
what the services put into the outbox."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from alliance.models import Alliance
from config.celery import app
from kernel.models import Notification
from kernel.tasks import send_notifications
from members import services
from members.models import Organization, User
from tests.conftest import load_cast
from tests.worker import tasks_seen


def electronic_with_a_secretary() -> Alliance:
    from members.models import RoleGrant

    electronic = Alliance.objects.get(name="淄博电子信息产教联合体")
    secretary = User.objects.create(username="electronic_secretary", email="sec@electronic.test", language="en")
    RoleGrant.objects.create(user=secretary, role="secretariat", alliance=electronic)
    return electronic


@pytest.mark.django_db(transaction=True)
def test_an_application_is_mailed_to_the_secretariat_from_the_outbox_by_a_worker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "this test needs REDIS_URL"
    load_cast()
    app.control.purge()
    contact = User.objects.get(username="contact")
    contact_org = Organization.objects.get(contacts__user=contact)
    electronic = electronic_with_a_secretary()
    mail.outbox = []

    membership = services.membership_apply(alliance=electronic, organization=contact_org, actor=contact)
    secretary = User.objects.get(username="electronic_secretary")
    notification = Notification.objects.get(key=f"membership:{membership.pk}:applied:{secretary.pk}")
    assert notification.mail_status == "pending"

    with tasks_seen() as seen, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert seen.wait(send_notifications.delay()), "the worker did not run send_notifications"

    [message] = mail.outbox
    assert message.to == ["sec@electronic.test"]
    assert contact_org.name in message.subject
    assert "applied to join" in message.subject  # rendered in the recipient's language (English)
    assert membership.alliance.name in message.body
    notification.refresh_from_db()
    assert notification.mail_status == "sent"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_notified_or_mailed_when_the_transaction_rolls_back():
    from django.db import transaction

    load_cast()
    app.control.purge()
    contact = User.objects.get(username="contact")
    contact_org = Organization.objects.get(contacts__user=contact)
    electronic = electronic_with_a_secretary()
    mail.outbox = []
    with pytest.raises(RuntimeError), transaction.atomic():
        services.membership_apply(alliance=electronic, organization=contact_org, actor=contact)
        raise RuntimeError("abort")

    assert not Notification.objects.filter(key__startswith="membership:").exists()
    with tasks_seen() as seen, start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert seen.wait(send_notifications.delay()), "the worker did not run send_notifications"
    assert mail.outbox == []


def test_a_worker_process_lays_out_a_pdf_when_it_starts(caplog):
    """Prefork worker processes get `worker_process_init`: each lays out a one-line PDF in the documents' font
    (kernel.pdf.warm_up), so that its first report does not pay for WeasyPrint's set-up."""
    import sys

    from celery import signals

    from config.celery import _warm_up_pdf

    assert _warm_up_pdf in [receiver() for _key, receiver in signals.worker_process_init.receivers]
    signals.worker_process_init.send(sender=None)
    assert "weasyprint" in sys.modules
    assert "PDF warm-up failed" not in caplog.text
