"""PostgreSQL only: a trigram index so staff can find appointments by any part of a patient's name.

Django's `icontains` on PostgreSQL is `UPPER(col::text) LIKE UPPER('%…%')`; a GIN trigram index on
exactly that expression serves it. SQLite has no such index type and skips this (it is the
single-machine development database; see docs/decisions.md).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS appointment_name_trgm ON appointments_appointment "
    "USING gin (UPPER(patient_name::text) gin_trgm_ops)",
]
DROP = "DROP INDEX IF EXISTS appointment_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_staff")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
