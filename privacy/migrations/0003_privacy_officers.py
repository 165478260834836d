"""The "Privacy officers" group (SPEC 2: roles by migration): they handle one patient's requests to
see or erase their data, read the privacy audit log, and write new versions of the privacy notice."""

from django.db import migrations

from doctors.roles import PRIVACY_OFFICERS, grant

PERMISSIONS = {
    PRIVACY_OFFICERS: [
        "privacy.handle_patient_data",
        "privacy.view_datarequest",
        "privacy.view_privacyevent",
        "privacy.view_consent",
        "privacy.view_anonymisation",
        "privacy.view_privacynotice",
        "privacy.add_privacynotice",
        "privacy.change_privacynotice",
    ]
}


def create_group(apps, schema_editor):
    grant(apps, PERMISSIONS)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_first_notice"),
        ("doctors", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
