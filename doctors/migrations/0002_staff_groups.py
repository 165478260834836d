"""Create the staff groups with their permissions (SPEC 2: by migration, not by hand).

Later apps add their own models' permissions to these groups in their own migrations,
through `doctors.roles.grant`.
"""

from django.db import migrations

from doctors.roles import CONTENT_EDITORS, DOCTORS, FRONT_DESK, grant

PERMISSIONS = {
    FRONT_DESK: [
        "doctors.view_doctor",
        "doctors.view_location",
        "doctors.view_specialty",
    ],
    DOCTORS: ["doctors.view_doctor", "doctors.view_location"],
    CONTENT_EDITORS: [
        "doctors.view_doctor",
        "doctors.view_specialty",
        "doctors.view_condition",
    ],
}


def create_groups(apps, schema_editor):
    grant(apps, PERMISSIONS)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("doctors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
