from django.db import migrations


# The rule's defaults when it was introduced (assessments/early_warnings/rules.py); edited in the admin after.
def add_rule(apps, schema_editor):
    WarningRule = apps.get_model("assessments", "WarningRule")
    WarningRule.objects.get_or_create(code="lead_unit_concentration", defaults={"threshold": 70, "level": "notice"})


def remove_rule(apps, schema_editor):
    apps.get_model("assessments", "WarningRule").objects.filter(code="lead_unit_concentration").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0006_annual_cycle'),
    ]

    operations = [
        migrations.RunPython(add_rule, remove_rule),
    ]
