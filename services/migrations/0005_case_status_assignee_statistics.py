"""Extended statistics on ``services_case (status, assignee_id)`` (PostgreSQL only).

Without them PostgreSQL multiplies the selectivity of "unassigned" by that of a status and
expects thousands of unassigned cases "in progress" where there are none; the queue's capped
count for that bucket then reads the whole open-queue index (15 ms at a million cases) instead
of the empty range of ``case_queue_assignee``. The most-common-values list of the pair tells
the planner which combinations are empty. ANALYZE fills it; autovacuum keeps it current.
"""

from django.db import migrations

NAME = "case_status_assignee"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {NAME} (mcv) ON status, assignee_id FROM services_case"
    )
    schema_editor.execute("ANALYZE services_case")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("services", "0004_case_claim_next_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
