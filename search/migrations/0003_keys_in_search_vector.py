"""Misspelling keys move into ``search_vector``; the trigram indexes go.

A name word now matches by its spelling *or* its keys in one GIN index scan, so the separate
``keys_vector`` (and its index) is no longer needed. Trigram similarity only ranks a bounded
set of candidates, which needs no index, so the four trigram indexes (slow to maintain on
every write, and unused by the queries) are dropped. Run ``manage.py reindex`` after
migrating: documents written before this migration lack the keys in their vectors.
"""

from django.db import migrations



class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that is skipped on databases other than PostgreSQL (as in 0002)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


TRIGRAM_INDEXES = [
    ("case_search_casedocument", "casedoc_name_trgm", "name"),
    ("case_search_casedocument", "casedoc_address_trgm", "address"),
    ("case_search_residentdocument", "residentdoc_name_trgm", "name"),
    ("case_search_residentdocument", "residentdoc_address_trgm", "address"),
]


class Migration(migrations.Migration):
    dependencies = [("case_search", "0002_postgres_indexes")]

    operations = [
        # Going back: the keys vectors' GIN indexes, once the columns are back.
        *[
            PostgresOnlySQL(
                sql=migrations.RunSQL.noop,
                reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (keys_vector)",
            )
            for table, name in (
                ("case_search_casedocument", "casedoc_keys"),
                ("case_search_residentdocument", "residentdoc_keys"),
            )
        ],
        migrations.RemoveField(model_name="casedocument", name="keys_vector"),
        migrations.RemoveField(model_name="residentdocument", name="keys_vector"),
        *[
            PostgresOnlySQL(
                sql=f"DROP INDEX IF EXISTS {name}",
                reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f"USING gin ({column} gin_trgm_ops)",
            )
            for table, name, column in TRIGRAM_INDEXES
        ],
    ]
