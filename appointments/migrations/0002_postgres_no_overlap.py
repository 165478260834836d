"""PostgreSQL only: no two active appointments of one doctor may overlap in time.

The conditional unique constraint on (doctor, starts_at) works on every database; this exclusion
constraint also catches overlapping appointments with different starts (e.g. after a slot length
change). It needs the btree_gist extension, so it runs only on PostgreSQL; SQLite skips it.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE appointments_appointment ADD CONSTRAINT appointment_no_overlap
    EXCLUDE USING gist (doctor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('booked', 'confirmed', 'checked_in'))""",
]
DROP = "ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
