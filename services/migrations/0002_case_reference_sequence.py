"""The PostgreSQL sequence case references are drawn from (see services/reference.py).

On SQLite (the embedded demo) there is nothing to create: references come from max + 1.
"""

from django.db import migrations

SEQUENCE = "services_case_reference_seq"


def create_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} START WITH 10000000 "
            "MINVALUE 10000000 MAXVALUE 99999999 NO CYCLE"
        )


def drop_sequence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(create_sequence, drop_sequence)]
