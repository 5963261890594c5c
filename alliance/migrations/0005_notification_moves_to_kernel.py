from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0004_notification_attachment_name_and_more"),
        ("kernel", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Notification")]),
    ]
