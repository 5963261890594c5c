"""An index on the units' names in pinyin order (kernel/collation.py), so a list ordered by name reads its page
from the index instead of sorting every visible row (the register, the organisations API).

PostgreSQL only: the embedded SQLite of `make run` has no `zh-x-icu` collation and orders by code point. The
index is not declared in the model's Meta (its expression names a PostgreSQL collation), so the migration
state does not know it: `makemigrations` leaves it alone.
"""

from django.db import migrations

INDEX = "organization_pinyin_id"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {INDEX} ON members_organization ((name COLLATE "zh-x-icu"), id)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0004_accounts"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
