"""The notification outbox moves from the alliance app to the kernel: the table is renamed, no row moves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("alliance", "0004_notification_attachment_name_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("subject", models.CharField(max_length=300, verbose_name="Subject")),
                        ("body", models.TextField(verbose_name="Message")),
                        ("url", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("mail_status", models.CharField(choices=[("pending", "Waiting"), ("sent", "Sent"), ("failed", "Failed"), ("skipped", "No mail address")], default="pending", max_length=10)),
                        ("mail_attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("mailed_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("attachment_name", models.CharField(blank=True, max_length=100)),
                        ("attachment_type", models.CharField(blank=True, max_length=100)),
                        ("attachment_text", models.TextField(blank=True)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="notifications", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "Notification",
                        "verbose_name_plural": "Notifications",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "alliance_notification",
                        "indexes": [
                            models.Index(fields=["mail_status", "next_attempt_at"], name="alliance_no_mail_st_90b338_idx"),
                            models.Index(fields=["user", "read_at"], name="alliance_no_user_id_2fb607_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="notification", table=None),
        migrations.RenameIndex(model_name="notification", new_name="notification_mail_due",
                               old_name="alliance_no_mail_st_90b338_idx"),
        migrations.RenameIndex(model_name="notification", new_name="notification_user_unread",
                               old_name="alliance_no_user_id_2fb607_idx"),
    ]
