"""PostgreSQL only: the trigram index moves from UPPER(patient_name) to the folded name the staff Find
searches (`patient_name_folded LIKE '%word%'`). SQLite has no such index type and skips this."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS appointment_name_folded_trgm ON appointments_appointment "
    "USING gin (patient_name_folded gin_trgm_ops)"
)
DROP_OLD = "DROP INDEX IF EXISTS appointment_name_trgm"
CREATE_OLD = (
    "CREATE INDEX IF NOT EXISTS appointment_name_trgm ON appointments_appointment "
    "USING gin (UPPER(patient_name::text) gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS appointment_name_folded_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        schema_editor.execute(CREATE, params=None)
        schema_editor.execute(DROP_OLD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_OLD, params=None)
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0008_appointment_folded_name_and_undo")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
