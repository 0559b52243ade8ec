"""PostgreSQL-only parts of the search documents: pg_trgm and the GIN indexes.

They are not declared on the models (a GIN or trigram index cannot be created on SQLite), so
this migration creates them on PostgreSQL and does nothing elsewhere; ``makemigrations``
never sees them and stays clean.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("case_search_casedocument", "casedoc_vector", "USING gin (search_vector)"),
    ("case_search_casedocument", "casedoc_keys", "USING gin (keys_vector)"),
    ("case_search_casedocument", "casedoc_name_trgm", "USING gin (name gin_trgm_ops)"),
    ("case_search_casedocument", "casedoc_address_trgm", "USING gin (address gin_trgm_ops)"),
    ("case_search_residentdocument", "residentdoc_vector", "USING gin (search_vector)"),
    ("case_search_residentdocument", "residentdoc_keys", "USING gin (keys_vector)"),
    ("case_search_residentdocument", "residentdoc_name_trgm", "USING gin (name gin_trgm_ops)"),
    (
        "case_search_residentdocument",
        "residentdoc_address_trgm",
        "USING gin (address gin_trgm_ops)",
    ),
]


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that is skipped on databases other than PostgreSQL (the SQLite demo)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("case_search", "0001_documents")]

    operations = [
        TrigramExtension(),
        *[
            PostgresOnlySQL(
                sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} {method}",
                reverse_sql=f"DROP INDEX IF EXISTS {name}",
            )
            for table, name, method in INDEXES
        ],
    ]
