"""Give the staff groups their appointment permissions (SPEC 2: by migration, not by hand).

Front desk: every doctor's schedule, book for callers, move appointments through their statuses,
rotate calendar-feed tokens. Doctors: the staff pages, scoped in the views to their own doctor.
"""

from django.db import migrations

from doctors.roles import DOCTORS, FRONT_DESK, grant

PERMISSIONS = {
    FRONT_DESK: [
        "appointments.view_schedule",
        "appointments.view_appointment",
        "appointments.add_appointment",
        "appointments.change_appointment",
        "appointments.view_statuschange",
        "appointments.change_calendarfeed",
    ],
    DOCTORS: ["appointments.view_schedule"],
}


def grant_permissions(apps, schema_editor):
    grant(apps, PERMISSIONS)


def revoke_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=PERMISSIONS):
        codenames = [label.split(".")[1] for label in PERMISSIONS[group.name]]
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="appointments", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_name_search"),
        ("doctors", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
