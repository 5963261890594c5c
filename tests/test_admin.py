"""The admin: list pages join what they show (a query budget each), and the notification outbox with its
"retry" action."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from kernel.models import Notification
from members.models import Organization, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    superuser = User.objects.create_superuser("root-admin", "root@alliance.test", "admin-pass-2025")
    client.force_login(superuser)
    return client


def test_the_organisation_list_runs_a_fixed_handful_of_queries(admin_client, django_assert_max_num_queries):
    assert Organization.objects.count() >= 90  # the demo's member units, each with a city
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:members_organization_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 90


@pytest.mark.parametrize("model", [model for model in admin.site._registry
                                   if model._meta.app_label in ("alliance", "members", "governance", "kernel", "publicity")],
                         ids=lambda model: model._meta.label)
def test_every_list_page_stays_within_a_query_budget(admin_client, django_assert_max_num_queries, model):
    opts = model._meta
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200


def notification(user, key, status, **fields):
    return Notification.objects.create(user=user, key=key, subject=key, body="…", mail_status=status, **fields)


def test_retry_puts_failed_notifications_back_in_the_outbox_and_leaves_the_others(admin_client, cast):
    contact = cast["contact"]
    failed = notification(contact, "admin-test:failed", "failed", mail_attempts=10, last_error="SMTP 550")
    sent = notification(contact, "admin-test:sent", "sent", mail_attempts=1, mailed_at=timezone.now())

    response = admin_client.post(reverse("admin:kernel_notification_changelist"),
                                 {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True,
                                 HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.mail_status, failed.mail_attempts, failed.next_attempt_at) == ("pending", 0, None)
    assert failed.last_error == "SMTP 550"  # what went wrong stays readable
    assert sent.mail_status == "sent" and sent.mail_attempts == 1
    assert [str(message) for message in response.context["messages"]] == ["1 notification will be mailed again."]


def test_retry_says_so_when_nothing_selected_had_failed(admin_client, cast):
    pending = notification(cast["contact"], "admin-test:pending", "pending")
    response = admin_client.post(reverse("admin:kernel_notification_changelist"),
                                 {"action": "retry", "_selected_action": [pending.pk]}, follow=True,
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert [str(message) for message in response.context["messages"]] == [
        "None of the selected notifications had failed."]


def test_notifications_cannot_be_added_or_edited_by_hand(admin_client, cast):
    row = notification(cast["contact"], "admin-test:read-only", "failed")
    assert admin_client.get(reverse("admin:kernel_notification_add")).status_code == 403
    page = admin_client.get(reverse("admin:kernel_notification_change", args=[row.pk]))
    assert page.status_code == 200
    assert b'name="subject"' not in page.content  # shown, not editable
